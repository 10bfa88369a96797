"""`akhbar eval search FILE`: score the search on judged queries over a small collection.

FILE is JSON lines:

    {"kind": "doc", "id": "fr-1", "lang": "fr", "title": "...", "text": "...",
     "published": "2024-03-05", "source": "le360", "section": "politique", "copy_of": "fr-0"}
    {"kind": "query", "q": "élection législative", "relevant": ["fr-1"], "irrelevant": ["fr-2"]}

("source", "section" and "copy_of", the id of an earlier doc it copies, are optional.) The docs go into a fresh store (SQLite in a
temporary folder, or a temporary schema of the PostgreSQL database given), each query
runs through akhbar.search.search, and the result is one dict:

- queries: number of queries;
- mrr: mean over queries with relevant ids of 1 / rank of the first relevant one (0 if none);
- recall_at_10: relevant ids found in the top 10 / all relevant ids;
- false_matches: irrelevant ids returned at any rank, summed over queries;
- failing: [{"q", "why"}] for every query short of perfect.
"""

from __future__ import annotations

import json
import tempfile
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from akhbar.errors import AkhbarError

TOP = 10


class EvalFileError(AkhbarError):
    """A line of the evaluation file is not what the format says."""


def read_cases(path: Path) -> tuple[list[dict], list[dict]]:
    docs, queries, seen = [], [], set()
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise EvalFileError(f"{path}:{n}: not JSON: {exc.msg}") from None
            if not isinstance(item, dict):
                raise EvalFileError(f"{path}:{n}: expected a JSON object")
            kind = item.get("kind")
            if kind == "doc":
                for key in ("id", "lang", "title", "text"):
                    if not isinstance(item.get(key), str):
                        raise EvalFileError(f"{path}:{n}: doc needs a text {key!r}")
                if item["id"] in seen:
                    raise EvalFileError(f"{path}:{n}: doc id {item['id']!r} given twice")
                if item.get("copy_of") is not None and item["copy_of"] not in seen:
                    raise EvalFileError(f"{path}:{n}: copy_of {item['copy_of']!r} is no earlier doc")
                seen.add(item["id"])
                try:
                    item["_published"] = _when(item.get("published"))
                except ValueError:
                    raise EvalFileError(f"{path}:{n}: published must be an ISO date, "
                                        f"not {item.get('published')!r}") from None
                docs.append(item)
            elif kind == "query":
                if not isinstance(item.get("q"), str):
                    raise EvalFileError(f"{path}:{n}: query needs a text 'q'")
                for key in ("relevant", "irrelevant"):
                    ids = item.setdefault(key, [])
                    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
                        raise EvalFileError(f"{path}:{n}: {key!r} must be a list of doc ids")
                item["_line"] = n
                queries.append(item)
            else:
                raise EvalFileError(f"{path}:{n}: kind must be 'doc' or 'query', not {kind!r}")
    for q in queries:
        unknown = [i for i in q["relevant"] + q["irrelevant"] if i not in seen]
        if unknown:
            raise EvalFileError(f"{path}:{q['_line']}: unknown doc ids {unknown}")
    return docs, queries


def _when(value) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(value)
    dt = datetime.fromisoformat(value)
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


@contextmanager
def _fresh_store(database_url: str | None):
    from akhbar.store.base import open_store

    if database_url is None or database_url.startswith("sqlite"):
        with tempfile.TemporaryDirectory(prefix="akhbar-eval-") as tmp:
            store = open_store(f"sqlite:///{Path(tmp) / 'eval.db'}")
            try:
                yield store
            finally:
                store.close()
        return
    import psycopg

    schema = "akhbar_eval_" + uuid.uuid4().hex[:12]
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in database_url else "?"
    store = None
    try:
        store = open_store(f"{database_url}{sep}options={quote(f'-csearch_path={schema}')}")
        yield store
    finally:
        if store is not None:
            store.close()
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def evaluate_search(path: Path, database_url: str | None = None) -> dict:
    from akhbar.search import QueryError, search
    from akhbar.types import Article, Source

    docs, queries = read_cases(path)
    with _fresh_store(database_url) as store:
        sources = sorted({d.get("source") or "eval" for d in docs})
        store.sync_sources(
            Source(id=s, name=s, homepage=f"https://{s}.invalid/", feeds=(), languages=("fr", "ar", "en"))
            for s in sources)
        by_article: dict[int, str] = {}
        by_doc: dict[str, int] = {}
        now = datetime.now(UTC)
        for d in docs:
            article_id, _ = store.add_article(Article(
                url=f"https://{d.get('source') or 'eval'}.invalid/{quote(d['id'])}",
                source_id=d.get("source") or "eval", title=d["title"], text=d["text"],
                lang=d["lang"], first_seen=d["_published"] or now, published=d["_published"],
                date_source="feed", section=d.get("section"), extractor="import"),
                copy_of=by_doc.get(d.get("copy_of")))
            by_article[article_id] = d["id"]
            by_doc[d["id"]] = article_id
        rr_sum, rr_n, found, wanted, false_matches, failing = 0.0, 0, 0, 0, 0, []
        for q in queries:
            try:
                results = search(store, q["q"], limit=max(len(docs), 1))
                got = [by_article[h.article.id] for h in results.hits]
            except QueryError as exc:
                got, error = [], str(exc)
            else:
                error = None
            why = []
            if error:
                why.append(f"query error: {error}")
            relevant = set(q["relevant"])
            if relevant:
                rank = next((i for i, doc in enumerate(got, 1) if doc in relevant), None)
                rr_n += 1
                rr_sum += 1 / rank if rank else 0.0
                if rank is None:
                    why.append("no relevant doc returned")
                elif rank > 1:
                    why.append(f"first relevant doc at rank {rank}: {got[:rank]}")
                top = set(got[:TOP])
                missing = sorted(relevant - top)
                found += len(relevant) - len(missing)
                wanted += len(relevant)
                if missing and not error:
                    why.append(f"relevant not in the top {TOP}: {missing}")
            wrong = [doc for doc in got if doc in set(q["irrelevant"])]
            false_matches += len(wrong)
            if wrong:
                why.append(f"irrelevant returned: {wrong}")
            if why:
                failing.append({"q": q["q"], "line": q["_line"], "why": "; ".join(why), "got": got[:TOP]})
    return {
        "queries": len(queries),
        "mrr": round(rr_sum / rr_n, 4) if rr_n else 0.0,
        "recall_at_10": round(found / wanted, 4) if wanted else 0.0,
        "false_matches": false_matches,
        "failing": failing,
    }
