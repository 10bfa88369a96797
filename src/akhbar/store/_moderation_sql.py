"""Reports, moderation items, decisions and the audit log (migration 0006).

A mixin of ``SQLStore`` (see ``akhbar.store.base`` for the methods' contracts).

One report is judged in one write transaction that first upserts its item: on PostgreSQL
``INSERT … ON CONFLICT … DO UPDATE`` takes the item's row lock, so every later report on
the same item waits for this one to commit and then sees it; on SQLite ``BEGIN IMMEDIATE``
holds the database's one write lock. Either way the reports on an item are judged one
after another, and the report that reaches the threshold is the only one that sees the
item still open: the image is blocked exactly once.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from akhbar.errors import StorageError
from akhbar.types import (
    MODERATION_STATES,
    REPORT_KINDS,
    AuditEntry,
    ModerationItem,
    ReportIn,
    ReportOutcome,
    ReportPolicy,
)

ITEM_COLUMNS = (
    "id, kind, target, article_id, state, counted, reports, phash, match_of, first_report,"
    " last_report, decided_at, decided_by, reason"
)
AUDIT_COLUMNS = "id, at, actor, action, item_id, report_id, detail"
# The per-reader and per-network limits count the reports of this long before.
RATE_WINDOW = timedelta(hours=1)
DECISIONS = ("block", "unblock")
# States in which an item takes no more counted reports: it was decided already.
CLOSED_STATES = ("blocked", "taken_down")
# PostgreSQL advisory-lock classes (two-int form, a key space apart from the one-bigint
# story and migration locks): one reader's, one network's reports are judged in turn.
_READER_LOCK = 0x72656164  # "read"
_NETWORK_LOCK = 0x6E657477  # "netw"


def reader_actor(reporter_key: str) -> str:
    """How the audit log names an anonymous reader: 12 hex digits of their keyed hash."""
    return "reader:" + (reporter_key or "")[:12]


class ModerationSQL:
    """Moderation methods of the Store protocol; uses SQLStore's hooks."""

    # -- the HMAC key ---------------------------------------------------------------------
    def moderation_key(self) -> bytes:
        key = self.__dict__.get("_moderation_key")
        if key is not None:
            return key
        with self._read():
            row = self._exec("SELECT value FROM site_state WHERE name = 'report_key'").fetchone()
        if row is None:
            # Two processes starting at once may both try: the first insert wins and both
            # read it back, so every process hashes with the same key.
            with self._write():
                self._exec(
                    "INSERT INTO site_state (name, value) VALUES ('report_key', ?)"
                    " ON CONFLICT (name) DO NOTHING",
                    (secrets.token_hex(32),),
                )
                row = self._exec(
                    "SELECT value FROM site_state WHERE name = 'report_key'").fetchone()
        key = self.__dict__["_moderation_key"] = bytes.fromhex(row[0])
        return key

    # -- reports --------------------------------------------------------------------------
    def record_report(self, report: ReportIn, policy: ReportPolicy,
                      now: datetime | None = None) -> ReportOutcome:
        if report.kind not in REPORT_KINDS:
            raise StorageError(f"a report is about an image or an article, not {report.kind!r}")
        if not report.target or not report.reporter_key or not report.network_key:
            raise StorageError("a report needs a target, a reporter_key and a network_key")
        if policy.threshold < 1:
            raise StorageError(f"report threshold must be at least 1, not {policy.threshold}")
        now = now or self._now()
        at = self._dt_in(now)
        with self._write():
            if self._exec("SELECT 1 FROM articles WHERE id = ?",
                          (report.article_id,)).fetchone() is None:
                raise StorageError(f"unknown article {report.article_id}")
            # Takes the item's row lock (PostgreSQL) until commit; see the module's docstring.
            row = self._exec(
                "INSERT INTO moderation_items (kind, target, article_id, reports, first_report,"
                " last_report) VALUES (?, ?, ?, 1, ?, ?)"
                " ON CONFLICT (kind, target) DO UPDATE SET"
                " reports = moderation_items.reports + 1, last_report = excluded.last_report"
                " RETURNING id, state, counted, decided_at",
                (report.kind, report.target, report.article_id, at, at),
            ).fetchone()
            item_id, state, counted = int(row[0]), row[1], int(row[2])
            decided_at = row[3]  # as stored: compared in SQL below
            self._reader_locks(report.reporter_key, report.network_key)

            if state in CLOSED_STATES:
                outcome = "closed"
            elif (self._recent(report.reporter_key, "reporter_key", now, policy.reader_limit)
                  or self._recent(report.network_key, "network_key", now, policy.network_limit)):
                outcome = "rate_limited"
            elif self._counted_before(item_id, report, decided_at):
                outcome = "repeat"
            else:
                outcome = "counted"

            report_id = int(self._exec(
                "INSERT INTO reports (kind, article_id, image_url, reason, created, reporter_key,"
                " network_key, item_id, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (report.kind, report.article_id,
                 report.target if report.kind == "image" else None, report.reason, at,
                 report.reporter_key, report.network_key, item_id, outcome),
            ).fetchone()[0])
            if outcome == "counted":
                counted += 1
                self._exec("UPDATE moderation_items SET counted = ? WHERE id = ?",
                           (counted, item_id))
            self._audit_row(reader_actor(report.reporter_key), "report", item_id=item_id,
                            report_id=report_id, at=at, detail={
                                "outcome": outcome, "reason": report.reason,
                                "kind": report.kind, "article_id": report.article_id,
                                "counted": counted})

            blocked_now = queued_now = False
            if outcome == "counted" and state in ("open", "cleared") \
                    and counted >= policy.threshold:
                why = None
                if report.kind == "article":
                    why = "article"  # only an operator takes an article down
                elif state == "cleared":
                    why = "cleared before"  # an operator kept it once: theirs to decide
                elif self._counted_since(now - timedelta(seconds=policy.burst_window),
                                         policy.burst_limit) > policy.burst_limit:
                    why = "burst"  # many reports at once site-wide: maybe a campaign
                detail = {"counted": counted, "threshold": policy.threshold}
                if why is None:
                    self._exec(
                        "UPDATE moderation_items SET state = 'blocked', decided_at = ?,"
                        " decided_by = 'auto', reason = 'threshold' WHERE id = ?",
                        (at, item_id))
                    self._audit_row("auto", "block", item_id=item_id, report_id=report_id,
                                    at=at, detail=detail)
                    state, blocked_now = "blocked", True
                else:
                    self._exec("UPDATE moderation_items SET state = 'queued', reason = ?"
                               " WHERE id = ?", (why, item_id))
                    self._audit_row("auto", "queue", item_id=item_id, report_id=report_id,
                                    at=at, detail={**detail, "why": why})
                    state, queued_now = "queued", True
                self._bump_moderation_version()
        return ReportOutcome(report_id=report_id, item_id=item_id, outcome=outcome, state=state,
                             counted=counted, blocked_now=blocked_now, queued_now=queued_now)

    def _reader_locks(self, reporter_key: str, network_key: str) -> None:
        """PostgreSQL: judge one reader's (one network's) reports in turn, so two racing
        reports on different items cannot both slip under the same rate limit. Always taken
        after the item's row lock and reader before network: no lock cycle. SQLite: the
        write lock already serialises every report."""
        if self.dialect != "postgres":
            return
        self._exec("SELECT pg_advisory_xact_lock(?, hashtext(?)),"
                   " pg_advisory_xact_lock(?, hashtext(?))",
                   (_READER_LOCK, reporter_key, _NETWORK_LOCK, network_key))

    def _recent(self, key: str, column: str, now: datetime, limit: int) -> bool:
        """Whether ``key`` made ``limit`` reports (of any outcome) in the last hour."""
        if limit <= 0:
            return True
        found = self._exec(
            f"SELECT count(*) FROM (SELECT 1 FROM reports WHERE {column} = ? AND created > ?"
            " AND created <= ? LIMIT ?) AS r",
            (key, self._dt_in(now - RATE_WINDOW), self._dt_in(now), limit),
        ).fetchone()[0]
        return int(found) >= limit

    def _counted_before(self, item_id: int, report: ReportIn, decided_at: Any) -> bool:
        """A report counted on the item since its last decision by this reader or network."""
        sql = ("SELECT 1 FROM reports WHERE item_id = ? AND outcome = 'counted'"
               " AND (reporter_key = ? OR network_key = ?)")
        params: list[Any] = [item_id, report.reporter_key, report.network_key]
        if decided_at is not None:
            sql += " AND created > ?"
            params.append(decided_at)
        return self._exec(sql + " LIMIT 1", params).fetchone() is not None

    def _counted_since(self, since: datetime, limit: int) -> int:
        """Reports counted site-wide since ``since``, counting stops past ``limit``."""
        return int(self._exec(
            "SELECT count(*) FROM (SELECT 1 FROM reports WHERE outcome = 'counted'"
            " AND created > ? LIMIT ?) AS r",
            (self._dt_in(since), max(0, limit) + 1),
        ).fetchone()[0])

    # -- state shared with the take-downs and image checks -------------------------------
    def _bump_moderation_version(self) -> None:
        """Inside a write transaction: the site's caches and ETags follow this number."""
        self._exec("UPDATE site_state SET value = CAST(CAST(value AS bigint) + 1 AS text)"
                   " WHERE name = 'moderation_version'")

    def _audit_row(self, actor: str, action: str, *, item_id: int | None = None,
                   report_id: int | None = None, detail: dict | None = None,
                   at: Any = None) -> None:
        """Inside a write transaction: one audit entry (``at`` as _dt_in gives it)."""
        self._exec(
            "INSERT INTO audit_log (at, actor, action, item_id, report_id, detail)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (at if at is not None else self._dt_in(self._now()), actor, action, item_id,
             report_id, json.dumps(detail or {}, ensure_ascii=False, sort_keys=True)),
        )

    def moderation_version(self) -> int:
        with self._read():
            row = self._exec(
                "SELECT value FROM site_state WHERE name = 'moderation_version'").fetchone()
        return int(row[0]) if row else 0

    def blocked_images(self) -> frozenset[str]:
        with self._read():
            rows = self._exec("SELECT target FROM moderation_items"
                              " WHERE kind = 'image' AND state = 'blocked'").fetchall()
        return frozenset(r[0] for r in rows)

    # -- the operator's side --------------------------------------------------------------
    def moderation_items(self, states: Sequence[str] = ("queued", "open", "blocked"),
                         limit: int = 50, offset: int = 0) -> list[ModerationItem]:
        states = list(dict.fromkeys(states))
        unknown = set(states) - set(MODERATION_STATES)
        if unknown:
            raise StorageError(f"unknown moderation states {sorted(unknown)}")
        if not states:
            return []
        marks = ", ".join("?" * len(states))
        with self._read():
            rows = self._exec(
                f"SELECT {ITEM_COLUMNS} FROM moderation_items WHERE state IN ({marks})"
                " ORDER BY CASE WHEN state = 'queued' THEN 0 ELSE 1 END,"
                " last_report IS NULL, last_report DESC, id DESC LIMIT ? OFFSET ?",
                (*states, max(0, limit), max(0, offset)),
            ).fetchall()
        return [self._moderation_item(r) for r in rows]

    def moderation_item(self, item_id: int) -> ModerationItem | None:
        with self._read():
            row = self._exec(f"SELECT {ITEM_COLUMNS} FROM moderation_items WHERE id = ?",
                             (item_id,)).fetchone()
        return self._moderation_item(row) if row else None

    def item_reports(self, item_id: int, limit: int = 100) -> list[dict]:
        with self._read():
            rows = self._exec(
                "SELECT id, created, reason, outcome, reporter_key, network_key, article_id"
                " FROM reports WHERE item_id = ? ORDER BY id DESC LIMIT ?",
                (item_id, max(0, limit)),
            ).fetchall()
        return [{"id": int(r[0]), "created": self._dt_out(r[1]), "reason": r[2],
                 "outcome": r[3], "reporter": (r[4] or "")[:12], "network": (r[5] or "")[:12],
                 "article_id": int(r[6])} for r in rows]

    def decide(self, item_id: int, action: str, operator: str, reason: str = "") -> ModerationItem:
        if action not in DECISIONS:
            raise StorageError(f"a decision is block or unblock, not {action!r}")
        operator = (operator or "").strip()
        if not operator:
            raise StorageError("a decision needs the operator's name")
        reason = (reason or "").strip()
        if action == "unblock" and not reason:
            raise StorageError("an unblock needs a reason (it is kept in the audit log)")
        at = self._dt_in(self._now())
        lock = " FOR UPDATE" if self.dialect == "postgres" else ""
        with self._write():
            row = self._exec(f"SELECT {ITEM_COLUMNS} FROM moderation_items WHERE id = ?{lock}",
                             (item_id,)).fetchone()
            if row is None:
                raise StorageError(f"no moderation item {item_id}")
            item = self._moderation_item(row)
            if item.state == "taken_down":
                raise StorageError(f"item {item_id}: its article was taken down; restore the"
                                   " article to undo that")
            if action == "block" and item.kind == "article":
                raise StorageError(f"item {item_id} is an article: take it down, or dismiss"
                                   " its reports with unblock")
            detail = {"from": item.state, "kind": item.kind, "reason": reason}
            if action == "block":
                logged = "confirm" if item.state == "blocked" else "block"
                self._exec("UPDATE moderation_items SET state = 'blocked', decided_at = ?,"
                           " decided_by = ?, reason = ? WHERE id = ?",
                           (at, operator, reason or None, item_id))
            else:
                logged = "unblock"
                # Counting starts again: only reports after decided_at count from now on.
                self._exec("UPDATE moderation_items SET state = 'cleared', counted = 0,"
                           " decided_at = ?, decided_by = ?, reason = ? WHERE id = ?",
                           (at, operator, reason, item_id))
            self._audit_row("operator:" + operator, logged, item_id=item_id, at=at,
                            detail=detail)
            if action == "unblock":
                self._clear_system_copies(item_id, operator, reason, at)
            if logged != "confirm":  # a confirmation changes nothing shown
                self._bump_moderation_version()
            row = self._exec(f"SELECT {ITEM_COLUMNS} FROM moderation_items WHERE id = ?",
                             (item_id,)).fetchone()
        return self._moderation_item(row)

    def _clear_system_copies(self, item_id: int, operator: str, reason: str, at: Any) -> None:
        """Inside decide's transaction: the images the crawler blocked as copies of an item
        the operator unblocks are cleared with it, each logged in the operator's name. A
        copy an operator decided on keeps that decision. PostgreSQL: the item's row lock
        (taken by decide) makes block_image_copy wait, so no copy slips in meanwhile."""
        lock = " FOR UPDATE" if self.dialect == "postgres" else ""
        copies = [int(r[0]) for r in self._exec(
            "SELECT id FROM moderation_items WHERE match_of = ? AND kind = 'image'"
            f" AND state = 'blocked' AND decided_by = 'system' ORDER BY id{lock}",
            (item_id,),
        ).fetchall()]
        why = f"copy of item {item_id} unblocked: {reason}"
        for copy_id in copies:
            self._exec("UPDATE moderation_items SET state = 'cleared', counted = 0,"
                       " decided_at = ?, decided_by = ?, reason = ? WHERE id = ?",
                       (at, operator, why, copy_id))
            self._audit_row("operator:" + operator, "unblock", item_id=copy_id, at=at,
                            detail={"from": "blocked", "kind": "image", "reason": why,
                                    "copy_of": item_id})

    # -- the audit log --------------------------------------------------------------------
    def audit_log(self, *, item_id: int | None = None, limit: int = 100,
                  before_id: int | None = None) -> list[AuditEntry]:
        where, params = [], []
        if item_id is not None:
            where.append("item_id = ?")
            params.append(item_id)
        if before_id is not None:
            where.append("id < ?")
            params.append(before_id)
        clause = ("WHERE " + " AND ".join(where)) if where else ""
        with self._read():
            rows = self._exec(
                f"SELECT {AUDIT_COLUMNS} FROM audit_log {clause} ORDER BY id DESC LIMIT ?",
                (*params, max(0, limit)),
            ).fetchall()
        return [AuditEntry(id=int(r[0]), at=self._dt_out(r[1]), actor=r[2], action=r[3],  # type: ignore[arg-type]
                           item_id=None if r[4] is None else int(r[4]),
                           report_id=None if r[5] is None else int(r[5]),
                           detail=_detail(r[6])) for r in rows]

    def audit(self, actor: str, action: str, *, item_id: int | None = None,
              report_id: int | None = None, detail: dict | None = None) -> None:
        if not actor or not action:
            raise StorageError("an audit entry needs an actor and an action")
        with self._write():
            self._audit_row(actor, action, item_id=item_id, report_id=report_id,
                            detail=detail)

    def _moderation_item(self, r: Sequence[Any]) -> ModerationItem:
        return ModerationItem(
            id=int(r[0]), kind=r[1], target=r[2], article_id=None if r[3] is None else int(r[3]),
            state=r[4], counted=int(r[5]), reports=int(r[6]), phash=r[7],
            match_of=None if r[8] is None else int(r[8]), first_report=self._dt_out(r[9]),
            last_report=self._dt_out(r[10]), decided_at=self._dt_out(r[11]),
            decided_by=r[12], reason=r[13],
        )


def _detail(text: str | None) -> dict:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {"text": text}
    return value if isinstance(value, dict) else {"value": value}
