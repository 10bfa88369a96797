-- Stories: one event's coverage across outlets and languages (akhbar.stories).
-- Ids are stable: a story is never renumbered nor deleted.

CREATE TABLE stories (
    id          INTEGER PRIMARY KEY,
    created     TEXT NOT NULL,               -- wall-clock time the story was made
    first_seen  TEXT NOT NULL,               -- earliest coalesce(published, first_seen) of its articles
    last_seen   TEXT NOT NULL,               -- latest one
    n_articles  INTEGER NOT NULL DEFAULT 0,  -- copies included
    n_outlets   INTEGER NOT NULL DEFAULT 0,
    langs       TEXT NOT NULL DEFAULT '',    -- sorted, comma-separated: "ar,en,fr"
    section     TEXT,                        -- akhbar.types.SECTIONS, the articles' majority
    embedder    TEXT,                        -- which embedder made the centroid
    n_vectors   INTEGER NOT NULL DEFAULT 0,  -- article vectors averaged into the centroid
    centroid    BLOB                         -- float16 mean of centred unit vectors; NULL without one
);
CREATE INDEX stories_last_seen ON stories(last_seen);
CREATE INDEX stories_section_last_seen ON stories(section, last_seen);

-- Which story each article belongs to (one story per article).
CREATE TABLE story_articles (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id),
    story_id   INTEGER NOT NULL REFERENCES stories(id),
    score      REAL                          -- the match score that joined it; NULL for the founder
);
CREATE INDEX story_articles_story ON story_articles(story_id);

-- Inverted index of story keys (entities, numbers, names, same-language words): the
-- candidate search reads only postings touched within the time window.
CREATE TABLE story_keys (
    key       TEXT NOT NULL,
    story_id  INTEGER NOT NULL REFERENCES stories(id),
    n         INTEGER NOT NULL DEFAULT 1,    -- articles of the story carrying the key
    last_seen TEXT NOT NULL,
    PRIMARY KEY (key, story_id)
) WITHOUT ROWID;
CREATE INDEX story_keys_recent ON story_keys(key, last_seen);

-- Running mean vector per embedder and language, for mean-centring.
CREATE TABLE story_lang_means (
    embedder TEXT NOT NULL,
    lang     TEXT NOT NULL,
    n        INTEGER NOT NULL,
    mean     BLOB NOT NULL,                  -- float32
    PRIMARY KEY (embedder, lang)
);

-- Articles stored but not yet given a story, in arrival order (add_article fills it).
CREATE TABLE story_queue (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id)
);
INSERT INTO story_queue (article_id) SELECT id FROM articles;
