"""A parsed Query in index terms: what both backends translate into their own syntax."""

from __future__ import annotations

from dataclasses import dataclass

from akhbar.search.analyze import query_variants
from akhbar.search.query import Query, Term

# Longer queries are not also tried as a phrase (they rarely are one).
MAX_BOOST_WORDS = 8


@dataclass(frozen=True)
class Plan:
    # AND of groups; a group is an OR of alternatives; an alternative is a sequence of
    # terms that must be adjacent (one term: a word).
    groups: tuple[tuple[tuple[str, ...], ...], ...]
    excluded: tuple[tuple[str, ...], ...]
    highlight: frozenset[str]  # terms whose words the snippet marks
    # The query's plain words as phrases: ranked higher where the words are adjacent, in
    # order, without changing what matches (a phrase implies each of its words).
    boost: tuple[tuple[str, ...], ...] = ()


def term_alternatives(term: Term, lang: str | None) -> tuple[tuple[str, ...], ...]:
    """Each way the term may have been indexed: variant i of every word together."""
    per_word = [query_variants(w, lang) for w in term.words]
    width = max(len(v) for v in per_word)
    return tuple(dict.fromkeys(
        tuple(v[min(i, len(v) - 1)] for v in per_word) for i in range(width)))


def plan(query: Query) -> Plan:
    groups = []
    highlight: set[str] = set()
    for group in query.groups:
        alternatives: dict[tuple[str, ...], None] = {}
        for term in group:
            for alt in term_alternatives(term, query.lang):
                alternatives[alt] = None
                highlight.update(alt)
        groups.append(tuple(alternatives))
    excluded = tuple(dict.fromkeys(
        alt for term in query.excluded for alt in term_alternatives(term, query.lang)))
    boost: tuple[tuple[str, ...], ...] = ()
    if 2 <= len(query.groups) <= MAX_BOOST_WORDS and all(
            len(g) == 1 and not g[0].phrase for g in query.groups):
        boost = term_alternatives(Term(tuple(g[0].words[0] for g in query.groups)), query.lang)
    return Plan(tuple(groups), excluded, frozenset(highlight), boost)
