"""Who may use /admin: sessions, CSRF tokens, the client's network, and the headers of
every console answer.

Every route of the console's router is an :class:`OperatorRoute`: before its handler
runs, a live session is required (a GET without one is sent to the login page, any other
method refused), and every other method must also carry that session's CSRF token in the
form field ``csrf`` and must not come from another site. A route added later inherits
this by being on the router; tests/test_admin.py walks ``app.routes`` to prove it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import quote, urlsplit

import anyio
from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# __Host-: the browser keeps it only if Secure, Path=/ and without Domain, so neither a
# sibling subdomain nor a plain-http page can plant or overwrite it.
SESSION_COOKIE = "__Host-akhbar-admin"
# The login form's token before anyone is logged in (double submit: cookie and field).
LOGIN_COOKIE = "__Host-akhbar-login"
TOKEN_BYTES = 32
SAFE_METHODS = ("GET", "HEAD")
ADMIN_HEADERS = (
    ("cache-control", "no-store"),
    ("x-frame-options", "DENY"),
    # same-origin, not no-referrer: under no-referrer browsers send "Origin: null" with
    # every form POST, which cross_site() must refuse; other sites still get no referrer.
    ("referrer-policy", "same-origin"),
    ("vary", "Cookie"),
)


_UNKNOWN = object()


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """What the store keeps of a session token: a stolen database opens no session."""
    return hashlib.sha256(token.encode()).hexdigest()


def plausible_token(value: str | None) -> bool:
    """A cookie value that could be one of our tokens (43 urlsafe base64 characters)."""
    return bool(value) and 40 <= len(value) <= 64 and value.replace("-", "").replace(
        "_", "").isalnum()  # type: ignore[union-attr]


def same_token(given: object, expected: str | None) -> bool:
    """Constant-time comparison of a submitted token with the expected one."""
    if not isinstance(given, str) or not expected or not given:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def cross_site(request: Request) -> bool:
    """A POST another site made the browser send: Sec-Fetch-Site says so, or an Origin
    that is not this host (or "null"). Without either header (an old browser, a script)
    the CSRF token alone decides."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site and fetch_site not in ("same-origin", "none"):
        return True
    origin = request.headers.get("origin")
    if origin is None:
        return False
    if origin == "null":
        return True
    return urlsplit(origin).netloc != request.headers.get("host", "")


def local_next(value: str | None, default: str = "/admin") -> str:
    """Where to go after logging in: a local path only (not //host, not \\host, no
    scheme); anything else goes to the dashboard."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or any(c in value for c in "\r\n\t\\"):
        return default
    return value


def set_cookie(response: Response, name: str, value: str, max_age: int | None) -> None:
    # Secure always, even on http: browsers treat http://127.0.0.1 and localhost as secure
    # contexts and keep it there; anywhere else the console must be served over https.
    response.set_cookie(name, value, max_age=max_age, path="/", secure=True, httponly=True,
                        samesite="strict")


def clear_cookie(response: Response, name: str) -> None:
    response.delete_cookie(name, path="/", secure=True, httponly=True, samesite="strict")


def _store(request: Request):
    return request.app.state.site.store


async def current_session(request: Request) -> dict | None:
    """The live session of the browser's cookie, or None; kept on request.state."""
    known = getattr(request.state, "admin_session", _UNKNOWN)
    if known is not _UNKNOWN:
        return known
    token = request.cookies.get(SESSION_COOKIE)
    session = None
    if plausible_token(token):
        session = await anyio.to_thread.run_sync(_store(request).admin_session, token_hash(token))
    request.state.admin_session = session
    return session


def refuse(request: Request, status: int = 403) -> Response:
    templates = request.app.state.templates
    # No console menu: whoever this is was not let in.
    return templates.render(request, "admin/refused.html",
                            {"status": status, "operator": None, "csrf": ""}, status=status)


async def admit(request: Request) -> Response | None:
    """None when the request may run; else the answer that refuses it."""
    session = await current_session(request)
    if session is None:
        if request.method in SAFE_METHODS:
            path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse("/admin/login?next=" + quote(path, safe="/"),
                                    status_code=303)
        return refuse(request)
    if request.method not in SAFE_METHODS:
        if cross_site(request):
            return refuse(request)
        form = await request.form()  # Starlette keeps it: the handler reads it again
        if not same_token(form.get("csrf"), session["csrf"]):
            return refuse(request)
    request.state.operator = session["operator"]
    return None


class OperatorRoute(APIRoute):
    """A console route: its handler runs only for an operator (see the module's text)."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            refusal = await admit(request)
            if refusal is not None:
                return refusal
            return await handler(request)

        return guarded


class AdminHeaders:
    """no-store, no framing, no referrer to other sites on every answer under /admin, errors and
    redirects included (inside the site's SecurityHeaders, which keeps these values)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path != "/admin" and not path.startswith("/admin/"):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in ADMIN_HEADERS:
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


def operator_of(request: Request) -> str:
    return request.state.operator


async def csrf_of(request: Request) -> str:
    session = await current_session(request)
    return session["csrf"] if session else ""
