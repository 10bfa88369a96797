"""Article page → main text and metadata (pure: no I/O, picklable arguments).

The page is parsed once with lxml. trafilatura extracts the text and most metadata from
a copy of that tree; we read what it does not give precisely (published/updated times,
canonical URL, language) from the same tree, and turn trafilatura's result tree into
simple HTML instead of running a second extraction. When trafilatura finds nothing or
very little, readability-lxml gets a try (the two fail on different pages).

Per-source :class:`~akhbar.types.ExtractRules` override the generic choices.
"""

from __future__ import annotations

import html as htmllib
import json
import re
from collections.abc import Iterator, Sequence
from copy import deepcopy
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin

from lxml import etree
from lxml.html import HtmlElement
from trafilatura import bare_extraction
from trafilatura.metadata import extract_metadata
from trafilatura.settings import set_date_params
from trafilatura.utils import load_html

from akhbar.errors import ExtractError
from akhbar.parse.dates import CASABLANCA, parse_date_text
from akhbar.types import Extracted, ExtractRules

# Naive timestamps on the pages we crawl are Moroccan local time (which moves for Ramadan).
LOCAL_TZ = CASABLANCA

# Below this many characters trafilatura's text is worth comparing with readability's.
MIN_CHARS = 250
# The fallback text replaces trafilatura's only when it is this much longer: readability
# keeps boilerplate more often, so a small gain in length is not a gain in quality.
FALLBACK_GAIN = 2.0
# Less than this is not an article text at all.
MIN_ARTICLE_CHARS = 20

_WS = re.compile(r"\s+")


# --- selectors ---------------------------------------------------------------------------


@lru_cache(maxsize=512)
def _compile(selector: str) -> etree.XPath:
    """CSS, or XPath when the selector starts with "/" or "(" (ExtractRules convention)."""
    if selector.startswith(("/", "(")):
        return etree.XPath(selector)
    from lxml.cssselect import CSSSelector

    return CSSSelector(selector, translator="html")


def select(tree: HtmlElement, selector: str) -> list[Any]:
    found = _compile(selector)(tree)
    return found if isinstance(found, list) else [found]


# --- small helpers -----------------------------------------------------------------------


def _squash(text: str | None) -> str:
    return _WS.sub(" ", text or "").strip()


def _meta_index(tree: HtmlElement) -> dict[str, str]:
    """property/name/itemprop → content of the page's <meta> tags, first one wins (one pass)."""
    index: dict[str, str] = {}
    for el in tree.iter("meta"):
        content = (el.get("content") or "").strip()
        if not content:
            continue
        for attr in ("property", "name", "itemprop"):
            key = el.get(attr)
            if key and key not in index:
                index[key] = content
    return index


def _meta(index: dict[str, str], *names: str) -> str | None:
    for name in names:
        if name in index:
            return index[name]
    return None


def parse_iso(value: str | None) -> datetime | None:
    """An ISO 8601 date or timestamp → aware UTC datetime; naive times are Moroccan time."""
    if not value:
        return None
    value = value.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    # "+0100" is common in meta tags; fromisoformat wants "+01:00"
    value = re.sub(r"([+-]\d\d)(\d\d)$", r"\1:\2", value)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(value[:10]), datetime.min.time())
        except ValueError:
            return None
        return parsed.replace(tzinfo=UTC)
    if parsed.tzinfo is None:
        if len(value) <= 10:  # a bare day carries no time zone worth guessing
            return parsed.replace(tzinfo=UTC)
        parsed = parsed.replace(tzinfo=LOCAL_TZ)
    return parsed.astimezone(UTC)


def _parse_date_text(text: str, langs: Sequence[str]) -> datetime | None:
    return parse_date_text(text, langs) or parse_iso(text)


def _has_time(value: str) -> bool:
    return "T" in value or " " in value.strip()


# --- metadata trafilatura does not give precisely ----------------------------------------


