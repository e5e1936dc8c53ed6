-- Files' contents move from D1 (base64 parts in attachment_parts, which
-- count against the database's size) to R2 objects, one per file, keyed
-- `files/{id}`, sealed with the data key as before. Files kept before
-- stay where they are ('d1') and are read from there.
ALTER TABLE attachments ADD COLUMN stored_in TEXT NOT NULL DEFAULT 'd1';

-- R2 objects whose files were deleted (an erasure, an upload never sent),
-- to delete from the bucket: written in the transaction that deletes the
-- rows, so no object outlives its file for long, and deleted by the cron.
CREATE TABLE file_deletions (
  object_key  TEXT PRIMARY KEY,
  created_at  INTEGER NOT NULL
);
