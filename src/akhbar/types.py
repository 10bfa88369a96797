"""Immutable values that flow through the pipeline, named by the stage that makes them.

sources → fetch → parse/extract → enrich → store::

    Source ──fetch──▶ FetchResult ──parse.feeds──▶ ParsedFeed[FeedEntry]
    FeedEntry + FetchResult(page) ──parse.extract──▶ Extracted
    FeedEntry + Extracted ──enrich──▶ Article ──store──▶ StoredArticle
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

# Where an article's published date came from; parse.dates.choose_published gives the order.
DATE_SOURCES = ("feed", "page", "url", "first_seen")

# What an article page may show of an outlet's text (the site issue uses it).
DISPLAY_MODES = ("full", "excerpt", "lede")

# The sections every outlet's articles are filed under, whatever the outlet calls them
# (slugs: they appear in URLs and in the `section:` search filter).
SECTIONS = (
    "politique", "economie", "sport", "culture", "societe", "international", "regions", "meteo",
)


@dataclass(frozen=True)
class ExtractRules:
    """Per-source overrides for when the generic extractor is wrong.

    Each value is a CSS selector, or an XPath expression when it starts with ``/`` or ``(``.
    """

    body: str | None = None
    date: str | None = None
    author: str | None = None
    title: str | None = None
    # Elements removed before extraction (cookie banners, "read also" boxes…).
    drop: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return not (self.body or self.date or self.author or self.title or self.drop)


@dataclass(frozen=True)
class Source:
    """One outlet, as the registry describes it."""

    id: str  # stable slug: "hespress-fr"
    name: str  # shown to readers: "Hespress FR"
    homepage: str
    feeds: tuple[str, ...]
    languages: tuple[str, ...]  # ISO 639-1 codes the outlet writes in: ("fr",), ("ar", "fr")
    country: str = "MA"
    crawl_interval: int = 1800  # seconds between two checks of each feed
    founded: date | None = None  # no article is dated before this
    encoding: str | None = None  # forced charset when the outlet lies about it
    extract: ExtractRules = field(default_factory=ExtractRules)
    display: str = "excerpt"  # one of DISPLAY_MODES
    excerpt_words: int = 60
    min_delay: float | None = None  # per-host delay override, seconds
    enabled: bool = True


@dataclass(frozen=True)
class FetchResult:
    """One HTTP exchange that ended with a usable answer (2xx or 304)."""

    url: str  # final URL after redirects
    requested_url: str
    status: int
    headers: dict[str, str]  # lower-cased names
    content: bytes  # already decompressed (gzip/br), capped in size
    etag: str | None = None
    last_modified: str | None = None
    elapsed: float = 0.0  # seconds

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


@dataclass(frozen=True)
class FeedEntry:
    """One item of a feed, as the feed tells it (before the page is fetched)."""

    link: str
    title: str = ""
    summary: str = ""  # plain text
    published: datetime | None = None  # timezone-aware UTC
    updated: datetime | None = None
    author: str | None = None
    guid: str | None = None
    image: str | None = None
    tags: tuple[str, ...] = ()
    language: str | None = None  # declared (often wrong)


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    link: str | None
    language: str | None  # declared
    entries: tuple[FeedEntry, ...]
    encoding: str | None = None  # the charset the bytes were decoded with
    warning: str | None = None  # feed parsed but was ill-formed (feedparser "bozo")


@dataclass(frozen=True)
class Extracted:
    """What the article page says about itself."""

    text: str  # main text, paragraphs separated by blank lines
    html: str = ""  # main text as simple HTML (<p>, <h2>, <ul>, <blockquote>…); unsanitised
    title: str | None = None
    author: str | None = None
    image: str | None = None
    description: str | None = None
    tags: tuple[str, ...] = ()
    published: datetime | None = None  # from page metadata (htmldate or override)
    updated: datetime | None = None
    canonical_url: str | None = None  # rel=canonical / og:url, absolute
    language: str | None = None  # <html lang>, og:locale
    extractor: str = "trafilatura"  # which extractor produced the text


@dataclass(frozen=True)
class Article:
    """An article ready to store: what the pipeline decided about one page."""

    url: str  # canonical URL (the de-duplication key)
    source_id: str
    title: str
    text: str
    lang: str  # "fr" | "ar" | "en" | other ISO 639-1
    first_seen: datetime
    published: datetime | None
    date_source: str  # one of DATE_SOURCES
    html: str = ""
    summary: str = ""
    author: str | None = None
    image: str | None = None
    tags: tuple[str, ...] = ()
    lang_hint: str | None = None  # "ary" when the text reads as Darija
    updated: datetime | None = None
    fetched_url: str | None = None  # the URL actually fetched when it differs from url
    # What gave the text: "trafilatura", "readability", "rules", "import", or "feed" (the
    # page had no article text, or robots.txt forbade it: the feed's summary stands in).
    extractor: str = "trafilatura"
    content_hash: str = ""  # hash of the normalised text: exact copies
    minhash_bands: tuple[str, ...] = ()  # LSH band keys: near-duplicate candidates
    minhash: bytes = b""  # the signature itself, to confirm a candidate
    section: str | None = None  # one of SECTIONS, when the outlet's labels or URL say it


@dataclass(frozen=True)
class StoredArticle:
    id: int
    url: str
    source_id: str
    title: str
    text: str
    lang: str
    first_seen: datetime
    published: datetime | None
    date_source: str
    html: str = ""
    summary: str = ""
    author: str | None = None
    image: str | None = None
    tags: tuple[str, ...] = ()
    lang_hint: str | None = None
    updated: datetime | None = None
    copy_of: int | None = None  # id of the original when this is a (near-)copy
    similarity: float | None = None  # estimated Jaccard to the original
    section: str | None = None  # one of SECTIONS


@dataclass(frozen=True)
class FeedState:
    """What the store remembers about one feed between crawls."""

    feed_url: str
    source_id: str
    etag: str | None = None
    last_modified: str | None = None
    next_check: datetime | None = None
    last_success: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    error_streak: int = 0
    last_new_item: datetime | None = None


@dataclass(frozen=True)
class FeedClaim:
    """A feed a worker holds until ``expires``; another worker may take it after that."""

    feed_url: str
    source_id: str
    worker: str
    expires: datetime
    state: FeedState


@dataclass(frozen=True)
class SourceHealth:
    source_id: str
    last_success: datetime | None
    last_error: str | None
    error_streak: int
    last_new_item: datetime | None
    articles: int
    pages_ok: int  # article pages extracted with text
    pages_failed: int  # article pages that failed to fetch or extract
    copies: int  # articles linked as copies of another

    @property
    def extraction_rate(self) -> float | None:
        total = self.pages_ok + self.pages_failed
        return self.pages_ok / total if total else None

    @property
    def duplicate_rate(self) -> float | None:
        return self.copies / self.articles if self.articles else None


@dataclass(frozen=True)
class Story:
    """One event's coverage: the articles of every outlet and language about it.

    ``headlines`` holds one title per language the story was reported in (the earliest
    original report in that language); ``headline(lang)`` picks the reader's language when
    the story has one. ``articles`` is filled by ``Store.get_story`` only (oldest first).
    """

    id: int
    created: datetime
    first_seen: datetime  # earliest report (published, else first seen)
    last_seen: datetime  # latest report
    n_articles: int  # copies included
    n_outlets: int
    langs: tuple[str, ...]
    section: str | None = None
    headlines: dict[str, str] = field(default_factory=dict)
    articles: tuple[StoredArticle, ...] = ()

    def headline(self, lang: str | None = None) -> str:
        if lang and lang in self.headlines:
            return self.headlines[lang]
        for fallback in ("fr", "ar", "en", *sorted(self.headlines)):
            if fallback in self.headlines:
                return self.headlines[fallback]
        return ""


@dataclass(frozen=True)
class StoryCandidate:
    """A story the clustering may join, as the store found it for one article."""

    id: int
    first_seen: datetime
    last_seen: datetime
    n_articles: int
    langs: tuple[str, ...]
    embedder: str | None
    n_vectors: int
    centroid: bytes | None
    shared: dict[str, int]  # keys the article shares with the story -> story articles with it


@dataclass(frozen=True)
class StoryDecision:
    """What the clustering decided for one article: join ``story_id`` (None: a new story),
    with the story's new centroid (None: unchanged)."""

    story_id: int | None
    score: float | None = None
    embedder: str | None = None
    centroid: bytes | None = None
    n_vectors: int = 0


# -- moderation (akhbar.moderate; the store's moderation tables, migration 0006) -----------
REPORT_KINDS = ("image", "article")
# What an item (an image URL or an article) is now; see migration 0006 for each state.
MODERATION_STATES = ("open", "queued", "blocked", "cleared", "taken_down")
# What became of one report: counted (one more distinct reader), repeat (this reader or
# network already counted on the item), rate_limited, closed (the item was already decided).
REPORT_OUTCOMES = ("counted", "repeat", "rate_limited", "closed")


@dataclass(frozen=True)
class ReportPolicy:
    """The rules one report is judged by (settings report_*; akhbar.moderate builds it)."""

    threshold: int = 3  # distinct readers (one per network) that block an image
    reader_limit: int = 10  # reports one reader may make per hour and still count
    network_limit: int = 20  # the same for one /24 or /64
    burst_limit: int = 30  # counted reports site-wide within burst_window beyond which...
    burst_window: float = 600.0  # seconds; ...a threshold crossing goes to the queue


@dataclass(frozen=True)
class ReportIn:
    """One reader's report as the site received it; keys are keyed hashes (akhbar.moderate)."""

    kind: str  # REPORT_KINDS
    article_id: int
    target: str  # the image URL as stored on the article, or str(article_id)
    reason: str
    reporter_key: str  # HMAC of the reader's cookie token
    network_key: str  # HMAC of the client's /24 or /64


@dataclass(frozen=True)
class ReportOutcome:
    report_id: int
    item_id: int
    outcome: str  # REPORT_OUTCOMES
    state: str  # the item's state after this report
    counted: int  # distinct readers counted on the item since its last decision
    blocked_now: bool  # this report is the one that blocked the image
    queued_now: bool  # this report sent the item to the operator's queue


@dataclass(frozen=True)
class ModerationItem:
    id: int
    kind: str
    target: str  # image URL or article id
    article_id: int | None
    state: str
    counted: int
    reports: int
    phash: str | None
    match_of: int | None
    first_report: datetime | None
    last_report: datetime | None
    decided_at: datetime | None
    decided_by: str | None
    reason: str | None


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str  # 'reader:<12 hex>', 'operator:<name>', 'auto', 'system'
    action: str
    item_id: int | None
    report_id: int | None
    detail: dict


@dataclass(frozen=True)
class Takedown:
    id: int
    article_id: int
    url: str
    source_id: str
    title: str
    reason: str
    operator: str
    at: datetime
    restored_at: datetime | None
