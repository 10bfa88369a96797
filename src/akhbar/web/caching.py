"""Two ASGI middlewares: security headers on every answer, and conditional GETs.

A page, feed or API answer depends on the stored articles, the URL, the UI language and
the running code, nothing else; so its validators come from the newest article (id and
first_seen, Site.marker) without rendering anything: a matching If-None-Match or
If-Modified-Since costs one indexed look-up and is answered 304. For the same reason the
rendered answer itself is kept (:class:`PageCache`) until that marker changes: a reader
without a cached copy gets it without the database or a template.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime

import anyio
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from akhbar.web.i18n import COOKIE, choose_lang

CSP = (
    "default-src 'self'; img-src https: http: data:; script-src 'self'; style-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
]
# Answers that are not a function of (store, URL, language): forms, redirects, files, and
# the operator console (per operator, never cached).
_NOT_CONDITIONAL = ("/static/", "/lang/", "/report", "/admin")


class SecurityHeaders:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS:
                    if name.decode() not in headers:
                        headers.raw.append((name, value))
            await send(message)

        await self.app(scope, receive, send_with_headers)


class HeadAsGet:
    """HEAD answered as GET without the body (FastAPI routes declare GET only)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body"):
                    return
                message = {"type": "http.response.body", "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)


def _http_date(dt: datetime) -> str:
    return format_datetime(dt, usegmt=True)


class PageCache:
    """Rendered 200 answers (headers and body) by (host, URL, UI language), all for one
    change marker: a different marker empties it, so nothing rendered before an article
    was stored is served after. At most ``max_bytes`` of bodies, least recently used
    dropped first; one answer over an eighth of that is not kept. Only touched from the
    event loop: no lock."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max(0, max_bytes)
        self.max_entry = self.max_bytes // 8
        self.marker: object = None
        self.entries: OrderedDict[tuple, tuple[list, bytes]] = OrderedDict()
        self.size = 0
        self.hits = self.misses = 0

    def _at(self, marker: object) -> None:
        if marker != self.marker:
            self.entries.clear()
            self.size = 0
            self.marker = marker

    def get(self, marker: object, key: tuple) -> tuple[list, bytes] | None:
        if not self.max_bytes:
            return None
        self._at(marker)
        found = self.entries.get(key)
        if found is None:
            self.misses += 1
            return None
        self.entries.move_to_end(key)
        self.hits += 1
        return found

    def put(self, marker: object, key: tuple, headers: list, body: bytes) -> None:
        # Rendered under an older marker than the newest seen: not kept (it may be stale).
        if marker != self.marker or not 0 < len(body) <= self.max_entry:
            return
        old = self.entries.pop(key, None)
        if old is not None:
            self.size -= len(old[1])
        self.entries[key] = (headers, body)
        self.size += len(body)
        while self.size > self.max_bytes:
            _, (_, dropped) = self.entries.popitem(last=False)
            self.size -= len(dropped)

    def clear(self) -> None:
        self._at(object())


def _cacheable(headers: MutableHeaders) -> bool:
    """An answer the same for every reader of this URL: no cookie set, not marked private."""
    control = headers.get("cache-control", "").lower()
    return "set-cookie" not in headers and "no-store" not in control and "private" not in control


class Conditional:
    def __init__(self, app: ASGIApp, site, started: datetime, cache: PageCache | None = None):
        self.app = app
        self.site = site
        self.started = started
        self.cache = cache or PageCache(0)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (scope["type"] != "http" or scope["method"] not in ("GET", "HEAD")
                or path.startswith(_NOT_CONDITIONAL)):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        is_api = path == "/api" or path.startswith("/api/")
        # JSON answers are the same in every UI language; pages and feeds are not.
        ui = "" if is_api else choose_lang(
            cookie_parser(headers.get("cookie", "")).get(COOKIE), headers.get("accept-language"))
        marker = await anyio.to_thread.run_sync(self.site.marker)
        newest_id, newest_seen, generation = marker
        key = "|".join((str(newest_id), str(newest_seen), str(generation),
                        self.started.isoformat(), path,
                        scope.get("query_string", b"").decode("latin-1"), ui))
        etag = 'W/"' + hashlib.blake2b(key.encode(), digest_size=12).hexdigest() + '"'
        modified = max(newest_seen.replace(microsecond=0), self.started) if newest_seen \
            else self.started
        validators = [(b"etag", etag.encode()), (b"last-modified", _http_date(modified).encode()),
                      (b"cache-control", b"no-cache")]
        if not is_api:
            validators.append((b"vary", b"Cookie, Accept-Language"))

        if self._fresh(headers, etag, modified):
            await send({"type": "http.response.start", "status": 304, "headers": validators})
            await send({"type": "http.response.body", "body": b""})
            return

        # Feeds link with the host asked for (feeds.base_url): it is part of the key, so
        # one Host header cannot change what readers of another are sent.
        cache_key = (scope.get("scheme", "http"), headers.get("host", ""), path,
                     scope.get("query_string", b""), ui)
        cached = self.cache.get(marker, cache_key)
        if cached is not None:
            kept, body = cached
            own_control = any(name == b"cache-control" for name, _ in kept)
            added = [(name, value) for name, value in validators
                     if not (name == b"cache-control" and own_control)]
            await send({"type": "http.response.start", "status": 200, "headers": kept + added})
            await send({"type": "http.response.body", "body": body})
            return

        keep: dict = {}  # the answer's headers while it may be cached, then its body parts

        async def send_with_validators(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                out = MutableHeaders(scope=message)
                if _cacheable(out):
                    keep["headers"], keep["body"] = list(out.raw), []
                for name, value in validators:
                    if name == b"cache-control" and "cache-control" in out:
                        continue  # a route that says no-store keeps it
                    out.raw.append((name, value))
            elif message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                if not is_api and "vary" not in out:
                    out.raw.append((b"vary", b"Cookie, Accept-Language"))
            elif message["type"] == "http.response.body" and "body" in keep:
                keep["body"].append(message.get("body", b""))
                keep["size"] = keep.get("size", 0) + len(keep["body"][-1])
                if keep["size"] > self.cache.max_entry:
                    keep.clear()  # too big to keep: stop collecting it
                elif not message.get("more_body"):
                    self.cache.put(marker, cache_key, keep["headers"], b"".join(keep["body"]))
            await send(message)

        await self.app(scope, receive, send_with_validators)

    @staticmethod
    def _fresh(headers: Headers, etag: str, modified: datetime) -> bool:
        inm = headers.get("if-none-match")
        if inm is not None:
            # Weak comparison (RFC 9110 13.1.2): W/ prefixes do not matter for GET.
            wanted = {t.strip().removeprefix("W/") for t in inm.split(",")}
            return "*" in wanted or etag.removeprefix("W/") in wanted
        ims = headers.get("if-modified-since")
        if ims:
            try:
                since = parsedate_to_datetime(ims)
            except (TypeError, ValueError):
                return False
            if since.tzinfo is None:
                return False
            return modified <= since
        return False
