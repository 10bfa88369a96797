"""The crawler's image check over real HTTP on loopback, on both stores.

A small press of three outlets (fr, ar, en) and an image host; readers block an image with
real reports (Store.record_report); the pipeline then finds re-encoded copies elsewhere,
never fetches an image twice, fetches none while nothing is blocked, and survives image
hosts that fail.
"""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape

import pytest
from PIL import Image

from akhbar.config import load_settings
from akhbar.demo.pictures import draw
from akhbar.errors import TooLarge
from akhbar.moderate.images import (
    CHECKPOINT,
    MAX_IMAGE_BYTES,
    RESCAN,
    distance,
    perceptual_hash,
    tries_of,
)
from akhbar.pipeline import Pipeline
from akhbar.types import Article, ReportIn, ReportPolicy, Source
from httpservers import LoopbackServer, Reply, fetch, make_settings, never_answer

# Ahead of the wall clock, as in test_pipeline: feeds synced now are due at NOW.
NOW = (datetime.now(UTC) + timedelta(hours=6)).replace(microsecond=0)
DAY = timedelta(days=1)
POLICY = ReportPolicy(threshold=3)

SETTINGS = dict(allow_private_networks="127.0.0.0/8", min_host_delay=0.0, connect_timeout=1.0,
                read_timeout=1.0, total_timeout=0.8, extract_processes=1, stories_enabled=False)

# Fictional reports, one topic per article so that none is a near-duplicate of another.
TOPICS = {
    "fr": [("Tiznit", "la réouverture du souk des bijoutiers"),
           ("Ouarzazate", "le tournage d'une série dans les studios"),
           ("Essaouira", "le festival des musiques gnaoua"),
           ("Ifrane", "les premières neiges sur le Moyen Atlas"),
           ("Larache", "la restauration du fort de la Cigogne")],
    "ar": [("الحسيمة", "افتتاح ميناء الصيد الجديد"),
           ("مرزوكة", "سباق الكثبان الرملية السنوي"),
           ("شفشاون", "ترميم أسوار المدينة العتيقة"),
           ("الداخلة", "بطولة ركوب الأمواج الدولية")],
    "en": [("Tiznit", "the silversmiths' souk reopening"),
           ("Agadir", "a new desalination plant"),
           ("Fez", "the tanneries' water recycling"),
           ("Rabat", "the riverside tramway extension")],
}


def paragraphs(lang: str, place: str, event: str) -> list[str]:
    if lang == "fr":
        return [f"À {place}, {event} a rassemblé habitants, élus et visiteurs venus de toute la "
                f"région pour l'occasion, malgré un vent soutenu toute la matinée.",
                f"Les organisateurs de {place} promettent un bilan chiffré à la fin du mois et "
                "une nouvelle édition l'an prochain, avec davantage de moyens.",
                f"Pour les commerçants de {place}, l'affluence de ces derniers jours est une "
                "bouffée d'oxygène après une saison jugée difficile."]
    if lang == "ar":
        return [f"شهدت {place} {event} بحضور السكان والمنتخبين وزوار قدموا من مختلف أنحاء "
                "الجهة، رغم الرياح القوية طيلة الصباح.",
                f"ووعد المنظمون في {place} بتقديم حصيلة مفصلة في نهاية الشهر وبدورة جديدة في "
                "السنة المقبلة بإمكانيات أكبر.",
                f"وبالنسبة لتجار {place}، فإن الإقبال الكبير خلال الأيام الأخيرة متنفس حقيقي "
                "بعد موسم صعب."]
    return [f"In {place}, {event} drew residents, councillors and visitors from across the "
            "region, despite a strong wind all morning.",
            f"Organisers in {place} promise detailed figures at the end of the month and a "
            "bigger edition next year.",
            f"For shopkeepers in {place}, the crowds of the last few days bring welcome relief "
            "after a difficult season."]


