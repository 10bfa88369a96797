"""End to end: the demo press crawled over real HTTP through the production pipeline,
checked against the press's own ground truth; then the same with two worker processes
sharing one PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections import defaultdict
from datetime import timedelta

import pytest

from akhbar.config import load_settings
from akhbar.demo import DemoPress
from akhbar.parse.urls import url_key
from akhbar.pipeline import Pipeline
from akhbar.store.base import open_store

pytestmark = pytest.mark.slow

FAST = dict(allow_private_networks="127.0.0.0/8", min_host_delay=0.05, extract_processes=2)


@pytest.fixture(scope="module")
def press():
    with DemoPress(slow_seconds=0.2, retry_after=1) as p:
        yield p


def stored_by_key(store) -> dict:
    articles = store.latest_articles(limit=100_000)
    return {url_key(a.url): a for a in articles}


def test_demo_press_crawled_against_ground_truth(press, tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'demo.db'}")
    settings = load_settings(env={}, **FAST)

    async def crawl():
        async with Pipeline(store, settings, press.sources(), worker="e2e") as pipeline:
            return await pipeline.crawl_due()

    report = asyncio.run(crawl())
    truth = press.ground_truth()
    stored = stored_by_key(store)

    # Every article stored exactly once, robots-disallowed ones from their feed only.
    assert set(stored) == {url_key(t["url"]) for t in truth}
    assert len(store.latest_articles(limit=100_000)) == len(truth)
    assert report.pages_robots == sum(t["premium"] for t in truth)
    for t in truth:
        article = stored[url_key(t["url"])]
        if t["premium"]:
            assert article.html == "", "a page robots.txt disallows was fetched"

    # Languages, and titles byte-exact in windows-1256 and ISO-8859-1 outlets.
    wrong_lang = [t["url"] for t in truth if stored[url_key(t["url"])].lang != t["lang"]]
    assert not wrong_lang
    for t in truth:
        if t["outlet"] in ("nabd-madina", "echo-bouregreg") and not t["premium"]:
            assert stored[url_key(t["url"])].title == t["title"]

    # Published dates: the trap pages (before founding, in the future) are not believed.
    founded = {s.id: s.founded for s in press.sources()}
    for t in truth:
        article = stored[url_key(t["url"])]
        assert article.published.date() >= founded[t["outlet"]]
        assert article.published <= press.now + timedelta(hours=1)
        if not t["date_trap"]:
            assert abs(article.published - t["published"]) <= timedelta(days=1), t["url"]

    # Wire copies: each dispatch and its republications form one group with one original.
    groups = defaultdict(set)
    for t in truth:
        if t["wire_of"]:
            groups[url_key(t["wire_of"])].add(url_key(t["url"]))
    in_groups = set()
    for original, copies in groups.items():
        members = {original, *copies}
        in_groups |= members
        ids = {stored[k].id for k in members}
        roots = [k for k in members if stored[k].copy_of is None]
        assert len(roots) == 1, (original, roots)
        assert all(stored[k].copy_of in ids for k in members if stored[k].copy_of is not None)
    false_copies = [k for k, a in stored.items() if a.copy_of is not None and k not in in_groups]
    assert not false_copies
    assert report.copies_linked == sum(len(c) for c in groups.values())

    # The broken feed is reported to the operator, the other sources all crawled.
    assert report.feed_warnings and not report.source_errors
    (broken_url,) = report.feed_warnings
    broken_source = next(s.id for s in press.sources() if broken_url in s.feeds)
    messages = [message for _, url, message in store.source_errors(broken_source)]
    assert any(m.startswith("ill-formed feed, read anyway") for m in messages)
    store.close()


@pytest.mark.postgres
def test_two_workers_on_postgres_store_each_article_once(press, pg_url, tmp_path):
    sources_file = tmp_path / "sources.toml"
    sources_file.write_text(press.sources_toml(), encoding="utf-8")
    env = {
        **os.environ,
        "AKHBAR_DATABASE_URL": pg_url,
        "AKHBAR_SOURCES_FILE": str(sources_file),
        "AKHBAR_ONLY_SOURCES_FILE": "true",
        "AKHBAR_ALLOW_PRIVATE_NETWORKS": FAST["allow_private_networks"],
        "AKHBAR_MIN_HOST_DELAY": str(FAST["min_host_delay"]),
        "AKHBAR_EXTRACT_PROCESSES": "1",
        "AKHBAR_LOG_LEVEL": "WARNING",
    }
    store = open_store(pg_url)  # migrate before the workers race to
    workers = [
        subprocess.Popen([sys.executable, "-m", "akhbar", "crawl"], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    reports = []
    for worker in workers:
        out, err = worker.communicate(timeout=600)
        assert worker.returncode == 0, err
        reports.append(json.loads(out.strip().splitlines()[-1]))

    truth = press.ground_truth()
    feeds = sum(len(s.feeds) for s in press.sources())
    # Each feed crawled by exactly one of the two workers, and both did some of the work.
    assert sum(r["feeds_ok"] + r["feeds_failed"] + r["feeds_not_modified"] for r in reports) == feeds
    assert all(r["feeds_ok"] > 0 for r in reports)
    stored = store.latest_articles(limit=100_000)
    assert len(stored) == len({a.url for a in stored}) == len(truth)
    assert sum(r["articles_new"] for r in reports) == len(truth)
    store.close()
