"""End to end in a real browser: Debian's Chromium, headless, driven by Playwright, on the
site serving the demo press as crawled by the production pipeline.

The reader's journey: home → a story told in several languages → one of its articles;
an article → its source on the demo press → search in Arabic and in French → the UI switched to Arabic (right to left, remembered) → an Arabic article in
the French UI; and the keyboard's first stop. Screenshots of every step are kept in
test-artifacts/browser/ (CI keeps them as artefacts).

    .venv/bin/pytest -q tests/test_browser.py
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from browsersupport import (
    Shots,
    chromium,
    crawled_demo_site,
    fold,
    rare_accented_french_word,
    rare_arabic_word,
    require_browser,
)

require_browser()

from playwright.sync_api import Page, expect  # noqa: E402

from akhbar.demo.outlets import OUTLETS  # noqa: E402
from akhbar.parse.urls import url_key  # noqa: E402

pytestmark = pytest.mark.slow

CASABLANCA = ZoneInfo("Africa/Casablanca")
FR_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre")
DESKTOP = {"width": 1280, "height": 900}
WAIT_MS = 10_000
expect.set_options(timeout=WAIT_MS)


# -- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    with crawled_demo_site(tmp_path_factory.mktemp("browser")) as site:
        # The whole press stored (robots-disallowed pages from their feed): the journey
        # below then runs on what a reader of the demo would really see.
        assert site.articles == len(site.truth)
        yield site


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def shots():
    return Shots()


@dataclass
class Tab:
    """One browser tab on the site, with what went wrong in it (script errors, CSP
    refusals) and a screenshot helper."""

    page: Page
    base: str
    shots: Shots
    test: str
    problems: list[str] = field(default_factory=list)

    def goto(self, path: str) -> None:
        response = self.page.goto(self.base + path)
        assert response is not None and response.ok, (path, response and response.status)

    def shot(self, step: str, page: Page | None = None) -> None:
        self.shots(page or self.page, f"{self.test}-{step}")

    def assert_clean(self) -> None:
        assert not self.problems, self.problems


@pytest.fixture
def tab(request, browser, demo, shots) -> Iterator[Tab]:
    # A French reader (Accept-Language), a fresh profile each test: no cookie carried over.
    context = browser.new_context(locale="fr-FR", viewport=DESKTOP,
                                  timezone_id="Africa/Casablanca")
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    name = re.sub(r"[^\w-]+", "_", request.node.name.removeprefix("test_")).strip("_")
    t = Tab(page, demo.base, shots, name)
    page.on("pageerror", lambda exc: t.problems.append(f"script error: {exc}"))
    page.on("console", lambda msg: t.problems.append(f"console: {msg.text}")
            if msg.type == "error" and "Content Security Policy" in msg.text else None)
    failed_before = request.session.testsfailed
    yield t
    # The call's report is logged before teardown: a failure shows here, and the page as
    # it was then is kept beside the steps' pictures.
    if request.session.testsfailed > failed_before:
        with contextlib.suppress(Exception):
            t.shot("FAILED")
    context.close()


def _truth_by_url(demo) -> dict[str, dict]:
    return {url_key(t["url"]): t for t in demo.truth}


def _titles(demo) -> set[str]:
    return {t["title"] for t in demo.truth} | {t["feed_title"] for t in demo.truth if t["feed_title"]}


def _hit_titles(page: Page) -> list[str]:
    expect(page.locator("ol.hits > li").first).to_be_visible()
    return [" ".join(s.split()) for s in page.locator("ol.hits .item-title a").all_inner_texts()]


# -- the journey ---------------------------------------------------------------------------


def test_home_lists_headlines_with_outlet_and_time(tab, demo):
    """The home page: the ticker of the latest headlines, then stories ranked by coverage,
    each with a headline from its articles, its outlets and the latest report's time."""
    page = tab.page
    tab.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator(".ticker li").first).to_be_visible()
    cards = page.locator("ol.stories > li.story-card")
    expect(cards.first).to_be_visible()
    tab.shot("home")

    titles, outlets = _titles(demo), {o.name for o in OUTLETS}
    assert page.locator(".ticker li").count() >= 5
    for i in range(cards.count()):
        card = cards.nth(i)
        assert " ".join(card.locator(".item-title a").inner_text().split()) in titles
        named = card.locator(".card-outlets bdi").all_inner_texts()
        assert named and set(named) <= outlets, named
        assert card.locator("time").inner_text().strip(), "a story without its visible time"
    assert cards.count() >= 10
    # Ranked by coverage: the first story was reported by more than one outlet.
    assert len(cards.first.locator(".card-outlets bdi").all_inner_texts()) >= 2
    tab.assert_clean()


