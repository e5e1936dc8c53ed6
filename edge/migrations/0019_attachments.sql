-- Files that came with a customer's mail (store::attachments). A file is
-- encrypted with the data key and kept as base64 in parts of at most
-- 512 Ki characters, well under D1's limit on one value; its ticket is its
-- message's, so a merge that moves messages moves their files too.
CREATE TABLE attachments (
  id            TEXT PRIMARY KEY,
  message_id    TEXT NOT NULL REFERENCES messages(id),
  name          TEXT NOT NULL,
  content_type  TEXT NOT NULL,
  size          INTEGER NOT NULL,
  parts         INTEGER NOT NULL,
  created_at    INTEGER NOT NULL
);
CREATE INDEX attachments_message ON attachments(message_id);

CREATE TABLE attachment_parts (
  attachment_id  TEXT NOT NULL REFERENCES attachments(id),
  n              INTEGER NOT NULL,
  data           TEXT NOT NULL,
  PRIMARY KEY (attachment_id, n)
);
