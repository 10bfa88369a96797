"""Online story clustering: each stored article joins an existing story or starts one.

Articles wait in the store's story queue (``add_article`` puts them there) and are taken
in arrival order by ``StoryBuilder.run``, which the pipeline calls after each crawl pass
and ``akhbar eval stories`` calls on its temporary store: one code path.

For each article:

1. its **keys** (``lexical.keys``: gazetteer entities, numbers, scores, Latin names,
   same-language stemmed words of title + lede) and its **vector** (the embedder's, minus
   the running mean of its language, re-normalised) are computed outside any lock;
2. under the store's story lock, the store finds the **candidates**: stories of the time
   window sharing keys (inverted index, best ``max_candidates`` by shared weight) plus
   the ``recent`` newest stories of the window (for matches no key reveals);
3. ``decide`` scores each: ``cos(vector, story centroid) + w_lex * lex - time_penalty *
   days outside the story's span`` where ``lex`` is the share of the article's comparable
   key weight (inverse story frequency in the window) found in the story; without
   vectors, ``lex - time_penalty * days``. The best candidate at or above the threshold
   is joined, else a new story starts. A copy (``copy_of``) joins its original's story.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np

from akhbar.config import Settings
from akhbar.store.base import Store
from akhbar.stories import lexical
from akhbar.stories.embed import Embedder, load_embedder
from akhbar.types import StoredArticle, StoryCandidate, StoryDecision

log = logging.getLogger(__name__)

# Language means: with few vectors seen the mean is shrunk towards zero (a mean of three
# articles is mostly those articles); past MEAN_CAP vectors new ones keep weight 1/MEAN_CAP,
# so the mean follows a press whose topics drift.
MEAN_PRIOR = 20
MEAN_CAP = 5000
TYPICAL_POWER = 0.5


@dataclass(frozen=True)
class StoryParams:
    """The clustering knobs; the defaults are the settings' (docs/architecture.md says
    which figures chose them)."""

    threshold: float = 0.75  # joined at score >= threshold, with vectors
    lexical_threshold: float = 0.2  # the same without vectors
    w_lex: float = 1.5
    time_penalty: float = 0.03  # per day outside the story's first..last report
    window: timedelta = timedelta(days=4)
    max_candidates: int = 40
    recent: int = 40
    embed_chars: int = lexical.EMBED_LEDE_CHARS

    @classmethod
    def from_settings(cls, settings: Settings) -> StoryParams:
        return cls(threshold=settings.story_threshold,
                   lexical_threshold=settings.story_lexical_threshold,
                   w_lex=settings.story_lexical_weight,
                   time_penalty=settings.story_time_penalty,
                   window=timedelta(days=settings.story_window_days),
                   embed_chars=settings.story_embed_chars)


@dataclass
class LanguageMeans:
    """Running mean vector per language, shrunk towards zero while few were seen."""

    dim: int
    stored: dict[str, tuple[int, np.ndarray]] = field(default_factory=dict)
    added: dict[str, tuple[int, np.ndarray]] = field(default_factory=dict)  # since loaded

    def mean(self, lang: str) -> np.ndarray:
        n0, m0 = self.stored.get(lang, (0, None))
        n1, s1 = self.added.get(lang, (0, None))
        total = np.zeros(self.dim, np.float64)
        if m0 is not None:
            total += m0 * n0
        if s1 is not None:
            total += s1
        n = n0 + n1
        return total / (n + MEAN_PRIOR) if n else total

    def centre(self, lang: str, vector: np.ndarray) -> np.ndarray:
        centred = vector - self.mean(lang)
        norm = np.linalg.norm(centred)
        return (centred / norm).astype(np.float32) if norm > 1e-9 else vector

    def add(self, lang: str, vector: np.ndarray) -> None:
        n, s = self.added.get(lang, (0, np.zeros(self.dim, np.float64)))
        self.added[lang] = (n + 1, s + vector)

    def merge_into(self, stored: dict[str, tuple[int, bytes]]) -> dict[str, tuple[int, bytes]]:
        """The stored means (possibly updated by another worker since) plus what was added."""
        out = {}
        for lang, (n1, s1) in self.added.items():
            n0, blob = stored.get(lang, (0, b""))
            m0 = np.frombuffer(blob, np.float32).astype(np.float64) if blob else np.zeros(self.dim)
            if m0.shape[0] != self.dim:
                n0, m0 = 0, np.zeros(self.dim)
            n0 = min(n0, MEAN_CAP)
            n = n0 + n1
            out[lang] = (min(n, MEAN_CAP), ((m0 * n0 + s1) / n).astype(np.float32).tobytes())
        return out

    @classmethod
    def load(cls, dim: int, stored: dict[str, tuple[int, bytes]]) -> LanguageMeans:
        means = cls(dim)
        for lang, (n, blob) in stored.items():
            vector = np.frombuffer(blob, np.float32).astype(np.float64)
            if vector.shape[0] == dim:
                means.stored[lang] = (n, vector)
        return means


class KeyMass:
    """An article's key weights grouped by what a story must be written in to hold them:
    neutral keys (any story), Latin names (a story with a non-Arabic article), words of
    one language (a story with an article in that language)."""

    def __init__(self, keys: Sequence[str], idf: dict[str, float]):
        self.weight = {k: idf.get(k, 1.0) for k in keys}
        self.neutral = self.names = 0.0
        self.words: dict[str, float] = {}
        for key, w in self.weight.items():
            if key.startswith(lexical.NEUTRAL_KINDS):
                self.neutral += w
            elif key.startswith("p:"):
                self.names += w
            else:
                lang = key.split(":", 2)[1]
                self.words[lang] = self.words.get(lang, 0.0) + w

    def share(self, candidate: StoryCandidate) -> float:
        """Share of the article's key weight, among keys the story could contain at all
        (another language's words cannot be shared), that the story does contain."""
        total = self.neutral + sum(self.words.get(lang, 0.0) for lang in candidate.langs)
        if any(lang != "ar" for lang in candidate.langs):
            total += self.names
        if not total:
            return 0.0
        # A key counts in proportion to how typical it is of the story (sqrt of the share
        # of its articles carrying it): a big story's union of words does not swallow all.
        size = max(1, candidate.n_articles)
        shared = sum(self.weight.get(k, 0.0) * min(1.0, (n / size) ** TYPICAL_POWER)
                     for k, n in candidate.shared.items())
        return min(1.0, shared / total)


def days_outside(candidate: StoryCandidate, when) -> float:
    if when < candidate.first_seen:
        return (candidate.first_seen - when).total_seconds() / 86400
    if when > candidate.last_seen:
        return (when - candidate.last_seen).total_seconds() / 86400
    return 0.0


def centroid_of(blob: bytes | None) -> np.ndarray | None:
    if not blob:
        return None
    return np.frombuffer(blob, np.float16).astype(np.float32)


def decide(
    article: StoredArticle,
    keys: Sequence[str],
    vector: np.ndarray | None,
    embedder: str | None,
    params: StoryParams,
    candidates: list[StoryCandidate],
    idf: dict[str, float],
) -> StoryDecision:
    when = article.published or article.first_seen
    best, best_score = None, -math.inf
    mass = KeyMass(keys, idf)
    for c in candidates:
        lex = mass.share(c)
        gap = days_outside(c, when) * params.time_penalty
        centroid = centroid_of(c.centroid) if c.embedder == embedder else None
        if vector is not None and centroid is not None and centroid.shape == vector.shape:
            cos = float(vector @ centroid) / max(float(np.linalg.norm(centroid)), 1e-9)
            score = cos + params.w_lex * lex - gap
            threshold = params.threshold
        else:
            score = lex - gap
            threshold = params.lexical_threshold
        # Compared on the margin over each path's own threshold.
        if score - threshold > best_score:
            best, best_score = (c, score), score - threshold
    if vector is None:
        if best is not None and best_score >= 0:
            return StoryDecision(best[0].id, score=best[1])
        return StoryDecision(None)
    blob = vector.astype(np.float16).tobytes()
    if best is None or best_score < 0:
        return StoryDecision(None, embedder=embedder, centroid=blob, n_vectors=1)
    story, score = best
    centroid = centroid_of(story.centroid) if story.embedder == embedder else None
    if centroid is None or centroid.shape != vector.shape:
        # The story's earlier articles had no vector (or another model's): start afresh.
        return StoryDecision(story.id, score=score, embedder=embedder, centroid=blob, n_vectors=1)
    n = story.n_vectors
    mean = (centroid * n + vector) / (n + 1)
    return StoryDecision(story.id, score=score, embedder=embedder,
                         centroid=mean.astype(np.float16).tobytes(), n_vectors=n + 1)


class StoryBuilder:
    """Takes articles from the store's story queue and gives each a story."""

    def __init__(self, store: Store, settings: Settings, *, params: StoryParams | None = None,
                 embedder: Embedder | None | str = "setting", classifier=None):
        self.store = store
        self.params = params or StoryParams.from_settings(settings)
        self.embedder = (load_embedder(settings.story_embedder) if embedder == "setting"
                         else embedder)
        self.batch_size = max(1, settings.story_batch)
        if classifier is None:
            from akhbar.stories.sections import SectionClassifier

            classifier = SectionClassifier(self.embedder)
        self.classifier = classifier
        self.embed_seconds = 0.0

    @property
    def evidence(self) -> str:
        return f"embeddings ({self.embedder.name}) + lexical" if self.embedder else "lexical only"

    def run(self, limit: int | None = None) -> int:
        """Assign queued articles until the queue is empty (or ``limit`` were done)."""
        done = 0
        while limit is None or done < limit:
            size = self.batch_size if limit is None else min(self.batch_size, limit - done)
            batch = self.store.story_queue(size)
            if not batch:
                break
            self.assign(batch)
            done += len(batch)
        return done

    def assign(self, batch: list[StoredArticle]) -> list[tuple[int, bool]]:
        keys = [lexical.keys(a.title, a.text, a.lang, a.summary) for a in batch]
        vectors: list[np.ndarray | None] = [None] * len(batch)
        means = None
        if self.embedder is not None:
            # A copy whose original has its story joins it whatever it says: not embedded
            # (the embedding is most of the cost of an article).
            ids = {a.id for a in batch}  # an original earlier in the batch is assigned first
            todo = [i for i, a in enumerate(batch)
                    if a.copy_of is None or (a.copy_of not in ids
                                             and self.store.story_of_article(a.copy_of) is None)]
            if todo:
                started = time.perf_counter()
                rows = self.embedder.embed([
                    lexical.embed_text(batch[i].title, batch[i].text, batch[i].summary,
                                       chars=self.params.embed_chars) for i in todo])
                self.embed_seconds += time.perf_counter() - started
                for i, row in zip(todo, rows, strict=True):
                    vectors[i] = row
            means = LanguageMeans.load(self.embedder.dim, self.store.story_means(self.embedder.name))
        items, sections = [], []
        name = self.embedder.name if self.embedder else None
        for article, article_keys, raw in zip(batch, keys, vectors, strict=True):
            vector = None
            if raw is not None and means is not None:
                means.add(article.lang, raw)  # counted first: the mean includes it
                vector = means.centre(article.lang, raw)
            if article.section is None and article.copy_of is None:
                section = self.classifier.classify(article, article_keys, raw)
                if section is not None:
                    sections.append((article.id, section))
                    article = _with_section(article, section)
            items.append((article, article_keys,
                          lambda cands, idf, a=article, k=article_keys, v=vector: decide(
                              a, k, v, name, self.params, cands, idf)))
        # Two transactions per batch, not two per article (each one a commit).
        self.store.set_article_sections(sections)
        results = self.store.assign_stories(
            items, window=self.params.window, max_candidates=self.params.max_candidates,
            recent=self.params.recent)
        if means is not None and means.added:
            self.store.update_story_means(self.embedder.name, means.merge_into)
        return results


def _with_section(article: StoredArticle, section: str) -> StoredArticle:
    import dataclasses

    return dataclasses.replace(article, section=section)
