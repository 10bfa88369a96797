"""The operator console (/admin) over loopback HTTP, on SQLite and PostgreSQL: accounts made
with `akhbar admin`, login, session cookies, CSRF, lockout, the refusal of every route to
anonymous users and to forms without the session's token, and the review queue's actions.
Outlets added and edited in the console are in test_admin_outlets.py.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from typer.testing import CliRunner

from akhbar.cli import app as cli
from akhbar.moderate.identity import Identity
from akhbar.store.base import open_store
from akhbar.types import ReportIn, ReportPolicy
from akhbar.web.admin import accounts
from akhbar.web.admin.guard import LOGIN_COOKIE, SESSION_COOKIE
from websupport import Running, backend_url, fill, serve, site_app

PASSWORDS = {"amina": "sardines-au-four-1987", "youssef": "كسكس-يوم-الجمعة-2024"}
LIMIT = 3  # admin_lockout_failures in these tests


def with_operators(store) -> dict[str, int]:
    ids = fill(store)
    for name, password in PASSWORDS.items():
        store.add_operator(name, accounts.hash_password(password))
    return ids


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def console(request, tmp_path_factory):
    """The fictional press and two operators behind a running site, with a lockout limit
    small enough to reach in a few attempts."""
    with backend_url(request.param, tmp_path_factory.mktemp("admin")) as url:
        store = open_store(url)
        try:
            ids = with_operators(store)
            app = site_app(store, admin_lockout_failures=LIMIT, admin_lockout_minutes=15.0)
            with serve(app) as base:
                yield Running(base, ids, store, app)
        finally:
            store.close()


class Browser:
    """A browser's handling of the console's cookies: keep what Set-Cookie says, send it
    back. httpx never sends a Secure cookie over plain http, and the test site is plain
    http on 127.0.0.1 (which Chrome treats as a secure context and does send them to), so
    the Cookie header is written here by hand. ``local_address``: the client's address on
    the loopback (127.0.x.y), which the lockout counts networks by."""

    def __init__(self, base: str, local_address: str | None = None):
        transport = httpx.HTTPTransport(local_address=local_address) if local_address else None
        self.http = httpx.Client(base_url=base, timeout=30, transport=transport)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, *, headers: dict | None = None, **kw):
        headers = dict(headers or {})
        if self.cookies and "cookie" not in headers:
            headers["cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = self.http.request(method, path, headers=headers, **kw)
        for line in response.headers.get_list("set-cookie"):
            name, _, rest = line.partition("=")
            value = rest.split(";", 1)[0]
            if "max-age=0" in line.lower() or not value or value == '""':
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return response

    def get(self, path: str, **kw):
        return self.request("GET", path, **kw)

    def post(self, path: str, data: dict | None = None, **kw):
        return self.request("POST", path, data=data or {}, **kw)

    def login(self, name: str, password: str, next: str | None = None):
        page = self.get("/admin/login")
        token = hidden(page.text, "csrf")
        return self.post("/admin/login", {"csrf": token, "name": name, "password": password,
                                          "next": next or ""})

    def csrf(self) -> str:
        return hidden(self.get("/admin").text, "csrf")


def hidden(html: str, name: str) -> str:
    m = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert m, f"no hidden field {name}"
    return m.group(1)


def alert(html: str) -> str:
    """The login page's error sentence."""
    return re.search(r'<p class="error"[^>]*>(.*?)</p>', html, re.S).group(1)


def logged_in(console, name: str = "amina", **kw) -> Browser:
    browser = Browser(console.base, **kw)
    response = browser.login(name, PASSWORDS[name])
    assert response.status_code == 303, response.text[:500]
    return browser


def audit_actions(store, limit: int = 50) -> list[tuple[str, str, dict]]:
    return [(e.actor, e.action, e.detail) for e in store.audit_log(limit=limit)]


