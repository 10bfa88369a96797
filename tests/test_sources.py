"""Source registry (shipped + operator TOML) and OPML import/export."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import pytest

from akhbar.errors import ConfigError
from akhbar.sources.opml import export_opml, import_opml
from akhbar.sources.registry import (
    add_source,
    load_registry,
    load_sources,
    registry_sources_shipped,
    save_sources,
    source_to_toml_table,
)
from akhbar.types import DISPLAY_MODES, ExtractRules, Source

GOOD_TABLE = """
[[source]]
id = "souss-news"
name = "Souss News ⵙⵓⵙ"
homepage = "https://souss.example.ma/"
feeds = ["https://souss.example.ma/feed", "https://souss.example.ma/ar/feed"]
languages = ["fr", "ar"]
country = "MA"
crawl_interval = 1200
founded = "2016-03-01"
display = "excerpt"
excerpt_words = 40
"""


def write(tmp_path: Path, text: str, name: str = "ops.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the shipped registry -------------------------------------------------------------


def test_shipped_registry_loads_and_is_valid():
    sources = registry_sources_shipped()
    assert len(sources) >= 15
    ids = [s.id for s in sources]
    assert len(ids) == len(set(ids))
    feeds = [f for s in sources for f in s.feeds]
    assert len(feeds) == len(set(feeds))
    langs = {lang for s in sources for lang in s.languages}
    assert {"fr", "ar", "en"} <= langs
    for s in sources:
        assert s.country == "MA"
        assert s.display in DISPLAY_MODES
        assert 600 <= s.crawl_interval <= 3600
        assert s.languages, s.id
    by_id = {s.id: s for s in sources}
    assert {"hespress-ar", "hespress-fr", "hespress-en"} <= set(by_id)
    assert by_id["hespress-ar"].name == "هسبريس"
    assert by_id["hespress-fr"].feeds == ("https://fr.hespress.com/feed",)
    assert by_id["hespress-fr"].founded == date(2007, 1, 1)


def test_shipped_file_uses_exactly_the_documented_keys():
    # The demo press writes operator files with these keys; both must agree.
    allowed = {"id", "name", "homepage", "feeds", "languages", "country", "crawl_interval",
               "founded", "encoding", "display", "excerpt_words", "min_delay", "enabled",
               "extract"}
    from importlib import resources

    text = resources.files("akhbar.sources").joinpath("outlets.toml").read_text("utf-8")
    for table in tomllib.loads(text)["source"]:
        assert set(table) <= allowed
        assert isinstance(table.get("founded", ""), str)


def test_load_registry_without_operator_file_is_the_shipped_one():
    assert load_registry() == registry_sources_shipped()


# --- operator file: overrides and additions -------------------------------------------


def test_operator_file_overrides_one_field_and_adds_a_source(tmp_path):
    path = write(tmp_path, """
[[source]]
id = "hespress-fr"
crawl_interval = 3600
[source.extract]
body = "div.article-content"

