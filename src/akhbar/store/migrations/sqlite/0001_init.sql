-- akhbar schema, SQLite. Datetimes are UTC ISO-8601 text of one fixed width
-- ("YYYY-MM-DDTHH:MM:SS.ffffffZ") so that text order is time order.

CREATE TABLE sources (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    homepage         TEXT NOT NULL,
    languages        TEXT NOT NULL,            -- JSON list of ISO 639-1 codes
    config           TEXT NOT NULL,            -- JSON of the whole Source
    listed           INTEGER NOT NULL DEFAULT 1,  -- present in the last sync_sources
    registry_enabled INTEGER NOT NULL DEFAULT 1,  -- Source.enabled at the last sync
    operator_enabled INTEGER,                  -- set_source_enabled override; NULL = none
    enabled          INTEGER NOT NULL DEFAULT 1   -- listed AND coalesce(operator, registry)
);

CREATE TABLE feeds (
    url           TEXT PRIMARY KEY,
    source_id     TEXT NOT NULL REFERENCES sources(id),
    enabled       INTEGER NOT NULL DEFAULT 1,
    etag          TEXT,
    last_modified TEXT,
    next_check    TEXT,
    claimed_by    TEXT,
    claim_expires TEXT,
    last_success  TEXT,
    last_error    TEXT,
    last_error_at TEXT,
    error_streak  INTEGER NOT NULL DEFAULT 0,
    last_new_item TEXT
);
CREATE INDEX feeds_next_check ON feeds(next_check);
CREATE INDEX feeds_source ON feeds(source_id);

CREATE TABLE articles (
    id           INTEGER PRIMARY KEY,
    url          TEXT NOT NULL UNIQUE,
    source_id    TEXT NOT NULL REFERENCES sources(id),
    title        TEXT NOT NULL,
    text         TEXT NOT NULL,
    html         TEXT NOT NULL DEFAULT '',
    summary      TEXT NOT NULL DEFAULT '',
    author       TEXT,
    image        TEXT,
    tags         TEXT NOT NULL DEFAULT '[]',   -- JSON list
    lang         TEXT NOT NULL,
    lang_hint    TEXT,
    published    TEXT,
    updated      TEXT,
    first_seen   TEXT NOT NULL,
    date_source  TEXT NOT NULL,
    fetched_url  TEXT,
    content_hash TEXT NOT NULL DEFAULT '',
    minhash      BLOB NOT NULL DEFAULT x'',
    copy_of      INTEGER REFERENCES articles(id),
    similarity   REAL
);
-- latest_articles orders by this exact expression; the filters have their own.
CREATE INDEX articles_latest ON articles(coalesce(published, first_seen) DESC, id DESC);
CREATE INDEX articles_lang_latest ON articles(lang, coalesce(published, first_seen) DESC);
CREATE INDEX articles_source_latest ON articles(source_id, coalesce(published, first_seen) DESC);
CREATE INDEX articles_content_hash ON articles(content_hash);
CREATE INDEX articles_copy_of ON articles(copy_of) WHERE copy_of IS NOT NULL;

-- Every other URL an article was reached by (fetched URL, feed link…).
CREATE TABLE article_urls (
    url        TEXT PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id)
);
CREATE INDEX article_urls_article ON article_urls(article_id);

-- LSH band keys of originals only: copies are never near-duplicate candidates.
CREATE TABLE article_bands (
    band       TEXT NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles(id),
    PRIMARY KEY (band, article_id)
) WITHOUT ROWID;

CREATE TABLE page_stats (
    source_id TEXT PRIMARY KEY REFERENCES sources(id),
    ok        INTEGER NOT NULL DEFAULT 0,
    failed    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE source_errors (
    id        INTEGER PRIMARY KEY,
    source_id TEXT NOT NULL REFERENCES sources(id),
    at        TEXT NOT NULL,
    url       TEXT NOT NULL,
    message   TEXT NOT NULL
);
CREATE INDEX source_errors_source ON source_errors(source_id, id);

CREATE TABLE checkpoints (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Plain full-text index over title + text, kept in sync by triggers.
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, text,
    content='articles', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2'
);

CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
END;

CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, text)
    VALUES ('delete', old.id, old.title, old.text);
END;

CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, text)
    VALUES ('delete', old.id, old.title, old.text);
    INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
END;
