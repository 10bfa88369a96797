"""One crawl, read top to bottom: due feeds → fetch → parse → fetch pages → extract+enrich →
de-duplicate → store → schedule the next check.

Network I/O runs on one asyncio loop (the Fetcher enforces per-host politeness); parsing and
extraction, the CPU-heavy steps, run in a process pool; all writes go through the one Store
from the loop's thread, so SQLite has a single writer. A failure in one feed or page is
recorded on its source and the crawl goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import multiprocessing
import os
import socket
import time
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from akhbar.cluster.dedupe import find_original
from akhbar.config import Settings
from akhbar.enrich import article_from_feed_only, build_article
from akhbar.errors import AkhbarError, DisallowedByRobots, FetchError, HTTPStatusError
from akhbar.fetch import Fetcher
from akhbar.parse.feeds import parse_feed
from akhbar.parse.urls import url_key
from akhbar.sources.schedule import next_check
from akhbar.store.base import Store
from akhbar.types import Article, FeedClaim, FeedEntry, ParsedFeed, Source

log = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class CrawlReport:
    """What one pass over the due feeds did; `akhbar demo --once` prints it as JSON."""

    feeds_ok: int = 0
    feeds_not_modified: int = 0
    feeds_failed: int = 0
    articles_new: int = 0
    copies_linked: int = 0
    pages_failed: int = 0
    pages_robots: int = 0
    by_lang: Counter = field(default_factory=Counter)
    source_errors: dict[str, str] = field(default_factory=dict)
    feed_warnings: dict[str, str] = field(default_factory=dict)  # ill-formed but readable
    sources_seen: set[str] = field(default_factory=set)
    stories_assigned: int = 0  # articles given a story after the pass
    images_hashed: int = 0  # lead or blocked images fetched and hashed (akhbar.moderate.images)
    images_failed: int = 0
    image_copies_blocked: int = 0  # re-encoded copies of blocked images, blocked in turn

    def as_dict(self) -> dict:
        return {
            "feeds_ok": self.feeds_ok,
            "feeds_not_modified": self.feeds_not_modified,
            "feeds_failed": self.feeds_failed,
            "articles_new": self.articles_new,
            "copies_linked": self.copies_linked,
            "pages_failed": self.pages_failed,
            "pages_skipped_robots": self.pages_robots,
            "new_by_lang": dict(sorted(self.by_lang.items())),
            "sources_ok": len(self.sources_seen - set(self.source_errors)),
            "sources_failed": len(self.source_errors),
            "failed_sources": dict(sorted(self.source_errors.items())),
            "feed_warnings": dict(sorted(self.feed_warnings.items())),
            "stories_assigned": self.stories_assigned,
            "images_hashed": self.images_hashed,
            "images_failed": self.images_failed,
            "image_copies_blocked": self.image_copies_blocked,
        }


class Pipeline:
    """Crawls the due feeds of the given sources into a store. Use as an async context manager."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        sources: Iterable[Source],
        *,
        worker: str | None = None,
        executor: Executor | None = None,
        clock=utcnow,
    ):
        self.store = store
        self.settings = settings
        self.sources = {s.id: s for s in sources}
        self._registry = dict(self.sources)  # refresh_sources merges the console's over it
        self.worker = worker or default_worker_id()
        self.clock = clock
        self._own_executor = executor is None
        self._executor = executor
        self._fetcher: Fetcher | None = None
        self._in_flight: set[str] = set()  # url keys being fetched now: one fetch per article
        self._stories = None  # StoryBuilder, made on first use (it loads the embedder)
        self._images = None  # ImageCheck, made on first use
        # Bounds pages held in memory between fetch and store.
        self._page_slots = asyncio.Semaphore(4 * max(1, self._processes()) + settings.global_concurrency)

    def _processes(self) -> int:
        return self.settings.extract_processes or os.cpu_count() or 1

    async def __aenter__(self) -> Pipeline:
        if self._executor is None:
            # forkserver: the workers never inherit a lock held by another thread at fork
            # time (the demo runs its press in threads of this process).
            self._executor = ProcessPoolExecutor(
                max_workers=self._processes(), mp_context=multiprocessing.get_context("forkserver"))
        self._fetcher = await Fetcher(self.settings).__aenter__()
        self.refresh_sources(force=True)
        return self

    def refresh_sources(self, *, force: bool = False) -> None:
        """The registry's outlets with those operators added or edited in the console over
        them (Store.operator_sources: the database wins for one id), synced when they
        changed, so running workers crawl an outlet added in the console without a restart."""
        merged = {**self._registry, **{s.id: s for s in self.store.operator_sources()}}
        if force or merged != self.sources:
            self.store.sync_sources(merged.values())
            self.sources = merged

    async def __aexit__(self, *exc) -> None:
        if self._fetcher is not None:
            await self._fetcher.__aexit__(*exc)
        if self._own_executor and self._executor is not None:
            self._executor.shutdown(cancel_futures=True)

    # -- one pass ----------------------------------------------------------------------------
    async def crawl_due(self, *, progress=None) -> CrawlReport:
        """Claim and crawl due feeds until none is left; returns what happened."""
        report = CrawlReport()
        self.refresh_sources()
        hold = timedelta(seconds=self.settings.claim_seconds)
        width = max(4, self.settings.global_concurrency)
        running: set[asyncio.Task] = set()
        exhausted = False
        # Claim only as many feeds as there are free slots, as slots free up: no feed waits
        # for the slowest one of a batch, and several workers share the work evenly.
        while True:
            if not exhausted and len(running) < width:
                claims = self.store.claim_due_feeds(
                    self.worker, self.clock(), width - len(running), hold)
                exhausted = not claims
                for claim in claims:
                    if claim.source_id in self.sources:
                        running.add(asyncio.create_task(self._crawl_feed(claim, report, progress)))
            if not running:
                await self.check_images(report)
                if self.settings.stories_enabled:
                    # Stories for what this pass stored (and any backlog), in a thread: the
                    # embedding is CPU work the event loop should not wait on.
                    report.stories_assigned = await asyncio.to_thread(self.build_stories)
                return report
            done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()  # _crawl_feed records its own errors; anything else is a bug

    async def _crawl_feed(self, claim: FeedClaim, report: CrawlReport, progress) -> None:
        source = self.sources[claim.source_id]
        report.sources_seen.add(source.id)
        state = claim.state
        try:
            result = await self._fetcher.fetch(
                claim.feed_url, etag=state.etag, last_modified=state.last_modified,
                kind="feed", min_delay=source.min_delay,
            )
            if result.not_modified:
                report.feeds_not_modified += 1
                self._finish(claim, source, ok=True, headers=result.headers,
                             etag=state.etag, last_modified=state.last_modified)
                return
            feed: ParsedFeed = await self._in_pool(
                parse_feed, result.content, content_type=result.content_type,
                base_url=result.url, forced_encoding=source.encoding,
                max_entries=self.settings.max_feed_entries,
            )
            if feed.warning:
                report.feed_warnings[claim.feed_url] = feed.warning[:300]
                log.warning("feed %s is ill-formed but readable: %s", claim.feed_url, feed.warning)
            new_items = await self._crawl_entries(feed.entries, source, report, progress)
        except Exception as exc:
            if not isinstance(exc, AkhbarError):
                # A bug met on one outlet's data: logged in full, and the others go on.
                log.exception("unexpected error on feed %s", claim.feed_url)
            self._fail(claim, source, report, exc)
            return
        report.feeds_ok += 1
        self._finish(claim, source, ok=True, headers=result.headers, etag=result.etag,
                     last_modified=result.last_modified, new_items=new_items,
                     error=f"ill-formed feed, read anyway: {feed.warning}" if feed.warning else None)

    async def _crawl_entries(self, entries: Iterable[FeedEntry], source: Source,
                             report: CrawlReport, progress) -> int:
        fresh: list[tuple[str, FeedEntry]] = []
        seen: set[str] = set()
        for entry in entries:
            key = url_key(entry.link)
            if key not in seen and key not in self._in_flight:
                seen.add(key)
                fresh.append((key, entry))
        known = self.store.known_urls(seen)
        fresh = [(k, e) for k, e in fresh if k not in known]
        self._in_flight.update(k for k, _ in fresh)
        try:
            stored = await asyncio.gather(*(self._crawl_page(e, source, report, progress)
                                            for _, e in fresh))
        finally:
            self._in_flight.difference_update(k for k, _ in fresh)
        return sum(stored)

    async def _crawl_page(self, entry: FeedEntry, source: Source, report: CrawlReport,
                          progress) -> bool:
        async with self._page_slots:
            first_seen = self.clock()
            try:
                page = await self._fetcher.fetch(entry.link, kind="page", min_delay=source.min_delay)
                article = await self._in_pool(
                    build_article, page.content, page.content_type, page.url, entry, source,
                    first_seen, self.clock(),
                )
                aliases = {url_key(entry.link), url_key(page.url)}
                if article.extractor == "feed":
                    # Stored from the feed's summary, but the page itself gave no text.
                    report.pages_failed += 1
                    self.store.record_page(source.id, entry.link, ok=False, error=(
                        "ExtractError: no article text on the page; the feed's summary is kept"))
            except DisallowedByRobots:
                # The feed itself is public: keep its title and summary, never the page.
                report.pages_robots += 1
                article = article_from_feed_only(entry, source, first_seen=first_seen,
                                                 now=self.clock())
                aliases = {url_key(entry.link)}
            except Exception as exc:
                if not isinstance(exc, AkhbarError):  # see _crawl_feed
                    log.exception("unexpected error on page %s", entry.link)
                report.pages_failed += 1
                self.store.record_page(source.id, entry.link, ok=False, error=_describe(exc))
                return False
            created = self.store_article(article, aliases, report)
            if progress is not None:
                progress()
            return created

    def store_article(self, article: Article, aliases: Iterable[str], report: CrawlReport) -> bool:
        """De-duplicate and store one article; also used by `akhbar import`."""
        original, similarity = find_original(self.store, article, self.settings.near_duplicate_threshold)
        _id, created = self.store.add_article(
            article, copy_of=original, similarity=similarity,
            aliases={url_key(article.url), *aliases},
        )
        if created:
            report.articles_new += 1
            report.by_lang[article.lang] += 1
            report.copies_linked += original is not None
        return created

    def build_stories(self) -> int:
        """Give every queued article its story (akhbar.stories); returns how many."""
        if self._stories is None:
            from akhbar.stories.cluster import StoryBuilder

            self._stories = StoryBuilder(self.store, self.settings)
        return self._stories.run()

    async def check_images(self, report: CrawlReport) -> None:
        """Block stored lead images that copy a blocked one (akhbar.moderate.images); an
        error here is logged and the crawl goes on."""
        from akhbar.moderate.images import ImageCheck, fetch_image, host_delay, perceptual_hash

        if self._images is None:
            self._images = ImageCheck(
                self.store, max_distance=self.settings.image_match_distance,
                fetch=lambda url: fetch_image(
                    self._fetcher, url, min_delay=host_delay(url, self.sources.values())),
                hash_image=lambda data: self._in_pool(perceptual_hash, data))
        try:
            result = await self._images.run()
        except Exception:
            log.exception("image check failed; the crawl goes on")
            return
        report.images_hashed += result.hashed
        report.images_failed += result.failed
        report.image_copies_blocked += result.copies_blocked

    # -- bookkeeping -------------------------------------------------------------------------
    def _finish(self, claim: FeedClaim, source: Source, *, ok: bool, headers=None,
                etag=None, last_modified=None, new_items: int = 0, error: str | None = None,
                retry_after: float | None = None) -> None:
        now = self.clock()
        streak = 0 if ok else claim.state.error_streak + 1
        self.store.finish_feed(
            claim, now=now, ok=ok, etag=etag, last_modified=last_modified, error=error,
            new_items=new_items,
            next_check=next_check(now, interval=source.crawl_interval, ok=ok, error_streak=streak,
                                  retry_after=retry_after, headers=headers,
                                  max_backoff=self.settings.max_backoff),
        )

    def _fail(self, claim: FeedClaim, source: Source, report: CrawlReport, exc: Exception) -> None:
        report.feeds_failed += 1
        message = _describe(exc)
        report.source_errors[source.id] = message
        log.warning("feed %s failed: %s", claim.feed_url, message)
        retry_after = exc.retry_after if isinstance(exc, HTTPStatusError) else None
        self._finish(claim, source, ok=False, error=message, retry_after=retry_after)

    async def _in_pool(self, fn, *args, **kwargs):
        loop = asyncio.get_running_loop()
        if kwargs:
            fn = functools.partial(fn, **kwargs)
        return await loop.run_in_executor(self._executor, fn, *args)


def _describe(exc: BaseException) -> str:
    kind = type(exc).__name__
    text = str(exc) or kind
    if isinstance(exc, FetchError) and exc.url and exc.url not in text:
        text = f"{text} ({exc.url})"
    return f"{kind}: {text}"[:500]


async def crawl_forever(pipeline: Pipeline, *, poll: float = 5.0, stop: asyncio.Event | None = None,
                        on_pass=None) -> None:
    """Keep crawling on schedule: each feed is checked when its next_check comes."""
    stop = stop or asyncio.Event()
    while not stop.is_set():
        started = time.monotonic()
        report = await pipeline.crawl_due()
        if on_pass is not None:
            on_pass(report)
        remaining = poll - (time.monotonic() - started)
        if remaining > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), remaining)
