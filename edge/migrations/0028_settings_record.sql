-- The settings of record: one row, written only by a compare-and-set on its
-- ETag, so two admins saving from the same copy cannot both win. KV keeps
-- the copy every request reads (fast at the edge); the cron mends KV from
-- this row if a write to it was lost or landed out of order. Before the
-- first save after this migration, KV's copy is the record.
CREATE TABLE settings_record (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  body TEXT NOT NULL,
  etag TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
