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
# Relevance ranks the newest RANK_CANDIDATES matches only (by id: the order articles
# were stored in), found by walking the index from its end, then scores and sorts them.
# An older article that matches better is left out of a query matching more than this
# many; one matching fewer is ranked whole, as before. News readers want recent results,
# and a query of several words or a phrase rarely matches this many. Measured at
# 1,000,000 articles (docs/architecture.md, "Search"): set by figures.
RANK_CANDIDATES = 2000
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

    def before_delete(self, article_id: int, title: str, text: str, lang: str) -> None:
        """Drop an article's entry before its row is deleted (a take-down), same
        transaction. PostgreSQL's vector is a column of the row: it goes with it."""

    def after_restore(self, article_id: int, title: list[str], body: list[str]) -> None:
        """Write the terms of an article put back under its old id (restore_article)."""
        self.after_insert(article_id, title, body)

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
            sql_from, match_where, match_params = self._match(plan)
            where = match_where + where
            params = match_params + params
        else:
            sql_from = "articles a"
            if plan.excluded:
                neg_where, neg_params = self._exclude(plan)
                where.append(neg_where)
                params.extend(neg_params)
        clause = " WHERE " + " AND ".join(where) if where else ""
        at = "coalesce(a.published, a.first_seen)"
        if sort == "date" or not plan.groups:
            # Newest first over every match; the score, when there are words, is computed
            # for the page's rows only, after the cut.
            join, join_params, score = self._score_page(plan) if plan.groups else ("", [], "0.0")
            rows = self.store._exec(
                f"SELECT {_columns('a.')}, {score} FROM ("
                f" SELECT a.id AS id, {at} AS at FROM {sql_from}{clause}"
                f" ORDER BY {_SORT_DATE} LIMIT ? OFFSET ?"
                f") m JOIN articles a ON a.id = m.id{join} ORDER BY m.at DESC, m.id DESC",
                (*params, limit, offset, *join_params),
            ).fetchall()
        else:
            # Relevance over a bounded candidate set: the newest RANK_CANDIDATES matches
            # (highest ids: the engine walks its index from the end and stops there), then
            # scored and sorted. Scoring every match of a common word was most of the time
            # at 1M articles; RANK_CANDIDATES says what this gives up.
            k = max(RANK_CANDIDATES, offset + limit)
            cand_score, join, join_params, score = self._score_candidates(plan)
            cand_sql, cand_params = self._candidates(
                f"SELECT a.id AS id, {at} AS at, {cand_score} AS score FROM {sql_from}", where,
                params, k)
            rows = self.store._exec(
                f"WITH c AS MATERIALIZED ({cand_sql})"
                f" SELECT {_columns('a.')}, m.score, (SELECT count(*) FROM c) FROM ("
                f"  SELECT c.id AS id, c.at AS at, {score} AS score FROM c{join}"
                f"  ORDER BY score DESC, c.at DESC, c.id DESC LIMIT ? OFFSET ?"
                f") m JOIN articles a ON a.id = m.id ORDER BY m.score DESC, m.at DESC, m.id DESC",
                (*cand_params, *join_params, limit, offset),
            ).fetchall()
            found = int(rows[0][-1]) if rows else None
            rows = [r[:-1] for r in rows]
            if found is None and offset == 0:
                return rows, 0, False
            if found is not None and found < k:
                return rows, found, False  # every match was a candidate: an exact count
            if found is not None:
                # More matches than candidates: relevance shows only these (sort by date
                # reaches the rest), and counting the others cost as much as the search.
                return rows, min(k, COUNT_CAP), True
        if offset == 0 and len(rows) < limit:
            total = len(rows)  # everything is on this page: no second query
        else:
            total = int(self.store._exec(
                f"SELECT count(*) FROM (SELECT 1 FROM {sql_from}{clause} LIMIT ?) m",
                (*params, COUNT_CAP + 1),
            ).fetchone()[0])
        return rows, min(total, COUNT_CAP), total > COUNT_CAP

    def _candidates(self, select: str, where: list[str], params: list[Any],
                    k: int) -> tuple[str, list[Any]]:
        """The query of the newest k matches (a subquery) and its parameters."""
        clause = " WHERE " + " AND ".join(where) if where else ""
        return f"{select}{clause} ORDER BY {self.ID_DESC} LIMIT {int(k)}", list(params)

    # The candidates' order: the matching rows' ids, highest first.
    ID_DESC = "a.id DESC"

    def _score_candidates(self, plan: Plan) -> tuple[str, str, list[Any], str]:
        """(score computed in the candidate query, join onto candidates c, its
        parameters, the final score over c)."""
        raise NotImplementedError

    def _score_page(self, plan: Plan) -> tuple[str, list[Any], str]:
        """(join onto the page's rows m / articles a, its parameters, the score)."""
        raise NotImplementedError

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


_BM25 = f"-bm25(search_index, {TITLE_WEIGHT}, {BODY_WEIGHT})"


