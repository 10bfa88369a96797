"""DemoPress: eight fictional Moroccan outlets served over real HTTP on 127.0.0.11-18.

    with DemoPress() as press:
        sources = press.sources()          # akhbar.types.Source, one per outlet
        truth = press.ground_truth()       # one dict per article
        press.publish_more(5)              # new stories appear in the feeds

See akhbar.demo.outlets for which host carries which quirk.
"""

from __future__ import annotations

import threading
import time
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from urllib.parse import urlsplit

import tomli_w

from akhbar.demo import render as R
from akhbar.demo import texts as T
from akhbar.demo.events import LOCAL, Art, World, stable_seed
from akhbar.demo.outlets import BY_ID, OUTLETS, Outlet
from akhbar.demo.pictures import ENCODINGS, draw, encode
from akhbar.demo.server import LoopbackServers, Resource
from akhbar.sources.registry import source_to_toml_table
from akhbar.types import Source

MAIN_ITEMS = 30
SECTION_ITEMS = 50
ARCHIVE_ITEMS = 500  # largest feed
PAGE_CACHE = 4000  # rendered article pages kept in memory (LRU)
IMAGE_CACHE = 256  # encoded pictures kept in memory (LRU); drawn again on demand

_FEED_PATHS = {
    # outlet: (main, section, archive); {p} = "/fr" for multi-edition outlets, {s} section,
    # {y} year, {k} "" or "-2", "-3"... for years with more than ARCHIVE_ITEMS articles
    "aap": ("{p}/feeds/latest.atom", "{p}/feeds/{s}.atom", "{p}/feeds/archive-{y}{k}.atom"),
    "echo-bouregreg": ("/rss.xml", "/rss/{s}.xml", "/rss/archive-{y}{k}.xml"),
    "nabd-madina": ("/feed/", "/{s}/feed/", "/feed/archive-{y}{k}.xml"),
    "kasbah-tribune": ("/feed.json", "/feed/{s}.json", "/feed/archive-{y}{k}.json"),
    "al-manara": ("{p}/rss/", "{p}/rss/{s}.xml", "{p}/rss/archive-{y}{k}.xml"),
    "argane-express": ("/feeds/une.xml", "/feeds/{s}.xml", "/feeds/archive-{y}{k}.xml"),
    "zellige-review": ("/rss", "/rss/{s}", "/rss/archive/{y}{k}"),
    "sawt-jabal": ("/atom.xml", "/atom/{s}.xml", "/atom/archive-{y}{k}.xml"),
}
_FEED_TYPE = {"rss": "application/rss+xml", "atom": "application/atom+xml",
              "json": "application/feed+json"}


@dataclass(frozen=True)
class FeedDef:
    path: str
    lang: str
    role: str  # "main" | "section" | "archive"
    title: str
    arts: tuple[int, ...]
    broken: bool = False


@dataclass
class _Index:
    """Per-outlet lookups, rebuilt whole (then swapped in) when stories are added."""

    by_lang: dict[str, list[Art]]  # newest first
    position: dict[int, int]  # article idx -> position in its by_lang list
    feeds: dict[str, FeedDef]  # path -> feed
    routes: dict[str, tuple]  # path -> ("art", idx) | ("home", lang) | ("section", lang, cat)


def _http_date(dt: datetime) -> str:
    return format_datetime(dt.astimezone(UTC), usegmt=True)


def _etag(body: bytes) -> str:
    return f'"{zlib.crc32(body):08x}-{len(body):x}"'


