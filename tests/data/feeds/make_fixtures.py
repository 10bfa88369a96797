"""Writes the feed fixtures of this folder as exact bytes, and expected.json beside them.

    python tests/data/feeds/make_fixtures.py

All text is invented for these tests (French, Arabic, English). Each fixture is written
from a str with an explicit codec, so what a file's bytes are is reviewable here.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent

AR_TITLE_1 = "افتتاح المعرض الدولي للكتاب بالرباط"
AR_TITLE_2 = "أمطار غزيرة مرتقبة في شمال المملكة؟"
AR_SUMMARY = "يفتتح المعرض أبوابه يوم الخميس، بمشاركة مئات الناشرين من عشرين بلدا."
FR_TITLE_1 = "Casablanca : l’été où la ville a changé"
FR_TITLE_2 = "Œuvres d’art : « Déjà vu » à l’École des beaux-arts"
FR_SUMMARY = "Le festival s’ouvre à Fès avec des concerts gratuits ; entrée libre."


def rss(items: str, *, encoding_decl: str, lang: str, title: str) -> str:
    return (
        f'<?xml version="1.0" encoding="{encoding_decl}"?>\n'
        '<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>\n'
        f"<title>{title}</title>\n<link>https://akhbar.example/</link>\n"
        f"<description>{title}</description>\n<language>{lang}</language>\n"
        f"{items}</channel>\n</rss>\n"
    )


def item(title: str, link: str, date: str, description: str = "", extra: str = "") -> str:
    return (
        f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>{date}</pubDate><description>{description}</description>{extra}</item>\n"
    )


FIXTURES: dict[str, tuple[bytes, dict]] = {}


def add(name: str, data: bytes, expected: dict) -> None:
    FIXTURES[name] = (data, expected)


# 1. Arabic RSS 2.0 in windows-1256, declared correctly.
add(
    "rss-ar-windows-1256.xml",
    rss(
        item(AR_TITLE_1, "https://akhbar.example/ar/1", "Tue, 12 Nov 2024 09:15:00 +0000",
             AR_SUMMARY, "<category>ثقافة</category>")
        + item(AR_TITLE_2, "https://akhbar.example/ar/2", "Tue, 12 Nov 2024 10:00:00 +0000"),
        encoding_decl="windows-1256", lang="ar", title="أخبار تجريبية",
    ).encode("cp1256"),
    {"encoding": "windows-1256", "title": "أخبار تجريبية", "language": "ar",
     "titles": [AR_TITLE_1, AR_TITLE_2], "summaries": [AR_SUMMARY, ""],
     "tags": [["ثقافة"], []]},
)

# 2. The same Arabic in ISO-8859-6: other bytes for the same letters.
add(
    "rss-ar-iso-8859-6.xml",
    rss(
        item(AR_TITLE_1, "https://akhbar.example/ar/1", "Tue, 12 Nov 2024 09:15:00 +0000",
             AR_SUMMARY)
        + item(AR_TITLE_2, "https://akhbar.example/ar/2", "Tue, 12 Nov 2024 10:00:00 +0000"),
        encoding_decl="ISO-8859-6", lang="ar", title="أخبار تجريبية",
    ).encode("iso8859-6"),
    {"encoding": "iso-8859-6", "title": "أخبار تجريبية", "language": "ar",
     "titles": [AR_TITLE_1, AR_TITLE_2], "summaries": [AR_SUMMARY, ""]},
)

# 3. French declared ISO-8859-1 but using windows-1252's ’ and Œ (what servers really send).
add(
    "rss-fr-iso-8859-1.xml",
    rss(
        item(FR_TITLE_1, "https://akhbar.example/fr/1", "Tue, 12 Nov 2024 08:00:00 +0100",
             FR_SUMMARY)
        + item(FR_TITLE_2, "https://akhbar.example/fr/2", "Tue, 12 Nov 2024 07:00:00 +0100"),
        encoding_decl="ISO-8859-1", lang="fr-FR", title="Actualités à la une",
    ).encode("cp1252"),
    {"encoding": "windows-1252", "title": "Actualités à la une", "language": "fr",
     "titles": [FR_TITLE_1, FR_TITLE_2], "summaries": [FR_SUMMARY, ""]},
)

# 4. Declares ISO-8859-1, is UTF-8 (French and Arabic in one feed).
add(
    "rss-lies-latin1-is-utf8.xml",
    rss(
        item(FR_TITLE_1, "https://akhbar.example/fr/1", "Tue, 12 Nov 2024 08:00:00 +0100")
        + item(AR_TITLE_1, "https://akhbar.example/ar/1", "Tue, 12 Nov 2024 09:15:00 +0000"),
        encoding_decl="ISO-8859-1", lang="fr", title="Actualités bilingues",
    ).encode("utf-8"),
    {"encoding": "utf-8", "title": "Actualités bilingues",
     "titles": [FR_TITLE_1, AR_TITLE_1]},
)

# 5. Declares UTF-8, is windows-1256.
add(
    "rss-lies-utf8-is-1256.xml",
    rss(
        item(AR_TITLE_1, "https://akhbar.example/ar/1", "Tue, 12 Nov 2024 09:15:00 +0000")
        + item(AR_TITLE_2, "https://akhbar.example/ar/2", "Tue, 12 Nov 2024 10:00:00 +0000"),
        encoding_decl="UTF-8", lang="ar", title="أخبار تجريبية",
    ).encode("cp1256"),
    {"encoding": "windows-1256", "title": "أخبار تجريبية",
     "titles": [AR_TITLE_1, AR_TITLE_2]},
)

# 6. Atom 1.0 with xml:base and relative links (feed-level and entry-level bases).
add(
    "atom-xml-base.xml",
    """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en" xml:base="https://akhbar.example/en/">
  <title>Akhbar in English</title>
  <link rel="alternate" href="/en/"/>
  <link rel="self" href="https://akhbar.example/en/feed.atom"/>
  <id>urn:uuid:4b3c1d0e-0000-4000-8000-000000000001</id>
  <updated>2024-11-12T10:00:00Z</updated>
  <entry>
    <title type="html">Rabat &amp;amp; Salé: &lt;em&gt;tramway&lt;/em&gt; extended</title>
    <link rel="alternate" href="2024/11/tramway"/>
    <id>urn:uuid:4b3c1d0e-0000-4000-8000-000000000002</id>
    <published>2024-11-12T09:30:00+01:00</published>
    <updated>2024-11-12T10:00:00Z</updated>
    <author><name>Salma Idrissi</name></author>
    <category term="transport"/><category term="Rabat"/>
    <summary type="html">&lt;p&gt;The line now reaches &lt;b&gt;Salé&lt;/b&gt;.&lt;/p&gt;</summary>
    <content type="html">&lt;p&gt;&lt;img src="/img/tram.jpg"&gt;Long text.&lt;/p&gt;</content>
  </entry>
  <entry xml:base="https://akhbar.example/fr/" xml:lang="fr">
    <title>Le port de Tanger bat un record</title>
    <link href="2024/11/port-tanger"/>
    <id>urn:uuid:4b3c1d0e-0000-4000-8000-000000000003</id>
    <updated>2024-11-11T18:00:00Z</updated>
  </entry>
  <entry>
    <title>No link at all: skipped</title>
    <id>urn:uuid:4b3c1d0e-0000-4000-8000-000000000004</id>
    <updated>2024-11-10T18:00:00Z</updated>
  </entry>
