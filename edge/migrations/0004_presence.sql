-- Which agents are on a ticket's page, and whether they are writing a reply
-- (POST /v1/agent/tickets/{id}/presence, every few seconds from the
-- dashboard), so two agents do not answer the same customer at once.
CREATE TABLE presence (
  ticket_id  TEXT NOT NULL REFERENCES tickets(id),
  agent_id   TEXT NOT NULL REFERENCES agents(id),
  typing     INTEGER NOT NULL DEFAULT 0,
  seen_at    INTEGER NOT NULL,
  PRIMARY KEY (ticket_id, agent_id)
);
CREATE INDEX presence_seen ON presence(seen_at);
