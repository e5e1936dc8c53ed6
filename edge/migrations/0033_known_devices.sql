-- Browsers a login has succeeded from (OWASP's "device cookies"): failed
-- attempts from a browser the login knows are counted apart from those
-- from anywhere else, so guesses from elsewhere cannot lock an agent out of
-- the browser they use. One browser's cookie may be known to several
-- logins. Only the cookie's SHA-256 is kept; a device unused for a year is
-- forgotten.
CREATE TABLE known_devices (
  token_hash TEXT NOT NULL,
  email_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER NOT NULL,
  PRIMARY KEY (token_hash, email_hash)
);
CREATE INDEX known_devices_by_use ON known_devices (last_used_at);

-- Which known device a failure came from; NULL for anywhere else.
ALTER TABLE login_failures ADD COLUMN device TEXT;
DROP INDEX login_failures_by_email;
CREATE INDEX login_failures_by_login ON login_failures (email_hash, device, at);
