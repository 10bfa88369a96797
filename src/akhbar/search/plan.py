"""A parsed Query in index terms: what both backends translate into their own syntax."""

from __future__ import annotations

from dataclasses import dataclass

from akhbar.search.analyze import query_variants
from akhbar.search.query import Query, Term


@dataclass(frozen=True)
class Plan:
    # AND of groups; a group is an OR of alternatives; an alternative is a sequence of
    # terms that must be adjacent (one term: a word).
    groups: tuple[tuple[tuple[str, ...], ...], ...]
    excluded: tuple[tuple[str, ...], ...]
    highlight: frozenset[str]  # terms whose words the snippet marks


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
    return Plan(tuple(groups), excluded, frozenset(highlight))