def encoded(seed: int, fmt: str = "JPEG", width: int = 800, **options) -> bytes:
    image = draw(seed)
    if width != image.width:
        image = image.resize((width, round(image.height * width / image.width)),
                             Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


MIME = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


class Outlet:
    """One loopback host with an RSS feed; articles and images are added between crawls."""

    def __init__(self, server: LoopbackServer, sid: str, lang: str):
        self.server, self.id, self.lang = server, sid, lang
        self.items: list[tuple[str, str, datetime]] = []
        self._topics = iter(TOPICS[lang])
        self._publish_feed()

    @property
    def source(self) -> Source:
        return Source(id=self.id, name=self.id, homepage=self.server.url("/"),
                      feeds=(self.server.url("/feed.xml"),), languages=(self.lang,),
                      min_delay=0.0)

    def image(self, path: str, data: bytes, mime: str = "image/jpeg") -> str:
        self.server.route(path, Reply(200, data, {"Content-Type": mime}))
        return self.server.url(path)

    def article(self, slug: str, image_url: str | None, when: datetime) -> str:
        place, event = next(self._topics)
        title = f"{place} : {event}" if self.lang == "fr" else f"{place} - {event}"
        og = f'<meta property="og:image" content="{escape(image_url)}">' if image_url else ""
        body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs(self.lang, place, event))
        page = (f'<!doctype html><html lang="{self.lang}"><head><meta charset="utf-8">'
                f'<title>{escape(title)}</title><meta property="og:title" content="{escape(title)}">'
                f"{og}</head><body><article><h1>{escape(title)}</h1>{body}</article></body></html>")
        path = f"/{self.lang}/{slug}.html"
        self.server.route(path, Reply(200, page.encode(), {"Content-Type": "text/html; charset=utf-8"}))
        self.items.append((path, title, when))
        self._publish_feed()
        return self.server.url(path)

    def _publish_feed(self) -> None:
        entries = "".join(
            f"<item><title>{escape(t)}</title><link>{self.server.url(p)}</link>"
            f"<pubDate>{format_datetime(w)}</pubDate></item>" for p, t, w in self.items)
        xml = (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{self.id}'
               f"</title><link>{self.server.url('/')}</link>{entries}</channel></rss>")
        self.server.route("/feed.xml", Reply(200, xml.encode(), {"Content-Type": "application/rss+xml"}))

    def image_hits(self) -> int:
        return sum(1 for r in self.server.requests if r.path.startswith(("/img/", "/media/")))


@pytest.fixture
def press():
    servers = [LoopbackServer(f"127.0.0.{n}") for n in (61, 62, 63, 64)]
    for s in servers:
        s.__enter__()
    yield (Outlet(servers[0], "courrier-atlas", "fr"), Outlet(servers[1], "sada-sahil", "ar"),
           Outlet(servers[2], "atlas-weekly", "en"), servers[3])
    for s in servers:
        s.__exit__(None, None, None)


def crawl(store, outlets, when: datetime, **overrides):
    settings = load_settings(env={}, **{**SETTINGS, **overrides})

    async def run():
        async with Pipeline(store, settings, [o.source for o in outlets], worker="t",
                            clock=lambda: when) as pipeline:
            return await pipeline.crawl_due()
    return asyncio.run(run())


def block_by_readers(store, article_url: str) -> int:
    """Three readers on three networks report the article's image: it is blocked."""
    article = store.get_article_by_url(article_url)
    outcome = None
    for reader in ("k", "l", "m"):
        outcome = store.record_report(
            ReportIn(kind="image", article_id=article.id, target=article.image, reason="violent",
                     reporter_key=reader * 64, network_key=reader.upper() * 64), POLICY)
    assert outcome.state == "blocked"
    return outcome.item_id


