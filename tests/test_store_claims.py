"""Several workers, each with its own connection, sharing one store."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from akhbar.store.base import open_store
from akhbar.types import Article, Source

HOLD = timedelta(hours=1)


def _sources(n_feeds: int) -> list[Source]:
    """n_feeds feeds spread over three outlets."""
    ids = ("lematin", "hespress-ar", "mwn")
    return [
        Source(
            id=sid,
            name=sid,
            homepage=f"https://{sid}.example.ma/",
            feeds=tuple(f"https://{sid}.example.ma/rss/{i}" for i in range(n_feeds) if i % 3 == k),
            languages=("fr", "ar", "en"),
        )
        for k, sid in enumerate(ids)
    ]


def _run_threads(n: int, work: Callable[[int], object]) -> list:
    """Run work(i) in n threads released together; re-raise the first failure."""
    barrier = threading.Barrier(n)
    results: list = [None] * n
    errors: list[BaseException] = []

    def target(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except BaseException as exc:  # noqa: BLE001 - reported to the test thread below
            errors.append(exc)

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    if errors:
        raise errors[0]
    return results


def _claim_until_empty(url: str, n_workers: int, n_feeds: int) -> None:
    setup = open_store(url)
    setup.sync_sources(_sources(n_feeds))
    all_feeds = {s.feed_url for s in setup.feed_states()}
    assert len(all_feeds) == n_feeds
    now = datetime.now(UTC) + timedelta(seconds=1)
    stores = [open_store(url) for _ in range(n_workers)]

    def work(i: int) -> list[str]:
        got: list[str] = []
        while True:
            claims = stores[i].claim_due_feeds(f"worker-{i}", now, 7, HOLD)
            if not claims:
                return got
            assert all(c.worker == f"worker-{i}" for c in claims)
            got.extend(c.feed_url for c in claims)

    try:
        results = _run_threads(n_workers, work)
    finally:
        for s in stores:
            s.close()
    counts = Counter(u for got in results for u in got)
    assert set(counts) == all_feeds
    assert max(counts.values()) == 1, [u for u, n in counts.items() if n > 1]
    # The store agrees: each feed is held by the worker that got it.
    holders = dict(setup._exec("SELECT url, claimed_by FROM feeds").fetchall())
    for i, got in enumerate(results):
        assert all(holders[u] == f"worker-{i}" for u in got)
    setup.close()


@pytest.mark.postgres
def test_postgres_each_feed_claimed_exactly_once(pg_url):
    _claim_until_empty(pg_url, n_workers=4, n_feeds=200)


def test_sqlite_each_feed_claimed_exactly_once(sqlite_url):
    _claim_until_empty(sqlite_url, n_workers=2, n_feeds=200)


@pytest.mark.postgres
def test_postgres_same_url_inserted_concurrently_is_stored_once(pg_url):
    setup = open_store(pg_url)
    setup.sync_sources(_sources(3))
    stores = [open_store(pg_url) for _ in range(2)]
    urls = [f"https://lematin.example.ma/article/{i}" for i in range(40)]
    t0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)

    def work(i: int) -> list[tuple[int, bool]]:
        out = []
        for u in urls:
            a = Article(
                url=u, source_id="lematin", title=f"Titre {i}", text="نص المقال. Le texte.",
                lang="fr", first_seen=t0, published=None, date_source="first_seen",
            )
            out.append(stores[i].add_article(a, aliases=[u + "?amp=1"]))
        return out

    try:
        a, b = _run_threads(2, work)
    finally:
        for s in stores:
            s.close()
    for (id_a, created_a), (id_b, created_b) in zip(a, b, strict=True):
        assert id_a == id_b
        assert created_a != created_b  # exactly one of the two created it
    n = setup._exec("SELECT count(*) FROM articles").fetchone()[0]
    assert n == len(urls)
    assert setup.known_urls([u + "?amp=1" for u in urls]) == {u + "?amp=1" for u in urls}
    setup.close()


@pytest.mark.postgres
def test_postgres_killed_worker_claim_expires(pg_url):
    setup = open_store(pg_url)
    setup.sync_sources(_sources(3))
    now = datetime.now(UTC) + timedelta(seconds=1)
    hold = timedelta(minutes=10)

    dead = open_store(pg_url)
    taken = dead.claim_due_feeds("dead-worker", now, 10, hold)
    assert len(taken) == 3
    dead.close()  # the worker dies without finishing anything

    alive = open_store(pg_url)
    assert alive.claim_due_feeds("alive", now + timedelta(minutes=5), 10, hold) == []
    later = now + hold + timedelta(seconds=1)
    retaken = alive.claim_due_feeds("alive", later, 10, hold)
    assert {c.feed_url for c in retaken} == {c.feed_url for c in taken}
    for c in retaken:
        alive.finish_feed(c, now=later, next_check=later + timedelta(hours=1), ok=False, error="HTTP 500")
    assert all(s.error_streak == 1 for s in alive.feed_states())
    alive.close()
    setup.close()
