"""Turn a fetched article page into an Article: decode, extract, date, language, fingerprint.

`build_article` is pure and picklable: the pipeline runs it in a process pool, one call per
page, so the CPU-heavy part of a crawl (extraction) uses every core.
"""

from __future__ import annotations

from datetime import datetime

from akhbar.enrich.fingerprint import content_hash, lsh_bands, minhash_signature
from akhbar.enrich.language import detect_language
from akhbar.enrich.section import section_from_labels
from akhbar.errors import ExtractError
from akhbar.parse.dates import choose_published, date_from_url
from akhbar.parse.encoding import decode_html
from akhbar.parse.extract import extract
from akhbar.parse.urls import canonical_url
from akhbar.types import Article, Extracted, FeedEntry, Source

# Below this many characters of main text a page is a teaser, a video or a paywall:
# the feed's own summary is then the better text.
MIN_TEXT_CHARS = 200


def build_article(
    content: bytes,
    content_type: str | None,
    page_url: str,
    entry: FeedEntry,
    source: Source,
    first_seen: datetime,
    now: datetime,
) -> Article:
    """Everything the pipeline knows about one page, as an Article ready to store."""
    html, _encoding = decode_html(content, content_type, forced=source.encoding)
    try:
        page = extract(html, page_url, source.extract if not source.extract.is_empty() else None)
    except ExtractError:
        if not entry.summary:
            raise
        page = Extracted(text="", extractor="feed")
    return article_from(entry, page, source, page_url=page_url, first_seen=first_seen, now=now)


def article_from(
    entry: FeedEntry,
    page: Extracted,
    source: Source,
    *,
    page_url: str,
    first_seen: datetime,
    now: datetime,
) -> Article:
    """Merge what the feed and the page say; the page wins on text, the best plausible date wins."""
    url = canonical_url(page_url, page.canonical_url)
    from_page = len(page.text) >= MIN_TEXT_CHARS or not entry.summary
    text = page.text if from_page else entry.summary
    title = (page.title or entry.title or "").strip()
    if not title:
        # An article without a title cannot be listed; the first line of text stands in.
        title = text.strip().split("\n", 1)[0][:160]
    allowed = source.languages
    lang, hint = detect_language(f"{title}\n{text[:1000]}", allowed)
    published, date_source = choose_published(
        feed=entry.published,
        page=page.published,
        url_date=date_from_url(url),
        first_seen=first_seen,
        founded=source.founded,
        now=now,
    )
    signature = minhash_signature(text) if text else b""
    tags = tuple(dict.fromkeys((*entry.tags, *page.tags)))
    return Article(
        url=url,
        source_id=source.id,
        title=title,
        text=text,
        html=page.html if from_page else "",
        summary=entry.summary or (page.description or ""),
        author=page.author or entry.author,
        image=page.image or entry.image,
        tags=tags,
        section=section_from_labels(tags, url),
        lang=lang,
        lang_hint=hint,
        first_seen=first_seen,
        published=published,
        updated=page.updated or entry.updated,
        date_source=date_source,
        fetched_url=page_url if page_url != url else None,
        extractor=page.extractor if from_page else "feed",
        content_hash=content_hash(text) if text else "",
        minhash=signature,
        minhash_bands=lsh_bands(signature) if signature else (),
    )


def article_from_feed_only(
    entry: FeedEntry, source: Source, *, first_seen: datetime, now: datetime
) -> Article:
    """For pages we may not fetch (robots.txt): the feed's own title and summary."""
    return article_from(
        entry, Extracted(text="", extractor="feed"), source,
        page_url=entry.link, first_seen=first_seen, now=now,
    )
