"""Search latency, index size and build time at 1,000,000 articles; known-item MRR.

    AKHBAR_BENCH_SEARCH_N=100000 python -m bench.run search     # a quicker run

Corpus: N articles generated from ../shared/data/morocco-fr-headlines-2019 (titles and
leads), ../shared/data/morocco-ar-article-text-2019 (bodies; a title is taken from a
paragraph's first words) and the demo press (akhbar.demo.DemoPress, fr/ar/en): each
article takes a title from one record and a body of 60 words cut at a random place from
two records of the same language (45% French headlines, 35% Arabic, 20% demo press).
Indexed: title + those 60 words. Nothing from ../shared is written anywhere but temp dirs.

Engines, same corpus, same run:
- akhbar on SQLite: the real SQLiteStore (articles + search_index FTS5 over pre-analysed
  terms), queried through SQLStore.search_articles (join, filters, capped count);
- SQLite FTS5 stock unicode61 (remove_diacritics 2) over the raw title and body: the
  baseline the issue names, queried with the words quoted, ORDER BY rank LIMIT 20;
- akhbar on PostgreSQL: the real PostgresStore (tsvector from the same terms, GIN),
  queried through search_articles;
- tantivy 0.27 over the same pre-analysed terms (whitespace tokenizer), in its own folder.

200 queries (100 French, 60 Arabic, 40 English): 1–3 words from titles of the corpus,
one in ten as a quoted phrase. Each engine runs them once to warm up, then once timed.

Known-item: over the two Moroccan sets alone (3,974 French records, 651 Arabic), 200 docs
each: 5 consecutive words from the middle of the doc as the query (plain words, AND); the
reciprocal rank of that doc (a tie at equal score counts the doc's worst position).
"""

from __future__ import annotations

import gzip
import json
import os
import random
import shutil
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
FR = SHARED / "morocco-fr-headlines-2019" / "morocco_fr_headlines_2019.jsonl.gz"
AR = SHARED / "morocco-ar-article-text-2019" / "morocco_ar_articles.jsonl.gz"
PG_URL = os.environ.get("AKHBAR_TEST_PG_URL", "postgresql://postgres@localhost:5432/test")
BODY_WORDS = 60
QUERIES = {"fr": 100, "ar": 60, "en": 40}
KNOWN_ITEMS = 200
SEED = 7


