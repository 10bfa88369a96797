"""What pages, the API and feeds read, built once: outlets, article views, pages of lists.

Each route asks :class:`Site` for plain values (an :class:`Item` is an article with its
outlet and what its display mode lets us show) and then renders them as HTML, JSON or a
feed. Input checking lives here too, so the three outputs refuse the same requests.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from akhbar.search import COUNT_CAP
from akhbar.types import SECTIONS, Source, StoredArticle
from akhbar.web.i18n import CASABLANCA, direction
from akhbar.web.render import (
    Shown,
    clean_snippet,
    clean_text,
    display_mode,
    http_url,
    shown,
    snippet_html,
)

PER_PAGE = 30
MAX_PAGE = 100_000  # deeper than any archive; keeps OFFSET arithmetic sane
_LANG = re.compile(r"^[a-z]{2,3}$")
_SOURCE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SOURCES_TTL = 30.0  # seconds an outlet list is reused (outlets change at a sync)
# Seconds the blocked images are trusted without reading moderation_version again, for the
# few paths that never call Site.marker (forms, /admin); pages, feeds and the API read it
# on every request.
BLOCKED_RECHECK = 1.0
TAKEN_DOWN = "This article was taken down by the operator."


class SiteError(Exception):
    """A request the site refuses: status 400 or 404. ``message`` is English (the API's);
    ``reader`` is a sentence for the reader's page (the search engine's own explanation):
    an English gettext msgid with %(name)s placeholders filled from ``params``, shown
    through i18n.translate in the UI language. ``code`` names the reason for API clients."""

    def __init__(self, status: int, message: str, reader: str | None = None,
                 params: dict | None = None, code: str | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.reader = reader
        self.params = params or {}
        self.code = code


@dataclass(frozen=True)
class Item:
    """One article as the site shows it."""

    article: StoredArticle
    source: Source
    # Its image is blocked (moderation): shown nowhere, in no page, feed or API answer.
    image_hidden: bool = False

    @functools.cached_property
    def view(self) -> Shown:
        """What its display mode lets us show, built on first use: lists only show the
        title, outlet, language and time, and cleaning and sanitising every listed text
        took half of the home page's time."""
        return shown(self.article, self.source)

    @property
    def mode(self) -> str:
        return display_mode(self.source)[0]

    def snippet(self, engine_snippet: str):
        """The search engine's snippet as :func:`snippet_html` allows it; a "full" outlet
        shows everything, so its view need not be built to check the snippet against it."""
        if self.mode == "full":
            return clean_snippet(engine_snippet)
        return snippet_html(engine_snippet, self.view)

    @property
    def id(self) -> int:
        return self.article.id

    @property
    def href(self) -> str:
        return f"/article/{self.article.id}"

    @property
    def title(self) -> str:
        return clean_text(self.article.title) or self.article.url

    @property
    def outlet(self) -> str:
        return clean_text(self.source.name) or self.source.id

    @property
    def author(self) -> str:
        return clean_text(self.article.author)

    @property
    def lang(self) -> str:
        return self.article.lang if _LANG.match(self.article.lang or "") else "und"

    @property
    def dir(self) -> str:
        return direction(self.article.lang)

    @property
    def title_dir(self) -> str:
        """The direction of a title's block: its language's, or "auto" (the first strong
        letter decides) when the language is unknown."""
        return "auto" if self.lang == "und" else self.dir

    @property
    def when(self) -> datetime:
        return self.article.published or self.article.first_seen

    @property
    def source_url(self) -> str | None:
        return http_url(self.article.url)

    @property
    def image(self) -> str | None:
        """The lead image as every view shows it (page, meta tags, API, feeds): None when
        blocked or not a safe http(s) URL."""
        if self.image_hidden:
            return None
        return http_url(self.article.image)


@dataclass(frozen=True)
class Pager:
    page: int
    per_page: int
    # None when not counted: counting a whole unfiltered list means reading every row on
    # a large archive, so the home and section lists only link to the previous/next page.
    total: int | None
    more: bool = False  # (uncounted or capped lists) a next page exists
    # total is a lower bound: counting stopped at it (see Site.latest's count_cap).
    capped: bool = False

    @property
    def pages(self) -> int:
        """Pages in all; for an uncounted or capped list, the pages known so far."""
        if self.total is None:
            return self.page + (1 if self.more else 0)
        counted = max(1, math.ceil(self.total / self.per_page))
        if self.capped:
            return max(counted, self.page + (1 if self.more else 0))
        return counted

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def links(self, around: int = 2) -> list[int | None]:
        """Page numbers to link: first, last, and a window around this one (None = gap).
        None of them for an uncounted list: it only has previous and next."""
        if self.total is None:
            return []
        wanted = {1, self.pages, *range(self.page - around, self.page + around + 1)}
        out: list[int | None] = []
        for n in sorted(p for p in wanted if 1 <= p <= self.pages):
            if out and out[-1] is not None and n - out[-1] > 1:
                out.append(None)
            out.append(n)
        return out


