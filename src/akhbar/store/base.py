"""The Store protocol: everything the pipeline, the workers and the CLI ask of storage.

Two implementations honour it and run the same tests: ``SQLiteStore`` (one file, WAL,
zero setup) and ``PostgresStore`` (several workers on one database). Backend errors are
wrapped in :class:`akhbar.errors.StorageError`. Times are timezone-aware UTC datetimes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from akhbar.types import (
    Article,
    AuditEntry,
    FeedClaim,
    FeedState,
    ModerationItem,
    ReportIn,
    ReportOutcome,
    ReportPolicy,
    Source,
    SourceHealth,
    StoredArticle,
    Story,
    Takedown,
)

if TYPE_CHECKING:
    from akhbar.search import IndexStatus, Query


class Store(Protocol):
    # -- lifecycle -------------------------------------------------------------------------
    def migrate(self) -> int:
        """Apply pending numbered migrations; return the schema version. Called by open_store."""

    def close(self) -> None: ...

    # -- sources and feeds (caller: pipeline start, `akhbar sources`) ----------------------
    def sync_sources(self, sources: Iterable[Source]) -> None:
        """Upsert the sources and their feeds. Feeds no longer listed, and sources no longer
        listed, are disabled, never deleted: their articles and state stay."""

    def set_source_enabled(self, source_id: str, enabled: bool) -> None:
        """Operator override of a source's ``enabled``; later sync_sources calls keep it.
        A source missing from the last sync stays disabled. Unknown id: StorageError."""

    def claim_due_feeds(
        self, worker: str, now: datetime, limit: int, hold: timedelta
    ) -> list[FeedClaim]:
        """Claim up to ``limit`` enabled feeds whose next_check <= now and that nobody holds
        (or whose holder's claim expired). Each feed is claimed by exactly one worker: on
        PostgreSQL with ``FOR UPDATE SKIP LOCKED``. Caller: the worker loop."""

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
        """Release a claim and record the outcome. ok=True resets the error streak and stores
        the validators (one given as None, e.g. a bare 304, keeps the stored one); ok=False
        increments the streak and stores ``error`` (validators kept) and appends it to the
        source's errors. ok=True with an ``error`` (an ill-formed feed that could still be
        read) appends it to the source's errors without touching the streak. A claim that
        expired and was taken by another worker is left alone."""

    def feed_states(self, source_id: str | None = None) -> list[FeedState]: ...

    # -- articles (caller: pipeline) -------------------------------------------------------
    def known_urls(self, urls: Iterable[str]) -> set[str]:
        """Which of these URLs (canonical, or any URL an article was fetched under) are stored,
        or belong to an article taken down (take_down): the crawler fetches none of them."""

    def find_by_content_hash(self, content_hash: str) -> int | None:
        """Id of the earliest stored original with this exact normalised text."""

    def near_duplicate_candidates(
        self, bands: Iterable[str], limit: int = 20
    ) -> list[tuple[int, bytes]]:
        """Originals sharing at least one LSH band key: (article id, minhash signature)."""

    def add_article(
        self,
        article: Article,
        *,
        copy_of: int | None = None,
        similarity: float | None = None,
        aliases: Iterable[str] = (),
    ) -> tuple[int, bool]:
        """Store an article once: returns (id, created). If its canonical URL (or an alias) is
        already stored, the stored article is not changed and created is False; its URL and
        aliases not yet known are recorded as aliases of the stored one (so known_urls skips
        them next time). ``aliases`` are other URLs that lead to it (the URL fetched, the
        feed's link). Copies keep ``copy_of`` and are never near-duplicate candidates.
        A created article whose text came from its page (extractor other than "feed") also
        counts as one page extracted (record_page ok) for health.
        If its URL or an alias is one of a taken-down article, nothing is stored and no
        error is raised: it returns (the taken-down article's id, False), as for an article
        already known, so a crawl or an import goes on; its URLs not yet known are added to
        that take-down's URLs (so known_urls skips them next time)."""

    def get_article(self, article_id: int) -> StoredArticle | None: ...

    def get_article_by_url(self, url: str) -> StoredArticle | None: ...

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
        """Newest first by coalesce(published, first_seen)."""

    def copies_of(self, article_id: int) -> list[StoredArticle]: ...

    def article_stats(self) -> dict:
        """{"articles": n, "copies": n, "by_lang": {"fr": n, ...}, "by_source": {...}}"""

    def search_text(self, query: str, limit: int = 20) -> list[StoredArticle]:
        """The articles of akhbar.search for a query, best first; [] for a query that
        cannot be run. Callers wanting snippets, totals or errors use akhbar.search.search."""

    # -- search (caller: akhbar.search.search, `akhbar reindex`) ---------------------------
    # add_article writes the article's analysed terms (akhbar.search.analyze) to the index
    # in the article's own transaction, so the index cannot drift from the articles.
    def search_articles(
        self, query: Query, *, limit: int = 20, offset: int = 0, sort: str | None = None
    ) -> tuple[list[tuple[StoredArticle, float]], int, bool]:
        """(article, score) best first (or newest first: sort "date", or a query without
        words), the number of matches counted up to search.COUNT_CAP, and whether the count
        stopped there. Copies are left out unless the query names sources."""

    def search_index_status(self) -> IndexStatus:
        """Articles vs index entries, and the analyzer version the index was built with."""

    def reindex(
        self, *, full: bool = False, batch: int = 1000,
        progress: Callable[[int, int], None] | None = None,
    ) -> IndexStatus:
        """Rebuild the index when the analyzer version changed (or ``full``), resuming an
        interrupted rebuild; add entries missing for stored articles. Returns the status."""

    # -- reading for the site (caller: akhbar.web) -----------------------------------------
    def list_sources(self) -> list[Source]:
        """Every source ever synced (disabled ones too: their articles stay readable), as
        configured at the last sync, with ``enabled`` as now in force. Ordered by id."""

    def count_articles(
        self,
        *,
        lang: str | None = None,
        source_id: str | None = None,
        section: str | None = None,
        include_copies: bool = True,
        limit: int | None = None,
    ) -> int:
        """How many articles latest_articles would page through with these filters; with
        ``limit``, counted up to that many only."""

    def articles_between(
        self, start: datetime, end: datetime, limit: int = 50, offset: int = 0
    ) -> list[StoredArticle]:
        """Articles with start <= coalesce(published, first_seen) < end, newest first."""

    def count_between(self, start: datetime, end: datetime) -> int: ...

    def article_time_neighbours(
        self, start: datetime, end: datetime
    ) -> tuple[datetime | None, datetime | None]:
        """(newest article time before start, oldest article time at or after end): the
        day archive's previous and next links skip empty days."""

    def article_time_range(self) -> tuple[datetime | None, datetime | None]:
        """(oldest, newest) coalesce(published, first_seen) of all articles."""

    def latest_change(self) -> tuple[int, datetime | None]:
        """(highest article id, its first_seen): changes whenever an article is stored, so
        the site derives its ETag and Last-Modified from it. (0, None) when empty."""

    # -- stories (callers: akhbar.stories writes; the site and the CLI read) ---------------
    # Every stored article waits in a queue (filled by add_article) until the story builder
    # gives it a story; ids of stories are stable: never renumbered nor reused.
    def story_queue(self, limit: int = 200) -> list[StoredArticle]:
        """Articles waiting for a story, oldest stored first."""

    def story_queue_size(self) -> int: ...

    def story_means(self, embedder: str) -> dict[str, tuple[int, bytes]]:
        """Running mean vector per language for an embedder: lang -> (count, float32 bytes)."""

    def update_story_means(self, embedder: str, merge) -> None:
        """Under the story lock: ``merge(stored means) -> means to write`` (lang -> (n, bytes))."""

    def assign_story(
        self, article: StoredArticle, keys: Sequence[str], *, window: timedelta,
        max_candidates: int, recent: int, choose,
    ) -> tuple[int, bool]:
        """Give one article its story: (story id, created). In one transaction holding the
        story lock (PostgreSQL: an advisory lock; SQLite: its write lock), so two workers
        never create two stories for one event: the article is checked not yet assigned;
        a copy joins its original's story; otherwise the candidates are found (stories whose
        key postings were touched within ``window`` of the article's time, best
        ``max_candidates`` by shared key weight, plus the ``recent`` newest) and
        ``choose(candidates: list[StoryCandidate], idf: dict[key, weight]) -> StoryDecision``
        decides; the story, its counts, centroid and key postings are written and the
        article leaves the queue. An article taken down since the queue was read gets no
        story: (0, False)."""

    def assign_stories(
        self, items: Sequence[tuple[StoredArticle, Sequence[str], Any]], *, window: timedelta,
        max_candidates: int, recent: int,
    ) -> list[tuple[int, bool]]:
        """``assign_story`` for each (article, keys, choose) in turn, in one transaction
        holding the story lock (one commit per batch instead of one per article)."""

    def set_article_section(self, article_id: int, section: str) -> None:
        """Set an article's section (one of SECTIONS); its story's section becomes its
        articles' most frequent one."""

    def set_article_sections(self, sections: Sequence[tuple[int, str]]) -> None:
        """``set_article_section`` for each (article id, section), in one transaction."""

    def set_story_section(self, story_id: int, section: str) -> None: ...

    def story_of_article(self, article_id: int) -> int | None: ...

    def story_assignments(self) -> dict[int, int]:
        """Every article id -> story id (evaluation and tests; reads the whole table)."""

    def story_stats(self) -> dict:
        """{"stories", "multi_outlet", "queued", "by_embedder": {name: n}} for `akhbar doctor`."""

    def latest_stories(
        self, limit: int = 20, offset: int = 0, *, section: str | None = None,
        lang: str | None = None, now: datetime | None = None,
    ) -> list[Story]:
        """Stories ranked by coverage and recency, headlines filled. The stories updated
        within 3 days of the newest one (or of ``now``) are ranked by
        ``(n_outlets + 0.5 * (languages - 1)) / (hours since last report + 2) ** 1.2``;
        older ones follow, newest first. ``lang``: stories with an article in it."""

    def get_story(self, story_id: int) -> Story | None:
        """A story with its articles (copies included), oldest report first."""

    def related_stories(self, story_id: int, limit: int = 5) -> list[Story]:
        """Stories within two weeks sharing the most entities and names with this one."""

    def story_change(self) -> tuple[int | None, int | None]:
        """(highest article id with a story, lowest article id queued): moves whenever the
        builder assigns an article, so the site's ETags follow stories, not only articles."""

    def story_reports(self, story_ids: Sequence[int]) -> dict[int, list[tuple[str, str, datetime]]]:
        """Per story id, its articles' (source id, lang, time), oldest first, copies included."""

    # -- moderation (callers: the site's report form, the operator console, the crawler) ---
    # Migration 0006. Every state change of an item bumps moderation_version in the same
    # transaction and writes an audit_log row; the site's caches follow the version.
    def moderation_key(self) -> bytes:
        """The HMAC key that tells readers apart: made at random (32 bytes) on first use and
        kept in site_state, so every process of the site hashes alike."""

    def record_report(self, report: ReportIn, policy: ReportPolicy,
                      now: datetime | None = None) -> ReportOutcome:
        """Store one report and apply the rules in one transaction that serialises with
        other reports on the same item (PostgreSQL: the item's row lock; SQLite: its write
        lock), so reports racing around the threshold block exactly once. Rules:
        - the item (kind, target) is created on its first report;
        - ``closed`` when the item is blocked or taken_down;
        - ``rate_limited`` when the reader (reporter_key) or the network (network_key)
          made policy.reader_limit / network_limit reports within the last hour;
        - ``repeat`` when a report counted on the item since its last decision shares the
          reporter_key or the network_key;
        - otherwise ``counted``. At policy.threshold counted readers: an image that no
          operator cleared is blocked ('auto'), unless more than policy.burst_limit reports
          were counted site-wide within policy.burst_window: then it is queued; an article,
          or an image an operator cleared before, is queued.
        Every report and every resulting decision is written to the audit log.
        Unknown article: StorageError."""

    def moderation_version(self) -> int:
        """Moves with every block, unblock, take-down and restore."""

    def blocked_images(self) -> frozenset[str]:
        """URLs of every blocked image (state 'blocked'): the site hides them everywhere."""

    def moderation_items(self, states: Sequence[str] = ("queued", "open", "blocked"),
                         limit: int = 50, offset: int = 0) -> list[ModerationItem]:
        """Items in these states, queued first, then most recently reported."""

    def moderation_item(self, item_id: int) -> ModerationItem | None: ...

    def item_reports(self, item_id: int, limit: int = 100) -> list[dict]:
        """An item's reports, newest first: {id, created, reason, outcome, reporter (12 hex
        of reporter_key), network (12 hex of network_key), article_id}."""

    def decide(self, item_id: int, action: str, operator: str, reason: str = "") -> ModerationItem:
        """An operator's decision: ``block`` (confirm: the image is hidden) or ``unblock``
        (the image shows again; state 'cleared', counting starts again from zero and a new
        threshold crossing is queued, not blocked). ``reason`` is required for unblock.
        Logged with the operator's name. Unknown item or action: StorageError.
        Unblocking an image also clears, in the same transaction, the copies the image
        check blocked as copies of it (match_of = item_id, decided_by 'system', still
        'blocked'): each becomes 'cleared', decided by the operator, with its own audit
        entry ("copy of item N unblocked: <reason>"); one moderation_version bump for the
        whole decision. Copies an operator decided on keep that decision. Cleared copies
        are operator decisions: block_image_copy never blocks them again."""

    def audit_log(self, *, item_id: int | None = None, limit: int = 100,
                  before_id: int | None = None) -> list[AuditEntry]:
        """Newest first; ``before_id`` pages back."""

    def audit(self, actor: str, action: str, *, item_id: int | None = None,
              report_id: int | None = None, detail: dict | None = None) -> None:
        """Append one audit entry in its own transaction (logins, outlet edits…)."""

    # -- take-downs (callers: the operator console; the pipeline through known_urls) -------
    def take_down(self, article_id: int, operator: str, reason: str) -> Takedown:
        """Remove an article from everything the site reads (articles, search index, its
        story, copies re-pointed to a surviving original) in one transaction; keep it whole
        in takedowns so restore_article can undo it. Its URLs (canonical and aliases) stay in
        takedown_urls: known_urls reports them and add_article refuses them, so it is never
        ingested again. Its article item, if any, becomes 'taken_down'. Logged.
        A story left with no article keeps its id (never reused) but is listed nowhere and
        get_story answers None; the oldest copy of the article becomes the original and
        its other copies point to it. Empty reason or unknown article: StorageError."""

    def restore_article(self, takedown_id: int, operator: str, reason: str) -> int:
        """Put a taken-down article back under its old id, with its aliases (and the URLs
        refused meanwhile) and its search entry; returns the id. It waits in the story
        queue again (the builder gives it a story; the old one, if emptied, stays empty).
        A copy whose original was taken down comes back as a copy of the copy promoted in
        its place, or as an original when none is left. Its article item, if
        any, becomes 'cleared'. Logged. Empty reason, unknown take-down or one already
        restored, or its URL stored again meanwhile: StorageError."""

    def takedowns(self, limit: int = 50, offset: int = 0) -> list[Takedown]:
        """Newest first, restored ones included (restored_at set)."""

    def takedown_of_article(self, article_id: int) -> Takedown | None:
        """The take-down of an article id still taken down (pages answer 410 Gone)."""

    # -- image hashes (caller: the crawler's image check, akhbar.moderate.images) ----------
    def blocked_image_hashes(self) -> list[tuple[int, str]]:
        """(item id, phash) of every blocked image whose hash is known, copies found by hash
        (match_of set) left out: copies of copies would drift from what readers blocked."""

    def blocked_images_unhashed(self, limit: int = 50) -> list[tuple[int, str]]:
        """(item id, URL) of blocked images whose hash is not yet known, never tried first,
        then longest since their last try; not those whose image_hashes error starts with
        "gave up" (the image check stopped trying)."""

    def set_item_phash(self, item_id: int, phash: str) -> None: ...

    def image_hashes(self, urls: Iterable[str]) -> dict[str, str | None]:
        """Known hashes of crawled images: url -> phash (None: it could not be read)."""

    def save_image_hash(self, url: str, phash: str | None, error: str | None = None) -> None: ...

    def image_errors(self, urls: Iterable[str]) -> dict[str, tuple[str, datetime]]:
        """Crawled images that could not be read: url -> (error, when last tried)."""

    def article_images(self, after_id: int, limit: int = 500,
                       since: datetime | None = None) -> list[tuple[int, str]]:
        """(article id, lead image URL) of articles with id > after_id (and first_seen >=
        since) that have an image whose URL is not blocked already, by id."""

    def block_image_copy(self, url: str, article_id: int, of_item: int, distance: int) -> int | None:
        """Block a crawled image as a copy of blocked item ``of_item`` (state 'blocked',
        decided_by 'system', match_of set, logged with the distance); returns its item id,
        or None when the URL's item exists already in a state an operator decided (cleared
        included) or when ``of_item`` is no longer blocked (unblocked meanwhile)."""

    # -- operators (callers: the console at /admin, `akhbar admin`, the pipeline) ----------
    # Migration 0007. Passwords are argon2id hashes made by akhbar.web.admin.accounts;
    # sessions are kept by the SHA-256 of their cookie token only.
    def add_operator(self, name: str, password_hash: str) -> None:
        """A new operator. A name already taken: StorageError."""

    def set_operator_password(self, name: str, password_hash: str, *,
                              end_sessions: bool = True) -> None:
        """Replace an operator's hash; with ``end_sessions`` every session of theirs ends
        (a new password logs out everywhere; a rehash at login does not). Unknown: StorageError."""

    def operator_password_hash(self, name: str) -> str | None: ...

    def operators(self) -> list[dict]:
        """{name, created, password_changed, last_login, sessions (live ones)} by name."""

    def start_admin_session(self, token_hash: str, operator: str, csrf: str, expires: datetime,
                            *, replaces: str | None = None, now: datetime | None = None) -> None:
        """Record a new session (``replaces``: the session the browser had, ended at once,
        so a login never keeps an old id); expired sessions are deleted; last_login set."""

    def admin_session(self, token_hash: str, now: datetime | None = None) -> dict | None:
        """{operator, csrf, created, expires, last_seen} of a live session; an expired one
        is deleted and None returned. last_seen is written at most once a minute."""

    def end_admin_session(self, token_hash: str) -> bool: ...

    def login_attempt(self, keys: Sequence[str], *, limit: int, window: timedelta,
                      now: datetime | None = None) -> tuple[str | None, datetime | None]:
        """Before a password is checked, for keys such as 'name:<name>', 'network:<hash>':
        (None, until) when one is locked out, or already has ``limit`` failures within
        ``window`` since its last lockout ended (attempts still being checked count: the
        attempt is written as a failure first, in a transaction serialised with other
        attempts, so simultaneous guesses cannot outrun the limit); else (attempt id, None)."""

    def login_failed(self, keys: Sequence[str], *, limit: int, window: timedelta,
                     now: datetime | None = None) -> list[str]:
        """After a wrong password: the keys that now reach ``limit`` failures, each locked
        out from now for ``window``."""

    def login_succeeded(self, attempt: str, forget: Sequence[str] = ()) -> None:
        """After a right password: the attempt is not a failure; ``forget``: keys whose
        earlier failures are forgotten too (the name's)."""

    def save_operator_source(self, source: Source, operator: str) -> None:
        """Add or replace an outlet in the database (the console's add and edit forms); the
        pipeline merges these over the registry's (same id: this one wins) and syncs."""

    def operator_sources(self) -> list[Source]:
        """Every outlet saved with save_operator_source, by id (``enabled`` True: pausing
        is set_source_enabled's)."""

    def operator_source_changes(self) -> dict[str, tuple[datetime, str]]:
        """id -> (when, operator) of the last save of each operator outlet."""

    # -- health (caller: pipeline, `akhbar sources health`) --------------------------------
    def record_page(self, source_id: str, url: str, ok: bool, error: str | None = None) -> None:
        """Count one article page fetched+extracted (ok) or failed, for extraction health."""

    def source_health(self) -> list[SourceHealth]: ...

    def source_errors(self, source_id: str, limit: int = 20) -> list[tuple[datetime, str, str]]:
        """Latest recorded errors of a source: (when, url, message)."""

    # -- resumable imports (caller: `akhbar import`) ---------------------------------------
    def get_checkpoint(self, name: str) -> str | None: ...

    def set_checkpoint(self, name: str, value: str) -> None: ...


def open_store(database_url: str) -> Store:
    """Open (and migrate) the store named by a URL: sqlite:///path or postgresql://…"""
    from akhbar.errors import ConfigError

    if database_url.startswith("sqlite:"):
        from akhbar.store.sqlite import SQLiteStore

        # sqlite:///relative.db, sqlite:////absolute/path.db, sqlite:///:memory:
        path = database_url.removeprefix("sqlite:///").removeprefix("sqlite:")
        store: Store = SQLiteStore(path or ":memory:")
    elif database_url.startswith(("postgresql:", "postgres:")):
        from akhbar.store.postgres import PostgresStore

        store = PostgresStore(database_url)
    else:
        raise ConfigError(f"unsupported database_url {database_url!r}: use sqlite:/// or postgresql://")
    store.migrate()
    return store
