"""An article's section (politique, économie, sport…) from what its outlet says about it.

Outlets label sections in their own words and languages: the feed's <category>, the
page's ``article:section``, a path segment of the URL ("/economie/", "/sport/", "/اقتصاد/").
Those labels map onto one shared vocabulary (``akhbar.types.SECTIONS``) so the site can
filter across outlets. Articles whose outlet says nothing keep ``None`` here; the stories
stage classifies them from their text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

# Words (folded: lower case, no accents; Arabic without diacritics) that name a section.
# A label matches when one of its words is a key here, or the whole label is.
_WORDS: dict[str, str] = {}
for _section, _words in {
    "politique": ("politique", "politics", "political", "nation", "gouvernement", "parlement",
                  "سياسة", "السياسة", "سياسية", "برلمان", "حكومة"),
    "economie": ("economie", "economy", "economic", "business", "finance", "finances",
                 "entreprises", "marches", "bourse", "eco", "اقتصاد", "الاقتصاد", "اقتصادية",
                 "مال", "أعمال"),
    "sport": ("sport", "sports", "football", "foot", "رياضة", "الرياضة", "رياضية"),
    "culture": ("culture", "arts", "art", "cinema", "musique", "livres", "festival",
                "ثقافة", "الثقافة", "فن", "فنون", "ثقافية"),
    "societe": ("societe", "society", "social", "faits-divers", "faits divers", "sante",
                "health", "education", "justice", "مجتمع", "المجتمع", "حوادث", "صحة"),
    "international": ("international", "monde", "world", "afrique", "africa", "maghreb",
                      "دولي", "دولية", "العالم", "عالم", "العربي"),
    "regions": ("regions", "region", "regional", "villes", "local", "جهات", "الجهات",
                "جهوية", "مدن"),
    "meteo": ("meteo", "weather", "climat", "طقس", "الطقس", "أحوال الطقس"),
}.items():
    for _w in _words:
        _WORDS[_w] = _section

_DIACRITICS = re.compile("[\u064b-\u0652\u0640]")  # Arabic vowel marks and tatweel


def _fold(label: str) -> str:
    label = unicodedata.normalize("NFKD", label.strip().lower())
    label = "".join(c for c in label if not unicodedata.combining(c) or "\u0600" <= c <= "\u06ff")
    return _DIACRITICS.sub("", unicodedata.normalize("NFC", label))


def section_of_label(label: str) -> str | None:
    """The section a label names ("Économie", "اقتصاد", "Sports"), or None."""
    folded = _fold(label)
    if folded in _WORDS:
        return _WORDS[folded]
    for word in re.split(r"[\s/&,|·:-]+", folded):
        if word in _WORDS:
            return _WORDS[word]
    return None


def section_from_labels(labels: Iterable[str], url: str) -> str | None:
    """The first label that names a section, else the first URL path segment that does."""
    for label in labels:
        section = section_of_label(label)
        if section:
            return section
    path = unquote(urlsplit(url).path)
    # The last segment is the article's slug: its words say what it is about, not where.
    for segment in [s for s in path.split("/") if s][:-1]:
        section = _WORDS.get(_fold(segment))
        if section:
            return section
    return None
