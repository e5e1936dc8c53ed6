-- Webhook deliveries: every POST a rule asks for is kept here with its
-- attempts, so a receiver that was down gets it later (the cron tries
-- again with growing waits) and an admin can see what was sent and what
-- the receiver answered.
CREATE TABLE webhook_deliveries (
  id              TEXT PRIMARY KEY,
  event           TEXT NOT NULL,
  url             TEXT NOT NULL,
  rule            TEXT,
  ticket_id       TEXT REFERENCES tickets(id),
  payload         TEXT NOT NULL,
  state           TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  last_status     INTEGER,
  last_error      TEXT,
  next_attempt_at INTEGER,
  created_at      INTEGER NOT NULL,
  delivered_at    INTEGER
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(state, next_attempt_at);
CREATE INDEX webhook_deliveries_created ON webhook_deliveries(created_at);
CREATE INDEX webhook_deliveries_ticket ON webhook_deliveries(ticket_id);

-- The signing secret is derived from DEFLECT_DATA_KEY and a version; a
-- rotation adds a row. No secret is stored.
CREATE TABLE webhook_keys (
  version    INTEGER PRIMARY KEY,
  created_at INTEGER NOT NULL
);