# -- accounts: `akhbar admin` -----------------------------------------------------------------
def test_cli_creates_operators_with_argon2id_hashes(database_url):
    runner = CliRunner()

    def admin(*args, input=None):
        return runner.invoke(cli, ["--database", database_url, "admin", *args], input=input)

    weak = admin("create", "salma", "--password-stdin", input="court\n")
    assert weak.exit_code == 1 and "at least 12 characters" in weak.output
    repeated = admin("create", "salma", "--password-stdin", input="aaaaaaaaaaaaaaaa\n")
    assert repeated.exit_code == 1 and "too weak" in repeated.output
    bad_name = admin("create", "Salma Bennani", "--password-stdin", input="menthe-fraiche-77\n")
    assert bad_name.exit_code == 1 and "operator name" in bad_name.output

    made = admin("create", "salma", "--password-stdin", input="menthe-fraiche-77\n")
    assert made.exit_code == 0, made.output
    again = admin("create", "salma", "--password-stdin", input="autre-mot-de-passe-12\n")
    assert again.exit_code == 1 and "already exists" in again.output
    # Typed twice at a hidden prompt, as a person would.
    typed = admin("create", "karim", input="ثلاثة-أكواب-شاي\nثلاثة-أكواب-شاي\n")
    assert typed.exit_code == 0, typed.output
    assert "ثلاثة" not in typed.output  # never echoed

    store = open_store(database_url)
    try:
        stored = store.operator_password_hash("salma")
        assert stored.startswith("$argon2id$") and "menthe" not in stored
        assert accounts.verify(stored, "menthe-fraiche-77")
        assert not accounts.verify(stored, "autre-mot-de-passe-12")  # the refused one
        assert accounts.verify(store.operator_password_hash("karim"), "ثلاثة-أكواب-شاي")
        # A session, then a new password: the session ends.
        store.start_admin_session("ab" * 32, "salma", "c" * 43,
                                  datetime.now(UTC) + timedelta(hours=1))
        changed = admin("passwd", "salma", "--password-stdin", input="nouveau-sel-de-mer-9\n")
        assert changed.exit_code == 0, changed.output
        assert store.admin_session("ab" * 32) is None
        assert accounts.verify(store.operator_password_hash("salma"), "nouveau-sel-de-mer-9")
        unknown = admin("passwd", "personne", "--password-stdin", input="nouveau-sel-de-mer-9\n")
        assert unknown.exit_code == 1 and "no operator" in unknown.output
        listed = admin("list")
        assert listed.exit_code == 0 and "salma" in listed.output and "karim" in listed.output
        assert [o["name"] for o in store.operators()] == ["karim", "salma"]
        created = [e.detail["name"] for e in store.audit_log() if e.action == "operator_create"]
        assert sorted(created) == ["karim", "salma"]
    finally:
        store.close()


# -- login, cookies, sessions ----------------------------------------------------------------
def test_login_sets_a_host_only_secure_strict_session_cookie(console):
    browser = Browser(console.base)
    page = browser.get("/admin/login")
    assert page.status_code == 200
    assert 'name="name"' in page.text and 'name="password"' in page.text
    pre = page.headers["set-cookie"]
    assert pre.startswith(LOGIN_COOKIE + "=")
    for flag in ("Secure", "HttpOnly", "SameSite=strict", "Path=/"):
        assert flag.lower() in pre.lower(), flag

    answer = browser.post("/admin/login", {"csrf": hidden(page.text, "csrf"), "name": "amina",
                                           "password": PASSWORDS["amina"],
                                           "next": "/admin/outlets"})
    assert answer.status_code == 303 and answer.headers["location"] == "/admin/outlets"
    cookie = next(c for c in answer.headers.get_list("set-cookie")
                  if c.startswith(SESSION_COOKIE + "="))
    attributes = [a.strip().lower() for a in cookie.split(";")[1:]]
    assert {"secure", "httponly", "samesite=strict", "path=/"} <= set(attributes)
    assert not any(a.startswith("domain") for a in attributes)  # __Host-: host-only
    assert "max-age=43200" in attributes  # admin_session_hours = 12
    token = browser.cookies[SESSION_COOKIE]
    assert len(token) >= 43  # 32 random bytes

    # Only the token's SHA-256 is stored.
    session = console.store.admin_session(hashlib.sha256(token.encode()).hexdigest())
    assert session["operator"] == "amina"
    assert console.store.admin_session(token) is None
    home = browser.get("/admin")
    assert home.status_code == 200 and "amina" in home.text
    assert home.headers["cache-control"] == "no-store"
    assert home.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in home.headers["content-security-policy"]
    assert ("operator:amina", "login") in [(a, b) for a, b, _ in audit_actions(console.store)]


