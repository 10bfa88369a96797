"""The query language: what each piece means, and garbage that must never crash."""

from __future__ import annotations

from datetime import date

import pytest

from akhbar.errors import AkhbarError
from akhbar.search import QueryError, parse_query
from akhbar.search.query import Term


def test_words_are_anded_and_or_joins_neighbours():
    q = parse_query("rabat casablanca OR tanger")
    assert q.groups == ((Term(("rabat",)),), (Term(("casablanca",)), Term(("tanger",))))


def test_phrases_exclusions_and_filters():
    q = parse_query('"coupe du monde" -football -"ligue des champions" source:le360 '
                    "source:hespress-fr lang:FR section:sport after:2024-03-01 before:2024-04-01 sort:date")
    assert q.groups == ((Term(("coupe", "du", "monde"), phrase=True),),)
    assert q.excluded == (Term(("football",)), Term(("ligue", "des", "champions"), phrase=True))
    assert q.sources == ("le360", "hespress-fr")
    assert (q.lang, q.section, q.sort) == ("fr", "sport", "date")
    assert (q.after, q.before) == (date(2024, 3, 1), date(2024, 4, 1))


@pytest.mark.parametrize("value, after, before", [
    ("2024", date(2024, 1, 1), date(2025, 1, 1)),
    ("2024-12", date(2024, 12, 1), date(2025, 1, 1)),
    ("2024-02-29", date(2024, 2, 29), date(2024, 3, 1)),
])
def test_date_filter_is_a_range(value, after, before):
    q = parse_query(f"maroc date:{value}")
    assert (q.after, q.before) == (after, before)


def test_filters_alone_are_a_query():
    q = parse_query("source:le360 lang:ar")
    assert not q.has_text and q.has_filters


def test_hyphenated_word_is_a_phrase_and_an_unknown_key_is_text():
    assert parse_query("Casablanca-Settat").groups == ((Term(("Casablanca", "Settat"), phrase=True),),)
    assert parse_query("title:pluie").groups == ((Term(("title", "pluie"), phrase=True),),)


def test_arabic_query_with_quotes_and_exclusion():
    q = parse_query('"سعر الفائدة" -مصر')
    assert q.groups == ((Term(("سعر", "الفائدة"), phrase=True),),)
    assert q.excluded == (Term(("مصر",)),)


@pytest.mark.parametrize("garbage", [
    '"unbalanced quote', "pluie -", "OR OR pluie OR", "pluie OR", "a* ^b NEAR(c d) :e",
    "'; DROP TABLE articles; --", "pluie\x00\x01", "(((maroc)))", "«élections»", "“قطر”",
    "pluie " + "OR " * 10, "-pluie maroc", "\u200f\u200eالمغرب", "a:b:c", "source:le360 -",
])
def test_garbage_gives_a_query(garbage):
    q = parse_query(garbage)
    assert q.has_text or q.has_filters


@pytest.mark.parametrize("bad, says", [
    ("", "type one or more words"),
    ("   ", "type one or more words"),
    ("-", "type one or more words"),
    ("* ^ ( )", "type one or more words"),
    ("OR OR", "type one or more words"),
    ("-pluie", "cannot only exclude"),
    ("source:", "source: needs a value"),
    ("lang:french", "lang: expects a language code"),
    ("section:nowhere", "is not a section"),
    ("after:yesterday", "after: expects a date"),
    ("before:2024-13-01", "before: expects a date"),
    ("date:2024-02-30", "date: expects a date"),
    ("sort:random", "sort: expects relevance or date"),
    ("after:2024-05-01 before:2024-04-01", "no day is both"),
    ("x" * 5000, "too long"),
    (" ".join(["mot"] * 41), "too many words"),
    ("source:'; DROP TABLE", "expects an outlet id"),
])
def test_queries_that_cannot_run_say_why(bad, says):
    with pytest.raises(QueryError, match=says):
        parse_query(bad)


def test_query_error_is_an_akhbar_error():
    assert issubclass(QueryError, AkhbarError)


def test_names_are_spelled_in_the_other_scripts():
    from akhbar.search.names import spellings
    from akhbar.search.plan import plan

    assert spellings(("Rabat",), None) == (("الرباط",),)
    assert spellings(("بالرباط",), None) == (("Rabat",),)  # clitics folded
    # Same length lists go position by position: Le Caire is القاهرة, not مصر.
    assert spellings(("Le", "Caire"), None) == (("القاهرة",), ("Cairo",))
    assert spellings(("tanger",), "ar") == (("طنجة",),)  # lang: keeps that language
    assert spellings(("tanger",), "fr") == ()
    # Acronyms only in capitals; common nouns (lower case in the gazetteer) never.
    assert spellings(("can",), None) == ()
    assert ("AFCON",) in spellings(("CAN",), None)
    assert spellings(("gouvernement",), None) == ()
    assert spellings(("Marrakech", "Rabat"), None) == ()
    # Plain words that spell a name together become one phrase with its spellings.
    groups = plan(parse_query("الدار البيضاء")).groups
    assert len(groups) == 1 and ("casablanca",) in groups[0]
    assert plan(parse_query("rabat")).own == ((("rabat",),),)
    assert plan(parse_query("festival")).own == ()