""" + GOOD_TABLE)
    shipped = {s.id: s for s in registry_sources_shipped()}
    sources = load_registry(path)
    by_id = {s.id: s for s in sources}
    assert len(sources) == len(shipped) + 1
    fr = by_id["hespress-fr"]
    assert fr.crawl_interval == 3600
    assert fr.extract == ExtractRules(body="div.article-content")
    # Everything not given is kept from the shipped table.
    assert fr.feeds == shipped["hespress-fr"].feeds
    assert fr.name == shipped["hespress-fr"].name
    assert fr.founded == shipped["hespress-fr"].founded
    assert by_id["hespress-ar"] == shipped["hespress-ar"]
    new = by_id["souss-news"]
    assert new.languages == ("fr", "ar")
    assert new.founded == date(2016, 3, 1)
    assert new.excerpt_words == 40


def test_only_extra_ignores_the_shipped_file(tmp_path):
    path = write(tmp_path, GOOD_TABLE)
    sources = load_registry(path, only_extra=True)
    assert [s.id for s in sources] == ["souss-news"]


def test_only_extra_needs_complete_tables(tmp_path):
    path = write(tmp_path, '[[source]]\nid = "hespress-fr"\ncrawl_interval = 3600\n')
    with pytest.raises(ConfigError, match=r"source 'hespress-fr': missing required key 'name'"):
        load_registry(path, only_extra=True)


def test_operator_feed_already_shipped_is_refused(tmp_path):
    path = write(tmp_path, GOOD_TABLE.replace(
        '"https://souss.example.ma/ar/feed"', '"https://www.hespress.com/feed"'))
    with pytest.raises(ConfigError, match=r"ops.toml: source 'souss-news': feeds\[1\].*hespress-ar"):
        load_registry(path)


def test_operator_file_may_disable_a_shipped_source(tmp_path):
    path = write(tmp_path, '[[source]]\nid = "goud"\nenabled = false\n')
    goud = next(s for s in load_registry(path) if s.id == "goud")
    assert goud.enabled is False
    assert goud.languages == ("ar",)


# --- validation messages --------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('id = "souss-news"', 'id = "Souss News"', r"source 'Souss News': id 'Souss News' is not a slug"),
        ('id = "souss-news"', 'id = "souss--news"', r"is not a slug"),
        ('"https://souss.example.ma/ar/feed"', '"/ar/feed"',
         r"source 'souss-news': feeds\[1\] is not an http\(s\) URL"),
        ('"https://souss.example.ma/ar/feed"', '"ftp://souss.example.ma/feed"',
         r"feeds\[1\] is not an http\(s\) URL"),
        ('"https://souss.example.ma/ar/feed"', '"https://souss.example.ma/feed"',
         r"feeds\[1\] is listed twice"),
        ('feeds = ["https://souss.example.ma/feed", "https://souss.example.ma/ar/feed"]',
         "feeds = []", r"feeds must be a non-empty list"),
        ('homepage = "https://souss.example.ma/"', 'homepage = "souss.example.ma"',
         r"source 'souss-news': homepage is not an http\(s\) URL"),
        ('languages = ["fr", "ar"]', 'languages = ["fr", "ara"]',
         r"source 'souss-news': languages\[1\] 'ara' is not a 2-letter"),
        ('languages = ["fr", "ar"]', 'languages = ["FR"]', r"languages\[0\] 'FR'"),
        ('country = "MA"', 'country = "Maroc"', r"country 'Maroc'"),
        ("crawl_interval = 1200", "crawl_interval = 0",
         r"source 'souss-news': crawl_interval must be an integer >= 1"),
        ("crawl_interval = 1200", "crawl_interval = -5", r"crawl_interval must be an integer"),
        ("crawl_interval = 1200", 'crawl_interval = "1200"', r"crawl_interval must be an integer"),
        ("crawl_interval = 1200", "crawl_interval = true", r"crawl_interval must be an integer"),
        ('founded = "2016-03-01"', 'founded = "2016-13-01"',
         r"source 'souss-news': founded '2016-13-01' is not a date"),
        ('founded = "2016-03-01"', 'founded = "mars 2016"', r"founded 'mars 2016' is not a date"),
        ('display = "excerpt"', 'display = "everything"',
         r"source 'souss-news': display 'everything' is not one of full, excerpt, lede"),
        ("excerpt_words = 40", "excerpt_words = -1", r"excerpt_words must be an integer >= 0"),
        ("excerpt_words = 40", 'excerpt_words = 40\nencoding = "klingon-8"',
         r"encoding 'klingon-8' is not a known charset"),
        ("excerpt_words = 40", "excerpt_words = 40\nmin_delay = -1", r"min_delay must be"),
        ("excerpt_words = 40", 'excerpt_words = 40\nenabled = "yes"', r"enabled must be true or false"),
        ("excerpt_words = 40", "excerpt_words = 40\ncrawl_intreval = 60", r"unknown key 'crawl_intreval'"),
        ('name = "Souss News ⵙⵓⵙ"', 'name = ""', r"name must be a non-empty string"),
        ('name = "Souss News ⵙⵓⵙ"\n', "", r"source 'souss-news': missing required key 'name'"),
        ("excerpt_words = 40", 'excerpt_words = 40\n[source.extract]\nbody = 3',
         r"extract.body must be a non-empty string"),
        ("excerpt_words = 40", 'excerpt_words = 40\n[source.extract]\nheadline = "h1"',
         r"extract: unknown key 'headline'"),
        ("excerpt_words = 40", 'excerpt_words = 40\n[source.extract]\ndrop = "aside"',
         r"extract.drop must be a list"),
    ],
)
def test_each_validation_error_names_file_source_and_field(tmp_path, old, new, message):
    assert old in GOOD_TABLE
    path = write(tmp_path, GOOD_TABLE.replace(old, new, 1))
    with pytest.raises(ConfigError, match=message) as info:
        load_sources(path)
    assert str(info.value).startswith(f"{path}: ")


def test_duplicate_ids_and_feeds_in_one_file(tmp_path):
    twice = write(tmp_path, GOOD_TABLE + GOOD_TABLE, "twice.toml")
    with pytest.raises(ConfigError, match=r"twice.toml: source 'souss-news': id is used twice"):
        load_sources(twice)
    other = GOOD_TABLE.replace('id = "souss-news"', 'id = "souss-bis"')
    shared_feed = write(tmp_path, GOOD_TABLE + other, "shared.toml")
    with pytest.raises(ConfigError, match=r"source 'souss-bis': feeds\[0\] .* also a feed of source 'souss-news'"):
        load_sources(shared_feed)


def test_broken_toml_and_missing_file(tmp_path):
    with pytest.raises(ConfigError, match=r"broken.toml: not valid TOML"):
        load_sources(write(tmp_path, "[[source]\nid = ", "broken.toml"))
    with pytest.raises(ConfigError, match=r"cannot read sources file"):
        load_sources(tmp_path / "absent.toml")
    with pytest.raises(ConfigError, match=r"unknown top-level keys: sources"):
        load_sources(write(tmp_path, '[[sources]]\nid = "x"\n', "typo.toml"))


def test_empty_file_has_no_sources(tmp_path):
    assert load_sources(write(tmp_path, "# nothing yet\n")) == []


# --- writing --------------------------------------------------------------------------


def full_source() -> Source:
    return Source(
        id="sahara-info",
        name="الصحراء إنفو",
        homepage="https://sahara.example.ma/",
        feeds=("https://sahara.example.ma/feed", "https://sahara.example.ma/fr/feed"),
        languages=("ar", "fr"),
        crawl_interval=900,
        founded=date(2019, 6, 15),
        encoding="windows-1256",
        extract=ExtractRules(body="//div[@id='content']", title="h1.titre",
                             drop=(".cookie", "aside.lire-aussi")),
        display="lede",
        excerpt_words=25,
        min_delay=4.5,
        enabled=False,
    )


def test_save_and_load_round_trip_exactly(tmp_path):
    path = tmp_path / "out" / "sources.toml"
    sources = registry_sources_shipped() + [full_source()]
    save_sources(path, sources)
    assert load_sources(path) == sources
    # Optional keys are left out rather than written empty.
    table = source_to_toml_table(registry_sources_shipped()[0])
    assert "encoding" not in table and "min_delay" not in table and "extract" not in table


def test_save_refuses_an_invalid_source(tmp_path):
    bad = Source(id="Bad Id", name="x", homepage="https://x.ma/", feeds=("https://x.ma/f",),
                 languages=("fr",))
    with pytest.raises(ConfigError, match="is not a slug"):
        save_sources(tmp_path / "s.toml", [bad])
    assert not (tmp_path / "s.toml").exists()


def test_add_source_creates_then_updates(tmp_path):
    path = tmp_path / "ops.toml"
    add_source(path, full_source())
    assert load_sources(path) == [full_source()]

    other = Source(id="rif-press", name="Rif Press", homepage="https://rif.example.ma/",
                   feeds=("https://rif.example.ma/rss",), languages=("fr",))
    add_source(path, other)
    changed = Source(**{**full_source().__dict__, "crawl_interval": 2400, "enabled": True})
    add_source(path, changed)
    assert load_sources(path) == [changed, other]  # replaced in place, order kept


def test_add_source_keeps_partial_overrides(tmp_path):
    path = write(tmp_path, '[[source]]\nid = "hespress-fr"\ncrawl_interval = 3600\n')
    add_source(path, full_source())
    by_id = {s.id: s for s in load_registry(path)}
    assert by_id["hespress-fr"].crawl_interval == 3600
    assert by_id["sahara-info"] == full_source()


# --- OPML -----------------------------------------------------------------------------


def test_opml_round_trip_keeps_feeds_homepages_names_languages():
    sources = registry_sources_shipped() + [full_source()]
    text = export_opml(sources, title="Presse marocaine — الصحافة المغربية")
    assert 'version="2.0"' in text and "هسبريس" in text
    back = {s.id: s for s in import_opml(text)}
    assert set(back) == {s.id for s in sources}
    for s in sources:
        b = back[s.id]
        assert (b.name, b.homepage, b.feeds, b.languages) == (
            s.name, s.homepage, s.feeds, s.languages)
    # bytes work as well as text
    assert {s.id for s in import_opml(text.encode("utf-8"))} == set(back)


def test_opml_export_outlines():
    from lxml import etree

    root = etree.fromstring(export_opml([full_source()]).encode())
    feeds = root.findall(".//outline[@xmlUrl]")
    assert [f.get("xmlUrl") for f in feeds] == list(full_source().feeds)
    for f in feeds:
        assert f.get("type") == "rss"
        assert f.get("text") == f.get("title") == "الصحراء إنفو"
        assert f.get("htmlUrl") == "https://sahara.example.ma/"
        assert f.get("language") == "ar,fr"
    # grouped by (first) language
    assert root.find("body/outline").get("text") == "ar"


FOREIGN_OPML = """<?xml version="1.0" encoding="ISO-8859-1"?>
<opml version="1.0">
  <head><title>Mes flux</title></head>
  <body>
    <outline text="Maroc">
      <outline text="Actualités">
        <outline type="rss" text="Le Journal de Tanger" xmlUrl="https://tanger.example.ma/feed"
                 htmlUrl="https://tanger.example.ma" language="fr-MA"/>
        <outline type="rss" text="Le Journal de Tanger - Économie"
                 xmlUrl="https://tanger.example.ma/economie/feed" htmlUrl="https://tanger.example.ma/"/>
      </outline>
      <outline type="rss" text="&#1571;&#1582;&#1576;&#1575;&#1585;&#32;&#1601;&#1575;&#1587;" xmlURL="https://fes.example.ma/rss"/>
      <outline type="rss" title="Morocco Tech" text="ignored" xmlUrl="https://tech.example.com/atom.xml"
               htmlUrl="https://tech.example.com/"/>
    </outline>
    <outline type="rss" text="Le Journal de Tanger" xmlUrl="https://tanger.example.ma/feed"/>
    <outline type="rss" text="Morocco Tech" xmlUrl="https://tech2.example.com/feed"
             htmlUrl="https://tech2.example.com/"/>
  </body>
