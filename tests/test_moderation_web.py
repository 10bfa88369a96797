"""Readers' reports over real HTTP (uvicorn on loopback, behind a trusted proxy address):
three readers block an image and it is gone from every page, feed and API answer at once,
cached ones included, on every process of the site; an operator's unblock brings it back.
On SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import timedelta

import httpx
import lxml.html
import pytest

from akhbar.store.base import open_store
from websupport import T0, article, backend_url, build_stories, fill, serve, site_app

FR_THANKS = ("Merci d'avoir signalé ! Cette image sera automatiquement bloquée après "
             "qu'elle soit signalée par plusieurs personnes.")
CORNICHE = "https://le-phare.example/img/corniche.jpg"
# Articles of these tests only, each with its own image, so that the tests' reports do not
# add up on one item.
EXTRA = (
    ("souk", "le-phare", "fr", "Le souk de Salé change d'horaires pendant l'été",
     "https://le-phare.example/img/souk.jpg"),
    ("medina", "sada-atlas", "ar", "مراكش: إعادة فتح ساحة المدينة العتيقة بعد الترميم",
     "https://sada-atlas.example/media/saha.jpg"),
    ("surf", "oasis-post", "en", "Taghazout hosts its first junior surf contest",
     "https://oasis-post.example/img/surf.jpg"),
    ("gone", "le-phare", "fr", "Un article que l'exploitant retirera",
     "https://le-phare.example/img/retire.jpg"),
)


def filler(store) -> dict[str, int]:
    ids = fill(store)
    for n, (name, source, lang, title, image) in enumerate(EXTRA):
        ids[name] = store.add_article(article(
            url=f"https://{source}.example/moderation/{name}", source_id=source, lang=lang,
            title=title, text=title + ". " + title, image=image,
            published=T0 - timedelta(days=2, hours=n), first_seen=T0 - timedelta(days=2, hours=n)))[0]
    build_stories(store)
    return ids


@dataclass
class Sites:
    base: str  # trusted_proxies=127.0.0.1: X-Forwarded-For says who the reader is
    direct: str  # a second site process on its own connection, trusting no proxy
    ids: dict[str, int]
    store: object


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def sites(request, tmp_path_factory):
    with backend_url(request.param, tmp_path_factory.mktemp("moderation")) as url:
        store = open_store(url)
        other = None
        try:
            ids = filler(store)
            other = open_store(url)
            with serve(site_app(store, trusted_proxies="127.0.0.1")) as base, \
                    serve(site_app(other)) as direct:
                yield Sites(base, direct, ids, store)
        finally:
            store.close()
            if other is not None:
                other.close()


def client(base: str, **kw) -> httpx.Client:
    return httpx.Client(base_url=base, timeout=10, **kw)


def doc(response):
    return lxml.html.document_fromstring(response.text)


def text_of(response, css: str) -> str:
    return " ".join(" ".join(el.text_content().split()) for el in doc(response).cssselect(css))


def form_fields(base: str, article_id: int, which: str = "details.report form") -> dict:
    with client(base) as c:
        page = doc(c.get(f"/article/{article_id}"))
    form = page.cssselect(which)[0]
    fields = {i.get("name"): i.get("value") for i in form.cssselect("input")}
    fields["reason"] = form.cssselect("select option")[0].get("value")
    return fields


def post_report(base: str, fields: dict, forwarded_for: str | None, cookie: str | None = None,
                lang: str = "fr", **headers) -> httpx.Response:
    """One reader's report: their own browser (cookie jar), their address via the proxy."""
    cookies = {"ui_lang": lang, **({"reporter": cookie} if cookie else {})}
    if forwarded_for:
        headers["x-forwarded-for"] = forwarded_for
    with client(base, cookies=cookies) as c:
        return c.post("/report", data=fields, headers=headers)


def item_of(store, target: str):
    found = [i for i in store.moderation_items(("open", "queued", "blocked", "cleared"),
                                               limit=1000) if i.target == target]
    return found[0] if found else None


def views(sites: Sites, article_id: int) -> list[str]:
    """Every answer that shows the article's lead image."""
    story = sites.store.story_of_article(article_id)
    return [f"/article/{article_id}", f"/api/articles/{article_id}", "/api/articles",
            "/feeds/latest.rss", "/feeds/latest.atom", "/feeds/latest.json",
            "/feeds/outlet/le-phare.rss", "/feeds/outlet/le-phare.json",
            "/feeds/search.rss?q=corniche", "/api/search?q=corniche", f"/api/stories/{story}"]


