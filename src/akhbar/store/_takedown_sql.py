"""Operators' take-downs of articles and their undoing (migration 0006).

A mixin of ``SQLStore`` (see ``akhbar.store.base`` for the methods' contracts). A
take-down moves the whole article out of every table the site reads into ``takedowns``
(as JSON, so restore_article can put it back as it was) and its URLs into
``takedown_urls``, which known_urls and add_article consult so it is never ingested again.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from akhbar.errors import StorageError
from akhbar.types import Takedown

TAKEDOWN_COLUMNS = "id, article_id, url, source_id, title, reason, operator, at, restored_at"
# Columns of articles a take-down keeps besides ARTICLE_COLUMNS (the search vector is
# rebuilt from the text).
_EXTRA_COLUMNS = ("fetched_url", "content_hash", "minhash")
# The article columns restore_article writes back, in the JSON's names.
_RESTORED = (
    "id", "url", "source_id", "title", "text", "html", "summary", "author", "image", "tags",
    "lang", "lang_hint", "published", "updated", "first_seen", "date_source", "fetched_url",
    "content_hash", "minhash", "copy_of", "similarity", "section",
)
_DATES = ("published", "updated", "first_seen")


class TakedownSQL:
    """Store methods for this part of the schema; uses SQLStore's hooks."""

    # -- taking down -----------------------------------------------------------------------
    def take_down(self, article_id: int, operator: str, reason: str) -> Takedown:
        from akhbar.parse.urls import url_key
        from akhbar.store._sql import ARTICLE_COLUMNS

        reason, operator = (reason or "").strip(), (operator or "").strip()
        if not reason:
            raise StorageError("a take-down needs a reason")
        if not operator:
            raise StorageError("a take-down needs the operator's name")
        names = [c.strip() for c in ARTICLE_COLUMNS.split(",")] + list(_EXTRA_COLUMNS)
        with self._write():
            # Its story is recounted here: no story builder may work on it meanwhile.
            self._story_lock()
            # PostgreSQL: the row locked, no other worker can record an alias of it (its
            # foreign key check waits) between reading the aliases and deleting them.
            lock = " FOR UPDATE" if self.dialect == "postgres" else ""
            row = self._exec(
                f"SELECT {', '.join(names)} FROM articles WHERE id = ?{lock}", (article_id,)
            ).fetchone()
            if row is None:
                raise StorageError(f"unknown article {article_id}")
            kept = self._takedown_json(dict(zip(names, row, strict=True)))
            aliases = [r[0] for r in self._exec(
                "SELECT url FROM article_urls WHERE article_id = ? ORDER BY url", (article_id,))]
            kept["aliases"] = aliases
            kept["bands"] = [r[0] for r in self._exec(
                "SELECT band FROM article_bands WHERE article_id = ? ORDER BY band",
                (article_id,))]
            member = self._exec(
                "SELECT story_id, score FROM story_articles WHERE article_id = ?", (article_id,)
            ).fetchone()
            kept["story_id"] = int(member[0]) if member else None
            kept["story_score"] = float(member[1]) if member and member[1] is not None else None
            copies = [int(r[0]) for r in self._exec(
                "SELECT id FROM articles WHERE copy_of = ? ORDER BY id", (article_id,))]
            kept["copies"] = copies
            at = self._now()
            takedown_id = int(self._exec(
                "INSERT INTO takedowns (article_id, url, source_id, title, reason, operator, at,"
                " article) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (article_id, kept["url"], kept["source_id"], kept["title"], reason, operator,
                 self._dt_in(at), json.dumps(kept, ensure_ascii=False, sort_keys=True)),
            ).fetchone()[0])
            # The crawler asks known_urls by url_key (no scheme): that key is refused too,
            # even for an article stored without it among its aliases.
            refused = [kept["url"], url_key(kept["url"]), *aliases]
            self._takedown_many(
                "INSERT INTO takedown_urls (url, takedown_id) VALUES (?, ?)"
                " ON CONFLICT (url) DO NOTHING",
                [(u, takedown_id) for u in dict.fromkeys(refused)],
            )
            promoted = self._takedown_promote_copy(copies) if copies else None
            self._search.before_delete(article_id, kept["title"], kept["text"], kept["lang"])
            if member is not None:
                self._exec("DELETE FROM story_articles WHERE article_id = ?", (article_id,))
            for table in ("story_queue", "article_bands", "article_urls"):
                self._exec(f"DELETE FROM {table} WHERE article_id = ?", (article_id,))
            self._exec("DELETE FROM articles WHERE id = ?", (article_id,))
            if member is not None:
                self._takedown_recount_story(int(member[0]), kept, promoted)
            item_id = self._takedown_item_state(
                article_id, "taken_down", operator, reason, at)
            self._takedown_audit(operator, "take_down", item_id, {
                "takedown_id": takedown_id, "article_id": article_id, "url": kept["url"],
                "title": kept["title"], "reason": reason, "copy_promoted": promoted,
            }, at)
            self._takedown_bump_version()
        return Takedown(takedown_id, article_id, kept["url"], kept["source_id"], kept["title"],
                        reason, operator, self._dt_out(self._dt_in(at)), None)  # type: ignore[arg-type]

    def _takedown_json(self, values: dict[str, Any]) -> dict[str, Any]:
        """An articles row as JSON values: dates as ISO text, the signature as hex."""
        out = dict(values)
        for name in _DATES:
            dt = self._dt_out(out[name])
            out[name] = dt.isoformat() if dt is not None else None
        out["tags"] = json.loads(out["tags"])
        out["minhash"] = bytes(out["minhash"] or b"").hex()
        out["id"] = int(out["id"])
        out["copy_of"] = int(out["copy_of"]) if out["copy_of"] is not None else None
        out["similarity"] = float(out["similarity"]) if out["similarity"] is not None else None
        return out

    def _takedown_promote_copy(self, copies: Sequence[int]) -> int:
        """The oldest copy becomes the original (a near-duplicate candidate from now on);
        the other copies point to it."""
        from akhbar.enrich.fingerprint import lsh_bands

        new = copies[0]
        self._exec("UPDATE articles SET copy_of = NULL, similarity = NULL WHERE id = ?", (new,))
        if len(copies) > 1:
            marks = ", ".join("?" * (len(copies) - 1))
            self._exec(f"UPDATE articles SET copy_of = ? WHERE id IN ({marks})",
                       (new, *copies[1:]))
        minhash = self._exec("SELECT minhash FROM articles WHERE id = ?", (new,)).fetchone()[0]
        bands = lsh_bands(bytes(minhash or b""))
        if bands:
            self._takedown_many(
                "INSERT INTO article_bands (band, article_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                [(band, new) for band in bands])
        return new

    def _takedown_recount_story(self, story_id: int, gone: dict[str, Any], promoted: int | None) -> None:
        """Recount a story an article just left, from its remaining members. Emptied, it
        keeps its row (ids are never reused) with no article, no keys and no centroid:
        every listing and the candidate search skip it."""
        from akhbar.stories import lexical

        rows = self._exec(
            "SELECT a.id, a.source_id, a.lang, coalesce(a.published, a.first_seen)"
            " FROM story_articles sa JOIN articles a ON a.id = sa.article_id"
            " WHERE sa.story_id = ?", (story_id,),
        ).fetchall()
        if not rows:
            self._exec(
                "UPDATE stories SET n_articles = 0, n_outlets = 0, langs = '', embedder = NULL,"
                " n_vectors = 0, centroid = NULL WHERE id = ?", (story_id,))
            self._exec("DELETE FROM story_keys WHERE story_id = ?", (story_id,))
            return
        times = [self._dt_out(r[3]) for r in rows]
        self._exec(
            "UPDATE stories SET n_articles = ?, n_outlets = ?, langs = ?, first_seen = ?,"
            " last_seen = ? WHERE id = ?",
            (len(rows), len({r[1] for r in rows}), ",".join(sorted({r[2] for r in rows})),
             self._dt_in(min(times)), self._dt_in(max(times)), story_id),
        )
        # Its words no longer speak for the story (the builder counted an original's keys
        # only). The centroid keeps its vector: it cannot be subtracted without the model.
        if gone["copy_of"] is None:
            keys = lexical.keys(gone["title"], gone["text"], gone["lang"], gone["summary"])
            self._takedown_many(
                "UPDATE story_keys SET n = n - 1 WHERE key = ? AND story_id = ?",
                [(k, story_id) for k in keys])
            self._exec("DELETE FROM story_keys WHERE story_id = ? AND n <= 0", (story_id,))
        if promoted is not None and any(int(r[0]) == promoted for r in rows):
            # The copy now speaks for itself: its keys count as an original's would.
            a = self._exec(
                "SELECT title, text, lang, summary, coalesce(published, first_seen)"
                " FROM articles WHERE id = ?", (promoted,)).fetchone()
            self._takedown_many(
                "INSERT INTO story_keys (key, story_id, n, last_seen) VALUES (?, ?, 1, ?)"
                " ON CONFLICT (key, story_id) DO UPDATE SET n = story_keys.n + 1",
                [(k, story_id, a[4]) for k in lexical.keys(a[0], a[1], a[2], a[3])])
        self._refresh_story_section(story_id)

    def _taken_down_id(self, urls: Sequence[str]) -> int | None:
        """Inside add_article's transaction: the id of the taken-down article one of these
        URLs leads to; its other URLs not yet known join the take-down's URLs."""
        marks = ", ".join("?" * len(urls))
        row = self._exec(
            "SELECT t.takedown_id, d.article_id FROM takedown_urls t"
            f" JOIN takedowns d ON d.id = t.takedown_id WHERE t.url IN ({marks}) LIMIT 1",
            tuple(urls),
        ).fetchone()
        if row is None:
            return None
        # A URL a stored article answers to stays that article's.
        self._takedown_many(
            "INSERT INTO takedown_urls (url, takedown_id) SELECT ?, ?"
            " WHERE NOT EXISTS (SELECT 1 FROM articles WHERE url = ?)"
            " AND NOT EXISTS (SELECT 1 FROM article_urls WHERE url = ?)"
            " ON CONFLICT (url) DO NOTHING",
            [(u, int(row[0]), u, u) for u in dict.fromkeys(urls)],
        )
        return int(row[1])

    # -- restoring -------------------------------------------------------------------------
    def restore_article(self, takedown_id: int, operator: str, reason: str) -> int:
        from akhbar.enrich.fingerprint import lsh_bands
        from akhbar.search.analyze import index_document

        reason, operator = (reason or "").strip(), (operator or "").strip()
        if not reason:
            raise StorageError("a restore needs a reason")
        if not operator:
            raise StorageError("a restore needs the operator's name")
        with self._write():
            self._story_lock()
            row = self._exec(
                "SELECT article_id, restored_at, article FROM takedowns WHERE id = ?",
                (takedown_id,),
            ).fetchone()
            if row is None:
                raise StorageError(f"unknown take-down {takedown_id}")
            if row[1] is not None:
                raise StorageError(f"take-down {takedown_id} was already restored")
            kept = json.loads(row[2])
            article_id = int(row[0])
            clash = self._exec("SELECT id FROM articles WHERE id = ? OR url = ?",
                               (article_id, kept["url"])).fetchone()
            if clash is not None:
                raise StorageError(
                    f"cannot restore article {article_id}: article {clash[0]} holds its id or URL")
            copy_of = self._takedown_original(kept["copy_of"])
            similarity = kept["similarity"] if copy_of is not None else None
            values = dict(kept, copy_of=copy_of, similarity=similarity)
            for name in _DATES:
                values[name] = self._dt_in(_parse_dt(values[name]))
            values["tags"] = json.dumps(list(values["tags"]), ensure_ascii=False)
            values["minhash"] = bytes.fromhex(values["minhash"])
            title_terms, body_terms = index_document(kept["title"], kept["text"], kept["lang"])
            search_cols, search_marks, search_values = self._search.insert_columns(
                title_terms, body_terms)
            self._exec(
                f"INSERT INTO articles ({', '.join(_RESTORED)}{search_cols})"
                f" VALUES ({', '.join('?' * len(_RESTORED))}{search_marks})",
                (*(values[c] for c in _RESTORED), *search_values),
            )
            self._search.after_restore(article_id, title_terms, body_terms)
            # Every URL that led to it, the ones add_article refused meanwhile too.
            urls = [r[0] for r in self._exec(
                "SELECT url FROM takedown_urls WHERE takedown_id = ? ORDER BY url",
                (takedown_id,))]
            self._exec("DELETE FROM takedown_urls WHERE takedown_id = ?", (takedown_id,))
            self._add_aliases(article_id, [u for u in urls if u != kept["url"]])
            if copy_of is None:
                bands = kept.get("bands") or (
                    lsh_bands(values["minhash"]) if kept["copy_of"] is not None else ())
                self._takedown_many(
                    "INSERT INTO article_bands (band, article_id) VALUES (?, ?)"
                    " ON CONFLICT DO NOTHING", [(b, article_id) for b in bands])
            self._exec("INSERT INTO story_queue (article_id) VALUES (?)", (article_id,))
            at = self._now()
            self._exec("UPDATE takedowns SET restored_at = ? WHERE id = ?",
                       (self._dt_in(at), takedown_id))
            item_id = self._takedown_item_state(article_id, "cleared", operator, reason, at)
            self._takedown_audit(operator, "restore", item_id, {
                "takedown_id": takedown_id, "article_id": article_id, "url": kept["url"],
                "title": kept["title"], "reason": reason,
            }, at)
            self._takedown_bump_version()
        return article_id

    def _takedown_original(self, copy_of: int | None) -> int | None:
        """Whom a restored copy is a copy of: its original, or, when that was taken down
        since, the copy that replaced it (the one take_down promoted); None when none is
        left. A stored original that became a copy meanwhile hands over to its own."""
        for _ in range(100):  # a chain of take-downs, never a cycle; bounded all the same
            if copy_of is None:
                return None
            found = self._exec("SELECT copy_of FROM articles WHERE id = ?", (copy_of,)).fetchone()
            if found is not None:
                return int(found[0]) if found[0] is not None else copy_of
            row = self._exec(
                "SELECT article FROM takedowns WHERE article_id = ? AND restored_at IS NULL"
                " ORDER BY id DESC LIMIT 1", (copy_of,)).fetchone()
            copies = json.loads(row[0]).get("copies") if row else None
            copy_of = int(copies[0]) if copies else None
        return None

    # -- reading ---------------------------------------------------------------------------
    def takedowns(self, limit: int = 50, offset: int = 0) -> list[Takedown]:
        with self._read():
            rows = self._exec(
                f"SELECT {TAKEDOWN_COLUMNS} FROM takedowns ORDER BY id DESC LIMIT ? OFFSET ?",
                (max(0, limit), max(0, offset)),
            ).fetchall()
        return [self._takedown(r) for r in rows]

    def takedown_of_article(self, article_id: int) -> Takedown | None:
        with self._read():
            row = self._exec(
                f"SELECT {TAKEDOWN_COLUMNS} FROM takedowns"
                " WHERE article_id = ? AND restored_at IS NULL ORDER BY id DESC LIMIT 1",
                (article_id,),
            ).fetchone()
        return self._takedown(row) if row else None

    def _takedown(self, r: Sequence[Any]) -> Takedown:
        return Takedown(
            id=int(r[0]), article_id=int(r[1]), url=r[2], source_id=r[3], title=r[4],
            reason=r[5], operator=r[6], at=self._dt_out(r[7]),  # type: ignore[arg-type]
            restored_at=self._dt_out(r[8]),
        )

    # -- helpers (names prefixed: the other mixins of SQLStore have their own) -----------
    def _takedown_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self._exec_many(sql, rows)

    def _takedown_item_state(self, article_id: int, state: str, operator: str, reason: str,
                             at) -> int | None:
        """The article's moderation item (reported by readers), if any, takes ``state``;
        its count starts again. Returns its id."""
        row = self._exec(
            "UPDATE moderation_items SET state = ?, counted = 0, decided_at = ?,"
            " decided_by = ?, reason = ? WHERE kind = 'article' AND target = ? RETURNING id",
            (state, self._dt_in(at), operator, reason, str(article_id)),
        ).fetchone()
        return int(row[0]) if row else None

    def _takedown_audit(self, operator: str, action: str, item_id: int | None,
                        detail: dict, at) -> None:
        self._exec(
            "INSERT INTO audit_log (at, actor, action, item_id, detail) VALUES (?, ?, ?, ?, ?)",
            (self._dt_in(at), f"operator:{operator}", action, item_id,
             json.dumps(detail, ensure_ascii=False, sort_keys=True)),
        )

    def _takedown_bump_version(self) -> None:
        # Text in site_state; the site's caches and ETags follow it.
        self._exec(
            "UPDATE site_state SET value = CAST(CAST(value AS bigint) + 1 AS text)"
            " WHERE name = 'moderation_version'")


def _parse_dt(value: str | None):
    from datetime import datetime

    return datetime.fromisoformat(value) if value else None
