"""Score main-text extraction on two public benchmarks.

* Zyte article-extraction-benchmark: ``\\w+`` tokens, multisets of 4-token shingles,
  per-page TP/FP/FN normalised to sum 1, precision and recall averaged over pages,
  F1 of the two averages (:func:`score_zyte`, :func:`evaluate_extract_dir`).
* trafilatura's evaluation corpus: snippets that must / must not appear in the text,
  counted over all pages (:func:`score_snippets`, :func:`evaluate_trafilatura_eval`).

An extractor is ``(html, url) -> text``; the default is :func:`akhbar.parse.extract.extract`'s
text, and a page it fails on counts as empty output.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from akhbar.errors import ExtractError

Extractor = Callable[[str, str], str]

_TOKEN = re.compile(r"\w+")
_SHINGLE = 4


# --- Zyte rule ---------------------------------------------------------------------------


def _shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    # a text shorter than one shingle still counts as one (short) shingle, as upstream does
    return Counter(
        tuple(tokens[i : i + _SHINGLE]) for i in range(max(1, len(tokens) - _SHINGLE + 1)) if tokens
    )


def _page_counts(truth: str, pred: str) -> tuple[float, float, float]:
    t, p = _shingles(truth), _shingles(pred)
    tp = float(sum((t & p).values()))
    fp = float(sum((p - t).values()))
    fn = float(sum((t - p).values()))
    total = tp + fp + fn
    # normalised so that every page weighs the same, whatever its length
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def score_zyte(predictions: Mapping[str, str], ground_truth: Mapping[str, str]) -> dict[str, Any]:
    """Score ``id -> text`` predictions against ``id -> articleBody`` ground truth.

    Ids missing from ``predictions`` count as empty output. Returns precision, recall,
    f1, accuracy (share of pages whose token sequence is exactly right) and pages.
    """
    precisions: list[float] = []
    recalls: list[float] = []
    exact = 0
    for key, truth in ground_truth.items():
        pred = predictions.get(key) or ""
        tp, fp, fn = _page_counts(truth or "", pred)
        # a page enters an average only when that measure is defined for it (upstream rule)
        if tp + fp > 0:
            precisions.append(1.0 if fp == fn == 0 else tp / (tp + fp))
        if tp + fn > 0:
            recalls.append(1.0 if fp == fn == 0 else tp / (tp + fn))
        exact += _TOKEN.findall(truth or "") == _TOKEN.findall(pred)
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    pages = len(ground_truth)
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "accuracy": exact / pages if pages else 0.0,
        "pages": pages,
    }


def load_zyte_json(path: Path) -> dict[str, str]:
    """``id -> articleBody`` from a Zyte-format JSON(.gz), plain or wrapped in ``{"output": ...}``."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        data = json.load(f)
    if isinstance(data.get("output"), dict):
        data = data["output"]
    return {k: (v or {}).get("articleBody") or "" for k, v in data.items()}


# --- running an extractor over pages -----------------------------------------------------


def default_extractor(html: str, url: str) -> str:
    from akhbar.parse.extract import extract

    return extract(html, url).text


def decode_html(raw: bytes) -> str:
    """Pages on disk come in many encodings; decode as a fetcher would."""
    from trafilatura.utils import decode_file

    return decode_file(raw)


def _run_one(job: tuple[Extractor, Path, str]) -> str:
    extractor, path, url = job
    html = decode_html(gzip.decompress(path.read_bytes()))
    try:
        return extractor(html, url) or ""
    except ExtractError:
        return ""


def run_extractor(
    extractor: Extractor, jobs: Iterable[tuple[Path, str]], processes: int = 1
) -> list[str]:
    """Texts for ``(gzipped html path, url)`` jobs, in order; failures give ""."""
    work = [(extractor, path, url) for path, url in jobs]
    if processes <= 1:
        return [_run_one(w) for w in work]
    with ProcessPoolExecutor(processes) as pool:
        return list(pool.map(_run_one, work, chunksize=4))


def _load_json(folder: Path, name: str) -> Any:
    """``folder/name``, or its gzipped ``name.gz``."""
    plain = folder / name
    if plain.exists():
        with plain.open(encoding="utf-8") as f:
            return json.load(f)
    with gzip.open(folder / f"{name}.gz", "rt", encoding="utf-8") as f:
        return json.load(f)


def evaluate_extract_dir(
    path: Path, extractor: Extractor | None = None, processes: int = 1
) -> dict[str, Any]:
    """Run ``extractor`` on a Zyte-format folder and score it.

    The folder holds ``ground-truth.json`` (or ``.json.gz``: ``id -> {"articleBody", "url"}``)
    and ``html/<id>.html.gz``. Returns {"precision", "recall", "f1", "accuracy", "pages"}.
    """
    path = Path(path)
    raw = _load_json(path, "ground-truth.json")
    ids = sorted(raw)
    jobs = [(path / "html" / f"{i}.html.gz", (raw[i] or {}).get("url") or "") for i in ids]
    texts = run_extractor(extractor or default_extractor, jobs, processes)
    truth = {i: (raw[i] or {}).get("articleBody") or "" for i in ids}
    return score_zyte(dict(zip(ids, texts, strict=True)), truth)


# --- trafilatura's snippet rule ----------------------------------------------------------


def _squash(text: str) -> str:
    return " ".join(text.split())


def score_snippets(
    items: Iterable[tuple[str, Iterable[str], Iterable[str]]],
) -> dict[str, Any]:
    """Score ``(text, with_snippets, without_snippets)`` triples, summed over pages."""
    tp = fn = fp = tn = pages = 0
    for text, with_, without in items:
        pages += 1
        flat = _squash(text or "")
        for snippet in with_:
            if _squash(snippet) in flat:
                tp += 1
            else:
                fn += 1
        for snippet in without:
            if _squash(snippet) in flat:
                fp += 1
            else:
                tn += 1
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    total = tp + fn + fp + tn
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "accuracy": (tp + tn) / total if total else 0.0,
        "pages": pages,
    }


def evaluate_trafilatura_eval(
    path: Path, extractor: Extractor | None = None, processes: int = 1
) -> dict[str, Any]:
    """Run ``extractor`` on trafilatura's evaluation corpus (evaldata.json.gz + html/<file>.gz)."""
    path = Path(path)
    data = _load_json(path, "evaldata.json")
    urls = sorted(data)
    jobs = [(path / "html" / f"{data[u]['file']}.gz", u) for u in urls]
    texts = run_extractor(extractor or default_extractor, jobs, processes)
    return score_snippets(
        (text, data[u].get("with", []), data[u].get("without", []))
        for u, text in zip(urls, texts, strict=True)
    )