</opml>
"""


def test_opml_import_of_a_foreign_file():
    # Latin-1 bytes; the Arabic title is written as character references.
    sources = import_opml(FOREIGN_OPML.encode("iso-8859-1"))
    by_id = {s.id: s for s in sources}
    assert list(by_id) == ["le-journal-de-tanger", "fes-example-ma", "morocco-tech", "morocco-tech-2"]
    tanger = by_id["le-journal-de-tanger"]
    # two feeds with the same homepage (trailing slash aside) are one source; duplicate feed dropped
    assert tanger.feeds == ("https://tanger.example.ma/feed", "https://tanger.example.ma/economie/feed")
    assert tanger.languages == ("fr",)
    assert tanger.name == "Le Journal de Tanger"
    fes = by_id["fes-example-ma"]  # Arabic title: the id comes from the host
    assert fes.name == "أخبار فاس"
    assert fes.homepage == "https://fes.example.ma/"
    assert fes.languages == ()  # unknown, not guessed
    assert by_id["morocco-tech"].feeds == ("https://tech.example.com/atom.xml",)


def test_imported_sources_can_be_saved(tmp_path):
    path = tmp_path / "imported.toml"
    sources = import_opml(FOREIGN_OPML)
    save_sources(path, sources)
    assert load_sources(path) == sources


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE opml [
  <!ENTITY a "ha">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
  <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
  <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
  <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
  <!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">
  <!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">
]>
<opml version="2.0"><body>
<outline type="rss" text="&i;" xmlUrl="https://bomb.example.ma/feed"/>
</body></opml>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<opml version="2.0"><body>
<outline type="rss" text="&secret;" xmlUrl="https://leak.example.ma/feed"/>
</body></opml>
"""


@pytest.mark.parametrize("text", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_malicious_opml_is_refused(text):
    with pytest.raises(ConfigError, match="DOCTYPE"):
        import_opml(text)
    with pytest.raises(ConfigError, match="DOCTYPE"):
        import_opml(text.encode())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<opml><body><outline", "not well-formed"),
        ("", "not well-formed|empty"),
        ('<rss version="2.0"><channel/></rss>', "not an OPML document"),
        ('<opml version="2.0"><body><outline text="vide"/></body></opml>', "no feed outline"),
        ('<opml version="2.0"><body><outline text="x" xmlUrl="javascript:alert(1)"/></body></opml>',
         "is not an http"),
    ],
)
def test_malformed_opml(text, message):
    with pytest.raises(ConfigError, match=message):
        import_opml(text)


def test_only_extra_without_a_file_is_a_config_error():
    with pytest.raises(ConfigError, match="none is set"):
        load_registry(None, only_extra=True)
