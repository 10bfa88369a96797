from __future__ import annotations

import gzip
import json
import pickle
from collections import Counter, defaultdict
from itertools import combinations

import numpy as np
import pytest

from akhbar.enrich.fingerprint import (
    BANDS,
    NUM_PERM,
    content_hash,
    estimate_similarity,
    lsh_bands,
    minhash_signature,
    normalise_for_hash,
    shingles,
)
from conftest import shared_path

# An invented wire dispatch (no publisher's text), as an agency would send it.
WIRE_TITLE = "Barrages : le taux de remplissage atteint 38 % après les pluies de mars"
WIRE_BODY = """\
Rabat, 14 mars 2025 – Le taux de remplissage des barrages du Royaume a atteint 38,2 % \
à la date du vendredi, contre 27,6 % à la même période de l'année dernière, selon les \
données publiées par le ministère de l'Équipement et de l'Eau.

Les réserves totales s'élèvent ainsi à près de 6,4 milliards de mètres cubes, grâce aux \
précipitations importantes enregistrées depuis le début du mois dans plusieurs régions du \
nord et du centre du pays, indique le ministère dans un communiqué.

Le bassin hydraulique du Loukkos enregistre le taux le plus élevé, avec plus de 60 %, \
suivi par celui du Sebou, tandis que les bassins du sud, notamment ceux du Souss-Massa et \
du Drâa-Oued Noun, restent en deçà de 20 %, malgré une légère amélioration.

Le ministère souligne que ces apports, bien qu'encourageants, ne suffisent pas à effacer \
le déficit accumulé au cours de six années consécutives de sécheresse, et appelle à \
poursuivre les efforts de rationalisation de la consommation d'eau potable et d'irrigation.

Dans la région de Casablanca-Settat, le barrage Al Massira, principal réservoir \
alimentant la métropole, reste toutefois sous la barre des 5 %, ce qui maintient les \
mesures de restriction décidées l'été dernier pour les usages non prioritaires.

Les autorités locales ont rappelé que l'arrosage des espaces verts à l'eau potable, le \
lavage des voitures hors des stations équipées et le remplissage des piscines privées \
demeurent interdits jusqu'à nouvel ordre dans les communes concernées.

Plusieurs projets structurants sont en cours, dont les autoroutes de l'eau reliant les \
bassins excédentaires du nord aux zones déficitaires, ainsi que de nouvelles stations de \
dessalement prévues sur la façade atlantique d'ici la fin de la décennie.

Les services météorologiques prévoient de nouvelles averses orageuses en fin de semaine \
sur les reliefs de l'Atlas et le Rif, accompagnées de chutes de neige au-dessus de 1.800 \
mètres d'altitude."""

# A republication: new title, a changed last paragraph, typographic noise.
COPY_TITLE = "Pluies : bonne nouvelle pour les barrages du Maroc"
COPY_BODY = (
    WIRE_BODY.rsplit("\n\n", 1)[0].replace("–", "-").replace("'", "’")
    + "\n\nÀ suivre sur notre site : la carte interactive des barrages, mise à jour chaque "
    "matin par notre rédaction."
)

# Same topic, different story (different wording and facts).
OTHER_BODY = """\
Casablanca – Les agriculteurs de la Chaouia accueillent avec soulagement les dernières \
pluies, mais estiment qu'elles arrivent trop tard pour sauver une partie des semis de \
céréales, ravagés par un hiver particulièrement sec.

Dans la région de Settat, plusieurs exploitants interrogés affirment avoir réduit de \
moitié les surfaces semées cette saison, faute de visibilité sur les ressources en eau et \
en raison de la hausse du prix des engrais.

Les chambres d'agriculture réclament un plan d'urgence pour l'élevage, dont les fourrages \
restent rares, tandis que les barrages de la région affichent toujours des niveaux faibles \
malgré les précipitations de mars.

Le gouvernement a annoncé une enveloppe de soutien au prix de l'orge subventionnée et \
l'étalement des crédits agricoles pour les petites exploitations les plus touchées."""

