"""Take-downs: an operator takes an article down; it leaves pages, search, stories, feeds
and the API, is never ingested again (crawl, import), and can be restored. On SQLite and
on PostgreSQL (the `store` fixture), and over real HTTP for the site."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from akhbar.backfill import import_file
from akhbar.config import load_settings
from akhbar.enrich.fingerprint import lsh_bands, minhash_signature
from akhbar.errors import StorageError
from akhbar.pipeline import CrawlReport, Pipeline
from akhbar.search import parse_query
from akhbar.store.base import open_store
from akhbar.stories import lexical
from akhbar.types import Article, Source, StoryDecision
from httpservers import LoopbackServer, Reply

T = datetime(2024, 6, 3, 9, 0, tzinfo=UTC)

OUTLETS = [
    Source(id=sid, name=name, homepage=f"https://{sid}.example/", feeds=(f"https://{sid}.example/rss",),
           languages=langs)
    for sid, name, langs in [
        ("echo-casa", "L'Écho de Casa", ("fr",)), ("argane", "Argane Presse", ("fr",)),
        ("wire-maghreb", "Wire Maghreb", ("fr", "ar")), ("nabd", "نبض المغرب", ("ar",)),
        ("kasbah", "Kasbah Times", ("en",)),
    ]
]

# Its copies leave out the last sentence: "xylomarine" is in this article only, so a
# search for it finds the article or nothing.
COPY_TEXT = ("Le port d'Agadir sera agrandi de 40 hectares, a annoncé mardi la ministre des "
             "Pêches. Les armateurs saluent un chantier attendu depuis dix ans.")
PORT_TEXT = COPY_TEXT + " Mot rare : xylomarine."
PORT_SIGNATURE, COPY_SIGNATURE = minhash_signature(PORT_TEXT), minhash_signature(COPY_TEXT)
PORT_ALIASES = ("https://echo-casa.example/?p=4521", "echo-casa.example/2024/06/03/port-agadir")


def article(url: str, source_id: str, title: str, text: str, lang: str, hours: float = 0,
            **kw) -> Article:
    when = T + timedelta(hours=hours)
    return Article(url=url, source_id=source_id, title=title, text=text, lang=lang,
                   first_seen=when, published=when, date_source="feed", **kw)


def assign(store, article_id: int, story: int | None = None) -> int:
    """Give an article its story through the store's protocol: a new one, or ``story``."""
    a = store.get_article(article_id)
    keys = lexical.keys(a.title, a.text, a.lang, a.summary)
    story_id, _ = store.assign_story(
        a, keys, window=timedelta(days=7), max_candidates=10, recent=5,
        choose=lambda candidates, idf: StoryDecision(story, score=None if story is None else 0.8))
    return story_id


def press(store) -> dict[str, int]:
    """The port of Agadir (fr original, two copies, an Arabic report: one story) and the
    Ifrane snow (an English story and a French one sharing their names: related)."""
    store.sync_sources(OUTLETS)
    ids: dict[str, int] = {}
    ids["port"], _ = store.add_article(article(
        "https://echo-casa.example/2024/06/03/port-agadir", "echo-casa",
        "Agadir : le port de pêche agrandi", PORT_TEXT, "fr", image="https://echo-casa.example/img/port.jpg",
        content_hash="h-port-agadir", minhash=PORT_SIGNATURE, minhash_bands=lsh_bands(PORT_SIGNATURE),
        section="economie", author="Nadia El Fassi", tags=("port", "pêche"), summary="Quarante hectares."),
        aliases=PORT_ALIASES)
    port = dict(content_hash="h-port-copy", minhash=COPY_SIGNATURE, minhash_bands=lsh_bands(COPY_SIGNATURE),
                section="economie")
    ids["copy1"], _ = store.add_article(article(
        "https://argane.example/eco/port-agadir", "argane", "Le port d'Agadir s'agrandit",
        COPY_TEXT, "fr", hours=1, **port), copy_of=ids["port"], similarity=0.97)
    ids["copy2"], _ = store.add_article(article(
        "https://wire-maghreb.example/fr/agadir-port", "wire-maghreb", "Agadir : 40 hectares de plus",
        COPY_TEXT, "fr", hours=2, **port), copy_of=ids["port"], similarity=0.93)
    ids["port_ar"], _ = store.add_article(article(
        "https://nabd.example/news/8812", "nabd", "توسيع ميناء أكادير بأربعين هكتارا",
        "أعلنت وزيرة الصيد البحري يوم الثلاثاء عن توسيع ميناء أكادير بمساحة 40 هكتارا.", "ar",
        hours=-3, section="economie"))
    ids["snow_en"], _ = store.add_article(article(
        "https://kasbah.example/ifrane-snow", "kasbah", "Snow cuts the Ifrane road",
        "Snow closed the road between Ifrane and Azrou on Monday; Rabat sent twelve snowploughs.",
        "en", hours=5))
    ids["snow_fr"], _ = store.add_article(article(
        "https://argane.example/regions/ifrane-neige", "argane", "Neige : la route d'Ifrane coupée",
        "La neige a coupé lundi la route entre Ifrane et Azrou ; Rabat envoie douze chasse-neige.",
        "fr", hours=6))
    ids["s_port"] = assign(store, ids["port"])
    for name in ("copy1", "copy2"):
        assert assign(store, ids[name]) == ids["s_port"]  # copies join their original's story
    assert assign(store, ids["port_ar"], ids["s_port"]) == ids["s_port"]
    ids["s_snow_en"] = assign(store, ids["snow_en"])
    ids["s_snow_fr"] = assign(store, ids["snow_fr"])
    return ids