def test_story_timeline_in_several_languages(tab, demo):
    """Home → a story reported in two languages or more → its timeline → one of its
    articles."""
    page = tab.page
    tab.goto("/")
    cards = page.locator("ol.stories > li.story-card")
    expect(cards.first).to_be_visible()
    multi = [i for i in range(cards.count())
             if cards.nth(i).locator(".langs bdi").count() >= 2]
    assert multi, "no story on the home page is told in two languages"
    card = cards.nth(multi[0])
    headline = " ".join(card.locator(".item-title a").inner_text().split())
    card.locator(".item-title a").click()
    page.wait_for_url(re.compile(r"/story/\d+$"))
    expect(page.locator("main h1")).to_have_text(headline)
    reports = page.locator("ol.timeline > li")
    expect(reports.first).to_be_visible()
    langs = {reports.nth(i).locator(".item-title").get_attribute("lang")
             for i in range(reports.count())}
    assert len(langs) >= 2, langs
    stamps = [datetime.fromisoformat(t) for t in
              page.locator("ol.timeline time").evaluate_all("els => els.map(e => e.dateTime)")]
    assert stamps == sorted(stamps), "the timeline is not in the order of the reports"
    arabic = page.locator("ol.timeline .item-title[lang='ar']")
    if arabic.count():
        _assert_right_aligned(arabic.first)
    tab.shot("story")

    # Through to one of its articles, here, then its source is one click away.
    target = reports.nth(reports.count() - 1).locator(".item-title a")
    title = " ".join(target.inner_text().split())
    target.click()
    page.wait_for_url(re.compile(r"/article/\d+$"))
    expect(page.locator("article h1")).to_have_text(title)
    expect(page.locator("a.source-link")).to_be_visible()
    # The article's page points back to the rest of its story.
    expect(page.locator("section.story-coverage p.story-link a")).to_have_attribute(
        "href", re.compile(r"^/story/\d+$"))
    tab.shot("story-article")
    tab.assert_clean()


def test_article_dateline_and_link_to_source(tab, demo):
    page = tab.page
    tab.goto(f"/outlet/{OUTLETS[0].id}")  # a list of articles (the home page lists stories)
    first = page.locator("ol.items > li.item").first
    title = " ".join(first.locator(".item-title a").inner_text().split())
    outlet = first.locator(".outlet").inner_text()
    stamp = first.locator("time").get_attribute("datetime")
    first.locator(".item-title a").click()
    page.wait_for_url(re.compile(r"/article/"))
    expect(page.locator("article h1")).to_have_text(title)
    tab.shot("article")

    # "Publié dans <outlet> le <date>", the date in French, the time in Casablanca.
    dateline = page.locator("p.dateline")
    text = " ".join(dateline.inner_text().split())
    m = re.match(r"Publié dans (.+?) le (.+?)(?: · par .+)?$", text)
    assert m, text
    assert m.group(1) == outlet
    assert dateline.locator("time").get_attribute("datetime") == stamp
    local = datetime.fromisoformat(stamp).astimezone(CASABLANCA)
    assert f"{local.day} {FR_MONTHS[local.month - 1]} {local.year}" in m.group(2), text
    assert f"{local:%H:%M}" in m.group(2), text
    outlet_id = dateline.locator("a[href^='/outlet/']").get_attribute("href").split("/")[-1]

    # The link to the source: that outlet's own URL on the demo press, noopener.
    link = page.locator("a.source-link")
    expect(link).to_be_visible()
    href = link.get_attribute("href")
    assert href.startswith(demo.press.base_url(outlet_id) + "/"), href
    assert "noopener" in (link.get_attribute("rel") or "").split()
    truth = _truth_by_url(demo).get(url_key(href))
    assert truth is not None, f"{href} is no article of the demo press"
    assert truth["outlet"] == outlet_id and title in (truth["title"], truth["feed_title"])

    # Following it opens the outlet's page, with no handle back on the site.
    with page.context.expect_page() as opened:
        link.click()
    source = opened.value
    source.wait_for_load_state("domcontentloaded")
    assert url_key(source.url) == url_key(href)
    assert source.title().startswith(truth["title"]), source.title()
    assert source.evaluate("window.opener === null")
    tab.shot("source", source)
    tab.assert_clean()


