"""akhbar.parse.extract on invented Moroccan news pages (tests/data/pages, expected.json)."""

from __future__ import annotations

import json
import pickle
from datetime import UTC, datetime
from pathlib import Path

import pytest

from akhbar.errors import ExtractError
from akhbar.parse.extract import LOCAL_TZ, extract, parse_iso
from akhbar.types import Extracted, ExtractRules

PAGES = Path(__file__).parent / "data" / "pages"
EXPECTED: dict[str, dict] = json.loads((PAGES / "expected.json").read_text(encoding="utf-8"))
# Pages the generic extractor reads alone; the tricky layout is tested with its rules.
ARTICLES = sorted(name for name, exp in EXPECTED.items()
                  if not exp.get("raises") and "generic_fails" not in exp)


def _page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def _rules(spec: dict) -> ExtractRules:
    return ExtractRules(**{**spec, "drop": tuple(spec.get("drop", ()))})


def _local_day(value: datetime | None) -> str | None:
    return value.astimezone(LOCAL_TZ).date().isoformat() if value else None


@pytest.mark.parametrize("name", ARTICLES)
def test_generic_extraction(name: str) -> None:
    exp = EXPECTED[name]
    got = extract(_page(name), exp["url"])
    assert isinstance(got, Extracted)
    assert got.extractor == "trafilatura"
    for sentence in exp["contains"]:
        assert sentence in got.text, sentence
    for boilerplate in exp["absent"]:
        assert boilerplate not in got.text, boilerplate
        assert boilerplate not in got.html, boilerplate
    for fragment in exp.get("html_contains", ()):
        assert fragment in got.html, fragment
    # the title is kept apart, not repeated as the first line of the text
    assert not got.text.startswith(exp["title"])
    assert "\n\n" in got.text  # paragraphs separated by blank lines
    assert got.title == exp["title"]
    for key in ("author", "canonical_url", "image", "language"):
        if key in exp:
            assert getattr(got, key) == exp[key], key
    if "tags" in exp:
        assert list(got.tags) == exp["tags"]
    for key in ("published", "updated"):
        if key in exp:
            want = datetime.fromisoformat(exp[key]) if exp[key] else None
            assert getattr(got, key) == want, key
            if want:
                assert getattr(got, key).tzinfo == UTC
    if "published_day" in exp:
        assert _local_day(got.published) == exp["published_day"]


def test_rules_fix_tricky_layout() -> None:
    name = "fr_tricky_layout.html"
    exp = EXPECTED[name]
    page = _page(name)
    # without rules the side column's teasers win
    generic = extract(page, exp["url"])
    assert exp["generic_fails"]["absent_from_generic"] not in generic.text
    want = exp["with_rules"]
    got = extract(page, exp["url"], _rules(exp["rules"]))
    assert got.extractor == want["extractor"]
    assert got.title == want["title"]
    assert want["author_contains"] in (got.author or "")
    for sentence in want["contains"]:
        assert sentence in got.text, sentence
        assert sentence in got.html, sentence
    for boilerplate in want["absent"]:
        assert boilerplate not in got.text, boilerplate
    assert got.html.startswith("<p>")
    assert "\n\n" in got.text  # <br><br> became paragraph breaks
    assert _local_day(got.published) == want["published_day"]


@pytest.mark.parametrize("name", ["ar_visible_date.html", "fr_visible_date.html"])
def test_rules_for_visible_dates(name: str) -> None:
    exp = EXPECTED[name]
    got = extract(_page(name), exp["url"], _rules(exp["rules"]))
    assert got.extractor == "trafilatura"  # no body rule: the generic text is kept
    assert exp["with_rules"]["author_contains"] in (got.author or "")
    assert _local_day(got.published) == exp["with_rules"]["published_day"]


def test_drop_rule_removes_a_box() -> None:
    exp = EXPECTED["fr_visible_date.html"]
    page = _page("fr_visible_date.html")
    assert "Lire aussi" in extract(page, exp["url"]).text  # inline "lire aussi" paragraph slips in
    got = extract(page, exp["url"], ExtractRules(drop=(".lire-aussi",)))
    assert "Lire aussi" not in got.text
    assert "hommage aux maîtres du malhoun" in got.text


def test_xpath_body_rule() -> None:
    exp = EXPECTED["en_og.html"]
    got = extract(_page("en_og.html"), exp["url"], ExtractRules(body="//section[@class='story-body']"))
    assert got.extractor == "rules"
    assert "connected to the national grid" in got.text
    assert "<blockquote>" in got.html and "<h3>" in got.html
    assert got.title == exp["title"]  # metadata still comes from trafilatura
    assert got.published == datetime.fromisoformat(exp["published"])


def test_no_article_raises() -> None:
    with pytest.raises(ExtractError):
        extract(_page("not_an_article.html"), EXPECTED["not_an_article.html"]["url"])


@pytest.mark.parametrize("html", ["", "   ", "<html></html>", "not html at all \x00"])
def test_garbage_raises_extract_error(html: str) -> None:
    with pytest.raises(ExtractError):
        extract(html, "https://example.ma/")


def test_result_is_picklable_for_the_process_pool() -> None:
    got = extract(_page("ar_jsonld_graph.html"), EXPECTED["ar_jsonld_graph.html"]["url"])
    assert pickle.loads(pickle.dumps(got)) == got


@pytest.mark.parametrize(
    ("value", "want"),
    [
        ("2024-03-12T10:30:00+01:00", datetime(2024, 3, 12, 9, 30, tzinfo=UTC)),
        ("2024-03-12T10:30:00Z", datetime(2024, 3, 12, 10, 30, tzinfo=UTC)),
        ("2024-03-12T10:30:00+0100", datetime(2024, 3, 12, 9, 30, tzinfo=UTC)),
        ("2024-03-12", datetime(2024, 3, 12, tzinfo=UTC)),
        # naive times are Moroccan local time: UTC+1 in June, UTC+0 during Ramadan
        ("2024-06-20T12:00:00", datetime(2024, 6, 20, 11, 0, tzinfo=UTC)),
        ("nonsense", None),
        ("", None),
    ],
)
def test_parse_iso(value: str, want: datetime | None) -> None:
    assert parse_iso(value) == want


def test_body_rule_matching_nothing_falls_back_to_generic() -> None:
    exp = EXPECTED["en_og.html"]
    got = extract(_page("en_og.html"), exp["url"], ExtractRules(body=".old-layout-body"))
    assert got.extractor == "trafilatura"
    assert "connected to the national grid" in got.text