def moderation_version(store) -> int:
    return store.moderation_version()


def audit_rows(store) -> list[tuple[str, str, int | None, dict]]:
    """The audit log, oldest first."""
    return [(e.actor, e.action, e.item_id, e.detail) for e in reversed(store.audit_log())]


def search_ids(store, q: str) -> list[int]:
    hits, total, _ = store.search_articles(parse_query(q), limit=50)
    assert total == len(hits)
    return [a.id for a, _ in hits]


@pytest.fixture
def ids(store):
    return press(store)


# -- taking down ---------------------------------------------------------------------------


def test_a_taken_down_article_leaves_everything_the_site_reads(store, ids):
    port = store.get_article(ids["port"])
    day = (T - timedelta(hours=12), T + timedelta(hours=12))
    before = dict(count=store.count_articles(), between=store.count_between(*day),
                  version=moderation_version(store))
    assert search_ids(store, "xylomarine") == [ids["port"]]
    assert ids["port"] in [a.id for a in store.latest_articles(limit=50)]

    taken = store.take_down(ids["port"], "nadia", "  Diffamation signalée par l'intéressé  ")

    assert (taken.article_id, taken.url, taken.source_id, taken.title) == (
        port.id, port.url, "echo-casa", port.title)
    assert (taken.operator, taken.reason, taken.restored_at) == ("nadia", "Diffamation signalée par l'intéressé", None)
    assert store.get_article(ids["port"]) is None
    assert store.get_article_by_url(port.url) is None
    assert store.get_article_by_url(PORT_ALIASES[0]) is None
    assert store.takedown_of_article(ids["port"]) == taken
    assert store.takedowns() == [taken]
    assert ids["port"] not in [a.id for a in store.latest_articles(limit=50)]
    assert ids["port"] not in [a.id for a in store.latest_articles(limit=50, section="economie")]
    assert store.count_articles() == before["count"] - 1
    assert store.count_between(*day) == before["between"] - 1
    assert ids["port"] not in [a.id for a in store.articles_between(*day)]
    assert store.article_stats()["articles"] == before["count"] - 1
    # Search: nothing matches the word only it had; the index holds exactly the articles
    # (what `akhbar reindex --check` verifies).
    assert search_ids(store, "xylomarine") == []
    # The text is still found through the copy that became the original.
    assert search_ids(store, "armateurs") == [ids["copy1"]]
    status = store.search_index_status()
    assert status.ok and (status.articles, status.indexed, status.missing, status.extra) == (
        before["count"] - 1, before["count"] - 1, 0, 0)
    assert store.story_of_article(ids["port"]) is None
    assert ids["port"] not in [a.id for a in store.story_queue(100)]
    assert moderation_version(store) == before["version"] + 1


