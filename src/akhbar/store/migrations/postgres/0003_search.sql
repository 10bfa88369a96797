-- Search over pre-analysed terms (akhbar.search.analyze): the store computes the vector
-- in Python and writes it in the same INSERT as the article, so it cannot drift from it.
-- Built with explicit positions and weights (title A, body D), never by a PostgreSQL
-- parser, so the database's locale cannot split Arabic words.
-- The plain 'simple' vector of 0001 is replaced.
DROP INDEX IF EXISTS articles_search;
ALTER TABLE articles DROP COLUMN IF EXISTS search;
ALTER TABLE articles ADD COLUMN search_vector tsvector;
CREATE INDEX articles_search_vector ON articles USING gin(search_vector);

-- "analyzer": the analyzer version the whole index was built with;
-- "rebuild": JSON {"version", "after_id"} while `akhbar reindex` rebuilds.
CREATE TABLE search_meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);