def test_a_re_encoded_copy_is_blocked_and_a_blocked_url_is_never_fetched_again(store, press):
    fr, ar, en, _cdn = press
    outlets = (fr, ar, en)
    souk = fr.image("/img/souk.jpg", encoded(1001, quality=90))
    first = fr.article("souk", souk, NOW - DAY)
    ar.article("port", ar.image("/img/port.png", encoded(1002, "PNG", 640), "image/png"), NOW - DAY)

    report = crawl(store, outlets, NOW)
    assert report.articles_new == 2
    assert store.get_article_by_url(first).image == souk
    # Nothing blocked: no image is fetched, none is hashed.
    assert [o.image_hits() for o in outlets] == [0, 0, 0]
    assert (report.images_hashed, report.image_copies_blocked) == (0, 0)
    assert store.image_hashes([souk]) == {}

    blocked = block_by_readers(store, first)
    version = store.moderation_version()
    # The English outlet runs the same photograph, smaller, as WebP, under its own URL.
    copy = en.image("/media/souk-480.webp", encoded(1001, "WEBP", 480, quality=70), "image/webp")
    copied = en.article("souk-reopens", copy, NOW)
    ar.article("dunes", ar.image("/img/dunes.png", encoded(1003, "PNG", 480), "image/png"), NOW)

    report = crawl(store, outlets, NOW + DAY)
    assert report.articles_new == 2
    assert report.image_copies_blocked == 1
    assert report.images_hashed == 4  # the blocked one, the copy, and the two others
    assert report.as_dict()["image_copies_blocked"] == 1  # `akhbar crawl` prints it
    assert [o.image_hits() for o in outlets] == [1, 2, 1]  # each image once
    item = store.moderation_item(blocked)
    assert item.phash == perceptual_hash(encoded(1001, quality=90))
    assert store.blocked_images() == {souk, copy}
    [copy_item] = [i for i in store.moderation_items(("blocked",)) if i.target == copy]
    assert (copy_item.decided_by, copy_item.match_of) == ("system", blocked)
    assert copy_item.article_id == store.get_article_by_url(copied).id
    [entry] = store.audit_log(item_id=copy_item.id)
    assert (entry.actor, entry.action, entry.detail["copy_of"]) == ("system", "block", blocked)
    assert entry.detail["distance"] == distance(item.phash, copy_item.phash) <= 8
    assert store.moderation_version() == version + 1

    # The blocked URL comes back in a new article: blocked by its URL, not fetched again;
    # a new unrelated image is hashed (once) and left alone.
    again = fr.article("souk-bis", souk, NOW + DAY)
    fresh = fr.image("/img/ifrane.jpg", encoded(1004, quality=85))
    fr.article("ifrane", fresh, NOW + DAY)
    report = crawl(store, outlets, NOW + 2 * DAY)
    assert report.articles_new == 2
    assert (report.images_hashed, report.image_copies_blocked) == (1, 0)
    assert fr.server.hits("/img/souk.jpg") == 1 and fr.server.hits("/img/ifrane.jpg") == 1
    assert store.get_article_by_url(again).image in store.blocked_images()
    assert fresh not in store.blocked_images()
    assert store.moderation_version() == version + 1

    # A pass with nothing new fetches nothing.
    hits = [o.image_hits() for o in outlets]
    report = crawl(store, outlets, NOW + 3 * DAY)
    assert (report.articles_new, report.images_hashed) == (0, 0)
    assert [o.image_hits() for o in outlets] == hits


def test_a_copy_crawled_before_the_block_is_found_when_the_block_comes(store, press):
    fr, ar, en, _cdn = press
    outlets = (fr, ar, en)
    original = fr.article("essaouira", fr.image("/img/gnaoua.jpg", encoded(2001, quality=92)), NOW)
    en.article("tiznit", en.image("/media/gnaoua.png", encoded(2001, "PNG", 480), "image/png"), NOW)
    ar.article("hoceima", ar.image("/img/port.jpg", encoded(2002, quality=80)), NOW)
    ar.article("merzouga", None, NOW)  # no image at all
    for when in (NOW, NOW + DAY):
        report = crawl(store, outlets, when)
        assert report.images_hashed == 0
    assert [o.image_hits() for o in outlets] == [0, 0, 0]
    assert int(store.get_checkpoint(CHECKPOINT)) == store.latest_change()[0]

    blocked = block_by_readers(store, original)
    # No new article: the pass hashes the blocked image, then checks the recent articles.
    report = crawl(store, outlets, NOW + 2 * DAY)
    assert report.articles_new == 0
    assert (report.images_hashed, report.image_copies_blocked) == (3, 1)
    assert [o.image_hits() for o in outlets] == [1, 1, 1]
    assert store.blocked_images() == {fr.server.url("/img/gnaoua.jpg"), en.server.url("/media/gnaoua.png")}
    [copy_item] = [i for i in store.moderation_items(("blocked",)) if i.match_of == blocked]
    assert copy_item.target == en.server.url("/media/gnaoua.png")


