"""The console's pages: login and logout, dashboard, review queue, items, take-downs,
audit log. Outlets are in outlets.py, on the same guarded router.

Two routers: ``public`` holds only the login page (its POST has its own CSRF token, set
before anyone is logged in); ``console`` holds everything else, each route an
OperatorRoute (guard.py).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import anyio
from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import RedirectResponse, Response

from akhbar.errors import StorageError
from akhbar.types import MODERATION_STATES
from akhbar.web.admin import accounts
from akhbar.web.admin.guard import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    AdminHeaders,
    OperatorRoute,
    clear_cookie,
    cross_site,
    current_session,
    local_next,
    new_token,
    plausible_token,
    refuse,
    same_token,
    set_cookie,
    token_hash,
)

public = APIRouter(prefix="/admin", include_in_schema=False)
console = APIRouter(prefix="/admin", include_in_schema=False, route_class=OperatorRoute)

PAGE = 50
# What the queue's filter offers; the default is the store's (what waits or is hidden).
QUEUE_VIEWS = {"": ("queued", "open", "blocked"), "all": MODERATION_STATES,
               **{state: (state,) for state in MODERATION_STATES}}
# Shown back after a redirect (?done=…): the decision that was recorded.
DONE = ("block", "unblock", "take_down", "restore", "saved", "paused", "resumed")
MAX_REASON = 1000


def install(app: FastAPI) -> None:
    """Add the console to the site: its routes and the headers of every /admin answer."""
    from akhbar.web.admin import outlets  # noqa: F401  (its routes join ``console``)

    app.include_router(public)
    app.include_router(console)
    app.add_middleware(AdminHeaders)


# -- helpers ---------------------------------------------------------------------------------
def _store(request: Request):
    return request.app.state.site.store


def _settings(request: Request):
    return request.app.state.settings


def operator(request: Request) -> str:
    return request.state.operator


def actor(request: Request) -> str:
    return "operator:" + operator(request)


def render(request: Request, name: str, context: dict, status: int = 200) -> Response:
    session = getattr(request.state, "admin_session", None)
    context = {"operator": session["operator"] if session else None,
               "csrf": session["csrf"] if session else "", "error": None, **context}
    return request.app.state.templates.render(request, name, context, status=status)


def _page(value: str | None) -> int:
    return int(value) if value and value.isdigit() and 0 < int(value) < 100_000 else 1


def _reason(value: str) -> str:
    return value.strip()[:MAX_REASON]


def _identity(request: Request):
    """The moderation stage's client-address rule (X-Forwarded-For only from a trusted
    proxy) and keyed hash of the /24 or /64: logins are counted per network like reports."""
    identity = getattr(request.app.state, "admin_identity", None)
    if identity is None:
        from akhbar.moderate.identity import identity_for

        identity = request.app.state.admin_identity = identity_for(_settings(request),
                                                                   _store(request))
    return identity


def network_key(request: Request) -> str:
    identity = _identity(request)
    peer = request.client.host if request.client else None
    return identity.network_key(identity.client_address(peer, request.headers.get(
        "x-forwarded-for")))


# -- login and logout ------------------------------------------------------------------------
def _login_page(request: Request, *, next_path: str, status: int = 200, message: str | None = None,
                name: str = "") -> Response:
    token = request.cookies.get(LOGIN_COOKIE)
    fresh = not plausible_token(token)
    if fresh:
        token = new_token()
    response = render(request, "admin/login.html", {
        "login_csrf": token, "next": next_path, "message": message, "name": name,
    }, status=status)
    if fresh:
        set_cookie(response, LOGIN_COOKIE, token, max_age=None)
    return response


@public.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    return _login_page(request, next_path=local_next(next))


@public.post("/login")
async def login(request: Request) -> Response:
    if cross_site(request):
        return refuse(request)
    form = await request.form()
    if not same_token(form.get("csrf"), request.cookies.get(LOGIN_COOKIE)):
        return refuse(request)
    # Operators' names are lowercase (accounts.NAME_RE): "Amina" logs in as amina.
    name = str(form.get("name") or "").strip().lower()[:64]
    password = str(form.get("password") or "")[:accounts.MAX_PASSWORD]
    next_path = local_next(str(form.get("next") or ""))
    settings, store = _settings(request), _store(request)
    network = await anyio.to_thread.run_sync(network_key, request)
    # Locked by name whether or not it is an operator's: the answer tells no names apart.
    # Names are kept as keyed hashes, and only an operator's name appears in the audit log:
    # what was typed may be a password typed in the wrong field.
    name_key = (await anyio.to_thread.run_sync(_identity, request)).keyed("login-name", name)
    keys = ["name:" + name_key, "network:" + network]
    window = timedelta(minutes=settings.admin_lockout_minutes)
    limit = max(1, settings.admin_lockout_failures)

    def check() -> str:
        stored = store.operator_password_hash(name) if name else None
        seen = {"name": name if stored else "unknown:" + name_key[:12], "network": network[:12]}
        attempt, locked_until = store.login_attempt(keys, limit=limit, window=window)
        if attempt is None:
            store.audit("system", "login_refused", detail={**seen, "until": locked_until.isoformat()})
            return "locked"
        if not accounts.verify(stored, password):
            locked = store.login_failed(keys, limit=limit, window=window)
            store.audit("system", "login_failed", detail=seen)
            for key in locked:
                store.audit("system", "lockout", detail={
                    **seen, "by": key.split(":", 1)[0],
                    "minutes": settings.admin_lockout_minutes})
            return "locked" if locked else "wrong"
        store.login_succeeded(attempt, forget=[keys[0]])
        if accounts.needs_rehash(stored):  # type: ignore[arg-type]
            store.set_operator_password(name, accounts.hash_password(password),
                                        end_sessions=False)
        return "ok"

    outcome = await anyio.to_thread.run_sync(check)
    if outcome != "ok":
        message = "locked" if outcome == "locked" else "wrong"
        return _login_page(request, next_path=next_path, name=name, message=message,
                           status=429 if outcome == "locked" else 401)

    # A new session id at every login: whatever id the browser had is dropped.
    token, csrf = new_token(), new_token()
    old = request.cookies.get(SESSION_COOKIE)
    hours = settings.admin_session_hours
    now = datetime.now(UTC)
    await anyio.to_thread.run_sync(lambda: store.start_admin_session(
        token_hash(token), name, csrf, now + timedelta(hours=hours),
        replaces=token_hash(old) if plausible_token(old) else None, now=now))
    await anyio.to_thread.run_sync(lambda: store.audit(
        "operator:" + name, "login", detail={"network": network[:12]}))
    response = RedirectResponse(next_path, status_code=303)
    set_cookie(response, SESSION_COOKIE, token, max_age=int(hours * 3600))
    clear_cookie(response, LOGIN_COOKIE)
    return response


@console.post("/logout")
async def logout(request: Request) -> Response:
    session = await current_session(request)
    token = request.cookies.get(SESSION_COOKIE)
    store = _store(request)
    await anyio.to_thread.run_sync(store.end_admin_session, token_hash(token))  # type: ignore[arg-type]
    await anyio.to_thread.run_sync(lambda: store.audit(
        "operator:" + session["operator"], "logout"))  # type: ignore[index]
    response = RedirectResponse("/admin/login", status_code=303)
    clear_cookie(response, SESSION_COOKIE)
    return response


# -- dashboard and queue ---------------------------------------------------------------------
def _count(store, state: str, cap: int = 1000) -> str:
    n = len(store.moderation_items((state,), limit=cap + 1))
    return f"{cap}+" if n > cap else str(n)


@console.get("")
def dashboard(request: Request) -> Response:
    store = _store(request)
    health = store.source_health()
    return render(request, "admin/dashboard.html", {
        "counts": {state: _count(store, state) for state in ("queued", "blocked", "open")},
        "failing": sum(1 for h in health if h.error_streak > 0),
        "outlets": len(store.list_sources()),
        "takedowns": sum(1 for t in store.takedowns(limit=1000) if t.restored_at is None),
    })


def _articles(store, ids) -> dict[int, object]:
    return {i: a for i in set(ids) if i is not None and (a := store.get_article(i)) is not None}


@console.get("/queue")
def queue(request: Request, state: str = "", page: str | None = None) -> Response:
    store = _store(request)
    view = state if state in QUEUE_VIEWS else ""
    number = _page(page)
    items = store.moderation_items(QUEUE_VIEWS[view], limit=PAGE + 1,
                                   offset=(number - 1) * PAGE)
    more, items = len(items) > PAGE, items[:PAGE]
    return render(request, "admin/queue.html", {
        "items": items, "view": view, "views": list(QUEUE_VIEWS), "page": number, "more": more,
        "articles": _articles(store, (i.article_id for i in items)),
        "sources": {s.id: s for s in store.list_sources()},
    })


# -- one item --------------------------------------------------------------------------------
def _item_page(request: Request, item_id: int, *, status: int = 200, error: str | None = None,
               form: str = "", reason: str = "") -> Response:
    store = _store(request)
    item = store.moderation_item(item_id)
    if item is None:
        return render(request, "admin/missing.html", {}, status=404)
    article = store.get_article(item.article_id) if item.article_id is not None else None
    takedown = store.takedown_of_article(item.article_id) \
        if item.article_id is not None and article is None else None
    source = None
    if article is not None:
        source = next((s for s in store.list_sources() if s.id == article.source_id), None)
    done = request.query_params.get("done")
    return render(request, "admin/item.html", {
        "item": item, "article": article, "takedown": takedown, "source": source,
        "reports": store.item_reports(item_id), "log": store.audit_log(item_id=item_id),
        "error": error, "form": form, "reason": reason,
        "done": done if done in DONE else None,
    }, status=status)


def _item_id(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 19 else None


@console.get("/item/{item_id}")
def item_page(request: Request, item_id: str) -> Response:
    number = _item_id(item_id)
    if number is None:
        return render(request, "admin/missing.html", {}, status=404)
    return _item_page(request, number)


@console.post("/item/{item_id}/decide")
def decide(request: Request, item_id: str, action: str = Form(""),
           reason: str = Form("")) -> Response:
    number = _item_id(item_id)
    if number is None:
        return render(request, "admin/missing.html", {}, status=404)
    reason = _reason(reason)
    if action not in ("block", "unblock"):
        return _item_page(request, number, status=400, error="action", form=action,
                          reason=reason)
    if not reason:
        return _item_page(request, number, status=400, error="reason", form=action)
    try:
        _store(request).decide(number, action, operator(request), reason)
    except StorageError as exc:
        return _item_page(request, number, status=400, error=str(exc), form=action,
                          reason=reason)
    return RedirectResponse(f"/admin/item/{number}?done={action}", status_code=303)


@console.post("/item/{item_id}/take-down")
def take_down_item(request: Request, item_id: str, reason: str = Form("")) -> Response:
    number = _item_id(item_id)
    store = _store(request)
    item = store.moderation_item(number) if number is not None else None
    if item is None or item.article_id is None:
        return render(request, "admin/missing.html", {}, status=404)
    reason = _reason(reason)
    if not reason:
        return _item_page(request, item.id, status=400, error="reason", form="take_down")
    try:
        store.take_down(item.article_id, operator(request), reason)
    except StorageError as exc:
        return _item_page(request, item.id, status=400, error=str(exc), form="take_down",
                          reason=reason)
    return RedirectResponse(f"/admin/item/{item.id}?done=take_down", status_code=303)


# -- take-downs ------------------------------------------------------------------------------
def _takedowns_page(request: Request, *, page: int = 1, status: int = 200,
                    error: str | None = None, form: str = "", reason: str = "",
                    article_id: str = "") -> Response:
    store = _store(request)
    rows = store.takedowns(limit=PAGE + 1, offset=(page - 1) * PAGE)
    done = request.query_params.get("done")
    return render(request, "admin/takedowns.html", {
        "takedowns": rows[:PAGE], "more": len(rows) > PAGE, "page": page,
        "sources": {s.id: s for s in store.list_sources()}, "error": error, "form": form,
        "reason": reason, "article_id": article_id, "done": done if done in DONE else None,
    }, status=status)


@console.get("/takedowns")
def takedowns(request: Request, page: str | None = None) -> Response:
    return _takedowns_page(request, page=_page(page))


@console.post("/takedowns")
def take_down_article(request: Request, article_id: str = Form(""),
                      reason: str = Form("")) -> Response:
    """Take down any article by its id (one nobody reported)."""
    reason, article_id = _reason(reason), article_id.strip()
    number = _item_id(article_id)
    if number is None:
        return _takedowns_page(request, status=400, error="article", form="take_down",
                               reason=reason, article_id=article_id)
    if not reason:
        return _takedowns_page(request, status=400, error="reason", form="take_down",
                               article_id=article_id)
    try:
        _store(request).take_down(number, operator(request), reason)
    except StorageError as exc:
        return _takedowns_page(request, status=400, error=str(exc), form="take_down",
                               reason=reason, article_id=article_id)
    return RedirectResponse("/admin/takedowns?done=take_down", status_code=303)


@console.post("/takedowns/{takedown_id}/restore")
def restore(request: Request, takedown_id: str, reason: str = Form("")) -> Response:
    number = _item_id(takedown_id)
    if number is None:
        return render(request, "admin/missing.html", {}, status=404)
    reason = _reason(reason)
    form = f"restore-{number}"
    if not reason:
        return _takedowns_page(request, status=400, error="reason", form=form)
    try:
        _store(request).restore_article(number, operator(request), reason)
    except StorageError as exc:
        return _takedowns_page(request, status=400, error=str(exc), form=form, reason=reason)
    return RedirectResponse("/admin/takedowns?done=restore", status_code=303)


# -- audit log -------------------------------------------------------------------------------
@console.get("/audit")
def audit(request: Request, before: str | None = None) -> Response:
    before_id = _item_id(before or "")
    entries = _store(request).audit_log(limit=PAGE + 1, before_id=before_id)
    return render(request, "admin/audit.html", {
        "entries": entries[:PAGE], "older": entries[PAGE - 1].id if len(entries) > PAGE else None,
        "first": before_id is None,
    })
