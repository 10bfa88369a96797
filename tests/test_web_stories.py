"""Stories on the site over real HTTP (uvicorn on loopback), on SQLite and PostgreSQL: the
story page and its timeline, stories on the home, section and article pages, /api/stories,
the story feeds, and validators that follow the story builder.

The fictional press (websupport) has a derby reported in French (twice), Arabic and
English by four outlets, a goalless draw in the same three languages, and its stories
built by the production StoryBuilder on lexical evidence.
"""

from __future__ import annotations

from datetime import timedelta

import feedparser
import lxml.html
import pytest

import websupport
from websupport import T0, article, build_stories

site = websupport.site  # the running site fixture, once per module and backend


def doc(response):
    return lxml.html.document_fromstring(response.text)


def text_of(root, css: str) -> str:
    return " ".join(" ".join(el.text_content().split()) for el in root.cssselect(css))


def facts(root) -> dict[str, str]:
    """The story page's facts: term -> description."""
    terms = [" ".join(dt.text_content().split()) for dt in root.cssselect("dl.story-facts dt")]
    return dict(zip(terms, (" ".join(dd.text_content().split())
                            for dd in root.cssselect("dl.story-facts dd")), strict=True))


def derby(site) -> int:
    story = site.store.story_of_article(site.ids["derby_fr"])
    assert story is not None
    return story


def test_the_derby_is_one_story_in_three_languages(site):
    story = derby(site)
    for name in ("derby_ar", "derby_en", "derby_fr2"):
        assert site.store.story_of_article(site.ids[name]) == story, name
    assert site.store.story_of_article(site.ids["draw_fr"]) != story


# -- the story page --------------------------------------------------------------------------

@pytest.mark.parametrize("ui,headline,lang,dir_", [
    ("fr", "Le Raja remporte le derby face au Wydad (2-1)", "fr", "ltr"),
    ("en", "Raja edge Wydad 2-1 in Casablanca derby", "en", "ltr"),
    ("ar", "الرجاء يفوز بالديربي على الوداد بهدفين لهدف", "ar", "rtl"),
])
def test_story_headline_in_the_readers_language(site, ui, headline, lang, dir_):
    with site.client(headers={"cookie": f"ui_lang={ui}"}) as c:
        r = c.get(f"/story/{derby(site)}")
    assert r.status_code == 200
    root = doc(r)
    assert (root.get("lang"), root.get("dir")) == (ui, "rtl" if ui == "ar" else "ltr")
    head = root.cssselect("main header.article-head")[0]
    assert (head.get("lang"), head.get("dir")) == (lang, dir_)
    assert text_of(root, "main h1") == headline
    assert root.cssselect("title")[0].text_content().startswith(headline)


def test_a_story_without_the_readers_language_shows_its_earliest_report(site):
    story = site.store.story_of_article(site.ids["ar_excerpt"])  # reported in Arabic only
    with site.client(headers={"cookie": "ui_lang=en"}) as c:
        root = doc(c.get(f"/story/{story}"))
    head = root.cssselect("main header.article-head")[0]
    assert (head.get("lang"), head.get("dir")) == ("ar", "rtl")
    assert "١٢ حديقة" in text_of(root, "main h1")


