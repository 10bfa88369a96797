"""Multilingual search over the store: ``search(store, "والمغرب source:le360")``.

analyze.py (text → terms per language) → query.py (the reader's syntax → Query) →
plan.py (Query → terms) → backends.py (FTS5 on SQLite, tsvector on PostgreSQL) →
snippet.py (highlighted, HTML-safe extracts). See docs/architecture.md, "Search".
"""

from __future__ import annotations

from dataclasses import dataclass

from akhbar.search.backends import COUNT_CAP, IndexStatus
from akhbar.search.query import Query, QueryError, parse_query
from akhbar.types import StoredArticle

__all__ = ["COUNT_CAP", "Hit", "IndexStatus", "Query", "QueryError", "SearchResults",
           "parse_query", "search"]


@dataclass(frozen=True)
class Hit:
    article: StoredArticle
    score: float  # higher is better; 0.0 when the query has no words (filters only)
    # HTML-safe: the text escaped with html.escape, matched words in <mark>…</mark>,
    # about 30 words around the best match (the text's start when only the title matched).
    snippet: str
    title_html: str = ""  # the title, escaped, matched words in <mark>


@dataclass(frozen=True)
class SearchResults:
    hits: list[Hit]
    # Matches in all, counted up to COUNT_CAP (10,000) when sorted by date; by relevance
    # exact up to backends.RANK_CANDIDATES (2,000), the matches it ranks. total_capped
    # says there are more.
    total: int
    query: Query
    total_capped: bool = False
    # Other spellings of names in the query that were searched too (Rabat → الرباط).
    also_searched: tuple[str, ...] = ()


def search(store, q: str | Query, *, limit: int = 20, offset: int = 0,
           sort: str | None = None) -> SearchResults:
    """Search the store. ``q`` is the reader's query (see query.py) or a parsed Query.

    ``sort``: None takes the query's (``sort:``; relevance by default), "relevance" or
    "date" (newest first). A query of filters only lists the filtered articles newest
    first. Copies of another outlet's article are left out unless ``source:`` is given.
    Raises QueryError for a query that cannot be run, StorageError when the store fails.
    """
    from akhbar.search.plan import other_spellings, plan
    from akhbar.search.snippet import highlight, snippet

    query = parse_query(q) if isinstance(q, str) else q
    if sort is not None and sort not in ("relevance", "date"):
        raise QueryError(f"sort must be relevance or date, not {sort!r}")
    found, total, capped = store.search_articles(query, limit=limit, offset=offset, sort=sort)
    terms = plan(query).highlight
    hits = [
        Hit(article=a, score=score, snippet=snippet(a.text, a.lang, terms),
            title_html=highlight(a.title, a.lang, terms))
        for a, score in found
    ]
    return SearchResults(hits=hits, total=total, query=query, total_capped=capped,
                         also_searched=other_spellings(query))
