"""Sections from the outlet's own labels, in French, Arabic and English, and the store filter."""

from datetime import UTC, datetime

import pytest

from akhbar.enrich.section import section_from_labels, section_of_label
from akhbar.types import SECTIONS, Article


@pytest.mark.parametrize(
    ("label", "section"),
    [
        ("Économie", "economie"),
        ("ECONOMIE", "economie"),
        ("اقتصاد", "economie"),
        ("الرياضة", "sport"),
        ("Sports", "sport"),
        ("Politique / Nation", "politique"),
        ("السياسة", "politique"),
        ("Faits divers", "societe"),
        ("Monde", "international"),
        ("Météo", "meteo"),
        ("أحوال الطقس", "meteo"),
        ("Culture & Arts", "culture"),
        ("Régions", "regions"),
        ("Breaking", None),
        ("", None),
    ],
)
def test_labels_in_three_languages(label, section):
    assert section_of_label(label) == section
    assert section is None or section in SECTIONS


def test_first_label_naming_a_section_wins_then_the_url():
    assert section_from_labels(["Maroc", "Sport"], "https://x.ma/a/1") == "sport"
    assert section_from_labels([], "https://x.ma/economie/le-port-1.html") == "economie"
    # Arabic path segment, percent-encoded as it comes off the wire
    assert section_from_labels([], "https://x.ma/%D8%B1%D9%8A%D8%A7%D8%B6%D8%A9/123") == "sport"
    # the slug itself is about sport, but says nothing about where it is filed
    assert section_from_labels([], "https://x.ma/2024/sport-et-sante") is None


def _article(url, section, when):
    return Article(
        url=url, source_id="demo-fr", title="Titre", text="Texte.", lang="fr",
        first_seen=when, published=when, date_source="feed", section=section,
    )


def test_store_keeps_section_and_filters_on_it(store):
    from akhbar.types import Source

    store.sync_sources([Source(id="demo-fr", name="Demo", homepage="https://demo.ma/",
                               feeds=("https://demo.ma/rss",), languages=("fr",))])
    t = datetime(2024, 5, 1, tzinfo=UTC)
    store.add_article(_article("https://demo.ma/sport/1", "sport", t))
    store.add_article(_article("https://demo.ma/eco/2", "economie", t))
    store.add_article(_article("https://demo.ma/x/3", None, t))
    assert [a.url for a in store.latest_articles(section="sport")] == ["https://demo.ma/sport/1"]
    assert {a.section for a in store.latest_articles()} == {"sport", "economie", None}
