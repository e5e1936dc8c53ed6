-- The per-agent figures count the replies agents wrote in a period.
CREATE INDEX messages_author_time ON messages(author, created_at);