def test_failing_image_hosts_do_not_stop_the_crawl_and_are_retried_later(store, press):
    fr, ar, en, cdn = press
    outlets = (fr, ar, en)
    down = cdn.url("/img/down.jpg")
    cdn.route("/img/down.jpg", Reply(500, b"upstream error", {"Content-Type": "text/plain"}))
    cdn.route("/img/slow.jpg", never_answer())
    cdn.route("/img/page.jpg", Reply(200, "<html><body><p>الصفحة غير موجودة</p></body></html>".encode(),
                                     {"Content-Type": "text/html; charset=utf-8"}))
    with_down = fr.article("tiznit", down, NOW)
    with_ok = fr.article("ouarzazate", fr.image("/img/studio.jpg", encoded(3001, quality=90)), NOW)
    ar.article("hoceima", cdn.url("/img/slow.jpg"), NOW)
    en.article("tiznit", cdn.url("/img/page.jpg"), NOW)
    en.article("agadir", en.image("/media/plant.webp", encoded(3002, "WEBP", 640), "image/webp"), NOW)
    crawl(store, outlets, NOW)
    down_item = block_by_readers(store, with_down)
    block_by_readers(store, with_ok)

    report = crawl(store, outlets, NOW + DAY)
    assert report.feeds_ok == 3 and report.feeds_failed == 0
    assert report.images_failed == 3 and report.images_hashed == 2  # studio.jpg, plant.webp
    errors = store.image_errors([down, cdn.url("/img/slow.jpg"), cdn.url("/img/page.jpg")])
    assert errors[down][0].startswith("try 1: HTTPStatusError: HTTP 500")
    assert errors[cdn.url("/img/slow.jpg")][0].startswith("try 1: FetchTimeout")
    assert errors[cdn.url("/img/page.jpg")][0].startswith("try 1: ImageError: not an image")
    assert store.moderation_item(down_item).phash is None
    # New articles keep coming in meanwhile.
    ar.article("chefchaouen", None, NOW + DAY)

    # Straight after: the failures wait their turn, nothing is asked of the image host.
    cdn_hits = len(cdn.requests)
    report = crawl(store, outlets, NOW + 2 * DAY)
    assert report.articles_new == 1 and report.images_failed == 0
    assert len(cdn.requests) == cdn_hits

    # Later (the tries aged past their wait), the host is back for one of them.
    with store._write():
        store._exec("UPDATE image_hashes SET checked = ? WHERE phash IS NULL",
                    (store._dt_in(datetime.now(UTC) - timedelta(hours=2)),))
    cdn.route("/img/down.jpg", Reply(200, encoded(3003, quality=88), {"Content-Type": "image/jpeg"}))
    report = crawl(store, outlets, NOW + 3 * DAY)
    assert store.moderation_item(down_item).phash == perceptual_hash(encoded(3003, quality=88))
    # Its first hash rewinds the check over recent articles: the two others are tried again.
    errors = store.image_errors([cdn.url("/img/slow.jpg"), cdn.url("/img/page.jpg")])
    assert [tries_of(e) for e, _ in errors.values()] == [2, 2]
    assert report.images_hashed == 1 and report.images_failed == 2


@pytest.mark.slow
def test_the_demo_press_wire_copies_of_blocked_pictures_are_blocked(sqlite_url):
    from akhbar.demo import DemoPress
    from akhbar.store.base import open_store

    settings = load_settings(env={}, allow_private_networks="127.0.0.0/8", min_host_delay=0.05,
                             extract_processes=2, stories_enabled=False)
    store = open_store(sqlite_url)
    with DemoPress(slow_seconds=0.2, retry_after=1) as press:
        truth = press.ground_truth()

        async def run(between):
            async with Pipeline(store, settings, press.sources(), worker="demo") as pipeline:
                first = await pipeline.crawl_due()
                between()
                return first, await pipeline.crawl_due()  # no feed due: the image check only

        # The agency's French and English pictures of the first story; the outlets that
        # republished those dispatches serve the same pictures in their own encodings.
        originals = [t for t in truth if t["event"] == "ev-00000" and t["outlet"] == "aap"
                     and t["lang"] in ("fr", "en")]
        copies = {t["image"] for t in truth if t["image_of"] in {o["image"] for o in originals}}
        assert {t["outlet"] for t in truth if t["image"] in copies} == {
            "echo-bouregreg", "kasbah-tribune", "zellige-review"}

        def block():
            for t in originals:
                block_by_readers(store, t["url"])

        first, second = asyncio.run(run(block))
    assert first.articles_new == len(truth) and first.images_hashed == 0
    assert second.articles_new == 0
    assert second.image_copies_blocked == len(copies) == 3
    assert store.blocked_images() == {o["image"] for o in originals} | copies
    # Every picture was fetched once (those of robots-disallowed pages too: their feed
    # gives them); the unrelated ones are all far from the two blocked.
    assert second.images_hashed == len({t["image"] for t in truth}) and second.images_failed == 0
    store.close()


# -- an operator's unblock and the copies ------------------------------------------------------

