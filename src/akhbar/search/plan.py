"""A parsed Query in index terms: what both backends translate into their own syntax."""

from __future__ import annotations

from dataclasses import dataclass

from akhbar.search.analyze import query_variants
from akhbar.search.names import MAX_NAME_WORDS, spellings
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
    # The groups in the reader's own spellings, when names.py added others to a query of
    # one group: ranked as a bonus, so that an article naming Rabat in the reader's
    # script comes before one naming it in another (the other script's term is often
    # rarer, hence weighs more).
    own: tuple[tuple[tuple[str, ...], ...], ...] = ()


def term_alternatives(term: Term, lang: str | None) -> tuple[tuple[str, ...], ...]:
    """Each way the term may have been indexed: variant i of every word together."""
    per_word = [query_variants(w, lang) for w in term.words]
    width = max(len(v) for v in per_word)
    return tuple(dict.fromkeys(
        tuple(v[min(i, len(v) - 1)] for v in per_word) for i in range(width)))


def with_names(term: Term, lang: str | None) -> tuple[tuple[str, ...], ...]:
    """The term's alternatives, and those of the name's spellings in other scripts and
    languages when the term is a name of the gazetteer (names.py)."""
    out = dict.fromkeys(term_alternatives(term, lang))
    for other in spellings(term.words, lang):
        out.update(dict.fromkeys(term_alternatives(Term(other, len(other) > 1), lang)))
    return tuple(out)


def _name_groups(query: Query) -> list[tuple[Term, ...]]:
    """The query's groups, where consecutive plain words that together spell a name of
    several words ("الدار البيضاء", "Le Caire") become that name as one phrase, so that
    its other spellings can stand for all of them."""
    groups, i, n = [], 0, len(query.groups)
    plain = [len(g) == 1 and not g[0].phrase for g in query.groups]
    while i < n:
        for size in range(min(MAX_NAME_WORDS, n - i), 1, -1):
            if all(plain[i:i + size]):
                ws = tuple(g[0].words[0] for g in query.groups[i:i + size])
                if spellings(ws, query.lang):
                    groups.append((Term(ws, phrase=True),))
                    i += size
                    break
        else:
            groups.append(query.groups[i])
            i += 1
    return groups


def other_spellings(query: Query) -> tuple[str, ...]:
    """The names' other spellings that the query also looks for ("الرباط" for "Rabat"), as
    text, so that a results page can say why articles in another script are listed."""
    out: dict[str, None] = {}
    for group in _name_groups(query):
        for term in group:
            for other in spellings(term.words, query.lang):
                out[" ".join(other)] = None
    return tuple(out)


def plan(query: Query) -> Plan:
    groups, own = [], []
    highlight: set[str] = set()
    for group in _name_groups(query):
        alternatives: dict[tuple[str, ...], None] = {}
        for term in group:
            for alt in with_names(term, query.lang):
                alternatives[alt] = None
                highlight.update(alt)
        groups.append(tuple(alternatives))
        own.append(tuple(dict.fromkeys(
            alt for term in group for alt in term_alternatives(term, query.lang))))
    excluded = tuple(dict.fromkeys(
        alt for term in query.excluded for alt in with_names(term, query.lang)))
    boost: tuple[tuple[str, ...], ...] = ()
    if 2 <= len(query.groups) <= MAX_BOOST_WORDS and all(
            len(g) == 1 and not g[0].phrase for g in query.groups):
        boost = term_alternatives(Term(tuple(g[0].words[0] for g in query.groups)), query.lang)
    # The bonus only for a query of one group (a name, perhaps with OR): with more
    # words, an article in the other script has to match the others in the reader's
    # anyway, and doubling every word's weight moved known items (French MRR 0.884 →
    # 0.879 in bench/search.py).
    return Plan(tuple(groups), excluded, frozenset(highlight), boost,
                tuple(own) if own != groups and len(groups) == 1 else ())
