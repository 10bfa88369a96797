"""The demo press over real HTTP on loopback: outlets, feeds, pages, quirks, ground truth."""

from __future__ import annotations

import gzip
import json
import random
import tomllib
import urllib.robotparser
import xml.etree.ElementTree as ET
from collections import defaultdict
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import feedparser
import httpx
import lxml.html
import pytest

from akhbar.demo import DemoPress
from akhbar.sources.registry import load_sources
from akhbar.types import Source


@pytest.fixture(scope="module")
def press():
    with DemoPress(slow_seconds=0.2, retry_after=1) as p:
        yield p


@pytest.fixture(scope="module")
def client():
    with httpx.Client(timeout=30, headers={"Accept-Encoding": "identity"}) as c:
        yield c


def _get(client: httpx.Client, url: str, **headers: str) -> httpx.Response:
    r = client.get(url, headers=headers)
    if r.status_code == 429:  # the rate-limited host: a second try is served
        r = client.get(url, headers=headers)
    return r


def _charset(r: httpx.Response) -> str:
    return r.headers["content-type"].split("charset=")[1]


def _doc(r: httpx.Response) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(r.content.decode(_charset(r)))


def _links(r: httpx.Response) -> list[tuple[str, str, bool]]:
    """(link, title, has a date) of every item of a feed, whatever its format."""
    if "json" in r.headers["content-type"]:
        doc = json.loads(r.content)
        return [(i["url"], i["title"], "date_published" in i) for i in doc["items"]]
    parsed = feedparser.parse(r.content)
    return [(e.link, e.title, bool(e.get("published") or e.get("updated")))
            for e in parsed.entries]


@pytest.fixture(scope="module")
def feed_links(press, client):
    """Every item link of every feed, by feed URL."""
    out = {}
    for s in press.sources():
        for f in s.feeds:
            r = _get(client, f)
            assert r.status_code == 200, f
            out[f] = _links(r)
    return out


def test_outlets_sources_and_toml(press, tmp_path):
    sources = press.sources()
    assert len(sources) >= 6
    assert all(isinstance(s, Source) and s.feeds and s.founded for s in sources)
    assert {lang for s in sources for lang in s.languages} == {"fr", "ar", "en"}
    assert any(len(s.languages) >= 2 for s in sources)
    assert any(not s.extract.is_empty() for s in sources)
    assert {s.min_delay for s in sources} == {0.0, None}
    assert len({urlsplit(s.homepage).hostname for s in sources}) == len(sources)
    data = tomllib.loads(press.sources_toml())
    tables = {t["id"]: t for t in data["source"]}
    for s in sources:
        t = tables[s.id]
        assert t["feeds"] == list(s.feeds) and t["languages"] == list(s.languages)
        assert t["founded"] == s.founded.isoformat() and t["name"] == s.name
    path = tmp_path / "demo.toml"
    path.write_text(press.sources_toml(), encoding="utf-8")
    assert load_sources(path) == sources


def test_events_span_outlets_and_languages(press):
    truth = [g for g in press.ground_truth() if g["crawlable"]]
    by_event = defaultdict(list)
    for g in truth:
        if g["event"]:
            by_event[g["event"]].append(g)
    good = [e for e, gs in by_event.items()
            if len({g["outlet"] for g in gs}) >= 2 and len({g["lang"] for g in gs}) >= 2]
    assert len(good) >= 30
    summary = press.expected_summary()
    assert summary["crawlable"] == len(truth)
    assert summary["events_multi_outlet_multi_lang"] == len(good)
    # Two football matches are different stories: different titles.
    football = {g["title"] for g in truth
                if g["kind"] == "football" and g["outlet"] == "aap" and g["lang"] == "fr"}
    assert len(football) >= 4


def test_every_crawlable_article_is_in_a_feed(press, feed_links):
    linked = set()
    for items in feed_links.values():
        for link, _title, _dated in items:
            parts = urlsplit(link)
            plain = f"{parts.scheme}://{parts.netloc}{parts.path}"
            linked.update((plain, plain + "/"))
    truth = press.ground_truth()
    missing = [g["url"] for g in truth if g["url"] not in linked]
    assert missing == []
    assert max(press.feed_item_counts().values()) <= 500


def test_pages_and_text_lengths(press, client):
    truth = press.ground_truth()
    rng = random.Random(1)
    by_outlet = defaultdict(list)
    for g in truth:
        if g["crawlable"]:
            by_outlet[g["outlet"], g["lang"]].append(g)
    for items in by_outlet.values():
        for g in rng.sample(items, min(3, len(items))):
            r = _get(client, g["url"])
            assert r.status_code == 200
            doc = _doc(r)
            assert doc.xpath("string(//h1)").strip() == g["title"]
            text = press.article_text(g["url"])
            assert 150 <= len(text.split()) <= 500
            page = " ".join(doc.text_content().split())
            for para in text.split("\n\n"):
                assert " ".join(para.split()) in page
            labels = {"fr": "Lire aussi", "ar": "اقرأ أيضا", "en": "Read also"}
            assert labels[g["lang"]] in page
            assert doc.xpath("//footer") and doc.xpath("//*[contains(@class,'cookie')]")