def test_search_arabic_with_clitics(tab, demo):
    page = tab.page
    word, target = rare_arabic_word(demo.truth)
    # و + the word: a spelling the title does not contain, found only through analysis.
    query = "و" + word
    assert query not in target["title"]
    tab.goto("/")
    page.locator("#site-q").fill(query)
    page.locator("#site-q").press("Enter")
    page.wait_for_url(re.compile(r"/search\?"))
    expect(page.locator("#q")).to_have_value(query)
    assert target["title"] in _hit_titles(page), (query, target["title"])
    hit = page.locator("ol.hits > li", has_text=target["title"]).first
    expect(hit.locator(".item-title")).to_have_attribute("lang", "ar")
    expect(hit.locator(".snippet")).to_have_attribute("dir", "rtl")
    _assert_right_aligned(hit.locator(".item-title"))
    tab.shot("waw")

    # ب + the word, through the search page's own form.
    query = "ب" + word
    page.locator("#q").fill(query)
    page.locator("form.search-form button[type=submit]").click()
    expect(page.locator("#q")).to_have_value(query)
    assert target["title"] in _hit_titles(page), (query, target["title"])
    tab.shot("ba")
    tab.assert_clean()


def test_search_french_without_accents(tab, demo):
    page = tab.page
    word, target = rare_accented_french_word(demo.truth)
    query = fold(word)  # "tetouan" for "Tétouan"
    tab.goto("/")
    page.locator("#site-q").fill(query)
    page.locator("#site-q").press("Enter")
    page.wait_for_url(re.compile(r"/search\?"))
    titles = _hit_titles(page)
    assert target["title"] in titles, (query, target["title"], titles)
    # The accented word is what gets highlighted in the hit.
    hit = page.locator("ol.hits > li", has_text=target["title"]).first
    marks = [fold(s) for s in hit.locator("mark").all_inner_texts()]
    assert query in marks, (query, marks)
    tab.shot("accents")
    tab.assert_clean()


def test_arabic_ui_is_right_to_left_and_remembered(tab, demo):
    page = tab.page
    tab.goto("/")
    page.locator(".ticker a").first.click()
    page.wait_for_url(re.compile(r"/article/"))
    article_path = page.url.removeprefix(demo.base)
    expect(page.locator("html")).to_have_attribute("dir", "ltr")

    page.locator("nav.ui-lang a[hreflang='ar']").click()
    page.wait_for_url(demo.base + article_path)  # back where the reader was
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.querySelector('main')).direction") == "rtl"
    assert not page.locator("p.dateline").inner_text().startswith("Publié")
    tab.shot("article-ar")

    # Right to left for real: the brand, first in the header, sits on the right.
    brand = page.locator("a.brand").bounding_box()
    assert brand["x"] + brand["width"] > DESKTOP["width"] / 2, brand
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies.get("ui_lang") == "ar", cookies

    # Remembered: the next pages, reached by a link and typed in, are Arabic too.
    page.locator("a.brand").click()
    page.wait_for_url(demo.base + "/")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    tab.shot("home-ar")
    tab.goto("/outlets")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    tab.assert_clean()