def test_the_oldest_copy_becomes_the_original(store, ids):
    assert store.find_by_content_hash("h-port-agadir") == ids["port"]
    assert store.find_by_content_hash("h-port-copy") is None  # copies are never originals
    store.take_down(ids["port"], "nadia", "Droit à l'oubli")
    copy1, copy2 = store.get_article(ids["copy1"]), store.get_article(ids["copy2"])
    assert (copy1.copy_of, copy1.similarity) == (None, None)
    assert copy2.copy_of == ids["copy1"] and copy2.similarity == pytest.approx(0.93)
    assert [c.id for c in store.copies_of(ids["copy1"])] == [ids["copy2"]]
    # The look-ups of de-duplication find the new original, never the taken-down one.
    assert store.find_by_content_hash("h-port-agadir") is None
    assert store.find_by_content_hash("h-port-copy") == ids["copy1"]
    assert [i for i, _ in store.near_duplicate_candidates(lsh_bands(PORT_SIGNATURE))] == [ids["copy1"]]
    assert [i for i, _ in store.near_duplicate_candidates(lsh_bands(COPY_SIGNATURE))] == [ids["copy1"]]
    # Search shows originals: the new one now stands for the text.
    assert ids["copy1"] in search_ids(store, "armateurs")


def test_its_story_is_recounted_and_an_emptied_story_is_listed_nowhere(store, ids):
    story = store.get_story(ids["s_port"])
    assert (story.n_articles, story.n_outlets, story.langs) == (4, 4, ("ar", "fr"))
    listed_before = [s.id for s in store.latest_stories(limit=20)]
    assert set(listed_before) == {ids["s_port"], ids["s_snow_en"], ids["s_snow_fr"]}
    assert [s.id for s in store.related_stories(ids["s_snow_fr"])] == [ids["s_snow_en"]]
    stats = store.story_stats()

    store.take_down(ids["port"], "nadia", "Erreur factuelle grave")
    story = store.get_story(ids["s_port"])
    assert (story.n_articles, story.n_outlets, story.langs) == (3, 3, ("ar", "fr"))
    assert [a.id for a in story.articles] == [ids["port_ar"], ids["copy1"], ids["copy2"]]
    # First report is now the Arabic one (3 h earlier), the last the second copy.
    assert story.first_seen == T - timedelta(hours=3) and story.last_seen == T + timedelta(hours=2)
    assert story.headlines["fr"] == "Le port d'Agadir s'agrandit"  # the promoted copy's
    assert store.story_reports([ids["s_port"]])[ids["s_port"]] == [
        ("nabd", "ar", T - timedelta(hours=3)), ("argane", "fr", T + timedelta(hours=1)),
        ("wire-maghreb", "fr", T + timedelta(hours=2))]

    # The English snow report was its story's only article: that story disappears.
    store.take_down(ids["snow_en"], "nadia", "Photo volée")
    assert store.get_story(ids["s_snow_en"]) is None
    for listing in (store.latest_stories(limit=20), store.latest_stories(limit=20, lang="en"),
                    store.latest_stories(limit=20, offset=1)):
        assert ids["s_snow_en"] not in [s.id for s in listing]
    assert store.latest_stories(limit=20, lang="en") == []
    assert store.related_stories(ids["s_snow_fr"]) == []
    assert store.related_stories(ids["s_snow_en"]) == []
    assert store.story_stats()["stories"] == stats["stories"] - 1
    # A new article on the same snow never joins the emptied story: it gets a new id.
    new_id, _ = store.add_article(article(
        "https://kasbah.example/ifrane-snow-2", "kasbah", "Ifrane road reopens",
        "The road between Ifrane and Azrou reopened; Rabat thanked the snowplough crews.",
        "en", hours=9))
    a = store.get_article(new_id)
    story_id, created = store.assign_story(
        a, lexical.keys(a.title, a.text, a.lang), window=timedelta(days=7), max_candidates=10,
        recent=5, choose=lambda candidates, idf: (
            StoryDecision(None) if ids["s_snow_en"] not in [c.id for c in candidates]
            else pytest.fail("an emptied story was offered as a candidate")))
    assert created and story_id > max(ids["s_port"], ids["s_snow_en"], ids["s_snow_fr"])


