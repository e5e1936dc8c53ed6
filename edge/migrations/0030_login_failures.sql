-- Failed login attempts per login address (its SHA-256, kept whether or not
-- an agent has that address), for shared::login_guard: after ten within 15
-- minutes that login waits. Rows older than the window are deleted as new
-- ones are added.
CREATE TABLE login_failures (
  email_hash TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX login_failures_by_email ON login_failures (email_hash, at);
CREATE INDEX login_failures_by_time ON login_failures (at);
