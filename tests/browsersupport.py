"""For the browser tests: Debian's Chromium through Playwright, the demo press crawled into
a fresh store and the real site serving it, screenshots kept as artefacts.

Playwright is only the driver here: it never downloads a browser (no `playwright install`);
/usr/bin/chromium is the one CI installs.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import unicodedata
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "browser"
# The crawler over loopback: private addresses allowed, no politeness delay. Stories on:
# the home page lists them (building them with the embedding model doubles the setup).
FAST = dict(allow_private_networks="127.0.0.0/8", min_host_delay=0.0, extract_processes=2,
            stories_enabled=True)


def require_browser() -> None:
    """Skip the calling module when Chromium or Playwright is missing, unless
    AKHBAR_REQUIRE_BROWSER=1 (CI), where a missing browser is a failure."""
    why = None
    if not CHROMIUM.exists():
        why = f"{CHROMIUM} is absent (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            why = "the playwright Python package is not installed"
    if why is None:
        return
    if os.environ.get("AKHBAR_REQUIRE_BROWSER") == "1":
        pytest.fail(f"AKHBAR_REQUIRE_BROWSER=1 but {why}", pytrace=False)
    pytest.skip(f"browser test skipped: {why}", allow_module_level=True)


def launch(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                      args=LAUNCH_ARGS)


@contextlib.contextmanager
def chromium():
    """Debian's Chromium, headless, closed at the end of the block (a module's fixture)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            yield browser
        finally:
            browser.close()


# -- the crawled demo press behind the site ----------------------------------------------


@dataclass
class DemoSite:
    base: str  # the site, no trailing slash
    press: object  # the running DemoPress
    truth: list[dict]  # press.ground_truth()
    articles: int  # stored by the crawl
    store: object = None  # the store the site reads (tests that act as the operator)


@contextlib.contextmanager
def crawled_demo_site(tmp_dir: Path, **settings) -> Iterator[DemoSite]:
    """The demo press on 127.0.0.11-18, crawled once through the production Pipeline into a
    fresh SQLite store, and the real app serving that store on a free 127.0.0.1 port;
    ``settings`` override FAST's."""
    from akhbar.config import load_settings
    from akhbar.demo import DemoPress
    from akhbar.pipeline import Pipeline
    from akhbar.store.base import open_store
    from akhbar.web import create_app
    from akhbar.web.server import BackgroundSite

    # No slow host or 429s here: the crawler's patience is test_demo_crawl's business;
    # this module is about what the reader sees.
    with DemoPress(slow_seconds=0.0, rate_limit_first=0) as press:
        store = open_store(f"sqlite:///{tmp_dir / 'browser.db'}")
        try:
            settings = load_settings(env={}, log_level="WARNING", **{**FAST, **settings})

            async def crawl():
                async with Pipeline(store, settings, press.sources(), worker="browser") as p:
                    return await p.crawl_due()

            # In a thread of its own: Playwright's sync API keeps an event loop running in
            # this one, where asyncio.run() is refused.
            with ThreadPoolExecutor(1) as one:
                one.submit(asyncio.run, crawl()).result()
            stored = store.article_stats()["articles"]
            site = BackgroundSite(settings, host="127.0.0.1", port=0,
                                  app=create_app(settings, store=store)).start()
            try:
                yield DemoSite(site.url.rstrip("/"), press, press.ground_truth(), stored, store)
            finally:
                site.stop()
        finally:
            store.close()


# -- queries chosen from the press's own titles ----------------------------------------------

_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Lower case without accents (what a reader types on a keyboard without them)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def titled(truth: list[dict], lang: str) -> list[dict]:
    """Crawlable articles of one language whose title the outlet never changed."""
    return [t for t in truth if t["lang"] == lang and t["crawlable"] and not t["feed_title"]]


def rare_arabic_word(truth: list[dict]) -> tuple[str, dict]:
    """A definite noun (ال…) of an Arabic title, the rarest across all titles, and the
    article whose title has it. Rare, so its article is on the first page of results."""
    titles = [t["title"] for t in truth]
    best = None
    for t in titled(truth, "ar"):
        for word in _WORD.findall(t["title"]):
            if not word.startswith("ال") or len(word) < 5 or word.isdigit():
                continue
            df = sum(word[2:] in title for title in titles)
            key = (df, -len(word), word, t["url"])
            if best is None or key < best[0]:
                best = (key, word, t)
    assert best is not None, "no Arabic title with a definite noun in the demo press"
    return best[1], best[2]


def rare_accented_french_word(truth: list[dict]) -> tuple[str, dict]:
    """An accented word of a French title (e.g. 'Tétouan'), the rarest across all titles once
    folded, and its article."""
    titles = [fold(t["title"]) for t in truth]
    best = None
    for t in titled(truth, "fr"):
        for word in _WORD.findall(t["title"]):
            folded = fold(word)
            if folded == word.casefold() or len(folded) < 5 or not folded.isalpha():
                continue
            df = sum(folded in title for title in titles)
            key = (df, -len(word), word, t["url"])
            if best is None or key < best[0]:
                best = (key, word, t)
    assert best is not None, "no accented French title in the demo press"
    return best[1], best[2]


# -- screenshots -----------------------------------------------------------------------------


class Shots:
    """Full-page screenshots numbered in the order taken, kept in test-artifacts/browser/."""

    def __init__(self, folder: Path = ARTIFACTS):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.png"):  # a previous run's pictures would mislead
            old.unlink()
        self.n = 0

    def __call__(self, page, name: str) -> Path:
        self.n += 1
        path = self.folder / f"{self.n:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path