ARABIC_WIRE = """\
الرباط – أعلنت وزارة التجهيز والماء أن نسبة ملء السدود بالمملكة بلغت 38,2 في المائة إلى \
غاية يوم الجمعة، مقابل 27,6 في المائة خلال الفترة نفسها من السنة الماضية.

وأوضحت الوزارة في بلاغ لها أن المخزون الإجمالي يناهز 6,4 مليار متر مكعب، بفضل التساقطات \
المطرية المهمة التي عرفتها عدة مناطق بشمال ووسط البلاد منذ بداية الشهر.

وسجل حوض اللوكوس أعلى نسبة ملء بأزيد من 60 في المائة، يليه حوض سبو، في حين ما تزال \
أحواض الجنوب دون عتبة 20 في المائة رغم تحسن طفيف."""

ARABIC_DIACRITICS = (
    "الرِّبَاطُ – أَعْلَنَتْ وِزَارَةُ التَّجْهِيزِ وَالْمَاءِ أَنَّ نِسْبَةَ مَلْءِ السُّدُودِ بِالْمَمْلَكَةِ"
)
ARABIC_PLAIN = "الرباط - اعلنت وزارة التجهيـــز والماء ان نسبة ملء السدود بالمملكة"


def test_normalise_for_hash() -> None:
    assert normalise_for_hash("  Élections : LE MAROC, à l’heure du VOTE !  ") == (
        "elections le maroc a l heure du vote"
    )
    # Arabic: diacritics and tatweel removed, hamza/alef forms, alef maqsura, taa marbuta.
    assert normalise_for_hash("أَعْلَنَ إِنَّ آذار على مدرسةٌ الـمغرب") == "اعلن ان اذار علي مدرسه المغرب"
    assert normalise_for_hash("٢٠٢٤ ＡＢＣ") == "2024 abc"  # Arabic-Indic digits, NFKC


def test_diacritics_do_not_change_the_hash() -> None:
    assert content_hash(ARABIC_DIACRITICS) == content_hash(ARABIC_PLAIN)
    assert minhash_signature(ARABIC_DIACRITICS) == minhash_signature(ARABIC_PLAIN)
    assert content_hash("Le Maroc à l'heure") == content_hash("LE MAROC A L’HEURE !")
    assert content_hash(WIRE_BODY) != content_hash(COPY_BODY)
    assert len(content_hash("x")) == 40


def test_shingles() -> None:
    assert shingles("un deux trois quatre cinq six") == {
        "un deux trois quatre cinq", "deux trois quatre cinq six"}
    assert shingles("Très court !") == {"tres court"}  # short texts: one shingle
    assert shingles(" ... ") == set()


def exact_jaccard(a: str, b: str) -> float:
    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb)


def test_republished_copy_is_a_near_duplicate() -> None:
    # The pipeline hashes the body, so the new title (COPY_TITLE) plays no part.
    assert COPY_TITLE != WIRE_TITLE
    original, copy = minhash_signature(WIRE_BODY), minhash_signature(COPY_BODY)
    assert len(original) == NUM_PERM * 8
    exact = exact_jaccard(WIRE_BODY, COPY_BODY)
    similarity = estimate_similarity(original, copy)
    assert exact >= 0.8
    assert similarity >= 0.8
    assert set(lsh_bands(original)) & set(lsh_bands(copy))


def test_arabic_copy_is_a_near_duplicate() -> None:
    edited = ARABIC_WIRE.replace("أعلنت", "أَعْلَنَتْ").replace("الرباط –", "الرباط (و م ع) -")
    a, b = minhash_signature(ARABIC_WIRE), minhash_signature(edited)
    assert estimate_similarity(a, b) >= 0.8
    assert set(lsh_bands(a)) & set(lsh_bands(b))


def test_same_topic_different_story_is_not() -> None:
    a, b = minhash_signature(WIRE_BODY), minhash_signature(OTHER_BODY)
    assert exact_jaccard(WIRE_BODY, OTHER_BODY) < 0.05
    assert estimate_similarity(a, b) < 0.2
    assert not set(lsh_bands(a)) & set(lsh_bands(b))
    # Nor is the French dispatch a near-copy of its Arabic counterpart.
    assert estimate_similarity(a, minhash_signature(ARABIC_WIRE)) < 0.2


