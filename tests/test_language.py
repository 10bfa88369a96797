from __future__ import annotations

import gzip
import json
import pickle

import pytest

from akhbar.enrich.language import detect_language
from conftest import shared_path

# Invented sentences (not taken from any publication).
FRENCH = [
    "Le gouvernement a annoncé mardi une hausse du budget consacré à la santé publique.",
    "Les agriculteurs de la région du Souss attendent la pluie après trois années de sécheresse.",
    "Le Raja s'est imposé face au Wydad dans un derby disputé à guichets fermés.",
]
ENGLISH = [
    "The central bank kept its key rate unchanged on Tuesday, citing easing inflation.",
    "Morocco will host the Africa Cup of Nations, the football federation said in a statement.",
    "Tourist arrivals rose by a fifth in the first quarter, according to official figures.",
]
ARABIC = [
    "أعلنت وزارة الاقتصاد والمالية، يوم الثلاثاء، عن إطلاق برنامج جديد لدعم المقاولات الصغرى.",
    "صادق مجلس النواب بالأغلبية على مشروع القانون المتعلق بالحق في الحصول على المعلومات.",
    "تتوقع المديرية العامة للأرصاد الجوية تساقطات مطرية مهمة بعدد من مناطق المملكة.",
]
DARIJA = [
    "واش نتا عارف بلي الحكومة غادي تزيد فثمن البوطا؟ بزاف ديال الناس ما عندهومش باش يخلصو",
    "كنبغي نمشي للمدينة القديمة غدا مع صحابي باش نشوفو الماتش ديال الرجاء والوداد",
    "الدراري فالحومة كيقولو بلي الماتش غادي يتلعب فالليل",
    "علاش ما بغيتيش تجي معانا للبحر نهار السبت؟ راه الجو زوين بزاف",
]


@pytest.mark.parametrize("allowed", [(), ("fr",), ("ar",), ("fr", "ar"), ("en",)])
def test_invented_sentences(allowed: tuple[str, ...]) -> None:
    for text in FRENCH:
        assert detect_language(text, allowed) == ("fr", None)
    for text in ENGLISH:
        assert detect_language(text, allowed) == ("en", None)
    for text in ARABIC:
        assert detect_language(text, allowed) == ("ar", None)


def test_english_article_from_french_outlet() -> None:
    title = "Morocco's trade deficit narrows"
    assert detect_language(f"{title}\n{ENGLISH[2]}", ("fr",))[0] == "en"


def test_darija_is_arabic_with_a_hint() -> None:
    results = [detect_language(text, ("ar",)) for text in DARIJA]
    assert all(lang == "ar" for lang, _ in results)
    # The hint is a soft signal: the short sentences above score 0.26-0.6 for ary.
    assert sum(hint == "ary" for _, hint in results) >= 3


def test_mixed_script_goes_by_majority() -> None:
    # An Arabic sentence quoting a French acronym stays Arabic.
    assert detect_language("قال رئيس الحكومة إن مشروع TGV سيصل إلى مراكش قريبا", ("fr",))[0] == "ar"
    # A French sentence with one Arabic name stays French.
    assert detect_language("Le quartier de درب السلطان accueille un nouveau marché couvert.")[0] == "fr"


def test_no_letters_falls_back_to_source_language() -> None:
    assert detect_language("", ("fr", "ar")) == ("fr", None)
    assert detect_language("— 2024 —") == ("und", None)
    # A bare link is not English.
    assert detect_language("https://www.youtube.com/watch?v=abc", ("ar",)) == ("ar", None)


def test_tifinagh() -> None:
    assert detect_language("ⴰⵣⵓⵍ ⴼⵍⴰⵡⵏ ⵙ ⵜⵎⴰⵣⵉⵖⵜ", ("ar", "fr")) == ("zgh", None)


def test_unknown_allowed_languages_are_ignored() -> None:
    assert detect_language(FRENCH[0], ("fr", "xx", "zgh")) == ("fr", None)
    assert detect_language(FRENCH[0], ("FR",)) == ("fr", None)


def test_only_the_start_is_read() -> None:
    text = " ".join(FRENCH * 5) + " " + ARABIC[0] * 50
    assert len(" ".join(FRENCH * 5)) > 1000
    assert detect_language(text, ("fr",))[0] == "fr"


def test_picklable() -> None:
    assert pickle.loads(pickle.dumps(detect_language))(ARABIC[0]) == ("ar", None)


def _read(path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


@pytest.mark.shared
def test_accuracy_on_french_headlines() -> None:
    rows = _read(shared_path("morocco-fr-headlines-2019", "morocco_fr_headlines_2019.jsonl.gz"))
    hits = sum(
        detect_language(f"{r['title']}\n{r['summary']}".strip(), ("fr",))[0] == "fr" for r in rows
    )
    accuracy = hits / len(rows)
    print(f"fr headlines+leads: {hits}/{len(rows)} = {accuracy:.4f}")
    assert accuracy >= 0.97
    # Without the source's language too (empty registry entry).
    hits = sum(detect_language(f"{r['title']}\n{r['summary']}")[0] == "fr" for r in rows)
    assert hits / len(rows) >= 0.97


@pytest.mark.shared
def test_accuracy_on_arabic_articles() -> None:
    rows = _read(shared_path("morocco-ar-article-text-2019", "morocco_ar_articles.jsonl.gz"))
    results = [detect_language(r["text"], ("ar",)) for r in rows]
    hits = sum(lang == "ar" for lang, _ in results)
    darija = sum(hint == "ary" for _, hint in results)
    print(f"ar articles: {hits}/{len(rows)} = {hits / len(rows):.4f}; ary hints: {darija}")
    assert hits / len(rows) >= 0.97
    # Press MSA should almost never be hinted as Darija.
    assert darija <= len(rows) * 0.01
