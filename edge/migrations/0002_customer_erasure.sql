-- A customer's personal data can be erased on request (DELETE
-- /v1/admin/customers/{id}); the record stays, marked, so their tickets keep
-- counting in the team's figures.
ALTER TABLE customers ADD COLUMN erased_at INTEGER;
