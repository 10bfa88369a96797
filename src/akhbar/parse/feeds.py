"""Feed bytes → ParsedFeed: RSS 0.9x/1.0/2.0 and Atom (feedparser), JSON Feed (json).

We decode the bytes ourselves (akhbar.parse.encoding: feeds lie about their charset), then
hand feedparser UTF-8 bytes whose XML declaration and content type both say UTF-8, so it
never decodes a second time with a wrong guess.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from email.utils import parsedate_to_datetime
from html import unescape
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from akhbar.errors import ParseError
from akhbar.parse.dates import parse_date_text
from akhbar.parse.encoding import decode_feed
from akhbar.types import FeedEntry, ParsedFeed

# Guard against huge feeds (archives, or a hostile server). Measured on a generated RSS of
# 100,000 items (34 MB, French + Arabic): feedparser alone takes ~24 s and ~330 MB
# (bench/feed_corpus.py). Refusing big bodies would lose real but bloated feeds, so instead
# we keep the first MAX_ITEMS items and drop the rest before parsing (a regex scan, well
# under a second). Feeds list newest first, and max_entries (500 by default) is far below
# the cut, so the newest entries are the ones kept.
MAX_ITEMS = 5000

_HTML_PAGE = re.compile(
    r"^(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])",
    re.I | re.S,
)
_FEED_ROOT = re.compile(r"<(?:rss|feed|rdf:RDF|RDF)[\s>]", re.I)
_XML_DECL = re.compile(r"^<\?xml[^>]*\?>")
_ITEM_END = re.compile(r"</(?:\w+:)?(?:item|entry)\s*>", re.I)
_IMG_SRC = re.compile(r"""<img\b[^>]*?\bsrc\s*=\s*["']?([^"'\s>]+)""", re.I)
_SPACE = re.compile(r"\s+")
_AM_PM = re.compile(r"\d\s*[AP]\.?M\b", re.I)
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);", re.I)
_TRAILING_ELLIPSIS = re.compile(r"\s*\[\s*(?:…|\.\.\.|&hellip;|&#8230;)\s*\]\s*$")
# WordPress/Yoast footers appended to every excerpt: (start words, end marker).
_WP_TAILS = (
    ("The post ", " appeared first on "),
    ("L’article ", " est apparu en premier sur "),
    ("L'article ", " est apparu en premier sur "),
    ("ظهرت المقالة ", " أولاً على "),
)
_FEED_HEADERS = {"content-type": "application/xml; charset=utf-8"}


def parse_feed(
    content: bytes,
    *,
    content_type: str | None = None,
    base_url: str | None = None,
    forced_encoding: str | None = None,
    max_entries: int | None = None,
) -> ParsedFeed:
    """Parse RSS, Atom or JSON Feed bytes; raise ParseError when they are none of these."""
    if not content or not content.strip():
        raise ParseError("empty body: the server sent no feed")
    text, encoding = decode_feed(content, content_type, forced_encoding)
    text = text.lstrip()
    if not text:
        raise ParseError("empty body: the server sent no feed")
    if text.startswith(("{", "[")):
        feed = _parse_json_feed(text, base_url, encoding)
    else:
        # An XHTML doctype in front of a real feed happens; only a page without any feed
        # root element is refused as HTML.
        if _HTML_PAGE.match(text[:4096]) and not _FEED_ROOT.search(text[:65536]):
            raise ParseError("not a feed: the server sent an HTML page")
        feed = _parse_xml_feed(text, base_url, encoding)
    if max_entries is not None and len(feed.entries) > max_entries:
        feed = dataclasses.replace(feed, entries=newest(feed.entries, max_entries))
    return feed


def newest(entries: Sequence[FeedEntry], n: int) -> tuple[FeedEntry, ...]:
    """The n newest entries (dated before undated), kept in document order."""
    order = sorted(
        range(len(entries)),
        key=lambda i: (_entry_date(entries[i]) is None, -_timestamp(entries[i]), i),
    )
    keep = sorted(order[: max(n, 0)])
    return tuple(entries[i] for i in keep)


def _entry_date(entry: FeedEntry) -> datetime | None:
    return entry.published or entry.updated


def _timestamp(entry: FeedEntry) -> float:
    date = _entry_date(entry)
    return date.timestamp() if date else 0.0


# ---------------------------------------------------------------- RSS / Atom (feedparser)


