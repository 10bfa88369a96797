"""The site under test: uvicorn on a free loopback port in a thread, and a small press of
fictional articles written for these tests (fr/ar/en, each display mode, copies, mixed
scripts, Arabic-Indic digits, several days).
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import httpx
import pytest

from akhbar.config import load_settings
from akhbar.store.base import open_store
from akhbar.types import Article, Source
from akhbar.web import create_app
from akhbar.web.server import BackgroundSite
from conftest import PG_AVAILABLE, PG_URL


@contextlib.contextmanager
def serve(app) -> Iterator[str]:
    """Run ``app`` with uvicorn on a free 127.0.0.1 port until the block ends; yields its
    base URL (no trailing slash)."""
    site = BackgroundSite(load_settings(env={}, log_level="WARNING"), host="127.0.0.1", port=0,
                          app=app).start()
    try:
        yield site.url.rstrip("/")
    finally:
        site.stop()


def site_app(store, **settings):
    return create_app(load_settings(env={}, **settings), store=store)


# -- the fictional press -----------------------------------------------------------------

OUTLETS = (
    Source(id="le-phare", name="Le Phare de Salé", homepage="https://le-phare.example/",
           feeds=("https://le-phare.example/rss",), languages=("fr",), display="full"),
    Source(id="sada-atlas", name="صدى الأطلس", homepage="https://sada-atlas.example/",
           feeds=("https://sada-atlas.example/feed",), languages=("ar",), display="excerpt",
           excerpt_words=12),
    Source(id="oasis-post", name="The Oasis Post", homepage="https://oasis-post.example/",
           feeds=("https://oasis-post.example/feed",), languages=("en",), display="lede",
           excerpt_words=30),
    Source(id="wire-maghreb", name="Wire Maghreb", homepage="https://wire.example/",
           feeds=("https://wire.example/feed",), languages=("fr", "ar"), display="excerpt",
           excerpt_words=8),
    # The outlets of the events reported in several languages (stories).
    Source(id="echo-casa", name="L'Écho de Casa", homepage="https://echo-casa.example/",
           feeds=("https://echo-casa.example/rss",), languages=("fr",), display="full"),
    Source(id="nabd", name="نبض المغرب", homepage="https://nabd.example/",
           feeds=("https://nabd.example/rss",), languages=("ar",), display="excerpt",
           excerpt_words=10),
    Source(id="kasbah", name="Kasbah Times", homepage="https://kasbah.example/",
           feeds=("https://kasbah.example/rss",), languages=("en",), display="lede"),
    Source(id="argane", name="Argane Presse", homepage="https://argane.example/",
           feeds=("https://argane.example/rss",), languages=("fr",), display="full"),
)

# Base time: a Tuesday afternoon in Casablanca (UTC+1 outside Ramadan).
T0 = datetime(2024, 5, 14, 13, 30, tzinfo=UTC)

# Paragraphs of the articles: the excerpt/lede tests look for words past the limits.
FR_FULL_PARAS = (
    "Le conseil municipal de Salé a voté mardi un budget de 245 millions de dirhams pour "
    "rénover la corniche et ses trois marchés couverts.",
    "Les travaux commenceront en septembre, selon l'adjointe chargée de l'urbanisme, qui "
    "promet des chantiers de nuit pour ne pas gêner les commerçants.",
    "Mot-témoin de fin : coquelicot.",
)
AR_PARAS = (
    "أعلنت جماعة الرباط يوم الثلاثاء عن برنامج جديد لتأهيل ١٢ حديقة عمومية في الأحياء "
    "الشعبية بكلفة ٤٥ مليون درهم ضمن مخطط 2024-2026.",
    "وقال رئيس المجلس إن الأشغال ستنطلق بعد عيد الأضحى وتستمر ثمانية عشر شهرا.",
    "كلمة الختام: ياسمين.",
)
EN_PARAS = (
    "Fishermen in Dakhla reported their best sardine season in a decade, with catches up "
    "by a third on last year.",
    "The port authority said new cold storage would open before the summer.",
    "Final marker word: marigold.",
)


def article(**kw) -> Article:
    base = dict(url="https://example.invalid/x", source_id="le-phare", title="t", text="x",
                lang="fr", first_seen=T0, published=T0, date_source="feed")
    base.update(kw)
    return Article(**base)


def fill(store) -> dict[str, int]:
    """Store the fictional press; returns ids by name."""
    store.sync_sources(OUTLETS)
    ids: dict[str, int] = {}

    def add(name: str, a: Article, **kw) -> None:
        ids[name] = store.add_article(a, **kw)[0]

    add("fr_full", article(
        url="https://le-phare.example/2024/05/14/corniche", source_id="le-phare",
        title="Salé : 245 millions de dirhams pour la corniche", lang="fr",
        text="\n\n".join(FR_FULL_PARAS),
        html="".join(f"<p>{p}</p>" for p in FR_FULL_PARAS),
        author="Nadia El Fassi", image="https://le-phare.example/img/corniche.jpg",
        section="regions", published=T0, first_seen=T0 + timedelta(minutes=5)))
    add("ar_excerpt", article(
        url="https://sada-atlas.example/news/1201", source_id="sada-atlas",
        title="الرباط: ١٢ حديقة جديدة في إطار مخطط 2024-2026 (Plan Vert)", lang="ar",
        text="\n\n".join(AR_PARAS), section="societe", author="سعيد المنصوري",
        image="https://sada-atlas.example/media/parc.jpg",
        published=T0 - timedelta(hours=2), first_seen=T0 - timedelta(hours=1)))
    add("en_lede", article(
        url="https://oasis-post.example/dakhla-sardines", source_id="oasis-post",
        title="Dakhla fishermen land best sardine season in a decade", lang="en",
        text="\n\n".join(EN_PARAS), summary="Catches are up by a third on last year.",
        section="economie", published=T0 - timedelta(days=1), first_seen=T0 - timedelta(days=1)))
    add("wire_fr", article(
        url="https://wire.example/fr/meteo-chaleur", source_id="wire-maghreb",
        title="Vague de chaleur attendue à Marrakech", lang="fr",
        text="Les températures dépasseront 44 degrés jeudi à Marrakech selon la météo nationale.",
        section="meteo", published=T0 - timedelta(days=3), first_seen=T0 - timedelta(days=3)))
    # Another outlet's copy of the wire story (the de-duplication stage links it).
    add("copy_fr", article(
        url="https://le-phare.example/2024/05/11/chaleur", source_id="le-phare",
        title="Marrakech : vague de chaleur attendue", lang="fr",
        text="Les températures dépasseront 44 degrés jeudi à Marrakech selon la météo nationale.",
        section="meteo", published=T0 - timedelta(days=3, hours=-1),
        first_seen=T0 - timedelta(days=3, hours=-1)), copy_of=ids["wire_fr"], similarity=1.0)
    # The oldest article, with no published date (first_seen stands in), years back.
    add("old_ar", article(
        url="https://wire.example/ar/archive-2005", source_id="wire-maghreb",
        title="أرشيف: افتتاح المكتبة الوطنية", lang="ar",
        text="افتتحت المكتبة الوطنية أبوابها للقراء بعد سنوات من الأشغال.", published=None,
        first_seen=datetime(2005, 3, 7, 9, 0, tzinfo=UTC), date_source="first_seen"))
    # Just after midnight in Casablanca on the 14th, still the 13th in UTC.
    add("late_en", article(
        url="https://oasis-post.example/night-train", source_id="oasis-post",
        title="Night train to Oujda runs again", lang="en",
        text="The overnight service resumed after two years of works.",
        published=datetime(2024, 5, 13, 23, 30, tzinfo=UTC),
        first_seen=datetime(2024, 5, 13, 23, 40, tzinfo=UTC)))
    # A long archive for one outlet: pages of long titles (pagination, page weight).
    for i in range(BULK):
        day = T0 - timedelta(days=10 + 5 * i)  # apart: each its own story
        add(f"bulk{i}", article(
            url=f"https://le-phare.example/archives/{i}", source_id="le-phare",
            title=f"Chronique n° {i} : le port de Salé, ses barques bleues et la mémoire des "
                  f"marins du Bouregreg racontée par ceux qui y ont grandi ({i})",
            text=f"Texte de la chronique {i}. " * 40, lang="fr", section="culture",
            published=day, first_seen=day))
    add_events(store, ids)
    build_stories(store)
    return ids


BULK = 45  # > one page of 30

# Two football matches of one evening, each reported in French, Arabic and English by the
# four event outlets (from tests/data/stories_fr_ar_en.jsonl, moved to the fixture's week):
# the derby becomes one story in three languages, the draw another. Only new outlets and
# section "sport", so the outlet, section and search expectations above stay as they are.
EVENTS = (
    ("derby_fr", "echo-casa", "fr", 14 * 60 + 50, "Le Raja remporte le derby face au Wydad (2-1)",
     "Au complexe Mohammed V de Casablanca, le Raja s'est imposé 2-1 face au Wydad dimanche "
     "soir. Le but de la victoire est tombé à la 78e minute devant 42 000 spectateurs."),
    ("derby_ar", "nabd", "ar", 14 * 60 + 25, "الرجاء يفوز بالديربي على الوداد بهدفين لهدف",
     "فاز الرجاء البيضاوي على غريمه الوداد بنتيجة 2-1 مساء الأحد بمركب محمد الخامس بالدار "
     "البيضاء، وسجل هدف الفوز في الدقيقة 78 أمام 42000 متفرج."),
    ("derby_en", "kasbah", "en", 14 * 60, "Raja edge Wydad 2-1 in Casablanca derby",
     "Raja Casablanca beat city rivals Wydad 2-1 on Sunday night, with the winner coming in "
     "the 78th minute in front of 42,000 fans at the Mohammed V stadium."),
    ("derby_fr2", "argane", "fr", 4 * 60, "Derby casablancais : les Verts prennent le dessus",
     "Le Raja a battu le Wydad 2-1. Les supporters du Raja ont fêté la victoire jusque tard "
     "dans la nuit à Casablanca."),
    ("draw_fr", "echo-casa", "fr", 14 * 60 + 40, "La RS Berkane et l'AS FAR se neutralisent (0-0)",
     "A Berkane, la Renaissance sportive et l'AS FAR se sont quittés sur un score nul et "
     "vierge dimanche, en match de la 19e journée de la Botola."),
    ("draw_ar", "nabd", "ar", 14 * 60 + 10, "تعادل سلبي بين نهضة بركان والجيش الملكي",
     "انتهت مباراة نهضة بركان والجيش الملكي بالتعادل السلبي 0-0 مساء الأحد ببركان، برسم "
     "الجولة 19 من البطولة الاحترافية."),
    ("draw_en", "kasbah", "en", 13 * 60 + 30, "RS Berkane and AS FAR share goalless draw",
     "RS Berkane and AS FAR drew 0-0 in Berkane on Sunday in round 19 of the Botola Pro, "
     "leaving both sides level on points."),
)


def add_events(store, ids: dict[str, int]) -> None:
    for name, source, lang, minutes_before, title, text in EVENTS:
        when = T0 - timedelta(minutes=minutes_before)
        ids[name] = store.add_article(article(
            url=f"https://{source}.example/{name}", source_id=source, title=title, text=text,
            lang=lang, section="sport", published=when, first_seen=when))[0]


def build_stories(store) -> int:
    """Give every stored article its story, as the crawler does after a pass: lexical
    evidence only (no model to load; what a platform without one gets)."""
    from akhbar.stories.cluster import StoryBuilder

    settings = load_settings(env={}, story_embedder="none")
    return StoryBuilder(store, settings, embedder=None).run()


# -- fixtures (import them into a test module to use them) --------------------------------


@dataclass
class Running:
    base: str
    ids: dict[str, int]
    store: object
    app: object

    def client(self, **kw) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=10, **kw)


@contextlib.contextmanager
def backend_url(kind: str, tmp_dir) -> Iterator[str]:
    """A fresh store URL: a SQLite file, or a PostgreSQL schema dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_dir / 'akhbar.db'}"
        return
    if not PG_AVAILABLE:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {PG_URL}")
        pytest.skip(f"PostgreSQL is not reachable at {PG_URL}")
    import psycopg

    schema = "web_" + uuid.uuid4().hex[:12]
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@contextlib.contextmanager
def running_site(kind: str, tmp_dir, filler=None) -> Iterator[Running]:
    with backend_url(kind, tmp_dir) as url:
        store = open_store(url)
        try:
            ids = (filler or fill)(store)
            app = site_app(store)
            with serve(app) as base:
                yield Running(base, ids, store, app)
        finally:
            store.close()


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def site(request, tmp_path_factory):
    """The fictional press behind a running site, once per module and store backend."""
    with running_site(request.param, tmp_path_factory.mktemp("web")) as running:
        yield running
