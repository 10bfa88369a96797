"""Article extraction quality and speed: akhbar's extract() against trafilatura alone.

Both benchmarks are read from ../shared/data (skipped when absent):
* article-extraction-benchmark (Zyte rule: 4-token shingles, F1 of per-page averages);
* trafilatura-eval (snippets that must / must not appear).

The baseline of every record is trafilatura 2.x with default settings (``trafilatura.extract``,
which also appends comments), measured in the same run on the same decoded pages. Variants
of our fallback rule are measured too, so the choice in parse/extract.py stays checkable.
"""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from akhbar.errors import ExtractError
from akhbar.evaluate.extraction import decode_html, load_zyte_json, score_snippets, score_zyte

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
ZYTE = DATA / "article-extraction-benchmark"
TEVAL = DATA / "trafilatura-eval"
COMMAND = "python -m bench.run extraction"


def _zyte_pages() -> list[tuple[str, str, str]]:
    raw = json.loads(gzip.decompress((ZYTE / "ground-truth.json.gz").read_bytes()))
    return [
        (key, raw[key].get("url") or "",
         decode_html(gzip.decompress((ZYTE / "html" / f"{key}.html.gz").read_bytes())))
        for key in sorted(raw)
    ]


def _teval_pages() -> tuple[list[tuple[str, str, str]], dict[str, Any]]:
    data = json.loads(gzip.decompress((TEVAL / "evaldata.json.gz").read_bytes()))
    pages = [
        (url, url, decode_html(gzip.decompress((TEVAL / "html" / f"{data[url]['file']}.gz").read_bytes())))
        for url in sorted(data)
    ]
    return pages, data


def _run(extractor: Callable[[str, str], str], pages: list[tuple[str, str, str]]):
    """Texts by key and pages per second; an ExtractError is an empty text."""
    texts: dict[str, str] = {}
    start = time.perf_counter()
    for key, url, html in pages:
        try:
            texts[key] = extractor(html, url) or ""
        except ExtractError:
            texts[key] = ""
    elapsed = time.perf_counter() - start
    return texts, len(pages) / elapsed if elapsed else 0.0


def _trafilatura(html: str, url: str) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url) or ""


def _trafilatura_with_metadata(html: str, url: str) -> str:
    """What a pipeline needs at least from trafilatura: text plus metadata, one run."""
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True)
    return doc.text if doc is not None else ""


def _akhbar(html: str, url: str, **options: Any) -> str:
    from akhbar.parse.extract import _extract

    return _extract(html, url, **options).text


VARIANTS: dict[str, dict[str, Any]] = {
    "no_fallback": {"fallback": "none"},
    "fallback_only_when_empty": {"fallback": "missing"},
    "fast_trafilatura": {"fast": True},
    "precision_trafilatura": {"favor_precision": True},
    "title_kept": {"strip_title": False},
}


def bench(variants: bool = True) -> list[dict[str, Any]]:
    if not (ZYTE / "ground-truth.json.gz").exists() or not (TEVAL / "evaldata.json.gz").exists():
        return []
    zyte_pages = _zyte_pages()
    zyte_truth = load_zyte_json(ZYTE / "ground-truth.json.gz")
    teval_pages, teval = _teval_pages()

    def zyte(extractor):
        texts, rate = _run(extractor, zyte_pages)
        return score_zyte(texts, zyte_truth), rate

    def tev(extractor):
        texts, rate = _run(extractor, teval_pages)
        items = ((texts[u], teval[u].get("with", []), teval[u].get("without", [])) for u in texts)
        return score_snippets(items), rate

    base_z, base_z_rate = zyte(_trafilatura)
    base_t, base_t_rate = tev(_trafilatura)
    _, meta_z_rate = zyte(_trafilatura_with_metadata)
    ours_z, ours_z_rate = zyte(_akhbar)
    ours_t, ours_t_rate = tev(_akhbar)

    def rec(name: str, value: float, unit: str, baseline: float | None, note: str = "") -> dict:
        r = {"name": name, "value": round(value, 4), "unit": unit,
             "baseline": None if baseline is None else round(baseline, 4), "command": COMMAND}
        if note:
            r["note"] = note
        return r

    records = [
        rec("extract.zyte.f1", ours_z["f1"], "F1", base_z["f1"],
            "181 pages; baseline = trafilatura.extract default (comments included), same run"),
        rec("extract.zyte.precision", ours_z["precision"], "ratio", base_z["precision"]),
        rec("extract.zyte.recall", ours_z["recall"], "ratio", base_z["recall"]),
        rec("extract.trafilatura_eval.f1", ours_t["f1"], "F1", base_t["f1"],
            "990 pages, snippet rule summed over pages; baseline = trafilatura.extract default"),
        rec("extract.trafilatura_eval.precision", ours_t["precision"], "ratio", base_t["precision"]),
        rec("extract.trafilatura_eval.recall", ours_t["recall"], "ratio", base_t["recall"]),
        rec("extract.zyte.pages_per_s", ours_z_rate, "pages/s", base_z_rate,
            "akhbar extract() (text, html, metadata, dates) vs trafilatura.extract (text only)"),
        rec("extract.zyte.trafilatura_metadata_pages_per_s", meta_z_rate, "pages/s", base_z_rate,
            "trafilatura.bare_extraction(with_metadata=True): the floor for text + metadata"),
        rec("extract.trafilatura_eval.pages_per_s", ours_t_rate, "pages/s", base_t_rate),
    ]
    if variants:
        for label, options in VARIANTS.items():
            z, _ = zyte(partial(_akhbar, **options))
            t, _ = tev(partial(_akhbar, **options))
            records.append(rec(f"extract.variant.{label}.zyte.f1", z["f1"], "F1", ours_z["f1"],
                               f"_extract(**{options}); baseline = akhbar default"))
            records.append(rec(f"extract.variant.{label}.trafilatura_eval.f1", t["f1"], "F1",
                               ours_t["f1"], f"_extract(**{options}); baseline = akhbar default"))
    return records


if __name__ == "__main__":
    for record in bench():
        print(json.dumps(record, ensure_ascii=False))