def _read(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _pools() -> dict[str, list[tuple[str, str]]]:
    """(title, text) records per language."""
    from akhbar.demo import DemoPress

    fr = [(r["title"], r.get("summary") or "") for r in _read(FR)]
    ar = []
    for r in _read(AR):
        paragraphs = [p for p in r["text"].split("\n") if p.strip()]
        if paragraphs:
            ar.append((" ".join(paragraphs[0].split()[:10]), r["text"]))
    demo: dict[str, list[tuple[str, str]]] = {"fr": [], "ar": [], "en": []}
    world = DemoPress(scale=3000).world
    for a in world.arts:
        demo.setdefault(a.lang, []).append((a.title, "\n\n".join(world.paragraphs(a))))
    return {"fr": fr, "ar": ar, "demo_fr": demo["fr"], "demo_ar": demo["ar"],
            "demo_en": demo["en"]}


def _corpus(n: int, pools) -> list[tuple[int, str, str, str, datetime]]:
    """(id, lang, title, body) × n, deterministic."""
    rng = random.Random(SEED)
    kinds = [("fr", "fr", 0.45), ("ar", "ar", 0.35), ("demo_fr", "fr", 0.07),
             ("demo_ar", "ar", 0.05), ("demo_en", "en", 0.08)]
    weights = [k[2] for k in kinds]
    words_of: dict[str, list[list[str]]] = {
        name: [(t + " " + x).split() for t, x in pool] for name, pool in pools.items()}
    start = datetime(2019, 1, 1, tzinfo=UTC)
    out = []
    for i in range(1, n + 1):
        name, lang, _ = rng.choices(kinds, weights)[0]
        pool = pools[name]
        title = pool[rng.randrange(len(pool))][0]
        w = words_of[name][rng.randrange(len(pool))] + words_of[name][rng.randrange(len(pool))]
        at = rng.randrange(max(1, len(w) - BODY_WORDS))
        body = " ".join(w[at : at + BODY_WORDS])
        out.append((i, lang, title, body, start + timedelta(minutes=3 * i)))
    return out


def _queries(corpus, rng) -> list[tuple[str, str]]:
    from akhbar.search.analyze import words

    out = []
    by_lang: dict[str, list] = {}
    for doc in corpus[: 200_000]:
        by_lang.setdefault(doc[1], []).append(doc)
    for lang, count in QUERIES.items():
        docs = by_lang[lang]
        while sum(1 for q in out if q[0] == lang) < count:
            title = rng.choice(docs)[2]
            ws = [w for w, _, _ in words(title) if len(w) >= 4]
            if not ws:
                continue
            k = min(len(ws), rng.choice((1, 2, 2, 3)))
            at = rng.randrange(len(ws) - k + 1)
            q = " ".join(ws[at : at + k])
            if rng.random() < 0.1 and k > 1:
                q = f'"{q}"'
            out.append((lang, q))
    return out


def _pcts(times: list[float]) -> dict[str, float]:
    qs = statistics.quantiles(times, n=100, method="inclusive")
    return {"p50": qs[49] * 1000, "p95": qs[94] * 1000, "p99": qs[98] * 1000}


def _time(run, queries) -> dict[str, float]:
    for _, q in queries:  # warm-up
        run(q)
    times = []
    for _, q in queries:
        t = time.perf_counter()
        run(q)
        times.append(time.perf_counter() - t)
    return _pcts(times)


def _article_rows(corpus):
    from akhbar.search.analyze import index_document

    for i, lang, title, body, when in corpus:
        t, b = index_document(title, body, lang)
        yield i, lang, title, body, when, t, b


# -- engines ------------------------------------------------------------------------------
def _build_akhbar_sqlite(tmp: Path, rows) -> tuple[object, float, int]:
    from akhbar.store.base import open_store
    from akhbar.types import Source

    store = open_store(f"sqlite:///{tmp / 'akhbar.db'}")
    store.sync_sources([Source(id="bench", name="bench", homepage="https://bench.invalid/",
                               feeds=(), languages=("fr", "ar", "en"))])
    conn = store._conn
    index_seconds = 0.0
    conn.execute("BEGIN")
    for k, (i, lang, title, body, when, t, b) in enumerate(rows):
        conn.execute(
            "INSERT INTO articles (id, url, source_id, title, text, lang, first_seen, published,"
            " date_source) VALUES (?, ?, 'bench', ?, ?, ?, ?, ?, 'feed')",
            (i, f"https://bench.invalid/{i}", title, body, lang, store._dt_in(when), store._dt_in(when)))
        started = time.perf_counter()
        conn.execute("INSERT INTO search_index (rowid, title, body) VALUES (?, ?, ?)",
                     (i, " ".join(t), " ".join(b)))
        index_seconds += time.perf_counter() - started
        if k % 50_000 == 49_999:
            conn.execute("COMMIT")
            conn.execute("BEGIN")
    conn.execute("COMMIT")
    started = time.perf_counter()
    conn.execute("INSERT INTO search_index (search_index) VALUES ('optimize')")
    index_seconds += time.perf_counter() - started
    size = conn.execute("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'search_index%'").fetchone()[0]
    return store, index_seconds, int(size)


def _build_unicode61(tmp: Path, corpus) -> tuple[object, float, int]:
    import sqlite3

    path = tmp / "unicode61.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE VIRTUAL TABLE fts USING fts5(title, body, content='',"
                 " tokenize='unicode61 remove_diacritics 2')")
    started = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO fts (rowid, title, body) VALUES (?, ?, ?)",
                     ((i, title, body) for i, _, title, body, _ in corpus))
    conn.execute("COMMIT")
    conn.execute("INSERT INTO fts (fts) VALUES ('optimize')")
    seconds = time.perf_counter() - started
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return conn, seconds, path.stat().st_size


