"""The site's pages over real HTTP (uvicorn on loopback), on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import lxml.html
import pytest

import websupport
from websupport import AR_PARAS, BULK, FR_FULL_PARAS, article

site = websupport.site  # the running site fixture, once per module and backend
CSS = Path(__file__).resolve().parents[1] / "src/akhbar/web/static/site.css"


def doc(response):
    return lxml.html.document_fromstring(response.text)


def text_of(response, css: str) -> str:
    return " ".join(" ".join(el.text_content().split()) for el in doc(response).cssselect(css))


# -- every route answers ---------------------------------------------------------------------

PAGES = [
    "/", "/?lang=ar", "/?section=meteo", "/?lang=fr&section=culture&page=2", "/outlets",
    "/outlet/le-phare", "/outlet/le-phare?page=2", "/outlet/sada-atlas", "/archive/",
    "/archive/2024/05/14", "/archive/2005/03/07", "/archive/2030/01/01", "/section/meteo",
    "/section/culture?lang=fr", "/search", "/search?q=chaleur", "/search?q=chaleur&sort=date",
    "/api/docs",
]


@pytest.mark.parametrize("path", PAGES)
def test_pages_answer_with_security_headers(site, path):
    with site.client() as c:
        r = c.get(path)
    assert r.status_code == 200, r.text[:500]
    assert r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "object-src 'none'",
                      "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"):
        assert directive in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"]
    # No inline script anywhere, so the CSP can forbid it.
    assert not doc(r).xpath("//script[not(@src)]")


def test_article_pages_answer(site):
    with site.client() as c:
        for name, number in site.ids.items():
            r = c.get(f"/article/{number}")
            assert r.status_code == 200, name


@pytest.mark.parametrize("path,status", [
    ("/article/999999", 404), ("/article/abc", 404), ("/article/-1", 404), ("/article/١٢", 404),
    ("/outlet/no-such-outlet", 404), ("/section/faits-divers", 404),
    ("/archive/2024/02/30", 404), ("/archive/2024/13/01", 404), ("/archive/24/05/14", 404),
    ("/archive/2024/5/14", 404), ("/archive/abcd/05/14", 404),
    ("/?page=0", 400), ("/?page=abc", 400), ("/?page=-2", 400), ("/?page=1e3", 400),
    ("/?lang=français", 400), ("/?section=faits-divers", 400),
    ("/outlet/le-phare?page=99", 404), ("/archive/2024/05/14?page=9", 404),
    ("/?page=99", 404), ("/section/culture?page=9", 404),
    ("/archive/?day=2024-02-30", 404), ("/archive/?day=yesterday", 400),
    ("/lang/de", 404), ("/no/such/page", 404),
    ("/search?q=-football", 400), ("/search?q=lang:xx-yy", 400),
    ("/search?q=chaleur&sort=popular", 400), ("/search?q=chaleur&page=0", 400),
])
def test_bad_requests_are_refused(site, path, status):
    with site.client() as c:
        r = c.get(path)
    assert r.status_code == status, (path, r.status_code)
    assert r.headers["content-type"].startswith("text/html")
    assert doc(r).cssselect("main h1")  # a page of the site, not a stack trace


@pytest.mark.parametrize("ui, says", [
    ("en", "cannot only exclude"), ("fr", "ne peut pas seulement exclure"),
    ("ar", "لا يمكن أن يقتصر البحث على استبعاد"),
])
def test_search_query_error_is_shown_to_the_reader(site, ui, says):
    with site.client(cookies={"ui_lang": ui}) as c:
        r = c.get("/search", params={"q": "-football"})
    assert r.status_code == 400
    assert says in text_of(r, "p.error[role=alert]")
    assert doc(r).cssselect("input#q")[0].get("value") == "-football"


@pytest.mark.parametrize("ui, says", [
    ("en", "lang: expects a language code such as fr, ar or en, not 'xx-yy'"),
    ("fr", "lang: attend un code de langue comme fr, ar ou en, et non « xx-yy »"),
    ("ar", "lang: ينتظر رمز لغة مثل fr أو ar أو en، وليس «xx-yy»"),
])
def test_search_query_error_keeps_the_readers_value_in_their_language(site, ui, says):
    with site.client(cookies={"ui_lang": ui}) as c:
        r = c.get("/search", params={"q": "lang:xx-yy <b>"})
    assert r.status_code == 400
    assert text_of(r, "p.error[role=alert]") == says
    # The API keeps the English sentence and names the reason.
    with site.client(cookies={"ui_lang": ui}) as c:
        error = c.get("/api/search", params={"q": "lang:xx-yy"}).json()["error"]
    assert error["code"] == "bad_lang" and "expects a language code" in error["message"]


# -- display modes ---------------------------------------------------------------------------

def test_full_mode_shows_the_whole_sanitised_text(site):
    with site.client() as c:
        r = c.get(f"/article/{site.ids['fr_full']}")
    body = text_of(r, "div.text")
    for para in FR_FULL_PARAS:
        assert " ".join(para.split()) in body
    assert "Ce média autorise akhbar à afficher ses articles en entier." in r.text
    assert not doc(r).cssselect("p.read-more")  # nothing more to read there


def test_excerpt_mode_shows_the_first_words_then_links_to_the_outlet(site):
    with site.client() as c:
        r = c.get(f"/article/{site.ids['ar_excerpt']}")
    body = text_of(r, "div.text")
    words = body.split()
    assert words[-1] == "…" and len(words) == 12 + 1  # excerpt_words = 12
    assert words[:12] == AR_PARAS[0].split()[:12]
    # Nothing past the excerpt, anywhere in the page (meta tags included).
    assert " ".join(AR_PARAS[0].split()[12:15]) not in r.text
    assert "ياسمين" not in r.text and "عيد الأضحى" not in r.text
    more = doc(r).cssselect("p.read-more a")[0]
    assert more.get("href") == "https://sada-atlas.example/news/1201"
    assert "Lire la suite sur" in more.text_content() and "صدى الأطلس" in more.text_content()


def test_lede_mode_shows_title_and_lede_only(site):
    with site.client() as c:
        r = c.get(f"/article/{site.ids['en_lede']}")
    # The outlet's teaser, marked as the beginning of a longer text.
    assert text_of(r, "div.text") == "Catches are up by a third on last year. …"
    for hidden in ("marigold", "cold storage", "best sardine season in a decade, with"):
        assert hidden not in r.text
    assert doc(r).cssselect("p.read-more a")


@pytest.mark.parametrize("path", [
    "/feeds/latest.rss", "/feeds/latest.atom", "/feeds/latest.json",
    "/feeds/outlet/sada-atlas.json", "/feeds/outlet/oasis-post.rss",
    "/feeds/section/economie.atom", "/feeds/section/societe.rss",
    "/api/articles?per_page=100", "/api/outlets",
])
def test_no_output_leaks_past_the_display_mode(site, path):
    with site.client() as c:
        r = c.get(path)
    assert r.status_code == 200
    for hidden in ("ياسمين", "عيد الأضحى", "marigold", "cold storage"):
        assert hidden not in r.text, (path, hidden)


def test_search_snippets_stay_within_the_display_mode(site):
    """The engine cuts snippets from the full text; a limited outlet's hit shows its
    allowed text instead."""
    with site.client() as c:
        for q, hidden, number in (("ياسمين", "ياسمين", site.ids["ar_excerpt"]),
                                  ("marigold", "marigold", site.ids["en_lede"])):
            r = c.get("/search", params={"q": q})
            assert r.status_code == 200
            hits = doc(r).cssselect("ol.hits li")
            assert [h.cssselect("a")[0].get("href") for h in hits] == [f"/article/{number}"]
            assert hidden not in hits[0].cssselect("p.snippet")[0].text_content()
            api = c.get("/api/search", params={"q": q}).json()
            assert [h["article"]["id"] for h in api["hits"]] == [number]
            assert hidden not in api["hits"][0]["snippet"] + api["hits"][0]["article"]["text"]


def test_full_mode_search_snippet_highlights_the_match(site):
    with site.client() as c:
        r = c.get("/search", params={"q": "coquelicot"})
    marks = doc(r).cssselect("p.snippet mark")
    assert marks and marks[0].text_content().lower() == "coquelicot"


def test_search_says_which_other_spellings_of_a_name_it_looked_for(site):
    with site.client() as c:
        named = doc(c.get("/search", params={"q": "Rabat"}))
        plain = doc(c.get("/search", params={"q": "coquelicot"}))
    also = named.cssselect("p.also-searched")
    assert also and also[0].text_content().startswith("Aussi cherché :")
    assert "الرباط" in [b.text_content() for b in also[0].cssselect("bdi")]
    assert not plain.cssselect("p.also-searched")


# -- languages, dates, direction -------------------------------------------------------------

@pytest.mark.parametrize("ui,headers,expected", [
    ("fr", {}, "Publié dans Le Phare de Salé le 14 mai 2024 14:30 · par Nadia El Fassi"),
    ("ar", {"cookie": "ui_lang=ar"}, "نُشر في Le Phare de Salé بتاريخ 14 ماي 2024 14:30 · بقلم Nadia El Fassi"),
    ("en", {"cookie": "ui_lang=en"}, "Published in Le Phare de Salé on 14 May 2024 14:30 · by Nadia El Fassi"),
    ("ar", {"accept-language": "ar-MA,ar;q=0.9,fr;q=0.5"}, "نُشر في"),
    ("en", {"accept-language": "de-DE, en;q=0.7, fr;q=0.3"}, "Published in"),
    ("fr", {"accept-language": "de, es"}, "Publié dans"),
    ("en", {"cookie": "ui_lang=en", "accept-language": "ar"}, "Published in"),
])
def test_dateline_in_the_ui_language_and_casablanca_time(site, ui, headers, expected):
    with site.client(headers=headers) as c:
        r = c.get(f"/article/{site.ids['fr_full']}")
    root = doc(r)
    assert root.get("lang") == ui
    assert root.get("dir") == ("rtl" if ui == "ar" else "ltr")
    assert text_of(r, "p.dateline").startswith(expected)
    # T0 is 13:30 UTC; Casablanca is UTC+1 in May 2024.
    assert root.cssselect("p.dateline time")[0].get("datetime") == "2024-05-14T13:30:00+00:00"


def test_arabic_article_in_the_french_ui_has_its_own_direction(site):
    with site.client() as c:
        r = c.get(f"/article/{site.ids['ar_excerpt']}")
        home = c.get("/outlet/sada-atlas")
    root = doc(r)
    assert root.get("lang") == "fr" and root.get("dir") == "ltr"
    for css in ("header.article-head", "div.text"):
        el = root.cssselect(css)[0]
        assert (el.get("lang"), el.get("dir")) == ("ar", "rtl")
    # The dateline is in the UI language; the outlet's Arabic name is isolated.
    assert root.cssselect("p.dateline bdi")[0].text_content() == "صدى الأطلس"
    # Lists: each title's own block gets its language and direction (so an Arabic title
    # aligns right in the French UI), outlet names are isolated. (The home page lists
    # stories, test_web_stories; an outlet's archive lists articles.)
    link = doc(home).xpath(f"//ol[@class='items']//a[@href='/article/{site.ids['ar_excerpt']}']")[0]
    block = link.getparent()
    assert (block.tag, block.get("lang"), block.get("dir")) == ("h3", "ar", "rtl")
    assert "١٢" in link.text_content() and "2024-2026 (Plan Vert)" in link.text_content()
    # Outlet, language and time are each isolated, so Arabic words and digits beside them
    # in a French line cannot swap places.
    meta = link.getparent().getparent().cssselect("p.meta")[0]
    assert [b.text_content() for b in meta.cssselect("bdi")][:2] == ["صدى الأطلس", "العربية"]
    assert meta.cssselect("bdi > time")


def test_language_switch_sets_a_cookie_and_comes_back(site):
    with site.client() as c:
        r = c.get("/outlets")
        switch = doc(r).cssselect("nav.ui-lang a[hreflang=ar]")[0].get("href")
        assert switch == "/lang/ar?next=%2Foutlets"
        r = c.get(switch)
        assert r.status_code == 303 and r.headers["location"] == "/outlets"
        cookie = r.headers["set-cookie"].lower()
        assert "ui_lang=ar" in cookie and "samesite=lax" in cookie and "max-age=" in cookie
        # The client keeps the cookie: the next page is Arabic, right to left.
        r = c.get("/outlets")
        assert doc(r).get("dir") == "rtl" and "المنابر" in text_of(r, "h1")


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example",
                                    "javascript:alert(1)", "outlets", "/%0d%0aSet-Cookie:x=1"])
def test_language_switch_never_leaves_the_site(site, target):
    with site.client() as c:
        r = c.get("/lang/en", params={"next": target})
    assert r.status_code == 303
    location = r.headers["location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\"))
    assert "\n" not in location and "\r" not in location


def test_every_message_of_the_french_and_arabic_ui_is_translated(site):
    """No English left on the French and Arabic pages (catalogue misses show as English)."""
    english = ("Published in", "Search the press", "Latest articles", "Skip to content",
               "Report this image", "Outlets", "Archive")
    with site.client() as c:
        for ui in ("fr", "ar"):
            for path in ("/", f"/article/{site.ids['fr_full']}", "/archive/", "/search?q=port"):
                r = c.get(path, headers={"cookie": f"ui_lang={ui}"})
                visible = doc(r).cssselect("body")[0].text_content()
                for phrase in english:
                    assert not re.search(rf"\b{phrase}\b", visible), (ui, path, phrase)


# -- lists, pagination, archive --------------------------------------------------------------

def test_home_ticker_filters_and_copies(site):
    """The home page lists stories (a copy is in its original's story, never listed on
    its own); the ticker keeps the latest headlines. More in test_web_stories."""
    with site.client() as c:
        home = c.get("/")
        ticker = [a.get("href") for a in doc(home).cssselect("section.ticker a")]
        assert ticker[0] == f"/article/{site.ids['fr_full']}"  # the newest first
        assert f"/article/{site.ids['copy_fr']}" not in ticker
        listed = [a.get("href") for a in doc(home).cssselect("ol.stories .item-title a")]
        assert listed and all(h.startswith("/story/") for h in listed)
        assert len(listed) == len(set(listed))
        ar = c.get("/?lang=ar")
        for card in doc(ar).cssselect("ol.stories li"):
            assert "ar" in {b.get("lang") for b in card.cssselect(".langs bdi")}
        meteo = c.get("/?section=meteo")
        story = site.store.story_of_article(site.ids["wire_fr"])
        assert story == site.store.story_of_article(site.ids["copy_fr"])
        assert [a.get("href") for a in doc(meteo).cssselect("ol.stories .item-title a")] == [
            f"/story/{story}"]
        meta = text_of(meteo, "ol.stories p")
        # The copy's outlet counts: two outlets, both named, the latest report's time.
        assert "Médias : 2" in meta and "Français" in meta and "11 mai 2024" in meta
        assert "Wire Maghreb" in meta and "Le Phare de Salé" in meta


def test_home_pages_older_and_newer_without_counting(site):
    from akhbar.web.stories import PER_PAGE

    with site.client() as c:
        first = doc(c.get("/?section=culture"))
        # The home and section lists are not counted: previous/next only, no page numbers.
        assert not first.cssselect("nav.pager a[aria-current]")
        older = first.cssselect("nav.pager a[rel=next]")[0].get("href")
        assert older == "/?page=2&section=culture"
        # Each chronicle is its own story (five days apart): 45 stories, 20 a page.
        last = doc(c.get(f"/?page={BULK // PER_PAGE + 1}&section=culture"))
        titles = [a.text_content() for a in last.cssselect("ol.stories .item-title a")]
        assert len(titles) == BULK % PER_PAGE and titles[-1].startswith(f"Chronique n° {BULK - 1} ")
        assert not last.cssselect("nav.pager a[rel=next]")
        assert last.cssselect("nav.pager a[rel=prev]")[0].get("href") == "/?page=2&section=culture"
        second = doc(c.get(older))
        assert second.cssselect("nav.pager a[rel=prev]")[0].get("href") == "/?section=culture"


def test_outlet_archive_pages_back_to_its_first_article(site):
    with site.client() as c:
        first = c.get("/outlet/le-phare")
        pager = doc(first).cssselect("nav.pager")[0]
        last_href = pager.cssselect("a")[-2].get("href")  # the last page number
        assert last_href == "/outlet/le-phare?page=2"
        assert pager.cssselect("a[rel=next]")[0].get("href") == "/outlet/le-phare?page=2"
        last = c.get(last_href)
        titles = [a.text_content() for a in doc(last).cssselect("ol.items h3 a")]
        # le-phare: fr_full, copy_fr and BULK archive pieces = 47; 30 on page 1.
        assert len(titles) == BULK + 2 - 30
        assert titles[-1].startswith(f"Chronique n° {BULK - 1} ")  # its oldest article
        assert doc(last).cssselect("a[rel=prev]")[0].get("href") == "/outlet/le-phare"


def test_day_archive_in_casablanca_time_with_neighbouring_days(site):
    with site.client() as c:
        day = c.get("/archive/2024/05/14")
        hrefs = [a.get("href") for a in doc(day).cssselect("ol.items h3 a")]
        # 23:30 UTC on the 13th is 00:30 on the 14th in Casablanca.
        assert f"/article/{site.ids['late_en']}" in hrefs
        assert f"/article/{site.ids['fr_full']}" in hrefs
        assert f"/article/{site.ids['ar_excerpt']}" in hrefs
        assert doc(day).cssselect("a[rel=prev]")[0].get("href") == "/archive/2024/05/13"
        assert not doc(day).cssselect("a[rel=next]")  # nothing newer
        assert "mardi 14 mai 2024" in text_of(day, "h1")
        # An empty day links to the nearest days that have articles.
        empty = c.get("/archive/2024/05/12")
        assert doc(empty).cssselect("p.empty")
        assert doc(empty).cssselect("a[rel=prev]")[0].get("href") == "/archive/2024/05/11"
        assert doc(empty).cssselect("a[rel=next]")[0].get("href") == "/archive/2024/05/13"


def test_archive_index_reaches_the_oldest_article(site):
    with site.client() as c:
        index = c.get("/archive/")
        ends = [a.get("href") for a in doc(index).cssselect("ul.archive-ends a")]
        assert ends == ["/archive/2024/05/14", "/archive/2005/03/07"]
        oldest = c.get(ends[1])
        assert [a.get("href") for a in doc(oldest).cssselect("ol.items h3 a")] == [
            f"/article/{site.ids['old_ar']}"]
        assert not doc(oldest).cssselect("a[rel=prev]")
        jump = c.get("/archive/", params={"day": "2024-05-11"})
        assert jump.status_code == 303 and jump.headers["location"] == "/archive/2024/05/11"
        month_links = {a.get("href") for a in doc(index).cssselect("ul.months a")}
        assert "/archive/2005/03/01" in month_links and "/archive/2024/05/01" in month_links


def test_article_page_links_to_source_image_and_other_outlets(site):
    with site.client() as c:
        r = c.get(f"/article/{site.ids['fr_full']}")
        root = doc(r)
        links = root.cssselect("a.source-link")
        assert len(links) == 1
        link = links[0]
        assert link.get("href") == "https://le-phare.example/2024/05/14/corniche"
        assert set(link.get("rel").split()) >= {"noopener", "noreferrer"}
        assert link.get("target") == "_blank"
        img = root.cssselect("figure.lead img")[0]
        assert img.get("referrerpolicy") == "no-referrer" and img.get("loading") == "lazy"
        assert img.get("alt") == "Salé : 245 millions de dirhams pour la corniche"
        # A copy shows its original, marked as such; the original lists the copy.
        copy = doc(c.get(f"/article/{site.ids['copy_fr']}"))
        coverage = copy.cssselect("section.coverage li")
        assert coverage[0].cssselect("a")[0].get("href") == f"/article/{site.ids['wire_fr']}"
        assert "original" in coverage[0].text_content()
        original = doc(c.get(f"/article/{site.ids['wire_fr']}"))
        assert [a.get("href") for a in original.cssselect("section.coverage h3 a")] == [
            f"/article/{site.ids['copy_fr']}"]


# -- reports -------------------------------------------------------------------------------

def _reports(store, article_id):
    with store._read():
        return store._exec("SELECT kind, image_url, reason, reporter_key FROM reports"
                           " WHERE article_id = ? ORDER BY id", (article_id,)).fetchall()


def test_reporting_an_image_is_recorded_and_thanked(site):
    number = site.ids["ar_excerpt"]
    with site.client() as c:
        page = doc(c.get(f"/article/{number}"))
        form = page.cssselect("details.report form")[0]
        assert form.get("method") == "post" and form.get("action") == "/report"
        fields = {i.get("name"): i.get("value") for i in form.cssselect("input")}
        reasons = [o.get("value") for o in form.cssselect("select#report-reason option")]
        assert page.cssselect("label[for=report-reason]")
        r = c.post("/report", data={**fields, "reason": reasons[0]})
        assert r.status_code == 200
        assert ("Merci d'avoir signalé ! Cette image sera automatiquement bloquée après "
                "qu'elle soit signalée par plusieurs personnes.") in text_of(r, "p.thanks")
        cookie = r.headers["set-cookie"].lower()
        assert "reporter=" in cookie and "samesite=strict" in cookie and "httponly" in cookie
        # The same browser again, in Arabic: one reporter id for both reports.
        r = c.post("/report", data={**fields, "reason": "other"}, headers={"cookie": (
            f"ui_lang=ar; reporter={c.cookies['reporter']}")})
        assert "سيتم حجب هذه الصورة تلقائيًا" in text_of(r, "p.thanks")
    rows = _reports(site.store, number)
    assert [(k, u, why) for k, u, why, _ in rows][-2:] == [
        ("image", "https://sada-atlas.example/media/parc.jpg", reasons[0]),
        ("image", "https://sada-atlas.example/media/parc.jpg", "other")]
    # One reader for both (a keyed hash of the cookie; the token itself is not stored).
    assert rows[-1][3] == rows[-2][3] and len(rows[-1][3]) == 32
    assert c.cookies["reporter"] not in {row[3] for row in rows}


@pytest.mark.parametrize("change,status", [
    ({"image_url": "https://evil.example/other.jpg"}, 400),
    ({"reason": "i-dont-like-it"}, 400),
    ({"kind": "story"}, 400),
    ({"article_id": "999999"}, 404),
    ({"article_id": "abc"}, 404),
])
def test_invalid_reports_are_refused(site, change, status):
    number = site.ids["fr_full"]
    data = {"kind": "image", "article_id": str(number),
            "image_url": "https://le-phare.example/img/corniche.jpg", "reason": "shocking"}
    before = len(_reports(site.store, number))
    with site.client() as c:
        r = c.post("/report", data={**data, **change})
    assert r.status_code == status
    assert len(_reports(site.store, number)) == before


@pytest.mark.parametrize("headers", [{"origin": "https://evil.example"},
                                     {"sec-fetch-site": "cross-site"}, {"origin": "null"}])
def test_reports_from_another_site_are_refused(site, headers):
    number = site.ids["fr_full"]
    before = len(_reports(site.store, number))
    with site.client() as c:
        r = c.post("/report", headers=headers, data={
            "kind": "image", "article_id": str(number), "reason": "shocking",
            "image_url": "https://le-phare.example/img/corniche.jpg"})
    assert r.status_code == 403
    assert len(_reports(site.store, number)) == before


# -- caching -------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/outlet/le-phare?page=2", "/feeds/latest.rss",
                                  "/api/articles", "/archive/2024/05/14"])
def test_conditional_requests_get_304(site, path):
    with site.client() as c:
        r = c.get(path)
        etag, modified = r.headers["etag"], r.headers["last-modified"]
        again = c.get(path, headers={"if-none-match": etag})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == etag
        assert "content-security-policy" in again.headers
        assert c.get(path, headers={"if-modified-since": modified}).status_code == 304
        assert c.get(path, headers={"if-none-match": 'W/"other"'}).status_code == 200
        if not path.startswith("/api/"):
            assert "Cookie" in r.headers["vary"] and "Accept-Language" in r.headers["vary"]
            # Another UI language is another representation.
            other = c.get(path, headers={"if-none-match": etag, "cookie": "ui_lang=ar"})
            assert other.status_code == 200 and other.headers["etag"] != etag


def test_a_new_article_changes_the_validators(site, tmp_path):
    cache = site.app.state.page_cache
    with site.client() as c:
        r = c.get("/")
        etag = r.headers["etag"]
        hits = cache.hits
        again = c.get("/")  # from the rendered-page cache, the same bytes and validators
        assert cache.hits == hits + 1
        assert again.content == r.content and again.headers["etag"] == etag
        site.store.add_article(article(
            url=f"https://le-phare.example/new/{tmp_path.name}", source_id="le-phare",
            title="Nouvelle ligne de tramway à Salé", text="Le tramway arrive.",
            published=datetime.now(UTC), first_seen=datetime.now(UTC)))
        # The very next request: no cached page outlives the article that makes it old.
        assert "Nouvelle ligne de tramway" in c.get("/").text
        fresh = c.get("/", headers={"if-none-match": etag})
        assert fresh.status_code == 200 and fresh.headers["etag"] != etag
        assert "Nouvelle ligne de tramway" in fresh.text
        seen = datetime.now(UTC) - timedelta(seconds=5)
        assert datetime.strptime(fresh.headers["last-modified"], "%a, %d %b %Y %H:%M:%S GMT"
                                 ).replace(tzinfo=UTC) >= seen.replace(microsecond=0)


def test_cached_pages_are_per_host_and_ui_language(site):
    cache = site.app.state.page_cache
    with site.client() as c:
        fr = c.get("/feeds/latest.rss")
        hits = cache.hits
        other = c.get("/feeds/latest.rss", headers={"host": "other.example"})
        # Feeds link with the host asked for: another host is another cached answer.
        assert cache.hits == hits and "other.example" in other.text
        assert "other.example" not in c.get("/feeds/latest.rss").text
        assert cache.hits == hits + 1
        ar = c.get("/", headers={"cookie": "ui_lang=ar"})
        assert 'lang="ar"' in ar.text.split(">", 2)[1]
        assert 'lang="fr"' in c.get("/").text.split(">", 2)[1]
        assert fr.status_code == 200


def test_head_answers_like_get_without_a_body(site):
    with site.client() as c:
        get, head = c.get("/outlets"), c.head("/outlets")
        assert head.status_code == 200 and head.content == b""
        assert head.headers["etag"] == get.headers["etag"]
        assert head.headers["content-length"] == str(len(get.content))
        assert c.head("/feeds/latest.rss").status_code == 200
        assert c.head("/article/999999").status_code == 404


def test_forms_and_errors_are_not_cached(site):
    with site.client() as c:
        assert "etag" not in c.get("/article/999999").headers
        r = c.post("/report", data={"kind": "image", "article_id": str(site.ids["fr_full"]),
                                    "image_url": "https://le-phare.example/img/corniche.jpg",
                                    "reason": "other"})
        assert r.headers["cache-control"] == "no-store" and "etag" not in r.headers


# -- accessibility and weight ----------------------------------------------------------------

A11Y_PAGES = ["/", "/outlets", "/outlet/le-phare", "/archive/", "/archive/2024/05/14",
              "/section/culture", "/search?q=port", "/search?q=-x", "/article/{fr_full}",
              "/article/{ar_excerpt}", "/no/such/page"]


@pytest.mark.parametrize("path", A11Y_PAGES)
def test_pages_have_landmarks_labels_and_alt_text(site, path):
    with site.client() as c:
        r = c.get(path.format(**site.ids))
    root = doc(r)
    assert root.get("lang") in ("fr", "ar", "en")
    for landmark in ("header", "nav", "main", "footer"):
        assert root.cssselect(landmark), landmark
    assert len(root.cssselect("h1")) == 1
    skip = root.cssselect("body a")[0]
    assert skip.get("href") == "#main" and root.cssselect("main#main")
    labelled = {label.get("for") for label in root.cssselect("label")}
    for field in root.xpath("//input[not(@type='hidden')] | //select | //textarea"):
        assert field.get("id") in labelled, lxml.html.tostring(field)
    for img in root.cssselect("img"):
        assert img.get("alt")
    for nav in root.cssselect("nav"):
        assert nav.get("aria-label")


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_colour_pairs_of_the_stylesheet_reach_wcag_aa():
    css = CSS.read_text()
    var = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", css))
    pairs = [("ink", "paper"), ("ink", "soft"), ("muted", "paper"), ("muted", "soft"),
             ("link", "paper"), ("link", "soft"), ("accent", "paper"), ("accent", "soft"),
             ("alert", "paper"), ("paper", "ink")]
    for fg, bg in pairs:
        assert _contrast(var[fg], var[bg]) >= 4.5, (fg, bg, _contrast(var[fg], var[bg]))
    assert _contrast("#ffffff", var["link"]) >= 4.5  # the source button
    assert _contrast(var["link"], "#fff0a8") >= 4.5  # a link inside a highlighted match
    assert ":focus-visible" in css and "outline" in css


WEIGHT_PAGES = ["/", "/?page=2", "/outlet/le-phare", "/archive/", "/archive/2024/05/14",
                "/section/culture", "/search?q=port", "/article/{fr_full}", "/article/{bulk0}",
                "/outlets", "/api/docs"]


@pytest.mark.parametrize("path", WEIGHT_PAGES)
def test_pages_weigh_under_100_kb_with_their_css(site, path):
    with site.client() as c:
        r = c.get(path.format(**site.ids))
        sheets = [link.get("href") for link in doc(r).xpath("//link[@rel='stylesheet']")]
        css = sum(len(c.get(href).content) for href in sheets)
    assert sheets
    assert len(r.content) + css < 100_000, (path, len(r.content), css)
