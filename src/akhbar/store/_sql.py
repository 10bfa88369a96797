"""SQL shared by the SQLite and PostgreSQL stores.

``SQLStore`` holds every query both backends can run as written. Queries use ``?``
placeholders (the PostgreSQL store rewrites them) and never a literal ``?`` elsewhere.
A backend supplies a few hooks: how to run a statement, how to open a write
transaction, how datetimes go in and out, its row-locking clause, its full-text query.
"""

from __future__ import annotations

import dataclasses
import json
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from typing import TYPE_CHECKING, Any

from akhbar.errors import StorageError
from akhbar.search.analyze import index_document
from akhbar.store._admin_sql import AdminSQL
from akhbar.store._images_sql import ImagesSQL
from akhbar.store._moderation_sql import ModerationSQL
from akhbar.store._stories_sql import StoriesSQL
from akhbar.store._takedown_sql import TakedownSQL
from akhbar.types import (
    Article,
    ExtractRules,
    FeedClaim,
    FeedState,
    Source,
    SourceHealth,
    StoredArticle,
)

if TYPE_CHECKING:
    from akhbar.search.backends import IndexStatus
    from akhbar.search.query import Query

# How many source_errors rows each source keeps.
ERRORS_KEPT = 100
# Most values bound into one IN (...) list; well under both backends' limits.
CHUNK = 500

_MIGRATION_NAME = re.compile(r"^(\d+)_[\w.-]*\.sql$")

ARTICLE_COLUMNS = (
    "id, url, source_id, title, text, lang, first_seen, published, date_source, html, "
    "summary, author, image, tags, lang_hint, updated, copy_of, similarity, section"
)

FEED_COLUMNS = (
    "url, source_id, etag, last_modified, next_check, last_success, last_error, "
    "last_error_at, error_streak, last_new_item"
)


