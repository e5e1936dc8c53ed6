-- A file's object is marked for deletion a day ahead before it is put in
-- R2, and the transaction that writes the file's row takes the mark off.
-- So an object whose row never came (the write failed, the Worker died
-- between the two) is deleted by the cron a day later, whatever failed.
-- Deletions of files deleted are due at once (0).
ALTER TABLE file_deletions ADD COLUMN due_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX file_deletions_due ON file_deletions (due_at);