def test_an_unblocked_picture_takes_its_copies_along_and_the_check_leaves_them_so(store, press):
    fr, ar, en, _cdn = press
    outlets = (fr, ar, en)
    original = fr.article("tiznit", fr.image("/img/bijoux.jpg", encoded(4001, quality=90)), NOW)
    crawl(store, outlets, NOW)
    blocked = block_by_readers(store, original)
    copy = en.image("/media/jewels-480.webp", encoded(4001, "WEBP", 480, quality=72), "image/webp")
    en.article("tiznit", copy, NOW + DAY)
    assert crawl(store, outlets, NOW + DAY).image_copies_blocked == 1
    [copy_item] = [i for i in store.moderation_items(("blocked",)) if i.match_of == blocked]
    assert copy_item.target == copy

    store.decide(blocked, "unblock", "samira", "une vitrine de bijoux, rien de choquant")
    assert store.blocked_images() == frozenset()
    cleared = store.moderation_item(copy_item.id)
    assert (cleared.state, cleared.decided_by) == ("cleared", "samira")
    assert cleared.reason.startswith(f"copy of item {blocked} unblocked: une vitrine")

    # Later the Arabic outlet runs the same photograph and its readers block it there.
    again = ar.article("hoceima", ar.image("/img/hulli.png", encoded(4001, "PNG", 640), "image/png"),
                       NOW + 2 * DAY)
    assert crawl(store, outlets, NOW + 2 * DAY).images_hashed == 0  # nothing blocked
    second = block_by_readers(store, again)
    report = crawl(store, outlets, NOW + 3 * DAY)
    # Its new hash sends the check over the recent articles again: the two pictures the
    # operator cleared match it, and stay cleared.
    assert report.images_hashed == 1 and report.image_copies_blocked == 0
    assert store.moderation_item(second).phash is not None
    assert store.blocked_images() == {ar.server.url("/img/hulli.png")}
    assert [store.moderation_item(i).state for i in (blocked, copy_item.id)] == ["cleared"] * 2
    assert fr.server.hits("/img/bijoux.jpg") == 1 and en.server.hits("/media/jewels-480.webp") == 1


# -- images over the size cap ------------------------------------------------------------------

def _endless_image(h) -> None:
    """An image/jpeg answer with no Content-Length that never ends (until the client hangs up)."""
    h.close_connection = True
    h.send_response(200)
    h.send_header("Content-Type", "image/jpeg")
    h.send_header("Connection", "close")
    h.end_headers()
    h.wfile.write(encoded(5003, quality=90))
    while not h.srv.stopping.is_set():
        h.wfile.write(b"\0" * 65536)


def test_an_oversized_image_is_cut_off_while_downloading_and_the_crawl_goes_on(store, press):
    fr, ar, en, cdn = press
    outlets = (fr, ar, en)
    poster = encoded(5001, quality=90)
    poster += b"\0" * (6 * 1024 * 1024 - len(poster))  # 6 MB: under max_body_bytes (8 MB)
    cdn.route("/img/poster.jpg", Reply(200, poster, {"Content-Type": "image/jpeg"}))
    cdn.route("/img/flood.jpg", _endless_image)
    original = fr.article("larache", fr.image("/img/fort.jpg", encoded(5002, quality=90)), NOW)
    ar.article("dakhla", cdn.url("/img/poster.jpg"), NOW)
    en.article("fez", cdn.url("/img/flood.jpg"), NOW)
    copy = en.image("/media/fort.png", encoded(5002, "PNG", 480), "image/png")
    en.article("rabat", copy, NOW)
    crawl(store, outlets, NOW)
    block_by_readers(store, original)

    report = crawl(store, outlets, NOW + DAY, total_timeout=10.0)
    assert report.feeds_ok == 3 and report.feeds_failed == 0
    assert (report.images_hashed, report.images_failed, report.image_copies_blocked) == (2, 2, 1)
    assert copy in store.blocked_images()
    errors = store.image_errors([cdn.url("/img/poster.jpg"), cdn.url("/img/flood.jpg")])
    # Refused on its Content-Length, and cut off at the image cap while downloading (the
    # Fetcher's own cap, max_body_bytes, is 8 MB).
    assert errors[cdn.url("/img/poster.jpg")][0] == (
        f"try 1: TooLarge: Content-Length {len(poster)} exceeds {MAX_IMAGE_BYTES} bytes")
    assert errors[cdn.url("/img/flood.jpg")][0] == (
        f"try 1: TooLarge: decoded body exceeds {MAX_IMAGE_BYTES} bytes")


