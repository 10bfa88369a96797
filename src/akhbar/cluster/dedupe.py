"""Is a new article a copy of one already stored? Exact text first, then MinHash LSH.

A wire dispatch republished word for word by several outlets, or an outlet re-titling
its own article, is stored once per outlet but linked to the first stored version as a
copy, so it never counts as a separate article of its story.
"""

from __future__ import annotations

from akhbar.enrich.fingerprint import estimate_similarity
from akhbar.store.base import Store
from akhbar.types import Article


def find_original(store: Store, article: Article, threshold: float) -> tuple[int | None, float | None]:
    """(id of the original, estimated similarity), or (None, None) for a new text."""
    if not article.content_hash:
        return None, None
    exact = store.find_by_content_hash(article.content_hash)
    if exact is not None:
        return exact, 1.0
    if not article.minhash_bands:
        return None, None
    best_id, best = None, 0.0
    for candidate_id, signature in store.near_duplicate_candidates(article.minhash_bands):
        score = estimate_similarity(article.minhash, signature)
        if score > best:
            best_id, best = candidate_id, score
    if best_id is not None and best >= threshold:
        return best_id, best
    return None, None
