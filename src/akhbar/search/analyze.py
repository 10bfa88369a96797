"""Text → index terms, per language. Documents and queries go through the same functions.

One word gives at most one term, at the word's own position, so a phrase of the text is
a phrase of the terms (FTS5 phrases, PostgreSQL ``<->``). The language of each *word*
decides part of its analysis: a word in Arabic script always gets the Arabic analysis,
whatever the article's language; a Latin word gets the article language's (French or
English Snowball), or only folding in other languages.

Arabic: diacritics and tatweel removed → clitic prefixes (و ف ب ك ل, with or without ال,
and لل) stripped, checked against simplemma's dictionary when the bare form is ambiguous
→ a final ه read as ة when only the ة spelling is a known word → simplemma lemma →
Snowball Arabic stem → alef/hamza, ى and ة written one way.

Final ه for ة ("الحكومه" for "الحكومة") is common online. Mapping every final ة to ه
before stemming would not do: Snowball then strips the ه as the pronoun "his" and
الحكومة meets حكم ("rule"). Instead a final ه becomes ة when simplemma knows the ة form
and not the ه form (with or without ال): الحكومه → الحكومة, المحكمه → المحكمة, while
known ه words (وجه, الله, نفسه, كتابه) stay. Where the dictionary cannot tell a pronoun
from a misspelt ة (عمله "his work" / عملة "currency", دوره / دورة) the stemmer already
gave both forms one term, so nothing is merged that was apart. Documents and queries go
through the same function, so both sides agree.
French: accents folded, elisions (l' d' qu' …) dropped, Snowball French.
English: folded, possessive 's dropped, Snowball English.

Bump ``ANALYZER_VERSION`` whenever a change here gives any word a different term: the
store compares it with the version its index was built with and ``akhbar reindex``
rebuilds (see docs/architecture.md, "Search").
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

import simplemma
import Stemmer

ANALYZER_VERSION = "2"  # 2: final ه read as ة (_heh_as_taa)

# Longer words are cut (both in documents and queries): PostgreSQL refuses lexemes over
# 2 KB, and no real word is this long.
MAX_WORD = 60
# Distinct words kept per cache; a large news archive has a few hundred thousand.
CACHE_WORDS = 1 << 19

_ARABIC_CHAR = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
# Harakat, superscript alef, Quranic marks, tatweel: dropped before tokenising so that a
# vowelled word stays one word.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
# Arabic-Indic and Eastern Arabic-Indic digits → ASCII.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
# A word: letters and digits (no underscore).
_WORD = re.compile(r"[^\W_]+")
_APOSTROPHES = "'’"
# Anything prepare() changes; most text has none and is returned as it is.
_TO_PREPARE = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640"
                         "\u0660-\u0669\u06f0-\u06f9]")
# French elided words: "l'État" → "État"; only when an apostrophe follows them.
_ELIDED = frozenset({"l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu",
                     "puisqu", "quoiqu", "presqu"})
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ı": "i", "ø": "o", "đ": "d",
                            "ł": "l"})
# After stemming: one spelling for letters that writers and stemmers use interchangeably.
_ARABIC_FINAL = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه",
                               "ؤ": "و", "ئ": "ي", "ک": "ك", "ی": "ي", "ے": "ي"})
# Conjunction (و ف) and preposition (ب ك ل) before the article ال; لل is ل + ال.
_PREFIX_WITH_AL = re.compile("^(?:[وف]?[بكل]?(?=ال)|[وف]?ل(?=ل))")
_PREFIX_BARE = re.compile("^[وف]?[بكل]?")

# PyStemmer objects keep state between calls: one per thread (a web server analyses
# queries in several) and language.
_stemmers = threading.local()


def _stemmer(lang: str) -> Stemmer.Stemmer:
    s = getattr(_stemmers, lang, None)
    if s is None:
        s = Stemmer.Stemmer(lang)
        setattr(_stemmers, lang, s)
    return s


def is_arabic(word: str) -> bool:
    return _ARABIC_CHAR.search(word) is not None


def prepare(text: str) -> str:
    """Text before tokenising: Arabic marks and tatweel removed, digits in ASCII."""
    if _TO_PREPARE.search(text) is None:
        return text
    return _ARABIC_MARKS.sub("", text).translate(_DIGITS)


def words(text: str) -> list[tuple[str, int, int]]:
    """(word, start, end) of each word of ``text`` (offsets into ``text`` itself).

    French elided words ("l'", "qu'") are left out; everything else is kept, so positions
    in the term list follow the text.
    """
    out = []
    n = len(text)
    for m in _WORD.finditer(text):
        w = m.group()
        start, end = m.span()
        # An elided word: short, then an apostrophe, then a letter ("l'État", "qu’il").
        if (len(w) <= 7 and end + 1 < n and text[end] in _APOSTROPHES
                and text[end + 1].isalnum() and w.lower() in _ELIDED):
            continue
        out.append((w, start, end))
    return out


@lru_cache(maxsize=CACHE_WORDS)
def fold(word: str) -> str:
    """Lower case, accents removed, ligatures spelled out: "Égypte" → "egypte"."""
    w = word.lower().translate(_LIGATURES)
    if w.isascii():
        return w
    return "".join(c for c in unicodedata.normalize("NFKD", w) if not unicodedata.combining(c))


@lru_cache(maxsize=CACHE_WORDS)
def arabic_term(word: str) -> str:
    """The index term of one Arabic word (already without marks)."""
    w = _heh_as_taa(_strip_clitics(word))
    lemma = simplemma.lemmatize(w, lang="ar")
    stem = _stemmer("arabic").stemWord(lemma)
    # A stemmer that eats the whole word (rare: very short words) keeps the word instead.
    return (stem or lemma).translate(_ARABIC_FINAL)


def _is_known(w: str) -> bool:
    """simplemma knows the word, or the word without its article ال."""
    return simplemma.is_known(w, lang="ar") or (
        w.startswith("ال") and len(w) > 3 and simplemma.is_known(w[2:], lang="ar"))


def _heh_as_taa(w: str) -> str:
    """A final ه written for ة (see the module docstring): "الحكومه" → "الحكومة"."""
    if len(w) >= 3 and w[-1] == "ه" and not _is_known(w) and _is_known(w[:-1] + "ة"):
        return w[:-1] + "ة"
    return w


def _known(w: str) -> bool:
    # The clitic checks below treat a final ه as the ة it may stand for ("لحكومه").
    return simplemma.is_known(w, lang="ar") or (
        w[-1:] == "ه" and simplemma.is_known(w[:-1] + "ة", lang="ar"))


def _strip_clitics(w: str) -> str:
    if len(w) < 4:
        return w
    m = _PREFIX_WITH_AL.match(w)
    if m and m.end():
        rest = w[m.end():]
        if not rest.startswith("ال"):
            # لل + word is ل + ال + word, the alef dropped; when the word itself starts
            # with ل ("للاعب" = ل + اللاعب) the dictionary tells which.
            rest = ("ال" if _known(rest) else "ا") + rest
        # وال + at least three letters; a known word whose bare form is unknown stays
        # whole ("والدة" is a word, "الدة" is not).
        if len(rest) >= 5 and (not _known(w) or _known(rest)):
            return rest
        return w
    m = _PREFIX_BARE.match(w)
    if m and m.end():
        rest = w[m.end():]
        # No article: strip only when the dictionary says the bare form is the word
        # ("لمصر" → "مصر", while "بلد" and "كتب" stay).
        if len(rest) >= 2 and not _known(w) and _known(rest):
            return rest
    return w


@lru_cache(maxsize=CACHE_WORDS)
def french_term(word: str) -> str:
    return _stemmer("french").stemWord(fold(word))


@lru_cache(maxsize=CACHE_WORDS)
def english_term(word: str) -> str:
    return _stemmer("english").stemWord(fold(word))


@lru_cache(maxsize=CACHE_WORDS)
def term(word: str, lang: str) -> str:
    """The index term of one word of an article written in ``lang``."""
    word = word[:MAX_WORD]
    if is_arabic(word):
        return arabic_term(word)
    if lang == "fr":
        return french_term(word)
    if lang == "en":
        return english_term(word)
    return fold(word)


def analyze(text: str, lang: str) -> list[str]:
    """Index terms of ``text``, one per word, in order."""
    text = prepare(text)
    if lang == "en":
        terms = []
        for w, start, _ in words(text):
            # "Morocco's" → "morocco": the possessive s is no word of its own.
            if w in ("s", "S") and start > 0 and text[start - 1] in "'’":
                continue
            terms.append(term(w, lang))
        return terms
    return [term(w, lang) for w, _, _ in words(text)]


def query_variants(word: str, lang: str | None) -> tuple[str, ...]:
    """The terms a query word may have been indexed as.

    Arabic script: its Arabic term. A Latin word, when the query names no language: its
    French term, its English term and its plain folded form (articles in other languages),
    any of which may match; with ``lang:`` only that language's.
    """
    word = word[:MAX_WORD]
    if is_arabic(word):
        return (arabic_term(word),)
    if lang in ("fr", "en"):
        return (term(word, lang),)
    if lang is not None and lang != "ar":
        return (fold(word),)
    # Always three, in this order: a phrase pairs variant i of each word (plan.py).
    return (french_term(word), english_term(word), fold(word))


def index_document(title: str, text: str, lang: str) -> tuple[list[str], list[str]]:
    """(title terms, body terms) of an article, as the search index stores them."""
    return analyze(title, lang), analyze(text, lang)
