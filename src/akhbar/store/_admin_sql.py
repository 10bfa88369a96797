"""Operators, their sessions and lockouts, outlets they add or edit (migration 0007).

A mixin of ``SQLStore`` (see ``akhbar.store.base`` for the methods' contracts).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from akhbar.errors import StorageError
from akhbar.types import Source

# A session's last_seen is written at most this often (every admin page would write).
_LAST_SEEN_EVERY = timedelta(seconds=60)


class AdminSQL:
    """Store methods for this part of the schema; uses SQLStore's hooks."""

    # -- operators -------------------------------------------------------------------------
    def add_operator(self, name: str, password_hash: str) -> None:
        now = self._dt_in(self._now())
        with self._write():
            cur = self._exec(
                "INSERT INTO operators (name, password_hash, created, password_changed)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING",
                (name, password_hash, now, now),
            )
            if cur.rowcount == 0:
                raise StorageError(f"operator {name!r} already exists")

    def set_operator_password(self, name: str, password_hash: str, *,
                              end_sessions: bool = True) -> None:
        with self._write():
            cur = self._exec(
                "UPDATE operators SET password_hash = ?, password_changed = ? WHERE name = ?",
                (password_hash, self._dt_in(self._now()), name),
            )
            if cur.rowcount == 0:
                raise StorageError(f"no operator {name!r}")
            if end_sessions:
                self._exec("DELETE FROM admin_sessions WHERE operator = ?", (name,))

    def operator_password_hash(self, name: str) -> str | None:
        with self._read():
            row = self._exec("SELECT password_hash FROM operators WHERE name = ?",
                             (name,)).fetchone()
        return row[0] if row else None

    def operators(self) -> list[dict]:
        with self._read():
            rows = self._exec(
                "SELECT o.name, o.created, o.password_changed, o.last_login,"
                " (SELECT count(*) FROM admin_sessions s WHERE s.operator = o.name AND s.expires > ?)"
                " FROM operators o ORDER BY o.name",
                (self._dt_in(self._now()),),
            ).fetchall()
        return [{"name": r[0], "created": self._dt_out(r[1]),
                 "password_changed": self._dt_out(r[2]), "last_login": self._dt_out(r[3]),
                 "sessions": int(r[4])} for r in rows]

    # -- sessions --------------------------------------------------------------------------
    def start_admin_session(self, token_hash: str, operator: str, csrf: str, expires: datetime,
                            *, replaces: str | None = None, now: datetime | None = None) -> None:
        now_v = self._dt_in(now or self._now())
        with self._write():
            # Expired sessions go when someone logs in: the table never grows without end.
            self._exec("DELETE FROM admin_sessions WHERE expires <= ?", (now_v,))
            if replaces:
                self._exec("DELETE FROM admin_sessions WHERE token_hash = ?", (replaces,))
            self._exec(
                "INSERT INTO admin_sessions (token_hash, operator, csrf, created, expires,"
                " last_seen) VALUES (?, ?, ?, ?, ?, ?)",
                (token_hash, operator, csrf, now_v, self._dt_in(expires), now_v),
            )
            self._exec("UPDATE operators SET last_login = ? WHERE name = ?", (now_v, operator))

    def admin_session(self, token_hash: str, now: datetime | None = None) -> dict | None:
        now = now or self._now()
        with self._read():
            row = self._exec(
                "SELECT operator, csrf, created, expires, last_seen FROM admin_sessions"
                " WHERE token_hash = ?", (token_hash,),
            ).fetchone()
        if row is None:
            return None
        session = {"operator": row[0], "csrf": row[1], "created": self._dt_out(row[2]),
                   "expires": self._dt_out(row[3]), "last_seen": self._dt_out(row[4])}
        if session["expires"] <= now:
            self.end_admin_session(token_hash)
            return None
        if now - session["last_seen"] >= _LAST_SEEN_EVERY:
            with self._write():
                self._exec("UPDATE admin_sessions SET last_seen = ? WHERE token_hash = ?",
                           (self._dt_in(now), token_hash))
            session["last_seen"] = now
        return session

    def end_admin_session(self, token_hash: str) -> bool:
        with self._write():
            cur = self._exec("DELETE FROM admin_sessions WHERE token_hash = ?", (token_hash,))
        return cur.rowcount > 0

    # -- login attempts and lockouts -------------------------------------------------------
    def _serialise_logins(self) -> None:
        # Two simultaneous attempts must see each other's rows: PostgreSQL takes turns on
        # the table; SQLite's write transaction already holds its only write lock.
        if self.dialect == "postgres":
            self._exec("LOCK TABLE admin_login_failures IN SHARE ROW EXCLUSIVE MODE")

    def _failures_since_lockout(self, key: str, now: datetime, window: timedelta) -> tuple[int, datetime | None]:
        """(failures counted for ``key``, the end of its lockout if it is locked now)."""
        row = self._exec("SELECT locked_until FROM admin_lockouts WHERE key = ?", (key,)).fetchone()
        start = now - window
        until = self._dt_out(row[0]) if row else None
        if until is not None:
            if until > now:
                return 0, until
            start = max(start, until)  # failures before a lockout ended are spent
        n = self._exec("SELECT count(*) FROM admin_login_failures WHERE key = ? AND at > ?",
                       (key, self._dt_in(start))).fetchone()[0]
        return int(n), None

    def login_attempt(self, keys: Sequence[str], *, limit: int, window: timedelta,
                      now: datetime | None = None) -> tuple[str | None, datetime | None]:
        now = now or self._now()
        with self._write():
            self._serialise_logins()
            old = self._dt_in(now - window)
            self._exec("DELETE FROM admin_login_failures WHERE at < ?", (old,))
            self._exec("DELETE FROM admin_lockouts WHERE locked_until < ?", (old,))
            for key in keys:
                failures, until = self._failures_since_lockout(key, now, window)
                if until is not None:
                    return None, until
                if failures >= limit:  # that many attempts are still being checked
                    return None, now + window
            attempt = secrets.token_hex(12)
            self._exec_many(
                "INSERT INTO admin_login_failures (key, attempt, at) VALUES (?, ?, ?)",
                [(key, attempt, self._dt_in(now)) for key in keys],
            )
        return attempt, None

    def login_failed(self, keys: Sequence[str], *, limit: int, window: timedelta,
                     now: datetime | None = None) -> list[str]:
        now = now or self._now()
        locked = []
        with self._write():
            self._serialise_logins()
            for key in keys:
                failures, until = self._failures_since_lockout(key, now, window)
                if until is None and failures >= limit:
                    self._exec(
                        "INSERT INTO admin_lockouts (key, since, locked_until) VALUES (?, ?, ?)"
                        " ON CONFLICT (key) DO UPDATE SET since = excluded.since,"
                        " locked_until = excluded.locked_until",
                        (key, self._dt_in(now), self._dt_in(now + window)),
                    )
                    locked.append(key)
        return locked

    def login_succeeded(self, attempt: str, forget: Sequence[str] = ()) -> None:
        with self._write():
            self._exec("DELETE FROM admin_login_failures WHERE attempt = ?", (attempt,))
            for key in forget:
                self._exec("DELETE FROM admin_login_failures WHERE key = ?", (key,))

    # -- outlets added or edited in the console --------------------------------------------
    def save_operator_source(self, source: Source, operator: str) -> None:
        from akhbar.store._sql import source_config

        with self._write():
            self._exec(
                "INSERT INTO operator_sources (id, config, updated, operator) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET config = excluded.config,"
                " updated = excluded.updated, operator = excluded.operator",
                (source.id, source_config(source), self._dt_in(self._now()), operator),
            )

    def operator_sources(self) -> list[Source]:
        from akhbar.store._sql import source_from_config

        with self._read():
            rows = self._exec("SELECT config FROM operator_sources ORDER BY id").fetchall()
        return [source_from_config(r[0]) for r in rows]

    def operator_source_changes(self) -> dict[str, tuple[datetime, str]]:
        with self._read():
            rows = self._exec("SELECT id, updated, operator FROM operator_sources").fetchall()
        return {r[0]: (self._dt_out(r[1]), r[2]) for r in rows}
