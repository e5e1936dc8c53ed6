-- Two-step login (TOTP, RFC 6238). The secrets are AES-GCM encrypted with
-- the data key; a secret being set up waits in totp_pending_enc until a
-- code from the app confirms it. totp_last_step is the newest step a code
-- logged in with, so each code works once. Recovery codes are kept as
-- SHA-256 hashes (a JSON array), each removed when used.
ALTER TABLE agents ADD COLUMN totp_secret_enc TEXT;
ALTER TABLE agents ADD COLUMN totp_pending_enc TEXT;
ALTER TABLE agents ADD COLUMN totp_last_step INTEGER;
ALTER TABLE agents ADD COLUMN recovery_hashes TEXT NOT NULL DEFAULT '[]';
ALTER TABLE agents ADD COLUMN two_factor_since INTEGER;
