"""The Store protocol, the same tests on SQLite and on PostgreSQL (the `store` fixture)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from akhbar.errors import StorageError
from akhbar.store.base import open_store
from akhbar.types import Article, Source

T0 = datetime(2024, 3, 10, 8, 30, 0, 123456, tzinfo=UTC)
HOLD = timedelta(minutes=10)


def source(sid: str = "lematin", feeds: tuple[str, ...] | None = None, **kw) -> Source:
    return Source(
        id=sid,
        name=sid.title(),
        homepage=f"https://{sid}.example.ma/",
        feeds=feeds if feeds is not None else (f"https://{sid}.example.ma/rss",),
        languages=kw.pop("languages", ("fr",)),
        **kw,
    )


def article(url: str, source_id: str = "lematin", **kw) -> Article:
    values = dict(
        url=url,
        source_id=source_id,
        title="Titre",
        text="Un texte.",
        lang="fr",
        first_seen=T0,
        published=None,
        date_source="first_seen",
    )
    values.update(kw)
    return Article(**values)


@pytest.fixture
def synced(store):
    store.sync_sources([source("lematin"), source("hespress-ar", languages=("ar",)), source("mwn")])
    return store


# -- lifecycle -----------------------------------------------------------------------------


def test_migrate_is_idempotent_and_records_the_version(database_url):
    from akhbar.store._sql import migrations

    s = open_store(database_url)  # open_store migrates once
    shipped = [(v, name) for v, name, _sql in migrations(s.dialect)]
    latest = shipped[-1][0]
    try:
        assert shipped[0] == (1, "0001_init.sql")
        assert s.migrate() == latest
        assert s.migrate() == latest
        rows = s._exec("SELECT version, name FROM schema_version ORDER BY version").fetchall()
        assert [tuple(r) for r in rows] == shipped
    finally:
        s.close()
    again = open_store(database_url)  # reopening an up-to-date store changes nothing
    try:
        assert again.migrate() == latest
    finally:
        again.close()


def test_open_store_sqlite_url_forms(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for url, created in [
        ("sqlite:///relative.db", tmp_path / "relative.db"),
        (f"sqlite:///{tmp_path / 'abs.db'}", tmp_path / "abs.db"),  # sqlite:////abs/path.db
        ("sqlite:///:memory:", None),
    ]:
        s = open_store(url)
        s.set_checkpoint("k", "v")
        assert s.get_checkpoint("k") == "v"
        s.close()
        if created is not None:
            assert created.exists()
    assert f"sqlite:///{tmp_path / 'abs.db'}".startswith("sqlite:////")


def test_backend_errors_are_storage_errors(synced):
    with pytest.raises(StorageError):
        synced.add_article(article("https://x.example.ma/1", source_id="no-such-source"))
    with pytest.raises(StorageError):
        synced.set_source_enabled("no-such-source", False)


# -- sources and feeds ---------------------------------------------------------------------


def test_sync_sources_adds_feeds_due_now(store):
    before = datetime.now(UTC)
    store.sync_sources([source("lematin", feeds=("https://lematin.example.ma/rss", "https://lematin.example.ma/eco.xml"))])
    states = store.feed_states("lematin")
    assert [s.feed_url for s in states] == ["https://lematin.example.ma/eco.xml", "https://lematin.example.ma/rss"]
    for s in states:
        assert s.source_id == "lematin"
        assert before - timedelta(seconds=1) <= s.next_check <= datetime.now(UTC)
        assert s.error_streak == 0 and s.etag is None
    assert store.claim_due_feeds("w", datetime.now(UTC), 10, HOLD)


def test_sync_keeps_feed_state_and_disables_what_is_gone(synced):
    synced.add_article(article("https://lematin.example.ma/a1"))
    claim = next(
        c for c in synced.claim_due_feeds("w", T0 + timedelta(days=3650), 10, HOLD) if c.source_id == "lematin"
    )
    synced.finish_feed(claim, now=T0, next_check=T0 + timedelta(hours=1), ok=True, etag='"e1"')

    # lematin loses its feed list entry and hespress-ar disappears entirely.
    synced.sync_sources([source("lematin", feeds=("https://lematin.example.ma/new.xml",)), source("mwn")])
    states = {s.feed_url: s for s in synced.feed_states()}
    assert set(states) == {
        "https://lematin.example.ma/rss",
        "https://lematin.example.ma/new.xml",
        "https://hespress-ar.example.ma/rss",
        "https://mwn.example.ma/rss",
    }
    far = T0 + timedelta(days=36500)
    claimed = {c.feed_url for c in synced.claim_due_feeds("w2", far, 100, HOLD)}
    # Disabled feeds (gone from the list, or of a gone source) are never claimed.
    assert claimed == {"https://lematin.example.ma/new.xml", "https://mwn.example.ma/rss"}
    # Articles and the old feed's state stay.
    assert synced.get_article_by_url("https://lematin.example.ma/a1") is not None
    assert states["https://lematin.example.ma/rss"].etag == '"e1"'

    # Re-listing re-enables, with state intact.
    synced.sync_sources([source("lematin"), source("hespress-ar", languages=("ar",)), source("mwn")])
    assert {s.source_id for s in synced.source_health()} == {"lematin", "hespress-ar", "mwn"}


def test_set_source_enabled_survives_sync(synced):
    far = T0 + timedelta(days=36500)
    synced.set_source_enabled("mwn", False)
    synced.sync_sources([source("lematin"), source("hespress-ar", languages=("ar",)), source("mwn")])
    claimed = {c.source_id for c in synced.claim_due_feeds("w", far, 100, HOLD)}
    assert claimed == {"lematin", "hespress-ar"}
    synced.set_source_enabled("mwn", True)
    assert [c.source_id for c in synced.claim_due_feeds("w", far, 100, HOLD)] == ["mwn"]


def test_registry_disabled_source_is_not_claimed(store):
    store.sync_sources([source("lematin"), source("mwn", enabled=False)])
    far = T0 + timedelta(days=36500)
    assert {c.source_id for c in store.claim_due_feeds("w", far, 100, HOLD)} == {"lematin"}


# -- articles ------------------------------------------------------------------------------


def test_add_article_once_by_url_and_by_alias(synced):
    a = article("https://lematin.example.ma/politique/article-1")
    aid, created = synced.add_article(
        a, aliases=["https://lematin.example.ma/?p=1", "https://lematin.example.ma/politique/article-1?utm_source=rss"]
    )
    assert created is True
    assert synced.add_article(a) == (aid, False)
    # Reached again under an alias, with another canonical URL: still the same article.
    b = article("https://lematin.example.ma/autre-url", title="Autre")
    assert synced.add_article(b, aliases=["https://lematin.example.ma/?p=1"]) == (aid, False)
    assert synced.get_article(aid).title == "Titre"
    assert synced.get_article_by_url("https://lematin.example.ma/?p=1").id == aid
    assert synced.get_article_by_url("https://lematin.example.ma/autre-url").id == aid
    assert synced.get_article_by_url("https://lematin.example.ma/inconnu") is None
    assert synced.known_urls(
        [
            "https://lematin.example.ma/politique/article-1",
            "https://lematin.example.ma/politique/article-1?utm_source=rss",
            "https://lematin.example.ma/autre-url",
            "https://lematin.example.ma/inconnu",
        ]
    ) == {
        "https://lematin.example.ma/politique/article-1",
        "https://lematin.example.ma/politique/article-1?utm_source=rss",
        "https://lematin.example.ma/autre-url",
    }
    assert synced.article_stats()["articles"] == 1
    assert synced.known_urls([]) == set()


def test_known_urls_many(synced):
    urls = [f"https://mwn.example.ma/n/{i}" for i in range(1200)]
    for u in urls[:5]:
        synced.add_article(article(u, source_id="mwn"))
    assert synced.known_urls(urls) == set(urls[:5])


def test_article_round_trips_every_field(synced):
    cases = [
        article(
            "https://hespress-ar.example.ma/سياسة/مقال-1",
            source_id="hespress-ar",
            title="البرلمان يصادق على مشروع قانون المالية",
            text="صادق مجلس النواب، مساء الثلاثاء، على مشروع قانون المالية.\n\nوجاء التصويت بعد نقاش طويل.",
            html="<p>صادق مجلس النواب</p>",
            summary="مصادقة على قانون المالية",
            author="محمد العلوي",
            image="https://hespress-ar.example.ma/img/1.jpg",
            tags=("سياسة", "البرلمان"),
            lang="ar",
            lang_hint="ary",
            published=datetime(2024, 3, 9, 21, 5, 7, 1, tzinfo=UTC),
            updated=datetime(2024, 3, 10, 1, 0, tzinfo=timezone(timedelta(hours=1))),
            date_source="feed",
            fetched_url="https://hespress-ar.example.ma/?p=99",
            content_hash="h-ar",
            minhash=bytes(range(256)) * 2,
            minhash_bands=("b1", "b2"),
        ),
        article(
            "https://lematin.example.ma/économie/l-été-à-casablanca",
            title="L'été à Casablanca : la chaleur bat des records",
            text="Les températures ont dépassé 45 °C à Casablanca — du jamais vu « depuis 1950 ».",
            tags=("économie", "météo"),
            published=datetime(2024, 7, 1, 12, 0, tzinfo=UTC),
            date_source="page",
        ),
        article(
            "https://mwn.example.ma/news/rabat-tram",
            source_id="mwn",
            title="Rabat extends its tram line",
            text="The new line links the old medina to the coast.",
            lang="en",
            date_source="url",
            published=datetime(2023, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        ),
    ]
    for a in cases:
        aid, created = synced.add_article(a)
        assert created
        got = synced.get_article(aid)
        assert got is not None
        assert got.id == aid
        for name in (
            "url", "source_id", "title", "text", "lang", "first_seen", "published", "date_source",
            "html", "summary", "author", "image", "tags", "lang_hint", "updated",
        ):
            assert getattr(got, name) == getattr(a, name), name
        for dt in (got.first_seen, got.published, got.updated):
            assert dt is None or dt.utcoffset() == timedelta(0)
        assert got.copy_of is None and got.similarity is None
        assert synced.get_article_by_url(a.url) == got
    # The signature comes back byte for byte through the candidate look-up.
    assert synced.near_duplicate_candidates(["b2"]) == [
        (synced.get_article_by_url(cases[0].url).id, bytes(range(256)) * 2)
    ]


def test_copies_and_near_duplicate_candidates(synced):
    orig_id, _ = synced.add_article(
        article("https://lematin.example.ma/o", content_hash="h1", minhash=b"\x01\x02", minhash_bands=("x1", "x2", "x3"))
    )
    other_id, _ = synced.add_article(
        article("https://mwn.example.ma/o2", source_id="mwn", content_hash="h2", minhash=b"\x09", minhash_bands=("x3", "y"))
    )
    copy_id, created = synced.add_article(
        article("https://mwn.example.ma/copie", source_id="mwn", content_hash="h1", minhash=b"\x01\x02", minhash_bands=("x1", "x2", "x3")),
        copy_of=orig_id,
        similarity=0.93,
    )
    assert created
    copy = synced.get_article(copy_id)
    assert copy.copy_of == orig_id and copy.similarity == pytest.approx(0.93)
    # Copies have no band rows: only originals come back, most shared bands first.
    assert synced.near_duplicate_candidates(["x1", "x2", "x3"]) == [(orig_id, b"\x01\x02"), (other_id, b"\x09")]
    assert synced.near_duplicate_candidates(["x3"], limit=1) == [(orig_id, b"\x01\x02")]
    assert synced.near_duplicate_candidates(["zzz"]) == []
    assert synced.near_duplicate_candidates([]) == []
    n = synced._exec("SELECT count(*) FROM article_bands WHERE article_id = ?", (copy_id,)).fetchone()[0]
    assert n == 0
    assert [a.id for a in synced.copies_of(orig_id)] == [copy_id]
    assert synced.copies_of(copy_id) == []
    # The earliest original with the same text; copies and unknown hashes are not answers.
    assert synced.find_by_content_hash("h1") == orig_id
    assert synced.find_by_content_hash("h2") == other_id
    assert synced.find_by_content_hash("nope") is None
    assert synced.find_by_content_hash("") is None


def test_latest_articles_order_and_filters(synced):
    day = timedelta(days=1)
    ids = {}
    ids["old"] = synced.add_article(article("https://lematin.example.ma/old", published=T0 - 3 * day))[0]
    # No published date: sorted by first_seen.
    ids["undated"] = synced.add_article(article("https://lematin.example.ma/undated", first_seen=T0 - day))[0]
    ids["ar"] = synced.add_article(
        article("https://hespress-ar.example.ma/1", source_id="hespress-ar", lang="ar", title="خبر", published=T0)
    )[0]
    ids["new"] = synced.add_article(article("https://mwn.example.ma/new", source_id="mwn", lang="en", published=T0 + day))[0]
    ids["copy"] = synced.add_article(
        article("https://mwn.example.ma/copy", source_id="mwn", lang="fr", published=T0 - 2 * day), copy_of=ids["old"], similarity=1.0
    )[0]

    def order(**kw):
        return [a.id for a in synced.latest_articles(**kw)]

    assert order() == [ids[k] for k in ("new", "ar", "undated", "copy", "old")]
    assert order(limit=2, offset=1) == [ids["ar"], ids["undated"]]
    assert order(lang="fr") == [ids[k] for k in ("undated", "copy", "old")]
    assert order(source_id="mwn") == [ids["new"], ids["copy"]]
    assert order(lang="fr", include_copies=False) == [ids["undated"], ids["old"]]
    assert order(source_id="nobody") == []


def test_article_stats(synced):
    assert synced.article_stats() == {"articles": 0, "copies": 0, "by_lang": {}, "by_source": {}}
    a1, _ = synced.add_article(article("https://lematin.example.ma/1"))
    synced.add_article(article("https://lematin.example.ma/2"))
    synced.add_article(article("https://hespress-ar.example.ma/1", source_id="hespress-ar", lang="ar"))
    synced.add_article(article("https://mwn.example.ma/1", source_id="mwn", lang="fr"), copy_of=a1, similarity=0.9)
    assert synced.article_stats() == {
        "articles": 4,
        "copies": 1,
        "by_lang": {"ar": 1, "fr": 3},
        "by_source": {"hespress-ar": 1, "lematin": 2, "mwn": 1},
    }


def test_search_text(synced, database_url):
    fr, _ = synced.add_article(
        article(
            "https://lematin.example.ma/s1",
            title="La sécheresse frappe les régions agricoles",
            text="Les agriculteurs de la région de Meknès s'inquiètent du manque de pluie.",
        )
    )
    ar, _ = synced.add_article(
        article(
            "https://hespress-ar.example.ma/s2",
            source_id="hespress-ar",
            lang="ar",
            title="انطلاق موسم الحصاد في سهل سايس",
            text="بدأ الفلاحون موسم الحصاد هذا الأسبوع رغم قلة الأمطار.",
        )
    )
    en, _ = synced.add_article(
        article(
            "https://mwn.example.ma/s3",
            source_id="mwn",
            lang="en",
            title="Drought hits farming regions",
            text="Farmers near Meknes worry about the lack of rain.",
        )
    )
    assert [a.id for a in synced.search_text("sécheresse")] == [fr]
    assert [a.id for a in synced.search_text("Agriculteurs PLUIE")] == [fr]
    assert [a.id for a in synced.search_text("الحصاد")] == [ar]
    assert [a.id for a in synced.search_text("drought")] == [en]
    # Accents are folded on both stores (akhbar.search.analyze).
    assert [a.id for a in synced.search_text("secheresse")] == [fr]
    assert {a.id for a in synced.search_text("meknes")} == {fr, en}
    assert {a.id for a in synced.search_text("Meknès")} == {fr, en}
    # Query syntax characters are plain text and never raise.
    for q in ['"foo', "AND OR (", 'NOT * : ^ ) "" -', "title:pluie", "'", "   ", "", "NEAR(a b)"]:
        assert isinstance(synced.search_text(q), list)
    assert [a.id for a in synced.search_text('"pluie')] == [fr]
    assert synced.search_text("sécheresse", limit=0) == []


# -- health --------------------------------------------------------------------------------


def test_health_counters_and_errors(synced):
    far = T0 + timedelta(days=36500)
    claims = {c.source_id: c for c in synced.claim_due_feeds("w", far, 10, HOLD)}
    a1, _ = synced.add_article(article("https://lematin.example.ma/1"))
    synced.add_article(article("https://lematin.example.ma/2"), copy_of=a1, similarity=0.85)
    # Each article stored counts as one page extracted; failures are recorded apart.
    synced.record_page("lematin", "https://lematin.example.ma/3", False, "no text extracted")
    synced.finish_feed(claims["lematin"], now=T0, next_check=T0 + HOLD, ok=True, new_items=2)
    synced.finish_feed(claims["mwn"], now=T0, next_check=T0 + HOLD, ok=False, error="HTTP 503")
    synced.finish_feed(claims["hespress-ar"], now=T0, next_check=T0 + HOLD, ok=True, new_items=0)

    health = {h.source_id: h for h in synced.source_health()}
    lm = health["lematin"]
    assert (lm.articles, lm.copies, lm.pages_ok, lm.pages_failed) == (2, 1, 2, 1)
    assert lm.last_success == T0 and lm.last_new_item == T0 and lm.error_streak == 0
    assert lm.extraction_rate == pytest.approx(2 / 3) and lm.duplicate_rate == pytest.approx(0.5)
    mw = health["mwn"]
    assert (mw.error_streak, mw.last_error, mw.last_success, mw.articles) == (1, "HTTP 503", None, 0)
    assert mw.extraction_rate is None and mw.duplicate_rate is None
    hs = health["hespress-ar"]
    assert hs.last_success == T0 and hs.last_new_item is None

    errors = synced.source_errors("lematin")
    assert len(errors) == 1
    when, url, message = errors[0]
    assert (url, message) == ("https://lematin.example.ma/3", "no text extracted")
    assert when.utcoffset() == timedelta(0)
    assert synced.source_errors("mwn") == [(T0, "https://mwn.example.ma/rss", "HTTP 503")]


def test_source_errors_keep_the_latest_hundred(synced):
    for i in range(130):
        synced.record_page("mwn", f"https://mwn.example.ma/p/{i}", False, f"erreur {i}")
    errors = synced.source_errors("mwn", limit=1000)
    assert len(errors) == 100
    assert [e[2] for e in errors[:2]] == ["erreur 129", "erreur 128"]
    assert errors[-1][2] == "erreur 30"
    assert [e[2] for e in synced.source_errors("mwn", limit=3)] == ["erreur 129", "erreur 128", "erreur 127"]
    assert synced.source_health()[2].pages_failed == 130


# -- checkpoints ---------------------------------------------------------------------------


def test_checkpoints(store):
    assert store.get_checkpoint("import:archive.warc.gz") is None
    store.set_checkpoint("import:archive.warc.gz", "1024")
    store.set_checkpoint("import:archive.warc.gz", "2048")
    store.set_checkpoint("import:أرشيف", "نهاية")
    assert store.get_checkpoint("import:archive.warc.gz") == "2048"
    assert store.get_checkpoint("import:أرشيف") == "نهاية"


# -- claims --------------------------------------------------------------------------------


def test_claims_hold_expire_and_finish(store):
    feeds = tuple(f"https://lematin.example.ma/rss/{i}" for i in range(5))
    store.sync_sources([source("lematin", feeds=feeds)])
    now = datetime.now(UTC) + timedelta(seconds=1)

    first = store.claim_due_feeds("w1", now, 3, HOLD)
    assert len(first) == 3
    for c in first:
        assert c.worker == "w1" and c.expires == now + HOLD and c.source_id == "lematin"
        assert c.state.feed_url == c.feed_url
    rest = store.claim_due_feeds("w2", now, 10, HOLD)
    assert {c.feed_url for c in first} | {c.feed_url for c in rest} == set(feeds)
    assert not {c.feed_url for c in first} & {c.feed_url for c in rest}
    # Everything is held: nothing more until the holds expire.
    assert store.claim_due_feeds("w3", now + HOLD - timedelta(seconds=1), 10, HOLD) == []
    later = now + HOLD + timedelta(seconds=1)
    retaken = store.claim_due_feeds("w3", later, 10, HOLD)
    assert {c.feed_url for c in retaken} == set(feeds)

    # w1's late finish does nothing: w3 holds the feed now.
    stale = first[0]
    store.finish_feed(stale, now=later, next_check=later + timedelta(hours=1), ok=True, etag="stale")
    st = {s.feed_url: s for s in store.feed_states()}[stale.feed_url]
    assert st.etag is None and st.last_success is None
    assert store.claim_due_feeds("w4", later + timedelta(seconds=1), 10, HOLD) == []

    # w3 finishes: the claim is released and next_check decides when it is due again.
    mine = next(c for c in retaken if c.feed_url == stale.feed_url)
    store.finish_feed(mine, now=later, next_check=later + timedelta(hours=1), ok=True, etag='"v1"', last_modified="Sun, 10 Mar 2024 08:00:00 GMT", new_items=3)
    st = {s.feed_url: s for s in store.feed_states()}[stale.feed_url]
    assert (st.etag, st.last_modified, st.last_success, st.last_new_item, st.error_streak) == (
        '"v1"', "Sun, 10 Mar 2024 08:00:00 GMT", later, later, 0,
    )
    assert st.next_check == later + timedelta(hours=1)
    # The four others' holds by w3 expired meanwhile; this one waits for its next_check.
    others = store.claim_due_feeds("w5", later + timedelta(minutes=59), 10, HOLD)
    assert {c.feed_url for c in others} == set(feeds) - {stale.feed_url}
    again = store.claim_due_feeds("w6", later + timedelta(hours=1), 10, HOLD)
    assert [c.feed_url for c in again] == [stale.feed_url]
    assert again[0].state.etag == '"v1"'


def test_errors_increment_streak_and_keep_validators(store):
    store.sync_sources([source("mwn")])
    t = datetime.now(UTC) + timedelta(seconds=1)
    [c] = store.claim_due_feeds("w", t, 5, HOLD)
    store.finish_feed(c, now=t, next_check=t, ok=True, etag='"abc"', last_modified="lm", new_items=1)
    for i in range(1, 4):
        t += timedelta(minutes=1)
        [c] = store.claim_due_feeds("w", t, 5, HOLD)
        store.finish_feed(c, now=t, next_check=t, ok=False, error=f"timeout {i}")
        [st] = store.feed_states("mwn")
        assert st.error_streak == i
        assert (st.etag, st.last_modified) == ('"abc"', "lm")
        assert (st.last_error, st.last_error_at) == (f"timeout {i}", t)
    # A bare 304 (no validators repeated) keeps the old ones; success resets the streak.
    t += timedelta(minutes=1)
    [c] = store.claim_due_feeds("w", t, 5, HOLD)
    store.finish_feed(c, now=t, next_check=t, ok=True)
    [st] = store.feed_states("mwn")
    assert (st.error_streak, st.etag, st.last_success) == (0, '"abc"', t)
    assert st.last_new_item < t  # nothing new this time
    assert len(store.source_errors("mwn")) == 3


def test_claim_limit_and_order(store):
    store.sync_sources([source("lematin", feeds=tuple(f"https://lematin.example.ma/{i}.xml" for i in range(4)))])
    now = datetime.now(UTC) + timedelta(seconds=1)
    claims = store.claim_due_feeds("w", now, 4, HOLD)
    # Give each feed a different next_check, then check the most overdue comes first.
    for i, c in enumerate(sorted(claims, key=lambda c: c.feed_url)):
        store.finish_feed(c, now=now, next_check=now + timedelta(minutes=10 - i), ok=True)
    later = now + timedelta(minutes=20)
    got = store.claim_due_feeds("w", later, 2, HOLD)
    assert [c.feed_url for c in got] == ["https://lematin.example.ma/3.xml", "https://lematin.example.ma/2.xml"]
    assert store.claim_due_feeds("w", later, 0, HOLD) == []


def test_closed_store_raises_storage_error(database_url):
    s = open_store(database_url)
    s.close()
    with pytest.raises(StorageError):
        s.get_checkpoint("x")



def test_a_migration_numbered_below_the_newest_applied_is_still_applied(database_url):
    # A store that got 0005 before 0004 existed (two branches landing out of order).
    s = open_store(database_url)
    try:
        with s._write():
            s._exec("DELETE FROM schema_version WHERE version = 2")
            for index in ("articles_section_latest", "articles_search_filter"):
                s._exec(f"DROP INDEX IF EXISTS {index}")
            s._exec("ALTER TABLE articles DROP COLUMN section")
        s.migrate()
        versions = [r[0] for r in s._exec("SELECT version FROM schema_version ORDER BY version")]
        assert 2 in versions
        s._exec("SELECT section FROM articles").fetchall()
    finally:
        s.close()
