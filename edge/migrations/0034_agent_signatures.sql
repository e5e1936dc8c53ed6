-- What goes below an agent's replies to customers (shared::signature);
-- NULL for none.
ALTER TABLE agents ADD COLUMN signature TEXT;
