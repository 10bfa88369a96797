"""Two ASGI middlewares: security headers on every answer, and conditional GETs.

A page, feed or API answer depends on the stored articles, the URL, the UI language and
the running code, nothing else; so its validators come from the newest article (id and
first_seen, Site.version) without rendering anything: a matching If-None-Match or
If-Modified-Since costs one indexed look-up and is answered 304.
"""

from __future__ import annotations

import hashlib
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
# Answers that are not a function of (store, URL, language): forms, redirects, files.
_NOT_CONDITIONAL = ("/static/", "/lang/", "/report")


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


class Conditional:
    def __init__(self, app: ASGIApp, site, started: datetime):
        self.app = app
        self.site = site
        self.started = started

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
        newest_id, newest_seen = await anyio.to_thread.run_sync(self.site.version)
        key = "|".join((str(newest_id), str(newest_seen), self.started.isoformat(), path,
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

        async def send_with_validators(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                out = MutableHeaders(scope=message)
                for name, value in validators:
                    if name == b"cache-control" and "cache-control" in out:
                        continue  # a route that says no-store keeps it
                    out.raw.append((name, value))
            elif message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                if not is_api and "vary" not in out:
                    out.raw.append((b"vary", b"Cookie, Accept-Language"))
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
