"""End to end: the demo press crawled over real HTTP through the production pipeline, whose
crawl pass ends by giving every article its story; checked against the press's events."""

from __future__ import annotations

import asyncio

import pytest

from akhbar.config import load_settings
from akhbar.demo import DemoPress
from akhbar.evaluate.stories import cluster_scores
from akhbar.parse.urls import url_key
from akhbar.pipeline import Pipeline
from akhbar.store.base import open_store

pytestmark = pytest.mark.slow


def test_demo_press_stories_match_its_events(tmp_path):
    with DemoPress(slow_seconds=0.2, retry_after=1) as press:
        store = open_store(f"sqlite:///{tmp_path / 'demo.db'}")
        settings = load_settings(env={}, allow_private_networks="127.0.0.0/8",
                                 min_host_delay=0.05, extract_processes=2)

        async def crawl():
            async with Pipeline(store, settings, press.sources(), worker="e2e") as pipeline:
                return await pipeline.crawl_due()

        report = asyncio.run(crawl())
        truth = press.ground_truth()
    stored = {url_key(a.url): a for a in store.latest_articles(limit=100_000)}
    assert report.stories_assigned == len(stored) and store.story_queue_size() == 0
    assignments = store.story_assignments()
    pred, gold = {}, {}
    for t in truth:
        article = stored[url_key(t["url"])]
        pred[article.id] = assignments[article.id]
        if t["event"]:  # events covered by two or more articles
            gold[article.id] = t["event"]
    scores = cluster_scores(pred, gold)
    assert scores["bcubed_p"] >= 0.97, scores
    assert scores["bcubed_f1"] >= 0.93, scores
    # Every article has a section: the outlet's, else the classifier's.
    assert all(a.section for a in stored.values())
    # The home page's first story is covered by several outlets in several languages.
    top = store.latest_stories(1)[0]
    assert top.n_outlets >= 3 and len(top.langs) >= 2
    store.close()