def _unicode61_query(conn, q: str):
    from akhbar.search.analyze import prepare, words

    phrase = q.startswith('"')
    ws = [w for w, _, _ in words(prepare(q))]
    match = ('"' + " ".join(ws) + '"') if phrase else " ".join(f'"{w}"' for w in ws)
    return conn.execute("SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY rank LIMIT 20",
                        (match,)).fetchall()


def _build_pg(rows_for_pg) -> tuple[object, float, int, str] | None:
    try:
        import psycopg

        psycopg.connect(PG_URL, connect_timeout=3).close()
    except Exception:
        return None
    from akhbar.search.backends import tsvector_literal
    from akhbar.store.base import open_store
    from akhbar.types import Source

    schema = "bench_" + uuid.uuid4().hex[:10]
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    store = open_store(f"{PG_URL}?options={quote(f'-csearch_path={schema}')}")
    store.sync_sources([Source(id="bench", name="bench", homepage="https://bench.invalid/",
                               feeds=(), languages=("fr", "ar", "en"))])
    conn = store._conn
    conn.execute("DROP INDEX articles_search_vector")
    started = time.perf_counter()
    with conn.cursor().copy(
        "COPY articles (id, url, source_id, title, text, lang, first_seen, published,"
        " date_source, search_vector) FROM STDIN") as copy:
        for i, lang, title, body, when, t, b in rows_for_pg:
            copy.write_row((i, f"https://bench.invalid/{i}", "bench", title, body, lang, when,
                            when, "feed", tsvector_literal(t, b)))
    copy_seconds = time.perf_counter() - started
    started = time.perf_counter()
    conn.execute("CREATE INDEX articles_search_vector ON articles USING gin(search_vector)")
    conn.execute("ANALYZE articles")
    gin_seconds = time.perf_counter() - started
    size = conn.execute(
        "SELECT pg_relation_size('articles_search_vector')"
        " + (SELECT sum(pg_column_size(search_vector)) FROM articles)").fetchone()[0]
    return store, copy_seconds, gin_seconds, int(size), schema


def _build_tantivy(tmp: Path, rows) -> tuple[object, object, float, int]:
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", stored=True, indexed=True, fast=True)
    builder.add_text_field("title", tokenizer_name="whitespace", index_option="position")
    builder.add_text_field("body", tokenizer_name="whitespace", index_option="position")
    schema = builder.build()
    folder = tmp / "tantivy"
    folder.mkdir()
    index = tantivy.Index(schema, path=str(folder))
    writer = index.writer(heap_size=200_000_000, num_threads=1)
    seconds = 0.0
    for i, _, _, _, _, t, b in rows:
        doc = tantivy.Document(id=i, title=" ".join(t), body=" ".join(b))
        started = time.perf_counter()
        writer.add_document(doc)
        seconds += time.perf_counter() - started
    started = time.perf_counter()
    writer.commit()
    writer.wait_merging_threads()
    seconds += time.perf_counter() - started
    index.reload()
    size = sum(p.stat().st_size for p in folder.iterdir())
    return index, schema, seconds, size


def _tantivy_query(index, schema, q: str):
    import tantivy

    from akhbar.search import parse_query
    from akhbar.search.plan import plan

    p = plan(parse_query(q))
    groups = []
    for alternatives in p.groups:
        alts = []
        for terms in alternatives:
            for field in ("title", "body"):
                if len(terms) == 1:
                    alts.append((tantivy.Occur.Should, tantivy.Query.term_query(schema, field, terms[0])))
                else:
                    alts.append((tantivy.Occur.Should, tantivy.Query.phrase_query(schema, field, list(terms))))
        groups.append((tantivy.Occur.Must, tantivy.Query.boolean_query(alts)))
    searcher = index.searcher()
    return searcher.search(tantivy.Query.boolean_query(groups), 20).hits


