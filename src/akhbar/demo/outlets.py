"""The fictional outlets of the demo press, one loopback address each.

Which host carries which quirk (one quirk per host, so a failure points at one cause):

=====  ==================  =========  ==========================================================
host   outlet              langs      quirk
=====  ==================  =========  ==========================================================
.11    aap                 fr ar en   wire agency; Atom feeds; JSON-LD + OG; its dispatches are
                                      republished word for word by echo, nabd, kasbah, zellige,
                                      manara (nabd and zellige give them their own titles)
.12    echo-bouregreg      fr         ISO-8859-1 (header + meta); one page's meta says utf-8 while
                                      the header says ISO-8859-1; visible dates only, no
                                      canonical; an inline "Lire aussi" paragraph inside the body
.13    nabd-madina         ar         windows-1256 (header, meta and XML declaration agree);
                                      visible Arabic dates only
.14    kasbah-tribune      en         JSON Feed; slow host (every answer delayed slow_seconds)
.15    al-manara           fr ar      two editions; utm_* parameters on main-feed links; the same
                                      article linked from the main feed and a section feed, once
                                      with and once without its trailing slash; re-titles some
                                      of its own articles (the section feed keeps the old title);
                                      two pages whose metadata claims a date before the founding
                                      year or in the future (their feed items carry no date)
.16    argane-express      fr         429 + Retry-After on the first requests of each feed;
                                      reader comments longer than the article (extract rules)
.17    zellige-review      en         its culture feed is malformed XML (raw '&'); visible
                                      English dates only
.18    sawt-jabal          ar         Atom; robots.txt disallows /premium/, which its feeds link
=====  ==================  =========  ==========================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from akhbar.types import ExtractRules


@dataclass(frozen=True)
class Outlet:
    id: str
    name: str
    octet: int  # the host is 127.0.0.<octet>
    languages: tuple[str, ...]
    founded: date
    feed_format: str  # "rss" | "atom" | "json"
    charset: str  # Python codec for pages and feeds
    charset_label: str  # what the HTTP header and meta declare
    meta: str  # page metadata: "full" (OG + JSON-LD), "og", or "visible" (a date string only)
    canonical: bool
    republishes: bool  # takes wire copies
    retitles_wire: bool  # gives wire copies a title of its own
    writer_slot: dict[str, int]  # which template variants its own journalists use, per language
    authors: tuple[str, ...]
    display: str = "excerpt"
    excerpt_words: int = 60
    fast: bool = True  # loopback politeness delay not needed; carries scaled archives
    quirk: str = ""
    extract: ExtractRules = ExtractRules()


WIRE_ID = "aap"
WIRE_CREDIT = {"fr": "AAP", "ar": "أطلس بريس", "en": "AAP"}

OUTLETS: tuple[Outlet, ...] = (
    Outlet(
        id="aap", name="Agence Atlas Presse (AAP)", octet=11, languages=("fr", "ar", "en"),
        founded=date(2003, 11, 3), feed_format="atom", charset="utf-8", charset_label="utf-8",
        meta="full", canonical=True, republishes=False, retitles_wire=False,
        writer_slot={"fr": 0, "ar": 0, "en": 0},
        authors=("AAP",), display="excerpt", quirk="wire agency",
    ),
    Outlet(
        id="echo-bouregreg", name="L'Écho du Bouregreg", octet=12, languages=("fr",),
        founded=date(2005, 3, 1), feed_format="rss", charset="iso-8859-1",
        charset_label="ISO-8859-1", meta="visible", canonical=False, republishes=True,
        retitles_wire=False, writer_slot={"fr": 1},
        authors=("Leïla Benchekroun", "Hicham Ouaddi", "Nabil Essafi"), display="lede",
        excerpt_words=40, quirk="ISO-8859-1",
    ),
    Outlet(
        id="nabd-madina", name="نبض المدينة", octet=13, languages=("ar",),
        founded=date(2008, 6, 1), feed_format="rss", charset="cp1256",
        charset_label="windows-1256", meta="visible", canonical=True, republishes=True,
        retitles_wire=True, writer_slot={"ar": 1},
        authors=("سعاد الإدريسي", "محمد أمين الراشدي", "ياسين بوعزة"), quirk="windows-1256",
    ),
    Outlet(
        id="kasbah-tribune", name="The Kasbah Tribune", octet=14, languages=("en",),
        founded=date(2012, 9, 1), feed_format="json", charset="utf-8", charset_label="utf-8",
        meta="full", canonical=True, republishes=True, retitles_wire=False,
        writer_slot={"en": 1}, authors=("Sarah Benali", "Tom Haddou", "Imane Roudani"),
        display="full", fast=False, quirk="slow host",
    ),
    Outlet(
        id="al-manara", name="Al-Manara / La Lanterne", octet=15, languages=("fr", "ar"),
        founded=date(2006, 1, 10), feed_format="rss", charset="utf-8", charset_label="utf-8",
        meta="og", canonical=True, republishes=True, retitles_wire=False,
        writer_slot={"fr": 2, "ar": 2},
        authors=("Karima Lahlali", "Othmane Zniber", "عبد الرحيم الصافي"),
        quirk="utm, duplicate feed links, slash variants, re-titles, impossible page dates",
    ),
    Outlet(
        id="argane-express", name="Argane Express", octet=16, languages=("fr",),
        founded=date(2010, 2, 1), feed_format="rss", charset="utf-8", charset_label="utf-8",
        meta="og", canonical=True, republishes=False, retitles_wire=False,
        writer_slot={"fr": 3}, authors=("Mounia Tazi", "Reda Amziane"), fast=False,
        quirk="429 + Retry-After; comments longer than the article",
        extract=ExtractRules(
            body="div.article-content",
            title="h1.headline",
            date="span.pubdate",
            author="span.signature",
            drop=(".comments", ".read-also", ".cookie-banner", ".ad"),
        ),
    ),
    Outlet(
        id="zellige-review", name="The Zellige Review", octet=17, languages=("en",),
        founded=date(2014, 4, 1), feed_format="rss", charset="utf-8", charset_label="utf-8",
        meta="visible", canonical=True, republishes=True, retitles_wire=True,
        writer_slot={"en": 2}, authors=("Nadia Fennane", "James Oukili"), display="lede",
        excerpt_words=40, quirk="malformed culture feed",
    ),
    Outlet(
        id="sawt-jabal", name="صوت الجبل", octet=18, languages=("ar",),
        founded=date(2011, 11, 1), feed_format="atom", charset="utf-8", charset_label="utf-8",
        meta="full", canonical=True, republishes=False, retitles_wire=False,
        writer_slot={"ar": 3}, authors=("حسن أوبلا", "فاطمة الزهراء أمزيل"),
        quirk="robots.txt disallows /premium/",
    ),
)

BY_ID = {o.id: o for o in OUTLETS}