def placeholder_source(source_id: str) -> Source:
    """An article whose outlet the store no longer describes: most restrictive display."""
    return Source(id=source_id, name=source_id, homepage="", feeds=(), languages=(),
                  display="lede", excerpt_words=40)


class Site:
    def __init__(self, store, count_cap: int = COUNT_CAP):
        self.store = store
        # Counted lists (latest with count_cap=True) count up to this many articles only.
        self.count_cap = count_cap
        self._lock = threading.Lock()
        self._sources: tuple[float, dict[str, Source]] = (0.0, {})
        self._generation = 0  # bumped when the outlets' descriptions change (see marker)
        # (moderation_version, blocked image URLs as stored, monotonic time last checked)
        self._blocked: tuple[int, frozenset[str], float] = (-1, frozenset(), 0.0)

    # -- cached look-ups -------------------------------------------------------------------
    def sources(self) -> dict[str, Source]:
        at, cached = self._sources
        if time.monotonic() - at < SOURCES_TTL:
            return cached
        # Names are shown everywhere: cleaned once here (no bidi override, no control char).
        fresh = {s.id: dataclasses.replace(s, name=clean_text(s.name) or s.id)
                 for s in self.store.list_sources()}
        with self._lock:
            if fresh != cached:  # a name or display mode changed: pages show them
                self._generation += 1
            self._sources = (time.monotonic(), fresh)
        return fresh

    def version(self) -> tuple[int, datetime | None]:
        """(newest article id, its first_seen): what Last-Modified follows. Read on every
        request (one indexed look-up), so a new article shows on the very next one."""
        return self.store.latest_change()

    def marker(self) -> tuple[int, datetime | None, int]:
        """What every page, feed and API answer is a function of, besides its URL and UI
        language: ETags and the rendered-page cache (caching.PageCache) are keyed on it.
        Anything that changes what is shown without storing a new article (moderation
        hiding an article or an image, an edited article) must change it too, or readers
        keep being sent the page as it was."""
        newest_id, newest_seen = self.version()
        self.sources()  # refreshed every SOURCES_TTL: a changed outlet bumps the generation
        # Moderation (a block, an unblock, a take-down) moves moderation_version: read on
        # every request, so every process of the site hides a blocked image at once.
        moderation = self._sync_blocked(self.store.moderation_version())
        # Stories are built after their articles are stored: the builder's progress
        # (store.story_change) is part of the third element, so a page listing stories
        # is not kept past the assignment that changes them.
        return newest_id, newest_seen, (self._generation, *self.store.story_change(),
                                        moderation)

    def _sync_blocked(self, version: int) -> int:
        """Follow moderation_version: the blocked URLs are read again when it moved. Never
        goes back to an older version (a slower request finishing after a newer one)."""
        known, _, _ = self._blocked
        if version > known:
            blocked = self.store.blocked_images()  # read after the version: at least as new
            with self._lock:
                if version > self._blocked[0]:
                    self._blocked = (version, blocked, time.monotonic())
                    return version
        with self._lock:
            self._blocked = (self._blocked[0], self._blocked[1], time.monotonic())
        return version

    def blocked_images(self) -> frozenset[str]:
        """Image URLs (as stored on articles) that no view may show."""
        known, blocked, checked = self._blocked
        if known < 0 or time.monotonic() - checked > BLOCKED_RECHECK:
            self._sync_blocked(self.store.moderation_version())
            blocked = self._blocked[1]
        return blocked

    def forget(self) -> None:
        """Drop the caches (tests that change the store under a running site)."""
        with self._lock:
            self._sources = (0.0, {})
            self._generation += 1
            self._blocked = (-1, frozenset(), 0.0)

    # -- articles --------------------------------------------------------------------------
    def source(self, source_id: str) -> Source | None:
        return self.sources().get(source_id)

    def item(self, article: StoredArticle) -> Item:
        source = self.source(article.source_id) or placeholder_source(article.source_id)
        # Every view of an image reads Item.image: hidden here, hidden everywhere.
        hidden = bool(article.image) and article.image in self.blocked_images()
        return Item(article, source, image_hidden=hidden)

    def items(self, articles: list[StoredArticle]) -> list[Item]:
        return [self.item(a) for a in articles]

    def article(self, article_id: str | int) -> Item:
        number = parse_id(article_id)
        found = self.store.get_article(number) if number is not None else None
        if found is None:
            if number is not None and self.store.takedown_of_article(number) is not None:
                raise SiteError(410, f"article {number} was taken down by the operator",
                                reader=TAKEN_DOWN, code="taken_down")
            raise SiteError(404, f"no article {article_id}")
        return self.item(found)

    def coverage(self, item: Item) -> list[Item]:
        """The same article at other outlets: the original first when this is a copy."""
        a = item.article
        if a.copy_of is None:
            others = self.store.copies_of(a.id)
        else:
            original = self.store.get_article(a.copy_of)
            others = ([original] if original else []) + [
                c for c in self.store.copies_of(a.copy_of) if c.id != a.id]
        return self.items(others)

    def latest(self, page: int, *, lang=None, source_id=None, section=None,
               include_copies: bool = True, per_page: int = PER_PAGE,
               count: bool = True, capped: bool = False) -> tuple[list[Item], Pager]:
        """A page of the newest articles; ``count=False`` skips counting them (see Pager);
        ``capped=True`` counts up to self.count_cap only (Pager.capped past it), since
        counting every row of a large archive takes seconds."""
        filters = dict(lang=lang, source_id=source_id, section=section,
                       include_copies=include_copies)
        if count and capped:
            total = self.store.count_articles(**filters, limit=self.count_cap + 1)
            if total > self.count_cap:
                found = self.store.latest_articles(per_page + 1, (page - 1) * per_page,
                                                   **filters)
                if page > 1 and not found:
                    raise SiteError(404, f"no page {page}")
                return self.items(found[:per_page]), Pager(
                    page, per_page, self.count_cap, len(found) > per_page, capped=True)
        elif count:
            total = self.store.count_articles(**filters)
        if count:
            pager = checked_pager(page, per_page, total)
            found = self.store.latest_articles(per_page, pager.offset, **filters)
            return self.items(found), dataclasses.replace(pager, more=pager.has_next)
        found = self.store.latest_articles(per_page + 1, (page - 1) * per_page, **filters)
        if page > 1 and not found:
            raise SiteError(404, f"no page {page}")
        return self.items(found[:per_page]), Pager(page, per_page, None, len(found) > per_page)

    def day(self, day: date, page: int) -> tuple[list[Item], Pager, date | None, date | None]:
        """A day's articles (Casablanca time) with the previous and next days that have any."""
        start, end = day_bounds(day)
        pager = checked_pager(page, PER_PAGE, self.store.count_between(start, end))
        found = self.store.articles_between(start, end, PER_PAGE, pager.offset)
        before, after = self.store.article_time_neighbours(start, end)
        prev_day = before.astimezone(CASABLANCA).date() if before else None
        next_day = after.astimezone(CASABLANCA).date() if after else None
        return self.items(found), pager, prev_day, next_day

    def time_range(self) -> tuple[date | None, date | None]:
        oldest, newest = self.store.article_time_range()
        return (oldest.astimezone(CASABLANCA).date() if oldest else None,
                newest.astimezone(CASABLANCA).date() if newest else None)

    def search(self, q: str, page: int, sort: str | None, per_page: int = 20):
        """(results, pager). QueryError becomes a 400 whose message the reader sees."""
        from akhbar.search import QueryError, search

        if sort not in (None, "", "relevance", "date"):
            raise SiteError(400, "sort must be relevance or date")
        if page < 1 or page > MAX_PAGE:
            raise SiteError(400, "page must be a positive integer")
        try:
            results = search(self.store, q, limit=per_page, offset=(page - 1) * per_page,
                             sort=sort or None)
        except QueryError as exc:
            raise SiteError(400, str(exc), reader=exc.template, params=exc.params,
                            code=exc.code) from None
        pager = Pager(page, per_page, results.total)
        if page > 1 and not results.hits and page > pager.pages:
            raise SiteError(404, f"no page {page}: {pager.pages} pages")
        return results, pager


