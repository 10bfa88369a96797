"""Measure akhbar's stages against public benchmarks (``akhbar eval ...``)."""

from akhbar.evaluate.extraction import (
    evaluate_extract_dir,
    evaluate_trafilatura_eval,
    score_snippets,
    score_zyte,
)

__all__ = ["evaluate_extract_dir", "evaluate_trafilatura_eval", "score_snippets", "score_zyte"]
