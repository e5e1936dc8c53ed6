-- Files kept with messages (store::attachments): those that came with a
-- customer's mail, and those an agent uploads for a reply (message_id is
-- NULL until the reply is sent; the cron deletes uploads left unsent for a
-- day). A file is encrypted with the data key and kept as base64 in parts
-- of at most 512 Ki characters, well under D1's limit on one value. A merge
-- moves a ticket's files with its messages.
CREATE TABLE attachments (
  id            TEXT PRIMARY KEY,
  ticket_id     TEXT NOT NULL REFERENCES tickets(id),
  message_id    TEXT REFERENCES messages(id),
  uploaded_by   TEXT REFERENCES agents(id),
  name          TEXT NOT NULL,
  content_type  TEXT NOT NULL,
  size          INTEGER NOT NULL,
  parts         INTEGER NOT NULL,
  created_at    INTEGER NOT NULL
);
CREATE INDEX attachments_ticket ON attachments(ticket_id, created_at);
CREATE INDEX attachments_message ON attachments(message_id);
CREATE INDEX attachments_unsent ON attachments(created_at) WHERE message_id IS NULL;

CREATE TABLE attachment_parts (
  attachment_id  TEXT NOT NULL REFERENCES attachments(id),
  n              INTEGER NOT NULL,
  data           TEXT NOT NULL,
  PRIMARY KEY (attachment_id, n)
);