# -- known item ---------------------------------------------------------------------------
def _known_item(tmp: Path) -> list[dict]:
    import sqlite3

    from akhbar.search import search
    from akhbar.search.analyze import words
    from akhbar.store.base import open_store
    from akhbar.types import Article, Source

    rng = random.Random(SEED)
    sets = {
        "fr": [(r["title"], r.get("summary") or "") for r in _read(FR)],
        "ar": [("", r["text"]) for r in _read(AR)],
    }
    out = []
    for lang, records in sets.items():
        store = open_store(f"sqlite:///{tmp / f'known_{lang}.db'}")
        store.sync_sources([Source(id="k", name="k", homepage="https://k.invalid/", feeds=(),
                                   languages=(lang,))])
        base = sqlite3.connect(":memory:")
        base.execute("CREATE VIRTUAL TABLE fts USING fts5(title, body,"
                     " tokenize='unicode61 remove_diacritics 2')")
        ids = []
        for n, (title, text) in enumerate(records):
            article_id, _ = store.add_article(Article(
                url=f"https://k.invalid/{n}", source_id="k", title=title, text=text, lang=lang,
                first_seen=datetime(2019, 12, 1, tzinfo=UTC), published=None,
                date_source="first_seen", extractor="import"))
            base.execute("INSERT INTO fts (rowid, title, body) VALUES (?, ?, ?)",
                         (article_id, title, text))
            ids.append(article_id)
        rr, rr_base, asked = 0.0, 0.0, 0
        candidates = list(range(len(records)))
        rng.shuffle(candidates)
        for n in candidates:
            if asked == KNOWN_ITEMS:
                break
            title, text = records[n]
            ws = [w for w, _, _ in words(f"{title} {text}")]
            if len(ws) < 12:
                continue
            mid = len(ws) // 2
            phrase = ws[mid - 2 : mid + 3]
            asked += 1
            got = [h.article.id for h in search(store, " ".join(phrase), limit=50).hits]
            rr += 1 / (got.index(ids[n]) + 1) if ids[n] in got else 0.0
            match = " ".join('"' + w.replace('"', "") + '"' for w in phrase)
            base_got = [r[0] for r in base.execute(
                "SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY rank LIMIT 50", (match,))]
            rr_base += 1 / (base_got.index(ids[n]) + 1) if ids[n] in base_got else 0.0
        store.close()
        out.append({"name": f"search.known_item_mrr.{lang}", "value": round(rr / asked, 4),
                    "unit": "MRR", "baseline": round(rr_base / asked, 4),
                    "note": f"{asked} docs of the {len(records)} {lang} records, 5 words from the"
                            " middle as plain words; baseline = stock FTS5 unicode61 on the same docs"})
    return out