def test_taken_down_urls_are_never_ingested_again(store, ids):
    port = store.get_article(ids["port"])
    store.take_down(ids["port"], "nadia", "Décision de justice")
    count = store.count_articles()
    key = "echo-casa.example/2024/06/03/port-agadir"  # the crawler's url_key of it
    assert store.known_urls([port.url, key, *PORT_ALIASES, "https://echo-casa.example/autre"]) == {
        port.url, key, *PORT_ALIASES}

    # The same URL again: not stored, no error; the answer is the one for a known article.
    again = article(port.url, "echo-casa", "Agadir : le port agrandi (mise à jour)", PORT_TEXT, "fr")
    assert store.add_article(again) == (ids["port"], False)
    # A new URL reaching it through a taken-down alias: refused, and remembered as refused.
    moved = article("https://echo-casa.example/eco/port-agadir-2", "echo-casa", "Agadir", PORT_TEXT, "fr")
    assert store.add_article(moved, aliases=[PORT_ALIASES[0]]) == (ids["port"], False)
    assert "https://echo-casa.example/eco/port-agadir-2" in store.known_urls(
        ["https://echo-casa.example/eco/port-agadir-2"])
    assert store.count_articles() == count
    assert search_ids(store, "xylomarine") == []
    assert store.search_index_status().ok
    # Other articles are stored as before.
    fresh = article("https://nabd.example/news/9001", "nabd", "أمطار في طنجة", "تساقطات مطرية مهمة في طنجة.", "ar")
    fresh_id, created = store.add_article(fresh)
    assert created and store.get_article(fresh_id).title == "أمطار في طنجة"


def test_reports_stay_and_the_article_item_is_closed(store, ids):
    target = str(ids["port"])
    item_id = int(store._exec(
        "INSERT INTO moderation_items (kind, target, article_id, state, counted, reports)"
        " VALUES ('article', ?, ?, 'queued', 2, 2) RETURNING id", (target, ids["port"])).fetchone()[0])
    store._exec(
        "INSERT INTO reports (kind, article_id, reason, created, reporter_key, network_key,"
        " item_id) VALUES ('article', ?, 'diffamation', ?, 'k1', 'n1', ?)",
        (ids["port"], store._dt_in(T), item_id))

    taken = store.take_down(ids["port"], "nadia", "Diffamation")
    state, decided_by, reason = store._exec(
        "SELECT state, decided_by, reason FROM moderation_items WHERE id = ?", (item_id,)).fetchone()
    assert (state, decided_by, reason) == ("taken_down", "nadia", "Diffamation")
    assert store._exec("SELECT count(*) FROM reports WHERE article_id = ?",
                       (ids["port"],)).fetchone()[0] == 1
    actor, action, logged_item, detail = audit_rows(store)[-1]
    assert (actor, action, logged_item) == ("operator:nadia", "take_down", item_id)
    assert detail["article_id"] == ids["port"] and detail["url"] == taken.url
    assert detail["title"] == "Agadir : le port de pêche agrandi" and detail["reason"] == "Diffamation"

    store.restore_article(taken.id, "youssef", "Plainte retirée")
    state, decided_by = store._exec(
        "SELECT state, decided_by FROM moderation_items WHERE id = ?", (item_id,)).fetchone()
    assert (state, decided_by) == ("cleared", "youssef")
    actor, action, logged_item, detail = audit_rows(store)[-1]
    assert (actor, action, logged_item) == ("operator:youssef", "restore", item_id)
    assert detail["reason"] == "Plainte retirée" and detail["article_id"] == ids["port"]


def test_bad_requests_are_refused_and_change_nothing(store, ids):
    version, count = moderation_version(store), store.count_articles()
    for reason in ("", "   ", None):
        with pytest.raises(StorageError, match="reason"):
            store.take_down(ids["port"], "nadia", reason)
    with pytest.raises(StorageError, match="operator"):
        store.take_down(ids["port"], " ", "Diffamation")
    with pytest.raises(StorageError, match="unknown article 999999"):
        store.take_down(999999, "nadia", "Diffamation")
    taken = store.take_down(ids["port"], "nadia", "Diffamation")
    with pytest.raises(StorageError, match="unknown article"):
        store.take_down(ids["port"], "nadia", "Encore")  # already down
    with pytest.raises(StorageError, match="reason"):
        store.restore_article(taken.id, "nadia", "")
    with pytest.raises(StorageError, match="unknown take-down"):
        store.restore_article(taken.id + 100, "nadia", "Erreur")
    assert store.count_articles() == count - 1
    assert moderation_version(store) == version + 1
    assert [a for _, a, _, _ in audit_rows(store)] == ["take_down"]
    store.restore_article(taken.id, "nadia", "Erreur de manipulation")
    with pytest.raises(StorageError, match="already restored"):
        store.restore_article(taken.id, "nadia", "Encore")
    assert moderation_version(store) == version + 2


