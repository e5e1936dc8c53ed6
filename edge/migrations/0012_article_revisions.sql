-- Every saved state of an article, so an edit can be undone, a deleted
-- article brought back, and an edit made from an old copy refused instead
-- of silently overwriting someone else's change.
ALTER TABLE articles ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;

CREATE TABLE article_revisions (
  site_id     TEXT NOT NULL,
  article_id  TEXT NOT NULL,
  revision    INTEGER NOT NULL,
  action      TEXT NOT NULL CHECK (action IN ('create', 'update', 'import', 'restore', 'delete')),
  title       TEXT NOT NULL,
  body        TEXT NOT NULL,
  tags        TEXT NOT NULL,
  phrasings   TEXT NOT NULL,
  locale      TEXT NOT NULL,
  author      TEXT,                -- agent id; NULL for what existed before history was kept
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (site_id, article_id, revision)
);

-- The articles as they are now are their first kept revision.
INSERT INTO article_revisions (site_id, article_id, revision, action, title, body, tags, phrasings, locale, author, created_at)
SELECT site_id, id, 1, 'create', title, body, tags, phrasings, locale, NULL, updated_at FROM articles;
