"""Feeds (RSS, Atom, JSON Feed, OPML) and the JSON API, read back by real parsers."""

from __future__ import annotations

from datetime import datetime

import feedparser
import lxml.html
import pytest

import websupport
from akhbar.sources.opml import import_opml
from websupport import OUTLETS

site = websupport.site  # the running site fixture, once per module and backend

# -- feeds -----------------------------------------------------------------------------------


@pytest.mark.parametrize("ext,mime", [("rss", "application/rss+xml"),
                                      ("atom", "application/atom+xml")])
def test_latest_feed_parses_back_with_outlet_date_and_source_link(site, ext, mime):
    with site.client() as c:
        r = c.get(f"/feeds/latest.{ext}")
    assert r.status_code == 200 and r.headers["content-type"].startswith(mime)
    feed = feedparser.parse(r.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == "akhbar : derniers articles"
    entries = {e.link: e for e in feed.entries}
    e = entries["https://le-phare.example/2024/05/14/corniche"]
    assert e.title == "Salé : 245 millions de dirhams pour la corniche"
    assert e.id == f"{site.base}/article/{site.ids['fr_full']}"
    assert datetime(*e.published_parsed[:6]) == datetime(2024, 5, 14, 13, 30)
    assert "Le Phare de Salé" in e.author
    assert "coquelicot" in e.summary  # a full-text outlet
    assert e.tags[0].term == "regions"
    # Newest first, and copies left to their original.
    assert feed.entries[0].link == "https://le-phare.example/2024/05/14/corniche"
    assert "https://le-phare.example/2024/05/11/chaleur" not in entries


@pytest.mark.parametrize("ext", ["rss", "atom"])
def test_feeds_carry_the_lead_image(site, ext):
    with site.client() as c:
        r = c.get(f"/feeds/latest.{ext}")
    feed = feedparser.parse(r.content)
    assert not feed.bozo, feed.get("bozo_exception")
    entries = {e.link: e for e in feed.entries}
    e = entries["https://le-phare.example/2024/05/14/corniche"]
    # RSS <enclosure>, Atom <link rel="enclosure">: feedparser reads both as enclosures.
    assert [(x.href, x.type) for x in e.enclosures] == [
        ("https://le-phare.example/img/corniche.jpg", "image/jpeg")]
    if ext == "rss":
        assert e.media_content[0]["url"] == "https://le-phare.example/img/corniche.jpg"
        assert e.media_content[0]["medium"] == "image"
    else:  # the entry's own link stays its alternate, the article at its outlet
        assert [x.href for x in e.links if x.rel == "alternate"] == [e.link]
    # An article without an image has no enclosure.
    assert not entries["https://oasis-post.example/dakhla-sardines"].get("enclosures")


def test_image_type_follows_the_extension():
    from akhbar.web.feeds import image_type

    assert image_type("https://x.example/a/b.PNG?w=300") == "image/png"
    assert image_type("https://x.example/a.webp") == "image/webp"
    assert image_type("https://x.example/photo") == "image/jpeg"


def test_json_feed_is_valid_json_feed_1_1(site):
    with site.client() as c:
        r = c.get("/feeds/outlet/sada-atlas.json")
    assert r.headers["content-type"].startswith("application/feed+json")
    feed = r.json()
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == "akhbar: صدى الأطلس"
    assert feed["home_page_url"] == f"{site.base}/outlet/sada-atlas"
    assert feed["feed_url"] == f"{site.base}/feeds/outlet/sada-atlas.json"
    assert len(feed["items"]) == 1
    item = feed["items"][0]
    # Every item has an id and content (JSON Feed 1.1: id required, one of content_*).
    assert item["id"] == f"{site.base}/article/{site.ids['ar_excerpt']}"
    assert item["url"] == "https://sada-atlas.example/news/1201"
    assert item["content_html"].startswith("<p>أعلنت جماعة الرباط") and "…" in item["content_html"]
    assert datetime.fromisoformat(item["date_published"]).utcoffset().total_seconds() == 0
    assert {a["name"] for a in item["authors"]} == {"سعيد المنصوري", "صدى الأطلس"}
    assert item["image"] == "https://sada-atlas.example/media/parc.jpg"
    assert item["language"] == "ar" and item["tags"] == ["societe"]
    assert item["_akhbar"] == {"outlet": "sada-atlas", "display": "excerpt", "truncated": True}


@pytest.mark.parametrize("path,links", [
    ("/feeds/section/meteo.rss", ["https://wire.example/fr/meteo-chaleur"]),
    ("/feeds/outlet/oasis-post.atom", ["https://oasis-post.example/dakhla-sardines",
                                       "https://oasis-post.example/night-train"]),
    ("/feeds/search.rss?q=chaleur", ["https://wire.example/fr/meteo-chaleur"]),
    ("/feeds/search.atom?q=Dakhla lang:en", ["https://oasis-post.example/dakhla-sardines"]),
])
def test_outlet_section_and_search_feeds(site, path, links):
    with site.client() as c:
        r = c.get(path)
    assert r.status_code == 200
    feed = feedparser.parse(r.content)
    assert not feed.bozo
    assert sorted(e.link for e in feed.entries) == sorted(links)


def test_search_json_feed_and_feed_errors(site):
    with site.client() as c:
        feed = c.get("/feeds/search.json", params={"q": "sardine"}).json()
        assert [i["url"] for i in feed["items"]] == ["https://oasis-post.example/dakhla-sardines"]
        assert c.get("/feeds/search.rss").status_code == 400
        assert c.get("/feeds/search.rss", params={"q": "-x"}).status_code == 400
        assert c.get("/feeds/latest.xml").status_code == 404
        assert c.get("/feeds/outlet/nope.rss").status_code == 404
        assert c.get("/feeds/section/nope.rss").status_code == 404


def test_pages_announce_their_feeds(site):
    with site.client() as c:
        for path, feed in (("/", "/feeds/latest"), ("/outlet/le-phare", "/feeds/outlet/le-phare"),
                           ("/section/meteo", "/feeds/section/meteo"),
                           ("/search?q=port", "/feeds/search")):
            root = lxml.html.document_fromstring(c.get(path).text)
            alternates = {(a.get("type"), a.get("href").split("?")[0])
                          for a in root.xpath("//link[@rel='alternate']")}
            assert alternates == {("application/rss+xml", feed + ".rss"),
                                  ("application/atom+xml", feed + ".atom"),
                                  ("application/feed+json", feed + ".json")}
            for _, href in alternates:
                assert c.get(href, params={"q": "port"}).status_code == 200


def test_opml_lists_the_outlets_feeds(site):
    with site.client() as c:
        r = c.get("/outlets.opml")
    assert r.headers["content-type"].startswith("text/x-opml")
    sources = {s.id: s for s in import_opml(r.content)}
    assert set(sources) == {o.id for o in OUTLETS}
    assert sources["sada-atlas"].name == "صدى الأطلس"
    assert sources["sada-atlas"].feeds == ("https://sada-atlas.example/feed",)


def test_site_url_setting_makes_feed_links_public(tmp_path):
    from akhbar.store.base import open_store
    from websupport import fill, serve, site_app

    store = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    try:
        ids = fill(store)
        with serve(site_app(store, site_url="https://akhbar.example/")) as base:
            import httpx

            feed = httpx.get(base + "/feeds/latest.json").json()
    finally:
        store.close()
    assert feed["feed_url"] == "https://akhbar.example/feeds/latest.json"
    assert feed["items"][0]["id"] == f"https://akhbar.example/article/{ids['fr_full']}"


# -- API -------------------------------------------------------------------------------------

def test_openapi_describes_the_api(site):
    with site.client() as c:
        schema = c.get("/api/openapi.json").json()
        docs = c.get("/api/docs")
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    assert {"/api/articles", "/api/articles/{article_id}", "/api/outlets",
            "/api/outlets/{source_id}", "/api/search", "/api/archive/{year}/{month}/{day}"} <= paths
    assert not any(p.startswith(("/feeds", "/article/", "/lang")) for p in paths)  # pages stay out
    assert docs.status_code == 200
    listed = lxml.html.document_fromstring(docs.text).cssselect("section h2 code")
    assert "GET /api/search" in [c.text_content() for c in listed]


def test_api_articles_list_with_filters_and_pages(site):
    with site.client() as c:
        everything = c.get("/api/articles").json()
        assert everything["page"] == 1 and everything["per_page"] == 30
        assert everything["total"] >= 50 and len(everything["articles"]) == 30
        ar = c.get("/api/articles", params={"lang": "ar"}).json()
        assert {a["lang"] for a in ar["articles"]} == {"ar"}
        assert {a["dir"] for a in ar["articles"]} == {"rtl"}
        phare = c.get("/api/articles", params={"source": "le-phare", "page": 2}).json()
        assert phare["pages"] == 2 and {a["outlet"]["id"] for a in phare["articles"]} == {"le-phare"}
        meteo = c.get("/api/articles", params={"section": "meteo", "copies": "false"}).json()
        assert [a["id"] for a in meteo["articles"]] == [site.ids["wire_fr"]]


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_api_articles_total_is_counted_up_to_a_bound(kind, tmp_path):
    """At a million articles counting them all took seconds: /api/articles counts up to
    Site.count_cap (10,000), then says total_capped and follows `more` page by page."""
    with websupport.running_site(kind, tmp_path) as running:
        exact = running.store.count_articles()
        assert running.store.count_articles(limit=20) == 20
        assert running.store.count_articles(limit=exact + 5) == exact
        running.app.state.site.count_cap = 20
        with running.client() as c:
            first = c.get("/api/articles", params={"per_page": 10}).json()
            assert (first["total"], first["total_capped"], first["more"]) == (20, True, True)
            assert first["pages"] == 2  # known so far: 20 counted
            # Pages past the bound are still served, until the articles run out.
            pages = [first]
            while pages[-1]["more"]:
                pages.append(c.get("/api/articles", params={
                    "per_page": 10, "page": len(pages) + 1}).json())
            assert sum(len(p["articles"]) for p in pages) == exact
            assert pages[-1]["pages"] == pages[-1]["page"] == -(-exact // 10)
            assert c.get("/api/articles", params={"per_page": 10, "page": len(pages) + 1}
                         ).status_code == 404
            # Under the bound the total is exact, as before.
            ar = c.get("/api/articles", params={"lang": "ar"}).json()
            assert ar["total_capped"] is False and ar["more"] is False
            assert ar["total"] == len(ar["articles"]) == running.store.count_articles(lang="ar")


def test_openapi_says_the_articles_total_is_capped(site):
    with site.client() as c:
        schema = c.get("/api/openapi.json").json()
    op = schema["paths"]["/api/articles"]["get"]
    assert "10,000" in op["description"] and "total_capped" in op["description"]
    fields = schema["components"]["schemas"]["ArticleList"]["properties"]
    assert "total_capped" in fields and "more" in fields and "10,000" in fields["total"]["description"]


def test_api_article_has_display_limited_text_and_coverage(site):
    with site.client() as c:
        a = c.get(f"/api/articles/{site.ids['ar_excerpt']}").json()
        assert a["outlet"] == {"id": "sada-atlas", "name": "صدى الأطلس",
                               "homepage": "https://sada-atlas.example/", "languages": ["ar"],
                               "display": "excerpt", "excerpt_words": 12, "enabled": True}
        assert a["display"] == "excerpt" and a["truncated"] is True
        assert len(a["text"].split()) == 13 and a["text"].endswith("…")
        assert a["url"] == "https://sada-atlas.example/news/1201"
        assert a["permalink"] == f"/article/{site.ids['ar_excerpt']}"
        copy = c.get(f"/api/articles/{site.ids['copy_fr']}").json()
        assert copy["copy_of"] == site.ids["wire_fr"]
        assert [x["id"] for x in copy["coverage"]] == [site.ids["wire_fr"]]
        full = c.get(f"/api/articles/{site.ids['fr_full']}").json()
        assert "coquelicot" in full["text"] and "<p>" in full["html"]


def test_api_outlets_search_and_archive(site):
    with site.client() as c:
        outlets = c.get("/api/outlets").json()
        assert {o["id"]: o["display"] for o in outlets} == {o.id: o.display for o in OUTLETS}
        assert c.get("/api/outlets/oasis-post").json()["name"] == "The Oasis Post"
        found = c.get("/api/search", params={"q": "Marrakech", "sort": "date"}).json()
        assert found["total"] >= 1 and found["hits"][0]["article"]["id"] == site.ids["wire_fr"]
        # An 8-word excerpt: the engine's snippet goes further, so the allowed words are
        # shown, with the match highlighted in them.
        assert found["hits"][0]["snippet"] == (
            "Les températures dépasseront 44 degrés jeudi à <mark>Marrakech</mark> …")
        day = c.get("/api/archive/2024/05/14").json()
        assert day["date"] == "2024-05-14" and day["previous"] == "2024-05-13"
        assert day["next"] is None
        assert site.ids["late_en"] in [a["id"] for a in day["articles"]]


@pytest.mark.parametrize("path,status", [
    ("/api/articles/999999", 404), ("/api/articles/abc", 400), ("/api/articles?page=0", 400),
    ("/api/articles?per_page=1000", 400), ("/api/articles?lang=french!", 400),
    ("/api/articles?section=nope", 400), ("/api/articles?source=Le%20Phare", 400),
    ("/api/articles?page=99", 404), ("/api/outlets/nope", 404),
    ("/api/archive/2024/02/30", 404), ("/api/search?q=-x", 400), ("/api/search", 400),
    ("/api/search?q=x&sort=popular", 400), ("/api/nothing", 404),
])
def test_api_errors_are_json(site, path, status):
    with site.client() as c:
        r = c.get(path)
    assert r.status_code == status
    assert r.headers["content-type"].startswith("application/json")
    error = r.json()["error"]
    assert error["status"] == status and error["message"]
