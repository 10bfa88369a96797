"""Sections for articles whose outlet gave none (placeholder, filled below)."""

from __future__ import annotations


class SectionClassifier:
    def __init__(self, embedder) -> None:
        self.embedder = embedder

    def classify(self, article, keys, vector):
        return None