def _cut_after_items(text: str, limit: int) -> tuple[str, bool]:
    """The document with every item/entry after the limit-th removed.

    What follows the last item (``</channel></rss>``, ``</feed>``) is kept, so the result is
    still well-formed and feedparser's strict parser does not fall back to the slow one."""
    ends = [m.end() for m in _ITEM_END.finditer(text)]
    if len(ends) <= limit:
        return text, False
    return text[: ends[limit - 1]] + text[ends[-1] :], True


def _parse_xml_feed(text: str, base_url: str | None, encoding: str) -> ParsedFeed:
    text, cut = _cut_after_items(text, MAX_ITEMS)
    declaration = "<?xml version='1.0' encoding='utf-8'?>"
    text = _XML_DECL.sub(declaration, text, count=1) if text.startswith("<?xml") else (
        declaration + "\n" + text
    )
    headers = dict(_FEED_HEADERS)
    if base_url:
        headers["content-location"] = base_url
    # sanitize_html off: we reduce every HTML field to plain text ourselves.
    # A bytes argument, never str: feedparser treats a str as a URL or file name to open.
    parsed = feedparser.parse(
        text.encode("utf-8", errors="replace"),
        response_headers=headers,
        sanitize_html=False,
        resolve_relative_uris=True,
    )
    fd = parsed.get("feed", {})
    raw_entries = parsed.get("entries", [])
    version = parsed.get("version", "")
    if not version and not raw_entries and not fd.get("title"):
        reason = parsed.get("bozo_exception")
        raise ParseError("not a feed: no RSS, Atom or JSON Feed found" + (f" ({reason})" if reason else ""))

    feed_link = _absolute(fd.get("link"), base_url)
    self_link = next(
        (ln.get("href") for ln in fd.get("links", []) if ln.get("rel") == "self"), None
    )
    base = base_url or _absolute(self_link, None) or feed_link
    feed_lang = _lang(fd.get("language"))
    langs = (feed_lang,) if feed_lang else ()
    # An item date without a zone is read in the zone the feed writes its own dates in
    # (a New York feed at -0500), else Moroccan time.
    local = _feed_zone(fd)

    entries = []
    # RSS has one date per item; feedparser files dc:date (RSS 1.0's only date) as
    # "updated", but it is the publication date there.
    is_rss = version.startswith("rss")
    for raw in raw_entries:
        entry = _entry_from_feedparser(raw, base, feed_lang, langs, is_rss, local)
        if entry is not None:
            entries.append(entry)

    warning = None
    if parsed.get("bozo"):
        warning = str(parsed.get("bozo_exception") or "ill-formed feed")
        if not entries and not fd.get("title") and not fd.get("link"):
            # Broken before anything could be read: an error for the operator, not an empty feed.
            raise ParseError(f"malformed feed, no entry could be read ({warning})")
    if cut:
        note = f"feed cut after {MAX_ITEMS} items"
        warning = f"{warning}; {note}" if warning else note
    return ParsedFeed(
        title=_plain(fd.get("title_detail") or fd.get("title")),
        link=feed_link,
        language=feed_lang,
        entries=tuple(entries),
        encoding=encoding,
        warning=warning,
    )


def _entry_from_feedparser(
    raw: Mapping[str, Any],
    base: str | None,
    feed_lang: str | None,
    langs: tuple[str, ...],
    is_rss: bool = False,
    local: tzinfo | None = None,
) -> FeedEntry | None:
    guid = _clean_str(raw.get("id"))
    link = _entry_link(raw, base, guid)
    if link is None:
        return None
    summary_html = raw.get("summary_detail") or raw.get("summary")
    if not summary_html and raw.get("content"):
        summary_html = raw["content"][0]
    title_detail = raw.get("title_detail") or raw.get("title")
    author_detail = raw.get("author_detail") or {}
    author = _clean_str(author_detail.get("name")) or _clean_str(raw.get("author"))
    language = _lang(
        _detail_lang(raw.get("content"))
        or _detail_lang([title_detail])
        or _detail_lang([raw.get("summary_detail")])
    ) or feed_lang
    published = _date(raw, "published", langs, local)
    updated = _date(raw, "updated", langs, local)
    if published is None and is_rss:
        published = updated
    return FeedEntry(
        link=link,
        title=_plain(title_detail),
        summary=_clean_summary(_plain(summary_html)),
        published=published,
        updated=updated,
        author=(_plain(author) or None) if author else None,
        guid=guid,
        image=_image(raw, link),
        tags=_tags(raw.get("tags") or ()),
        language=language,
    )