# -- restoring -----------------------------------------------------------------------------


def test_restore_brings_it_back_under_the_same_id(store, ids):
    port = store.get_article(ids["port"])
    taken = store.take_down(ids["port"], "nadia", "Diffamation")
    version = moderation_version(store)

    assert store.restore_article(taken.id, "nadia", "Plainte retirée") == ids["port"]

    assert store.get_article(ids["port"]) == port  # every field as it was
    assert store.get_article_by_url(PORT_ALIASES[0]) == port
    assert store.takedown_of_article(ids["port"]) is None
    [record] = store.takedowns()
    assert record.id == taken.id and record.restored_at is not None and record.restored_at >= record.at
    assert set(search_ids(store, "xylomarine")) == {ids["port"]}
    assert store.search_index_status().ok
    assert moderation_version(store) == version + 1
    # Its copies keep their new original; it waits for a story again and gets one.
    assert store.get_article(ids["copy1"]).copy_of is None
    assert [a.id for a in store.story_queue(10)] == [ids["port"]]
    story_id = assign(store, ids["port"])
    assert store.get_story(story_id).articles == (port,)
    # Its URLs are its own again: the same URL is a known article, not a refused one.
    assert store.add_article(article(port.url, "echo-casa", "x", "y", "fr")) == (ids["port"], False)
    assert store.known_urls([port.url]) == {port.url}
    # It can be taken down again: only the newest take-down counts.
    again = store.take_down(ids["port"], "nadia", "Nouvelle plainte")
    assert store.takedown_of_article(ids["port"]) == again
    assert [t.id for t in store.takedowns()] == [again.id, taken.id]
    assert [t.id for t in store.takedowns(limit=1, offset=1)] == [taken.id]


def test_a_copy_whose_original_went_meanwhile_comes_back_as_an_original(store, ids):
    copy2 = store.get_article(ids["copy2"])
    taken_copy = store.take_down(ids["copy2"], "nadia", "Plagiat")
    assert store.get_article(ids["copy1"]).copy_of == ids["port"]  # a copy's copies: none
    store.take_down(ids["port"], "nadia", "Diffamation")  # copy1 becomes the original
    store.restore_article(taken_copy.id, "nadia", "Erreur")
    back = store.get_article(ids["copy2"])
    assert back.copy_of == ids["copy1"] and back.similarity == copy2.similarity
    store.take_down(ids["copy1"], "nadia", "Plagiat")  # copy2 is the last of them
    assert store.get_article(ids["copy2"]).copy_of is None
    assert search_ids(store, "armateurs") == [ids["copy2"]]


def test_an_index_entry_of_an_older_analyzer_is_left_to_the_rebuild(sqlite_url):
    """SQLite's contentless index forgets an entry only given its exact terms: written by
    another analyzer version, the entry stays (an "extra", matching no article) until the
    rebuild that the version change calls for anyway."""
    store = open_store(sqlite_url)
    try:
        ids = press(store)
        store._exec("UPDATE search_meta SET value = 'older' WHERE key = 'analyzer'")
        store.take_down(ids["snow_fr"], "nadia", "Photo volée")
        status = store.search_index_status()
        assert (status.extra, status.missing, status.ok) == (1, 0, False)
        assert search_ids(store, "chasse-neige") == []
        assert store.reindex().ok
        assert store.search_index_status().extra == 0
        taken = store.take_down(ids["port"], "nadia", "Diffamation")
        store._exec("UPDATE search_meta SET value = 'older' WHERE key = 'analyzer'")
        store.restore_article(taken.id, "nadia", "Erreur")
        assert store.reindex().ok
        assert search_ids(store, "xylomarine") == [ids["port"]]
        store._exec("INSERT INTO search_index (search_index) VALUES ('integrity-check')")
    finally:
        store.close()


# -- never ingested again: a crawl and an import ----------------------------------------------

NOW = (datetime.now(UTC) + timedelta(hours=6)).replace(microsecond=0)


def page(title: str, paragraphs: list[str], lang: str, canonical: str | None = None) -> bytes:
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>'
            f"{link}</head><body><article><h1>{title}</h1>{body}</article></body></html>").encode()


