-- Help-centre categories: each article may be listed under one ("Billing");
-- '' for none. Revisions keep it, so a restore brings it back too.
ALTER TABLE articles ADD COLUMN category TEXT NOT NULL DEFAULT '';
ALTER TABLE article_revisions ADD COLUMN category TEXT NOT NULL DEFAULT '';
