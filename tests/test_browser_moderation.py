"""End to end in a real browser: three readers report an image, it is gone, the operator
unblocks it, it is back.

Debian's Chromium through Playwright on the site serving the crawled demo press (real
pictures served by the press). The site trusts 127.0.0.1 as its reverse proxy, and each
reader's browser sends its own X-Forwarded-For, as readers behind nginx would: three
browser profiles (three cookies) on three networks are three distinct readers. The
operator logs into /admin through its login form and unblocks the image with a reason.
Screenshots of every step are kept in test-artifacts/browser/moderation/.

    .venv/bin/pytest -q tests/test_browser_moderation.py
"""

from __future__ import annotations

import pytest

from browsersupport import ARTIFACTS, Shots, chromium, crawled_demo_site, require_browser

require_browser()

from playwright.sync_api import expect  # noqa: E402

from akhbar.web.admin.accounts import hash_password  # noqa: E402

pytestmark = pytest.mark.slow

WAIT_MS = 10_000
expect.set_options(timeout=WAIT_MS)
OPERATOR, PASSWORD = "amina", "Tamazight-et-darija-2026"
# Three readers on three networks: each counts once (the threshold is 3).
READERS = ("10.1.20.7", "10.2.30.7", "2001:db8:77::5")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    # Stories off: this journey never reads them, and building them doubles the setup.
    with crawled_demo_site(tmp_path_factory.mktemp("moderation"), stories_enabled=False,
                           trusted_proxies="127.0.0.1", report_threshold=3) as site:
        site.store.add_operator(OPERATOR, hash_password(PASSWORD))
        yield site


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def _article_with_image(demo) -> tuple[int, str]:
    """An original article whose picture no other stored article uses."""
    articles = demo.store.latest_articles(500)
    uses: dict[str, int] = {}
    for a in articles:
        if a.image:
            uses[a.image] = uses.get(a.image, 0) + 1
    for a in articles:
        if a.image and a.copy_of is None and uses[a.image] == 1:
            return a.id, a.image
    raise AssertionError("no article with a picture of its own in the demo press")


def _reader(browser, address: str):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900},
                                  timezone_id="Africa/Casablanca",
                                  extra_http_headers={"X-Forwarded-For": address})
    context.set_default_timeout(WAIT_MS)
    return context


def test_three_readers_block_an_image_and_the_operator_unblocks_it(browser, demo):
    shots = Shots(ARTIFACTS / "moderation")
    number, image = _article_with_image(demo)
    path = f"{demo.base}/article/{number}"
    lead = f'figure.lead img[src="{image}"]'

    for n, address in enumerate(READERS, start=1):
        context = _reader(browser, address)
        page = context.new_page()
        assert page.goto(path).ok
        expect(page.locator(lead)).to_be_visible()
        # The picture really loads from its outlet (the demo press), not a broken icon.
        assert page.locator(lead).evaluate("img => img.complete && img.naturalWidth > 0")
        page.locator("details.report:not(.report-article) summary").click()
        page.select_option("#report-reason", "shocking")
        if n == 1:
            shots(page, "reader-1-report-form")
        page.locator("details.report:not(.report-article) button[type=submit]").click()
        expect(page.locator("p.thanks")).to_contain_text("Merci d'avoir signalé")
        expect(page.locator("p.thanks")).to_contain_text("automatiquement bloquée")
        shots(page, f"reader-{n}-thanked")
        if n < len(READERS):  # under the threshold the picture stays
            assert page.goto(path).ok
            expect(page.locator(lead)).to_be_visible()
        context.close()

    # A fourth reader, who reported nothing, no longer sees it: not in the page, not in the
    # previews' meta tags, not in the article's JSON.
    context = _reader(browser, "10.9.9.9")
    page = context.new_page()
    assert page.goto(path).ok
    expect(page.locator("article h1")).to_be_visible()
    expect(page.locator(lead)).to_have_count(0)
    expect(page.locator('meta[property="og:image"]')).to_have_count(0)
    shots(page, "blocked-gone-from-article")
    api = page.request.get(f"{demo.base}/api/articles/{number}").json()
    assert image not in str(api)

    # The operator logs in, finds the item and unblocks it with a reason.
    admin = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    admin.set_default_timeout(WAIT_MS)
    console = admin.new_page()
    assert console.goto(f"{demo.base}/admin/queue").ok  # sent to the login form first
    expect(console.locator('input[name="name"]')).to_be_visible()
    console.fill('input[name="name"]', OPERATOR)
    console.fill('input[name="password"]', PASSWORD)
    console.locator('button[data-action="login"]').click()
    expect(console.locator('input[name="password"]')).to_have_count(0)
    blocked = [i for i in demo.store.moderation_items(("blocked",)) if i.target == image]
    assert len(blocked) == 1 and blocked[0].counted == 3 and blocked[0].decided_by == "auto"
    assert console.goto(f"{demo.base}/admin/item/{blocked[0].id}").ok
    shots(console, "operator-item-blocked")
    unblock = console.locator('form:has(button[data-action="unblock"])')
    unblock.locator('[name="reason"]').fill("Photo d'illustration sans rapport avec les signalements")
    unblock.locator('button[data-action="unblock"]').click()
    expect(console.locator("body")).to_contain_text("Photo d'illustration")
    shots(console, "operator-unblocked")
    item = demo.store.moderation_item(blocked[0].id)
    assert item.state == "cleared" and item.decided_by == OPERATOR
    log = demo.store.audit_log(item_id=item.id)
    assert any(e.action == "unblock" and e.actor == f"operator:{OPERATOR}"
               and "Photo d'illustration" in str(e.detail) for e in log)
    admin.close()

    # The reader's next visit shows it again.
    assert page.goto(path).ok
    expect(page.locator(lead)).to_be_visible()
    assert page.locator(lead).evaluate("img => img.complete && img.naturalWidth > 0")
    shots(page, "unblocked-back")
    context.close()
