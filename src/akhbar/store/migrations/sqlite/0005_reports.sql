-- Readers' reports (an image, later an article) from the site's report form. The site only
-- records them; what a report triggers (counting, blocking) belongs to the moderation stage.
CREATE TABLE reports (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('image', 'article')),
    article_id INTEGER NOT NULL REFERENCES articles(id),
    image_url  TEXT,
    reason     TEXT NOT NULL,
    -- A random id the reader's browser keeps in a cookie: several reports from one browser
    -- count as one person. NULL when the browser refuses cookies.
    reporter   TEXT,
    created    TEXT NOT NULL
);
CREATE INDEX reports_article ON reports(article_id, kind);
