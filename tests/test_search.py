"""Search through the real stores (SQLite and PostgreSQL): results, filters, snippets,
copies, pagination, and the index staying in step with the articles."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from akhbar.errors import StorageError
from akhbar.search import QueryError, search
from akhbar.store.base import open_store
from akhbar.types import Article, Source

CASES = Path(__file__).parent / "data" / "search_cases.jsonl"


def _source(sid: str, *langs: str) -> Source:
    return Source(id=sid, name=sid, homepage=f"https://{sid}.example.ma/",
                  feeds=(f"https://{sid}.example.ma/rss",), languages=langs)


@pytest.fixture
def press(store):
    store.sync_sources([_source("le360", "fr", "ar"), _source("mwn", "en")])
    return store


def add(store, n: int, title: str, text: str, lang: str = "fr", *, source: str = "le360",
        day: int = 1, month: int = 3, section: str | None = None, copy_of: int | None = None) -> int:
    when = datetime(2024, month, day, 12, tzinfo=UTC)
    article_id, created = store.add_article(Article(
        url=f"https://{source}.example.ma/{n}", source_id=source, title=title, text=text,
        lang=lang, first_seen=when, published=when, date_source="feed", section=section),
        copy_of=copy_of)
    assert created
    return article_id


def ids(results) -> list[int]:
    return [h.article.id for h in results.hits]


def test_language_aware_matching(press):
    eg = add(press, 1, "L'Égypte signe un accord avec le Maroc", "Accord sur les dattes.")
    el = add(press, 2, "Les élections législatives en septembre", "Les partis se préparent.")
    ma = add(press, 3, "المغرب يستضيف قمة المناخ", "تستعد مراكش للقمة.", "ar")
    ms = add(press, 4, "مصرف المغرب يرفع الفائدة", "قرر المصرف المركزي.", "ar")
    mi = add(press, 5, "وزير الخارجية يزور مصر", "زيارة إلى القاهرة.", "ar")
    en = add(press, 6, "Voters back the elections", "Running totals came in.", "en", source="mwn")
    # Names of the gazetteer are also looked for in the other script, after the
    # reader's own (test_names_across_scripts).
    assert ids(search(press, "egypte")) == [eg, mi]
    assert ids(search(press, "élection législative")) == [el]
    assert set(ids(search(press, "والمغرب"))) == {ma, ms, eg}
    assert set(ids(search(press, "بالمغرب"))[:2]) == {ma, ms}
    assert ids(search(press, "مصر")) == [mi, eg]  # not the مصرف article
    assert ids(search(press, "المصرف")) == [ms]
    assert ids(search(press, "run")) == [en]
    assert set(ids(search(press, "election"))) == {el, en}
    assert ids(search(press, "election lang:en")) == [en]


def test_names_across_scripts(press):
    rabat_fr = add(press, 1, "Une vente record à Rabat", "Le tableau a atteint un prix record.")
    rabat_ar = add(press, 2, "معرض الكتاب يفتح أبوابه بالرباط", "يشارك ناشرون من عشرين بلدا.", "ar")
    tanja = add(press, 3, "ميناء طنجة يسجل رقما قياسيا", "ارتفاع حركة الحاويات.", "ar")
    tangier = add(press, 4, "Tangier port handles more containers", "Traffic grew.", "en",
                  source="mwn")
    cairo = add(press, 5, "Le Caire accueille le sommet", "Le ministre est arrivé à Casablanca.")
    gov = add(press, 6, "الحكومة تصادق على مشروع القانون", "صادق مجلس الحكومة.", "ar")
    # The reader's own script first, then the other.
    assert ids(search(press, "Rabat")) == [rabat_fr, rabat_ar]
    assert ids(search(press, "الرباط")) == [rabat_ar, rabat_fr]
    assert set(ids(search(press, "tanger"))) == {tanja, tangier}
    assert ids(search(press, "طنجة")) == [tanja, tangier]
    assert ids(search(press, "lang:ar rabat")) == [rabat_ar]
    # Exclusion covers the other spellings too.
    assert ids(search(press, "معرض -rabat")) == []
    # "Le Caire" brings القاهرة (its place in the lists), not مصر; a name written as plain
    # words ("الدار البيضاء") is matched as a whole.
    assert ids(search(press, "القاهرة")) == [cairo]
    assert ids(search(press, "مصر")) == []
    assert ids(search(press, "الدار البيضاء")) == [cairo]
    # Common nouns are not translated; lower-case acronyms are words ("can").
    assert ids(search(press, "gouvernement")) == []
    assert gov not in ids(search(press, "government"))
    assert search(press, "can").total == 0


def test_phrases_or_and_exclusion(press):
    cup = add(press, 1, "La coupe du monde à Tanger", "Les stades sont en travaux.")
    fashion = add(press, 2, "Le monde de la mode coupe les ponts", "Défilé à Marrakech.")
    assert set(ids(search(press, "coupe monde"))) == {cup, fashion}
    assert ids(search(press, '"coupe du monde"')) == [cup]
    assert ids(search(press, 'monde -"coupe du monde"')) == [fashion]
    assert ids(search(press, "monde -tanger")) == [fashion]
    assert set(ids(search(press, "tanger OR marrakech"))) == {cup, fashion}
    assert ids(search(press, "tanger OR marrakech -défilé")) == [cup]


def test_title_outranks_body(press):
    body = add(press, 1, "Les marchés ouvrent en hausse", "La bourse de Casablanca a gagné 1 %.")
    title = add(press, 2, "Casablanca accueille un festival", "Concerts et expositions en ville.")
    assert ids(search(press, "casablanca")) == [title, body]


def test_filters_alone_list_newest_first_and_combine_with_text(press):
    old = add(press, 1, "Pluie sur Rabat", "Averses.", day=1, section="meteo")
    new = add(press, 2, "Pluie sur Fès", "Orages.", day=20, section="meteo")
    other = add(press, 3, "Rabat gagne le derby", "Un but.", day=10, section="sport")
    ar = add(press, 4, "أمطار في الرباط", "زخات مطرية.", "ar", day=15)
    en = add(press, 5, "Rain in Rabat", "Showers.", "en", source="mwn", day=5, month=4)
    assert ids(search(press, "source:le360 lang:fr")) == [new, other, old]
    assert ids(search(press, "section:meteo")) == [new, old]
    assert ids(search(press, "pluie section:meteo sort:date")) == [new, old]
    assert ids(search(press, "rabat section:sport")) == [other]
    assert ids(search(press, "lang:ar")) == [ar]
    assert ids(search(press, "source:mwn")) == [en]
    assert ids(search(press, "date:2024-03 -pluie")) == [ar, other]
    assert ids(search(press, "after:2024-03-10 before:2024-03-20 lang:fr")) == [other]
    assert ids(search(press, "after:2024-04-01")) == [en]
    # الرباط too: the gazetteer's names are looked for in both scripts.
    assert ids(search(press, "rabat", sort="date")) == [en, ar, other, old]


def test_day_filters_are_days_in_morocco(press):
    # 23:30 UTC on 31 May is 00:30 on 1 June in Casablanca (UTC+1 outside Ramadan).
    late = datetime(2024, 5, 31, 23, 30, tzinfo=UTC)
    article_id, _ = press.add_article(Article(
        url="https://le360.example.ma/late", source_id="le360", title="Minuit", text="Tard.",
        lang="fr", first_seen=late, published=late, date_source="feed"))
    assert ids(search(press, "minuit after:2024-06-01")) == [article_id]
    assert ids(search(press, "minuit before:2024-06-01")) == []
    assert ids(search(press, "minuit date:2024-06-01")) == [article_id]


def test_copies_are_folded_unless_their_outlet_is_asked_for(press):
    original = add(press, 1, "Le barrage est plein", "Retenue record.")
    copy = add(press, 2, "Le barrage est plein", "Retenue record.", source="mwn", copy_of=original)
    assert ids(search(press, "barrage")) == [original]
    assert ids(search(press, "barrage source:mwn")) == [copy]


def test_pagination_total_and_capped_flag(press):
    made = [add(press, n, f"Séisme numéro {n}", "Secousse ressentie.", day=1 + n % 28) for n in range(25)]
    first = search(press, "séisme", limit=10)
    second = search(press, "séisme", limit=10, offset=10)
    third = search(press, "séisme", limit=10, offset=20)
    assert first.total == second.total == 25 and not first.total_capped
    assert len(first.hits) == len(second.hits) == 10 and len(third.hits) == 5
    assert sorted(ids(first) + ids(second) + ids(third)) == sorted(made)
    assert search(press, "séisme", limit=0).hits == []


def test_snippet_is_escaped_and_marks_the_matched_words(press):
    text = ("Un long texte sans rapport. " * 20 + "Le <b>ministre</b> a visité l'hôpital d'Agadir "
            "& la maternité. " + "Encore du texte. " * 20)
    add(press, 1, "Visite <script>alert(1)</script> à Agadir", text)
    hit = search(press, "hopital agadir").hits[0]
    assert "<mark>hôpital</mark>" in hit.snippet and "<mark>Agadir</mark>" in hit.snippet
    assert "ministre&lt;/b&gt;" in hit.snippet and "&amp; la" in hit.snippet
    assert "<b>" not in hit.snippet and "</b>" not in hit.snippet
    assert hit.snippet.startswith("… ") and hit.snippet.endswith(" …")
    assert len(hit.snippet.split()) < 60
    assert "<script>" not in hit.title_html and "&lt;script&gt;" in hit.title_html
    assert "<mark>Agadir</mark>" in hit.title_html


def test_snippet_marks_arabic_words_with_marks_and_clitics(press):
    add(press, 1, "خبر", "قال الوزير إن الحكومة وَالمَغْرِب ملتزمان.", "ar")
    hit = search(press, "المغرب").hits[0]
    assert "<mark>وَالمَغْرِب</mark>" in hit.snippet


def test_injection_and_engine_syntax_are_plain_text(press):
    keep = add(press, 1, "Le prix du pain", "Boulangeries.")
    for q in ["'; DROP TABLE articles; --", 'pain" OR "1"="1', "pain*", "NEAR(pain prix)",
              "title:pain", "pain^2", "pain) OR (1", "\\'pain"]:
        search(press, q)  # no engine error
    assert ids(search(press, "pain*")) == [keep]
    assert press.get_article(keep) is not None


def test_bad_query_raises_query_error(press):
    with pytest.raises(QueryError, match="source: needs a value"):
        search(press, "maroc source:")
    with pytest.raises(QueryError):
        search(press, "maroc", sort="random")


# -- the index and the articles ----------------------------------------------------------------
def test_a_stored_article_is_searchable_in_the_same_transaction(press):
    status = press.search_index_status()
    assert status.ok and status.articles == 0
    article_id = add(press, 1, "Inondations à Safi", "Routes coupées.")
    assert ids(search(press, "inondation")) == [article_id]
    status = press.search_index_status()
    assert (status.articles, status.indexed, status.missing) == (1, 1, 0) and status.ok


def test_a_failed_article_insert_leaves_no_index_entry(press):
    # The store rolls back the whole transaction, index entry included.
    with pytest.raises(StorageError):
        press.add_article(Article(
            url="https://nowhere.example.ma/1", source_id="no-such-outlet", title="Orphelin",
            text="Texte.", lang="fr", first_seen=datetime.now(UTC), published=None,
            date_source="first_seen"))
    assert search(press, "orphelin").hits == []
    assert press.search_index_status().ok


def _drop_entry(store, article_id: int, dialect: str) -> None:
    from akhbar.search.analyze import index_document

    a = store.get_article(article_id)
    with store._write():
        if dialect == "sqlite":
            t, b = index_document(a.title, a.text, a.lang)
            store._exec("INSERT INTO search_index (search_index, rowid, title, body)"
                        " VALUES ('delete', ?, ?, ?)", (article_id, " ".join(t), " ".join(b)))
        else:
            store._exec("UPDATE articles SET search_vector = NULL WHERE id = ?", (article_id,))


def test_reindex_repairs_a_missing_entry(press):
    keep = add(press, 1, "Grève des médecins", "Hôpitaux.")
    lost = add(press, 2, "Grève des enseignants", "Écoles.")
    _drop_entry(press, lost, press.dialect)
    status = press.search_index_status()
    assert status.missing == 1 and not status.ok
    assert ids(search(press, "grève")) == [keep]
    status = press.reindex()
    assert status.ok and status.indexed == 2
    assert set(ids(search(press, "grève"))) == {keep, lost}


def test_reindex_rebuilds_after_an_analyzer_change(press, monkeypatch):
    first = add(press, 1, "Récolte d'olives à Ouazzane", "Bonne saison.")
    with press._write():
        press._exec("UPDATE search_meta SET value = 'old' WHERE key = 'analyzer'")
    assert press.search_index_status().analyzer == "old" and not press.search_index_status().ok
    second = add(press, 2, "Olives et huile", "Prix en baisse.")
    seen = []
    status = press.reindex(batch=1, progress=lambda done, total: seen.append((done, total)))
    assert status.ok and status.analyzer == status.current_analyzer and status.indexed == 2
    assert seen[-1] == (2, 2)
    assert set(ids(search(press, "olive"))) == {first, second}


def test_interrupted_rebuild_resumes(press, monkeypatch):
    made = [add(press, n, f"Tempête {n}", "Vent fort.") for n in range(5)]
    with press._write():
        press._exec("UPDATE search_meta SET value = 'old' WHERE key = 'analyzer'")
    backend = press._search
    real = backend._write_terms
    calls = []

    def crash_on_third(rows, *, replace):
        calls.append(len(rows))
        if len(calls) == 3:
            raise KeyboardInterrupt  # the operator's Ctrl-C mid-rebuild
        real(rows, replace=replace)

    monkeypatch.setattr(backend, "_write_terms", crash_on_third)
    with pytest.raises(KeyboardInterrupt):
        press.reindex(batch=1)
    assert press.search_index_status().rebuilding
    monkeypatch.setattr(backend, "_write_terms", real)
    seen = []
    status = press.reindex(batch=1, progress=lambda done, total: seen.append(done))
    assert seen[0] == 3  # two batches were committed before the interruption
    assert status.ok and set(ids(search(press, "tempête"))) == set(made)


def test_reindex_check_command(database_url, tmp_path):
    store = open_store(database_url)
    store.sync_sources([_source("le360", "fr")])
    lost = add(store, 1, "Séisme au large d'Al Hoceïma", "Secousse.")
    _drop_entry(store, lost, store.dialect)
    store.close()

    def akhbar(*args):
        return subprocess.run([sys.executable, "-m", "akhbar", "--database", database_url, *args],
                              capture_output=True, text=True, timeout=120)

    checked = akhbar("reindex", "--check")
    assert checked.returncode == 1 and json.loads(checked.stdout)["missing"] == 1
    fixed = akhbar("reindex")
    assert fixed.returncode == 0 and json.loads(fixed.stdout)["ok"] is True
    assert akhbar("reindex", "--check").returncode == 0
    found = akhbar("search", "seisme hoceima", "--json")
    assert found.returncode == 0 and json.loads(found.stdout.splitlines()[0])["id"] == lost
    bad = akhbar("search", "source:")
    assert bad.returncode == 1 and "source: needs a value" in bad.stderr


# -- eval search on the shipped cases ----------------------------------------------------------
def test_eval_search_on_the_shipped_cases(database_url):
    from akhbar.evaluate.search import evaluate_search

    url = None if database_url.startswith("sqlite") else database_url
    result = evaluate_search(CASES, url)
    assert result["queries"] >= 40
    assert result["failing"] == []
    assert (result["mrr"], result["recall_at_10"], result["false_matches"]) == (1.0, 1.0, 0)


def test_eval_search_command_and_bad_lines(tmp_path):
    out = subprocess.run([sys.executable, "-m", "akhbar", "eval", "search", str(CASES)],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["mrr"] == 1.0
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"kind": "doc", "id": "a", "lang": "fr", "title": "t", "text": "x"}\n'
                   "not json\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "akhbar", "eval", "search", str(bad)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 1 and "bad.jsonl:2" in out.stderr
    bad.write_text('{"kind": "query", "q": "x", "relevant": ["nope"]}\n', encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "akhbar", "eval", "search", str(bad)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 1 and "unknown doc ids" in out.stderr


def test_relevance_ranks_the_newest_candidates_only(press, monkeypatch):
    from akhbar.search import backends

    monkeypatch.setattr(backends, "RANK_CANDIDATES", 2)
    best = add(press, 1, "Barrage barrage barrage", "Le barrage du barrage.", day=1)
    mid = add(press, 2, "Un barrage", "Rien d'autre.", day=2)
    new = add(press, 3, "Pluie", "Le barrage se remplit lentement cette semaine.", day=3)
    # The oldest match is the best one, but only the 2 newest are ranked (a page of 2:
    # a longer page widens the candidates to its size); the total says there are more.
    found = search(press, "barrage", limit=2)
    assert ids(found) == [mid, new] and found.total == 2 and found.total_capped
    assert ids(search(press, "barrage", sort="date")) == [new, mid, best]
    assert search(press, "barrage", sort="date").total == 3
    # A page past the candidates widens them: all three ranked, the third is the newest.
    assert ids(search(press, "barrage", limit=1, offset=2)) == [new]
    # Fewer matches than candidates: ranked whole, counted exactly.
    monkeypatch.setattr(backends, "RANK_CANDIDATES", 10)
    found = search(press, "barrage")
    assert ids(found) == [best, mid, new] and found.total == 3 and not found.total_capped