def test_story_timeline_by_outlet_language_and_time(site):
    with site.client() as c:
        r = c.get(f"/story/{derby(site)}")
    root = doc(r)
    reports = root.cssselect("ol.timeline li")
    ids = [site.ids[n] for n in ("derby_fr", "derby_ar", "derby_en", "derby_fr2")]
    assert [li.cssselect(".item-title a")[0].get("href") for li in reports] == [
        f"/article/{i}" for i in ids]  # oldest report first
    # Each report: its title in its language and direction, outlet, language, a link to
    # its outlet's page that leaves safely.
    arabic = reports[1]
    title = arabic.cssselect(".item-title")[0]
    assert (title.get("lang"), title.get("dir")) == ("ar", "rtl")
    meta = arabic.cssselect("p.meta")[0]
    assert [b.text_content() for b in meta.cssselect("bdi")][:2] == ["نبض المغرب", "العربية"]
    assert meta.cssselect("bdi[lang=ar]")
    out = meta.cssselect("a.to-outlet")[0]
    assert out.get("href") == "https://nabd.example/derby_ar"
    assert set(out.get("rel").split()) >= {"noopener", "noreferrer"}
    assert {li.cssselect("p.meta bdi[lang]")[0].get("lang") for li in reports} == {"fr", "ar", "en"}
    # Casablanca time, localised: 22:40 UTC on the 13th is 23:40 there (UTC+1 in May 2024).
    first_time = reports[0].cssselect("time")[0]
    assert first_time.get("datetime") == (T0 - timedelta(minutes=14 * 60 + 50)).isoformat()
    assert first_time.text_content() == "13 mai 2024, 23:40"
    assert facts(root) == {
        "Premier article": "13 mai 2024 23:40", "Dernier article": "14 mai 2024 10:30",
        "Médias": "4", "Langues": "Français (2), العربية (1), English (1)", "Rubrique": "Sport"}
    assert text_of(root, "#timeline-h") == "Chronologie de la couverture"


def test_related_stories_link_to_their_pages(site):
    story = site.store.story_of_article(site.ids["bulk3"])
    with site.client() as c:
        root = doc(c.get(f"/story/{story}"))
    related = [a.get("href") for a in root.cssselect("section.related .item-title a")]
    assert related and all(h.startswith("/story/") and h != f"/story/{story}" for h in related)
    assert root.cssselect("section.related h2#related-h")
    assert {h.tag for h in root.cssselect("section.related .item-title")} == {"h3"}


@pytest.mark.parametrize("path", ["/story/999999", "/story/abc", "/story/-1", "/story/١٢",
                                  "/story/"])
def test_unknown_stories_are_404(site, path):
    with site.client() as c:
        r = c.get(path)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html") and doc(r).cssselect("main h1")


# -- home, sections, article pages -----------------------------------------------------------

def test_home_ranks_stories_by_coverage_and_recency(site):
    with site.client() as c:
        root = doc(c.get("/"))
    cards = root.cssselect("ol.stories li")
    hrefs = [li.cssselect(".item-title a")[0].get("href") for li in cards]
    # Four outlets in three languages last night outrank a lone article of this afternoon.
    assert hrefs[0] == f"/story/{derby(site)}"
    assert hrefs.index(f"/story/{derby(site)}") < hrefs.index(
        f"/story/{site.store.story_of_article(site.ids['fr_full'])}")
    first = cards[0]
    assert {b.get("lang") for b in first.cssselect(".langs bdi")} == {"fr", "ar", "en"}
    assert "Médias : 4" in text_of(first, "p.meta")
    assert first.cssselect("p.meta time")[0].get("datetime") == (T0 - timedelta(hours=4)).isoformat()
    assert [b.text_content() for b in first.cssselect("p.card-outlets bdi")] == [
        "L'Écho de Casa", "نبض المغرب", "Kasbah Times", "Argane Presse"]
    assert text_of(root, "main h1") == "À la une"
    # The ticker of the latest headlines stays.
    assert root.cssselect("section.ticker li")


def test_home_filters_by_language_and_section(site):
    with site.client() as c:
        en = doc(c.get("/?lang=en"))
        sport_ar = doc(c.get("/?lang=ar&section=sport"))
        none = doc(c.get("/?lang=ar&section=culture"))
    for card in en.cssselect("ol.stories li"):
        assert "en" in {b.get("lang") for b in card.cssselect(".langs bdi")}
    assert len(en.cssselect("ol.stories li")) == 4  # derby, draw, sardines, night train
    draw = site.store.story_of_article(site.ids["draw_fr"])
    assert [a.get("href") for a in sport_ar.cssselect("ol.stories .item-title a")] == [
        f"/story/{derby(site)}", f"/story/{draw}"]
    assert text_of(none, "p.empty") == "Aucun sujet pour l'instant."


