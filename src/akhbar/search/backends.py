"""The search SQL of each store: writing an article's terms, matching, checking, rebuilding.

SQLite: an FTS5 table ``search_index`` (contentless, rowid = article id) over the terms.
PostgreSQL: ``articles.search_vector``, a tsvector written from the same terms, GIN index.
Both are written by ``add_article`` inside the article's own transaction (the store calls
``document_terms`` and the backend's write hook), so the index holds exactly the stored
articles; ``reindex`` exists for a changed analyzer and for repair.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from akhbar.search.analyze import ANALYZER_VERSION, index_document
from akhbar.search.plan import Plan

if TYPE_CHECKING:
    from akhbar.search.query import Query
    from akhbar.store._sql import SQLStore

# Days in date filters are days in Morocco.
DAY_ZONE = ZoneInfo("Africa/Casablanca")
# `total` counts matches up to this many; SearchResults.total_capped says when it stopped.
COUNT_CAP = 10_000
# bm25 weights of the FTS5 columns (title, body): a word in the title counts three times.
TITLE_WEIGHT, BODY_WEIGHT = 3.0, 1.0
# PostgreSQL tsvector limits: positions above 16,383 are all 16,383, so later words are
# left out (phrases there could not match anyway).
PG_MAX_POSITION = 16383

_SORT_DATE = "coalesce(a.published, a.first_seen) DESC, a.id DESC"


@dataclass(frozen=True)
class IndexStatus:
    articles: int
    indexed: int
    missing: int  # articles with no index entry
    extra: int  # index entries with no article
    analyzer: str | None  # version the index was built with; None: never built
    current_analyzer: str
    rebuilding: bool  # a rebuild was started and has not finished

    @property
    def ok(self) -> bool:
        return (not self.missing and not self.extra and not self.rebuilding
                and self.analyzer == self.current_analyzer)


def _day_start(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=DAY_ZONE)


def _columns(prefix: str) -> str:
    from akhbar.store._sql import ARTICLE_COLUMNS

    return ", ".join(prefix + c.strip() for c in ARTICLE_COLUMNS.split(","))


class SearchBackend:
    """Shared logic; subclasses hold each dialect's SQL."""

    def __init__(self, store: SQLStore):
        self.store = store

    # -- writing (inside add_article's transaction) ---------------------------------------
    def insert_columns(self, title: list[str], body: list[str]) -> tuple[str, str, tuple]:
        """Extra (", col", ", ?", values) for the articles INSERT."""
        return "", "", ()

    def after_insert(self, article_id: int, title: list[str], body: list[str]) -> None:
        """Write the terms of a just-inserted article, same transaction."""

    # -- reading --------------------------------------------------------------------------
    def _filters(self, query: Query) -> tuple[list[str], list[Any]]:
        dt_in = self.store._dt_in
        where: list[str] = []
        params: list[Any] = []
        if query.sources:
            where.append(f"a.source_id IN ({', '.join('?' * len(query.sources))})")
            params.extend(query.sources)
        else:
            # Copies are folded into their original (the article page lists them); asking
            # for an outlet shows its copies too.
            where.append("a.copy_of IS NULL")
        if query.lang:
            where.append("a.lang = ?")
            params.append(query.lang)
        if query.section:
            where.append("a.section = ?")
            params.append(query.section)
        if query.after:
            where.append("coalesce(a.published, a.first_seen) >= ?")
            params.append(dt_in(_day_start(query.after)))
        if query.before:
            where.append("coalesce(a.published, a.first_seen) < ?")
            params.append(dt_in(_day_start(query.before)))
        return where, params

    def search(self, query: Query, plan: Plan, limit: int, offset: int, sort: str):
        """(rows of ARTICLE_COLUMNS + score, total, capped)."""
        where, params = self._filters(query)
        if plan.groups:
            sql_from, match_where, match_params, score = self._match(plan)
            where = match_where + where
            params = match_params + params
        else:
            sql_from, score = "articles a", "0.0"
            if plan.excluded:
                neg_where, neg_params = self._exclude(plan)
                where.append(neg_where)
                params.extend(neg_params)
        clause = " WHERE " + " AND ".join(where) if where else ""
        by_date = sort == "date" or not plan.groups
        order = _SORT_DATE if by_date else f"score DESC, {_SORT_DATE}"
        outer_order = "m.at DESC, m.id DESC" if by_date else "m.score DESC, m.at DESC, m.id DESC"
        # Rank and cut on narrow rows (id, score, date) first; only the page's articles
        # are then read whole. Sorting every match with its text was the slow part.
        rows = self.store._exec(
            f"SELECT {_columns('a.')}, m.score FROM ("
            f" SELECT a.id AS id, {score} AS score, coalesce(a.published, a.first_seen) AS at"
            f" FROM {sql_from}{clause} ORDER BY {order} LIMIT ? OFFSET ?"
            f") m JOIN articles a ON a.id = m.id ORDER BY {outer_order}",
            (*params, limit, offset),
        ).fetchall()
        if offset == 0 and len(rows) < limit:
            total = len(rows)  # everything is on this page: no second query
        else:
            total = int(self.store._exec(
                f"SELECT count(*) FROM (SELECT 1 FROM {sql_from}{clause} LIMIT ?) m",
                (*params, COUNT_CAP + 1),
            ).fetchone()[0])
        return rows, min(total, COUNT_CAP), total > COUNT_CAP

    def _match(self, plan: Plan) -> tuple[str, list[str], list[Any], str]:
        raise NotImplementedError

    def _exclude(self, plan: Plan) -> tuple[str, list[Any]]:
        raise NotImplementedError

    # -- checking and rebuilding ----------------------------------------------------------
    def _meta(self, key: str) -> str | None:
        row = self.store._exec("SELECT value FROM search_meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set_meta(self, key: str, value: str | None) -> None:
        if value is None:
            self.store._exec("DELETE FROM search_meta WHERE key = ?", (key,))
        else:
            self.store._exec(
                "INSERT INTO search_meta (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))

    def after_migrate(self) -> None:
        """A new, empty store is built with the current analyzer: nothing to rebuild."""
        if (self._meta("analyzer") is None and self._meta("rebuild") is None
                and self.store._exec("SELECT 1 FROM articles LIMIT 1").fetchone() is None):
            self._set_meta("analyzer", ANALYZER_VERSION)

    def status(self) -> IndexStatus:
        with self.store._read():
            articles = int(self.store._exec("SELECT count(*) FROM articles").fetchone()[0])
            indexed, missing, extra = self._counts()
            return IndexStatus(articles, indexed, missing, extra, self._meta("analyzer"),
                               ANALYZER_VERSION, self._meta("rebuild") is not None)

    def _counts(self) -> tuple[int, int, int]:
        raise NotImplementedError

    def reindex(self, *, full: bool = False, batch: int = 1000,
                progress: Callable[[int, int], None] | None = None) -> IndexStatus:
        """Make the index right: rebuild it when the analyzer changed (or ``full``), else
        add what is missing. A rebuild commits batch by batch with its position, so an
        interrupted one resumes where it stopped. ``progress(done, total)``."""
        store = self.store
        with store._write():
            rebuild = self._meta("rebuild")
            state = json.loads(rebuild) if rebuild else None
            if state and state.get("version") != ANALYZER_VERSION:
                state = None  # a rebuild for an older analyzer: start again
            needs_full = full or self._meta("analyzer") != ANALYZER_VERSION
            if state is None and not needs_full and self._counts()[2]:
                needs_full = True  # entries of deleted articles: only a rebuild drops them
            if state is None and needs_full:
                self._clear()
                state = {"version": ANALYZER_VERSION, "after_id": 0}
                self._set_meta("rebuild", json.dumps(state))
        if state is not None:
            with store._read():
                total = int(store._exec("SELECT count(*) FROM articles").fetchone()[0])
                done = int(store._exec("SELECT count(*) FROM articles WHERE id <= ?",
                                       (state["after_id"],)).fetchone()[0])
            while True:
                with store._write():
                    rows = store._exec(
                        "SELECT id, title, text, lang FROM articles WHERE id > ?"
                        " ORDER BY id LIMIT ?", (state["after_id"], batch)).fetchall()
                    if not rows:
                        self._set_meta("rebuild", None)
                        self._set_meta("analyzer", ANALYZER_VERSION)
                        break
                    self._write_terms(rows, replace=True)
                    state["after_id"] = int(rows[-1][0])
                    self._set_meta("rebuild", json.dumps(state))
                done += len(rows)
                if progress:
                    progress(done, total)
        # Repair: articles without terms (none should exist; an index restored from an
        # older backup, or a row deleted by hand, would leave some).
        while True:
            with store._write():
                ids = self._missing_ids(batch)
                if not ids:
                    break
                marks = ", ".join("?" * len(ids))
                rows = store._exec(
                    f"SELECT id, title, text, lang FROM articles WHERE id IN ({marks})", ids
                ).fetchall()
                self._write_terms(rows, replace=False)
            if progress:
                progress(len(ids), len(ids))
        return self.status()

    def _write_terms(self, rows: Sequence[Sequence[Any]], *, replace: bool) -> None:
        raise NotImplementedError

    def _missing_ids(self, limit: int) -> list[int]:
        raise NotImplementedError

    def _clear(self) -> None:
        raise NotImplementedError


def _fts_phrase(terms: tuple[str, ...]) -> str:
    # Terms are letters and digits only (analyze.words), so quoting cannot be escaped.
    return '"' + " ".join(terms) + '"'


def _fts_any(alternatives: Sequence[tuple[str, ...]]) -> str:
    return "(" + " OR ".join(_fts_phrase(t) for t in alternatives) + ")"


class SQLiteSearch(SearchBackend):
    def after_insert(self, article_id: int, title: list[str], body: list[str]) -> None:
        self.store._exec("INSERT INTO search_index (rowid, title, body) VALUES (?, ?, ?)",
                         (article_id, " ".join(title), " ".join(body)))

    @staticmethod
    def match_expression(plan: Plan) -> str:
        positive = " AND ".join(_fts_any(g) for g in plan.groups)
        if plan.boost:
            # bm25 sums over every phrase of the expression: the adjacent words add to it.
            positive = f"({positive}) OR {_fts_any(plan.boost)}"
        if plan.excluded:
            return f"({positive}) NOT {_fts_any(plan.excluded)}"
        return positive

    def _match(self, plan):
        return (
            # Filters read the narrow covering index, not the article's row.
            "search_index JOIN articles a INDEXED BY articles_search_filter"
            " ON a.id = search_index.rowid",
            ["search_index MATCH ?"],
            [self.match_expression(plan)],
            f"-bm25(search_index, {TITLE_WEIGHT}, {BODY_WEIGHT})",
        )

    def _exclude(self, plan):
        return ("a.id NOT IN (SELECT rowid FROM search_index WHERE search_index MATCH ?)",
                [_fts_any(plan.excluded)])

    def _counts(self):
        ex = self.store._exec
        indexed = int(ex("SELECT count(*) FROM search_index").fetchone()[0])
        missing = int(ex("SELECT count(*) FROM articles WHERE id NOT IN"
                         " (SELECT rowid FROM search_index)").fetchone()[0])
        extra = int(ex("SELECT count(*) FROM search_index WHERE rowid NOT IN"
                       " (SELECT id FROM articles)").fetchone()[0])
        return indexed, missing, extra

    def _missing_ids(self, limit):
        rows = self.store._exec(
            "SELECT id FROM articles WHERE id NOT IN (SELECT rowid FROM search_index)"
            " ORDER BY id LIMIT ?", (limit,)).fetchall()
        return [int(r[0]) for r in rows]

    def _clear(self):
        self.store._exec("INSERT INTO search_index (search_index) VALUES ('delete-all')")

    def _write_terms(self, rows, *, replace):
        ids = [int(r[0]) for r in rows]
        marks = ", ".join("?" * len(ids))
        # Articles stored while a rebuild runs were indexed by add_article already.
        have = {int(r[0]) for r in self.store._exec(
            f"SELECT rowid FROM search_index WHERE rowid IN ({marks})", ids).fetchall()}
        values = []
        for article_id, title, text, lang in rows:
            if int(article_id) in have:
                continue
            t, b = index_document(title, text, lang)
            values.append((int(article_id), " ".join(t), " ".join(b)))
        self.store._exec_many(
            "INSERT INTO search_index (rowid, title, body) VALUES (?, ?, ?)", values)


def tsvector_literal(title: list[str], body: list[str]) -> str:
    """tsvector input text with explicit positions: title terms weight A, body D."""
    positions: dict[str, list[str]] = {}
    pos = 0
    for weight, terms in (("A", title), ("", body)):
        for term in terms:
            pos += 1
            if pos > PG_MAX_POSITION:
                break
            positions.setdefault(term, []).append(f"{pos}{weight}")
    # 256 positions per lexeme at most; terms are letters and digits, nothing to escape.
    return " ".join(f"'{t}':{','.join(p[:256])}" for t, p in positions.items())


def _ts_phrase(terms: tuple[str, ...]) -> str:
    return " <-> ".join(f"'{t}'" for t in terms)


def _ts_any(alternatives: Sequence[tuple[str, ...]]) -> str:
    return "(" + " | ".join(_ts_phrase(t) for t in alternatives) + ")"


class PostgresSearch(SearchBackend):
    def insert_columns(self, title, body):
        return ", search_vector", ", ?::tsvector", (tsvector_literal(title, body),)

    @staticmethod
    def tsquery(plan: Plan) -> str:
        text = " & ".join(_ts_any(g) for g in plan.groups)
        if plan.boost:
            text = f"({text}) | {_ts_any(plan.boost)}"
        if plan.excluded:
            text += " & !" + _ts_any(plan.excluded)
        return text

    def _match(self, plan):
        # ts_rank normalisation 1: divided by 1 + log(length), so long texts do not win
        # by length alone. Weights {D, C, B, A}: a title word counts ten times a body word.
        return (
            "articles a, CAST(? AS tsquery) q",
            ["a.search_vector @@ q"],
            [self.tsquery(plan)],  # bound in FROM, ahead of the filters' parameters
            "ts_rank('{0.1, 0.2, 0.4, 1.0}', a.search_vector, q, 1)",
        )

    def _exclude(self, plan):
        return "NOT (a.search_vector @@ CAST(? AS tsquery))", [_ts_any(plan.excluded)]

    def _counts(self):
        row = self.store._exec(
            "SELECT count(*), count(search_vector) FROM articles").fetchone()
        return int(row[1]), int(row[0]) - int(row[1]), 0

    def _missing_ids(self, limit):
        rows = self.store._exec(
            "SELECT id FROM articles WHERE search_vector IS NULL ORDER BY id LIMIT ?",
            (limit,)).fetchall()
        return [int(r[0]) for r in rows]

    def _clear(self):
        # Vectors are overwritten batch by batch; until then the old ones still answer.
        pass

    def _write_terms(self, rows, *, replace):
        values = []
        for article_id, title, text, lang in rows:
            t, b = index_document(title, text, lang)
            values.append((tsvector_literal(t, b), int(article_id)))
        self.store._exec_many(
            "UPDATE articles SET search_vector = ?::tsvector WHERE id = ?", values)
