"""Names across scripts: a query naming "Rabat" also looks for الرباط, and the reverse.

The spellings come from the stories gazetteer (akhbar.stories.gazetteer, pure data: French,
Arabic and English spellings of Moroccan places, institutions, parties, people, clubs and
neighbours). Only the *query* is expanded, into an OR of the other spellings' analysed
terms; the index holds each article's own words, so nothing here can make it drift, and
a changed gazetteer needs no reindex.

Which spellings: a matched spelling at position i of its language's list brings position
i of another language's list when both lists are as long (they are written in the same
order: "Égypte|Le Caire" / "مصر|القاهرة", so "Le Caire" brings القاهرة and not مصر), and
the whole list otherwise. Left out: entries whose French spelling is a common noun in
lower case (gouvernement, séisme, dirham: translating those would pull every article of
the other language that uses the word), and acronyms (RAM, CAN, US) unless the query writes
them in capitals, since "can" and "us" are English words.
"""

from __future__ import annotations

from functools import lru_cache

from akhbar.search.analyze import arabic_term, fold, is_arabic, prepare, words

LANGS = ("fr", "ar", "en")
# The longest spelling, in words, matched against consecutive query words.
MAX_NAME_WORDS = 8


def _key(word: str) -> str:
    """What a word of a spelling and a word of the query are compared by: the Arabic term
    (clitics and letter variants folded: "بالرباط" is "الرباط"), else case and accents
    folded."""
    return arabic_term(word) if is_arabic(word) else fold(word)


def _acronym(spelling: str) -> bool:
    letters = [c for c in spelling if c.isalpha()]
    return bool(letters) and len(letters) <= 5 and all(c.isupper() for c in letters)


@lru_cache(maxsize=1)
def _table() -> dict[tuple[str, ...], list[dict[str, list[tuple]]]]:
    """Key of a spelling → the entries that have it, each as {lang: [(key, words,
    acronym?)] in the gazetteer's order}."""
    from akhbar.stories.gazetteer import ENTRIES

    table: dict = {}
    for _id, fr, ar, en in ENTRIES:
        if not fr[:1].isupper():
            continue  # a common noun, not a name
        entry: dict[str, list[tuple]] = {}
        for lang, text in zip(LANGS, (fr, ar, en), strict=True):
            for spelling in text.split("|"):
                ws = tuple(w for w, _, _ in words(prepare(spelling)))
                if ws and len(ws) <= MAX_NAME_WORDS:
                    entry.setdefault(lang, []).append(
                        (tuple(_key(w) for w in ws), ws, _acronym(spelling)))
        for spelled in entry.values():
            for key, _, _ in spelled:
                if entry not in table.setdefault(key, []):
                    table[key].append(entry)
    return table


def spellings(query_words: tuple[str, ...], lang: str | None) -> tuple[tuple[str, ...], ...]:
    """Other spellings of the name ``query_words`` (the reader's words, in order), each as
    its words; () when they are no known name. ``lang`` (the query's lang:) keeps only that
    language's spellings."""
    if not query_words or len(query_words) > MAX_NAME_WORDS:
        return ()
    key = tuple(_key(w) for w in query_words)
    capitals = all(c.isupper() for w in query_words for c in w if c.isalpha())
    out: dict[tuple[str, ...], None] = {}
    for entry in _table().get(key, ()):
        # Where the name sits in each language's list that spells it this way.
        anchors = {lang_: i for lang_, spelled in entry.items()
                   for i, (k, _, acronym) in enumerate(spelled)
                   if k == key and (capitals or not acronym)}
        if not anchors:
            continue
        for other in (lang,) if lang in LANGS else LANGS:
            target = entry.get(other, [])
            if other in anchors:
                continue  # the reader's own spelling
            at = next((i for lang_, i in anchors.items()
                       if len(entry[lang_]) == len(target)), None)
            for _, ws, _ in target if at is None else [target[at]]:
                out[ws] = None
    out.pop(tuple(query_words), None)
    return tuple(out)