</feed>
""".encode(),
    {"encoding": "utf-8", "title": "Akhbar in English", "language": "en",
     "titles": ["Rabat & Salé: tramway extended", "Le port de Tanger bat un record"],
     "links": ["https://akhbar.example/en/2024/11/tramway",
               "https://akhbar.example/fr/2024/11/port-tanger"],
     "images": ["https://akhbar.example/img/tram.jpg", None],
     "languages": ["en", "fr"]},
)

# 7. JSON Feed 1.1 with a relative item URL.
add(
    "jsonfeed-fr-ar.json",
    json.dumps({
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Akhbar JSON",
        "home_page_url": "https://akhbar.example/",
        "feed_url": "https://akhbar.example/feed.json",
        "language": "fr",
        "items": [
            {"id": "1", "url": "/fr/2024/11/fes-festival", "title": FR_TITLE_1,
             "content_html": "<p>Le festival s’ouvre à Fès.</p>",
             "date_published": "2024-11-12T08:00:00+01:00", "tags": ["culture"],
             "authors": [{"name": "Youssef Alaoui"}], "image": "/img/fes.jpg"},
            {"id": "https://akhbar.example/ar/3", "title": AR_TITLE_2, "language": "ar",
             "content_text": AR_SUMMARY, "date_published": "2024-11-12T10:00:00Z"},
        ],
    }, ensure_ascii=False, indent=1).encode("utf-8"),
    {"encoding": "utf-8", "title": "Akhbar JSON", "language": "fr",
     "titles": [FR_TITLE_1, AR_TITLE_2],
     "links": ["https://akhbar.example/fr/2024/11/fes-festival", "https://akhbar.example/ar/3"],
     "images": ["https://akhbar.example/img/fes.jpg", None],
     "languages": ["fr", "ar"]},
)

# 8. RSS 1.0 (RDF) with dc:date.
add(
    "rss1-en.rdf",
    b"""<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://akhbar.example/rss1">
    <title>Akhbar RDF</title>
    <link>https://akhbar.example/</link>
    <description>RSS 1.0 test</description>
    <dc:language>en</dc:language>
    <items><rdf:Seq><rdf:li rdf:resource="https://akhbar.example/en/argan"/></rdf:Seq></items>
  </channel>
  <item rdf:about="https://akhbar.example/en/argan">
    <title>Argan harvest up 12%</title>
    <link>https://akhbar.example/en/argan</link>
    <description>Cooperatives in Essaouira report a good year.</description>
    <dc:creator>Amine Berrada</dc:creator>
    <dc:date>2024-11-12T07:45:00Z</dc:date>
  </item>
