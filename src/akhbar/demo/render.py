"""HTML pages, feeds (RSS 2.0, Atom, JSON Feed) and robots.txt of the demo outlets, as text.

The server encodes the text in the outlet's charset; characters the charset lacks become
numeric character references, which HTML and XML both read back exactly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime
from html import escape

from akhbar.demo import texts as T
from akhbar.demo.events import LOCAL, Art, World
from akhbar.demo.outlets import BY_ID, Outlet

PLUS1 = timedelta(hours=1)


def visible_date(dt: datetime, lang: str) -> str:
    """The date as a reader sees it, in Moroccan local time."""
    d = dt + LOCAL
    month = T.MONTHS[lang][d.month - 1]
    if lang == "fr":
        return f"{d.day} {month} {d.year} à {d.hour}h{d.minute:02d}"
    if lang == "ar":
        return f"{d.day} {month} {d.year} - {d.hour:02d}:{d.minute:02d}"
    return f"{month} {d.day}, {d.year}, {d.hour:02d}:{d.minute:02d}"


def iso_local(dt: datetime) -> str:
    return (dt + LOCAL).replace(tzinfo=None).isoformat(timespec="seconds") + "+01:00"


def claimed_date(world: World, a: Art) -> datetime:
    """The date the page metadata states: false on purpose for the date traps."""
    if a.trap == "before_founded":
        f = BY_ID[a.outlet].founded
        return datetime(f.year - 5, 5, 20, 8, 0, tzinfo=a.published.tzinfo)
    if a.trap == "future":
        return world.now + timedelta(days=400)
    return a.published


def _e(s: str) -> str:
    return escape(s, quote=True)


def _head(lang: str, title: str, extra: str, charset_meta: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">\n<head>\n'
        f"{charset_meta}\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n{extra}"
        "<style>body{font-family:sans-serif;margin:0}.ad{background:#eee;text-align:center}"
        ".cookie-banner{position:fixed;bottom:0;background:#222;color:#fff}</style>\n"
        '<script async src="/static/js/analytics.js"></script>\n</head>\n<body>\n'
    )


def _charset_meta(o: Outlet, lie: bool = False) -> str:
    if lie:  # the header says ISO-8859-1; this meta is wrong and must lose
        return '<meta charset="utf-8">'
    if o.charset_label.lower() == "utf-8":
        return '<meta charset="utf-8">'
    return f'<meta http-equiv="Content-Type" content="text/html; charset={o.charset_label}">'


def _chrome_top(o: Outlet, lang: str, base: str) -> str:
    ui = T.UI[lang]
    prefix = f"/{lang}" if len(o.languages) > 1 else ""
    nav = "".join(
        f'<li><a href="{base}{prefix}/{sec[lang][0]}/">{_e(sec[lang][1])}</a></li>'
        for sec in T.SECTIONS.values()
    )
    editions = ""
    if len(o.languages) > 1:
        editions = '<ul class="editions">' + "".join(
            f'<li><a href="{base}/{lg}/">{lg.upper()}</a></li>' for lg in o.languages) + "</ul>"
    return (
        f'<div class="cookie-banner" id="cookie-consent"><p>{_e(ui["cookies"])}</p>'
        f'<button type="button">{_e(ui["accept"])}</button></div>\n'
        f'<header class="site-header"><a class="logo" href="{base}{prefix}/">{_e(o.name)}</a>'
        f'{editions}<nav class="main-nav"><ul><li><a href="{base}{prefix}/">{_e(ui["home"])}</a></li>'
        f"{nav}</ul></nav></header>\n"
        f'<div class="ad ad-leaderboard"><span>{_e(ui["ad"])}</span>'
        f'<a href="{base}/pub/click?campaign=banque-atlas&amp;slot=top" rel="sponsored nofollow">'
        '<img src="/static/ads/728x90.gif" width="728" height="90" alt=""></a></div>\n'
    )


def _footer(o: Outlet, lang: str, base: str, year: int) -> str:
    ui = T.UI[lang]
    return (
        f'<footer class="site-footer"><form class="newsletter"><label>{_e(ui["subscribe"])}'
        '</label><input type="email" name="email"></form>'
        f"<p>&copy; {o.founded.year}-{year} {_e(o.name)}. {_e(ui['rights'])}</p>"
        f'<ul><li><a href="{base}/mentions-legales">{_e(ui["legal"])}</a></li>'
        f'<li><a href="{base}/contact">{_e(ui["contact"])}</a></li></ul></footer>\n'
        "</body>\n</html>\n"
    )


def _comments(o: Outlet, a: Art, lang: str) -> str:
    ui = T.UI[lang]
    pool = T.COMMENTS[lang]
    long_threads = o.id == "argane-express"
    count = 10 + a.num % 5 if long_threads else 2 + a.num % 3
    items = []
    for i in range(count):
        k = a.num + i * 7
        text = pool[k % len(pool)]
        if long_threads:  # long readers' letters: together longer than the article
            text = " ".join(pool[(k + j) % len(pool)] for j in range(4))
        who = T.COMMENTERS[(a.num + i) % len(T.COMMENTERS)]
        items.append(f'<div class="comment"><span class="comment-author">{_e(who)}</span>'
                     f'<p class="comment-text">{_e(text)}</p></div>')
    return (f'<section class="comments" id="comments"><h3>{_e(ui["comments"])} ({count})</h3>'
            + "".join(items) + "</section>\n")


def _read_also(lang: str, base: str, related: list[Art]) -> str:
    ui = T.UI[lang]
    links = "".join(f'<li><a href="{base}{r.path}">{_e(r.title)}</a></li>' for r in related)
    return f'<aside class="read-also"><h3>{_e(ui["read_also"])}</h3><ul>{links}</ul></aside>\n'


def article_page(world: World, a: Art, base: str, related: list[Art], most_read: list[Art],
                 image: str = "") -> str:
    """An article's page; ``image``: the URL of its lead picture."""
    o = BY_ID[a.outlet]
    lang = a.lang
    ui = T.UI[lang]
    cat = T.KIND_META[a.event.kind][0]
    sec_slug, sec_label = T.SECTIONS[cat][lang]
    url = base + a.path
    when = claimed_date(world, a)
    author = world.author(a)
    paras = world.paragraphs(a)
    description = paras[0][:200]
    extra = []
    if o.canonical:
        extra.append(f'<link rel="canonical" href="{_e(url)}">')
    if o.meta in ("full", "og"):
        extra += [
            '<meta property="og:type" content="article">',
            f'<meta property="og:title" content="{_e(a.title)}">',
            f'<meta property="og:url" content="{_e(url)}">',
            f'<meta property="og:site_name" content="{_e(o.name)}">',
            f'<meta property="og:description" content="{_e(description)}">',
            *([f'<meta property="og:image" content="{_e(image)}">'] if image else []),
            f'<meta property="og:locale" content="{ {"fr": "fr_FR", "ar": "ar_AR", "en": "en_GB"}[lang] }">',
            f'<meta property="article:published_time" content="{iso_local(when)}">',
            f'<meta property="article:section" content="{_e(sec_label)}">',
            f'<meta name="author" content="{_e(author)}">',
        ]
    if o.meta == "full":
        ld = {
            "@context": "https://schema.org", "@type": "NewsArticle", "headline": a.title,
            "datePublished": iso_local(when), "dateModified": iso_local(when),
            "author": {"@type": "Person", "name": author},
            "publisher": {"@type": "Organization", "name": o.name},
            "inLanguage": lang, "mainEntityOfPage": url, "articleSection": sec_label,
        }
        blob = json.dumps(ld, ensure_ascii=False).replace("</", "<\\/")
        extra.append(f'<script type="application/ld+json">{blob}</script>')
    extra.append(f'<meta name="description" content="{_e(description)}">')
    head = _head(lang, f"{a.title} | {o.name}", "\n".join(extra) + "\n",
                 _charset_meta(o, a.charset_lie))

    body_parts = []
    for i, p in enumerate(paras):
        body_parts.append(f"<p>{_e(p)}</p>")
        if i == 1 and o.id == "echo-bouregreg" and related:  # inline "Lire aussi" link
            r = related[0]
            body_parts.append(f'<p class="lire-aussi"><strong>{_e(ui["read_also"])} :</strong> '
                              f'<a href="{base}{r.path}">{_e(r.title)}</a></p>')
        if i == 2 and o.id in ("kasbah-tribune", "sawt-jabal", "al-manara"):
            body_parts.append(f'<div class="ad ad-inline"><span>{_e(ui["ad"])}</span></div>')
    if a.premium:  # subscribers only: a teaser, then the paywall
        body_parts = body_parts[:1] + [f'<p class="paywall">{_e(ui["premium"])}</p>']
    dated = visible_date(when, lang)
    if o.meta == "visible":
        date_html = f'<span class="date">{_e(ui["published"])} {_e(dated)}</span>'
    else:
        date_html = (f'<time class="pubdate" datetime="{iso_local(when)}">'
                     f'{_e(ui["published"])} {_e(dated)}</time>')
    if o.id == "argane-express":
        date_html = f'<span class="pubdate">{_e(dated)}</span>'
    credit = f'<span class="signature">{_e(author)}</span>'
    updated = ""
    if a.old_title is not None:
        updated = f'<p class="updated">{_e(ui["updated"])}</p>'
    comments = _comments(o, a, lang)
    read_also = _read_also(lang, base, related)
    most = "".join(f'<li><a href="{base}{m.path}">{_e(m.title)}</a></li>' for m in most_read)
    prefix = f"/{lang}" if len(o.languages) > 1 else ""
    inner_comments = o.id == "argane-express"  # comments inside the article container
    parts = [
        head, _chrome_top(o, lang, base), '<main class="container">\n',
        f'<article class="story {cat}">\n',
        f'<p class="breadcrumb"><a href="{base}{prefix}/">{_e(ui["home"])}</a> &rsaquo; '
        f'<a href="{base}{prefix}/{sec_slug}/">{_e(sec_label)}</a></p>\n',
        f'<h1 class="headline">{_e(a.title)}</h1>\n', updated,
        f'<div class="byline">{credit} {date_html}</div>\n',
        f'<figure><img src="{_e(image)}" alt="{_e(a.title)}"></figure>\n' if image else "",
        '<div class="article-content">\n' + "\n".join(body_parts) + "\n</div>\n",
        f'<div class="share">{_e(ui["share"])}: <a href="#">Facebook</a> <a href="#">X</a> '
        '<a href="#">WhatsApp</a></div>\n',
        read_also,
        comments if inner_comments else "",
        "</article>\n",
        "" if inner_comments else comments,
        f'<aside class="sidebar"><h3>{_e(ui["most_read"])}</h3><ol>{most}</ol>'
        f'<div class="ad ad-sidebar"><span>{_e(ui["ad"])}</span></div></aside>\n',
        "</main>\n", _footer(o, lang, base, world.now.year),
    ]
    return "".join(parts)


