"""The site's languages: Babel catalogues, the reader's choice, dates in Africa/Casablanca.

Message ids are English; ``i18n/<lang>/LC_MESSAGES/messages.po`` translates them. The .po
files are compiled in memory when the app starts, so a plain ``pip install -e .`` is
enough (no .mo build step, nothing generated to commit).
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from functools import cache, lru_cache
from importlib import resources
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

UI_LANGS = ("fr", "ar", "en")
DEFAULT_LANG = "fr"
# Endonyms: each language is offered in its own name, whatever the UI language.
LANG_NAMES = {"fr": "Français", "ar": "العربية", "en": "English"}
RTL_LANGS = frozenset({"ar", "fa", "he", "ur", "ary"})
COOKIE = "ui_lang"
# Moroccan readers: Arabic dates with Latin digits and a 24-hour clock (CLDR ar_MA).
_BABEL_LOCALE = {"fr": "fr_FR", "ar": "ar_MA", "en": "en_GB"}
CASABLANCA = ZoneInfo("Africa/Casablanca")

_ACCEPT_ITEM = re.compile(r"^\s*([A-Za-z]{1,8})(?:-[A-Za-z0-9]{1,8})*\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*$")


def direction(lang: str | None) -> str:
    return "rtl" if lang in RTL_LANGS else "ltr"


@cache
def translations(lang: str) -> NullTranslations:
    """The compiled catalogue of a UI language (English, the msgid language, has none)."""
    if lang == "en":
        return NullTranslations()
    po = resources.files("akhbar.web").joinpath("i18n", lang, "LC_MESSAGES", "messages.po")
    with po.open("rb") as f:
        catalog = read_po(f, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return Translations(fp=buf)


def translate(lang: str, msgid: str, params: dict | None = None) -> str:
    """``msgid`` in the UI language with its %(name)s placeholders filled. A sentence the
    catalogue lacks stays English, and a translation whose placeholders do not fit the
    params falls back to English rather than failing the page."""
    text = translations(lang).gettext(msgid)
    if not params:
        return text
    try:
        return text % params
    except (KeyError, TypeError, ValueError):
        return msgid % params


def from_accept_language(header: str | None) -> str | None:
    """The best UI language the Accept-Language header asks for, or None."""
    best: tuple[float, int, str] | None = None
    for position, item in enumerate((header or "").split(",")[:20]):
        m = _ACCEPT_ITEM.match(item)
        if not m:
            continue
        lang = m.group(1).lower()
        try:
            q = float(m.group(2)) if m.group(2) else 1.0
        except ValueError:
            continue
        if lang in UI_LANGS and q > 0:
            key = (q, -position, lang)  # the higher weight, then the earlier entry
            if best is None or key > best:
                best = key
    return best[2] if best else None


def choose_lang(cookie: str | None, accept_language: str | None) -> str:
    """The remembered choice (cookie), else the browser's preference, else French."""
    if cookie in UI_LANGS:
        return cookie  # type: ignore[return-value]
    return from_accept_language(accept_language) or DEFAULT_LANG


def local(dt: datetime) -> datetime:
    return dt.astimezone(CASABLANCA)


# Babel formats a date in ~0.1 ms and a list page shows 30-40 of them, the same ones on
# every request: remembered (a few thousand short strings).
@lru_cache(maxsize=4096)
def long_date(dt: datetime, lang: str) -> str:
    """'12 mars 2024 à 14:05' style, in Casablanca time."""
    loc = _BABEL_LOCALE.get(lang, lang)
    t = local(dt)
    return f"{format_date(t, 'long', locale=loc)} {format_time(t, 'HH:mm', locale=loc)}"


@lru_cache(maxsize=4096)
def short_date(dt: datetime, lang: str) -> str:
    loc = _BABEL_LOCALE.get(lang, lang)
    return format_datetime(local(dt), "d MMM y, HH:mm", locale=loc)


def day_name(dt: datetime, lang: str) -> str:
    """A whole day, e.g. 'mardi 12 mars 2024' (the date archive's heading)."""
    return format_date(dt, "full", locale=_BABEL_LOCALE.get(lang, lang))