</rdf:RDF>
""",
    {"encoding": "utf-8", "title": "Akhbar RDF", "titles": ["Argan harvest up 12%"],
     "published": ["2024-11-12T07:45:00+00:00"]},
)

# 9. Ill-formed: a bare "&" and an unclosed tag, yet the items are readable.
add(
    "rss-malformed.xml",
    rss(
        "<item><title>Maroc & Espagne : accord sur l’eau</title>"
        "<link>https://akhbar.example/fr/eau</link>"
        "<description><p>Texte non échappé<br></description></item>\n"
        + item("Deuxième article", "https://akhbar.example/fr/deux",
               "Tue, 12 Nov 2024 07:00:00 +0100"),
        encoding_decl="utf-8", lang="fr", title="Flux mal formé",
    ).encode("utf-8"),
    {"encoding": "utf-8", "titles": ["Maroc & Espagne : accord sur l’eau", "Deuxième article"],
     "warning": True},
)

# 10. An HTML page where a feed was expected.
add(
    "page.html",
    """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Accueil – Akhbar</title></head>
<body><h1>Bienvenue</h1><p>Le flux a déménagé.</p></body></html>
""".encode(),
    {"error": "not a feed: the server sent an HTML page"},
)

# 11. Dates written in French and Arabic (feedparser cannot read them), WordPress tails,
#     media:content image, enclosure, guid-only link.
_WP_AR = ("يفتتح المعرض أبوابه يوم الخميس […] The post افتتاح المعرض appeared first on "
          "أخبار - جريدة إلكترونية.")
_WP_FR = ("Le festival s’ouvre à Fès avec des concerts [&#8230;] L’article Le festival "
          "est apparu en premier sur Akhbar.")
add(
    "rss-dates-fr-ar.xml",
    rss(
        item(FR_TITLE_1, "https://akhbar.example/fr/1", "mardi 12 novembre 2024 14:30 +0100",
             _WP_FR, '<media:content url="https://akhbar.example/img/1.jpg" medium="image"/>')
        + item(AR_TITLE_1, "https://akhbar.example/ar/1", "الثلاثاء 12 نونبر 2024 10:15 +0000",
               _WP_AR, '<enclosure url="https://akhbar.example/img/2.png" type="image/png"'
               ' length="1"/>')
        + "<item><title>Guid seulement</title>"
        '<guid isPermaLink="true">https://akhbar.example/fr/guid</guid></item>\n',
        encoding_decl="utf-8", lang="fr", title="Dates locales",
    ).encode("utf-8"),
    {"encoding": "utf-8",
     "titles": [FR_TITLE_1, AR_TITLE_1, "Guid seulement"],
     "links": ["https://akhbar.example/fr/1", "https://akhbar.example/ar/1",
               "https://akhbar.example/fr/guid"],
     "summaries": ["Le festival s’ouvre à Fès avec des concerts", "يفتتح المعرض أبوابه يوم الخميس", ""],
     "images": ["https://akhbar.example/img/1.jpg", "https://akhbar.example/img/2.png", None],
     "published": ["2024-11-12T13:30:00+00:00", "2024-11-12T10:15:00+00:00", None]},
)


def main() -> None:
    expected = {}
    for name, (data, exp) in FIXTURES.items():
        (HERE / name).write_bytes(data)
        expected[name] = exp
    (HERE / "expected.json").write_text(
        json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