def rss(base: str, items: list[tuple[str, str]]) -> bytes:
    entries = "".join(
        f"<item><title>{title}</title><link>{base}{path}</link>"
        f"<pubDate>{format_datetime(NOW - timedelta(hours=1))}</pubDate></item>"
        for path, title in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Fil</title>'
            f"<link>{base}/</link>{entries}</channel></rss>").encode()


SALON = ["La ville d'Agadir accueille cette semaine le salon national de la pêche, qui réunit "
         "plus de deux cents exposants venus de tout le littoral atlantique.",
         "Les organisateurs attendent quarante mille visiteurs en quatre jours, un record pour "
         "cette manifestation créée il y a quinze ans."]
OUED = ["Les pluies de la nuit ont gonflé l'oued Souss, et la préfecture a fermé deux ponts "
        "submersibles par précaution jusqu'à nouvel ordre.",
        "Aucune victime n'est à déplorer selon la protection civile, qui reste mobilisée."]
BARRAGE = ["افتتح وزير التجهيز يوم الثلاثاء سدا جديدا بإقليم تارودانت تبلغ سعته مائة مليون متر مكعب.",
           "وينتظر فلاحو المنطقة هذا السد منذ سنوات لتأمين سقي الضيعات والماء الشروب للدواوير."]


def crawl(store, sources, when):
    settings = load_settings(
        env={}, allow_private_networks="127.0.0.0/8", min_host_delay=0.0, read_timeout=2.0,
        connect_timeout=2.0, total_timeout=5.0, extract_processes=1)

    async def run():
        async with Pipeline(store, settings, sources, worker="t", clock=lambda: when) as pipeline:
            return await pipeline.crawl_due()
    return asyncio.run(run())


def test_a_crawl_never_fetches_a_taken_down_page_again(store):
    with LoopbackServer() as press_server:
        base = press_server.url("").rstrip("/")
        html = {"Content-Type": "text/html; charset=utf-8"}
        press_server.route("/fr/salon", Reply(200, page("Salon de la pêche à Agadir", SALON, "fr"), html))
        press_server.route("/fr/oued", Reply(200, page("Crue de l'oued Souss", OUED, "fr"), html))
        press_server.route("/ar/sad", Reply(200, page("افتتاح سد جديد بتارودانت", BARRAGE, "ar"), html))
        # A new link whose page names the taken-down article as its canonical URL.
        press_server.route("/fr/salon-rappel", Reply(200, page(
            "Salon de la pêche à Agadir", SALON, "fr", canonical=f"{base}/fr/salon"), html))
        feed = {"Content-Type": "application/rss+xml; charset=utf-8"}
        press_server.route("/rss", Reply(200, rss(base, [("/fr/salon", "Salon"), ("/fr/oued", "Oued")]), feed))
        sources = [Source(id="souss-info", name="Souss Info", homepage=f"{base}/", feeds=(f"{base}/rss",),
                          languages=("fr", "ar"), min_delay=0.0)]
        store.sync_sources(sources)
        first = crawl(store, sources, NOW)
        assert first.articles_new == 2 and not first.source_errors
        salon = store.get_article_by_url(f"{base}/fr/salon")
        store.take_down(salon.id, "nadia", "Contenu contrefait")

        # The feed still lists it, plus two new links, one of them leading to it.
        press_server.route("/rss", Reply(200, rss(base, [
            ("/fr/salon", "Salon"), ("/fr/salon?utm_source=rss", "Salon"), ("/fr/oued", "Oued"),
            ("/fr/salon-rappel", "Rappel"), ("/ar/sad", "سد")]), feed))
        second = crawl(store, sources, NOW + timedelta(days=2))

    assert press_server.hits("/rss") == 2
    assert press_server.hits("/fr/salon") == 1  # never fetched again
    assert press_server.hits("/fr/oued") == 1
    assert not second.source_errors and second.feeds_failed == 0 and second.pages_failed == 0
    assert second.articles_new == 1  # the Arabic page only; the reminder was refused
    assert store.get_article_by_url(f"{base}/ar/sad").lang == "ar"
    assert store.get_article_by_url(f"{base}/fr/salon") is None
    assert store.get_article_by_url(f"{base}/fr/salon-rappel") is None
    assert store.takedown_of_article(salon.id).url == f"{base}/fr/salon"
    [feed_state] = store.feed_states("souss-info")
    assert feed_state.error_streak == 0
    # Once refused, the reminder's link is known: a third crawl fetches nothing new.
    assert store.known_urls([f"{base.split('://')[1]}/fr/salon-rappel"])


