-- The audit page filters by who acted; pages are read newest first.
CREATE INDEX audit_actor ON audit_log(actor, created_at DESC);
