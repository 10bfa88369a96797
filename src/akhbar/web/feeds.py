"""Feeds out of the site: RSS 2.0 and Atom (feedgen), JSON Feed 1.1, OPML of the outlets.

Every list the site shows has a feed: latest, each outlet, each section, any search.
An item links to the article at its outlet (the outlet gets the visit), its id is the
article's page here, and its text is what the outlet's display mode allows, no more.
"""

from __future__ import annotations

import dataclasses
import html
import json
from datetime import UTC, datetime
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import Response
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem

from akhbar.sources.opml import export_opml
from akhbar.web.data import Item, Site, SiteError, parse_section
from akhbar.web.i18n import translations
from akhbar.web.render import clean_text
from akhbar.web.templates import ui_lang, with_query

router = APIRouter(include_in_schema=False)

FEED_SIZE = 50
MEDIA_TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}


def base_url(request: Request) -> str:
    """The public address feeds link with: the site_url setting, else this request's."""
    configured = request.app.state.settings.site_url
    return (configured or str(request.base_url)).rstrip("/")


def _check_ext(ext: str) -> str:
    if ext not in MEDIA_TYPES:
        raise SiteError(404, f"feeds are .rss, .atom or .json, not .{ext}")
    return ext


def _site(request: Request) -> Site:
    return request.app.state.site


@router.get("/feeds/latest.{ext}")
def latest_feed(request: Request, ext: str) -> Response:
    ext = _check_ext(ext)
    gettext = translations(ui_lang(request)).gettext
    items, _ = _site(request).latest(1, include_copies=False, per_page=FEED_SIZE, count=False)
    return _feed(request, ext, items, gettext("akhbar: latest articles"), "/")


@router.get("/feeds/outlet/{source_id}.{ext}")
def outlet_feed(request: Request, source_id: str, ext: str) -> Response:
    ext = _check_ext(ext)
    site = _site(request)
    source = site.source(source_id)
    if source is None:
        raise SiteError(404, f"no outlet {source_id}")
    items, _ = site.latest(1, source_id=source.id, per_page=FEED_SIZE, count=False)
    return _feed(request, ext, items, f"akhbar: {clean_text(source.name)}", f"/outlet/{source.id}")


@router.get("/feeds/section/{slug}.{ext}")
def section_feed(request: Request, slug: str, ext: str) -> Response:
    ext = _check_ext(ext)
    section = parse_section(slug, status=404)
    items, _ = _site(request).latest(1, section=section, include_copies=False, per_page=FEED_SIZE,
                                     count=False)
    return _feed(request, ext, items, f"akhbar: {section}", f"/section/{section}")


@router.get("/feeds/search.{ext}")
def search_feed(request: Request, ext: str, q: str = "", sort: str | None = "date") -> Response:
    ext = _check_ext(ext)
    q = q.strip()
    if not q:
        raise SiteError(400, "a search feed needs a query: ?q=…")
    site = _site(request)
    results, _ = site.search(q, 1, sort, per_page=FEED_SIZE)
    items = [site.item(hit.article) for hit in results.hits]
    gettext = translations(ui_lang(request)).gettext
    return _feed(request, ext, items, gettext("akhbar: search") + f" “{clean_text(q)}”",
                 with_query("/search", q=q, sort=sort))


@router.get("/outlets.opml")
def outlets_opml(request: Request) -> Response:
    sources = [dataclasses.replace(s, name=clean_text(s.name) or s.id)
               for s in _site(request).sources().values() if s.enabled]
    return Response(export_opml(sources, title="akhbar"),
                    media_type="text/x-opml; charset=utf-8")


def _feed(request: Request, ext: str, items: list[Item], title: str, page: str) -> Response:
    base = base_url(request)
    self_url = base + request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if ext == "json":
        body = json_feed(items, title=title, home=base + page, self_url=self_url, base=base,
                         lang=ui_lang(request))
    else:
        body = xml_feed(items, ext, title=title, home=base + page, self_url=self_url, base=base,
                        lang=ui_lang(request))
    return Response(body, media_type=MEDIA_TYPES[ext])


def _updated(items: list[Item]) -> datetime:
    return max((it.article.first_seen for it in items), default=datetime(2004, 1, 1, tzinfo=UTC))