def test_the_fetchers_per_call_byte_cap(press):
    cdn = press[3]
    body = "<html lang='ar'><body><p>أعيد فتح سوق تيزنيت بعد أشغال الترميم.</p></body></html>".encode()
    body += b" " * (6 * 1024 * 1024 - len(body))
    cdn.route("/big.html", Reply(200, body, {"Content-Type": "text/html; charset=utf-8"}))
    settings = make_settings()
    # No cap given: the setting's, as for every other caller.
    assert settings.max_body_bytes == 8 * 1024 * 1024
    assert fetch(settings, cdn.url("/big.html")).content == body
    with pytest.raises(TooLarge, match=f"exceeds {MAX_IMAGE_BYTES} bytes"):
        fetch(settings, cdn.url("/big.html"), max_bytes=MAX_IMAGE_BYTES)
    assert fetch(settings, cdn.url("/big.html"), max_bytes=len(body)).content == body
    with pytest.raises(TooLarge):
        fetch(settings, cdn.url("/big.html"), max_bytes=len(body) - 1)
    hits = cdn.hits("/big.html")
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="max_bytes"):
            fetch(settings, cdn.url("/big.html"), max_bytes=bad)
    assert cdn.hits("/big.html") == hits  # refused before asking


# -- several workers on PostgreSQL -------------------------------------------------------------

def test_an_article_committed_late_below_the_cursor_is_still_checked(pg_url, press):
    """Two PostgreSQL workers: one takes an article id, then waits (on a lock) before it
    commits; the other stores a later article and its image check moves the cursor past
    the first id. When the first commits, the next pass still finds its copy. (SQLite's one
    writer hands out ids in commit order: this cannot happen there.)"""
    import threading

    import psycopg

    from akhbar.store.base import open_store

    fr, ar, en, _cdn = press
    outlets = (fr, ar, en)
    store, late_worker = open_store(pg_url), open_store(pg_url)
    try:
        original = fr.article("ifrane", fr.image("/img/neige.jpg", encoded(6001, quality=90)), NOW)
        en.article("agadir", en.image("/media/plant.jpg", encoded(6002, quality=85)), NOW)
        crawl(store, outlets, NOW)
        block_by_readers(store, original)
        crawl(store, outlets, NOW + DAY)  # the blocked image hashed, the cursor at the newest

        copy = ar.image("/img/thalj.webp", encoded(6001, "WEBP", 560, quality=70), "image/webp")
        late = Article(url=ar.server.url("/ar/late.html"), source_id="sada-sahil",
                       title="إفران - أولى الثلوج على الأطلس المتوسط",
                       text="تساقطت أولى الثلوج على مرتفعات إفران صباح اليوم وسط إقبال الزوار.",
                       lang="ar", first_seen=NOW + DAY, published=NOW + DAY, date_source="feed",
                       image=copy, fetched_url=ar.server.url("/ar/late.html"),
                       content_hash="late", minhash=bytes(32))
        stored: list[int] = []
        with psycopg.connect(pg_url) as lock:
            # add_article counts a page read in page_stats after it took the article's id:
            # holding that row keeps the late worker's transaction open, id taken.
            lock.execute("INSERT INTO page_stats (source_id, ok, failed) VALUES ('sada-sahil', 0, 0)"
                         " ON CONFLICT (source_id) DO UPDATE SET ok = page_stats.ok")
            worker = threading.Thread(target=lambda: stored.append(late_worker.add_article(late)[0]))
            worker.start()
            waiting = 0
            while not waiting and worker.is_alive():
                waiting = lock.execute(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))").fetchone()[0]
                worker.join(0.02)
            assert waiting == 1
            # Meanwhile the other worker stores a later article and checks it.
            en.article("fez", en.image("/media/tannery.jpg", encoded(6003, quality=85)), NOW + 2 * DAY)
            report = crawl(store, outlets, NOW + 2 * DAY)
            assert report.articles_new == 1 and report.images_hashed == 1
            newest = store.get_article_by_url(en.server.url("/en/fez.html")).id
            assert int(store.get_checkpoint(CHECKPOINT)) == newest
            lock.commit()
        worker.join()
        [late_id] = stored
        assert late_id < newest  # committed after the cursor moved past its id
        assert newest - late_id < RESCAN

        report = crawl(store, outlets, NOW + 3 * DAY)
        assert report.image_copies_blocked == 1
        assert copy in store.blocked_images()
        [item] = [i for i in store.moderation_items(("blocked",)) if i.target == copy]
        assert (item.article_id, item.decided_by) == (late_id, "system")
    finally:
        late_worker.close()
        store.close()