class SQLiteSearch(SearchBackend):
    def after_insert(self, article_id: int, title: list[str], body: list[str]) -> None:
        self.store._exec("INSERT INTO search_index (rowid, title, body) VALUES (?, ?, ?)",
                         (article_id, " ".join(title), " ".join(body)))

    def _has_entry(self, article_id: int) -> bool:
        return self.store._exec("SELECT 1 FROM search_index WHERE rowid = ?",
                                (article_id,)).fetchone() is not None

    def _entries_current(self) -> bool:
        """Whether every entry was written by this analyzer. A rebuild for it clears the
        index first, then writes (and add_article writes) with this analyzer only."""
        if self._meta("analyzer") == ANALYZER_VERSION:
            return True
        rebuild = self._meta("rebuild")
        return bool(rebuild) and json.loads(rebuild).get("version") == ANALYZER_VERSION

    def before_delete(self, article_id: int, title: str, text: str, lang: str) -> None:
        # A contentless table forgets an entry only when told its exact terms; the wrong
        # terms would corrupt the index. They are known only when the current analyzer
        # wrote them: otherwise the entry is left (an "extra" in status, matching no
        # stored article, so never shown), and the pending rebuild drops it.
        if not self._has_entry(article_id) or not self._entries_current():
            return
        t, b = index_document(title, text, lang)
        self.store._exec(
            "INSERT INTO search_index (search_index, rowid, title, body)"
            " VALUES ('delete', ?, ?, ?)", (article_id, " ".join(t), " ".join(b)))

    def after_restore(self, article_id: int, title: list[str], body: list[str]) -> None:
        # An entry left behind by before_delete still answers for this id: a second one
        # would count the article twice.
        if not self._has_entry(article_id):
            self.after_insert(article_id, title, body)

    @staticmethod
    def match_expression(plan: Plan) -> str:
        positive = " AND ".join(_fts_any(g) for g in plan.groups)
        if plan.own:
            # Matches nothing more (own spellings imply the groups); adds to bm25.
            positive = f"({positive}) OR ({' AND '.join(_fts_any(g) for g in plan.own)})"
        if plan.boost:
            # bm25 sums over every phrase of the expression: the adjacent words add to it.
            positive = f"({positive}) OR {_fts_any(plan.boost)}"
        if plan.excluded:
            return f"({positive}) NOT {_fts_any(plan.excluded)}"
        return positive

    ID_DESC = "search_index.rowid DESC"  # FTS5 walks its doclists backwards and stops

    def _match(self, plan):
        return (
            # Filters read the narrow covering index, not the article's row.
            "search_index JOIN articles a INDEXED BY articles_search_filter"
            " ON a.id = search_index.rowid",
            ["search_index MATCH ?"],
            [self.match_expression(plan)],
        )

    def _score_candidates(self, plan):
        # FTS5 computes bm25 only for the rows the query returns: the candidates.
        return _BM25, "", [], "c.score"

    def _score_page(self, plan):
        # One rowid lookup per row of the page.
        return (" JOIN search_index ON search_index.rowid = m.id AND search_index MATCH ?",
                [self.match_expression(plan)], _BM25)

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
    # "+ 0": never walk the primary key backwards testing @@ on each row. The planner
    # takes that path for words it has no statistics on, and every test detoasts a
    # vector (1.7 s for a word with ~1,000 matches at 1M articles); the GIN index finds
    # the matches, which are then cut to the newest.
    ID_DESC = "a.id + 0 DESC"

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
        return (
            "articles a, CAST(? AS tsquery) q",
            ["a.search_vector @@ q"],
            [self.tsquery(plan)],  # bound in FROM, ahead of the filters' parameters
        )

    @classmethod
    def _rank(cls, plan: Plan, table: str) -> tuple[str, list[Any], str]:
        # ts_rank normalisation 1: divided by 1 + log(length), so long texts do not win
        # by length alone. Weights {D, C, B, A}: a title word counts ten times a body word.
        rank = "ts_rank('{0.1, 0.2, 0.4, 1.0}', %s.search_vector, %s, 1)"
        join, params, score = ", CAST(? AS tsquery) rq", [cls.tsquery(plan)], rank % (table, "rq")
        if plan.own:
            # ts_rank counts a repeated operand once, so the reader's own spellings get
            # their bonus (plan.Plan.own) as a second rank.
            join += ", CAST(? AS tsquery) oq"
            params.append(" & ".join(_ts_any(g) for g in plan.own))
            score += " + " + rank % (table, "oq")
        return join, params, score

    def _score_candidates(self, plan):
        # ts_rank reads each vector (TOAST): only for the candidates, after the cut.
        join, params, score = self._rank(plan, "r")
        return "0.0", " JOIN articles r ON r.id = c.id" + join, params, score

    def _score_page(self, plan):
        return self._rank(plan, "a")

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