def listing_page(world: World, o: Outlet, lang: str, heading: str, arts: list[Art], base: str,
                 feeds: list[tuple[str, str]]) -> str:
    """A homepage or section page: headlines with their first lines."""
    ui = T.UI[lang]
    alt = "".join(f'<link rel="alternate" type="{t}" href="{_e(u)}">\n' for u, t in feeds)
    head = _head(lang, f"{heading} | {o.name}", alt, _charset_meta(o))
    items = []
    for a in arts:
        lead = world.paragraphs(a)[0]
        short = " ".join(lead.split()[:30]) + " ..."
        items.append(f'<li class="teaser"><a href="{base}{a.path}">{_e(a.title)}</a>'
                     f'<span class="date">{_e(visible_date(a.published, lang))}</span>'
                     f"<p>{_e(short)}</p></li>")
    return (head + _chrome_top(o, lang, base) + f'<main><h2>{_e(heading or ui["latest"])}</h2>'
            f'<ul class="teasers">{"".join(items)}</ul></main>\n'
            + _footer(o, lang, base, world.now.year))


@dataclass(frozen=True)
class FeedItem:
    art: Art
    link: str
    title: str
    dated: bool = True  # False: the item carries no date (the date-trap articles)
    image: str = ""  # URL of the lead picture
    image_type: str = ""  # its MIME type