def utc(dt: datetime) -> datetime:
    """The same instant in UTC; a naive datetime is taken to be UTC already."""
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def migrations(dialect: str) -> list[tuple[int, str, str]]:
    """(version, file name, SQL) of the numbered files shipped for a dialect, in order."""
    folder = resources.files("akhbar.store").joinpath("migrations", dialect)
    found = []
    for entry in folder.iterdir():
        m = _MIGRATION_NAME.match(entry.name)
        if m:
            found.append((int(m.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [v for v, _, _ in found]
    if len(set(versions)) != len(versions):
        raise StorageError(f"two {dialect} migrations share a number: {versions}")
    return found


def source_config(source: Source) -> str:
    """The whole Source as JSON, so the store remembers how it was configured."""
    return json.dumps(dataclasses.asdict(source), ensure_ascii=False, default=str, sort_keys=True)


def _article_filters(
    lang: str | None, source_id: str | None, section: str | None, include_copies: bool
) -> tuple[str, list[Any]]:
    """The WHERE clause latest_articles and count_articles share."""
    where, params = [], []
    if section is not None:
        where.append("section = ?")
        params.append(section)
    if lang is not None:
        where.append("lang = ?")
        params.append(lang)
    if source_id is not None:
        where.append("source_id = ?")
        params.append(source_id)
    if not include_copies:
        where.append("copy_of IS NULL")
    return ("WHERE " + " AND ".join(where)) if where else "", params


def source_from_config(config: str, *, enabled: bool = True) -> Source:
    """The Source source_config stored (JSON of dataclasses.asdict), back as a Source."""
    data = json.loads(config)
    extract = data.pop("extract", None) or {}
    known = {f.name for f in dataclasses.fields(Source)}
    data = {k: v for k, v in data.items() if k in known}
    founded = data.pop("founded", None)
    return Source(
        **{k: v for k, v in data.items() if k not in ("feeds", "languages", "enabled")},
        feeds=tuple(data.get("feeds", ())),
        languages=tuple(data.get("languages", ())),
        founded=date.fromisoformat(founded) if founded else None,
        extract=ExtractRules(**{**extract, "drop": tuple(extract.get("drop", ()))}),
        enabled=enabled,
    )


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(values), CHUNK):
        yield values[i : i + CHUNK]


def _marks(n: int) -> str:
    return ", ".join("?" * n)


class SQLStore(StoriesSQL, ModerationSQL, TakedownSQL, ImagesSQL, AdminSQL):
    """Store protocol over a DB-API connection; subclasses fill in the dialect hooks."""

    dialect: str = ""
    # Appended to the claim sub-select (PostgreSQL: FOR UPDATE … SKIP LOCKED).
    lock_clause: str = ""
    backend_errors: tuple[type[BaseException], ...] = ()

    def __init__(self) -> None:
        # One connection per store; the lock keeps two threads out of it at once.
        self._lock = threading.RLock()

    # -- dialect hooks ---------------------------------------------------------------------
    def _exec(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement, return a cursor (fetchone/fetchall/rowcount)."""
        raise NotImplementedError

    def _exec_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement for many parameter rows (in one round trip where possible)."""
        raise NotImplementedError

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """A write transaction that serialises with other writers as the backend allows."""
        raise NotImplementedError
        yield  # pragma: no cover

    def _apply_migration(self, sql: str) -> None:
        """Run a migration script inside the current transaction."""
        raise NotImplementedError

    def _migration_lock(self) -> None:
        """Inside the migration transaction: keep concurrent migrators apart."""

    def _dt_in(self, dt: datetime | None) -> Any:
        raise NotImplementedError

    def _dt_out(self, value: Any) -> datetime | None:
        raise NotImplementedError

    # The search SQL of this dialect (akhbar.search.backends), set by the subclass.
    search_backend_class: type | None = None

    def _close(self) -> None:
        raise NotImplementedError

    def _ensure_open(self) -> None:
        """Before each use of the connection: reopen it if the backend lost it."""

    # -- plumbing --------------------------------------------------------------------------
    @contextmanager
    def _read(self) -> Iterator[None]:
        with self._lock:
            try:
                self._ensure_open()
                yield
            except self.backend_errors as exc:
                raise StorageError(f"{self.dialect}: {exc}") from exc

    @contextmanager
    def _write(self) -> Iterator[None]:
        with self._lock:
            try:
                self._ensure_open()
                with self._transaction():
                    yield
            except self.backend_errors as exc:
                raise StorageError(f"{self.dialect}: {exc}") from exc

    def _now(self) -> datetime:
        return datetime.now(UTC)

    # -- lifecycle -------------------------------------------------------------------------
    def migrate(self) -> int:
        pending = migrations(self.dialect)
        with self._write():
            self._migration_lock()
            self._exec(
                "CREATE TABLE IF NOT EXISTS schema_version ("
                " version integer PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL)"
            )
            applied = {int(r[0]) for r in self._exec("SELECT version FROM schema_version")}
            # Every shipped migration not yet recorded, in order: one numbered lower than the
            # newest applied (written on a branch that landed later) is not skipped.
            for version, name, sql in pending:
                if version in applied:
                    continue
                self._apply_migration(sql)
                self._exec(
                    "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                    (version, name, self._now().isoformat()),
                )
                applied.add(version)
            current = max(applied, default=0)
            if 3 in applied:  # search_meta exists (0003_search)
                self._search.after_migrate()
        return int(current)

    @property
    def _search(self):
        backend = self.__dict__.get("_search_backend")
        if backend is None:
            backend = self.__dict__["_search_backend"] = self.search_backend_class(self)
        return backend

    def close(self) -> None:
        with self._lock:
            try:
                self._close()
            except self.backend_errors as exc:
                raise StorageError(f"{self.dialect}: {exc}") from exc

    # -- sources and feeds -----------------------------------------------------------------
    def sync_sources(self, sources: Iterable[Source]) -> None:
        sources = list(sources)
        now = self._dt_in(self._now())
        with self._write():
            # Unlist everything, then re-list what is given: what is left out ends disabled.
            self._exec("UPDATE sources SET listed = ?, enabled = ?", (False, False))
            self._exec("UPDATE feeds SET enabled = ?", (False,))
            for s in sources:
                self._exec(
                    "INSERT INTO sources (id, name, homepage, languages, config, listed,"
                    " registry_enabled, enabled) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (id) DO UPDATE SET name = excluded.name,"
                    " homepage = excluded.homepage, languages = excluded.languages,"
                    " config = excluded.config, listed = excluded.listed,"
                    " registry_enabled = excluded.registry_enabled,"
                    " enabled = coalesce(sources.operator_enabled, excluded.registry_enabled)",
                    (
                        s.id, s.name, s.homepage, json.dumps(list(s.languages)),
                        source_config(s), True, s.enabled, s.enabled,
                    ),
                )
                for url in dict.fromkeys(s.feeds):
                    # New feeds are due at once; known ones keep their crawl state.
                    self._exec(
                        "INSERT INTO feeds (url, source_id, enabled, next_check)"
                        " VALUES (?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET"
                        " source_id = excluded.source_id, enabled = excluded.enabled",
                        (url, s.id, True, now),
                    )

    def set_source_enabled(self, source_id: str, enabled: bool) -> None:
        """Operator override; it outlives later sync_sources calls. An unlisted source
        stays disabled whatever the override."""
        with self._write():
            cur = self._exec(
                "UPDATE sources SET operator_enabled = ?,"
                " enabled = CASE WHEN listed THEN ? ELSE ? END WHERE id = ?",
                (enabled, enabled, False, source_id),
            )
            if cur.rowcount == 0:
                raise StorageError(f"unknown source {source_id!r}")

    def claim_due_feeds(
        self, worker: str, now: datetime, limit: int, hold: timedelta
    ) -> list[FeedClaim]:
        if limit <= 0:
            return []
        now_v = self._dt_in(now)
        expires = utc(now) + hold
        with self._write():
            rows = self._exec(
                "UPDATE feeds SET claimed_by = ?, claim_expires = ?"
                " WHERE url IN (SELECT f.url FROM feeds f JOIN sources s ON s.id = f.source_id"
                "  WHERE f.enabled AND s.enabled AND f.next_check <= ?"
                "  AND (f.claim_expires IS NULL OR f.claim_expires < ?)"
                f"  ORDER BY f.next_check, f.url LIMIT ? {self.lock_clause})"
                f" RETURNING {FEED_COLUMNS}",
                (worker, self._dt_in(expires), now_v, now_v, limit),
            ).fetchall()
        states = sorted((self._feed_state(r) for r in rows), key=lambda s: (s.next_check, s.feed_url))
        return [FeedClaim(s.feed_url, s.source_id, worker, expires, s) for s in states]

    def finish_feed(
        self,
        claim: FeedClaim,
        *,
        now: datetime,
        next_check: datetime,
        ok: bool,
        etag: str | None = None,
        last_modified: str | None = None,
        error: str | None = None,
        new_items: int = 0,
    ) -> None:
        now_v = self._dt_in(now)
        with self._write():
            if ok:
                # A validator the answer did not repeat (a bare 304) is kept, not erased.
                cur = self._exec(
                    "UPDATE feeds SET claimed_by = NULL, claim_expires = NULL, next_check = ?,"
                    " error_streak = 0, last_success = ?, etag = coalesce(?, etag),"
                    " last_modified = coalesce(?, last_modified),"
                    " last_new_item = CASE WHEN ? THEN ? ELSE last_new_item END"
                    " WHERE url = ? AND claimed_by = ?",
                    (
                        self._dt_in(next_check), now_v, etag, last_modified,
                        new_items > 0, now_v, claim.feed_url, claim.worker,
                    ),
                )
                if error and cur.rowcount:  # read, but with a warning worth showing
                    self._add_error(claim.source_id, now_v, claim.feed_url, error)
            else:
                message = error or "feed check failed"
                cur = self._exec(
                    "UPDATE feeds SET claimed_by = NULL, claim_expires = NULL, next_check = ?,"
                    " error_streak = error_streak + 1, last_error = ?, last_error_at = ?"
                    " WHERE url = ? AND claimed_by = ?",
                    (self._dt_in(next_check), message, now_v, claim.feed_url, claim.worker),
                )
                if cur.rowcount:
                    self._add_error(claim.source_id, now_v, claim.feed_url, message)

    def feed_states(self, source_id: str | None = None) -> list[FeedState]:
        with self._read():
            if source_id is None:
                rows = self._exec(f"SELECT {FEED_COLUMNS} FROM feeds ORDER BY url").fetchall()
            else:
                rows = self._exec(
                    f"SELECT {FEED_COLUMNS} FROM feeds WHERE source_id = ? ORDER BY url",
                    (source_id,),
                ).fetchall()
        return [self._feed_state(r) for r in rows]

    def _feed_state(self, r: Sequence[Any]) -> FeedState:
        return FeedState(
            feed_url=r[0],
            source_id=r[1],
            etag=r[2],
            last_modified=r[3],
            next_check=self._dt_out(r[4]),
            last_success=self._dt_out(r[5]),
            last_error=r[6],
            last_error_at=self._dt_out(r[7]),
            error_streak=int(r[8]),
            last_new_item=self._dt_out(r[9]),
        )

    # -- articles --------------------------------------------------------------------------
    def known_urls(self, urls: Iterable[str]) -> set[str]:
        wanted = list(dict.fromkeys(urls))
        found: set[str] = set()
        with self._read():
            for part in _chunks(wanted):
                marks = _marks(len(part))
                rows = self._exec(
                    f"SELECT url FROM articles WHERE url IN ({marks})"
                    f" UNION SELECT url FROM article_urls WHERE url IN ({marks})"
                    # Taken down: never fetched nor stored again (take_down).
                    f" UNION SELECT url FROM takedown_urls WHERE url IN ({marks})",
                    (*part, *part, *part),
                ).fetchall()
                found.update(r[0] for r in rows)
        return found

    def find_by_content_hash(self, content_hash: str) -> int | None:
        if not content_hash:
            return None  # an empty hash means "no text", not "same text"
        with self._read():
            row = self._exec(
                "SELECT id FROM articles WHERE content_hash = ? AND copy_of IS NULL"
                " ORDER BY id LIMIT 1",
                (content_hash,),
            ).fetchone()
        return int(row[0]) if row else None

    def near_duplicate_candidates(
        self, bands: Iterable[str], limit: int = 20
    ) -> list[tuple[int, bytes]]:
        bands = list(dict.fromkeys(bands))[:CHUNK]
        if not bands or limit <= 0:
            return []
        with self._read():
            # Most shared bands first: the likeliest copies are checked first.
            rows = self._exec(
                "SELECT a.id, a.minhash FROM articles a JOIN ("
                f" SELECT article_id, count(*) AS n FROM article_bands WHERE band IN ({_marks(len(bands))})"
                " GROUP BY article_id) m ON m.article_id = a.id"
                " WHERE a.copy_of IS NULL ORDER BY m.n DESC, a.id LIMIT ?",
                (*bands, limit),
            ).fetchall()
        return [(int(r[0]), bytes(r[1] or b"")) for r in rows]

    def add_article(
        self,
        article: Article,
        *,
        copy_of: int | None = None,
        similarity: float | None = None,
        aliases: Iterable[str] = (),
    ) -> tuple[int, bool]:
        others = [u for u in dict.fromkeys(aliases) if u and u != article.url]
        a = article
        # Analysed before taking the write lock; written in the article's own transaction.
        title_terms, body_terms = index_document(a.title, a.text, a.lang)
        search_cols, search_marks, search_values = self._search.insert_columns(title_terms, body_terms)
        with self._write():
            taken_down = self._taken_down_id([a.url, *others])
            if taken_down is not None:
                return taken_down, False
            existing = self._lookup_id([a.url, *others])
            if existing is not None:
                # Remember the new ways to reach it, so they are not fetched again.
                self._add_aliases(existing, [a.url, *others])
                return existing, False
            row = self._exec(
                "INSERT INTO articles (url, source_id, title, text, html, summary, author, image,"
                " tags, lang, lang_hint, published, updated, first_seen, date_source, fetched_url,"
                f" content_hash, minhash, copy_of, similarity, section{search_cols})"
                f" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?{search_marks})"
                " ON CONFLICT (url) DO NOTHING RETURNING id",
                (
                    a.url, a.source_id, a.title, a.text, a.html, a.summary, a.author, a.image,
                    json.dumps(list(a.tags), ensure_ascii=False), a.lang, a.lang_hint,
                    self._dt_in(a.published), self._dt_in(a.updated), self._dt_in(a.first_seen),
                    a.date_source, a.fetched_url, a.content_hash, bytes(a.minhash),
                    copy_of, similarity, a.section, *search_values,
                ),
            ).fetchone()
            if row is None:
                # Another connection stored this URL between our look-up and our insert.
                existing = int(self._exec("SELECT id FROM articles WHERE url = ?", (a.url,)).fetchone()[0])
                self._add_aliases(existing, others)
                return existing, False
            article_id = int(row[0])
            self._search.after_insert(article_id, title_terms, body_terms)
            if a.extractor != "feed":  # a page read: counted in the same transaction
                self._count_page(a.source_id, ok=True)
            self._add_aliases(article_id, others)
            # Waits for its story (akhbar.stories), in arrival order.
            self._exec("INSERT INTO story_queue (article_id) VALUES (?)", (article_id,))
            if copy_of is None and a.minhash_bands:
                self._exec_many(
                    "INSERT INTO article_bands (band, article_id) VALUES (?, ?)"
                    " ON CONFLICT DO NOTHING",
                    [(band, article_id) for band in dict.fromkeys(a.minhash_bands)],
                )
        return article_id, True

    def _lookup_id(self, urls: Sequence[str]) -> int | None:
        """The article any of these URLs leads to, a canonical URL match first."""
        marks = ", ".join("?" * len(urls))
        row = self._exec(
            f"SELECT id, 0 AS pref FROM articles WHERE url IN ({marks})"
            f" UNION ALL SELECT article_id, 1 FROM article_urls WHERE url IN ({marks})"
            " ORDER BY pref LIMIT 1",
            (*urls, *urls),
        ).fetchone()
        return int(row[0]) if row else None

    def _add_aliases(self, article_id: int, urls: Iterable[str]) -> None:
        rows = [(url, article_id, url) for url in urls]
        if rows:
            # An URL that is some article's canonical URL is never made an alias.
            self._exec_many(
                "INSERT INTO article_urls (url, article_id) SELECT ?, ?"
                " WHERE NOT EXISTS (SELECT 1 FROM articles WHERE url = ?)"
                " ON CONFLICT (url) DO NOTHING",
                rows,
            )

    def get_article(self, article_id: int) -> StoredArticle | None:
        with self._read():
            row = self._exec(
                f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE id = ?", (article_id,)
            ).fetchone()
        return self._article(row) if row else None

    def get_article_by_url(self, url: str) -> StoredArticle | None:
        with self._read():
            row = self._exec(
                f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE url = ?", (url,)
            ).fetchone()
            if row is None:
                row = self._exec(
                    f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE id ="
                    " (SELECT article_id FROM article_urls WHERE url = ?)",
                    (url,),
                ).fetchone()
        return self._article(row) if row else None

    def latest_articles(
        self,
        limit: int = 50,
        offset: int = 0,
        *,
        lang: str | None = None,
        source_id: str | None = None,
        section: str | None = None,
        include_copies: bool = True,
    ) -> list[StoredArticle]:
        clause, params = _article_filters(lang, source_id, section, include_copies)
        with self._read():
            rows = self._exec(
                f"SELECT {ARTICLE_COLUMNS} FROM articles {clause}"
                " ORDER BY coalesce(published, first_seen) DESC, id DESC LIMIT ? OFFSET ?",
                (*params, limit, offset),
            ).fetchall()
        return [self._article(r) for r in rows]

    def copies_of(self, article_id: int) -> list[StoredArticle]:
        with self._read():
            rows = self._exec(
                f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE copy_of = ? ORDER BY id",
                (article_id,),
            ).fetchall()
        return [self._article(r) for r in rows]

    def article_stats(self) -> dict:
        with self._read():
            total, copies = self._exec(
                "SELECT count(*), count(copy_of) FROM articles"
            ).fetchone()
            by_lang = self._exec(
                "SELECT lang, count(*) FROM articles GROUP BY lang ORDER BY lang"
            ).fetchall()
            by_source = self._exec(
                "SELECT source_id, count(*) FROM articles GROUP BY source_id ORDER BY source_id"
            ).fetchall()
        return {
            "articles": int(total),
            "copies": int(copies),
            "by_lang": {k: int(n) for k, n in by_lang},
            "by_source": {k: int(n) for k, n in by_source},
        }

    def search_text(self, query: str, limit: int = 20) -> list[StoredArticle]:
        from akhbar.search import QueryError, parse_query

        if limit <= 0:
            return []
        try:
            parsed = parse_query(query)
        except QueryError:
            return []
        return [a for a, _ in self.search_articles(parsed, limit=limit)[0]]

    def search_articles(
        self, query: Query, *, limit: int = 20, offset: int = 0, sort: str | None = None
    ) -> tuple[list[tuple[StoredArticle, float]], int, bool]:
        from akhbar.search.plan import plan

        with self._read():
            rows, total, capped = self._search.search(
                query, plan(query), max(0, limit), max(0, offset), sort or query.sort)
        return [(self._article(r[:-1]), float(r[-1] or 0.0)) for r in rows], total, capped

    def search_index_status(self) -> IndexStatus:
        return self._search.status()

    def reindex(
        self, *, full: bool = False, batch: int = 1000,
        progress: Callable[[int, int], None] | None = None,
    ) -> IndexStatus:
        return self._search.reindex(full=full, batch=batch, progress=progress)

    def _article(self, r: Sequence[Any]) -> StoredArticle:
        return StoredArticle(
            id=int(r[0]),
            url=r[1],
            source_id=r[2],
            title=r[3],
            text=r[4],
            lang=r[5],
            first_seen=self._dt_out(r[6]),  # type: ignore[arg-type]  # NOT NULL column
            published=self._dt_out(r[7]),
            date_source=r[8],
            html=r[9],
            summary=r[10],
            author=r[11],
            image=r[12],
            tags=tuple(json.loads(r[13])),
            lang_hint=r[14],
            updated=self._dt_out(r[15]),
            copy_of=int(r[16]) if r[16] is not None else None,
            similarity=float(r[17]) if r[17] is not None else None,
            section=r[18],
        )

    # -- reading for the site (caller: akhbar.web) -----------------------------------------
    def list_sources(self) -> list[Source]:
        with self._read():
            rows = self._exec("SELECT id, name, homepage, languages, config, enabled FROM sources"
                              " ORDER BY id").fetchall()
        return [source_from_config(r[4], enabled=bool(r[5])) for r in rows]

    def count_articles(
        self,
        *,
        lang: str | None = None,
        source_id: str | None = None,
        section: str | None = None,
        include_copies: bool = True,
        limit: int | None = None,
    ) -> int:
        clause, params = _article_filters(lang, source_id, section, include_copies)
        with self._read():
            if limit is None:
                row = self._exec(f"SELECT count(*) FROM articles {clause}", params).fetchone()
            else:  # stops reading after ``limit`` rows (a whole table is slow to count)
                row = self._exec(f"SELECT count(*) FROM (SELECT 1 FROM articles {clause}"
                                 " LIMIT ?) m", (*params, int(limit))).fetchone()
        return int(row[0])

    def articles_between(
        self, start: datetime, end: datetime, limit: int = 50, offset: int = 0
    ) -> list[StoredArticle]:
        with self._read():
            rows = self._exec(
                f"SELECT {ARTICLE_COLUMNS} FROM articles"
                " WHERE coalesce(published, first_seen) >= ? AND coalesce(published, first_seen) < ?"
                " ORDER BY coalesce(published, first_seen) DESC, id DESC LIMIT ? OFFSET ?",
                (self._dt_in(start), self._dt_in(end), limit, offset),
            ).fetchall()
        return [self._article(r) for r in rows]

    def count_between(self, start: datetime, end: datetime) -> int:
        with self._read():
            row = self._exec(
                "SELECT count(*) FROM articles"
                " WHERE coalesce(published, first_seen) >= ? AND coalesce(published, first_seen) < ?",
                (self._dt_in(start), self._dt_in(end)),
            ).fetchone()
        return int(row[0])

    def article_time_neighbours(
        self, start: datetime, end: datetime
    ) -> tuple[datetime | None, datetime | None]:
        with self._read():
            before = self._exec(
                "SELECT max(coalesce(published, first_seen)) FROM articles"
                " WHERE coalesce(published, first_seen) < ?", (self._dt_in(start),),
            ).fetchone()[0]
            after = self._exec(
                "SELECT min(coalesce(published, first_seen)) FROM articles"
                " WHERE coalesce(published, first_seen) >= ?", (self._dt_in(end),),
            ).fetchone()[0]
        return self._dt_out(before), self._dt_out(after)

    def article_time_range(self) -> tuple[datetime | None, datetime | None]:
        with self._read():
            oldest, newest = self._exec(
                "SELECT min(coalesce(published, first_seen)), max(coalesce(published, first_seen))"
                " FROM articles"
            ).fetchone()
        return self._dt_out(oldest), self._dt_out(newest)

    def latest_change(self) -> tuple[int, datetime | None]:
        with self._read():
            row = self._exec("SELECT id, first_seen FROM articles ORDER BY id DESC LIMIT 1").fetchone()
        return (int(row[0]), self._dt_out(row[1])) if row else (0, None)

    # -- health ----------------------------------------------------------------------------
    def record_page(self, source_id: str, url: str, ok: bool, error: str | None = None) -> None:
        with self._write():
            self._count_page(source_id, ok)
            if not ok:
                self._add_error(source_id, self._dt_in(self._now()), url, error or "page failed")

    def _count_page(self, source_id: str, ok: bool) -> None:
        self._exec(
            "INSERT INTO page_stats (source_id, ok, failed) VALUES (?, ?, ?)"
            " ON CONFLICT (source_id) DO UPDATE SET ok = page_stats.ok + excluded.ok,"
            " failed = page_stats.failed + excluded.failed",
            (source_id, 1 if ok else 0, 0 if ok else 1),
        )

    def _add_error(self, source_id: str, at: Any, url: str, message: str) -> None:
        self._exec(
            "INSERT INTO source_errors (source_id, at, url, message) VALUES (?, ?, ?, ?)",
            (source_id, at, url, message),
        )
        # Keep only the newest ERRORS_KEPT rows of this source.
        self._exec(
            "DELETE FROM source_errors WHERE source_id = ? AND id <= ("
            " SELECT id FROM source_errors WHERE source_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)",
            (source_id, source_id, ERRORS_KEPT),
        )

    def source_health(self) -> list[SourceHealth]:
        with self._read():
            rows = self._exec(
                "SELECT s.id,"
                " (SELECT max(last_success) FROM feeds f WHERE f.source_id = s.id),"
                " (SELECT last_error FROM feeds f WHERE f.source_id = s.id"
                "   AND f.last_error_at IS NOT NULL ORDER BY f.last_error_at DESC LIMIT 1),"
                " (SELECT coalesce(max(error_streak), 0) FROM feeds f WHERE f.source_id = s.id),"
                " (SELECT max(last_new_item) FROM feeds f WHERE f.source_id = s.id),"
                " (SELECT count(*) FROM articles a WHERE a.source_id = s.id),"
                " coalesce(p.ok, 0), coalesce(p.failed, 0),"
                " (SELECT count(*) FROM articles a WHERE a.source_id = s.id"
                "   AND a.copy_of IS NOT NULL)"
                " FROM sources s LEFT JOIN page_stats p ON p.source_id = s.id ORDER BY s.id"
            ).fetchall()
        return [
            SourceHealth(
                source_id=r[0],
                last_success=self._dt_out(r[1]),
                last_error=r[2],
                error_streak=int(r[3]),
                last_new_item=self._dt_out(r[4]),
                articles=int(r[5]),
                pages_ok=int(r[6]),
                pages_failed=int(r[7]),
                copies=int(r[8]),
            )
            for r in rows
        ]

    def source_errors(self, source_id: str, limit: int = 20) -> list[tuple[datetime, str, str]]:
        with self._read():
            rows = self._exec(
                "SELECT at, url, message FROM source_errors WHERE source_id = ?"
                " ORDER BY id DESC LIMIT ?",
                (source_id, limit),
            ).fetchall()
        return [(self._dt_out(r[0]), r[1], r[2]) for r in rows]  # type: ignore[misc]

    # -- checkpoints -----------------------------------------------------------------------
    def get_checkpoint(self, name: str) -> str | None:
        with self._read():
            row = self._exec("SELECT value FROM checkpoints WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def set_checkpoint(self, name: str, value: str) -> None:
        with self._write():
            self._exec(
                "INSERT INTO checkpoints (name, value) VALUES (?, ?)"
                " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (name, value),
            )
