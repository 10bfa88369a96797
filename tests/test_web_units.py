"""The site's pure parts: display modes, sanitiser, URLs, catalogues, language choice."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from akhbar.types import Source, StoredArticle
from akhbar.web.data import Pager, SiteError, day_bounds, parse_day, parse_page
from akhbar.web.i18n import choose_lang, from_accept_language, long_date
from akhbar.web.render import clean_html, clean_text, http_url, shown, snippet_html

WEB = Path(__file__).resolve().parents[1] / "src/akhbar/web"


def stored(**kw) -> StoredArticle:
    base = dict(id=1, url="https://x.example/a", source_id="s", title="t", text="", lang="fr",
                first_seen=datetime(2024, 1, 1, tzinfo=UTC), published=None, date_source="feed")
    base.update(kw)
    return StoredArticle(**base)


def source(display: str, words: int = 5) -> Source:
    return Source(id="s", name="S", homepage="https://x.example/", feeds=("https://x.example/f",),
                  languages=("fr",), display=display, excerpt_words=words)


TEXT = "un deux trois\n\nquatre cinq six sept\n\nhuit neuf dix"


def test_excerpt_counts_words_across_paragraphs():
    view = shown(stored(text=TEXT), source("excerpt", 5))
    assert view.text == "un deux trois\n\nquatre cinq …"
    assert str(view.html) == "<p>un deux trois</p><p>quatre cinq …</p>"
    assert view.truncated
    exact = shown(stored(text="un deux trois"), source("excerpt", 3))
    assert exact.text == "un deux trois" and not exact.truncated
    at_break = shown(stored(text=TEXT), source("excerpt", 3))
    assert at_break.text == "un deux trois …" and at_break.truncated


def test_lede_prefers_the_outlets_teaser_and_caps_it():
    view = shown(stored(text=TEXT, summary="Le chapeau de l'article."), source("lede", 30))
    assert view.text == "Le chapeau de l'article. …" and view.truncated
    no_teaser = shown(stored(text=TEXT), source("lede", 30))
    assert no_teaser.text == "un deux trois …"
    capped = shown(stored(text="a b c d e f g h"), source("lede", 3))
    assert capped.text == "a b c …"


def test_full_uses_sanitised_html_or_the_text():
    view = shown(stored(text=TEXT, html='<p onclick="x()">un <script>bad()</script>'
                        '<a href="https://y.example/">lien</a></p>'), source("full"))
    assert str(view.html) == ('<p>un <a href="https://y.example/" '
                              'rel="noopener noreferrer nofollow">lien</a></p>')
    assert not view.truncated and view.text == TEXT
    plain = shown(stored(text="a <b> & c"), source("full"))
    assert str(plain.html) == "<p>a &lt;b&gt; &amp; c</p>"


@pytest.mark.parametrize("display", ["unknown", ""])
def test_unknown_mode_or_outlet_is_the_most_restrictive(display):
    assert shown(stored(text=TEXT), source(display)).mode == "lede"
    assert shown(stored(text=TEXT), None).mode == "lede"


def test_sanitiser_allow_list():
    dirty = ('<h1>T</h1><p style="x" class="c" id="i">p</p><img src=x onerror=y>'
             '<a href="javascript:alert(1)">j</a><a href="mailto:a@b.ma">m</a>'
             '<iframe src="https://e.example"></iframe><blockquote>q</blockquote>')
    assert str(clean_html(dirty)) == (
        'T<p>p</p><a rel="noopener noreferrer nofollow">j</a>'
        '<a href="mailto:a@b.ma" rel="noopener noreferrer nofollow">m</a><blockquote>q</blockquote>')
    assert clean_text("a\u202eb\u2066c\x07d\u200fe") == "abcd\u200fe"  # RLM kept: it is text


@pytest.mark.parametrize("url,expected", [
    ("https://a.ma/x?y=1#z", "https://a.ma/x?y=1#z"),
    ("http://a.ma/%D8%A7", "http://a.ma/%D8%A7"),
    ("https://a.ma/مقال", "https://a.ma/%D9%85%D9%82%D8%A7%D9%84"),
    ('https://a.ma/"><x>', "https://a.ma/%22%3E%3Cx%3E"),
    ("javascript:alert(1)", None), ("//a.ma/x", None), ("/relative", None),
    ("https:///nohost", None), (" https://a.ma/", None), ("https://a.ma/a b", None),
    ("data:image/png;base64,xx", None), ("https://a.ma/\u202e", None), ("", None), (None, None),
])
def test_http_url(url, expected):
    assert http_url(url) == expected


def test_snippets_keep_only_marks_and_respect_the_mode():
    full = shown(stored(text="alpha beta gamma delta"), source("full"))
    assert str(snippet_html('alpha <mark class="x" onclick="y">beta</mark><b>g</b>', full)) == \
        "alpha <mark>beta</mark>g"
    excerpt = shown(stored(text="alpha beta gamma delta epsilon"), source("excerpt", 2))
    inside = snippet_html("alpha <mark>beta</mark> …", excerpt)
    assert str(inside) == "alpha <mark>beta</mark> …"
    beyond = snippet_html("… gamma <mark>delta</mark> epsilon", excerpt)
    assert "delta" not in str(beyond) and str(beyond) == "alpha beta …"


def test_pages_and_days():
    assert Pager(1, 30, 0).pages == 1 and Pager(2, 30, 31).pages == 2
    assert Pager(10, 10, 500).links() == [1, None, 8, 9, 10, 11, 12, None, 50]
    assert Pager(1, 10, 30).links() == [1, 2, 3]
    for bad in ("0", "-1", "x", "1.5", "١", "100001"):
        with pytest.raises(SiteError):
            parse_page(bad)
    assert parse_page(None) == 1 and parse_page("7") == 7
    # Casablanca was UTC+1 on 2024-05-14 and UTC+0 during Ramadan (2024-03-20).
    start, end = day_bounds(parse_day("2024", "05", "14"))
    assert start.astimezone(UTC) == datetime(2024, 5, 13, 23, 0, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2024, 5, 14, 23, 0, tzinfo=UTC)
    start, _ = day_bounds(parse_day("2024", "03", "20"))
    assert start.astimezone(UTC) == datetime(2024, 3, 20, 0, 0, tzinfo=UTC)
    with pytest.raises(SiteError):
        parse_day("2023", "02", "29")


@pytest.mark.parametrize("header,expected", [
    ("ar-MA,ar;q=0.9,fr;q=0.8", "ar"), ("fr-FR", "fr"), ("en-US,en;q=0.9", "en"),
    ("de,en;q=0.5,ar;q=0.6", "ar"), ("de,es", None), ("", None), (None, None),
    ("ar;q=0,en", "en"), ("fr;q=abc, en", "en"), ("*", None), ("en;q=0.5, fr;q=0.5", "en"),
])
def test_accept_language(header, expected):
    assert from_accept_language(header) == expected


def test_cookie_beats_accept_language_and_french_is_the_default():
    assert choose_lang("en", "ar") == "en"
    assert choose_lang("xx", "ar") == "ar"
    assert choose_lang(None, "de") == "fr"


def test_dates_in_casablanca_in_each_language():
    t = datetime(2024, 5, 14, 13, 30, tzinfo=UTC)
    assert long_date(t, "fr") == "14 mai 2024 14:30"
    assert long_date(t, "en") == "14 May 2024 14:30"
    assert long_date(t, "ar") == "14 ماي 2024 14:30"  # Moroccan month, Latin digits


def _extracted() -> dict:
    method_map = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
    options = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true",
                                        "lstrip_blocks": "true"}}
    return {msg: where for where, _, msg, _, _ in extract_from_dir(
        str(WEB), method_map=method_map, options_map=options)}


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_catalogue_translates_every_message_with_its_placeholders(lang):
    with open(WEB / "i18n" / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        catalog = read_po(f, locale=lang)
    wanted = _extracted()
    assert len(wanted) > 50
    for msgid, where in wanted.items():
        message = catalog.get(msgid if isinstance(msgid, str) else msgid[0])
        assert message is not None, f"{lang}: {msgid!r} ({where}) is not in the catalogue"
        assert not message.fuzzy, msgid
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"{lang}: {msgid!r} has no translation"
        ids = msgid if isinstance(msgid, tuple) else (msgid,)
        placeholders = set(re.findall(r"%\(\w+\)s", " ".join(ids))) - {"%(count)s"}
        for s in strings:
            assert placeholders <= set(re.findall(r"%\(\w+\)s", s)), (lang, msgid, s)
    assert catalog.num_plurals == (6 if lang == "ar" else 3)


def test_page_cache_is_bounded_and_follows_the_marker():
    from akhbar.web.caching import PageCache

    cache = PageCache(800)  # entries up to 100 bytes
    cache.get("m1", "a")
    cache.put("m1", "a", [], b"a" * 100)
    cache.put("m1", "big", [], b"b" * 101)  # over an eighth of the budget: not kept
    assert cache.get("m1", "a") == ([], b"a" * 100) and cache.get("m1", "big") is None
    for k in "bcdefgh":
        cache.put("m1", k, [], b"x" * 100)
    assert cache.size == 800
    cache.get("m1", "a")  # used: "b" is now the least recently used
    cache.put("m1", "i", [], b"x" * 100)
    assert cache.size == 800 and cache.get("m1", "b") is None and cache.get("m1", "a")
    # A new marker (an article stored): everything before it is gone at once ...
    assert cache.get("m2", "a") is None and cache.size == 0
    # ... and a page rendered under the old one is not kept.
    cache.put("m1", "a", [], b"old")
    assert cache.get("m2", "a") is None
    off = PageCache(0)
    off.put(None, "a", [], b"x")
    assert off.get(None, "a") is None


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_every_search_query_error_is_translated(lang):
    """The search engine's reasons (akhbar.search.query.MESSAGES) are msgids of the site's
    catalogues, with the same placeholders (a %(value)r may become %(value)s in «»)."""
    from akhbar.search.query import MESSAGES
    from akhbar.web.i18n import translate

    with open(WEB / "i18n" / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        catalog = read_po(f, locale=lang)
    for code, msgid in MESSAGES.items():
        message = catalog.get(msgid)
        assert message is not None and message.string and not message.fuzzy, (lang, code)
        names = set(re.findall(r"%\((\w+)\)[rs]", msgid))
        assert names == set(re.findall(r"%\((\w+)\)[rs]", message.string)), (lang, code)
        params = dict.fromkeys(names, "x")
        assert translate(lang, msgid, params) == message.string % params

