"""SQLiteStore: the zero-setup store, one file in WAL mode (stdlib sqlite3)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from akhbar.errors import StorageError
from akhbar.search.backends import SQLiteSearch
from akhbar.store._sql import SQLStore, utc

# Seconds a writer waits for another connection's write lock before failing.
BUSY_TIMEOUT = 30.0


class SQLiteStore(SQLStore):
    dialect = "sqlite"
    search_backend_class = SQLiteSearch
    backend_errors = (sqlite3.Error,)

    def __init__(self, path: str):
        super().__init__()
        self.path = path
        try:
            # isolation_level=None: no hidden transactions; writes open BEGIN IMMEDIATE.
            self._conn = sqlite3.connect(
                path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False
            )
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT * 1000)}")
        except sqlite3.Error as exc:
            raise StorageError(f"sqlite: cannot open {path!r}: {exc}") from exc

    def _exec(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self._conn.execute(sql, params)

    def _exec_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._conn.executemany(sql, rows)

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        # IMMEDIATE takes the write lock up front: writers (claimers) queue on busy_timeout
        # instead of failing when a read would have to be upgraded to a write.
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            # Some errors (disk full, I/O) already ended the transaction themselves.
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def _apply_migration(self, sql: str) -> None:
        # executescript would commit; run the statements one by one inside our transaction.
        statement = ""
        for line in sql.splitlines(keepends=True):
            statement += line
            if sqlite3.complete_statement(statement):
                self._conn.execute(statement)
                statement = ""
        if statement.strip() and not _only_comments(statement):
            raise StorageError(f"sqlite migration ends with an incomplete statement: {statement!r}")

    def _dt_in(self, dt: datetime | None) -> str | None:
        if dt is None:
            return None
        # Fixed width, always UTC, "Z": text order is time order.
        return utc(dt).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"

    def _dt_out(self, value: Any) -> datetime | None:
        if value is None:
            return None
        return utc(datetime.fromisoformat(value))

    def _close(self) -> None:
        self._conn.close()


def _only_comments(sql: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in sql.splitlines())