def test_band_keys() -> None:
    signature = minhash_signature(WIRE_BODY)
    keys = lsh_bands(signature)
    assert len(keys) == BANDS
    assert keys[7].startswith("b07:")
    assert len(set(keys)) == BANDS
    assert lsh_bands(signature, bands=32)[31].startswith("b31:")
    # Deterministic across calls (and processes: no per-process salt).
    assert lsh_bands(minhash_signature(WIRE_BODY)) == keys


def test_identical_and_empty() -> None:
    s = minhash_signature(WIRE_BODY)
    assert estimate_similarity(s, s) == 1.0
    empty = minhash_signature("  — ! ")
    assert lsh_bands(empty) == ()
    assert estimate_similarity(empty, empty) == 0.0
    assert estimate_similarity(s, minhash_signature(WIRE_BODY, num_perm=64)) == 0.0
    # A very short text still gets a usable signature.
    short = minhash_signature("Séisme à Al Haouz")
    assert estimate_similarity(short, minhash_signature("séisme a al-haouz")) == 1.0


def test_picklable() -> None:
    fn = pickle.loads(pickle.dumps(minhash_signature))
    assert fn(WIRE_BODY) == minhash_signature(WIRE_BODY)


def _arabic_rows() -> list[dict]:
    path = shared_path("morocco-ar-article-text-2019", "morocco_ar_articles.jsonl.gz")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


@pytest.mark.shared
def test_arabic_corpus_pairs() -> None:
    rows = _arabic_rows()
    sets = [shingles(r["text"]) for r in rows]
    # Exact Jaccard of every pair sharing a shingle, through an inverted index.
    docs_by_shingle: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(sets):
        for shingle in s:
            docs_by_shingle[shingle].append(i)
    shared: Counter[tuple[int, int]] = Counter()
    for docs in docs_by_shingle.values():
        shared.update(combinations(docs, 2))
    exact = {p: n / len(sets[p[0]] | sets[p[1]]) for p, n in shared.items()}
    over_30 = sorted(p for p, j in exact.items() if j > 0.3)

    signatures = [minhash_signature(r["text"]) for r in rows]
    matrix = np.stack([np.frombuffer(s, dtype="<u8") for s in signatures])
    estimated = {}
    for i in range(len(matrix) - 1):
        equal = (matrix[i + 1 :] == matrix[i]).mean(axis=1)
        for j in np.nonzero(equal > 0.3)[0]:
            estimated[(i, i + 1 + int(j))] = float(equal[j])
    candidates = set()
    by_band: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(signatures):
        for key in lsh_bands(s):
            by_band[key].append(i)
    for docs in by_band.values():
        candidates.update(combinations(docs, 2))

    print(f"\nexact Jaccard > 0.3: {len(over_30)} pairs; estimated > 0.3: {len(estimated)}, "
          f"> 0.8: {sum(v > 0.8 for v in estimated.values())}; LSH candidates: {len(candidates)}")
    for pair in over_30:
        a, b = pair
        print(f"  {pair} {rows[a]['source']}/{rows[b]['source']} exact {exact[pair]:.3f} "
              f"estimated {estimate_similarity(signatures[a], signatures[b]):.3f} "
              f"candidate {pair in candidates}")

    # The README: 5 pairs share > 30% of their 5-word shingles, 4 within febrayer.com.
    assert len(over_30) == 5
    assert sum(rows[a]["source"] != rows[b]["source"] for a, b in over_30) == 1
    for a, b in over_30:
        # 128 values: standard error sqrt(J(1-J)/128) <= 0.045.
        assert abs(estimate_similarity(signatures[a], signatures[b]) - exact[(a, b)]) < 0.12
    # No pair is a near-copy at the 0.8 threshold, and the estimate finds no pair the
    # exact computation rules out by far.
    assert not any(v > 0.8 for v in estimated.values())
    assert all(exact.get(p, 0.0) > 0.2 for p in estimated)
    # Banding is tuned for >= 0.8: only the closest pairs become candidates.
    assert all(exact.get(p, 0.0) > 0.3 for p in candidates)
