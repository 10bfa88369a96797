-- Moderation (akhbar.moderate): what readers' reports lead to, and every decision.
--
-- Reports are rebuilt without their foreign key to articles: what a reader said outlives
-- an article taken down. Readers are told apart by keyed hashes only (HMAC with a key kept
-- in site_state): reporter_key of the browser's cookie token, network_key of the client's
-- /24 (IPv4) or /64 (IPv6). No IP address and no raw token is stored.
-- One row per reported thing: an image (by URL, as stored on articles) or an article.
CREATE TABLE moderation_items (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL CHECK (kind IN ('image', 'article')),
    target         TEXT NOT NULL,      -- the image URL, or the article id as text
    article_id     INTEGER,            -- the article it was first reported on (no FK: see above)
    -- open: under the threshold; queued: waits for an operator (an article, a burst, or an
    -- image an operator cleared before); blocked: hidden everywhere; cleared: an operator
    -- kept it; taken_down: the article was taken down.
    state          TEXT NOT NULL DEFAULT 'open'
                   CHECK (state IN ('open', 'queued', 'blocked', 'cleared', 'taken_down')),
    counted        INTEGER NOT NULL DEFAULT 0,   -- distinct readers counted since the last decision
    reports        INTEGER NOT NULL DEFAULT 0,   -- every report received
    phash          TEXT,               -- images: imagehash.phash as 16 hex digits, once fetched
    match_of       INTEGER REFERENCES moderation_items(id),  -- blocked as a copy of this image
    first_report   TEXT,
    last_report    TEXT,
    decided_at     TEXT,
    decided_by     TEXT,               -- 'auto', 'system' or an operator's name
    reason         TEXT,               -- the last decision's reason
    UNIQUE (kind, target)
);
CREATE INDEX moderation_items_state ON moderation_items(state, last_report);
CREATE INDEX moderation_items_phash ON moderation_items(kind, state) WHERE phash IS NOT NULL;

CREATE TABLE reports_new (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('image', 'article')),
    article_id   INTEGER NOT NULL,
    image_url    TEXT,
    reason       TEXT NOT NULL,
    reporter     TEXT,              -- 0005's raw cookie token; no longer written
    created      TEXT NOT NULL,
    reporter_key TEXT,
    network_key  TEXT,
    item_id      INTEGER REFERENCES moderation_items(id),
    -- counted: one more distinct reader; repeat: this reader or network already counted on
    -- the item; rate_limited: over a per-reader or per-network limit; closed: the item was
    -- already decided (blocked, taken down).
    outcome      TEXT NOT NULL DEFAULT 'counted'
);
INSERT INTO reports_new (id, kind, article_id, image_url, reason, reporter, created)
    SELECT id, kind, article_id, image_url, reason, reporter, created FROM reports;
DROP TABLE reports;
ALTER TABLE reports_new RENAME TO reports;
CREATE INDEX reports_article ON reports(article_id, kind);
CREATE INDEX reports_item ON reports(item_id, outcome);
CREATE INDEX reports_reporter ON reports(reporter_key, created);
CREATE INDEX reports_network ON reports(network_key, created);
CREATE INDEX reports_created ON reports(created);

-- Append-only: every report and every decision, readers' and operators' alike.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,   -- 'reader:<12 hex of reporter_key>', 'operator:<name>', 'auto', 'system'
    action    TEXT NOT NULL,   -- report, block, queue, unblock, confirm, take_down, restore, login…
    item_id   INTEGER,
    report_id INTEGER,
    detail    TEXT NOT NULL DEFAULT '{}'   -- JSON
);
CREATE INDEX audit_log_item ON audit_log(item_id, id);
CREATE INDEX audit_log_report ON audit_log(report_id);

-- Articles taken down by an operator: out of every table the site reads, kept here whole
-- so that a mistake can be undone, and their URLs are never ingested again.
CREATE TABLE takedowns (
    id          INTEGER PRIMARY KEY,
    article_id  INTEGER NOT NULL,      -- its id while it was stored (pages answer 410 for it)
    url         TEXT NOT NULL,
    source_id   TEXT NOT NULL,
    title       TEXT NOT NULL,
    reason      TEXT NOT NULL,
    operator    TEXT NOT NULL,
    at          TEXT NOT NULL,
    restored_at TEXT,                  -- set when an operator put it back
    article     TEXT NOT NULL          -- JSON of the stored article and its alias URLs
);
CREATE INDEX takedowns_article ON takedowns(article_id);
CREATE TABLE takedown_urls (
    url         TEXT PRIMARY KEY,
    takedown_id INTEGER NOT NULL REFERENCES takedowns(id)
);

-- Perceptual hashes of crawled lead images, so a re-encoded copy of a blocked image is
-- recognised (akhbar.moderate.images); error set when the image could not be read.
CREATE TABLE image_hashes (
    url     TEXT PRIMARY KEY,
    phash   TEXT,
    checked TEXT NOT NULL,
    error   TEXT
);

-- Small named values: moderation_version moves with every block, unblock and take-down
-- (the site's caches and ETags follow it); report_key is the HMAC key, made on first use.
CREATE TABLE site_state (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO site_state (name, value) VALUES ('moderation_version', '0');