def test_section_page_lists_its_stories(site):
    with site.client(headers={"cookie": "ui_lang=ar"}) as c:
        root = doc(c.get("/section/sport"))
    titles = root.cssselect("ol.stories .item-title")
    # The Arabic UI: each story's Arabic headline, right to left.
    assert [(t.get("lang"), t.get("dir")) for t in titles] == [("ar", "rtl"), ("ar", "rtl")]
    assert titles[0].text_content() == "الرجاء يفوز بالديربي على الوداد بهدفين لهدف"


def test_article_page_lists_the_rest_of_its_story(site):
    with site.client() as c:
        root = doc(c.get(f"/article/{site.ids['derby_en']}"))
        block = root.cssselect("section.story-coverage")[0]
        assert text_of(block, "h2") == "Couverture"
        link = block.cssselect("p.story-link a")[0]
        assert link.get("href") == f"/story/{derby(site)}" and link.get("lang") == "fr"
        others = [a.get("href") for a in block.cssselect(".item-title a")]
        assert others == [f"/article/{site.ids[n]}" for n in ("derby_fr", "derby_ar", "derby_fr2")]
        assert block.cssselect(".item-title[lang=ar][dir=rtl]")
        # A story of one article and its copy: the copies block says it all, no second block.
        copy = doc(c.get(f"/article/{site.ids['wire_fr']}"))
        assert copy.cssselect("section.coverage") and not copy.cssselect("section.story-coverage")
        alone = doc(c.get(f"/article/{site.ids['fr_full']}"))
        assert not alone.cssselect("section.story-coverage")


# -- API and feeds -----------------------------------------------------------------------------

def test_api_stories_lists_filters_and_pages(site):
    with site.client() as c:
        top = c.get("/api/stories").json()
        assert top["page"] == 1 and top["more"] is True and len(top["stories"]) == 30
        s = top["stories"][0]
        assert s["id"] == derby(site) and s["permalink"] == f"/story/{s['id']}"
        assert s["headline"] == "Le Raja remporte le derby face au Wydad (2-1)"
        assert s["headline_lang"] == "fr" and sorted(s["langs"]) == ["ar", "en", "fr"]
        assert s["headlines"]["ar"] == "الرجاء يفوز بالديربي على الوداد بهدفين لهدف"
        assert s["n_outlets"] == 4 and s["n_articles"] == 4 and s["section"] == "sport"
        assert s["outlets"] == ["echo-casa", "nabd", "kasbah", "argane"]
        assert s["first_report"].startswith("2024-05-13T22:40")
        ar = c.get("/api/stories", params={"lang": "ar", "per_page": 100}).json()["stories"]
        assert ar and all("ar" in x["langs"] for x in ar)
        sport = c.get("/api/stories", params={"section": "sport"}).json()["stories"]
        assert {x["section"] for x in sport} == {"sport"} and len(sport) == 2
        p1 = c.get("/api/stories", params={"per_page": 5}).json()
        p2 = c.get("/api/stories", params={"per_page": 5, "page": 2}).json()
        assert not {x["id"] for x in p1["stories"]} & {x["id"] for x in p2["stories"]}
        assert [x["id"] for x in p1["stories"] + p2["stories"]] == [
            x["id"] for x in top["stories"][:10]]
        for bad, status in (({"lang": "français"}, 400), ({"section": "nope"}, 400),
                            ({"page": 0}, 400), ({"per_page": 101}, 400), ({"page": 999}, 404)):
            r = c.get("/api/stories", params=bad)
            assert r.status_code == status, bad
            assert r.json()["error"]["status"] == status