def _entry_link(raw: Mapping[str, Any], base: str | None, guid: str | None) -> str | None:
    candidates = [raw.get("link")]
    candidates += [
        ln.get("href") for ln in raw.get("links", []) if ln.get("rel") in (None, "alternate")
    ]
    candidates.append(guid)
    for candidate in candidates:
        url = _absolute(candidate, base)
        if url:
            return url
    return None


def _detail_lang(details: Iterable[Any] | None) -> str | None:
    for detail in details or ():
        if isinstance(detail, Mapping) and detail.get("language"):
            return detail["language"]
    return None


def _feed_zone(fd: Mapping[str, Any]) -> tzinfo | None:
    """The UTC offset of the feed's own date (channel pubDate/lastBuildDate, Atom updated)."""
    for field in ("published", "updated"):
        text = dict.get(fd, field)  # type: ignore[arg-type]
        if isinstance(text, str):
            try:
                value = parsedate_to_datetime(text)
            except (TypeError, ValueError, IndexError):
                value = None
            if value is None:
                try:
                    value = datetime.fromisoformat(text.strip())
                except ValueError:
                    continue
            if value.tzinfo is not None:
                return value.tzinfo
    return None


def _date(
    raw: Mapping[str, Any], field: str, langs: tuple[str, ...], local: tzinfo | None = None
) -> datetime | None:
    # dict.get, not FeedParserDict.get: the latter maps "updated" onto "published".
    parsed = dict.get(raw, field + "_parsed")  # type: ignore[arg-type]
    text = dict.get(raw, field)  # type: ignore[arg-type]
    if isinstance(text, str) and _AM_PM.search(text):
        # feedparser drops "PM" ("Dec 16 2023 02:02:33 PM" → 02:02): ask ours first.
        value = _date_from_text(text, langs, local)
        if value is not None:
            return value
    if parsed:
        try:
            return datetime(*parsed[:6], tzinfo=UTC)
        except (TypeError, ValueError):
            pass
    return _date_from_text(text, langs, local) if isinstance(text, str) else None


def _date_from_text(
    text: str | None, langs: Sequence[str], local: tzinfo | None = None
) -> datetime | None:
    if not text or not text.strip():
        return None
    try:
        return parse_date_text(text, langs, local)
    except (ValueError, OverflowError):  # a date we cannot read must not cost the entry
        return None


def _image(raw: Mapping[str, Any], link: str) -> str | None:
    candidates: list[str | None] = []
    for media in raw.get("media_content", []) or ():
        kind = (media.get("type") or "") + " " + (media.get("medium") or "")
        if "image" in kind or (not kind.strip() and _looks_like_image(media.get("url"))):
            candidates.append(media.get("url"))
    candidates += [m.get("url") for m in raw.get("media_thumbnail", []) or ()]
    for ln in raw.get("links", []) or ():
        if ln.get("rel") == "enclosure" and (ln.get("type") or "").startswith("image/"):
            candidates.append(ln.get("href"))
    for enclosure in raw.get("enclosures", []) or ():
        if (enclosure.get("type") or "").startswith("image/"):
            candidates.append(enclosure.get("href"))
    for html in [c.get("value") for c in raw.get("content", []) or ()] + [raw.get("summary")]:
        if isinstance(html, str):
            match = _IMG_SRC.search(html)
            if match:
                candidates.append(unescape(match.group(1)))
    for candidate in candidates:
        url = _absolute(candidate, link)
        if url:
            return url
    return None


