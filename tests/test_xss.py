"""XSS: hostile text in every field an outlet controls, and in search queries, must never
come out of a page, feed or API answer as markup that runs.

Each payload is stored as a feed title, article text and HTML, summary, author name,
image URL, article URL and outlet name; then every page, feed and API answer that shows
them is parsed (lxml) and checked: no element or attribute that can run script, no
javascript:/data: URL, no bidi override, and never the payload's raw markup.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import lxml.etree
import lxml.html
import pytest

from akhbar.types import Article, Source
from websupport import build_stories, running_site

PAYLOADS = (
    "<script>alert('x1')</script>",
    '"><script>alert(2)</script>',
    "'><img src=x onerror=alert(3)>",
    "<img src=x onerror=alert(4)//",
    "<svg onload=alert(5)>",
    "<svg><script>alert(6)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(7)>",
    '<a href="javascript:alert(8)">clic</a>',
    '<a href="  JaVaScRiPt:alert(9)">x</a>',
    '<a href="jav&#x09;ascript:alert(10)">x</a>',
    "<iframe src=javascript:alert(11)></iframe>",
    "<body onload=alert(12)>",
    '<div style="background:url(javascript:alert(13))">x</div>',
    "<object data=data:text/html;base64,PHNjcmlwdD5hbGVydCgxNCk8L3NjcmlwdD4=></object>",
    '<!--<img src="--><img src=x onerror=alert(15)//">',
    '<p title="</p><script>alert(16)</script>">',
    "</title><script>alert(17)</script>",
    "</textarea><script>alert(18)</script>",
    '<noscript><p title="</noscript><img src=x onerror=alert(19)>">',
    "<details open ontoggle=alert(20)>",
    "<base href=//evil.example/>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(21)">',
    "<form action=javascript:alert(22)><button>x</button></form>",
    "<input autofocus onfocus=alert(23)>",
    "<scr<script>ipt>alert(25)</script>",
    '<a href="data:text/html,<script>alert(27)</script>">d</a>',
    '<svg><a xlink:href="javascript:alert(28)"><text>x</text></a></svg>',
    '<img src="x" onerror="&#97;&#108;&#101;&#114;&#116;(29)">',
    "<x onclick=alert(30)>broken <b>markup",
    "\"' onmouseover=alert(31) x='",
    "<style>@import 'javascript:alert(32)'</style>",
    "<template><script>alert(33)</script></template>",
    "<a href=\"https://ok.example/\" onclick=\"alert(34)\" style=\"position:fixed\">lien</a>",
    # Not markup, but must not turn text around or be evaluated by the template engine.
    "\u202eTXT.exe\u202c أخبار \u2066<b>x</b>\u2069",
    "{{ 913*7 }} {% if true %}evaluated{% endif %} ${913*7}",
    "javascript:alert(35)",
)
IMAGE_URLS = (
    "javascript:alert(40)",
    'https://img.example/a.jpg" onerror="alert(41)',
    'https://img.example/b.jpg"onerror="alert(42)',
    "data:image/svg+xml,<svg onload=alert(43)>",
    " https://img.example/c.jpg",
    "https://img.example/\u202egpj.exe",
)
ARTICLE_URLS = ("javascript:alert(50)//x", "https://evil.example/a?x=\"><script>alert(51)</script>",
                "data:text/html,<script>alert(52)</script>")

DANGEROUS_TAGS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "svg",
                  "math", "base", "style", "template", "noscript", "textarea", "xmp"}
URL_ATTRS = {"href", "src", "action", "formaction", "data", "poster", "srcset", "background",
             "xlink:href", "{http://www.w3.org/1999/xlink}href"}
OUR_FORMS = {"/", "/search", "/report", "/archive/"}
BIDI_OVERRIDES = re.compile("[\u202a-\u202e\u2066-\u2069]")


def fill_hostile(store) -> dict[str, int]:
    store.sync_sources([
        Source(id="full-hostile", name=PAYLOADS[0], homepage="https://full.example/",
               feeds=("https://full.example/feed",), languages=("fr",), display="full"),
        Source(id="excerpt-hostile", name=PAYLOADS[5], homepage="javascript:alert(60)",
               feeds=("https://excerpt.example/feed",), languages=("ar",), display="excerpt",
               excerpt_words=5),
        Source(id="lede-hostile", name=PAYLOADS[-3], homepage="https://lede.example/",
               feeds=("https://lede.example/feed",), languages=("en",), display="lede"),
    ])
    ids: dict[str, int] = {}
    t0 = datetime(2024, 6, 3, 10, 0, tzinfo=UTC)
    sources = ("full-hostile", "excerpt-hostile", "lede-hostile")
    for i, payload in enumerate(PAYLOADS):
        when = t0 - timedelta(hours=i * 7)
        url = ARTICLE_URLS[i] if i < len(ARTICLE_URLS) else f"https://hostile.example/{i}"
        ids[f"a{i}"] = store.add_article(Article(
            url=url, source_id=sources[i % 3], title=f"Titre {i} {payload}",
            text=f"Hostile {i} {payload}\n\nSecond {payload}\n\nTroisième paragraphe.",
            html=f"<p>Hostile {i} {payload}</p><p>Second {payload}</p>",
            summary=f"Résumé {payload}", author=payload,
            image=IMAGE_URLS[i % len(IMAGE_URLS)], lang=("fr", "ar", "en")[i % 3],
            first_seen=when, published=when, date_source="feed",
            section="politique" if i % 2 else "culture", tags=(payload,),
        ))[0]
    build_stories(store)  # story headlines are these titles: the same escaping must hold
    return ids


def story_ids(store) -> list[int]:
    return sorted({store.story_of_article(n) for n in store.story_assignments()})


def _dangerous_url(value: str) -> bool:
    squashed = re.sub(r"[\s\x00-\x1f]+", "", value).lower()
    return squashed.startswith(("javascript:", "vbscript:", "data:")) or "javascript:" in squashed


def assert_safe_html(markup: str, where: str) -> None:
    assert not BIDI_OVERRIDES.search(markup), where
    assert "6391" not in markup and "evaluated" not in markup.replace("{% if true %}evaluated", ""), where
    root = lxml.html.document_fromstring(markup) if markup.strip() else None
    if root is None:
        return
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue  # comments, processing instructions
        tag = el.tag.lower()
        if tag == "link":
            assert el.get("rel") in {"stylesheet", "icon", "alternate", "canonical"}, where
        elif tag == "meta":
            assert el.get("http-equiv") is None, where
        elif tag == "form":
            assert el.get("action") in OUR_FORMS, (where, el.get("action"))
        else:
            assert tag not in DANGEROUS_TAGS, (where, tag, lxml.html.tostring(el)[:200])
        for name, value in el.attrib.items():
            lname = str(name).lower()
            assert not lname.startswith("on"), (where, tag, name)
            assert lname != "style", (where, tag)
            if lname in URL_ATTRS:
                assert not _dangerous_url(value), (where, tag, name, value)


def assert_no_raw_payload(text: str, where: str) -> None:
    for payload in PAYLOADS + ARTICLE_URLS:
        if "<" in payload:
            assert payload not in text, (where, payload)


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def hostile(request, tmp_path_factory):
    with running_site(request.param, tmp_path_factory.mktemp("xss"), fill_hostile) as running:
        yield running


def test_pages_show_hostile_fields_as_text(hostile):
    paths = ["/", "/?page=2", "/?lang=ar", "/outlets", "/archive/", "/section/politique",
             "/section/culture", "/search?q=Hostile", "/search?q=Titre&sort=date",
             "/search?q=Second", "/archive/2024/06/03", "/archive/2024/06/01"]
    paths += [f"/outlet/{s}" for s in ("full-hostile", "excerpt-hostile", "lede-hostile")]
    paths += [f"/article/{n}" for n in hostile.ids.values()]
    paths += [f"/story/{n}" for n in story_ids(hostile.store)]
    if len(story_ids(hostile.store)) <= 20:  # the home page lists stories, 20 a page
        paths.remove("/?page=2")
    paths += ["/?section=politique&lang=ar", "/section/politique?lang=en"]
    with hostile.client() as c:
        for path in paths:
            for ui in ("fr", "ar"):
                r = c.get(path, headers={"cookie": f"ui_lang={ui}"})
                assert r.status_code == 200, path
                assert_safe_html(r.text, path)
                assert_no_raw_payload(r.text, path)
        # The payloads are still there, as text a reader can see.
        page = lxml.html.document_fromstring(c.get(f"/article/{hostile.ids['a0']}").text)
        assert page.cssselect("h1")[0].text_content() == f"Titre 0 {PAYLOADS[0]}"
        assert PAYLOADS[0] in page.cssselect("p.dateline")[0].text_content()
        # A story's headline, outlets and timeline too.
        story = hostile.store.story_of_article(hostile.ids["a0"])
        page = lxml.html.document_fromstring(c.get(f"/story/{story}").text)
        assert page.cssselect("h1")[0].text_content().startswith("Titre ")
        assert PAYLOADS[0] in page.cssselect("ol.timeline")[0].text_content()


def test_hostile_urls_never_become_links_or_images(hostile):
    with hostile.client() as c:
        for n in hostile.ids.values():
            page = lxml.html.document_fromstring(c.get(f"/article/{n}").text)
            for a in page.cssselect("a.source-link, p.read-more a"):
                assert a.get("href").startswith(("https://", "http://"))
                assert '"' not in a.get("href") and "<" not in a.get("href")
            for img in page.cssselect("img"):
                assert img.get("src").startswith("https://img.example/")
                assert not BIDI_OVERRIDES.search(img.get("src"))
        first = lxml.html.document_fromstring(c.get(f"/article/{hostile.ids['a0']}").text)
        assert not first.cssselect("a.source-link")  # its URL is javascript:
        assert not first.cssselect("img")  # and so is its image
        spaced = lxml.html.document_fromstring(c.get(f"/article/{hostile.ids['a1']}").text)
        assert not spaced.cssselect("img")  # a URL with a space is no URL
        quoted = lxml.html.document_fromstring(c.get(f"/article/{hostile.ids['a2']}").text)
        # The quote is percent-encoded: one src attribute, no onerror.
        img = quoted.cssselect("img")[0]
        assert img.get("src") == "https://img.example/b.jpg%22onerror=%22alert(42)"
        assert set(img.attrib) == {"src", "alt", "referrerpolicy", "loading", "decoding"}


@pytest.mark.parametrize("q", [p for p in PAYLOADS if "<" in p or "{" in p][:20]
                         + ["section:<script>alert(70)</script>", 'source:"><svg onload=alert(71)>',
                            "lang:<img/src/onerror=alert(72)>", "-<script>alert(73)</script>"])
def test_search_queries_are_echoed_as_text(hostile, q):
    with hostile.client() as c:
        page = c.get("/search", params={"q": q})
        assert page.status_code in (200, 400)
        assert_safe_html(page.text, f"search {q!r}")
        assert_no_raw_payload(page.text, f"search {q!r}")
        assert q.strip() not in page.text or "<" not in q
        for ext in ("rss", "atom"):
            feed = c.get(f"/feeds/search.{ext}", params={"q": q})
            if feed.status_code == 200:
                _check_xml_feed(feed.content, f"search feed {q!r}")
        api = c.get("/api/search", params={"q": q})
        assert api.headers["content-type"].startswith("application/json")
        if api.status_code == 200:
            for hit in api.json()["hits"]:
                assert_safe_html(hit["snippet"], "api snippet")
                assert_safe_html(hit["article"]["html"], "api html")


def _check_xml_feed(data: bytes, where: str) -> None:
    root = lxml.etree.fromstring(data, lxml.etree.XMLParser(resolve_entities=False))
    assert_no_raw_payload(data.decode("utf-8"), where)
    assert not BIDI_OVERRIDES.search(data.decode("utf-8")), where
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        name = lxml.etree.QName(el).localname
        assert name not in DANGEROUS_TAGS, (where, name)
        if name in ("description", "summary", "content", "encoded") and el.text:
            assert_safe_html(el.text, f"{where} <{name}>")
        if name == "link":
            for value in filter(None, (el.get("href"), el.text)):
                assert not _dangerous_url(value), (where, value)
        if name in ("enclosure", "content") and el.get("url"):  # lead images (RSS, Media RSS)
            assert el.get("url").startswith(("http://", "https://")), (where, el.get("url"))
        if name == "link" and el.get("rel") == "enclosure":  # lead images (Atom)
            assert el.get("href").startswith(("http://", "https://")), (where, el.get("href"))


def test_feeds_and_api_carry_hostile_fields_safely(hostile):
    with hostile.client() as c:
        paths = ["/feeds/latest", "/feeds/section/politique", "/feeds/outlet/full-hostile",
                 "/feeds/outlet/excerpt-hostile", "/feeds/outlet/lede-hostile",
                 "/feeds/stories", "/feeds/stories/section/politique"]
        for path in paths:
            for ext in ("rss", "atom"):
                r = c.get(f"{path}.{ext}")
                assert r.status_code == 200, path
                _check_xml_feed(r.content, f"{path}.{ext}")
            feed = c.get(f"{path}.json").json()
            assert feed["items"], path
            for item in feed["items"]:
                assert_safe_html(item["content_html"], f"{path}.json")
                assert not _dangerous_url(item["url"]) and not _dangerous_url(item["id"])
                assert not _dangerous_url(item.get("image", "https://x"))
        articles = c.get("/api/articles", params={"per_page": 100}).json()["articles"]
        assert len(articles) == len(PAYLOADS)
        for a in articles:
            assert_safe_html(a["html"], f"api article {a['id']}")
            assert a["url"] is None or a["url"].startswith(("http://", "https://"))
            assert a["image"] is None or a["image"].startswith("https://img.example/")
            assert not BIDI_OVERRIDES.search(json.dumps(a, ensure_ascii=False))
        stories = c.get("/api/stories", params={"per_page": 100}).json()["stories"]
        assert stories
        for s in stories:
            assert not BIDI_OVERRIDES.search(json.dumps(s, ensure_ascii=False))
            one = c.get(f"/api/stories/{s['id']}").json()
            assert not BIDI_OVERRIDES.search(json.dumps(one, ensure_ascii=False))
            for a in one["articles"]:
                assert_safe_html(a["html"], f"api story {s['id']}")
                assert a["url"] is None or a["url"].startswith(("http://", "https://"))
        outlets = c.get("/api/outlets").json()
        assert {o["id"]: o["homepage"] for o in outlets}["excerpt-hostile"] is None
        opml = c.get("/outlets.opml")
        root = lxml.etree.fromstring(opml.content)
        names = {o.get("text") for o in root.iter("outline") if o.get("xmlUrl")}
        assert PAYLOADS[0] in names  # kept as an attribute value, escaped by the XML writer
        assert "<script>" not in opml.text


def test_report_thanks_page_with_hostile_title(hostile):
    number = hostile.ids["a2"]
    with hostile.client() as c:
        page = lxml.html.document_fromstring(c.get(f"/article/{number}").text)
        fields = {i.get("name"): i.get("value") for i in page.cssselect("details.report input")}
        assert fields, "a2 has a safe image to report"
        r = c.post("/report", data={**fields, "reason": "other"})
        assert r.status_code == 200
        assert_safe_html(r.text, "report thanks")
        assert_no_raw_payload(r.text, "report thanks")
        # A forged image URL or article id is refused, and echoed nowhere as markup.
        bad = c.post("/report", data={**fields, "reason": "other",
                                      "image_url": PAYLOADS[2], "article_id": quote(PAYLOADS[0])})
        assert bad.status_code in (400, 404)
        assert_safe_html(bad.text, "report refused")
        assert_no_raw_payload(bad.text, "report refused")
