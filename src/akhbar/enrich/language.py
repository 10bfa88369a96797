"""Language of an article: a script rule, then py3langid restricted to plausible languages.

Why this recipe (docs nlp-offline.md, section b): on Moroccan headlines py3langid 0.4.0
restricted to fr/en/ar/ary scored 100/100 at 0.04 ms, better than unrestricted (98).
Arabic script is decided by counting letters, which is exact and free; py3langid then
only separates MSA from Darija (``ary``), returned as a hint while ``lang`` stays "ar".

Latin-script text is classified among the source's declared languages plus fr and en:
Moroccan outlets declared "fr" publish English wire copy and the reverse, so both are
always candidates. Arabic is never a candidate for text that is not in Arabic script.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from functools import lru_cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

__all__ = ["ARY_THRESHOLD", "MAX_CHARS", "detect_language"]

# Title plus the start of the text is enough and keeps the cost per article flat.
MAX_CHARS = 1000
# Always candidates for Latin-script text (see module docstring).
_BASE_LATIN = frozenset({"fr", "en"})
_ARABIC_SCRIPT_LANGS = frozenset({"ar", "ary", "arz", "fa", "ur", "ps", "ug", "sdh", "ku"})
# Darija hint when P(ary | ar or ary) reaches this. The classifier's argmax (0.5) misses
# short Darija sentences (they score 0.25-0.6); on 645 Moroccan MSA press texts
# (shared data, febrayer.com / yabiladi) none reaches 0.3 (99th percentile 0.23).
ARY_THRESHOLD = 0.3
# Embedded links (video, Instagram) say nothing about the language and read as English.
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


# Arabic-script letters (not its digits or punctuation): Arabic, Supplement, Extended-A,
# presentation forms. Counted with a regex because a Python loop per character is slower.
_ARABIC_LETTER = re.compile(
    "[\u0620-\u064a\u066e-\u06d3\u06d5\u06fa-\u06ff\u0750-\u077f\u08a0-\u08ff"
    "\ufb50-\ufdff\ufe70-\ufefc]"
)
_TIFINAGH_LETTER = re.compile("[\u2d30-\u2d7f]")


@lru_cache(maxsize=1)
def _base_identifier() -> LanguageIdentifier:
    # Loading the model takes ~0.6 s: once per process.
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@lru_cache(maxsize=64)
def _identifier(langs: frozenset[str]) -> LanguageIdentifier:
    """An identifier restricted to ``langs``, sharing the loaded model's arrays.

    set_languages() replaces the instance's class columns rather than changing the
    model in place, so a shallow copy of the loaded identifier is enough.
    """
    identifier = copy.copy(_base_identifier())
    identifier.set_languages(sorted(langs))
    return identifier


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    return frozenset(_base_identifier().nb_classes)


def detect_language(text: str, allowed: Sequence[str] = ()) -> tuple[str, str | None]:
    """(lang, hint) for ``text`` (pass title + text; only the first MAX_CHARS are read).

    ``allowed`` is the source's declared languages. ``lang`` is an ISO 639-1 code ("ar",
    "fr", "en"…), "zgh" for Tifinagh script, or, for text without letters, the source's
    first language ("und" when none). ``hint`` is "ary" when Arabic text reads as Darija.
    """
    sample = _URL.sub(" ", text[:MAX_CHARS])
    letters = sum(map(str.isalpha, sample))
    arabic = len(_ARABIC_LETTER.findall(sample))
    if letters == 0:
        return (allowed[0] if allowed else "und"), None
    if arabic * 2 > letters:
        scores = dict(_identifier(frozenset({"ar", "ary"})).rank(sample))
        return "ar", ("ary" if scores.get("ary", 0.0) >= ARY_THRESHOLD else None)
    if len(_TIFINAGH_LETTER.findall(sample)) * 2 > letters:
        return "zgh", None  # Standard Moroccan Amazigh; py3langid has no Tifinagh model
    candidates = (frozenset(a.lower() for a in allowed) & _known() | _BASE_LATIN) - _ARABIC_SCRIPT_LANGS
    lang, _ = _identifier(candidates).classify(sample)
    return lang, None
