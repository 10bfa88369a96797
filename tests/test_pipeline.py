"""The whole crawl path against loopback servers: good outlets, broken ones, and what survives.

Every bad input is served over real HTTP; the check is the one a reader and an operator
care about: the other outlets are crawled, the error is recorded on the broken one, and
nothing already stored is lost.
"""

from __future__ import annotations

import asyncio
import gzip
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from akhbar.config import load_settings
from akhbar.pipeline import Pipeline
from akhbar.types import Source

# Ahead of the wall clock: feeds synced now are due at NOW. Computed at import, so it must
# stay ahead for as long as the whole suite may run before these tests (hours, not minutes).
NOW = (datetime.now(UTC) + timedelta(hours=6)).replace(microsecond=0)

Route = Callable[[BaseHTTPRequestHandler], None]


class Host:
    """One loopback host with a route table the test can change between crawls."""

    def __init__(self, ip: str):
        self.routes: dict[str, Route] = {}
        self.hits: list[str] = []
        host = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                host.hits.append(self.path)
                route = host.routes.get(self.path)
                if route is None:
                    send(self, 404, b"not found", "text/plain")
                else:
                    route(self)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((ip, 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://{ip}:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def send(handler, status: int, body: bytes, content_type: str, headers: dict | None = None):
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


def static(body: bytes, content_type: str, headers: dict | None = None) -> Route:
    return lambda h: send(h, 200, body, content_type, headers)


def rss(base: str, items: list[tuple], encoding: str = "utf-8") -> bytes:
    """items: (path, title, date[, description]); the description defaults to the title."""
    entries = "".join(
        f"<item><title>{title}</title><link>{base}{path}</link>"
        f"<pubDate>{format_datetime(when)}</pubDate>"
        f"<description>{rest[0] if rest else title}</description></item>"
        for path, title, when, *rest in items
    )
    xml = (f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel>'
           f"<title>Test</title><link>{base}/</link>{entries}</channel></rss>")
    return xml.encode(encoding)


def article_page(title: str, paragraphs: list[str], lang: str, charset: str = "utf-8") -> bytes:
    direction = ' dir="rtl"' if lang == "ar" else ""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    html = (f'<!doctype html><html lang="{lang}"{direction}><head><meta charset="{charset}">'
            f"<title>{title}</title></head><body><nav><a href='/'>Accueil</a> · <a href='/sport'>"
            f"Sport</a></nav><article><h1>{title}</h1>{body}</article>"
            "<aside>Publicité</aside><footer>Tous droits réservés</footer></body></html>")
    return html.encode(charset)


FR = [
    "La ville d'Agadir accueille cette semaine le salon national de la pêche, qui réunit plus de "
    "deux cents exposants venus de tout le littoral atlantique et méditerranéen.",
    "Les organisateurs attendent quarante mille visiteurs en quatre jours, un record pour cette "
    "manifestation créée il y a quinze ans par la chambre régionale des pêches maritimes.",
    "Les débats porteront sur la préservation des stocks de sardine et sur la modernisation des "
    "ports de pêche artisanale de Sidi Ifni, Tan-Tan et Dakhla.",
]
AR = [
    "تحتضن مدينة أكادير هذا الأسبوع المعرض الوطني للصيد البحري بمشاركة أكثر من مائتي عارض "
    "قدموا من مختلف مدن الساحل الأطلسي والمتوسطي.",
    "ويتوقع المنظمون أربعين ألف زائر خلال أربعة أيام، وهو رقم قياسي لهذه التظاهرة التي أنشئت "
    "قبل خمس عشرة سنة من طرف الغرفة الجهوية للصيد البحري.",
    "وستتناول النقاشات الحفاظ على مخزون السردين وتحديث موانئ الصيد التقليدي بسيدي إفني وطانطان والداخلة.",
]
EN = [
    "The city of Agadir hosts the national fisheries fair this week, bringing together more than "
    "two hundred exhibitors from the whole Atlantic and Mediterranean coast.",
    "Organisers expect forty thousand visitors over four days, a record for an event created "
    "fifteen years ago by the regional chamber of maritime fisheries.",
    "Debates will focus on sardine stocks and on modernising the small fishing ports of "
    "Sidi Ifni, Tan-Tan and Dakhla.",
]


@pytest.fixture
def hosts():
    made = [Host(f"127.0.0.{n}") for n in range(31, 43)]
    yield made
    for host in made:
        host.close()


def endless(handler):
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    handler.end_headers()
    chunk = b"<item><title>encore</title></item>" * 1000
    try:
        while True:
            handler.wfile.write(chunk)
    except OSError:
        pass


def silent(handler):
    time.sleep(3)  # longer than the read timeout; the client gives up first


def truncated_gzip(handler):
    body = gzip.compress(rss("http://x", [("/a", "Titre", NOW)]))[:-20]
    send(handler, 200, body, "application/rss+xml", {"Content-Encoding": "gzip"})


def redirect(to: str) -> Route:
    def route(handler):
        handler.send_response(302)
        handler.send_header("Location", to)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
    return route


def source(id: str, feed: str, languages=("fr",), **kw) -> Source:
    return Source(id=id, name=id, homepage=feed.rsplit("/", 1)[0] + "/", feeds=(feed,),
                  languages=languages, min_delay=0.0, **kw)


def build_press(hosts: list[Host]) -> tuple[list[Source], dict[str, Host]]:
    good, arabic, english, *bad = hosts
    day = timedelta(days=1)
    good.routes = {
        "/feed": static(rss(good.base, [("/fr/salon-peche", "Salon de la pêche à Agadir", NOW - day),
                                        ("/fr/introuvable", "Page disparue", NOW - day),
                                        # No summary to fall back on either.
                                        ("/fr/illisible", "Page illisible", NOW - day, ""),
                                        # No text on the page, but a summary in the feed.
                                        ("/fr/video", "La vidéo du salon", NOW - day,
                                         "Reportage vidéo au salon de la pêche d'Agadir."),
                                        # Same article again, behind tracking parameters.
                                        ("/fr/salon-peche?utm_source=rss&utm_medium=feed",
                                         "Salon de la pêche à Agadir", NOW - day)]),
                        "application/rss+xml; charset=utf-8", {"ETag": '"v1"'}),
        "/fr/salon-peche": static(article_page("Salon de la pêche à Agadir", FR, "fr"),
                                  "text/html; charset=utf-8"),
        # Malformed HTML with no article in it: an extraction error, not a crash.
        "/fr/video": static(b"<html><body><video src='/v.mp4'></video></body></html>",
                            "text/html"),
        "/fr/illisible": static(b"<html><body><div><p>\xff\xfe<<</div></table></span>",
                                "text/html"),
    }
    # Arabic in windows-1256 while the HTTP header claims UTF-8: the bytes must win.
    arabic.routes = {
        "/rss": static(rss(arabic.base, [("/ar/maarid", "معرض الصيد البحري بأكادير", NOW - day)],
                           encoding="windows-1256"), "application/rss+xml; charset=windows-1256"),
        "/ar/maarid": static(article_page("معرض الصيد البحري بأكادير", AR, "ar", charset="windows-1256"),
                             "text/html; charset=utf-8"),
    }
    english.routes = {
        "/feed": static(rss(english.base, [("/en/fisheries-fair", "Agadir hosts fisheries fair", NOW)]),
                        "application/rss+xml"),
        "/en/fisheries-fair": static(article_page("Agadir hosts fisheries fair", EN, "en"),
                                     "text/html"),
    }
    b = dict(zip(["malformed", "html", "gzip", "endless", "loop", "timeout", "empty", "status"],
                 bad, strict=False))
    b["malformed"].routes = {"/feed": static(b"<rss><channel><<item>&&& not xml", "application/rss+xml")}
    b["html"].routes = {"/feed": static(article_page("Accueil", FR, "fr"), "text/html")}
    b["gzip"].routes = {"/feed": truncated_gzip}
    b["endless"].routes = {"/feed": endless}
    b["loop"].routes = {"/feed": redirect("/a"), "/a": redirect("/b"), "/b": redirect("/a")}
    b["timeout"].routes = {"/feed": silent}
    b["empty"].routes = {"/feed": static(b"", "application/rss+xml")}
    b["status"].routes = {"/feed": lambda h: send(h, 503, b"busy", "text/plain", {"Retry-After": "3600"})}
    sources = [
        source("good-fr", f"{good.base}/feed"),
        source("arabic-1256", f"{arabic.base}/rss", languages=("ar",)),
        source("english", f"{english.base}/feed", languages=("en",)),
        *(source(f"bad-{name}", f"{host.base}/feed") for name, host in b.items()),
        source("bad-dns", "http://no-such-outlet.invalid/feed"),
    ]
    return sources, {"good": good, "arabic": arabic, "english": english, **b}


def settings():
    return load_settings(
        env={}, allow_private_networks="127.0.0.0/8", min_host_delay=0.0, read_timeout=1.0,
        connect_timeout=1.0, total_timeout=5.0, max_body_bytes=2_000_000, extract_processes=1,
        max_redirects=3,
    )


def crawl(store, sources, clock):
    async def run():
        async with Pipeline(store, settings(), sources, worker="t", clock=clock) as pipeline:
            return await pipeline.crawl_due()
    return asyncio.run(run())


def test_bad_outlets_are_recorded_and_the_others_crawled(store, hosts):
    sources, by_name = build_press(hosts)
    report = crawl(store, sources, clock=lambda: NOW)

    assert report.articles_new == 4
    # On good-fr: the 404 page, the unreadable one, and the video page kept from its summary.
    assert report.pages_failed == 3
    fr = store.get_article_by_url(f"{by_name['good'].base}/fr/salon-peche")
    ar = store.get_article_by_url(f"{by_name['arabic'].base}/ar/maarid")
    en = store.get_article_by_url(f"{by_name['english'].base}/en/fisheries-fair")
    assert (fr.lang, ar.lang, en.lang) == ("fr", "ar", "en")
    assert ar.title == "معرض الصيد البحري بأكادير"  # no mojibake
    assert "أكادير" in ar.text and "pêche" in fr.text
    # The tracking-parameter link was recognised as the same article: fetched once.
    assert by_name["good"].hits.count("/fr/salon-peche") == 1

    failed = report.source_errors
    expected = {
        "bad-malformed": "ParseError", "bad-html": "ParseError", "bad-gzip": "ContentDecodeError",
        "bad-endless": "TooLarge", "bad-loop": "TooManyRedirects", "bad-timeout": "FetchTimeout",
        "bad-empty": "ParseError", "bad-status": "HTTPStatusError", "bad-dns": "DNSError",
    }
    assert set(failed) == set(expected)
    for source_id, kind in expected.items():
        assert failed[source_id].startswith(kind), (source_id, failed[source_id])
    states = {s.source_id: s for s in store.feed_states()}
    for source_id in expected:
        assert states[source_id].error_streak == 1 and states[source_id].last_error
    # Retry-After of an hour pushed the next check at least that far.
    assert states["bad-status"].next_check >= NOW + timedelta(seconds=3600)
    assert states["good-fr"].error_streak == 0 and states["good-fr"].etag == '"v1"'
    health = {h.source_id: h for h in store.source_health()}
    assert health["good-fr"].pages_failed == 3 and health["good-fr"].pages_ok == 1
    assert health["good-fr"].articles == 2
    video = store.get_article_by_url(f"{by_name['good'].base}/fr/video")
    assert video.text == "Reportage vidéo au salon de la pêche d'Agadir." and video.html == ""
    messages = [message for _, _, message in store.source_errors("good-fr")]
    assert any(m.startswith("HTTPStatusError") for m in messages)
    assert any(m.startswith("ExtractError") for m in messages)


def test_a_source_breaking_later_loses_nothing(store, hosts):
    sources, by_name = build_press(hosts)
    crawl(store, sources, clock=lambda: NOW)
    before = store.article_stats()["articles"]
    good = by_name["good"]
    good.routes["/feed"] = static(b"<html><body>Maintenance</body></html>", "text/html")
    later = NOW + timedelta(days=2)
    report = crawl(store, sources, clock=lambda: later)
    assert "good-fr" in report.source_errors
    assert store.article_stats()["articles"] == before
    assert store.get_article_by_url(f"{good.base}/fr/salon-peche") is not None
    state = next(s for s in store.feed_states("good-fr"))
    assert state.error_streak == 1 and state.etag == '"v1"'  # validators kept


def test_feed_of_100000_entries(sqlite_url, hosts):
    """Within the body cap it is cut, the newest entries kept; above the cap, a clear error."""
    from akhbar.store.base import open_store

    big, capped = hosts[:2]
    items = "".join(
        f"<item><title>Dépêche {i}</title><link>{big.base}/d/{i}</link>"
        f"<pubDate>{format_datetime(NOW - timedelta(minutes=i))}</pubDate></item>"
        for i in range(100_000)
    )
    body = (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Fil</title>'
            f"{items}</channel></rss>").encode()
    for host in (big, capped):
        host.routes = {"/feed": static(body, "application/rss+xml")}
    sources = [source("huge", f"{big.base}/feed"), source("huge-capped", f"{capped.base}/feed")]
    store = open_store(sqlite_url)

    async def run():
        settings_ = settings().replace(max_body_bytes=len(body) + 1, max_feed_entries=5)
        async with Pipeline(store, settings_, sources[:1], worker="t", clock=lambda: NOW) as p:
            first = await p.crawl_due()
        async with Pipeline(store, settings(), sources[1:], worker="t", clock=lambda: NOW) as p:
            return first, await p.crawl_due()

    within_cap, over_cap = asyncio.run(run())
    assert within_cap.feeds_ok == 1 and "cut after" in within_cap.feed_warnings[f"{big.base}/feed"]
    # Only the five newest entries were followed (their pages do not exist here).
    assert sorted(path for path in big.hits if path.startswith("/d/")) == [f"/d/{i}" for i in range(5)]
    assert over_cap.source_errors["huge-capped"].startswith("TooLarge")
    store.close()


def test_unchanged_feed_costs_one_conditional_request(store, hosts):
    sources, by_name = build_press(hosts)
    good = by_name["good"]

    def conditional(handler):
        if handler.headers.get("If-None-Match") == '"v1"':
            send(handler, 304, b"", "application/rss+xml", {"ETag": '"v1"'})
        else:
            static(rss(good.base, [("/fr/salon-peche", "Salon de la pêche à Agadir", NOW)]),
                   "application/rss+xml", {"ETag": '"v1"'})(handler)

    good.routes["/feed"] = conditional
    crawl(store, sources[:1], clock=lambda: NOW)
    good.hits.clear()
    report = crawl(store, sources[:1], clock=lambda: NOW + timedelta(days=1))
    assert report.feeds_not_modified == 1
    assert good.hits == ["/feed"]