def name_key(store, name: str) -> str:
    """The lockout key of a typed name: a keyed hash (the site's key: report_key unset)."""
    return "name:" + Identity(store.moderation_key()).keyed("login-name", name)


def test_wrong_password_and_unknown_name_get_the_same_answer(console):
    browser = Browser(console.base, local_address="127.0.5.1")
    wrong = browser.login("youssef", "pas-le-bon-mot-de-passe")
    unknown = browser.login("personne-de-connu", "pas-le-bon-mot-de-passe")
    assert wrong.status_code == unknown.status_code == 401
    assert SESSION_COOKIE not in browser.cookies

    assert alert(wrong.text) == alert(unknown.text)
    failed = [d["name"] for _, action, d in audit_actions(console.store) if action == "login_failed"]
    # An operator's name is logged; what names no operator (perhaps a password typed in
    # the name field) only as its keyed hash, and nowhere in clear in the store.
    unknown_key = name_key(console.store, "personne-de-connu").removeprefix("name:")
    assert "youssef" in failed and "unknown:" + unknown_key[:12] in failed
    with console.store._read():
        for table in ("audit_log", "admin_login_failures", "admin_lockouts"):
            dump = str(console.store._exec(f"SELECT * FROM {table}").fetchall())
            assert "personne-de-connu" not in dump, table
    assert browser.login("youssef", PASSWORDS["youssef"]).status_code == 303


def test_login_needs_its_own_csrf_token_and_a_same_site_post(console):
    browser = Browser(console.base, local_address="127.0.6.1")
    token = hidden(browser.get("/admin/login").text, "csrf")
    form = {"csrf": token, "name": "amina", "password": PASSWORDS["amina"]}
    before = len(console.store.audit_log(limit=1000))
    # No token, another token, no cookie: refused before any password is checked.
    assert browser.post("/admin/login", {**form, "csrf": ""}).status_code == 403
    assert browser.post("/admin/login", {**form, "csrf": "x" * 43}).status_code == 403
    assert browser.post("/admin/login", form, headers={"cookie": ""}).status_code == 403
    # Another site's page posting the form (the browser says so).
    assert browser.post("/admin/login", form,
                        headers={"origin": "https://evil.example"}).status_code == 403
    assert browser.post("/admin/login", form,
                        headers={"sec-fetch-site": "cross-site"}).status_code == 403
    assert SESSION_COOKIE not in browser.cookies
    assert len(console.store.audit_log(limit=1000)) == before  # nothing was attempted
    same_site = browser.post("/admin/login", form, headers={
        "origin": console.base, "sec-fetch-site": "same-origin"})
    assert same_site.status_code == 303


@pytest.mark.parametrize("next_path,expected", [
    ("/admin/queue?state=blocked", "/admin/queue?state=blocked"),
    ("//evil.example/admin", "/admin"),
    ("https://evil.example/", "/admin"),
    ("/\\evil.example", "/admin"),
    ("", "/admin"),
])
def test_login_goes_back_to_local_paths_only(console, next_path, expected):
    answer = Browser(console.base).login("amina", PASSWORDS["amina"], next=next_path)
    assert answer.status_code == 303 and answer.headers["location"] == expected


def test_a_get_without_a_session_goes_to_the_login_page_and_back(console):
    browser = Browser(console.base)
    answer = browser.get("/admin/queue?state=blocked")
    assert answer.status_code == 303
    target = urlsplit(answer.headers["location"])
    assert target.path == "/admin/login"
    assert parse_qs(target.query)["next"] == ["/admin/queue?state=blocked"]
    page = browser.get(answer.headers["location"])
    assert hidden(page.text, "next") == "/admin/queue?state=blocked"


def test_an_expired_session_is_refused_and_deleted(console):
    browser = logged_in(console)
    digest = hashlib.sha256(browser.cookies[SESSION_COOKIE].encode()).hexdigest()
    assert browser.get("/admin").status_code == 200
    store = console.store
    with store._write():  # the clock moved past admin_session_hours
        store._exec("UPDATE admin_sessions SET expires = ? WHERE token_hash = ?",
                    (store._dt_in(datetime.now(UTC) - timedelta(seconds=1)), digest))
    answer = browser.get("/admin")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/admin/login")
    with store._read():
        left = store._exec("SELECT count(*) FROM admin_sessions WHERE token_hash = ?",
                           (digest,)).fetchone()[0]
    assert left == 0


