-- Links mailed to agents who forgot their password: only the token's
-- SHA-256 digest is kept; a link works once, until expires_at, and a new
-- one replaces the agent's older ones.
CREATE TABLE password_resets (
  token_hash TEXT PRIMARY KEY,
  agent_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX password_resets_by_agent ON password_resets (agent_id, created_at);