def _looks_like_image(url: str | None) -> bool:
    return bool(url) and urlsplit(url).path.lower().endswith(  # type: ignore[arg-type]
        (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif")
    )


def _tags(tags: Iterable[Any]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for tag in tags:
        value = tag.get("term") or tag.get("label") if isinstance(tag, Mapping) else tag
        value = _plain(value) if isinstance(value, str) else ""
        if value:
            seen.setdefault(value, None)
    return tuple(seen)


# ---------------------------------------------------------------- JSON Feed


def _parse_json_feed(text: str, base_url: str | None, encoding: str) -> ParsedFeed:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ParseError(f"not a feed: neither XML nor valid JSON ({exc})") from exc
    if not isinstance(data, dict) or not (
        "jsonfeed.org" in str(data.get("version", "")) or isinstance(data.get("items"), list)
    ):
        raise ParseError("not a feed: JSON but not a JSON Feed (no version or items)")
    home = _absolute(data.get("home_page_url"), base_url)
    base = base_url or _absolute(data.get("feed_url"), None) or home
    feed_lang = _lang(data.get("language"))
    langs = (feed_lang,) if feed_lang else ()
    entries = []
    items = data.get("items") if isinstance(data.get("items"), list) else []
    for item in items[:MAX_ITEMS]:
        if isinstance(item, dict):
            entry = _entry_from_json(item, base, feed_lang, langs, data)
            if entry is not None:
                entries.append(entry)
    return ParsedFeed(
        title=_plain(str(data.get("title") or "")),
        link=home,
        language=feed_lang,
        entries=tuple(entries),
        encoding=encoding,
    )


def _entry_from_json(
    item: dict[str, Any],
    base: str | None,
    feed_lang: str | None,
    langs: tuple[str, ...],
    feed: dict[str, Any],
) -> FeedEntry | None:
    guid = _clean_str(item.get("id")) if item.get("id") is not None else None
    guid = str(item["id"]) if guid is None and item.get("id") is not None else guid
    link = None
    for candidate in (item.get("url"), item.get("external_url"), guid):
        link = _absolute(candidate if isinstance(candidate, str) else None, base)
        if link:
            break
    if link is None:
        return None
    if item.get("summary"):
        summary = _plain(str(item["summary"]))
    elif item.get("content_html"):
        summary = _plain({"type": "text/html", "value": str(item["content_html"])})
    else:
        summary = _plain(str(item.get("content_text") or ""))
    authors = item.get("authors") or ([item["author"]] if item.get("author") else [])
    authors = authors or feed.get("authors") or ([feed["author"]] if feed.get("author") else [])
    author = next(
        (a.get("name") for a in authors if isinstance(a, dict) and a.get("name")), None
    )
    image = None
    for candidate in (item.get("image"), item.get("banner_image")):
        image = _absolute(candidate if isinstance(candidate, str) else None, link)
        if image:
            break
    if image is None and isinstance(item.get("content_html"), str):
        match = _IMG_SRC.search(item["content_html"])
        image = _absolute(unescape(match.group(1)), link) if match else None
    tags = item.get("tags") if isinstance(item.get("tags"), list) else []
    return FeedEntry(
        link=link,
        title=_plain(str(item.get("title") or "")),
        summary=_clean_summary(summary),
        published=_date_from_text(_str_or_none(item.get("date_published")), langs),
        updated=_date_from_text(_str_or_none(item.get("date_modified")), langs),
        author=(_plain(str(author)) or None) if author else None,
        guid=guid,
        image=image,
        tags=_tags(str(t) for t in tags),
        language=_lang(item.get("language")) or feed_lang,
    )


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


# ---------------------------------------------------------------- text helpers


def _absolute(url: str | None, base: str | None) -> str | None:
    """An absolute http(s) URL, or None."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not url:
        return None
    try:
        url = urljoin(base, url) if base else url
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https") and urlsplit(url).netloc else None


def _clean_str(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None


def _plain(detail: Any) -> str:
    """Plain text, whitespace collapsed, from a string or a feedparser detail dict."""
    if detail is None:
        return ""
    if isinstance(detail, Mapping):
        value = detail.get("value") or ""
        is_html = "html" in (detail.get("type") or "")
    else:
        value, is_html = str(detail), False
    if is_html and ("<" in value or "&" in value):
        value = _html_to_text(value)
    elif _ENTITY.search(value):
        # Plain-text fields escaped twice by the publisher ("&amp;#8217;" → "&#8217;").
        value = unescape(value)
    return _SPACE.sub(" ", value).strip()


def _html_to_text(html: str) -> str:
    import html_text

    try:
        return html_text.extract_text(html, guess_layout=False)
    except Exception:  # lxml refuses some fragments (e.g. only a comment)
        return unescape(re.sub(r"<[^>]*>", " ", html))


def _clean_summary(text: str) -> str:
    for start, marker in _WP_TAILS:
        at = text.rfind(marker)
        if at >= 0:
            begin = text.rfind(start, 0, at + 1)
            if begin >= 0:
                text = text[:begin].rstrip()
    return _TRAILING_ELLIPSIS.sub("", text).strip()


def _lang(value: Any) -> str | None:
    """Primary language subtag, lower-cased: "fr-FR" → "fr"."""
    if not isinstance(value, str):
        return None
    value = value.strip().replace("_", "-").split("-")[0].lower()
    return value if value.isalpha() and 2 <= len(value) <= 3 else None

