-- A daily summary that could not be mailed is tried again, as replies and
-- alerts are: the attempts made on `summary_day`'s summary, and when the
-- next one is due (NULL once it went, or before the first).
ALTER TABLE agents ADD COLUMN summary_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE agents ADD COLUMN summary_retry_at INTEGER;
