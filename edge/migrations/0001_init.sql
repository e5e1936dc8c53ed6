-- Deflect schema, version 1. Times are milliseconds since the Unix epoch.
-- Changes go in new numbered files; applied files are never edited.

CREATE TABLE agents (
  id            TEXT PRIMARY KEY,
  email         TEXT NOT NULL UNIQUE,
  name          TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('agent', 'admin')),
  teams         TEXT NOT NULL DEFAULT '[]',   -- JSON array
  skills        TEXT NOT NULL DEFAULT '[]',   -- JSON array
  password_hash TEXT NOT NULL,                -- pbkdf2-sha256$iterations$salt$hash
  active        INTEGER NOT NULL DEFAULT 1,
  created_at    INTEGER NOT NULL
);

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,                -- SHA-256 of the cookie value
  agent_id   TEXT NOT NULL REFERENCES agents(id),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_agent ON sessions(agent_id);

CREATE TABLE api_tokens (
  token_hash   TEXT PRIMARY KEY,
  agent_id     TEXT NOT NULL REFERENCES agents(id),
  name         TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER
);

CREATE TABLE customers (
  id          TEXT PRIMARY KEY,
  site_id     TEXT NOT NULL,
  email_hash  TEXT NOT NULL,                  -- HMAC of the address, for lookup
  email_enc   TEXT NOT NULL,                  -- AES-GCM ciphertext
  phone_enc   TEXT,
  name        TEXT,
  plan        TEXT,
  value_cents INTEGER NOT NULL DEFAULT 0,
  attributes  TEXT NOT NULL DEFAULT '{}',
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  UNIQUE (site_id, email_hash)
);

CREATE TABLE tickets (
  id                  TEXT PRIMARY KEY,
  site_id             TEXT NOT NULL,
  customer_id         TEXT NOT NULL REFERENCES customers(id),
  idempotency_key     TEXT NOT NULL,
  request_hash        TEXT NOT NULL,
  subject             TEXT NOT NULL,
  status              TEXT NOT NULL CHECK (status IN ('open', 'pending', 'solved', 'closed')),
  channel             TEXT NOT NULL DEFAULT 'widget',
  locale              TEXT NOT NULL DEFAULT 'en',
  page_url            TEXT,
  shown_articles      TEXT NOT NULL DEFAULT '[]',
  priority_score      REAL NOT NULL,
  priority_level      TEXT NOT NULL,
  priority_explain    TEXT NOT NULL,          -- JSON Explanation
  priority_features   TEXT NOT NULL,          -- JSON [f32; 10], training input
  priority_override   TEXT,
  assignee_id         TEXT REFERENCES agents(id),
  team                TEXT,
  tags                TEXT NOT NULL DEFAULT '[]',
  automated           INTEGER NOT NULL DEFAULT 0,
  solved_article_id   TEXT,
  first_response_due  INTEGER NOT NULL,
  resolution_due      INTEGER NOT NULL,
  first_response_at   INTEGER,
  solved_at           INTEGER,
  breached_first      INTEGER NOT NULL DEFAULT 0,
  breached_resolution INTEGER NOT NULL DEFAULT 0,
  csat                INTEGER CHECK (csat BETWEEN 1 AND 5),
  csat_comment        TEXT,
  created_at          INTEGER NOT NULL,
  updated_at          INTEGER NOT NULL,
  UNIQUE (site_id, idempotency_key)
);
CREATE INDEX tickets_queue ON tickets(status, priority_score DESC);
CREATE INDEX tickets_customer ON tickets(customer_id, created_at DESC);
CREATE INDEX tickets_assignee ON tickets(assignee_id, status);
CREATE INDEX tickets_created ON tickets(created_at);

CREATE TABLE messages (
  id          TEXT PRIMARY KEY,
  ticket_id   TEXT NOT NULL REFERENCES tickets(id),
  author      TEXT NOT NULL CHECK (author IN ('customer', 'agent', 'system')),
  author_id   TEXT,
  body        TEXT NOT NULL,
  internal    INTEGER NOT NULL DEFAULT 0,
  created_at  INTEGER NOT NULL
);
CREATE INDEX messages_ticket ON messages(ticket_id, created_at);

CREATE TABLE articles (
  id          TEXT NOT NULL,
  site_id     TEXT NOT NULL,
  title       TEXT NOT NULL,
  body        TEXT NOT NULL,
  tags        TEXT NOT NULL DEFAULT '[]',
  phrasings   TEXT NOT NULL DEFAULT '[]',
  locale      TEXT NOT NULL DEFAULT 'en',
  updated_at  INTEGER NOT NULL,
  PRIMARY KEY (site_id, id)
);

-- Widget events: deflection is counted per session from these.
CREATE TABLE events (
  id          TEXT PRIMARY KEY,
  site_id     TEXT NOT NULL,
  session_id  TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('answer_shown', 'helped', 'not_helped', 'no_answer', 'escalated')),
  article_id  TEXT,
  question    TEXT,
  confidence  REAL,
  ticket_id   TEXT,
  created_at  INTEGER NOT NULL
);
CREATE INDEX events_session ON events(site_id, session_id);
CREATE INDEX events_created ON events(created_at);

-- Agents' priority overrides: training data for the priority model.
CREATE TABLE priority_overrides (
  id          TEXT PRIMARY KEY,
  ticket_id   TEXT NOT NULL REFERENCES tickets(id),
  agent_id    TEXT NOT NULL,
  features    TEXT NOT NULL,
  computed    TEXT NOT NULL,
  chosen      TEXT NOT NULL,
  created_at  INTEGER NOT NULL
);

CREATE TABLE audit_log (
  id          TEXT PRIMARY KEY,
  actor       TEXT NOT NULL,
  action      TEXT NOT NULL,
  target      TEXT NOT NULL,
  detail      TEXT NOT NULL DEFAULT '{}',
  created_at  INTEGER NOT NULL
);
CREATE INDEX audit_created ON audit_log(created_at DESC);
