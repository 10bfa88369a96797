-- An article's section (akhbar.types.SECTIONS), from its outlet's labels or, later, from
-- the stories stage's classifier. NULL until one of them knows.
ALTER TABLE articles ADD COLUMN section TEXT;
CREATE INDEX articles_section_latest ON articles(section, (coalesce(published, first_seen)) DESC);
