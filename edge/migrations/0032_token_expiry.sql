-- An API token may stop working by itself: ms since the epoch, or NULL for
-- a token that works until it is revoked.
ALTER TABLE api_tokens ADD COLUMN expires_at INTEGER;