def fetch_all(base: str, paths: list[str]) -> dict[str, httpx.Response]:
    with client(base) as c:
        out = {p: c.get(p) for p in paths}
    assert all(r.status_code == 200 for r in out.values()), {
        p: r.status_code for p, r in out.items()}
    return out


def test_three_readers_block_an_image_everywhere_at_once_and_an_unblock_brings_it_back(sites):
    number = sites.ids["fr_full"]
    paths = views(sites, number)
    before = fetch_all(sites.base, paths)
    fetch_all(sites.base, paths)  # twice: the second answers come from the page cache
    for path, r in before.items():
        assert CORNICHE in r.text, path
    page = doc(before[f"/article/{number}"])
    assert page.cssselect("figure.lead img")[0].get("src") == CORNICHE
    assert page.cssselect('meta[property="og:image"]')[0].get("content") == CORNICHE
    with client(sites.direct) as c:
        assert CORNICHE in c.get(f"/article/{number}").text

    fields = form_fields(sites.base, number)
    assert fields["image_url"] == CORNICHE and fields["kind"] == "image"
    # Three readers: three browsers (no cookie yet: each is given one), three networks.
    for address in ("198.51.100.7", "2001:db8:77:1::5", "203.0.113.80"):
        r = post_report(sites.base, fields, f"{address}")
        assert r.status_code == 200 and FR_THANKS in text_of(r, "p.thanks")
        assert "reporter=" in r.headers["set-cookie"]
    item = item_of(sites.store, CORNICHE)
    assert (item.state, item.counted, item.decided_by) == ("blocked", 3, "auto")

    after = fetch_all(sites.base, paths)
    for path, r in after.items():
        assert CORNICHE not in r.text, path
        assert r.headers["etag"] != before[path].headers["etag"], path
    page = doc(after[f"/article/{number}"])
    assert not page.cssselect("figure.lead") and not page.cssselect('meta[property="og:image"]')
    # The article itself stays, and can still be reported as an article.
    assert page.cssselect("details.report-article form")
    assert after[f"/api/articles/{number}"].json()["image"] is None
    # A browser holding the old page revalidates it: a new ETag, not a 304.
    with client(sites.base) as c:
        again = c.get(f"/article/{number}",
                      headers={"if-none-match": before[f"/article/{number}"].headers["etag"]})
        assert again.status_code == 200 and CORNICHE not in again.text
    # The other site process, on its own connection, hides it too.
    with client(sites.direct) as c:
        assert CORNICHE not in c.get(f"/article/{number}").text
    # Only keyed hashes were stored: no address, no cookie token.
    with sites.store._read():
        rows = sites.store._exec("SELECT * FROM reports WHERE item_id = ?", (item.id,)).fetchall()
    dump = " ".join(str(v) for row in rows for v in row)
    assert len(rows) == 3
    for address in ("198.51.100", "2001:db8:77", "203.0.113.80", "127.0.0.1"):
        assert address not in dump

    sites.store.decide(item.id, "unblock", "nadia", "signalements abusifs : photo de la corniche")
    back = fetch_all(sites.base, paths)
    for path, r in back.items():
        assert CORNICHE in r.text, path
    with client(sites.direct) as c:
        assert CORNICHE in c.get(f"/article/{number}").text


def test_one_reader_counts_once_and_an_untrusted_peer_cannot_spoof_its_address(sites):
    number = sites.ids["medina"]
    fields = form_fields(sites.base, number)
    target = fields["image_url"]
    # One browser (one cookie) through the proxy from three networks: one reader.
    first = post_report(sites.base, fields, "198.51.100.40", lang="ar")
    assert "سيتم حجب هذه الصورة تلقائيًا" in text_of(first, "p.thanks")
    token = first.cookies["reporter"]
    for address in ("192.0.2.40", "2001:db8:40::1"):
        assert post_report(sites.base, fields, address, cookie=token).status_code == 200
    assert item_of(sites.store, target).counted == 1
    # The site that trusts no proxy: three new browsers whose X-Forwarded-For claims three
    # networks, all from one loopback peer: one network, counted once.
    for address in ("203.0.113.41", "203.0.114.41", "203.0.115.41"):
        assert post_report(sites.direct, fields, address).status_code == 200
    item = item_of(sites.store, target)
    assert (item.state, item.counted, item.reports) == ("open", 2, 6)


