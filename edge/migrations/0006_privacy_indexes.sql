-- Erasure, export and retention find a customer's widget sessions through
-- the events linked to their tickets, and clear audit details by target.
CREATE INDEX events_ticket ON events(ticket_id);
CREATE INDEX audit_target ON audit_log(target);
