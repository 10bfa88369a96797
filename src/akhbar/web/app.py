"""The reader's site: ``create_app(settings, store=None)`` wires pages, API and feeds.

Routes live in pages.py (HTML), api.py (JSON under /api) and feeds.py (RSS, Atom, JSON
Feed, OPML); each reads through :class:`akhbar.web.data.Site`. Two ASGI middlewares wrap
them: security headers on every answer (caching.SecurityHeaders) and ETag/Last-Modified
with 304s on pages, feeds and the API, which also keeps rendered answers until the next
article is stored (caching.Conditional, caching.PageCache).
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import UTC, datetime
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from akhbar.config import Settings
from akhbar.web.caching import Conditional, HeadAsGet, PageCache, SecurityHeaders
from akhbar.web.data import Site, SiteError
from akhbar.web.i18n import translate
from akhbar.web.templates import Templates, ui_lang

API_DESCRIPTION = (
    "Articles, stories, outlets, search and the date archive of akhbar, as JSON. Article text is "
    "limited by each outlet's display mode, exactly as on the site's pages. Errors are "
    '`{"error": {"status": …, "message": …}}`, with a `code` naming the reason when a search '
    "query cannot run (`empty`, `bad_lang`, `bad_date`, …; the message is English)."
)


def create_app(settings: Settings, store=None) -> FastAPI:
    """The ASGI app. Without ``store`` it opens ``settings.database_url`` at startup and
    closes it at shutdown; a given store stays the caller's to close."""
    from akhbar.web import admin, api, feeds, pages, stories

    owned = store is None

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if app.state.site.store is None:
            from akhbar.store.base import open_store

            app.state.site.store = open_store(settings.database_url)
        try:
            yield
        finally:
            if owned and app.state.site.store is not None:
                app.state.site.store.close()
                app.state.site.store = None

    app = FastAPI(
        title="akhbar API", version="1", description=API_DESCRIPTION,
        docs_url=None, redoc_url=None, openapi_url="/api/openapi.json", lifespan=lifespan,
    )
    site = Site(store)
    app.state.site = site
    app.state.settings = settings
    app.state.templates = Templates()
    # Not the process start: Last-Modified must move when a new version of the site runs.
    app.state.started = datetime.now(UTC).replace(microsecond=0)

    app.include_router(pages.router)
    app.include_router(api.router)
    app.include_router(feeds.router)
    app.include_router(stories.pages)
    app.include_router(stories.api)
    app.include_router(stories.feeds)
    admin.install(app)  # the operator console: /admin routes and their headers
    static = resources.files("akhbar.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    app.add_exception_handler(SiteError, _site_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)

    # Outermost last: the security headers are added to 304s and errors too.
    app.state.page_cache = PageCache(settings.web_cache_bytes)
    app.add_middleware(Conditional, site=site, started=app.state.started,
                       cache=app.state.page_cache)
    app.add_middleware(HeadAsGet)
    app.add_middleware(SecurityHeaders)
    return app


def _error(request: Request, status: int, message: str, exc: SiteError | None = None) -> Response:
    path = request.url.path
    if path.startswith("/api/") or path == "/api":
        error: dict = {"status": status, "message": message}
        if exc is not None and exc.code:
            error["code"] = exc.code  # e.g. a search query's reason (akhbar.search.query)
        return JSONResponse({"error": error}, status_code=status)
    if path.startswith("/feeds/") or path.endswith(".opml"):
        return PlainTextResponse(message, status_code=status)
    templates: Templates = request.app.state.templates
    reader = None
    if exc is not None and exc.reader:
        reader = translate(ui_lang(request), exc.reader, exc.params)
    return templates.render(request, "error.html", {"status": status, "reader": reader},
                            status=status)


async def _site_error(request: Request, exc: SiteError) -> Response:
    return _error(request, exc.status, exc.message, exc)


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    message = exc.detail if isinstance(exc.detail, str) else "error"
    response = _error(request, exc.status_code, message)
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
    # A parameter of the wrong shape is the reader's mistake: 400, not FastAPI's 422.
    parts = []
    for e in exc.errors():
        where = ".".join(str(x) for x in e.get("loc", ()) if x not in ("query", "path", "body"))
        parts.append(f"{where}: {e.get('msg', 'invalid')}")
    return _error(request, 400, "; ".join(parts) or "invalid request")