def _summary(world: World, a: Art) -> str:
    return " ".join(world.paragraphs(a)[0].split()[:40]) + " ..."


def _xml(s: str) -> str:
    return escape(s, quote=False)


def rss(world: World, o: Outlet, lang: str, title: str, link: str, items: list[FeedItem],
        *, broken: bool = False) -> str:
    out = [
        f'<?xml version="1.0" encoding="{o.charset_label}"?>\n'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:atom="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">'
        '\n<channel>\n',
        # The broken feed: a raw '&' that XML forbids (a hand-built template on the real web).
        f"<title>{title if broken else _xml(title)}</title>\n",
        f"<link>{_xml(link)}</link>\n<description>{_xml(o.name)}</description>\n"
        f"<language>{lang}</language>\n",
    ]
    if items:
        newest = max(i.art.published for i in items)
        out.append(f"<lastBuildDate>{format_datetime(newest + PLUS1, usegmt=False)}</lastBuildDate>\n")
    cat_label = {}
    for it in items:
        a = it.art
        cat = T.KIND_META[a.event.kind][0]
        label = cat_label.setdefault(cat, T.SECTIONS[cat][lang][1])
        date = ""
        if it.dated:
            date = f"<pubDate>{format_datetime(a.published, usegmt=True)}</pubDate>"
        out.append(
            f"<item><title>{it.title if broken else _xml(it.title)}</title>"
            f"<link>{_xml(it.link)}</link>"
            f'<guid isPermaLink="false">{o.id}-{a.num}</guid>{date}'
            f"<dc:creator>{_xml(world.author(a))}</dc:creator><category>{_xml(label)}</category>"
            f"<description>{_xml(_summary(world, a))}</description>{_media(it)}</item>\n"
        )
    out.append("</channel>\n</rss>\n")
    return "".join(out)


