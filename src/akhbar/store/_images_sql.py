"""Perceptual hashes of blocked and crawled images (migration 0006).

A mixin of ``SQLStore`` (see ``akhbar.store.base`` for the methods' contracts). The caller
is the crawler's image check, akhbar.moderate.images.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from akhbar.errors import StorageError

# An image_hashes.error starting so: the image check stopped trying that URL; blocked items
# whose image it gave up on no longer come back from blocked_images_unhashed.
GAVE_UP = "gave up"
_PHASH = re.compile(r"[0-9a-f]{16}")
_CHUNK = 500


def _valid_phash(phash: str) -> str:
    if not isinstance(phash, str) or not _PHASH.fullmatch(phash):
        raise StorageError(f"not a perceptual hash (16 lower-case hex digits): {phash!r}")
    return phash


class ImagesSQL:
    """Store methods for this part of the schema; uses SQLStore's hooks."""

    def blocked_image_hashes(self) -> list[tuple[int, str]]:
        with self._read():
            rows = self._exec(
                "SELECT id, phash FROM moderation_items WHERE kind = 'image' AND state = 'blocked'"
                " AND phash IS NOT NULL AND match_of IS NULL ORDER BY id"
            ).fetchall()
        return [(int(r[0]), r[1]) for r in rows]

    def blocked_images_unhashed(self, limit: int = 50) -> list[tuple[int, str]]:
        # Never tried first, then the longest since their last try (the ones due a retry).
        with self._read():
            rows = self._exec(
                "SELECT m.id, m.target FROM moderation_items m"
                " LEFT JOIN image_hashes h ON h.url = m.target"
                " WHERE m.kind = 'image' AND m.state = 'blocked' AND m.phash IS NULL"
                " AND (h.error IS NULL OR h.error NOT LIKE ?)"
                " ORDER BY CASE WHEN h.url IS NULL THEN 0 ELSE 1 END, h.checked, m.id LIMIT ?",
                (GAVE_UP + "%", limit),
            ).fetchall()
        return [(int(r[0]), r[1]) for r in rows]

    def set_item_phash(self, item_id: int, phash: str) -> None:
        phash = _valid_phash(phash)
        with self._write():
            updated = self._exec(
                "UPDATE moderation_items SET phash = ? WHERE id = ? AND kind = 'image'",
                (phash, item_id),
            ).rowcount
        if not updated:
            raise StorageError(f"no image item {item_id}")

    def image_hashes(self, urls: Iterable[str]) -> dict[str, str | None]:
        wanted = list(dict.fromkeys(u for u in urls if u))
        found: dict[str, str | None] = {}
        with self._read():
            for i in range(0, len(wanted), _CHUNK):
                part = wanted[i : i + _CHUNK]
                rows = self._exec(
                    f"SELECT url, phash FROM image_hashes WHERE url IN ({', '.join('?' * len(part))})",
                    part,
                ).fetchall()
                found.update((r[0], r[1]) for r in rows)
        return found

    def image_errors(self, urls: Iterable[str]) -> dict[str, tuple[str, datetime]]:
        wanted = list(dict.fromkeys(u for u in urls if u))
        found: dict[str, tuple[str, datetime]] = {}
        with self._read():
            for i in range(0, len(wanted), _CHUNK):
                part = wanted[i : i + _CHUNK]
                rows = self._exec(
                    "SELECT url, error, checked FROM image_hashes WHERE phash IS NULL"
                    f" AND url IN ({', '.join('?' * len(part))})",
                    part,
                ).fetchall()
                found.update((r[0], (r[1] or "", self._dt_out(r[2]))) for r in rows)
        return found

    def save_image_hash(self, url: str, phash: str | None, error: str | None = None) -> None:
        if not url:
            raise StorageError("an image hash needs the image's URL")
        if phash is not None:
            phash, error = _valid_phash(phash), None
        elif not error:
            error = "unreadable"
        with self._write():
            self._exec(
                "INSERT INTO image_hashes (url, phash, checked, error) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (url) DO UPDATE SET phash = excluded.phash,"
                " checked = excluded.checked, error = excluded.error",
                (url, phash, self._dt_in(self._now()), error),
            )

    def article_images(self, after_id: int, limit: int = 500,
                       since: datetime | None = None) -> list[tuple[int, str]]:
        where, params = ["a.id > ?", "a.image IS NOT NULL", "a.image <> ''"], [after_id]
        if since is not None:
            where.append("a.first_seen >= ?")
            params.append(self._dt_in(since))
        with self._read():
            rows = self._exec(
                "SELECT a.id, a.image FROM articles a WHERE " + " AND ".join(where) +
                " AND NOT EXISTS (SELECT 1 FROM moderation_items m WHERE m.kind = 'image'"
                " AND m.target = a.image AND m.state = 'blocked') ORDER BY a.id LIMIT ?",
                (*params, limit),
            ).fetchall()
        return [(int(r[0]), r[1]) for r in rows]

    def block_image_copy(self, url: str, article_id: int, of_item: int, distance: int) -> int | None:
        now = self._dt_in(self._now())
        # PostgreSQL: the original's row is locked (shared) until commit, so an operator's
        # unblock of it (decide locks it for update and clears its copies) runs wholly
        # before or wholly after this block, never in between.
        lock = " FOR SHARE" if self.dialect == "postgres" else ""
        with self._write():
            original = self._exec(
                f"SELECT target, state FROM moderation_items WHERE id = ? AND kind = 'image'{lock}",
                (of_item,),
            ).fetchone()
            if original is None:
                raise StorageError(f"no image item {of_item} to be a copy of")
            if original[1] != "blocked":
                return None  # unblocked since the image check read the blocked hashes
            reason = f"copy of blocked image {of_item} ({distance} bits apart)"
            known_hash = "(SELECT phash FROM image_hashes WHERE url = ?)"
            # A new item, or (the insert met an existing one) an item no operator decided.
            row = self._exec(
                "INSERT INTO moderation_items (kind, target, article_id, state, phash, match_of,"
                " decided_at, decided_by, reason)"
                f" VALUES ('image', ?, ?, 'blocked', {known_hash}, ?, ?, 'system', ?)"
                " ON CONFLICT (kind, target) DO NOTHING RETURNING id",
                (url, article_id, url, of_item, now, reason),
            ).fetchone()
            if row is None:
                row = self._exec(
                    "UPDATE moderation_items SET state = 'blocked', match_of = ?, decided_at = ?,"
                    f" decided_by = 'system', reason = ?, phash = coalesce(phash, {known_hash})"
                    " WHERE kind = 'image' AND target = ? AND state IN ('open', 'queued')"
                    " AND (decided_by IS NULL OR decided_by IN ('auto', 'system')) RETURNING id",
                    (of_item, now, reason, url, url),
                ).fetchone()
            if row is None:
                current = self._exec(
                    "SELECT id, state FROM moderation_items WHERE kind = 'image' AND target = ?",
                    (url,),
                ).fetchone()
                # Blocked already: nothing to do. Otherwise an operator decided: theirs stands.
                return int(current[0]) if current is not None and current[1] == "blocked" else None
            item_id = int(row[0])
            detail = {"copy_of": of_item, "copy_of_url": original[0], "distance": distance,
                      "url": url, "article_id": article_id}
            # ModerationSQL's helpers: the same audit rows and version as every decision,
            # so the site's caches drop the copy at once.
            self._audit_row("system", "block", item_id=item_id, detail=detail, at=now)
            self._bump_moderation_version()
        return item_id
