"""Would a same-language character n-gram (3-5) cosine help the story match score?
Measured on SemEval-2022 task 8 pairs (ar, fr) against the production pair score of
bench.stories.pair_scores (centred cosine + w_lex x key share); not in production yet.

    nice python -m bench.stories_chars

Texts are what the keys read (title + 300 chars); n-grams of folded words padded with a
space; sublinear tf, with and without an idf from the file's texts.
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
    main()
