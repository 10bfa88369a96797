"""`akhbar eval stories FILE`: score story clustering on labelled articles.

Each JSONL line is ``{"id", "lang", "title", "text", "published", "story"}`` (``text``
may be empty; a line without ``story`` is clustered but not scored). The articles go, in
``published`` order, through the production path into a fresh temporary store: the
pipeline's de-duplication and ``add_article``, then ``StoryBuilder.run``. The predicted
stories are scored against ``story`` with B-cubed and pairwise precision/recall/F1.
"""

from __future__ import annotations

import gzip
import json
import tempfile
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from akhbar.errors import AkhbarError

EVAL_SOURCE = "eval"


class EvalDataError(AkhbarError):
    """A line of the evaluation file is not a valid record."""


def read_records(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    records, seen = [], set()
    with opener(path, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            records.append(_check(line, number, seen))
    return records


def _check(line: str, number: int, seen: set) -> dict:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise EvalDataError(f"line {number}: not JSON ({exc.msg})") from None
    if not isinstance(record, dict):
        raise EvalDataError(f"line {number}: expected a JSON object")
    for name in ("id", "lang", "title", "published"):
        if record.get(name) in (None, ""):
            raise EvalDataError(f"line {number}: missing {name!r}")
    for name in ("lang", "title"):
        if not isinstance(record[name], str):
            raise EvalDataError(f"line {number}: {name!r} must be a string")
    if not isinstance(record.get("text") or "", str):
        raise EvalDataError(f"line {number}: 'text' must be a string")
    try:
        published = datetime.fromisoformat(str(record["published"]).replace("Z", "+00:00"))
    except ValueError:
        raise EvalDataError(f"line {number}: 'published' is not an ISO 8601 date: "
                            f"{record['published']!r}") from None
    if published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    key = str(record["id"])
    if key in seen:
        raise EvalDataError(f"line {number}: id {key!r} appears twice")
    seen.add(key)
    story = record.get("story")
    return {"id": key, "lang": record["lang"], "title": record["title"],
            "text": record.get("text") or "", "published": published.astimezone(UTC),
            "story": None if story is None or story == "" else str(story),
            "source": str(record.get("source") or EVAL_SOURCE)}


# -- scores ------------------------------------------------------------------------------------
def cluster_scores(pred: dict[str, object], gold: dict[str, object]) -> dict:
    """B-cubed and pairwise precision/recall/F1 over the items ``gold`` labels."""
    items = [i for i in gold if i in pred]
    n = len(items)
    cells = Counter((pred[i], gold[i]) for i in items)
    pred_size = Counter(pred[i] for i in items)
    gold_size = Counter(gold[i] for i in items)
    # B-cubed: each item's share of its predicted cluster that is its gold story, and back.
    p = sum(cells[(pred[i], gold[i])] / pred_size[pred[i]] for i in items) / n if n else 0.0
    r = sum(cells[(pred[i], gold[i])] / gold_size[gold[i]] for i in items) / n if n else 0.0

    def pairs(counts: Iterable[int]) -> int:
        return sum(c * (c - 1) // 2 for c in counts)

    both, pred_pairs, gold_pairs = pairs(cells.values()), pairs(pred_size.values()), pairs(gold_size.values())
    pp = both / pred_pairs if pred_pairs else 1.0
    pr = both / gold_pairs if gold_pairs else 1.0
    return {
        "bcubed_p": p, "bcubed_r": r, "bcubed_f1": _f1(p, r),
        "pairwise_p": pp, "pairwise_r": pr, "pairwise_f1": _f1(pp, pr),
        "n": n, "stories_pred": len(pred_size), "stories_gold": len(gold_size),
    }


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


# -- clustering through the production path ----------------------------------------------------
def cluster_records(records: list[dict], settings, *, database_url: str | None = None,
                    params=None, embedder="setting", progress=None) -> tuple[dict[str, int], object]:
    """Feed records (in published order) through de-duplication, the store and the story
    builder; returns (record id -> story id, the builder)."""
    from akhbar.enrich.fingerprint import content_hash, lsh_bands, minhash_signature
    from akhbar.pipeline import CrawlReport, Pipeline
    from akhbar.store.base import open_store
    from akhbar.stories.cluster import StoryBuilder
    from akhbar.types import Article, Source

    ordered = sorted(records, key=lambda r: (r["published"], r["id"]))
    with tempfile.TemporaryDirectory(prefix="akhbar-eval-") as tmp:
        url = database_url or f"sqlite:///{Path(tmp) / 'stories.db'}"
        store = open_store(url)
        try:
            names = sorted({r["source"] for r in ordered})
            sources = [Source(id=name, name=name, homepage=f"https://{name}.invalid/",
                              feeds=(), languages=("fr", "ar", "en")) for name in names]
            pipeline = Pipeline(store, settings.replace(stories_enabled=False), sources)
            store.sync_sources(sources)
            report = CrawlReport()
            ids: dict[str, str] = {}
            for r in ordered:
                text = r["text"] or r["title"]
                signature = minhash_signature(text)
                article = Article(
                    url=f"https://{r['source']}.invalid/{r['id']}", source_id=r["source"],
                    title=r["title"], text=r["text"], lang=r["lang"],
                    first_seen=r["published"], published=r["published"], date_source="feed",
                    extractor="import", content_hash=content_hash(text), minhash=signature,
                    minhash_bands=lsh_bands(signature))
                pipeline.store_article(article, (), report)
                ids[article.url] = r["id"]
            builder = StoryBuilder(store, settings, params=params, embedder=embedder)
            while builder.run(limit=builder.batch_size):
                if progress:
                    progress(builder)
            by_url = {}
            assignments = store.story_assignments()
            for article_id, story_id in assignments.items():
                stored = store.get_article(article_id)
                by_url[ids[stored.url]] = story_id
        finally:
            store.close()
    return by_url, builder


def evaluate_stories(path: Path, settings) -> dict:
    records = read_records(path)
    pred, builder = cluster_records(records, settings)
    gold = {r["id"]: r["story"] for r in records if r["story"] is not None}
    result = cluster_scores(pred, gold)
    result["evidence"] = builder.evidence
    return result
