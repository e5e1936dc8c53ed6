-- The resolution clock stops while a ticket waits for the customer
-- (pending): when it entered pending, so the deadline can move on by the
-- working time that was left when it leaves.
ALTER TABLE tickets ADD COLUMN pending_since INTEGER;
