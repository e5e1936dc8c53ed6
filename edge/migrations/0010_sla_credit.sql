-- The working minutes the resolution deadline gained from the ticket's
-- waits for the customer (pending), so a new priority's deadline keeps them.
ALTER TABLE tickets ADD COLUMN paused_minutes INTEGER NOT NULL DEFAULT 0;
