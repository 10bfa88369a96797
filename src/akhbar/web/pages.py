"""HTML pages: one function per page, each building a context for its template."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from akhbar.errors import StorageError
from akhbar.moderate.identity import Identity, identity_for, parse_address
from akhbar.moderate.policy import report_policy
from akhbar.store._moderation_sql import RATE_WINDOW
from akhbar.types import REPORT_KINDS, ReportIn, ReportOutcome, ReportPolicy
from akhbar.web.data import (
    Site,
    SiteError,
    parse_day,
    parse_lang,
    parse_page,
    parse_section,
)
from akhbar.web.i18n import COOKIE, UI_LANGS, translate
from akhbar.web.render import clean_snippet, http_url
from akhbar.web.stories import article_coverage, has_stories, latest_cards
from akhbar.web.templates import Templates, ui_lang, with_query

router = APIRouter(include_in_schema=False)

TICKER_SIZE = 12
REPORT_REASONS = ("shocking", "unrelated", "private", "copyright", "other")
# What a reader may say of an article (its text, not its image).
ARTICLE_REASONS = ("misleading", "hateful", "private", "copyright", "other")
REASONS = {"image": REPORT_REASONS, "article": ARTICLE_REASONS}
REPORTER_COOKIE = "reporter"
FEED_TYPES = (("rss", "application/rss+xml", "RSS"), ("atom", "application/atom+xml", "Atom"),
              ("json", "application/feed+json", "JSON Feed"))


def _site(request: Request) -> Site:
    return request.app.state.site


def _render(request: Request, name: str, context: dict, **kw) -> Response:
    templates: Templates = request.app.state.templates
    return templates.render(request, name, context, **kw)


def _feeds(path: str, title: str, **params) -> list[dict]:
    """<link rel=alternate> entries for the three feed formats of one list."""
    return [{"type": mime, "title": f"{title} ({label})",
             "href": with_query(f"{path}.{ext}", **params)} for ext, mime, label in FEED_TYPES]


@router.get("/")
def home(request: Request, lang: str | None = None, section: str | None = None,
         page: str | None = None) -> Response:
    site = _site(request)
    lang_f, section_f, number = parse_lang(lang), parse_section(section), parse_page(page)
    ticker = site.items(site.store.latest_articles(TICKER_SIZE, include_copies=False))
    items, stories = [], None
    if has_stories(site):  # stories ranked by coverage; articles until the first is built
        stories, pager = latest_cards(site, number, ui_lang(request), lang=lang_f,
                                      section=section_f)
    else:
        items, pager = site.latest(number, lang=lang_f, section=section_f,
                                   include_copies=False, count=False)
    return _render(request, "home.html", {
        "ticker": ticker, "items": items, "stories": stories, "pager": pager, "lang": lang_f,
        "section": section_f,
        "page_params": {"lang": lang_f, "section": section_f},
        "alternates": _feeds("/feeds/section/" + section_f, section_f) if section_f
        else _feeds("/feeds/latest", "akhbar"),
    })


@router.get("/article/{article_id}")
def article(request: Request, article_id: str) -> Response:
    site = _site(request)
    try:
        item = site.article(article_id)
    except SiteError as exc:
        if exc.status != 410:
            raise
        return _render(request, "article_gone.html", {}, status=410)
    coverage = site.coverage(item)
    return _render(request, "article.html", {
        "item": item, "coverage": coverage, "reasons": REPORT_REASONS,
        "article_reasons": ARTICLE_REASONS,
        "story": article_coverage(site, item, coverage, ui_lang(request)),
        "description": item.view.words(30),
        "alternates": _feeds(f"/feeds/outlet/{item.source.id}", item.outlet),
    })


@router.get("/outlets")
def outlets(request: Request) -> Response:
    site = _site(request)
    rows = [(s, site.store.count_articles(source_id=s.id))
            for s in sorted(site.sources().values(), key=lambda s: s.name.casefold())]
    return _render(request, "outlets.html", {"outlets": rows})


@router.get("/outlet/{source_id}")
def outlet(request: Request, source_id: str, page: str | None = None) -> Response:
    site = _site(request)
    source = site.source(source_id)
    if source is None:
        raise SiteError(404, f"no outlet {source_id}")
    items, pager = site.latest(parse_page(page), source_id=source.id)
    return _render(request, "outlet.html", {
        "source": source, "items": items, "pager": pager, "page_params": {},
        "alternates": _feeds(f"/feeds/outlet/{source.id}", source.name),
    })


@router.get("/section/{slug}")
def section(request: Request, slug: str, lang: str | None = None,
            page: str | None = None) -> Response:
    site = _site(request)
    slug_f = parse_section(slug, status=404)
    lang_f = parse_lang(lang)
    items, stories = [], None
    if has_stories(site):
        stories, pager = latest_cards(site, parse_page(page), ui_lang(request), lang=lang_f,
                                      section=slug_f)
    else:
        items, pager = site.latest(parse_page(page), lang=lang_f, section=slug_f,
                                   include_copies=False, count=False)
    return _render(request, "section.html", {
        "section": slug_f, "lang": lang_f, "items": items, "stories": stories, "pager": pager,
        "page_params": {"lang": lang_f}, "alternates": _feeds(f"/feeds/section/{slug_f}", slug_f),
    })


@router.get("/archive/")
def archive_index(request: Request, day: str | None = None) -> Response:
    if day:  # the "go to a date" form
        parts = day.split("-")
        if len(parts) != 3:
            raise SiteError(400, "day must be YYYY-MM-DD")
        d = parse_day(*parts)
        return RedirectResponse(f"/archive/{d:%Y/%m/%d}", status_code=303)
    oldest, newest = _site(request).time_range()
    years: list[tuple[int, list[date]]] = []
    if oldest and newest:
        for year in range(newest.year, oldest.year - 1, -1):
            first = oldest.month if year == oldest.year else 1
            last = newest.month if year == newest.year else 12
            years.append((year, [date(year, m, 1) for m in range(last, first - 1, -1)]))
    return _render(request, "archive_index.html",
                   {"oldest": oldest, "newest": newest, "years": years})


@router.get("/archive")
def archive_slash() -> Response:
    return RedirectResponse("/archive/", status_code=308)


@router.get("/archive/{year}/{month}/{day}")
def archive_day(request: Request, year: str, month: str, day: str,
                page: str | None = None) -> Response:
    d = parse_day(year, month, day)
    items, pager, prev_day, next_day = _site(request).day(d, parse_page(page))
    return _render(request, "archive_day.html", {
        "day": d, "items": items, "pager": pager, "prev_day": prev_day, "next_day": next_day,
        "page_params": {},
    })


@router.get("/search")
def search(request: Request, q: str = "", sort: str | None = None,
           page: str | None = None) -> Response:
    site = _site(request)
    q = q.strip()
    context = {"q": q, "sort": sort or "", "results": None, "hits": [], "pager": None,
               "page_params": {"q": q, "sort": sort}, "reader_error": None,
               "alternates": _feeds("/feeds/search", q, q=q) if q else []}
    if not q:
        return _render(request, "search.html", context)
    try:
        results, pager = site.search(q, parse_page(page), sort)
    except SiteError as exc:
        if exc.reader is None:
            raise
        context["reader_error"] = translate(ui_lang(request), exc.reader, exc.params)
        return _render(request, "search.html", context, status=400)
    hits = []
    for hit in results.hits:
        item = site.item(hit.article)
        hits.append({"item": item, "snippet": item.snippet(hit.snippet),
                     "title": clean_snippet(getattr(hit, "title_html", "") or "") or item.title})
    context.update(results=results, hits=hits, pager=pager)
    return _render(request, "search.html", context)


def safe_next(value: str | None) -> str:
    """A local path to come back to; anything else (another host, //x, \\x) goes home."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or any(c in value for c in "\r\n\t\\"):
        return "/"
    return value


@router.get("/lang/{code}")
def switch_lang(request: Request, code: str, next: str | None = None) -> Response:
    if code not in UI_LANGS:
        raise SiteError(404, f"no UI language {code}")
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(COOKIE, code, max_age=365 * 24 * 3600, path="/", samesite="lax",
                        httponly=True, secure=request.url.scheme == "https")
    return response


@router.post("/report")
async def report(request: Request) -> Response:
    """Record a reader's report of an article's image or of the article. No CSRF token:
    the form is anonymous, the browser says where a POST comes from (Origin,
    Sec-Fetch-Site) and a cross-site one is refused; the reporter cookie is SameSite=Strict
    so another site cannot make it count twice. What the report leads to (counted, a
    repeat, over a limit, a block) is the store's decision (Store.record_report)."""
    if _cross_site(request):
        raise SiteError(403, "reports are only accepted from this site's own pages")
    form = await request.form()
    fields = {name: str(form.get(name) or "") for name in ("kind", "reason", "article_id",
                                                           "image_url")}
    # The store is synchronous: off the event loop, so one slow write holds up no page.
    item, outcome, reader = await anyio.to_thread.run_sync(_record_report, request, fields)
    limited = outcome.outcome == "rate_limited"
    headers = {"Cache-Control": "no-store"}
    if limited:
        headers["Retry-After"] = str(int(RATE_WINDOW.total_seconds()))
    response = _render(request, "report_limited.html" if limited else "report_thanks.html",
                       {"item": item, "kind": fields["kind"] or "image",
                        "outcome": outcome.outcome},
                       status=429 if limited else 200, headers=headers)
    response.set_cookie(REPORTER_COOKIE, reader.token, max_age=365 * 24 * 3600,
                        path="/report", samesite="strict", httponly=True,
                        secure=_https(request))
    return response


def _record_report(request: Request, fields: dict[str, str]):
    """(item, ReportOutcome, Reader) of one posted report; refusals are SiteErrors."""
    kind, reason = fields["kind"] or "image", fields["reason"]
    if kind not in REPORT_KINDS or reason not in REASONS[kind]:
        raise SiteError(400, "a report needs a kind (image or article) and a reason listed "
                             "for it")
    site = _site(request)
    item = site.article(fields["article_id"])
    if kind == "image":
        # Only the image the page showed can be reported, not any URL someone posts. A
        # blocked one is still this article's image: its report is recorded as closed.
        shown = http_url(item.article.image)
        if not shown or fields["image_url"] != shown:
            raise SiteError(400, "this image is not the article's image")
        target = item.article.image or ""  # as stored: what the site and crawler match on
    else:
        target = str(item.id)
    reader = _identity(request).reader(
        request.cookies.get(REPORTER_COOKIE), _peer(request),
        request.headers.get("x-forwarded-for"))
    report = ReportIn(kind=kind, article_id=item.id, target=target, reason=reason,
                      reporter_key=reader.reporter_key, network_key=reader.network_key)
    try:
        outcome: ReportOutcome = site.store.record_report(report, _policy(request))
    except StorageError as exc:
        raise SiteError(400, f"report not recorded: {exc}") from None
    return item, outcome, reader


def _identity(request: Request) -> Identity:
    """The app's Identity, made on first use (the store's key may need a write)."""
    state = request.app.state
    found = getattr(state, "identity", None)
    if found is None:
        found = state.identity = identity_for(state.settings, _site(request).store)
    return found


def _policy(request: Request) -> ReportPolicy:
    state = request.app.state
    found = getattr(state, "report_policy", None)
    if found is None:
        found = state.report_policy = report_policy(state.settings)
    return found


def _peer(request: Request) -> str | None:
    return request.client.host if request.client else None


def _https(request: Request) -> bool:
    """The reader's connection is HTTPS: ours, or a trusted proxy's that says so."""
    if request.url.scheme == "https":
        return True
    return (_identity(request).is_trusted(parse_address(_peer(request)))
            and request.headers.get("x-forwarded-proto", "").strip().lower() == "https")


def _cross_site(request: Request) -> bool:
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site and fetch_site not in ("same-origin", "none"):
        return True
    origin = request.headers.get("origin")
    if origin and origin != "null":
        return urlsplit(origin).netloc != request.headers.get("host", "")
    return origin == "null"