def test_api_one_story_with_its_articles(site):
    with site.client() as c:
        s = c.get(f"/api/stories/{derby(site)}").json()
        assert [a["id"] for a in s["articles"]] == [
            site.ids[n] for n in ("derby_fr", "derby_ar", "derby_en", "derby_fr2")]
        arabic = s["articles"][1]
        assert arabic["dir"] == "rtl" and arabic["url"] == "https://nabd.example/derby_ar"
        # The display mode holds here too: nabd shows 10 words.
        assert len(arabic["text"].split()) == 11 and arabic["text"].endswith("…")
        assert s["related"] == [] or all("permalink" in r for r in s["related"])
        assert c.get("/api/stories/999999").json()["error"]["status"] == 404
        assert c.get("/api/stories/abc").status_code == 400
        paths = c.get("/api/openapi.json").json()["paths"]
        assert {"/api/stories", "/api/stories/{story_id}"} <= set(paths)
        docs = c.get("/api/docs").text
        assert "/api/stories/{story_id}" in docs


@pytest.mark.parametrize("ext", ["rss", "atom"])
def test_story_feeds(site, ext):
    with site.client() as c:
        r = c.get(f"/feeds/stories.{ext}")
        assert r.status_code == 200 and "xml" in r.headers["content-type"]
        feed = feedparser.parse(r.content)
        assert not feed.bozo
        assert feed.entries[0].link == f"{site.base}/story/{derby(site)}"
        assert feed.entries[0].title == "Le Raja remporte le derby face au Wydad (2-1)"
        assert "Kasbah Times" in feed.entries[0].summary
        sport = feedparser.parse(c.get(f"/feeds/stories/section/sport.{ext}").content)
        assert len(sport.entries) == 2
        assert c.get(f"/feeds/stories/section/nope.{ext}").status_code == 404


def test_story_json_feed_and_alternates(site):
    with site.client(headers={"cookie": "ui_lang=en"}) as c:
        feed = c.get("/feeds/stories.json").json()
        assert feed["version"] == "https://jsonfeed.org/version/1.1"
        assert feed["title"] == "akhbar: top stories"
        top = feed["items"][0]
        assert top["id"] == f"{site.base}/story/{derby(site)}"
        assert top["title"] == "Raja edge Wydad 2-1 in Casablanca derby"  # the reader's language
        assert top["language"] == "en" and top["_akhbar"]["n_outlets"] == 4
        assert c.get("/feeds/stories.xml").status_code == 404
        root = doc(c.get(f"/story/{derby(site)}"))
    alternates = {a.get("href") for a in root.xpath("//link[@rel='alternate']")}
    assert "/feeds/stories/section/sport.rss" in alternates


# -- light, accessible ----------------------------------------------------------------------

def _pages(site):
    return ["/", "/?page=2", "/section/sport", f"/story/{derby(site)}",
            f"/story/{site.store.story_of_article(site.ids['bulk3'])}",
            f"/article/{site.ids['derby_fr']}"]


def test_story_pages_are_light_and_accessible(site):
    with site.client() as c:
        css = len(c.get("/static/site.css").content)
        for ui in ("fr", "ar"):
            for path in _pages(site):
                r = c.get(path, headers={"cookie": f"ui_lang={ui}"})
                assert r.status_code == 200, path
                assert len(r.content) + css < 100_000, (path, len(r.content), css)
                root = doc(r)
                for landmark in ("header", "nav", "main", "footer"):
                    assert root.cssselect(landmark), (path, landmark)
                assert len(root.cssselect("h1")) == 1, path
                # Headings never skip a level going down from the h1.
                levels = [int(h.tag[1]) for h in root.cssselect("main")[0].iter(
                    "h1", "h2", "h3", "h4")]
                after = levels[levels.index(1):]
                assert all(b - a <= 1 for a, b in zip(after, after[1:], strict=False)), (path, levels)
                assert not root.xpath("//script[not(@src)]")
                # Every Arabic heading is laid out right to left, whatever the UI.
                for el in root.xpath("//main//*[@lang='ar']"):
                    if el.tag in ("h1", "h2", "h3", "header"):
                        assert el.get("dir") == "rtl", (path, el.tag)


# -- a story of hundreds of reports ---------------------------------------------------------------

BIG = 260  # reports of one event: six timeline pages of 50
FR_OUTLETS = [o.id for o in websupport.OUTLETS if "fr" in o.languages]