def test_logout_ends_the_session(console):
    browser = logged_in(console)
    token = browser.cookies[SESSION_COOKIE]
    answer = browser.post("/admin/logout", {"csrf": browser.csrf()})
    assert answer.status_code == 303 and answer.headers["location"] == "/admin/login"
    assert SESSION_COOKIE not in browser.cookies  # told to forget it
    replay = browser.get("/admin", headers={"cookie": f"{SESSION_COOKIE}={token}"})
    assert replay.status_code == 303  # and the server forgot it too
    assert console.store.admin_session(hashlib.sha256(token.encode()).hexdigest()) is None
    assert ("operator:amina", "logout") in [(a, b) for a, b, _ in audit_actions(console.store)]


def test_every_login_makes_a_new_session_id(console):
    """No fixation: an id the browser had before logging in (planted or its own) is never
    the id after; the old one is ended."""
    browser = Browser(console.base)
    planted = "p" * 43
    browser.cookies[SESSION_COOKIE] = planted
    assert browser.login("amina", PASSWORDS["amina"]).status_code == 303
    first = browser.cookies[SESSION_COOKIE]
    assert first != planted
    assert browser.login("amina", PASSWORDS["amina"]).status_code == 303
    second = browser.cookies[SESSION_COOKIE]
    assert second != first
    assert browser.get("/admin", headers={"cookie": f"{SESSION_COOKIE}={first}"}).status_code == 303
    assert browser.get("/admin").status_code == 200


# -- CSRF on the console's forms -------------------------------------------------------------
def test_a_console_form_without_the_sessions_token_changes_nothing(console):
    amina, youssef = logged_in(console, "amina"), logged_in(console, "youssef")
    store = console.store
    assert next(s for s in store.list_sources() if s.id == "argane").enabled
    for token in (None, "", "x" * 43, youssef.csrf()):  # missing, empty, wrong, another's
        data = {} if token is None else {"csrf": token}
        assert amina.post("/admin/outlets/argane/pause", data).status_code == 403
    # The right token from another site's page is refused too.
    assert amina.post("/admin/outlets/argane/pause", {"csrf": amina.csrf()},
                      headers={"origin": "https://evil.example"}).status_code == 403
    assert next(s for s in store.list_sources() if s.id == "argane").enabled
    # A JSON body carries no form field: refused.
    assert amina.request("POST", "/admin/outlets/argane/pause",
                         json={"csrf": amina.csrf()}).status_code == 403
    ok = amina.post("/admin/outlets/argane/pause", {"csrf": amina.csrf()})
    assert ok.status_code == 303
    assert not next(s for s in store.list_sources() if s.id == "argane").enabled
    assert amina.post("/admin/outlets/argane/resume", {"csrf": amina.csrf()}).status_code == 303
    assert next(s for s in store.list_sources() if s.id == "argane").enabled
    actions = [(a, b, d.get("source")) for a, b, d in audit_actions(console.store)]
    assert ("operator:amina", "outlet_pause", "argane") in actions
    assert ("operator:amina", "outlet_resume", "argane") in actions


# -- every route refuses ---------------------------------------------------------------------
PARAMS = {"item_id": "1", "takedown_id": "1", "source_id": "le-phare"}