def test_wire_copies_are_word_for_word(press, client):
    truth = press.ground_truth()
    copies = [g for g in truth if g["wire_copy"] and g["crawlable"]]
    assert len({g["outlet"] for g in copies}) >= 2
    by_url = {g["url"]: g for g in truth}
    retitled = same_title = 0
    for g in copies[:12]:
        orig = by_url[g["wire_of"]]
        assert orig["outlet"] == "aap" and orig["lang"] == g["lang"]
        assert orig["event"] == g["event"]
        assert press.article_text(g["url"]) == press.article_text(orig["url"])
        page = " ".join(_doc(_get(client, g["url"])).text_content().split())
        for para in press.article_text(orig["url"]).split("\n\n"):
            assert " ".join(para.split()) in page
        retitled += g["title"] != orig["title"]
        same_title += g["title"] == orig["title"]
    assert retitled and same_title


def test_windows_1256_outlet(press, client, feed_links):
    g = next(g for g in press.ground_truth() if g["outlet"] == "nabd-madina")
    r = _get(client, g["url"])
    assert r.headers["content-type"].lower().endswith("charset=windows-1256")
    with pytest.raises(UnicodeDecodeError):
        r.content.decode("utf-8")
    text = r.content.decode("cp1256")
    assert g["title"] in text  # every character of the Arabic title exists in cp1256
    assert 'charset=windows-1256"' in text
    feed = next(s for s in press.sources() if s.id == "nabd-madina").feeds[0]
    raw = _get(client, feed).content
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    titles = [t.text for t in ET.fromstring(raw).iter("title")]
    assert any("\u0600" <= ch <= "\u06ff" for t in titles for ch in t)


def test_iso_8859_1_outlet_with_lying_meta(press, client):
    g = next(g for g in press.ground_truth() if g["charset_lie"])
    assert g["outlet"] == "echo-bouregreg"
    r = _get(client, g["url"])
    assert r.headers["content-type"].endswith("charset=ISO-8859-1")
    assert b'<meta charset="utf-8">' in r.content
    with pytest.raises(UnicodeDecodeError):
        r.content.decode("utf-8")
    doc = lxml.html.fromstring(r.content.decode("iso-8859-1"))
    assert doc.xpath("string(//h1)") == g["title"]
    assert any(ch in g["title"] + doc.text_content() for ch in "éèàç")


def test_broken_feed_is_not_xml(press, client):
    feed = next(f for s in press.sources() if s.id == "zellige-review" for f in s.feeds
                if f.endswith("/rss/culture"))
    r = _get(client, feed)
    assert r.status_code == 200
    with pytest.raises(ET.ParseError):
        ET.fromstring(r.content)
    assert feedparser.parse(r.content).bozo


def test_rate_limited_host_answers_429_with_retry_after():
    with DemoPress(rate_limit_first=2, retry_after=3, slow_seconds=0) as p:
        feed = next(s for s in p.sources() if s.id == "argane-express").feeds[0]
        with httpx.Client(timeout=10) as c:
            first, second, third = c.get(feed), c.get(feed), c.get(feed)
    assert first.status_code == second.status_code == 429
    assert first.headers["retry-after"] == "3"
    assert third.status_code == 200
    src = next(s for s in p.sources() if s.id == "argane-express")
    assert src.min_delay is None


def test_robots_disallows_premium(press, client, feed_links):
    src = next(s for s in press.sources() if s.id == "sawt-jabal")
    rp = urllib.robotparser.RobotFileParser()
    rp.parse(_get(client, src.homepage + "robots.txt").text.splitlines())
    premium = [g for g in press.ground_truth() if g["premium"]]
    assert premium and all(g["outlet"] == "sawt-jabal" and not g["crawlable"] for g in premium)
    for g in premium:
        assert "/premium/" in g["url"] and not rp.can_fetch("akhbar", g["url"])
    linked = {link for f in src.feeds for link, _, _ in feed_links[f]}
    assert any(g["url"] in linked for g in premium)
    ok = next(g for g in press.ground_truth() if g["outlet"] == "sawt-jabal" and g["crawlable"])
    assert rp.can_fetch("akhbar", ok["url"])
    assert press.expected_summary()["disallowed"] == len(premium)


