-- A reply sent again under the same Idempotency-Key (a retry after a lost
-- answer, a double click) is kept once. NULL keys (system messages, callers
-- without the header) never collide: SQLite's unique indexes treat each NULL
-- as distinct.
ALTER TABLE messages ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX messages_idempotency ON messages(ticket_id, idempotency_key);