def walk(routes, prefix: str = ""):
    """(path, route) of every route, inside included routers too (FastAPI >= 0.165 keeps
    an included router whole in app.routes instead of copying its routes there)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from walk(inner.routes, prefix + route.include_context.prefix)
        else:
            yield prefix + getattr(route, "path", ""), route


def admin_routes(app) -> list[tuple[str, str]]:
    """(method, path) of every console route, path parameters filled."""
    found = []
    for path, route in walk(app.routes):
        if not (path == "/admin" or path.startswith("/admin/")) or path == "/admin/login":
            continue
        filled = re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: PARAMS[m.group(1)], path)
        for method in sorted(route.methods - {"HEAD"}):
            found.append((method, filled))
    return found


def test_every_admin_route_refuses_anonymous_users_and_forms_without_the_token(console):
    routes = admin_routes(console.app)
    # The walk found the console, not nothing (new routes join the list by themselves).
    assert {("GET", "/admin"), ("GET", "/admin/queue"), ("POST", "/admin/item/1/decide"),
            ("POST", "/admin/takedowns/1/restore"), ("POST", "/admin/outlets/new"),
            ("POST", "/admin/outlets/le-phare/pause"), ("POST", "/admin/logout")} <= set(routes)
    assert len(routes) >= 17
    assert {m for m, _ in routes} == {"GET", "POST"}
    anonymous = Browser(console.base)
    amina = logged_in(console)
    wrong = {"csrf": "y" * 43, "reason": "essai", "action": "unblock", "article_id": "1",
             "name": "x", "id": "x-y", "homepage": "https://x.example/",
             "feeds": "https://x.example/rss", "languages": "fr"}
    versions_before = console.store.moderation_version()
    for method, path in routes:
        answer = anonymous.request(method, path, data={**wrong} if method == "POST" else None)
        assert answer.headers["cache-control"] == "no-store", (method, path)
        assert answer.headers["x-frame-options"] == "DENY", (method, path)
        if method == "GET":
            assert answer.status_code == 303, (method, path)
            assert answer.headers["location"].startswith("/admin/login?next=/admin"), path
        else:
            assert answer.status_code == 403, (method, path)
            # Logged in, but the form lacks the session's token or has a wrong one.
            no_token = {k: v for k, v in wrong.items() if k != "csrf"}
            assert amina.post(path, no_token).status_code == 403, path
            assert amina.post(path, wrong).status_code == 403, path
    # HEAD is answered as GET: refused the same way.
    assert anonymous.request("HEAD", "/admin/queue").status_code == 303
    assert console.store.operator_sources() == []
    assert console.store.moderation_version() == versions_before
    assert all(s.enabled for s in console.store.list_sources())
    # Paths that are no route still say no-store.
    stray = anonymous.get("/admin/no-such-page")
    assert stray.headers["cache-control"] == "no-store"


# -- lockout ---------------------------------------------------------------------------------
def test_lockout_per_name_refuses_even_the_right_password(console):
    # Each failure from another network: only the name reaches the limit.
    for i in range(LIMIT):
        wrong = Browser(console.base, local_address=f"127.0.{20 + i}.1").login("youssef", "mauvais-mot-de-passe")
        assert wrong.status_code in (401, 429)
    fresh = Browser(console.base, local_address="127.0.30.1")
    refused = fresh.login("youssef", PASSWORDS["youssef"])
    assert refused.status_code == 429 and SESSION_COOKIE not in fresh.cookies
    assert 'data-login="locked"' in refused.text
    # An unknown name locked the same way reads the same: nothing tells names apart.
    for i in range(LIMIT):
        Browser(console.base, local_address=f"127.0.{40 + i}.1").login("fantome", "x" * 12)
    ghost = Browser(console.base, local_address="127.0.31.1").login("fantome", "x" * 12)
    assert ghost.status_code == 429 and alert(ghost.text) == alert(refused.text)
    # Another operator from that same fresh network is not locked out.
    assert Browser(console.base, local_address="127.0.30.2").login(
        "amina", PASSWORDS["amina"]).status_code == 303
    log = audit_actions(console.store, limit=200)
    lockouts = [d for _, action, d in log if action == "lockout"]
    assert any(d["by"] == "name" and d["name"] == "youssef" for d in lockouts)
    assert sum(1 for _, action, d in log if action == "login_failed"
               and d["name"] == "youssef") >= LIMIT
    assert any(action == "login_refused" and d["name"] == "youssef" for _, action, d in log)
    # The lockout ends after admin_lockout_minutes (here: the clock is moved to its end),
    # and the failures that led to it are spent.
    store = console.store
    with store._write():
        store._exec("UPDATE admin_lockouts SET locked_until = since WHERE key = ?",
                    (name_key(store, "youssef"),))
    assert Browser(console.base, local_address="127.0.30.3").login(
        "youssef", PASSWORDS["youssef"]).status_code == 303


def test_lockout_per_network_covers_its_whole_24(console):
    names = ["ali", "badr", "chama", "driss", "elham"][:LIMIT]
    for i, name in enumerate(names):  # other names each time: only the network adds up
        Browser(console.base, local_address=f"127.0.50.{i + 1}").login(name, "mauvais-mot-de-passe")
    # Another address of the same /24, the right password: refused.
    same_net = Browser(console.base, local_address="127.0.50.200")
    refused = same_net.login("amina", PASSWORDS["amina"])
    assert refused.status_code == 429 and SESSION_COOKIE not in same_net.cookies
    assert 'data-login="locked"' in refused.text
    # The next /24 is another network.
    assert Browser(console.base, local_address="127.0.51.1").login(
        "amina", PASSWORDS["amina"]).status_code == 303
    lockouts = [d for _, action, d in audit_actions(console.store, 200) if action == "lockout"]
    last = "unknown:" + name_key(console.store, names[-1]).removeprefix("name:")[:12]
    assert any(d["by"] == "network" and d["name"] == last for d in lockouts)


def test_simultaneous_guesses_cannot_outrun_the_limit(console):
    """Attempts are counted before their password is checked: ten at once on one name
    check at most LIMIT passwords."""
    from concurrent.futures import ThreadPoolExecutor

    def guess(i: int) -> int:
        return Browser(console.base, local_address=f"127.0.{60 + i}.1").login(
            "amina", f"devinette-numero-{i:02d}").status_code

    with ThreadPoolExecutor(10) as pool:
        codes = list(pool.map(guess, range(10)))
    assert codes.count(401) + codes.count(429) == 10
    checked = [d for _, action, d in audit_actions(console.store, 300)
               if action == "login_failed" and d["name"] == "amina"]
    assert len(checked) <= LIMIT
    store = console.store
    with store._write():  # let amina back in for the tests that follow
        store._exec("DELETE FROM admin_lockouts WHERE key = ?", (name_key(store, "amina"),))
        store._exec("DELETE FROM admin_login_failures WHERE key = ?",
                    (name_key(store, "amina"),))


# -- the review queue ------------------------------------------------------------------------
def report(store, article_id: int, image: str | None, reader: int, reason: str = "shocking"):
    kind = "image" if image else "article"
    return store.record_report(
        ReportIn(kind=kind, article_id=article_id, target=image or str(article_id),
                 reason=reason, reporter_key=f"{reader:032x}", network_key=f"n{reader:031x}"),
        ReportPolicy(threshold=3))


def test_queue_block_and_unblock_with_reasons_logged(console):
    store, ids = console.store, console.ids
    image = store.get_article(ids["fr_full"]).image
    outcomes = [report(store, ids["fr_full"], image, reader) for reader in (1, 2, 3)]
    assert outcomes[-1].blocked_now
    item_id = outcomes[-1].item_id
    amina = logged_in(console)
    reader = Browser(console.base)
    assert image not in reader.get(f"/article/{ids['fr_full']}").text

    queue = amina.get("/admin/queue")
    row = re.search(rf'<tr data-item="{item_id}" data-state="blocked">(.*?)</tr>', queue.text, re.S)
    assert row, "the blocked image is in the queue"
    assert f'src="{image}"' in row.group(1) and 'referrerpolicy="no-referrer"' in row.group(1)
    assert "Le Phare de Salé" in row.group(1) and "3 / 3" in row.group(1)
    dashboard = amina.get("/admin")
    assert re.search(r'data-count="blocked">\s*[1-9]', dashboard.text)

    page = amina.get(f"/admin/item/{item_id}")
    assert page.status_code == 200 and 'data-action="unblock"' in page.text
    hashed = [r["reporter"] for r in store.item_reports(item_id)]
    assert all(h in page.text for h in hashed) and len(hashed) == 3
    assert f"{1:032x}" not in page.text  # never the whole key

    # No reason: refused, shown again, nothing changed.
    empty = amina.post(f"/admin/item/{item_id}/decide",
                       {"csrf": amina.csrf(), "action": "unblock", "reason": "  "})
    assert empty.status_code == 400 and 'role="alert"' in empty.text
    assert store.moderation_item(item_id).state == "blocked"
    done = amina.post(f"/admin/item/{item_id}/decide", {
        "csrf": amina.csrf(), "action": "unblock",
        "reason": "Photo d'archive sans caractère choquant / صورة أرشيفية"})
    assert done.status_code == 303
    assert store.moderation_item(item_id).state == "cleared"
    assert image in reader.get(f"/article/{ids['fr_full']}").text
    entry = next(e for e in store.audit_log(item_id=item_id) if e.action == "unblock")
    assert entry.actor == "operator:amina"
    assert entry.detail["reason"] == "Photo d'archive sans caractère choquant / صورة أرشيفية"
    shown = amina.get(done.headers["location"])
    assert "صورة أرشيفية" in shown.text and 'data-state="cleared"' in shown.text

    # An operator can block it again by hand, with a reason.
    again = amina.post(f"/admin/item/{item_id}/decide",
                       {"csrf": amina.csrf(), "action": "block", "reason": "Visage d'un mineur"})
    assert again.status_code == 303
    assert store.moderation_item(item_id).state == "blocked"
    assert image not in reader.get(f"/article/{ids['fr_full']}").text
    assert any(e.action == "block" and e.actor == "operator:amina"
               for e in store.audit_log(item_id=item_id))
    audit_page = amina.get("/admin/audit")
    assert "Visage d&#39;un mineur" in audit_page.text or "Visage d'un mineur" in audit_page.text


def test_take_down_and_restore_from_the_console(console):
    store, ids = console.store, console.ids
    article_id = ids["late_en"]
    item = report(store, article_id, None, reader=11, reason="other")
    amina, reader = logged_in(console), Browser(console.base)

    def listed() -> set[int]:
        data = reader.get("/api/articles?lang=en").json()
        return {a["id"] for a in data["articles"]}

    assert article_id in listed()
    no_reason = amina.post(f"/admin/item/{item.item_id}/take-down", {"csrf": amina.csrf()})
    assert no_reason.status_code == 400 and reader.get(f"/article/{article_id}").status_code == 200
    gone = amina.post(f"/admin/item/{item.item_id}/take-down",
                      {"csrf": amina.csrf(), "reason": "Atteinte à la vie privée"})
    assert gone.status_code == 303
    assert reader.get(f"/article/{article_id}").status_code == 410
    assert article_id not in listed()
    assert store.moderation_item(item.item_id).state == "taken_down"

    page = amina.get("/admin/takedowns")
    takedown = store.takedown_of_article(article_id)
    assert f'data-takedown="{takedown.id}"' in page.text and "Atteinte" in page.text
    refused = amina.post(f"/admin/takedowns/{takedown.id}/restore", {"csrf": amina.csrf()})
    assert refused.status_code == 400 and store.takedown_of_article(article_id) is not None
    back = amina.post(f"/admin/takedowns/{takedown.id}/restore",
                      {"csrf": amina.csrf(), "reason": "Plainte retirée"})
    assert back.status_code == 303
    assert reader.get(f"/article/{article_id}").status_code == 200
    assert article_id in listed()
    actions = [(e.actor, e.action) for e in store.audit_log(limit=100)]
    assert ("operator:amina", "take_down") in actions and ("operator:amina", "restore") in actions

    # By number, for an article nobody reported; a bad number is shown back.
    bad = amina.post("/admin/takedowns", {"csrf": amina.csrf(), "article_id": "abc",
                                           "reason": "Doublon"})
    assert bad.status_code == 400 and 'value="abc"' in bad.text and 'value="Doublon"' in bad.text
    other = ids["wire_fr"]
    assert amina.post("/admin/takedowns", {"csrf": amina.csrf(), "article_id": str(other),
                                           "reason": "Doublon"}).status_code == 303
    assert reader.get(f"/article/{other}").status_code == 410
    restore_id = store.takedown_of_article(other).id
    assert amina.post(f"/admin/takedowns/{restore_id}/restore",
                      {"csrf": amina.csrf(), "reason": "Erreur"}).status_code == 303


def test_console_pages_render_in_french_and_arabic(console):
    amina = logged_in(console)
    for lang, word, direction in (("fr", "File de modération", "ltr"),
                                  ("ar", "قائمة المراجعة", "rtl")):
        cookies = f"{SESSION_COOKIE}={amina.cookies[SESSION_COOKIE]}; ui_lang={lang}"
        page = amina.get("/admin/queue", headers={"cookie": cookies})
        assert page.status_code == 200 and word in page.text
        assert f'dir="{direction}"' in page.text
    login = Browser(console.base).get("/admin/login", headers={"cookie": "ui_lang=ar"})
    assert "كلمة المرور" in login.text
