-- A snoozed ticket waits (pending) until this time, in milliseconds since
-- the epoch; the cron opens it again then, unless the customer wrote first.
ALTER TABLE tickets ADD COLUMN snoozed_until INTEGER;
CREATE INDEX tickets_snoozed ON tickets(snoozed_until) WHERE snoozed_until IS NOT NULL;