def test_too_many_reports_from_one_reader_get_a_localised_429(sites):
    number = sites.ids["surf"]
    fields = form_fields(sites.base, number, "details.report-article form")
    assert fields["kind"] == "article"
    token = post_report(sites.base, fields, "198.51.100.60").cookies["reporter"]
    for _ in range(9):  # ten in the hour: the default report_reader_limit
        assert post_report(sites.base, fields, "198.51.100.60", cookie=token).status_code == 200
    r = post_report(sites.base, fields, "198.51.100.60", cookie=token)
    assert r.status_code == 429 and r.headers["retry-after"] == "3600"
    assert r.headers["cache-control"] == "no-store"
    assert "Votre signalement a été enregistré, mais trop de signalements" in text_of(r, "p.thanks")
    r = post_report(sites.base, fields, "198.51.100.60", cookie=token, lang="ar")
    assert r.status_code == 429 and "سُجّل بلاغك" in text_of(r, "p.thanks")
    r = post_report(sites.base, fields, "198.51.100.60", cookie=token, lang="en")
    assert "too many reports came recently from you or from your network" in r.text
    # Nothing was lost: all thirteen reports are stored, three of them over the limit.
    item = item_of(sites.store, str(number))
    reports = sites.store.item_reports(item.id)
    assert len(reports) == 13 and [r["outcome"] for r in reports].count("rate_limited") == 3


def test_three_readers_send_an_article_to_the_operators_queue(sites):
    number = sites.ids["souk"]
    fields = form_fields(sites.base, number, "details.report-article form")
    page = doc(httpx.get(f"{sites.base}/article/{number}", cookies={"ui_lang": "ar"}))
    assert page.cssselect("details.report-article summary")[0].text_content() == "الإبلاغ عن المقال"
    reasons = [o.get("value") for o in page.cssselect("select#report-article-reason option")]
    assert reasons == ["misleading", "hateful", "private", "copyright", "other"]
    for address in ("198.51.100.90", "192.0.2.90", "2001:db8:90::1"):
        r = post_report(sites.base, {**fields, "reason": "misleading"}, address)
        assert "Merci d'avoir signalé ! Nous allons examiner cet article." in text_of(r, "p.thanks")
    item = item_of(sites.store, str(number))
    assert (item.kind, item.state, item.counted) == ("article", "queued", 3)
    # Queued is not hidden: only an operator's take-down removes an article.
    with client(sites.base) as c:
        r = c.get(f"/article/{number}")
        assert r.status_code == 200 and "https://le-phare.example/img/souk.jpg" in r.text


def test_bad_reports_are_refused(sites):
    number = sites.ids["souk"]
    fields = form_fields(sites.base, number, "details.report-article form")
    assert post_report(sites.base, {**fields, "reason": "shocking"}, None).status_code == 400
    image = form_fields(sites.base, number)
    assert post_report(sites.base, {**image, "reason": "misleading"}, None).status_code == 400
    assert post_report(sites.base, {**image, "image_url": CORNICHE}, None).status_code == 400


def test_the_reporter_cookie_is_strict_httponly_and_secure_behind_https(sites):
    fields = form_fields(sites.base, sites.ids["souk"])
    plain = post_report(sites.base, fields, "198.51.100.120").headers["set-cookie"].lower()
    assert "samesite=strict" in plain and "httponly" in plain and "path=/report" in plain
    assert "secure" not in plain.replace("samesite", "")
    tls = post_report(sites.base, fields, "198.51.100.121",
                      **{"x-forwarded-proto": "https"}).headers["set-cookie"].lower()
    assert "; secure" in tls
    # From a peer that is not a proxy, the header proves nothing.
    spoofed = post_report(sites.direct, fields, "198.51.100.122",
                          **{"x-forwarded-proto": "https"}).headers["set-cookie"].lower()
    assert "; secure" not in spoofed


def test_a_taken_down_article_answers_410_gone(sites):
    number = sites.ids["gone"]
    with client(sites.base) as c:
        assert c.get(f"/article/{number}").status_code == 200
    takedown = sites.store.take_down(number, "nadia", "décision de justice")
    try:
        with client(sites.base, cookies={"ui_lang": "fr"}) as c:
            r = c.get(f"/article/{number}")
            assert r.status_code == 410
            assert "Cet article a été retiré par l'exploitant du site." in text_of(r, "p.error")
            api = c.get(f"/api/articles/{number}")
            assert api.status_code == 410 and api.json()["error"]["code"] == "taken_down"
            assert c.get("/article/987654321").status_code == 404
        with client(sites.base, cookies={"ui_lang": "ar"}) as c:
            assert "حذف القائمون على الموقع هذا المقال." in c.get(f"/article/{number}").text
    finally:
        with contextlib.suppress(Exception):
            sites.store.restore_article(takedown.id, "nadia", "fin du test")