def test_dates_span_2004_to_today_and_traps(press, client, feed_links):
    truth = press.ground_truth()
    years = {g["published"].year for g in truth}
    assert min(years) == 2004
    assert set(range(2004, press.now.year + 1)) <= years
    newest = max(g["published"] for g in truth)
    assert press.now - timedelta(days=1) <= newest <= press.now
    traps = [g for g in truth if g["date_trap"]]
    assert {g["date_trap"] for g in traps} == {"before_founded", "future"}
    sources = {s.id: s for s in press.sources()}
    undated = {link.split("?")[0] for items in feed_links.values()
               for link, _, dated in items if not dated}
    for g in traps:
        doc = _doc(_get(client, g["url"]))
        claimed = datetime.fromisoformat(
            doc.xpath("string(//meta[@property='article:published_time']/@content)"))
        if g["date_trap"] == "future":
            assert claimed > press.now
        else:
            assert claimed.date() < sources[g["outlet"]].founded
        assert g["url"] in undated  # the feed gives no date to fall back on


def test_conditional_get_and_gzip(press, client):
    feed = press.sources()[0].feeds[0]
    r = _get(client, feed)
    etag, modified = r.headers["etag"], r.headers["last-modified"]
    assert _get(client, feed, **{"If-None-Match": etag}).status_code == 304
    r304 = _get(client, feed, **{"If-Modified-Since": modified})
    assert r304.status_code == 304 and r304.content == b""
    assert _get(client, feed, **{"If-None-Match": '"other"'}).status_code == 200
    raw = httpx.get(feed, headers={"Accept-Encoding": "gzip"})
    assert raw.headers["content-encoding"] == "gzip" and raw.content == r.content
    with httpx.stream("GET", feed, headers={"Accept-Encoding": "gzip"}) as s:
        assert gzip.decompress(b"".join(s.iter_raw())) == r.content


def test_manara_tracking_params_slash_variants_and_retitles(press, client, feed_links):
    src = next(s for s in press.sources() if s.id == "al-manara")
    main = feed_links[src.feeds[0]]
    assert all("utm_source=rss" in link for link, _, _ in main)
    section_links = {link: title for f in src.feeds if "/rss/" in f and "archive" not in f
                     and not f.endswith("/rss/") for link, title, _ in feed_links[f]}
    assert section_links and not any(link.endswith("/") for link in section_links)
    link = next(iter(section_links))
    for variant in (link, link + "/", link + "/?utm_source=rss"):
        doc = _doc(_get(client, variant))
        assert doc.xpath("string(//link[@rel='canonical']/@href)") == link + "/"
    retitled = [g for g in press.ground_truth() if g["feed_title"]]
    assert retitled and all(g["outlet"] == "al-manara" for g in retitled)
    g = retitled[0]
    assert g["feed_title"] != g["title"]
    bare = g["url"].rstrip("/")
    if bare in section_links:
        assert section_links[bare] == g["feed_title"]
    assert _doc(_get(client, g["url"])).xpath("string(//h1)") == g["title"]


def test_slow_host_and_json_feed(press, client, feed_links):
    src = next(s for s in press.sources() if s.id == "kasbah-tribune")
    r = _get(client, src.feeds[0])
    assert r.headers["content-type"].startswith("application/feed+json")
    assert json.loads(r.content)["version"].startswith("https://jsonfeed.org/version/1")
    assert src.min_delay is None and press.slow_seconds == 0.2


def test_publish_more_updates_feeds():
    with DemoPress(slow_seconds=0) as p, httpx.Client(timeout=10) as c:
        feed = p.sources()[0].feeds[0]  # the agency's French main feed
        before = c.get(feed)
        urls = p.publish_more(4)
        assert len(urls) >= 4
        after = c.get(feed, headers={"If-None-Match": before.headers["etag"]})
        assert after.status_code == 200 and after.headers["etag"] != before.headers["etag"]
        all_links = {link.split("?")[0] for s in p.sources() for f in s.feeds[:1]
                     for link, _, _ in _links(c.get(f))}
        assert set(urls) & all_links
        for u in urls:
            assert c.get(u).status_code == 200
        assert {g["url"] for g in p.ground_truth()} >= set(urls)


def test_scaled_press_has_20000_crawlable_articles():
    p = DemoPress(scale=20000, slow_seconds=0)
    summary = p.expected_summary()
    assert summary["crawlable"] >= 20000
    with p, httpx.Client(timeout=10) as c:
        counts = p.feed_item_counts()
        assert max(counts.values()) <= 500
        assert sum(counts.values()) >= 20000
        truth = [g for g in p.ground_truth() if g["crawlable"]]
        for g in random.Random(7).sample(truth, 25):
            r = c.get(g["url"])
            assert r.status_code == 200
            assert _doc(r).xpath("string(//h1)") == g["title"]
        archive = max(counts, key=counts.get)
        r = c.get(archive)
        if r.status_code == 429:
            r = c.get(archive)
        assert len(_links(r)) == counts[archive]
