"""akhbar.parse.feeds: our own multilingual fixtures, error cases, huge feeds, Moroccan feeds."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from akhbar.errors import ParseError
from akhbar.parse.feeds import MAX_ITEMS, parse_feed
from akhbar.types import ParsedFeed
from conftest import shared_path

# bench/ is a top-level package beside src/; pytest puts only tests/ on the path.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.feed_corpus import big_feed  # noqa: E402

FIXTURES = Path(__file__).parent / "data" / "feeds"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))


def load(name: str, **kwargs) -> ParsedFeed:
    return parse_feed((FIXTURES / name).read_bytes(), **kwargs)


@pytest.mark.parametrize("name", sorted(n for n, e in EXPECTED.items() if "error" not in e))
def test_fixture_matches_expected(name):
    exp = EXPECTED[name]
    feed = load(name)
    assert feed.encoding == exp["encoding"]
    assert [e.title for e in feed.entries] == exp["titles"]
    if "title" in exp:
        assert feed.title == exp["title"]
    if "language" in exp:
        assert feed.language == exp["language"]
    if "links" in exp:
        assert [e.link for e in feed.entries] == exp["links"]
    if "summaries" in exp:
        assert [e.summary for e in feed.entries] == exp["summaries"]
    if "images" in exp:
        assert [e.image for e in feed.entries] == exp["images"]
    if "languages" in exp:
        assert [e.language for e in feed.entries] == exp["languages"]
    if "tags" in exp:
        assert [list(e.tags) for e in feed.entries] == exp["tags"]
    if "published" in exp:
        assert [e.published and e.published.isoformat() for e in feed.entries] == exp["published"]
    assert (feed.warning is not None) == exp.get("warning", False)
    for entry in feed.entries:
        assert entry.link.startswith(("http://", "https://"))
        for date in (entry.published, entry.updated):
            assert date is None or date.tzinfo is not None and date.utcoffset().total_seconds() == 0


def test_arabic_titles_exact_in_both_code_pages():
    title = "افتتاح المعرض الدولي للكتاب بالرباط"
    assert load("rss-ar-windows-1256.xml").entries[0].title == title
    assert load("rss-ar-iso-8859-6.xml").entries[0].title == title
    assert load("rss-lies-utf8-is-1256.xml").entries[0].title == title
    # The two files hold different bytes for the same letters.
    assert title.encode("cp1256") in (FIXTURES / "rss-ar-windows-1256.xml").read_bytes()
    assert title.encode("iso8859-6") in (FIXTURES / "rss-ar-iso-8859-6.xml").read_bytes()


def test_french_titles_exact_despite_lying_declarations():
    assert load("rss-fr-iso-8859-1.xml").entries[1].title == (
        "Œuvres d’art : « Déjà vu » à l’École des beaux-arts"
    )
    assert load("rss-lies-latin1-is-utf8.xml").entries[0].title == (
        "Casablanca : l’été où la ville a changé"
    )


def test_lying_http_header_does_not_win_over_the_bytes():
    feed = load("rss-ar-windows-1256.xml", content_type="text/html; charset=ISO-8859-1")
    assert feed.entries[1].title == "أمطار غزيرة مرتقبة في شمال المملكة؟"
    feed = load("rss-lies-latin1-is-utf8.xml", content_type="application/rss+xml; charset=cp1256")
    assert feed.entries[1].title == "افتتاح المعرض الدولي للكتاب بالرباط"


def test_forced_encoding_is_used():
    # Lower-case French reads the same in windows-1252 and windows-1256: the override decides.
    data = '<rss version="2.0"><channel><title>t</title><item><title>été</title>' \
           "<link>https://a.example/1</link></item></channel></rss>".encode("cp1252")
    assert parse_feed(data, forced_encoding="windows-1256").encoding == "windows-1256"


def test_atom_details():
    entry = load("atom-xml-base.xml").entries[0]
    assert entry.author == "Salma Idrissi"
    assert entry.tags == ("transport", "Rabat")
    assert entry.summary == "The line now reaches Salé."
    assert entry.published == datetime(2024, 11, 12, 8, 30, tzinfo=UTC)
    assert entry.updated == datetime(2024, 11, 12, 10, 0, tzinfo=UTC)
    assert entry.guid == "urn:uuid:4b3c1d0e-0000-4000-8000-000000000002"


def test_relative_rss_links_resolve_against_base_url():
    data = b"""<rss version="2.0"><channel><title>Relatif</title>
      <item><title>Un</title><link>/fr/un</link></item>
      <item><title>Deux</title><link>deux?x=1</link></item>
      <item><title>Trois</title><link>javascript:alert(1)</link></item>
    </channel></rss>"""
    feed = parse_feed(data, base_url="https://akhbar.example/rss/feed.xml")
    assert [e.link for e in feed.entries] == [
        "https://akhbar.example/fr/un", "https://akhbar.example/rss/deux?x=1"
    ]


def test_wordpress_tails_and_ellipsis_are_dropped():
    entries = load("rss-dates-fr-ar.xml").entries
    for entry in entries:
        assert "appeared first" not in entry.summary
        assert "apparu en premier" not in entry.summary
        assert not entry.summary.endswith(("[…]", "[...]"))


@pytest.mark.parametrize("data, message", [
    (b"", "empty body"),
    (b"   \n\t ", "empty body"),
    ((FIXTURES / "page.html").read_bytes(), "not a feed: the server sent an HTML page"),
    (b"<HTML><body>Erreur 500</body></HTML>", "HTML page"),
    (bytes(range(256)) * 4, "not a feed"),
    (b"Just some text, no markup.", "not a feed"),
    (b'{"status": "ok", "data": [1, 2]}', "JSON but not a JSON Feed"),
    (b"{not json", "neither XML nor valid JSON"),
    (b'<?xml version="1.0"?><catalog><book>Kitab</book></catalog>', "not a feed"),
])
def test_parse_errors_are_clear(data, message):
    with pytest.raises(ParseError, match=message.replace("(", r"\(")):
        parse_feed(data)


def test_feed_without_items_is_empty_not_an_error():
    feed = parse_feed(b'<rss version="2.0"><channel><title>Vide</title></channel></rss>')
    assert feed.title == "Vide"
    assert feed.entries == ()


def _dated_feed(dates: list[str | None]) -> bytes:
    items = "".join(
        f"<item><title>n{i}</title><link>https://a.example/{i}</link>"
        + (f"<pubDate>{d}</pubDate>" if d else "")
        + "</item>"
        for i, d in enumerate(dates)
    )
    return f'<rss version="2.0"><channel><title>x</title>{items}</channel></rss>'.encode()


def test_max_entries_keeps_the_newest_in_document_order():
    data = _dated_feed([
        "Mon, 11 Nov 2024 10:00:00 +0000",
        None,
        "Wed, 13 Nov 2024 10:00:00 +0000",
        "Tue, 12 Nov 2024 10:00:00 +0000",
        None,
    ])
    assert [e.title for e in parse_feed(data, max_entries=2).entries] == ["n2", "n3"]
    assert [e.title for e in parse_feed(data, max_entries=4).entries] == ["n0", "n1", "n2", "n3"]
    assert len(parse_feed(data).entries) == 5
    assert parse_feed(data, max_entries=0).entries == ()


def test_max_entries_without_dates_keeps_document_order():
    data = _dated_feed([None] * 4)
    assert [e.title for e in parse_feed(data, max_entries=2).entries] == ["n0", "n1"]


def test_huge_feed_is_cut_not_hung():
    data = big_feed(100_000)
    assert len(data) > 10_000_000
    feed = parse_feed(data, max_entries=500)
    assert len(feed.entries) == 500
    assert feed.entries[0].title == "Article 0 — مقال 0"
    assert f"cut after {MAX_ITEMS} items" in (feed.warning or "")


def test_hespress_regenerated_feed():
    path = shared_path("feeds-test-corpus", "morocco-regenerated-feeds", "hespress.xml")
    feed = parse_feed(path.read_bytes())
    assert len(feed.entries) == 10
    assert feed.language == "en"  # declared, wrongly: detection is the enricher's job
    for entry in feed.entries:
        assert any("\u0600" <= ch <= "\u06ff" for ch in entry.title)
        assert "The post" not in entry.summary
        assert not entry.summary.endswith("[…]")
        assert entry.link.startswith("https://www.hespress.com/")
        assert entry.published is not None and entry.published.tzinfo is not None


@pytest.mark.parametrize("name", ["telquel.xml", "yabiladi-com.xml"])
def test_french_regenerated_feeds(name):
    path = shared_path("feeds-test-corpus", "morocco-regenerated-feeds", name)
    feed = parse_feed(path.read_bytes(), max_entries=5)
    assert len(feed.entries) == 5
    assert feed.encoding == "utf-8"
    assert all(e.title and e.link.startswith("https://") for e in feed.entries)