def test_an_import_skips_taken_down_urls(store, tmp_path):
    sources = [Source(id="archive-souss", name="Archive Souss", homepage="https://archive-souss.example/",
                      feeds=(), languages=("fr", "ar"))]
    store.sync_sources(sources)
    pipeline = Pipeline(store, load_settings(env={}), sources, worker="import-test")
    rows = [
        {"url": "https://archive-souss.example/2009/barrage", "title": "Un barrage pour Taroudant",
         "text": " ".join(SALON), "published": "2009-04-02T08:00:00Z"},
        {"url": "https://archive-souss.example/2009/sad", "title": "سد جديد بتارودانت",
         "text": " ".join(BARRAGE), "published": "2009-04-03T08:00:00Z"},
    ]
    first = tmp_path / "first.jsonl"
    first.write_text(json.dumps(rows[0], ensure_ascii=False) + "\n", encoding="utf-8")
    with ThreadPoolExecutor(1) as pool:
        report = CrawlReport()
        import_file(pipeline, first, pool, report=report)
        assert report.articles_new == 1
        taken = store.get_article_by_url(rows[0]["url"])
        store.take_down(taken.id, "nadia", "Droits d'auteur")
        # Another archive holds it again (once with a tracking parameter), and a new one.
        second = tmp_path / "second.jsonl"
        again = dict(rows[0], url=rows[0]["url"] + "?utm_source=newsletter")
        second.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n"
                                  for r in (rows[0], again, rows[1])), encoding="utf-8")
        report = CrawlReport()
        assert import_file(pipeline, second, pool, report=report) == 3
    assert report.articles_new == 1 and report.pages_failed == 0
    assert store.get_article_by_url(rows[0]["url"]) is None
    assert store.get_article_by_url(rows[1]["url"]).lang == "ar"


# -- the site over HTTP --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_the_site_forgets_a_taken_down_article(kind, tmp_path):
    from websupport import running_site

    with running_site(kind, tmp_path) as site:
        target = site.ids["fr_full"]
        store = site.store
        story_id = store.story_of_article(target)
        title = "Salé : 245 millions de dirhams pour la corniche"
        assert [a.id for a in store.get_story(story_id).articles] == [target]
        pages = ["/", "/search?q=coquelicot", "/outlet/le-phare", "/section/regions",
                 "/api/articles?limit=100", "/api/search?q=coquelicot", "/feeds/latest.rss",
                 "/feeds/latest.atom", "/feeds/outlet/le-phare.rss", "/feeds/search.rss?q=coquelicot",
                 "/api/stories", "/feeds/stories.rss"]
        marks = {"/api/articles?limit=100": f'"id":{target},', "/api/search?q=coquelicot": f'"id":{target},'}
        with site.client() as client:
            for path in pages:
                answer = client.get(path)
                assert answer.status_code == 200, path
                assert (marks.get(path) or "corniche") in answer.text.replace(" ", ""), path
            assert client.get(f"/story/{story_id}").status_code == 200

            store.take_down(target, "nadia", "Diffamation")

            for path in pages:
                answer = client.get(path)
                assert answer.status_code == 200, path
                assert "corniche" not in answer.text and title not in answer.text, path
                if path in marks:
                    assert marks[path] not in answer.text.replace(" ", ""), path
            assert client.get(f"/story/{story_id}").status_code == 404
            assert client.get(f"/api/stories/{story_id}").status_code == 404
            assert client.get(f"/api/articles/{target}").status_code == 410
            assert client.get(f"/article/{target}").status_code == 410
            # The other articles are served as before.
            assert "Dakhla fishermen" in client.get("/search?q=sardine").text


def test_restore_over_a_running_site(tmp_path):
    from websupport import running_site

    with running_site("sqlite", tmp_path) as site, site.client() as client:
        target = site.ids["en_lede"]
        assert "Dakhla fishermen" in client.get("/search?q=sardine").text
        taken = site.store.take_down(target, "nadia", "Photo volée")
        assert "Dakhla fishermen" not in client.get("/search?q=sardine").text
        site.store.restore_article(taken.id, "nadia", "Erreur")
        assert "Dakhla fishermen" in client.get("/search?q=sardine").text
        assert client.get(f"/article/{target}").status_code == 200


