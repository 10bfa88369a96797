"""PostgresStore: the store several workers share (psycopg 3, one connection per store)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import psycopg

from akhbar.errors import StorageError
from akhbar.search.backends import PostgresSearch
from akhbar.store._sql import SQLStore, utc

# Any fixed number: concurrent migrate() calls on one database take turns on it.
_MIGRATION_LOCK = 0x616B6862  # "akhb"
_STORY_LOCK = 0x73746F72  # "stor"


class PostgresStore(SQLStore):
    dialect = "postgres"
    # Each claimer skips rows another transaction is claiming instead of waiting for them.
    lock_clause = "FOR UPDATE OF f SKIP LOCKED"
    search_backend_class = PostgresSearch
    backend_errors = (psycopg.Error,)

    def __init__(self, url: str):
        super().__init__()
        self.url = url
        self._closed = False
        self._sql_cache: dict[str, str] = {}
        try:
            self._conn = self._connect()
        except psycopg.Error as exc:
            raise StorageError(f"postgres: cannot connect: {exc}") from exc

    def _connect(self) -> psycopg.Connection:
        # Autocommit: reads need no transaction; writes open one explicitly.
        conn = psycopg.connect(self.url, autocommit=True)
        conn.execute("SET TIME ZONE 'UTC'")
        # A commit then returns before its WAL reaches the disk: a crash of the database
        # server loses at most the last fraction of a second of crawled articles (never
        # corrupts), which the next crawl fetches again since they are not known. Without
        # it every article waited on two disk flushes (measured ~8 ms vs ~1 ms per article).
        conn.execute("SET synchronous_commit = off")
        # psycopg prepares a statement after a few runs and PostgreSQL may then switch to a
        # generic plan; for the near-duplicate look-up (band IN (...) with fresh, skewed
        # statistics) that plan scanned whole tables: 45% of a core per worker at 10k
        # articles. Custom plans keep it an index look-up.
        conn.execute("SET plan_cache_mode = force_custom_plan")
        return conn

    def _ensure_open(self) -> None:
        if self._closed:
            raise StorageError("postgres: store is closed")
        if self._conn.closed or self._conn.broken:
            self._conn = self._connect()

    def _pg(self, sql: str) -> str:
        """The shared ``?`` placeholders as psycopg's ``%s`` (and a literal % escaped)."""
        out = self._sql_cache.get(sql)
        if out is None:
            out = self._sql_cache[sql] = sql.replace("%", "%%").replace("?", "%s")
        return out

    def _exec(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor:
        return self._conn.execute(self._pg(sql), tuple(params))

    def _exec_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        # psycopg pipelines executemany: one round trip instead of one per row.
        with self._conn.cursor() as cur:
            cur.executemany(self._pg(sql), [tuple(r) for r in rows])

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        with self._conn.transaction():
            yield

    def _story_lock(self) -> None:
        # Held to the end of the transaction: one worker at a time finds candidates and
        # joins or creates a story, so two never create two stories for one event.
        self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (_STORY_LOCK,))

    def _migration_lock(self) -> None:
        self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))

    def _apply_migration(self, sql: str) -> None:
        # No parameters: psycopg sends the script as one multi-statement query.
        self._conn.execute(sql)

    def _dt_in(self, dt: datetime | None) -> datetime | None:
        return None if dt is None else utc(dt)

    def _dt_out(self, value: Any) -> datetime | None:
        return None if value is None else utc(value)

    def _close(self) -> None:
        self._closed = True
        self._conn.close()
