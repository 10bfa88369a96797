"""Story storage shared by the SQLite and PostgreSQL stores (migration 0004).

A mixin of ``SQLStore``: it uses the same hooks (``_exec``, ``_write``, ``_dt_in``…). The
clustering decision itself lives in ``akhbar.stories``; the store only finds candidates
and writes what was decided, inside one transaction that holds the story lock, so that
"find candidates + join or create" never interleaves between two workers.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from akhbar.errors import StorageError
from akhbar.types import SECTIONS, StoredArticle, Story, StoryCandidate, StoryDecision

STORY_COLUMNS = "id, created, first_seen, last_seen, n_articles, n_outlets, langs, section"
# A story whose every article was taken down keeps its row (ids are never reused) with
# n_articles 0; every listing, look-up and candidate search leaves it out with this.
LISTED = "n_articles > 0"
CANDIDATE_COLUMNS = "id, first_seen, last_seen, n_articles, langs, embedder, n_vectors, centroid"
# Stories ranked on the home page: those updated within this long of the newest one.
RANK_WINDOW = timedelta(days=3)


def story_rank(n_outlets: int, n_langs: int, hours_old: float) -> float:
    """Coverage over age: each outlet counts 1, each language beyond the first 0.5; the
    score halves roughly every (age + 2 h) doubling (gravity 1.2), so a story reported by
    six outlets yesterday still ranks above a lone article from an hour ago."""
    coverage = n_outlets + 0.5 * max(0, n_langs - 1)
    return coverage / (max(0.0, hours_old) + 2.0) ** 1.2


class StoriesSQL:
    """Story methods of the Store protocol (see ``akhbar.store.base``)."""

    def _story_lock(self) -> None:
        """Inside a write transaction: serialise story assignment across workers. SQLite's
        BEGIN IMMEDIATE already holds the database's one write lock."""

    # -- write side (caller: akhbar.stories.cluster) -------------------------------------
    def story_queue(self, limit: int = 200) -> list[StoredArticle]:
        with self._read():
            rows = self._exec(
                f"SELECT {_prefixed('a')} FROM story_queue q JOIN articles a ON a.id = q.article_id"
                " ORDER BY q.article_id LIMIT ?",
                (limit,),
            ).fetchall()
        return [self._article(r) for r in rows]

    def story_queue_size(self) -> int:
        with self._read():
            return int(self._exec("SELECT count(*) FROM story_queue").fetchone()[0])

    def story_means(self, embedder: str) -> dict[str, tuple[int, bytes]]:
        with self._read():
            rows = self._exec(
                "SELECT lang, n, mean FROM story_lang_means WHERE embedder = ?", (embedder,)
            ).fetchall()
        return {r[0]: (int(r[1]), bytes(r[2])) for r in rows}

    def update_story_means(
        self, embedder: str, merge: Callable[[dict[str, tuple[int, bytes]]], dict[str, tuple[int, bytes]]]
    ) -> None:
        """Read the stored means, let ``merge`` fold new vectors in, write the result; under
        the story lock, so two workers' updates never overwrite each other."""
        with self._write():
            self._story_lock()
            rows = self._exec(
                "SELECT lang, n, mean FROM story_lang_means WHERE embedder = ?", (embedder,)
            ).fetchall()
            merged = merge({r[0]: (int(r[1]), bytes(r[2])) for r in rows})
            for lang, (n, mean) in merged.items():
                self._exec(
                    "INSERT INTO story_lang_means (embedder, lang, n, mean) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (embedder, lang) DO UPDATE SET n = excluded.n, mean = excluded.mean",
                    (embedder, lang, n, mean),
                )

    def assign_story(
        self,
        article: StoredArticle,
        keys: Sequence[str],
        *,
        window: timedelta,
        max_candidates: int,
        recent: int,
        choose: Callable[[list[StoryCandidate], dict[str, float]], StoryDecision],
    ) -> tuple[int, bool]:
        return self.assign_stories([(article, keys, choose)], window=window,
                                   max_candidates=max_candidates, recent=recent)[0]

    def assign_stories(
        self,
        items: Sequence[tuple[StoredArticle, Sequence[str], Callable]],
        *,
        window: timedelta,
        max_candidates: int,
        recent: int,
    ) -> list[tuple[int, bool]]:
        # One transaction for the batch: each article still sees the ones before it.
        with self._write():
            self._story_lock()
            return [self._assign_locked(article, keys, window, max_candidates, recent, choose)
                    for article, keys, choose in items]

    def _assign_locked(
        self, article: StoredArticle, keys: Sequence[str], window: timedelta,
        max_candidates: int, recent: int, choose: Callable,
    ) -> tuple[int, bool]:
        when = article.published or article.first_seen
        keys = list(dict.fromkeys(keys))
        row = self._exec(
            "SELECT story_id FROM story_articles WHERE article_id = ?", (article.id,)
        ).fetchone()
        if row is not None:  # another worker got there first
            self._exec("DELETE FROM story_queue WHERE article_id = ?", (article.id,))
            return int(row[0]), False
        if self._exec("SELECT 1 FROM articles WHERE id = ?", (article.id,)).fetchone() is None:
            return 0, False  # taken down since the queue was read: no story (id 0)
        decision = None
        if article.copy_of is not None:
            row = self._exec(
                "SELECT story_id FROM story_articles WHERE article_id = ?", (article.copy_of,)
            ).fetchone()
            if row is not None:  # a copy joins its original's story, whatever it says
                decision = StoryDecision(int(row[0]), score=1.0)
        if decision is None:
            candidates, idf = self._story_candidates(when, keys, window, max_candidates, recent)
            decision = choose(candidates, idf)
        created = decision.story_id is None
        story_id = self._write_assignment(article, when, keys, decision)
        return story_id, created

    def _story_candidates(
        self, when: datetime, keys: Sequence[str], window: timedelta, max_candidates: int,
        recent: int,
    ) -> tuple[list[StoryCandidate], dict[str, float]]:
        start = self._dt_in(when - window)
        end = self._dt_in(when + window)
        postings: dict[int, dict[str, int]] = defaultdict(dict)
        df: Counter[str] = Counter()
        for part in _chunks(keys, 400):
            rows = self._exec(
                f"SELECT key, story_id, n FROM story_keys WHERE key IN ({_marks(len(part))})"
                " AND last_seen >= ?",
                (*part, start),
            ).fetchall()
            for key, story_id, n in rows:
                postings[int(story_id)][key] = int(n)
                df[key] += 1
        total = self._window_story_count(start)
        # Inverse story frequency within the window: a key most recent stories share says
        # little. Keys no story has yet get the highest weight.
        idf = {k: math.log(1.0 + (total + 1) / (df[k] + 1)) for k in keys}
        ranked = sorted(postings, key=lambda s: (-sum(idf[k] for k in postings[s]), -s))
        wanted = ranked[:max_candidates]
        if recent > 0:
            # The newest stories too, for matches that share no key (embedding evidence).
            rows = self._exec(
                f"SELECT id FROM stories WHERE last_seen >= ? AND last_seen <= ? AND {LISTED}"
                " ORDER BY last_seen DESC LIMIT ?",
                (start, end, recent),
            ).fetchall()
            wanted += [int(r[0]) for r in rows if int(r[0]) not in postings]
        candidates = []
        for part in _chunks(list(dict.fromkeys(wanted)), 400):
            rows = self._exec(
                f"SELECT {CANDIDATE_COLUMNS} FROM stories WHERE id IN ({_marks(len(part))})"
                f" AND {LISTED}", part,
            ).fetchall()
            for r in rows:
                first_seen = self._dt_out(r[1])
                if first_seen > when + window:  # a backfilled article older than the story
                    continue
                candidates.append(StoryCandidate(
                    id=int(r[0]), first_seen=first_seen, last_seen=self._dt_out(r[2]),
                    n_articles=int(r[3]), langs=tuple(filter(None, r[4].split(","))),
                    embedder=r[5], n_vectors=int(r[6]),
                    centroid=bytes(r[7]) if r[7] is not None else None,
                    shared=postings.get(int(r[0]), {}),
                ))
        candidates.sort(key=lambda c: c.id)
        return candidates, idf

    def _window_story_count(self, start: str) -> int:
        """Stories touched since ``start``, for key weights only: counting the window's
        index range costs ~2 ms with 20,000 stories in it, so the count is kept per hour of
        ``start`` for a minute, plus the stories this store created since (other workers'
        are missed until then: a few stories more or less barely move a logarithm)."""
        bucket = str(start)[:13]
        now = time.monotonic()
        cached = getattr(self, "_story_window_count", None)
        if cached is not None and cached[0] == bucket and now - cached[2] < 60:
            return cached[1]
        total = int(self._exec(
            "SELECT count(*) FROM stories WHERE last_seen >= ?", (start,)).fetchone()[0])
        self._story_window_count = (bucket, total, now)
        return total

    def _write_assignment(
        self, article: StoredArticle, when: datetime, keys: Sequence[str], decision: StoryDecision
    ) -> int:
        when_v = self._dt_in(when)
        if decision.story_id is None:
            story_id = int(self._exec(
                "INSERT INTO stories (created, first_seen, last_seen, n_articles, n_outlets, langs,"
                " section, embedder, n_vectors, centroid) VALUES (?, ?, ?, 1, 1, ?, ?, ?, ?, ?)"
                " RETURNING id",
                (self._dt_in(self._now()), when_v, when_v, article.lang, article.section,
                 decision.embedder, decision.n_vectors, decision.centroid),
            ).fetchone()[0])
            cached = getattr(self, "_story_window_count", None)
            if cached is not None:
                self._story_window_count = (cached[0], cached[1] + 1, cached[2])
            self._exec(
                "INSERT INTO story_articles (article_id, story_id, score) VALUES (?, ?, ?)",
                (article.id, story_id, None),
            )
        else:
            story_id = decision.story_id
            self._exec(
                "INSERT INTO story_articles (article_id, story_id, score) VALUES (?, ?, ?)",
                (article.id, story_id, decision.score),
            )
            langs = self._exec("SELECT langs FROM stories WHERE id = ?", (story_id,)).fetchone()
            if langs is None:
                raise StorageError(f"story {story_id} does not exist")
            merged = ",".join(sorted({*filter(None, langs[0].split(",")), article.lang}))
            vector_sql, vector_args = "", ()
            if decision.centroid is not None:
                vector_sql = ", embedder = ?, n_vectors = ?, centroid = ?"
                vector_args = (decision.embedder, decision.n_vectors, decision.centroid)
            self._exec(
                "UPDATE stories SET n_articles = n_articles + 1,"
                " first_seen = CASE WHEN first_seen > ? THEN ? ELSE first_seen END,"
                " last_seen = CASE WHEN last_seen < ? THEN ? ELSE last_seen END,"
                " langs = ?, n_outlets = (SELECT count(DISTINCT a.source_id) FROM story_articles sa"
                f"   JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = ?){vector_sql}"
                " WHERE id = ?",
                (when_v, when_v, when_v, when_v, merged, story_id, *vector_args, story_id),
            )
            if article.section is not None:
                self._refresh_story_section(story_id)
        if keys and article.copy_of is None:  # a copy's words are its original's
            self._exec_many(
                "INSERT INTO story_keys (key, story_id, n, last_seen) VALUES (?, ?, 1, ?)"
                " ON CONFLICT (key, story_id) DO UPDATE SET n = story_keys.n + 1,"
                " last_seen = CASE WHEN story_keys.last_seen < excluded.last_seen"
                "   THEN excluded.last_seen ELSE story_keys.last_seen END",
                [(k, story_id, when_v) for k in dict.fromkeys(keys)],
            )
        self._exec("DELETE FROM story_queue WHERE article_id = ?", (article.id,))
        return story_id

    def _refresh_story_section(self, story_id: int) -> None:
        """A story's section is its articles' most frequent one (ties: the earliest seen)."""
        row = self._exec(
            "SELECT a.section FROM story_articles sa JOIN articles a ON a.id = sa.article_id"
            " WHERE sa.story_id = ? AND a.section IS NOT NULL"
            " GROUP BY a.section ORDER BY count(*) DESC, min(a.id) LIMIT 1",
            (story_id,),
        ).fetchone()
        if row is not None:
            self._exec("UPDATE stories SET section = ? WHERE id = ?", (row[0], story_id))

    def set_article_section(self, article_id: int, section: str) -> None:
        self.set_article_sections([(article_id, section)])

    def set_article_sections(self, sections: Sequence[tuple[int, str]]) -> None:
        for _, section in sections:
            if section not in SECTIONS:
                raise StorageError(f"unknown section {section!r}")
        if not sections:
            return
        with self._write():
            for article_id, section in sections:
                cur = self._exec("UPDATE articles SET section = ? WHERE id = ?",
                                 (section, article_id))
                if cur.rowcount == 0:
                    if self._exec("SELECT 1 FROM takedowns WHERE article_id = ? AND"
                                  " restored_at IS NULL", (article_id,)).fetchone():
                        continue  # taken down while the builder classified it
                    raise StorageError(f"unknown article {article_id}")
                row = self._exec(
                    "SELECT story_id FROM story_articles WHERE article_id = ?", (article_id,)
                ).fetchone()
                if row is not None:
                    self._refresh_story_section(int(row[0]))

    def set_story_section(self, story_id: int, section: str) -> None:
        if section not in SECTIONS:
            raise StorageError(f"unknown section {section!r}")
        with self._write():
            cur = self._exec("UPDATE stories SET section = ? WHERE id = ?", (section, story_id))
            if cur.rowcount == 0:
                raise StorageError(f"unknown story {story_id}")

    # -- read side (caller: akhbar.web, the CLI, evaluation) -----------------------------
    def story_of_article(self, article_id: int) -> int | None:
        with self._read():
            row = self._exec(
                "SELECT story_id FROM story_articles WHERE article_id = ?", (article_id,)
            ).fetchone()
        return int(row[0]) if row else None

    def story_assignments(self) -> dict[int, int]:
        """Every article id -> its story id (evaluation and tests; linear in the archive)."""
        with self._read():
            rows = self._exec("SELECT article_id, story_id FROM story_articles").fetchall()
        return {int(a): int(s) for a, s in rows}

    def story_stats(self) -> dict:
        with self._read():
            stories, multi = self._exec(
                "SELECT count(*), count(CASE WHEN n_outlets > 1 THEN 1 END) FROM stories"
                f" WHERE {LISTED}").fetchone()
            queued = self._exec("SELECT count(*) FROM story_queue").fetchone()[0]
            embedders = self._exec(
                f"SELECT embedder, count(*) FROM stories WHERE {LISTED}"
                " GROUP BY embedder ORDER BY embedder"
            ).fetchall()
        return {"stories": int(stories), "multi_outlet": int(multi), "queued": int(queued),
                "by_embedder": {e or "none": int(n) for e, n in embedders}}

    def story_change(self) -> tuple[int | None, int | None]:
        """(highest article id given a story, lowest article id still queued): two index
        look-ups. The builder takes the queue oldest first, so every assignment moves one
        of them even when no new article is stored: the site's change marker follows it."""
        with self._read():
            assigned = self._exec("SELECT max(article_id) FROM story_articles").fetchone()[0]
            queued = self._exec("SELECT min(article_id) FROM story_queue").fetchone()[0]
        return (int(assigned) if assigned is not None else None,
                int(queued) if queued is not None else None)

    def story_reports(self, story_ids: Sequence[int]) -> dict[int, list[tuple[str, str, datetime]]]:
        """Per story, its articles' (outlet id, language, time), oldest first, copies included
        (their outlets count in n_outlets): what a list shows beside a headline in one query."""
        out: dict[int, list[tuple[str, str, datetime]]] = {int(i): [] for i in story_ids}
        if not out:
            return out
        with self._read():
            for part in _chunks(list(out), 400):
                rows = self._exec(
                    "SELECT sa.story_id, a.source_id, a.lang, coalesce(a.published, a.first_seen)"
                    " FROM story_articles sa JOIN articles a ON a.id = sa.article_id"
                    f" WHERE sa.story_id IN ({_marks(len(part))})"
                    " ORDER BY sa.story_id, coalesce(a.published, a.first_seen), a.id",
                    part,
                ).fetchall()
                for story_id, source_id, lang, when in rows:
                    out[int(story_id)].append((source_id, lang, self._dt_out(when)))
        return out

    def latest_stories(
        self, limit: int = 20, offset: int = 0, *, section: str | None = None,
        lang: str | None = None, now: datetime | None = None,
    ) -> list[Story]:
        where, params = [], []
        if section is not None:
            where.append("section = ?")
            params.append(section)
        if lang is not None:
            # langs is a sorted comma list of 2-letter codes: match one whole code.
            where.append("(',' || langs || ',') LIKE ?")
            params.append(f"%,{lang},%")
        clause = " AND ".join([LISTED, *where])
        with self._read():
            # Not max(): with a filter beside last_seen, ORDER BY … LIMIT 1 still walks the
            # index from its end and stops at the first listed story.
            newest = self._exec(f"SELECT last_seen FROM stories WHERE {clause}"
                                " ORDER BY last_seen DESC LIMIT 1", params).fetchone()
            if newest is None:
                return []
            newest = self._dt_out(newest[0])
            ref = min(now, newest) if now is not None else newest
            # Rank the stories of the window before the newest one; older ones follow by time.
            rows = self._exec(
                f"SELECT {STORY_COLUMNS} FROM stories WHERE {clause} AND last_seen >= ?",
                (*params, self._dt_in(ref - RANK_WINDOW)),
            ).fetchall()
            stories = [self._story(r) for r in rows]
            reference = now or newest
            stories.sort(key=lambda s: (-story_rank(
                s.n_outlets, len(s.langs), (reference - s.last_seen).total_seconds() / 3600),
                -s.id))
            page = stories[offset : offset + limit]
            if len(page) < limit:
                rest = self._exec(
                    f"SELECT {STORY_COLUMNS} FROM stories WHERE {clause} AND last_seen < ?"
                    " ORDER BY last_seen DESC, id DESC LIMIT ? OFFSET ?",
                    (*params, self._dt_in(ref - RANK_WINDOW), limit - len(page),
                     max(0, offset - len(stories))),
                ).fetchall()
                page += [self._story(r) for r in rest]
            return self._with_headlines(page)

    def get_story(self, story_id: int) -> Story | None:
        with self._read():
            row = self._exec(f"SELECT {STORY_COLUMNS} FROM stories WHERE id = ? AND {LISTED}",
                             (story_id,)).fetchone()
            if row is None:
                return None
            rows = self._exec(
                f"SELECT {_prefixed('a')} FROM story_articles sa JOIN articles a ON a.id = sa.article_id"
                " WHERE sa.story_id = ? ORDER BY coalesce(a.published, a.first_seen), a.id",
                (story_id,),
            ).fetchall()
        articles = tuple(self._article(r) for r in rows)
        story = self._story(row)
        return _replace(story, headlines=_headlines(articles), articles=articles)

    def related_stories(self, story_id: int, limit: int = 5) -> list[Story]:
        """Other stories sharing the most names, entities and numbers with this one,
        within two weeks of it; most shared first."""
        with self._read():
            row = self._exec(f"SELECT first_seen, last_seen FROM stories WHERE id = ? AND {LISTED}",
                             (story_id,)).fetchone()
            if row is None:
                return []
            first, last = self._dt_out(row[0]), self._dt_out(row[1])
            rows = self._exec(
                "SELECT o.story_id, count(*) FROM story_keys k JOIN story_keys o ON o.key = k.key"
                " JOIN stories s ON s.id = o.story_id"
                " WHERE k.story_id = ? AND o.story_id <> ? AND substr(k.key, 1, 2) IN ('e:', 'p:')"
                f" AND s.last_seen >= ? AND s.first_seen <= ? AND s.{LISTED}"
                " GROUP BY o.story_id ORDER BY count(*) DESC, o.story_id DESC LIMIT ?",
                (story_id, story_id, self._dt_in(first - timedelta(days=14)),
                 self._dt_in(last + timedelta(days=14)), limit),
            ).fetchall()
            ids = [int(r[0]) for r in rows]
            if not ids:
                return []
            found = self._exec(
                f"SELECT {STORY_COLUMNS} FROM stories WHERE id IN ({_marks(len(ids))})"
                f" AND {LISTED}", ids
            ).fetchall()
        by_id = {int(r[0]): self._story(r) for r in found}
        return self._with_headlines([by_id[i] for i in ids if i in by_id])

    def _with_headlines(self, stories: list[Story]) -> list[Story]:
        if not stories:
            return stories
        ids = [s.id for s in stories]
        by_story: dict[int, list[StoredArticle]] = defaultdict(list)
        with self._read():
            rows = self._exec(
                f"SELECT sa.story_id, {_prefixed('a')} FROM story_articles sa"
                " JOIN articles a ON a.id = sa.article_id"
                f" WHERE sa.story_id IN ({_marks(len(ids))}) AND a.copy_of IS NULL",
                ids,
            ).fetchall()
        for r in rows:
            by_story[int(r[0])].append(self._article(r[1:]))
        return [_replace(s, headlines=_headlines(by_story[s.id])) for s in stories]

    def _story(self, r: Sequence[Any]) -> Story:
        return Story(
            id=int(r[0]), created=self._dt_out(r[1]), first_seen=self._dt_out(r[2]),
            last_seen=self._dt_out(r[3]), n_articles=int(r[4]), n_outlets=int(r[5]),
            langs=tuple(filter(None, r[6].split(","))), section=r[7],
        )


def _headlines(articles: Iterable[StoredArticle]) -> dict[str, str]:
    """Per language, the title of the earliest original report (a copy's title is its
    outlet's, but its text is someone else's)."""
    out: dict[str, str] = {}
    ordered = sorted(articles, key=lambda a: (a.copy_of is not None, a.published or a.first_seen, a.id))
    for a in ordered:
        if a.title and a.lang not in out:
            out[a.lang] = a.title
    return out


def _replace(story: Story, **changes) -> Story:
    return dataclasses.replace(story, **changes)


def _prefixed(alias: str) -> str:
    # Imported here: _sql imports this module to build SQLStore.
    from akhbar.store._sql import ARTICLE_COLUMNS

    return ", ".join(f"{alias}.{c.strip()}" for c in ARTICLE_COLUMNS.split(","))


def _marks(n: int) -> str:
    return ", ".join("?" * n)


def _chunks(values: Sequence, size: int):
    for i in range(0, len(values), size):
        yield values[i : i + size]