class DemoPress:
    def __init__(self, *, scale: int | None = None, seed: int = 0, port: int = 0,
                 slow_seconds: float = 1.5, now: datetime | None = None,
                 rate_limit_first: int = 1, retry_after: int = 2):
        """scale: crawlable articles wanted (None: a few hundred). slow_seconds: delay of
        every answer from the slow host. rate_limit_first: requests of each feed of the 429
        host answered 429 before it serves the feed; retry_after: its Retry-After seconds."""
        self._fixed_now = now
        self.now = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
        self.seed = seed
        self.scale = scale
        self.port = port
        self.slow_seconds = slow_seconds
        self.rate_limit_first = rate_limit_first
        self.retry_after = retry_after
        self.world = World(seed, self.now, scale)
        self._lock = threading.Lock()
        self._index: dict[str, _Index] = {o.id: self._build_index(o) for o in OUTLETS}
        self._cache: dict[tuple[str, str], Resource] = {}
        self._pages: OrderedDict[int, Resource] = OrderedDict()
        self._images: OrderedDict[int, Resource] = OrderedDict()
        self._hits: dict[str, int] = {}  # 429 host: requests seen per feed path
        self._servers: LoopbackServers | None = None
        self.requests = 0  # answered requests, all hosts (for the curious)

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        if self._servers is not None:
            return
        self._servers = LoopbackServers([o.octet for o in OUTLETS], self._resolve, self.port)
        self.port = self._servers.port
        self._servers.start()

    def stop(self) -> None:
        if self._servers is not None:
            self._servers.stop()
            self._servers = None

    def __enter__(self) -> DemoPress:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- URLs -----------------------------------------------------------------------------

    def base_url(self, outlet_id: str) -> str:
        if not self.port:
            raise RuntimeError("start() the press first: its port is not chosen yet")
        return f"http://127.0.0.{BY_ID[outlet_id].octet}:{self.port}"

    def url(self, a: Art) -> str:
        return self.base_url(a.outlet) + a.path

    def image_url(self, a: Art) -> str:
        """Its lead picture, on its outlet's host in the outlet's encoding (og:image on
        pages with Open Graph, media:content / enclosure / "image" in feeds)."""
        return self.base_url(a.outlet) + _image_path(a)

    def picture_of(self, a: Art) -> Art:
        """The article whose picture this one carries: a wire copy shows its original's."""
        return self.world.arts[a.wire_of] if a.wire_of is not None else a

    def image_bytes(self, url: str) -> bytes:
        """The bytes the press serves at an image URL (KeyError if it serves none)."""
        route = self._index[_BY_OCTET[_octet(url)].id].routes.get(urlsplit(url).path)
        if not route or route[0] != "image":
            raise KeyError(url)
        return self._image(route[1]).body

    # -- registry -------------------------------------------------------------------------

    def sources(self) -> list[Source]:
        out = []
        for o in OUTLETS:
            base = self.base_url(o.id)
            out.append(Source(
                id=o.id, name=o.name, homepage=base + "/",
                feeds=tuple(base + p for p in self._index[o.id].feeds),
                languages=o.languages, country="MA", crawl_interval=300, founded=o.founded,
                encoding=None, extract=o.extract, display=o.display,
                excerpt_words=o.excerpt_words, min_delay=0.0 if o.fast else None,
            ))
        return out

    def sources_toml(self) -> str:
        """The sources as an operator's TOML file (the keys akhbar.sources.registry reads)."""
        tables = [source_to_toml_table(s) for s in self.sources()]
        return ("# The demo press: fictional outlets served on loopback by akhbar.demo.\n\n"
                + tomli_w.dumps({"source": tables}))

    # -- ground truth ---------------------------------------------------------------------

    def ground_truth(self) -> list[dict]:
        out = []
        for a in self.world.arts:
            out.append({
                "url": self.url(a), "outlet": a.outlet, "lang": a.lang,
                "event": a.event.id, "kind": a.event.kind,
                "section": T.KIND_META[a.event.kind][0],
                "wire_copy": a.wire_of is not None,
                "wire_of": self.url(self.world.arts[a.wire_of]) if a.wire_of is not None else None,
                "published": a.published, "title": a.title,
                "feed_title": a.old_title,  # set when the outlet re-titled the article
                "crawlable": not a.premium, "premium": a.premium, "date_trap": a.trap,
                "charset_lie": a.charset_lie,
                "image": self.image_url(a),
                # Set on a wire copy: the same picture, re-encoded, at the original's URL.
                "image_of": self.image_url(self.picture_of(a)) if a.wire_of is not None else None,
            })
        return out

    def expected_summary(self) -> dict:
        arts = self.world.arts
        ok = [a for a in arts if not a.premium]
        events: dict[str, set[tuple[str, str]]] = {}
        for a in ok:
            if a.event.id:
                events.setdefault(a.event.id, set()).add((a.outlet, a.lang))
        multi = [e for e, s in events.items()
                 if len({o for o, _ in s}) >= 2 and len({lg for _, lg in s}) >= 2]
        langs: dict[str, int] = {}
        per_outlet: dict[str, int] = {}
        for a in ok:
            langs[a.lang] = langs.get(a.lang, 0) + 1
            per_outlet[a.outlet] = per_outlet.get(a.outlet, 0) + 1
        return {
            "outlets": len(OUTLETS),
            "articles": len(arts),
            "crawlable": len(ok),
            "disallowed": len(arts) - len(ok),
            "wire_copies": sum(1 for a in ok if a.wire_of is not None),
            "events": len(events),
            "events_multi_outlet_multi_lang": len(multi),
            "languages": langs,
            "per_outlet": per_outlet,
            "date_traps": sum(1 for a in arts if a.trap),
            "feeds": sum(len(ix.feeds) for ix in self._index.values()),
            "first_published": min(a.published for a in arts),
            "last_published": max(a.published for a in arts),
        }

    def feed_item_counts(self) -> dict[str, int]:
        """Items in each feed, by feed URL (none holds more than 500)."""
        return {self.base_url(oid) + path: len(f.arts)
                for oid, ix in self._index.items() for path, f in ix.feeds.items()}

    def article_text(self, url: str) -> str:
        """The body text an extractor should find on the page: paragraphs, blank-line separated."""
        a = self._art_by_url(url)
        return "\n\n".join(self.world.paragraphs(a))

    def _art_by_url(self, url: str) -> Art:
        parts = urlsplit(url)
        octet = _octet(url)
        o = next(o for o in OUTLETS if o.octet == octet)
        route = self._index[o.id].routes.get(parts.path)
        if not route or route[0] != "art":
            raise KeyError(url)
        return self.world.arts[route[1]]

    # -- live demo ------------------------------------------------------------------------

    def publish_more(self, n: int) -> list[str]:
        """Add at least n new articles (new stories, dated now); returns their URLs."""
        with self._lock:
            when = (datetime.now(UTC) if self._fixed_now is None
                    else self.world.now + timedelta(minutes=1)).replace(microsecond=0)
            self.now = max(self.now, when)
            added = self.world.publish(n, when)
            touched = {a.outlet for a in added}
            for oid in touched:
                self._index[oid] = self._build_index(BY_ID[oid])
            for key in [k for k in self._cache if k[0] in touched]:
                del self._cache[key]
        return [self.url(a) for a in added] if self.port else [a.path for a in added]

    # -- indexes ------------------------------------------------------------------------

    def _build_index(self, o: Outlet) -> _Index:
        by_lang: dict[str, list[Art]] = {lang: [] for lang in o.languages}
        for a in self.world.arts:
            if a.outlet == o.id:
                by_lang[a.lang].append(a)
        position: dict[int, int] = {}
        routes: dict[str, tuple] = {}
        feeds: dict[str, FeedDef] = {}
        main_t, sec_t, arch_t = _FEED_PATHS[o.id]
        multi = len(o.languages) > 1
        routes["/"] = ("home", o.languages[0] if not multi else None)
        for lang, arts in by_lang.items():
            arts.sort(key=lambda a: a.published, reverse=True)
            p = f"/{lang}" if multi else ""
            if multi:
                routes[f"/{lang}/"] = ("home", lang)
            for i, a in enumerate(arts):
                position[a.idx] = i
                routes[a.path] = ("art", a.idx)
                routes[_image_path(a)] = ("image", a.idx)
                if o.id == "al-manara":  # the slash-less variant serves the same page
                    routes[a.path.rstrip("/")] = ("art", a.idx)
            label = {"fr": "", "ar": " - العربية", "en": " - English"}[lang] if multi else ""
            feeds[main_t.format(p=p, s="", y="", k="")] = FeedDef(
                main_t.format(p=p, s="", y="", k=""), lang, "main", f"{o.name}{label}",
                tuple(a.idx for a in arts[:MAIN_ITEMS]))
            for cat, sec in T.SECTIONS.items():
                slug, sec_label = sec[lang]
                routes[f"{p}/{slug}/"] = ("section", lang, cat)
                items = [a.idx for a in arts if T.KIND_META[a.event.kind][0] == cat]
                broken = o.id == "zellige-review" and cat == "culture"
                if not items and not broken:
                    continue
                path = sec_t.format(p=p, s=slug, y="", k="")
                title = f"{o.name} - {sec_label}" + (" & Arts" if broken else "")
                feeds[path] = FeedDef(path, lang, "section", title,
                                      tuple(items[:SECTION_ITEMS]), broken)
            years: dict[int, list[int]] = {}
            for a in reversed(arts):  # oldest first within a year's archive
                years.setdefault((a.published + LOCAL).year, []).append(a.idx)
            for year, idxs in sorted(years.items()):
                for k in range(0, len(idxs), ARCHIVE_ITEMS):
                    part = "" if k == 0 else f"-{k // ARCHIVE_ITEMS + 1}"
                    path = arch_t.format(p=p, s="", y=year, k=part)
                    feeds[path] = FeedDef(path, lang, "archive", f"{o.name} - archive {year}",
                                          tuple(idxs[k:k + ARCHIVE_ITEMS]))
        for path in feeds:
            routes[path] = ("feed", path)
        routes["/robots.txt"] = ("robots",)
        return _Index(by_lang, position, feeds, routes)

    # -- serving --------------------------------------------------------------------------

    def _resolve(self, octet: int, raw_path: str) -> Resource:
        o = _BY_OCTET[octet]
        self.requests += 1
        if o.id == "kasbah-tribune" and self.slow_seconds > 0:
            time.sleep(self.slow_seconds)  # the slow host: every answer is late
        path = urlsplit(raw_path).path or "/"
        ix = self._index[o.id]
        route = ix.routes.get(path)
        if route is None:
            return self._not_found(o)
        if route[0] == "feed" and o.id == "argane-express":
            with self._lock:
                seen = self._hits[path] = self._hits.get(path, 0) + 1
            if seen <= self.rate_limit_first:
                return Resource(429, b"Too Many Requests\n", "text/plain; charset=utf-8",
                                headers=(("Retry-After", str(self.retry_after)),))
        if route[0] == "art":
            return self._page(o, ix, route[1])
        if route[0] == "image":
            return self._image(route[1])
        key = (o.id, path)
        res = self._cache.get(key)
        if res is None:
            res = self._render_other(o, ix, route)
            self._cache[key] = res
        return res

    def _not_found(self, o: Outlet) -> Resource:
        body = f"<!DOCTYPE html><html><body><h1>404</h1><p>{o.name}</p></body></html>"
        return Resource(404, body.encode(o.charset, "xmlcharrefreplace"),
                        f"text/html; charset={o.charset_label}")

    def _page(self, o: Outlet, ix: _Index, idx: int) -> Resource:
        res = self._pages.get(idx)
        if res is not None:
            return res
        a = self.world.arts[idx]
        arts = ix.by_lang[a.lang]
        pos = ix.position.get(idx, 0)
        related = [arts[j] for j in (pos + 1, pos + 2, pos - 1) if 0 <= j < len(arts)][:3]
        html = R.article_page(self.world, a, self.base_url(o.id), related, arts[:5],
                              image=self.image_url(a))
        body = html.encode(o.charset, "xmlcharrefreplace")
        res = Resource(200, body, f"text/html; charset={o.charset_label}", _etag(body),
                       _http_date(a.published))
        with self._lock:
            self._pages[idx] = res
            if len(self._pages) > PAGE_CACHE:
                self._pages.popitem(last=False)
        return res

    def _image(self, idx: int) -> Resource:
        res = self._images.get(idx)
        if res is not None:
            return res
        a = self.world.arts[idx]
        enc = ENCODINGS[a.outlet]
        body = encode(draw(stable_seed(self.seed, "picture", self.picture_of(a).idx)), enc)
        res = Resource(200, body, enc.mime, _etag(body), _http_date(a.published), compress=False)
        with self._lock:
            self._images[idx] = res
            if len(self._images) > IMAGE_CACHE:
                self._images.popitem(last=False)
        return res

    def _render_other(self, o: Outlet, ix: _Index, route: tuple) -> Resource:
        base = self.base_url(o.id)
        kind = route[0]
        if kind == "robots":
            body = R.robots(o).encode()
            return Resource(200, body, "text/plain; charset=utf-8", _etag(body))
        if kind in ("home", "section"):
            lang = route[1] or o.languages[0]
            arts = ix.by_lang[lang] if route[1] else sorted(
                (a for lst in ix.by_lang.values() for a in lst[:20]),
                key=lambda a: a.published, reverse=True)
            heading = T.UI[lang]["latest"]
            if kind == "section":
                cat = route[2]
                heading = T.SECTIONS[cat][lang][1]
                arts = [a for a in arts if T.KIND_META[a.event.kind][0] == cat]
            links = [(base + f.path, _FEED_TYPE[o.feed_format]) for f in ix.feeds.values()
                     if f.role == "main"]
            html = R.listing_page(self.world, o, lang, heading, arts[:20], base, links)
            body = html.encode(o.charset, "xmlcharrefreplace")
            return Resource(200, body, f"text/html; charset={o.charset_label}", _etag(body))
        f = ix.feeds[route[1]]
        arts = [self.world.arts[i] for i in f.arts]
        items = [self._feed_item(o, f, a, base) for a in arts]
        home = base + (f"/{f.lang}/" if len(o.languages) > 1 else "/")
        if o.feed_format == "rss":
            text = R.rss(self.world, o, f.lang, f.title, home, items, broken=f.broken)
        elif o.feed_format == "atom":
            text = R.atom(self.world, o, f.lang, f.title, home, base + f.path, items)
        else:
            text = R.jsonfeed(self.world, o, f.lang, f.title, home, base + f.path, items)
        body = text.encode(o.charset, "xmlcharrefreplace")
        newest = max((a.published for a in arts), default=self.now)
        return Resource(200, body, f"{_FEED_TYPE[o.feed_format]}; charset={o.charset_label}",
                        _etag(body), _http_date(newest))

    def _feed_item(self, o: Outlet, f: FeedDef, a: Art, base: str) -> R.FeedItem:
        link, title = base + a.path, a.title
        if o.id == "al-manara":
            if f.role == "main":  # tracking parameters, as the outlet's feed plugin adds them
                link += f"?utm_source=rss&utm_medium=feed&utm_campaign={a.lang}"
            elif f.role == "section":  # same article, no trailing slash, original title
                link = link.rstrip("/")
                title = a.old_title or a.title
        elif o.id == "argane-express" and f.role == "main":
            link += "?xtor=RSS-1"
        return R.FeedItem(a, link, title, dated=a.trap is None, image=self.image_url(a),
                          image_type=ENCODINGS[o.id].mime)


def _image_path(a: Art) -> str:
    return f"/media/{a.num}.{ENCODINGS[a.outlet].ext}"


def _octet(url: str) -> int:
    host = urlsplit(url).hostname
    return int(host.rsplit(".", 1)[1]) if host else 0


_BY_OCTET = {o.octet: o for o in OUTLETS}
