"""akhbar.evaluate.extraction: the Zyte scorer against the reference, and folder evaluation."""

from __future__ import annotations

import gzip
import importlib.util
import json
from pathlib import Path

import pytest

from akhbar.evaluate.extraction import (
    evaluate_extract_dir,
    evaluate_trafilatura_eval,
    load_zyte_json,
    score_snippets,
    score_zyte,
)
from conftest import SHARED, shared_path

PAGES = Path(__file__).parent / "data" / "pages"
EXPECTED = json.loads((PAGES / "expected.json").read_text(encoding="utf-8"))


def _reference_scorer():
    path = SHARED / "tools" / "score_zyte.py"
    if not path.exists():
        pytest.skip(f"reference scorer not available: {path}")
    spec = importlib.util.spec_from_file_location("score_zyte_reference", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_score_zyte_small_cases() -> None:
    truth = {"a": "one two three four five six", "b": "alpha beta gamma delta"}
    perfect = score_zyte(truth, truth)
    assert perfect["f1"] == pytest.approx(1.0) and perfect["accuracy"] == 1.0
    # an empty prediction has no precision to average, and zero recall
    empty = score_zyte({"a": truth["a"], "b": ""}, truth)
    assert empty["precision"] == pytest.approx(1.0)
    assert empty["recall"] == pytest.approx(0.5)
    # extra words lower precision only
    noisy = score_zyte({"a": truth["a"] + " menu footer cookies", "b": truth["b"]}, truth)
    assert noisy["recall"] == pytest.approx(1.0) and noisy["precision"] < 1.0
    assert score_zyte({}, truth)["f1"] == 0.0


@pytest.mark.shared
def test_score_zyte_reproduces_published_trafilatura_figure() -> None:
    bench = shared_path("article-extraction-benchmark")
    truth = load_zyte_json(bench / "ground-truth.json.gz")
    predictions = load_zyte_json(bench / "baseline-output" / "trafilatura.json.gz")
    assert round(score_zyte(predictions, truth)["f1"], 3) == 0.958


@pytest.mark.shared
def test_score_zyte_agrees_with_reference_scorer() -> None:
    bench = shared_path("article-extraction-benchmark")
    reference = _reference_scorer()
    gt_raw = reference.load_json(bench / "ground-truth.json.gz")
    truth = load_zyte_json(bench / "ground-truth.json.gz")
    for path in sorted((bench / "baseline-output").glob("*.json.gz")):
        ours = score_zyte(load_zyte_json(path), truth)
        theirs = reference.score(gt_raw, reference.load_json(path))
        for key in ("precision", "recall", "f1", "accuracy"):
            assert ours[key] == pytest.approx(theirs[key], abs=1e-12), (path.name, key)


def _write_zyte_folder(root: Path) -> Path:
    """A tiny Zyte-format folder from our own pages; the truth is a sentence each holds."""
    (root / "html").mkdir(parents=True)
    truth = {}
    for name in ("fr_jsonld.html", "ar_jsonld_graph.html", "en_og.html", "not_an_article.html"):
        exp = EXPECTED[name]
        page_id = name.removesuffix(".html")
        (root / "html" / f"{page_id}.html.gz").write_bytes(
            gzip.compress((PAGES / name).read_bytes())
        )
        # one contiguous sentence: shingles across joined sentences would not be in any text
        body = (exp.get("contains") or ["une galerie sans texte"])[0]
        truth[page_id] = {"articleBody": body, "url": exp["url"]}
    (root / "ground-truth.json").write_text(json.dumps(truth, ensure_ascii=False), encoding="utf-8")
    return root


def test_evaluate_extract_dir_on_own_pages(tmp_path: Path) -> None:
    folder = _write_zyte_folder(tmp_path / "zyte")
    result = evaluate_extract_dir(folder)
    assert result["pages"] == 4
    # three articles hold all their truth sentences; the gallery fails (counts as empty output)
    assert result["recall"] == pytest.approx(0.75)
    # whole articles are longer than the few truth sentences: precision is partial
    assert 0.0 < result["precision"] < 1.0
    assert set(result) >= {"precision", "recall", "f1", "pages"}
    json.dumps(result)  # the CLI prints it as one JSON object


def test_evaluate_extract_dir_with_custom_extractor_and_processes(tmp_path: Path) -> None:
    folder = _write_zyte_folder(tmp_path / "zyte")
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    by_url = {v["url"]: v["articleBody"] for v in truth.values()}
    result = evaluate_extract_dir(folder, extractor=_OracleExtractor(by_url), processes=2)
    assert result["f1"] == pytest.approx(1.0)


class _OracleExtractor:
    """Answers the ground truth: a picklable stand-in extractor to test the plumbing."""

    def __init__(self, by_url: dict[str, str]):
        self.by_url = by_url

    def __call__(self, html: str, url: str) -> str:
        return self.by_url[url]


def test_score_snippets() -> None:
    result = score_snippets(
        [
            ("Le  texte\nde l'article.  Fin.", ["texte de l'article."], ["Menu"]),
            ("Menu Accueil", ["absent"], ["Menu", "Contact"]),
        ]
    )
    # tp=1, fn=1, fp=1, tn=2
    assert result["precision"] == pytest.approx(0.5)
    assert result["recall"] == pytest.approx(0.5)
    assert result["accuracy"] == pytest.approx(3 / 5)
    assert result["pages"] == 2


def test_evaluate_trafilatura_eval_format(tmp_path: Path) -> None:
    (tmp_path / "html").mkdir()
    data = {}
    for name in ("fr_jsonld.html", "ar_visible_date.html"):
        exp = EXPECTED[name]
        (tmp_path / "html" / f"{name}.gz").write_bytes(gzip.compress((PAGES / name).read_bytes()))
        data[exp["url"]] = {"file": name, "with": exp["contains"], "without": exp["absent"]}
    with gzip.open(tmp_path / "evaldata.json.gz", "wt", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False)
    result = evaluate_trafilatura_eval(tmp_path)
    assert result == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "accuracy": 1.0, "pages": 2}
