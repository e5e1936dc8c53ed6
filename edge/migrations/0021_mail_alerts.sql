-- Agents' mail alerts (desk::mail_alerts): what each agent asked to be
-- mailed about (JSON of deflect_shared::api::MailAlerts; '{}' is its
-- default: mentions on, the rest off), and the alerts to send. An alert
-- holds no customer data: its mail is written when it goes, from the
-- ticket as it is then (and for a mention, from the note it names). One
-- alert per agent, ticket, event and note waits at a time, so a
-- customer's quick replies mail once. Alerts follow the claim and retry
-- scheme of replies (0018).
ALTER TABLE agents ADD COLUMN mail_alerts TEXT NOT NULL DEFAULT '{}';

CREATE TABLE mail_alerts (
  id         TEXT PRIMARY KEY,
  agent_id   TEXT NOT NULL REFERENCES agents(id),
  ticket_id  TEXT NOT NULL REFERENCES tickets(id),
  event      TEXT NOT NULL CHECK (event IN ('mentioned', 'assigned', 'sla_missed', 'customer_replied', 'new_ticket')),
  message_id TEXT REFERENCES messages(id),
  created_at INTEGER NOT NULL,
  state      TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
  attempts   INTEGER NOT NULL DEFAULT 0,
  next_at    INTEGER NOT NULL,
  error      TEXT
);
CREATE UNIQUE INDEX mail_alerts_waiting ON mail_alerts(agent_id, ticket_id, event, COALESCE(message_id, ''))
  WHERE state = 'pending';
CREATE INDEX mail_alerts_due ON mail_alerts(next_at) WHERE state IN ('pending', 'failed', 'sending');
CREATE INDEX mail_alerts_ticket ON mail_alerts(ticket_id);
CREATE INDEX mail_alerts_agent ON mail_alerts(agent_id, created_at);

-- Agents who follow a ticket that is not theirs: they are alerted of its
-- customer's replies and of a missed SLA as its assignee is.
CREATE TABLE ticket_followers (
  ticket_id  TEXT NOT NULL REFERENCES tickets(id),
  agent_id   TEXT NOT NULL REFERENCES agents(id),
  created_at INTEGER NOT NULL,
  PRIMARY KEY (ticket_id, agent_id)
);