def test_arabic_article_in_french_ui(tab, demo):
    page = tab.page
    arabic_outlet = next(o.id for o in OUTLETS if o.languages == ("ar",))
    tab.goto(f"/outlet/{arabic_outlet}")
    page.locator("ol.items .item-title[lang='ar'] a").first.click()
    page.wait_for_url(re.compile(r"/article/"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    for block in ("header.article-head", "div.text"):
        expect(page.locator(block)).to_have_attribute("lang", "ar")
        expect(page.locator(block)).to_have_attribute("dir", "rtl")
    assert page.evaluate("getComputedStyle(document.querySelector('div.text')).direction") == "rtl"
    assert page.evaluate("getComputedStyle(document.querySelector('p.dateline')).direction") == "ltr"
    expect(page.locator("p.dateline")).to_contain_text("Publié dans")
    # The text column ends where its title does, on the right (it once started at the left
    # of the page while the title was on the right).
    title, text = _box(page.locator("header.article-head h1")), _box(page.locator("div.text"))
    assert abs(title["right"] - text["right"]) <= 2, (title, text)
    if page.locator("section.coverage").count():
        _assert_right_aligned(page.locator("section.coverage .item-title[lang='ar']").first)
    tab.shot("ar-article-fr-ui")
    tab.assert_clean()


def _box(locator) -> dict:
    return locator.evaluate(
        "e => { const r = e.getBoundingClientRect(); return {left: r.left, right: r.right}; }")


def _assert_right_aligned(title) -> None:
    """An Arabic title in a left-to-right page: its own block is right to left, and its
    words end at the block's right edge (not only the link's direction)."""
    assert title.evaluate("e => getComputedStyle(e).direction") == "rtl"
    block, words = _box(title), _box(title.locator("a"))
    assert abs(block["right"] - words["right"]) <= 2, (block, words)


def test_arabic_titles_align_right_in_french_lists(tab, demo):
    page = tab.page
    bilingual = next(o.id for o in OUTLETS if set(o.languages) == {"fr", "ar"})
    tab.goto(f"/outlet/{bilingual}")  # Arabic and French titles in one list
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    arabic = page.locator("ol.items .item-title[lang='ar']")
    expect(arabic.first).to_be_visible()
    for i in range(min(arabic.count(), 5)):
        expect(arabic.nth(i)).to_have_attribute("dir", "rtl")
        _assert_right_aligned(arabic.nth(i))
    french = page.locator("ol.items .item-title[lang='fr']").first
    block, words = _box(french), _box(french.locator("a"))
    assert abs(block["left"] - words["left"]) <= 2, (block, words)
    tab.shot("outlet-fr")
    # The ticker: an Arabic headline's item runs right to left (outlet after it, leftwards).
    tab.goto("/")
    ticker = page.locator(".ticker li", has=page.locator("a[lang='ar']"))
    if ticker.count():
        item = ticker.first
        expect(item).to_have_attribute("dir", "rtl")
        assert _box(item.locator("a"))["left"] > _box(item.locator(".outlet"))["left"]
    tab.shot("home-fr")
    tab.assert_clean()


def test_tab_reaches_skip_link_first(tab):
    page = tab.page
    tab.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip", focused
    box = page.locator("a.skip").bounding_box()
    assert box and box["y"] >= 0, f"the focused skip link is off screen: {box}"
    tab.shot("skip-link")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#main$"))
    assert page.evaluate("document.activeElement.id") == "main"
    tab.assert_clean()


@pytest.mark.parametrize("path", ["/", "/search?q=maroc"])
def test_small_screen_has_no_sideways_scroll(tab, path):
    page = tab.page
    page.set_viewport_size({"width": 360, "height": 740})
    tab.goto(path)
    expect(page.locator("main")).to_be_visible()
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= 360, f"{path} is {wide} px wide on a 360 px screen"
    tab.shot("phone")
    tab.assert_clean()
