-- Identity verification: each site's identity secrets are derived from the
-- data key by version (as the webhook secrets are); a rotation adds the
-- next version, and the previous one's signatures still match for a day.
CREATE TABLE identity_keys (
  site_id     TEXT NOT NULL,
  version     INTEGER NOT NULL,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (site_id, version)
);

-- What the site's signature said of the ticket's customer: 'verified',
-- 'mismatched', or NULL when none came (a form, a mail, an agent's log).
ALTER TABLE tickets ADD COLUMN customer_identity TEXT;