def fill_big_story(store) -> dict[str, int]:
    """One event reported BIG times by the French outlets, ten minutes apart, clustered by
    the production StoryBuilder into a single story."""
    store.sync_sources(websupport.OUTLETS)
    ids = {}
    for i in range(BIG):
        when = T0 - timedelta(minutes=10 * (BIG - i))
        ids[f"r{i}"] = store.add_article(article(
            url=f"https://seisme.example/{i}", source_id=FR_OUTLETS[i % len(FR_OUTLETS)],
            title=f"Séisme d'Al Haouz : le bilan s'alourdit à Marrakech et Taroudant (point {i})",
            text="Le séisme d'Al Haouz a frappé Marrakech, Taroudant et Chichaoua vendredi soir, "
                 "selon le ministère de l'Intérieur.",
            lang="fr", section="societe", published=when, first_seen=when))[0]
    build_stories(store)
    return ids


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    with websupport.running_site("sqlite", tmp_path_factory.mktemp("big"),
                                 filler=fill_big_story) as running:
        yield running


def test_a_big_story_pages_its_timeline(big):
    story = big.store.story_of_article(big.ids["r0"])
    assert {big.store.story_of_article(i) for i in big.ids.values()} == {story}
    seen = []
    with big.client(headers={"cookie": "ui_lang=fr"}) as c:
        css = len(c.get("/static/site.css").content)
        for number in range(1, 7):
            r = c.get(f"/story/{story}" + (f"?page={number}" if number > 1 else ""))
            assert r.status_code == 200, number
            assert len(r.content) + css < 100_000, (number, len(r.content))
            root = doc(r)
            reports = root.cssselect("ol.timeline li")
            assert len(reports) == (50 if number < 6 else BIG - 250), number
            seen += [li.cssselect("h3 a")[0].get("href") for li in reports]
            # The facts still count the whole story.
            assert facts(root)["Médias"] == str(len(FR_OUTLETS))
            first, last = (number - 1) * 50 + 1, min(number * 50, BIG)
            assert text_of(root, "p[role=status]") == (
                f"Articles {first} à {last} sur {BIG}, dans l'ordre de leur parution")
            nxt = root.cssselect("nav.pager a[rel=next]")
            if number < 6:
                assert nxt[0].get("href") == f"/story/{story}?page={number + 1}"
                assert "Articles suivants" in nxt[0].text_content()
            else:
                assert not nxt
        assert c.get(f"/story/{story}?page=7").status_code == 404
        assert c.get(f"/story/{story}?page=x").status_code == 400
    # Every report once, in the order they were reported.
    assert seen == [f"/article/{big.ids[f'r{i}']}" for i in range(BIG)]


# -- validators follow the story builder (last: it changes the store) ----------------------------

def test_a_story_change_changes_the_validators(site, tmp_path):
    path = f"/story/{derby(site)}"
    with site.client() as c:
        before = c.get(path)
        when = T0 - timedelta(hours=3)
        site.store.add_article(article(
            url=f"https://le-phare.example/derby-{tmp_path.name}", source_id="le-phare",
            title="Derby : le Raja bat le Wydad 2-1 devant 42 000 spectateurs",
            text="Le Raja a battu le Wydad 2-1 au complexe Mohammed V de Casablanca.",
            lang="fr", section="sport", published=when, first_seen=when))
        stored = c.get(path)  # a new article: new validators, but no story for it yet
        assert stored.headers["etag"] != before.headers["etag"]
        assert "le-phare.example/derby-" not in stored.text
        assert build_stories(site.store) == 1
        # Only the builder ran: the page must not be served from before it.
        after = c.get(path, headers={"if-none-match": stored.headers["etag"]})
        assert after.status_code == 200 and after.headers["etag"] != stored.headers["etag"]
        assert "le-phare.example/derby-" in after.text
        assert facts(doc(after))["Médias"] == "5"
        assert c.get(path, headers={"if-none-match": after.headers["etag"]}).status_code == 304
