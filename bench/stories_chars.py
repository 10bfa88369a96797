"""Would a same-language character n-gram (3-5) cosine help the story match score?
Measured on SemEval-2022 task 8 pairs (ar, fr) against the production pair score of
bench.stories.pair_scores (centred cosine + w_lex x key share); not in production yet.

    nice python -m bench.stories_chars
    nice python -m bench.stories_chars cluster W THRESHOLD   # ECB+ and demo B3 F1

Texts are what the keys read (title + 300 chars); n-grams of folded words padded with a
space; sublinear tf, with and without an idf from the file's texts. The ``cluster`` mode
adds ``W x`` the cosine (tf, stopwords left out) between the article and its candidate's
first article in the same language to the production score, joining at THRESHOLD; the
per-story profiles are kept in this process only (an experiment, not a store format).
"""

from __future__ import annotations

import gzip
import json
from collections import Counter

import numpy as np

from bench import stories as B


def grams(text: str) -> Counter:
    from akhbar.stories import lexical

    out: Counter = Counter()
    for word in lexical.tokens(text):
        w = f" {lexical._fold_token(word)} "
        for n in (3, 4, 5):
            for i in range(len(w) - n + 1):
                out[w[i : i + n]] += 1
    return out


def unit(counts: Counter, idf: dict | None) -> dict:
    v = {g: (1 + np.log(n)) * (idf[g] if idf else 1.0) for g, n in counts.items()}
    norm = float(np.sqrt(sum(x * x for x in v.values()))) or 1.0
    return {g: x / norm for g, x in v.items()}


def cluster(w: float, threshold: float) -> None:
    import dataclasses

    from akhbar.evaluate.stories import cluster_records, cluster_scores
    from akhbar.stories import cluster as C
    from akhbar.stories import lexical

    def profile(a) -> dict:
        words = [t for t in lexical.tokens(lexical.article_text(a.title, a.text, a.summary))
                 if len(t) >= 3 and not lexical._stop(t, a.lang)]
        return unit(grams(" ".join(words)), None)

    profiles: dict[int, dict[str, dict]] = {}
    decide, assign = C.decide, C.StoryBuilder.assign

    def decide_with_chars(article, keys, vector, embedder, params, candidates, idf):
        own = profile(article)
        bonus = {c.id: w * sum(x * p.get(g, 0.0) for g, x in own.items())
                 for c in candidates if (p := profiles.get(c.id, {}).get(article.lang))}
        joins = []
        for c in candidates:  # one candidate at a time, its bonus taken off the threshold
            d = decide(article, keys, vector, embedder, dataclasses.replace(
                params, threshold=threshold - bonus.get(c.id, 0.0)), [c], idf)
            if d.story_id is not None:
                joins.append((d.score + bonus.get(c.id, 0.0), d))
        if joins:
            return max(joins, key=lambda t: t[0])[1]
        return decide(article, keys, vector, embedder, params, [], idf)

    def assign_and_profile(self, batch):
        results = assign(self, batch)
        for a, (story, _) in zip(batch, results, strict=True):
            if a.copy_of is None and a.lang not in profiles.setdefault(story, {}):
                profiles[story][a.lang] = profile(a)
        return results

    C.decide, C.StoryBuilder.assign = decide_with_chars, assign_and_profile
    out = {"w": w, "threshold": threshold}
    for label, records in (("ecb", B.ecb_records()), ("demo", B.demo_records())):
        profiles.clear()
        pred, _ = cluster_records(records, B._settings())
        scores = cluster_scores(pred, {r["id"]: r["story"] for r in records if r["story"]})
        out[label] = round(scores["bcubed_f1"], 4)
    print(json.dumps(out))


def main() -> None:
    from akhbar.stories import lexical

    settings = B._settings()
    for lang in ("ar", "fr"):
        with gzip.open(B.SEMEVAL / f"{lang}_pairs.jsonl.gz", "rt", encoding="utf-8") as handle:
            pairs = [json.loads(line) for line in handle]
        truth = -np.array([float(p["overall"]) for p in pairs])  # 1 = same story
        base = B.pair_scores(pairs, lang, settings)
        texts = [lexical.article_text(p[f"title_{k}"] or "", p[f"text_{k}"] or "")
                 for p in pairs for k in (1, 2)]
        counts = [grams(t) for t in texts]
        df = Counter(g for c in counts for g in c)
        idf = {g: float(np.log((1 + len(counts)) / (1 + n)) + 1) for g, n in df.items()}
        r = {"lang": lang, "pairs": len(pairs), "production": round(np.corrcoef(base, truth)[0, 1], 3)}
        for name, weights in (("idf", idf), ("tf", None)):
            vs = [unit(c, weights) for c in counts]
            ch = np.array([sum(x * vs[2 * i + 1].get(g, 0.0) for g, x in vs[2 * i].items())
                           for i in range(len(pairs))])
            r[f"char_{name}"] = round(np.corrcoef(ch, truth)[0, 1], 3)
            for w in (0.5, 1.0, 2.0):
                r[f"production+{w}char_{name}"] = round(np.corrcoef(base + w * ch, truth)[0, 1], 3)
        print(json.dumps(r))


if __name__ == "__main__":
    import sys

    if sys.argv[1:2] == ["cluster"]:
        cluster(float(sys.argv[2]), float(sys.argv[3]))
    else:
        main()