def _json_ld(tree: HtmlElement) -> Iterator[dict[str, Any]]:
    """Every JSON-LD object on the page, @graph members included."""
    for script in tree.iterfind(".//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                yield item
                if isinstance(item.get("@graph"), list):
                    stack.extend(reversed(item["@graph"]))


def _ld_date(objects: list[dict[str, Any]], key: str) -> str | None:
    for obj in objects:
        value = obj.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return None


def _precise_dates(
    tree: HtmlElement, meta: dict[str, str]
) -> tuple[str | None, str | None]:
    """Published and modified timestamps from metadata that usually carries a time."""
    ld = list(_json_ld(tree))
    published = (
        _meta(meta, "article:published_time", "og:article:published_time", "datePublished")
        or _ld_date(ld, "datePublished")
        or _attr(tree, ".//time[@itemprop='datePublished']", "datetime")
        or _attr(tree, ".//*[@itemprop='datePublished']", "content")
        or _attr(tree, ".//time[@pubdate]", "datetime")
    )
    modified = (
        _meta(meta, "article:modified_time", "og:updated_time", "dateModified")
        or _ld_date(ld, "dateModified")
        or _attr(tree, ".//time[@itemprop='dateModified']", "datetime")
        or _attr(tree, ".//*[@itemprop='dateModified']", "content")
    )
    return published, modified


# Elements whose class or id says they hold the article's date ("date", "time", "published",
# "posted", "meta"), read before any other text; visible dates are written in words.
_DATE_HOLDERS = etree.XPath(
    "//*[self::time or self::span or self::div or self::p or self::small or self::li]"
    "[re:test(concat(@class, ' ', @id, ' ', @itemprop), "
    "'date|time|publi|posted|meta|byline', 'i')]",
    namespaces={"re": "http://exslt.org/regular-expressions"},
)


def _visible_date(tree: HtmlElement, language: str | None) -> datetime | None:
    """The first date written in words near the article ("Publié le 12 mars 2024 à 10h30",
    "نشر في 12 مارس 2024", "March 12, 2024"), for pages without machine-readable dates."""
    langs = (language,) if language else ()
    for el in _DATE_HOLDERS(tree)[:12]:
        text = _squash(el.text_content())
        if 6 <= len(text) <= 120:
            found = _parse_date_text(text, langs)
            if found is not None:
                return found
    return None


def _attr(tree: HtmlElement, path: str, attr: str) -> str | None:
    for el in tree.iterfind(path):
        if el.get(attr, "").strip():
            return el.get(attr).strip()
    return None


def _first_time_element(tree: HtmlElement) -> str | None:
    """<time datetime> in the article (or anywhere), used only to add a time to htmldate's day."""
    for path in (".//article//time[@datetime]", ".//time[@datetime]"):
        value = _attr(tree, path, "datetime")
        if value:
            return value
    return None


def _language(tree: HtmlElement, meta: dict[str, str]) -> str | None:
    value = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    value = value or _meta(meta, "og:locale")
    if not value:
        return None
    primary = re.split(r"[-_]", value.strip())[0].lower()
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None


def _canonical(tree: HtmlElement, meta: dict[str, str], url: str) -> str | None:
    href = None
    for link in tree.iterfind(".//link[@href]"):
        if "canonical" in (link.get("rel") or "").lower().split():
            href = link.get("href").strip()
            break
    href = href or _meta(meta, "og:url")
    return urljoin(url, href) if href else None


# --- trafilatura's result tree → simple HTML and text ------------------------------------

_HEADS = {"h1": "h2", "h2": "h2"}  # the page title is shown apart: body headings start at h2
_INLINE = {"#b": "b", "#strong": "b", "#i": "i", "#em": "i", "#u": "i"}


def _escape(text: str | None) -> str:
    return htmllib.escape(text, quote=False) if text else ""


def _inline(el: etree._Element) -> str:
    """An element's content as inline HTML (its own tag not included)."""
    parts = [_escape(el.text)]
    for child in el:
        if child.tag == "lb":
            parts.append("<br>")
        elif child.tag == "hi" and child.get("rend") in _INLINE:
            tag = _INLINE[child.get("rend")]
            parts.append(f"<{tag}>{_inline(child)}</{tag}>")
        elif child.tag in ("p", "head", "list", "quote", "table"):
            parts.append(" " + _inline(child) + " ")  # a block where inline text was expected
        else:
            parts.append(_inline(child))
        parts.append(_escape(child.tail))
    return "".join(parts)


def _blocks(el: etree._Element) -> Iterator[str]:
    """HTML blocks for the children of a container (body, quote, list item, cell…)."""
    if el.text and el.text.strip():
        yield f"<p>{_escape(el.text.strip())}</p>"
    for child in el:
        tag = child.tag
        if tag == "p" or tag == "code":
            content = _inline(child).strip()
            if content:
                yield f"<p>{content}</p>"
        elif tag == "head":
            level = _HEADS.get(child.get("rend", ""), "h3")
            content = _inline(child).strip()
            if content:
                yield f"<{level}>{content}</{level}>"
        elif tag == "list":
            list_tag = "ol" if child.get("rend") == "ol" else "ul"
            items = []
            for item in child.iterfind("item"):
                if len(item) and any(c.tag in ("p", "list", "quote") for c in item):
                    items.append("<li>" + "".join(_blocks(item)) + "</li>")
                else:
                    content = _inline(item).strip()
                    if content:
                        items.append(f"<li>{content}</li>")
            if items:
                yield f"<{list_tag}>" + "".join(items) + f"</{list_tag}>"
        elif tag == "quote":
            if any(c.tag in ("p", "list", "head") for c in child):
                inner = "".join(_blocks(child))
            else:
                inner = _inline(child).strip()
            if inner:
                yield f"<blockquote>{inner}</blockquote>"
        elif tag == "table":
            # kept to the simple tags the site allows: one paragraph per row
            for row in child.iter("row"):
                cells = [_squash(etree.tostring(c, method="text", encoding="unicode"))
                         for c in row.iterfind("cell")]
                line = " | ".join(c for c in cells if c)
                if line:
                    yield f"<p>{_escape(line)}</p>"
        elif tag in ("lb", "graphic", "ref", "hi", "div", "item", "cell", "row"):
            content = _inline(child).strip()
            if content:
                yield f"<p>{content}</p>"
        if child.tail and child.tail.strip():
            yield f"<p>{_escape(child.tail.strip())}</p>"


def _text_from_tree(body: etree._Element) -> str:
    """Plain text of trafilatura's result tree: one block per line, blank line between blocks."""
    from trafilatura.xml import xmltotxt

    lines = (line.strip() for line in xmltotxt(body, False).splitlines())
    return "\n\n".join(line for line in lines if line)


# --- generic HTML element → simple HTML and text (rules.body, readability) ---------------

_BLOCK_TAGS = {
    "p", "div", "section", "article", "main", "header", "footer", "aside", "figure",
    "figcaption", "table", "tr", "ul", "ol", "li", "dl", "dt", "dd", "blockquote", "pre",
    "h1", "h2", "h3", "h4", "h5", "h6", "br", "hr", "form",
}
_SKIP_TAGS = {"script", "style", "noscript", "template", "iframe", "svg", "button", "nav", "form"}


def html_element_blocks(root: HtmlElement) -> list[tuple[str, str]]:
    """(kind, inline html) blocks of an HTML element; kind is p, h2, h3, li, blockquote."""
    blocks: list[tuple[str, str]] = []
    buffer: list[str] = []
    kind = ["p"]

    def flush() -> None:
        content = _WS.sub(" ", "".join(buffer)).strip()
        buffer.clear()
        if content and content not in ("<br>",):
            blocks.append((kind[0], content))

    def walk(el: HtmlElement, inherited: str) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _SKIP_TAGS or not tag:
            if el.tail:
                buffer.append(_escape(el.tail))
            return
        block = tag in _BLOCK_TAGS
        here = inherited
        if tag in ("h1", "h2"):
            here = "h2"
        elif tag in ("h3", "h4", "h5", "h6"):
            here = "h3"
        elif tag == "li":
            here = "li"
        elif tag == "blockquote":
            here = "blockquote"
        if block:
            flush()
            kind[0] = here
        inline_tag = {"b": "b", "strong": "b", "i": "i", "em": "i"}.get(tag)
        if inline_tag:
            buffer.append(f"<{inline_tag}>")
        if el.text:
            buffer.append(_escape(el.text))
        for child in el:
            walk(child, here)
        if inline_tag:
            buffer.append(f"</{inline_tag}>")
        if block:
            flush()
            kind[0] = inherited
        if el.tail:
            buffer.append(_escape(el.tail))

    walk(root, "p")
    flush()
    return blocks


def _render_blocks(blocks: list[tuple[str, str]]) -> tuple[str, str]:
    """Blocks → (html, text); consecutive list items share one <ul>."""
    html_parts: list[str] = []
    texts: list[str] = []
    in_list = False
    for kind, content in blocks:
        if kind == "li" and not in_list:
            html_parts.append("<ul>")
            in_list = True
        elif kind != "li" and in_list:
            html_parts.append("</ul>")
            in_list = False
        html_parts.append(f"<{kind}>{content}</{kind}>")
        texts.append(_squash(htmllib.unescape(re.sub(r"<[^>]+>", " ", content))))
    if in_list:
        html_parts.append("</ul>")
    return "".join(html_parts), "\n\n".join(t for t in texts if t)


def element_to_html_text(elements: Sequence[HtmlElement]) -> tuple[str, str]:
    blocks: list[tuple[str, str]] = []
    for el in elements:
        blocks.extend(html_element_blocks(el))
    return _render_blocks(blocks)


def _readability(tree: HtmlElement, url: str) -> tuple[str, str]:
    """readability-lxml's main block → (html, text); ("", "") when it finds nothing."""
    import html_text
    from lxml.html import fromstring
    from readability import Document

    try:
        summary = Document(deepcopy(tree), url=url).summary(html_partial=True)
    except Exception:  # readability raises bare Exceptions on odd pages; a fallback may fail
        return "", ""
    if not summary.strip():
        return "", ""
    text = html_text.extract_text(summary, guess_layout=True)
    fragment = fromstring(summary)
    html, _ = element_to_html_text([fragment])
    return html, "\n\n".join(p for p in (_squash(x) for x in text.split("\n\n")) if p)


def _drop_title_heading(body: etree._Element, title: str | None, tree: HtmlElement) -> None:
    """Drop a leading heading that repeats the title: the title is stored apart."""
    if not len(body) or body[0].tag != "head":
        return
    first = body[0]
    heading = _squash(etree.tostring(first, method="text", encoding="unicode", with_tail=False))
    page_title = _squash(tree.findtext(".//title"))
    if heading and (heading == _squash(title) or heading in page_title):
        if first.tail and first.tail.strip():
            body.text = (body.text or "") + first.tail
        body.remove(first)


# --- the extractor -----------------------------------------------------------------------


def _rule_text(tree: HtmlElement, selector: str | None) -> str | None:
    """Text (or attribute value) of the first element a rule selects."""
    if not selector:
        return None
    for found in select(tree, selector):
        if isinstance(found, str):  # XPath may select an attribute or text()
            value = _squash(found)
        else:
            value = _squash(found.get("datetime") or found.get("content") or found.text_content())
        if value:
            return value
    return None


def extract(html: str, url: str, rules: ExtractRules | None = None) -> Extracted:
    """Main text and metadata of an article page.

    Raises :class:`ExtractError` when no article text can be taken.
    """
    return _extract(html, url, rules)


def _extract(
    html: str,
    url: str,
    rules: ExtractRules | None = None,
    *,
    fallback: str = "short",
    fast: bool = False,
    favor_precision: bool = False,
    strip_title: bool = True,
) -> Extracted:
    """:func:`extract` with the choices the extraction benchmark compares.

    fallback: "none" (trafilatura only), "short" (readability when trafilatura's text is
    missing or short and readability's is much longer), "missing" (only when trafilatura
    gives nothing).
    """
    rules = rules or ExtractRules()
    try:
        tree = load_html(html)
    except Exception as exc:  # lxml raises several unrelated types on garbage
        raise ExtractError(f"unparsable HTML: {exc}") from exc
    if tree is None:
        raise ExtractError("empty or unparsable HTML")
    for selector in rules.drop:
        for el in select(tree, selector):
            if isinstance(el, HtmlElement) and el.getparent() is not None:
                el.drop_tree()

    meta = _meta_index(tree)
    language = _language(tree, meta)
    published_raw, modified_raw = _precise_dates(tree, meta)
    # htmldate's extensive search runs dateparser over the page text: on news pages it
    # cost five times the rest of the extraction and still missed Maghreb Arabic month
    # names. The light search (meta tags, URL, <time>) plus our own visible-date reader
    # below does the job for a fraction of the cost.
    date_params = set_date_params(extensive=False)
    extractor = "trafilatura"
    text = body_html = ""
    doc = None
    if rules.body:
        targets = [el for el in select(tree, rules.body) if isinstance(el, HtmlElement)]
        body_html, text = element_to_html_text(targets)
        extractor = "rules"
        # metadata only: cheaper than a full extraction run
        doc = extract_metadata(deepcopy(tree), url, date_config=date_params)
    if len(text) < MIN_ARTICLE_CHARS:
        # no body rule, or it matched nothing (the site changed its layout): go generic
        doc = bare_extraction(
            tree,
            url=url,
            with_metadata=True,
            date_extraction_params=date_params,
            include_comments=False,
            include_formatting=True,
            fast=fast,
            favor_precision=favor_precision,
        )
        extractor = "trafilatura"
        if doc is not None and doc.body is not None:
            if strip_title:
                _drop_title_heading(doc.body, doc.title, tree)
            text = _text_from_tree(doc.body)
            body_html = "".join(_blocks(doc.body))
        if fallback != "none" and (
            not text or (fallback == "short" and len(text) < MIN_CHARS)
        ):
            r_html, r_text = _readability(tree, url)
            if r_text and (not text or len(r_text) >= FALLBACK_GAIN * len(text)):
                text, body_html, extractor = r_text, r_html, "readability"
        if doc is None:  # the metadata went with the failed extraction: read it alone
            doc = extract_metadata(deepcopy(tree), url, date_config=date_params)

    if len(text) < MIN_ARTICLE_CHARS:
        raise ExtractError(f"no article text found ({len(text)} characters)")

    title = doc.title if doc else None
    author = doc.author if doc else None
    rule_title = _rule_text(tree, rules.title)
    rule_author = _rule_text(tree, rules.author)

    published = parse_iso(published_raw)
    day = parse_iso(doc.date) if doc and doc.date else None  # htmldate: a day, no time
    if day is not None and (day.month, day.day) == (1, 1):
        # htmldate falls back to a bare year (a copyright line) as January 1st: not a date
        day = None
    if published is None and day is not None:
        # a <time datetime> on the same day adds the time of day htmldate drops
        time_value = _first_time_element(tree)
        candidate = parse_iso(time_value)
        candidate_has_time = candidate is not None and _has_time(time_value or "")
        same_day = candidate and candidate.astimezone(LOCAL_TZ).date() == day.date()
        published = candidate if candidate_has_time and same_day else day
    if published is None:
        published = _visible_date(tree, language)
    if rules.date:
        rule_date = _rule_text(tree, rules.date)
        if rule_date:
            langs = (language,) if language else ()
            published = _parse_date_text(rule_date, langs) or published

    tags: list[str] = []
    if doc:
        for value in [*(doc.tags or []), *(doc.categories or [])]:
            # meta keywords arrive as one comma-separated string
            for tag in value.split(","):
                tag = _squash(tag)
                if tag and tag not in tags:
                    tags.append(tag)
    image = doc.image if doc else None

    return Extracted(
        text=text,
        html=body_html,
        title=rule_title or (_squash(title) or None),
        author=rule_author or (_squash(author) or None),
        image=urljoin(url, image) if image else None,
        description=_squash(doc.description) or None if doc else None,
        tags=tuple(tags),
        published=published,
        updated=parse_iso(modified_raw),
        canonical_url=_canonical(tree, meta, url),
        language=language,
        extractor=extractor,
    )