# -- checking what readers send ------------------------------------------------------------
def parse_id(value: str | int) -> int | None:
    text = str(value)
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        return None
    return int(text)


def parse_page(value: str | None) -> int:
    if value is None or value == "":
        return 1
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= MAX_PAGE:
        raise SiteError(400, f"page must be a whole number from 1 to {MAX_PAGE}, not {value!r}")
    return int(value)


def parse_lang(value: str | None) -> str | None:
    if not value:
        return None
    if not _LANG.match(value):
        raise SiteError(400, f"lang must be a language code such as fr, ar or en, not {value!r}")
    return value


def parse_section(value: str | None, status: int = 400) -> str | None:
    if not value:
        return None
    if value not in SECTIONS:
        raise SiteError(status, f"unknown section {value!r}: one of {', '.join(SECTIONS)}")
    return value


def parse_source_id(value: str | None) -> str | None:
    if not value:
        return None
    if not _SOURCE_ID.match(value):
        raise SiteError(400, f"source must be an outlet id, not {value!r}")
    return value


def parse_day(year: str, month: str, day: str) -> date:
    if not (len(year) == 4 and len(month) == 2 and len(day) == 2
            and (year + month + day).isascii() and (year + month + day).isdigit()):
        raise SiteError(404, "dates are /YYYY/MM/DD")
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise SiteError(404, f"no such date {year}-{month}-{day}") from None


def checked_pager(page: int, per_page: int, total: int) -> Pager:
    pager = Pager(page, per_page, total)
    if page > pager.pages:
        raise SiteError(404, f"no page {page}: {pager.pages} pages")
    return pager


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants a Casablanca calendar day starts and ends."""
    start = datetime(day.year, day.month, day.day, tzinfo=CASABLANCA)
    nxt = day + timedelta(days=1)
    end = datetime(nxt.year, nxt.month, nxt.day, tzinfo=CASABLANCA)
    return start, end
