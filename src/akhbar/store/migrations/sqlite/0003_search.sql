-- Search over pre-analysed terms (akhbar.search.analyze): the store writes an article's
-- terms in the same transaction as the article, so the index cannot drift from it.
-- The plain unicode61 index of 0001 is replaced: its triggers doubled every write.
DROP TRIGGER IF EXISTS articles_fts_insert;
DROP TRIGGER IF EXISTS articles_fts_delete;
DROP TRIGGER IF EXISTS articles_fts_update;
DROP TABLE IF EXISTS articles_fts;

-- Contentless: only the inverted index and positions are kept (the text is in articles).
-- rowid = articles.id. Terms are already lower-case, folded and stemmed, letters and
-- digits only; unicode61 with no diacritic removal passes them through unchanged.
CREATE VIRTUAL TABLE search_index USING fts5(
    title, body,
    content='',
    tokenize='unicode61 remove_diacritics 0'
);

-- Every column a search filters on, so that checking a match reads this index and not the
-- article's row (whose text and html can span several overflow pages).
CREATE INDEX articles_search_filter
    ON articles(id, copy_of, lang, source_id, section, published, first_seen);

-- "analyzer": the analyzer version the whole index was built with;
-- "rebuild": JSON {"version", "after_id"} while `akhbar reindex` rebuilds.
CREATE TABLE search_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
