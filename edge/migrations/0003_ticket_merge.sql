-- A duplicate ticket can be merged into another of the same customer's
-- (POST /v1/agent/tickets/{id}/merge): its messages move there, and it is
-- closed, pointing at the ticket it continues in.
ALTER TABLE tickets ADD COLUMN merged_into TEXT REFERENCES tickets(id);
