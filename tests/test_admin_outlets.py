"""Outlets in the operator console, on SQLite and PostgreSQL: each outlet's health, add and
edit checked with the registry's rules (every mistake shown, nothing saved), the outlet
kept in the database and taken up by a running pipeline at its next pass, pause/resume.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from akhbar.config import load_settings
from akhbar.pipeline import Pipeline
from akhbar.store.base import open_store
from akhbar.types import ExtractRules, Source
from akhbar.web.admin import accounts
from test_admin import Browser, hidden
from websupport import OUTLETS, Running, backend_url, fill, serve, site_app

PASSWORD = "harira-et-chebakia-2025"
# An outlet with keys the form does not show: an edit must keep them.
ATLAS = Source(id="atlas-info", name="Atlas Info", homepage="https://atlas-info.example/",
               feeds=("https://atlas-info.example/rss",), languages=("fr",),
               founded=date(2009, 4, 1), min_delay=3.0, country="MA",
               extract=ExtractRules(body="div.corps", drop=(".pub",)))
REGISTRY = (*OUTLETS, ATLAS)


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def console(request, tmp_path_factory):
    with backend_url(request.param, tmp_path_factory.mktemp("outlets")) as url:
        store = open_store(url)
        try:
            ids = fill(store)
            store.sync_sources(REGISTRY)
            store.add_operator("nadia", accounts.hash_password(PASSWORD))
            app = site_app(store)
            with serve(app) as base:
                yield Running(base, ids, store, app)
        finally:
            store.close()


@pytest.fixture
def nadia(console) -> Browser:
    browser = Browser(console.base)
    assert browser.login("nadia", PASSWORD).status_code == 303
    return browser


def worker(store) -> Pipeline:
    """A crawler as a worker runs it: started with the registry, synced once; each pass
    then calls refresh_sources (crawl_due does, before claiming feeds)."""
    pipeline = Pipeline(store, load_settings(env={}), REGISTRY, worker="test-admin")
    pipeline.refresh_sources(force=True)  # what entering the pipeline does
    return pipeline


def row(html: str, source_id: str) -> str:
    m = re.search(rf'<tr data-outlet="{source_id}"[^>]*>(.*?)</tr>', html, re.S)
    assert m, f"no row for {source_id}"
    return m.group(0)


def cell(html: str, source_id: str, field: str) -> str:
    m = re.search(rf'<td data-field="{field}">(.*?)</td>', row(html, source_id), re.S)
    return re.sub(r"<[^>]+>", " ", m.group(1)).split()[0] if m else ""


GOOD = {"id": "sawt-al-janoub", "name": "صوت الجنوب",
        "homepage": "https://sawt-al-janoub.example/",
        "feeds": "https://sawt-al-janoub.example/feed\r\nhttps://sawt-al-janoub.example/fr/feed\r\n",
        "languages": "ar, fr", "crawl_interval": "900", "display": "lede", "excerpt_words": "40"}


def test_a_bad_outlet_shows_every_mistake_and_saves_nothing(console, nadia):
    bad = {"id": "Sawt Al Janoub", "name": "  ", "homepage": "ftp://sawt.example/",
           "feeds": "pas-une-url\nhttps://sawt.example/feed", "languages": "arabe",
           "crawl_interval": "bientôt", "display": "affiche", "excerpt_words": "-3"}
    answer = nadia.post("/admin/outlets/new", {"csrf": nadia.csrf(), **bad})
    assert answer.status_code == 400
    for field in ("id", "name", "homepage", "feeds", "languages", "crawl_interval", "display",
                  "excerpt_words"):
        assert f'data-error="{field}"' in answer.text, field
    # The registry's own words, and what was typed, shown back.
    assert "is not a slug" in answer.text and "feeds[0] is not an http(s) URL" in answer.text
    assert 'value="bientôt"' in answer.text and "pas-une-url" in answer.text
    assert console.store.operator_sources() == []

    # An id or a feed that belongs to another outlet.
    taken = nadia.post("/admin/outlets/new", {
        "csrf": nadia.csrf(), **GOOD, "id": "le-phare",
        "feeds": "https://sada-atlas.example/feed"})
    assert taken.status_code == 400
    assert 'data-error="id"' in taken.text and "exists already" in taken.text
    assert "already a feed of outlet" in taken.text and "sada-atlas" in taken.text
    assert console.store.operator_sources() == []


def test_an_added_outlet_is_crawled_by_a_running_worker(console, nadia):
    store = console.store
    running = worker(store)  # started before the outlet exists
    assert nadia.get("/admin/outlets/new").status_code == 200
    answer = nadia.post("/admin/outlets/new", {"csrf": nadia.csrf(), **GOOD})
    assert answer.status_code == 303 and answer.headers["location"] == "/admin/outlets?done=saved"

    saved = {s.id: s for s in store.operator_sources()}["sawt-al-janoub"]
    assert saved == Source(id="sawt-al-janoub", name="صوت الجنوب",
                           homepage="https://sawt-al-janoub.example/",
                           feeds=("https://sawt-al-janoub.example/feed",
                                  "https://sawt-al-janoub.example/fr/feed"),
                           languages=("ar", "fr"), crawl_interval=900, display="lede",
                           excerpt_words=40)
    assert "sawt-al-janoub" not in {s.id for s in store.list_sources()}
    page = nadia.get("/admin/outlets")
    assert "صوت الجنوب" in row(page.text, "sawt-al-janoub")
    assert store.operator_source_changes()["sawt-al-janoub"][1] == "nadia"

    running.refresh_sources()  # the worker's next pass
    listed = {s.id: s for s in store.list_sources()}
    assert listed["sawt-al-janoub"].feeds == saved.feeds and listed["sawt-al-janoub"].enabled
    assert "sawt-al-janoub" in running.sources  # crawl_due now crawls its claims
    assert {f.feed_url for f in store.feed_states("sawt-al-janoub")} == set(saved.feeds)
    # The registry's outlets are still all there.
    assert {s.id for s in REGISTRY} <= set(listed)
    # A worker started later gets it at once.
    assert "sawt-al-janoub" in worker(store).sources
    entry = next(e for e in store.audit_log(limit=50) if e.action == "outlet_add")
    assert entry.actor == "operator:nadia" and entry.detail["source"] == "sawt-al-janoub"
    page = nadia.get("/admin/outlets")
    assert 'data-enabled="yes"' in row(page.text, "sawt-al-janoub")


def test_an_edit_keeps_what_the_form_does_not_show_and_wins_over_the_registry(console, nadia):
    store = console.store
    form = nadia.get("/admin/outlets/atlas-info/edit")
    assert form.status_code == 200 and 'value="Atlas Info"' in form.text
    assert "https://atlas-info.example/rss" in form.text

    # A mistake: shown, nothing saved.
    wrong = nadia.post("/admin/outlets/atlas-info/edit", {
        "csrf": hidden(form.text, "csrf"), "name": "Atlas Info", "homepage": "atlas-info",
        "feeds": "https://atlas-info.example/rss", "languages": "fr", "crawl_interval": "600",
        "display": "excerpt", "excerpt_words": "60"})
    assert wrong.status_code == 400 and 'data-error="homepage"' in wrong.text
    assert "atlas-info" not in {s.id for s in store.operator_sources()}

    edited = nadia.post("/admin/outlets/atlas-info/edit", {
        "csrf": nadia.csrf(), "id": "another-id", "name": "Atlas Info — édition du Souss",
        "homepage": "https://atlas-info.example/", "feeds": "https://atlas-info.example/rss",
        "languages": "fr en", "crawl_interval": "600", "display": "full",
        "excerpt_words": "60"})
    assert edited.status_code == 303
    saved = {s.id: s for s in store.operator_sources()}["atlas-info"]
    assert saved.name == "Atlas Info — édition du Souss" and saved.languages == ("fr", "en")
    assert saved.crawl_interval == 600 and saved.display == "full"
    # Not in the form: kept as they were.
    assert saved.founded == date(2009, 4, 1) and saved.min_delay == 3.0
    assert saved.extract == ExtractRules(body="div.corps", drop=(".pub",))
    assert "another-id" not in {s.id for s in store.operator_sources()}  # the id stays

    worker(store)  # the registry still says "Atlas Info": the database wins
    listed = {s.id: s for s in store.list_sources()}["atlas-info"]
    assert listed.name == "Atlas Info — édition du Souss" and listed.display == "full"
    assert listed.extract.body == "div.corps"
    entry = next(e for e in store.audit_log(limit=50) if e.action == "outlet_edit")
    assert entry.actor == "operator:nadia"
    assert set(entry.detail["changed"]) == {"name", "languages", "crawl_interval", "display"}
    assert nadia.get("/admin/outlets/no-such-outlet/edit").status_code == 404


def test_the_outlets_page_shows_each_outlets_health_and_pauses_it(console, nadia):
    store = console.store
    now = datetime.now(UTC)
    # kasbah's feed read with new items; nabd's failing twice in a row; oasis-post's
    # article pages: its 2 stored articles were extracted, 2 more pages failed.
    for attempt in range(2):
        claims = store.claim_due_feeds("health-test", now + timedelta(minutes=attempt),
                                       100, timedelta(seconds=30))
        for claim in claims:
            failing = claim.source_id == "nabd"
            store.finish_feed(claim, now=now + timedelta(minutes=attempt),
                              next_check=now - timedelta(hours=1) if failing else now + timedelta(days=1),
                              ok=not failing, new_items=3 if claim.source_id == "kasbah" else 0,
                              error="HTTPStatusError: 503" if failing else None)
    for i in range(2):
        store.record_page("oasis-post", f"https://oasis-post.example/broken/{i}", False, "timeout")

    page = nadia.get("/admin/outlets")
    assert page.status_code == 200
    health = {h.source_id: h for h in store.source_health()}
    assert cell(page.text, "nabd", "error_streak") == "2" == str(health["nabd"].error_streak)
    assert "HTTPStatusError: 503" in row(page.text, "nabd")
    assert cell(page.text, "kasbah", "last_new_item") != "—"
    assert cell(page.text, "kasbah", "last_success") != "—"
    assert cell(page.text, "oasis-post", "extraction_rate") == "50"
    assert health["oasis-post"].extraction_rate == 0.5
    # le-phare holds one copy among its articles.
    copies = health["le-phare"]
    assert copies.copies == 1
    assert cell(page.text, "le-phare", "duplicate_rate") == f"{100 * copies.duplicate_rate:.0f}"
    assert cell(page.text, "le-phare", "articles") == str(copies.articles)

    paused = nadia.post("/admin/outlets/nabd/pause", {"csrf": nadia.csrf()})
    assert paused.status_code == 303
    page = nadia.get("/admin/outlets?done=paused")
    assert 'data-enabled="no"' in row(page.text, "nabd")
    assert 'data-action="resume"' in row(page.text, "nabd")
    assert not {s.id: s for s in store.list_sources()}["nabd"].enabled
    worker(store)  # a sync keeps the operator's pause
    assert not {s.id: s for s in store.list_sources()}["nabd"].enabled
    assert nadia.post("/admin/outlets/nabd/resume", {"csrf": nadia.csrf()}).status_code == 303
    assert {s.id: s for s in store.list_sources()}["nabd"].enabled
    unknown = nadia.post("/admin/outlets/no-such-outlet/pause", {"csrf": nadia.csrf()})
    assert unknown.status_code == 400 and "no-such-outlet" in unknown.text