def _media(it: FeedItem) -> str:
    """The lead picture as Media RSS: no byte length needed, unlike an RSS <enclosure>."""
    if not it.image:
        return ""
    return f'<media:content url="{_e(it.image)}" medium="image" type="{it.image_type}"/>'


def _enclosure(it: FeedItem) -> str:
    if not it.image:
        return ""
    return f'<link rel="enclosure" type="{it.image_type}" href="{_e(it.image)}"/>'


def atom(world: World, o: Outlet, lang: str, title: str, link: str, self_url: str,
         items: list[FeedItem]) -> str:
    newest = max((i.art.published for i in items), default=world.now)
    out = [
        f'<?xml version="1.0" encoding="{o.charset_label}"?>\n'
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{lang}">\n'
        f"<title>{_xml(title)}</title>\n<id>{_xml(self_url)}</id>\n"
        f'<link rel="alternate" href="{_e(link)}"/>\n<link rel="self" href="{_e(self_url)}"/>\n'
        f"<updated>{iso_local(newest)}</updated>\n"
    ]
    for it in items:
        a = it.art
        date = ""
        if it.dated:
            date = f"<published>{iso_local(a.published)}</published><updated>{iso_local(a.published)}</updated>"
        out.append(
            f"<entry><title>{_xml(it.title)}</title>"
            f'<link rel="alternate" href="{_e(it.link)}"/><id>urn:{o.id}:{a.num}</id>{date}'
            f"<author><name>{_xml(world.author(a))}</name></author>"
            f'<summary type="text">{_xml(_summary(world, a))}</summary>{_enclosure(it)}</entry>\n'
        )
    out.append("</feed>\n")
    return "".join(out)


def jsonfeed(world: World, o: Outlet, lang: str, title: str, link: str, self_url: str,
             items: list[FeedItem]) -> str:
    doc = {
        "version": "https://jsonfeed.org/version/1.1", "title": title, "home_page_url": link,
        "feed_url": self_url, "language": lang,
        "items": [
            {
                "id": f"{o.id}-{it.art.num}", "url": it.link, "title": it.title,
                "summary": _summary(world, it.art),
                **({"date_published": iso_local(it.art.published)} if it.dated else {}),
                "authors": [{"name": world.author(it.art)}],
                "tags": [T.SECTIONS[T.KIND_META[it.art.event.kind][0]][lang][1]],
                **({"image": it.image} if it.image else {}),
            }
            for it in items
        ],
    }
    return json.dumps(doc, ensure_ascii=False, indent=1)


def robots(o: Outlet) -> str:
    lines = ["User-agent: *"]
    if o.id == "sawt-jabal":
        lines.append("Disallow: /premium/")
    lines += ["Disallow: /search", "Disallow: /pub/", "", "User-agent: GPTBot", "Disallow: /", ""]
    return "\n".join(lines)