def new_feed(kind: str, *, title: str, home: str, self_url: str, lang: str,
             updated: datetime) -> FeedGenerator:
    """An RSS or Atom channel with its links and metadata, no entries yet (articles and
    stories feeds alike)."""
    fg = FeedGenerator()
    fg.id(self_url)
    fg.title(title)
    fg.link(href=home, rel="alternate")
    fg.link(href=self_url, rel="self")
    # RSS readers render <description> as HTML (an Atom subtitle is text): escape it there.
    fg.description(html.escape(title) if kind == "rss" else title)
    fg.language(lang)
    fg.generator("akhbar")
    fg.updated(updated)
    return fg


def xml_feed(items: list[Item], kind: str, *, title: str, home: str, self_url: str, base: str,
             lang: str) -> bytes:
    fg = new_feed(kind, title=title, home=home, self_url=self_url, lang=lang,
                  updated=_updated(items))
    if kind == "rss":
        fg.load_extension("media", atom=False)  # <media:content> for lead images
    else:
        fg.register_extension("lead_image", BaseExtension, _AtomEnclosure, rss=False)
    for it in items:
        fe = fg.add_entry(order="append")  # feedgen prepends by default
        permalink = base + it.href
        fe.id(permalink)
        fe.guid(permalink, permalink=True)
        fe.title(it.title)
        fe.link(href=it.source_url or permalink, rel="alternate")
        fe.published(it.when)
        fe.updated(it.article.updated or it.when)
        fe.author({"name": it.outlet, "email": "noreply@akhbar.invalid"} if kind == "rss"
                  else {"name": it.outlet})
        fe.summary(str(it.view.html), type="html")
        if it.article.section:
            fe.category(term=it.article.section)
        if it.image:  # http(s) only and percent-encoded, as the article page shows it
            if kind == "rss":
                # Its size is not known without fetching it: RSS readers accept length 0.
                fe.enclosure(it.image, 0, image_type(it.image))
                # Readers (Feedly, Thunderbird) take thumbnails from Media RSS.
                fe.media.content({"url": it.image, "medium": "image",
                                  "type": image_type(it.image)})
            else:
                fe.lead_image.url = it.image
    return fg.rss_str(pretty=False) if kind == "rss" else fg.atom_str(pretty=False)


class _AtomEnclosure(BaseEntryExtension):
    """An Atom entry's <link rel="enclosure">: feedgen 1.0 drops the rel, type and length
    of an entry's links when it writes Atom (a shadowed variable in FeedEntry._create_atom),
    so the lead image's link is written here."""

    def __init__(self):
        self.url: str | None = None

    def extend_atom(self, entry):
        if self.url:
            xml_elem("link", entry, href=self.url, rel="enclosure", type=image_type(self.url))
        return entry


_IMAGE_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png",
                "gif": "image/gif", "webp": "image/webp", "avif": "image/avif"}


def image_type(url: str) -> str:
    """The lead image's media type from its URL's extension. Not stored with the article;
    without an extension it is said to be JPEG, the press's usual format (readers only
    look at the image/ part to show it)."""
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return _IMAGE_TYPES.get(ext, "image/jpeg")


def json_feed(items: list[Item], *, title: str, home: str, self_url: str, base: str,
              lang: str) -> bytes:
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1)."""
    out_items = []
    for it in items:
        entry = {
            "id": base + it.href,
            "url": it.source_url or base + it.href,
            "title": it.title,
            "content_html": str(it.view.html),
            "summary": it.view.words(30),
            "date_published": it.when.isoformat(),
            "authors": [{"name": it.outlet, "url": f"{base}/outlet/{it.source.id}"}],
            "language": it.lang,
            "_akhbar": {"outlet": it.source.id, "display": it.view.mode,
                        "truncated": it.view.truncated},
        }
        if it.article.updated:
            entry["date_modified"] = it.article.updated.isoformat()
        if it.image:
            entry["image"] = it.image
        if it.article.section:
            entry["tags"] = [it.article.section]
        if it.author:
            entry["authors"].insert(0, {"name": it.author})
        out_items.append(entry)
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": title,
            "home_page_url": home, "feed_url": self_url, "language": lang, "items": out_items}
    return json.dumps(feed, ensure_ascii=False).encode("utf-8")
