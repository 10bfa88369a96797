"""OPML 2.0 import and export of the source registry.

Export groups feeds by language: one folder outline per language (the source's first
language; "und" when it has none), holding one ``type="rss"`` outline per feed. News readers
show those folders as-is, and a reader of the Moroccan press usually picks by language.
Each feed outline carries ``text``/``title`` (source name), ``xmlUrl``, ``htmlUrl``,
``language`` (the source's languages, comma-separated) and ``akhbar:id`` so that an
export re-imported elsewhere keeps its source ids.

Import accepts any nesting. Feeds with the same ``htmlUrl`` become one Source (an outlet
with several feeds). Ids come from ``akhbar:id`` when present, else a slug of the title,
else of the host, made unique. Languages come from the ``language`` attribute; without it
they are left empty (unknown): guessing "fr" would mislabel Arabic outlets, and the
pipeline detects each article's language anyway.

Parsing is defensive: no DTD is accepted (that is where entity bombs and external
entities live), no entity is resolved, nothing is fetched from the network.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from lxml import etree

from akhbar.errors import ConfigError
from akhbar.sources.registry import SLUG_RE, is_http_url
from akhbar.types import Source

AKHBAR_NS = "https://github.com/akhbar-news/akhbar/opml"
_ID_ATTR = f"{{{AKHBAR_NS}}}id"
MAX_OPML_BYTES = 10 * 1024 * 1024  # a subscription list, not a data dump
_DOCTYPE_MARKERS = tuple("<!DOCTYPE".encode(c) for c in ("ascii", "utf-16-le", "utf-16-be"))


def export_opml(sources: list[Source], title: str = "akhbar") -> str:
    """An OPML 2.0 document with one outline per feed, grouped by language."""
    root = etree.Element("opml", version="2.0", nsmap={"akhbar": AKHBAR_NS})
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    body = etree.SubElement(root, "body")
    folders: dict[str, etree._Element] = {}
    for source in sources:
        lang = source.languages[0] if source.languages else "und"
        folder = folders.get(lang)
        if folder is None:
            folder = folders[lang] = etree.SubElement(body, "outline", text=lang, title=lang)
        for feed in source.feeds:
            outline = etree.SubElement(folder, "outline")
            outline.set("type", "rss")
            outline.set("text", source.name)
            outline.set("title", source.name)
            outline.set("xmlUrl", feed)
            outline.set("htmlUrl", source.homepage)
            if source.languages:
                outline.set("language", ",".join(source.languages))
            outline.set(_ID_ATTR, source.id)
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return data.decode("utf-8")


def _parse(text: str | bytes) -> etree._Element:
    if isinstance(text, str):
        # lxml refuses a str that declares an encoding; the text is already decoded.
        text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text, count=1).encode("utf-8")
    if len(text) > MAX_OPML_BYTES:
        raise ConfigError(f"OPML is too large ({len(text)} bytes, at most {MAX_OPML_BYTES})")
    # Refuse before parsing: libxml2 expands entities in attribute values even with
    # resolve_entities=False (its amplification limit stays as a second guard).
    if any(marker in text.upper() for marker in _DOCTYPE_MARKERS):
        raise ConfigError("OPML with a DOCTYPE is refused (entity expansion risk)")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
        dtd_validation=False, remove_comments=True, remove_pis=True,
    )
    try:
        root = etree.fromstring(text, parser)
    except etree.XMLSyntaxError as exc:
        raise ConfigError(f"OPML is not well-formed XML: {exc}") from None
    if root is None:
        raise ConfigError("OPML is empty")
    if root.getroottree().docinfo.doctype:
        raise ConfigError("OPML with a DOCTYPE is refused (entity expansion risk)")
    if etree.QName(root).localname != "opml":
        raise ConfigError(f"not an OPML document: root element is <{etree.QName(root).localname}>")
    return root


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")


def _host_slug(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return _slug(host.removeprefix("www."))


def _languages(value: str | None) -> tuple[str, ...]:
    langs: list[str] = []
    for part in re.split(r"[\s,;]+", value or ""):
        code = part.split("-")[0].split("_")[0].lower()  # "fr-MA" → "fr"
        if re.fullmatch(r"[a-z]{2}", code) and code not in langs:
            langs.append(code)
    return tuple(langs)


def _homepage_key(url: str) -> str:
    # "https://Fr.hespress.com" and "https://fr.hespress.com/" are one homepage.
    parts = urlsplit(url)
    return f"{parts.scheme}://{(parts.netloc or '').lower()}{parts.path or '/'}" + (
        f"?{parts.query}" if parts.query else "")


def import_opml(text: str | bytes) -> list[Source]:
    """The sources an OPML subscription list describes; ConfigError when it is unusable."""
    root = _parse(text)
    groups: dict[str, dict] = {}  # homepage key → what the Source is built from
    seen_feeds: set[str] = set()
    for el in root.iter("{*}outline"):
        attrs = {str(k).lower(): v.strip() for k, v in el.attrib.items() if "}" not in str(k)}
        feed = attrs.get("xmlurl")
        if not feed:
            continue  # a folder
        name = attrs.get("title") or attrs.get("text") or ""
        if not is_http_url(feed):
            raise ConfigError(f"OPML outline {name or feed!r}: xmlUrl {feed!r} is not an http(s) URL")
        if feed in seen_feeds:
            continue  # the same feed filed in two folders
        seen_feeds.add(feed)
        homepage = attrs.get("htmlurl", "")
        if not is_http_url(homepage):
            parts = urlsplit(feed)
            homepage = f"{parts.scheme}://{parts.netloc}/"
        group = groups.setdefault(_homepage_key(homepage), {
            "name": name, "homepage": homepage, "feeds": [], "languages": [],
            "id": el.get(_ID_ATTR, ""),
        })
        group["feeds"].append(feed)
        group["name"] = group["name"] or name
        for lang in _languages(attrs.get("language")):
            if lang not in group["languages"]:
                group["languages"].append(lang)
    if not groups:
        raise ConfigError("OPML has no feed outline (no outline with an xmlUrl)")

    used: set[str] = set()
    sources = []
    for group in groups.values():
        base = group["id"] if SLUG_RE.match(group["id"] or "") else ""
        base = base or _slug(group["name"]) or _host_slug(group["homepage"]) or "source"
        sid, n = base, 2
        while sid in used:
            sid, n = f"{base}-{n}", n + 1
        used.add(sid)
        sources.append(Source(
            id=sid,
            name=group["name"] or urlsplit(group["homepage"]).hostname or sid,
            homepage=group["homepage"],
            feeds=tuple(group["feeds"]),
            languages=tuple(group["languages"]),
        ))
    return sources