def bench() -> list[dict]:
    if not FR.exists() or not AR.exists():
        print("# search: ../shared/data absent, skipped")
        return []
    n = int(os.environ.get("AKHBAR_BENCH_SEARCH_N", "1000000"))
    tag = "1m" if n == 1_000_000 else f"{n // 1000}k"
    command = ("python -m bench.run search" if n == 1_000_000
               else f"AKHBAR_BENCH_SEARCH_N={n} python -m bench.run search")
    records: list[dict] = []
    tmp = Path(tempfile.mkdtemp(prefix="akhbar-bench-search-"))
    try:
        records += _known_item(tmp)
        started = time.perf_counter()
        corpus = _corpus(n, _pools())
        rows = list(_article_rows(corpus))
        analyse_seconds = time.perf_counter() - started
        queries = _queries(corpus, random.Random(SEED))
        from akhbar.search import parse_query

        store, fts_seconds, fts_size = _build_akhbar_sqlite(tmp, rows)
        ours = _time(lambda q: store.search_articles(parse_query(q), limit=20), queries)
        u61, u61_seconds, u61_size = _build_unicode61(tmp, corpus)
        base = _time(lambda q: _unicode61_query(u61, q), queries)
        u61.close()
        pg = _build_pg(rows)
        if pg:
            pg_store, copy_seconds, gin_seconds, pg_size, schema = pg
            pg_times = _time(lambda q: pg_store.search_articles(parse_query(q), limit=20), queries)
        tan_index, tan_schema, tan_seconds, tan_size = _build_tantivy(tmp, rows)
        tan = _time(lambda q: _tantivy_query(tan_index, tan_schema, q), queries)
        what = (f"{n:,} generated articles (title + {BODY_WORDS} words), {len(queries)} queries"
                " (100 fr, 60 ar, 40 en; 1-3 title words, 10% phrases), limit 20")
        for p in ("p50", "p95", "p99"):
            records.append({"name": f"search.{p}_ms.{tag}", "value": round(ours[p], 2), "unit": "ms",
                            "baseline": round(base[p], 2), "command": command,
                            "note": what + "; akhbar SQLite store (search_articles: FTS5 over"
                                    " analysed terms, join, filters, capped count); baseline ="
                                    " stock FTS5 unicode61 over raw text, rowids only"})
            if pg:
                records.append({"name": f"search.pg.{p}_ms.{tag}", "value": round(pg_times[p], 2),
                                "unit": "ms", "baseline": round(ours[p], 2), "command": command,
                                "note": "akhbar PostgreSQL store (tsvector + GIN, ts_rank);"
                                        " baseline = akhbar SQLite, same run"})
            records.append({"name": f"search.tantivy.{p}_ms.{tag}", "value": round(tan[p], 2),
                            "unit": "ms", "baseline": round(ours[p], 2), "command": command,
                            "note": "tantivy 0.27 over the same analysed terms, ids only;"
                                    " baseline = akhbar SQLite, same run"})
        mb = 1024 * 1024
        records += [
            {"name": f"search.analyse_s.{tag}", "value": round(analyse_seconds, 1), "unit": "s",
             "command": command, "note": "generating the corpus and analysing every article"},
            {"name": f"search.index_mb.{tag}", "value": round(fts_size / mb, 1), "unit": "MB",
             "baseline": round(u61_size / mb, 1), "command": command,
             "note": "FTS5 search_index tables (dbstat); baseline = stock unicode61 contentless"},
            {"name": f"search.build_s.{tag}", "value": round(fts_seconds, 1), "unit": "s",
             "baseline": round(u61_seconds, 1), "command": command,
             "note": "FTS5 inserts of analysed terms + optimize (analysis excluded: see"
                     " search.analyse_s); baseline = unicode61 inserts + optimize"},
            {"name": f"search.tantivy.index_mb.{tag}", "value": round(tan_size / mb, 1), "unit": "MB",
             "baseline": round(fts_size / mb, 1), "command": command},
            {"name": f"search.tantivy.build_s.{tag}", "value": round(tan_seconds, 1), "unit": "s",
             "baseline": round(fts_seconds, 1), "command": command},
        ]
        if pg:
            records += [
                {"name": f"search.pg.index_mb.{tag}", "value": round(pg_size / mb, 1), "unit": "MB",
                 "baseline": round(fts_size / mb, 1), "command": command,
                 "note": "GIN index + tsvector column"},
                {"name": f"search.pg.build_s.{tag}", "value": round(copy_seconds + gin_seconds, 1),
                 "unit": "s", "baseline": round(fts_seconds, 1), "command": command,
                 "note": f"COPY with vectors {copy_seconds:.0f} s + GIN build {gin_seconds:.0f} s"},
            ]
            pg_store.close()
            import psycopg

            with psycopg.connect(PG_URL, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA {schema} CASCADE")
        store.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return records
