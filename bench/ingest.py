"""Ingest throughput: the demo press scaled to 20,000 articles, crawled end to end over
loopback, beside trafilatura-only extraction of the same pages with the same number of
processes, and beside two workers sharing PostgreSQL.

    AKHBAR_BENCH_SCALE=2000 python -m bench.run ingest     # a quicker run

The press runs in its own process (as a real site would), so it does not share the
crawler's interpreter lock; it does share the machine's cores, as the extraction baseline
does not — that cost is part of "end to end".
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing as mp
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import quote

import httpx

PG_URL = os.environ.get("AKHBAR_TEST_PG_URL", "postgresql://postgres@localhost:5432/test")


def _serve_press(scale: int, ready, stop) -> None:
    from akhbar.demo import DemoPress

    with DemoPress(scale=scale, slow_seconds=0.0, rate_limit_first=0) as press:
        truth = press.ground_truth()
        ready.put({
            "toml": press.sources_toml(),
            "crawlable": [t["url"] for t in truth if t["crawlable"]],
            "articles": len(truth),
        })
        stop.wait()


class PressProcess:
    def __init__(self, scale: int):
        ctx = mp.get_context("spawn")
        self._ready, self._stop = ctx.Queue(), ctx.Event()
        self._proc = ctx.Process(target=_serve_press, args=(scale, self._ready, self._stop),
                                 daemon=True)

    def __enter__(self) -> dict:
        self._proc.start()
        return self._ready.get(timeout=300)

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._proc.join(timeout=30)


def _settings(**extra):
    from akhbar.config import load_settings

    return load_settings(env={}, allow_private_networks="127.0.0.0/8", min_host_delay=0.0,
                         max_feed_entries=500, **extra)


def _peak_rss_of(pid: int) -> float:
    """Peak resident memory (VmHWM) of a live process, MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _crawl_sqlite(sources, processes: int) -> dict:
    from akhbar.pipeline import Pipeline
    from akhbar.store.base import open_store

    with tempfile.TemporaryDirectory() as tmp, ProcessPoolExecutor(
        processes, mp_context=mp.get_context("forkserver")
    ) as pool:
        store = open_store(f"sqlite:///{tmp}/ingest.db")
        settings = _settings(extract_processes=processes)

        async def crawl():
            async with Pipeline(store, settings, sources, worker="bench", executor=pool) as pipeline:
                return await pipeline.crawl_due()

        started = time.perf_counter()
        report = asyncio.run(crawl())
        seconds = time.perf_counter() - started
        workers_rss = max(_peak_rss_of(pid) for pid in pool._processes)  # still alive here
        stats = store.article_stats()
        store.close()
    return {"seconds": seconds, "articles": stats["articles"], "report": report.as_dict(),
            "workers_rss": workers_rss}


def _download(urls: list[str]) -> list[bytes]:
    """Page bytes for the extraction baseline (not timed)."""
    pages = []
    with httpx.Client(timeout=30) as client:
        for url in urls:
            pages.append(client.get(url).content)
    return pages


def _trafilatura_text(html: bytes) -> int:
    """trafilatura alone, default settings: the main text only."""
    import trafilatura

    return len(trafilatura.extract(html) or "")


def _trafilatura_with_metadata(html: bytes) -> int:
    """trafilatura alone asked for what an aggregator stores: text plus title, author,
    date (htmldate), image, description."""
    import trafilatura

    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    return len(doc.text or "") if doc is not None else 0


def _extract_baseline(fn, pages: list[bytes], processes: int) -> float:
    with ProcessPoolExecutor(processes) as pool:
        list(pool.map(fn, pages[: processes * 4]))  # warm the workers up
        started = time.perf_counter()
        list(pool.map(fn, pages, chunksize=16))
        return time.perf_counter() - started


def _pg_schema() -> tuple[str, str]:
    import psycopg

    schema = "bench_" + uuid.uuid4().hex[:10]
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in PG_URL else "?"
    return schema, f"{PG_URL}{sep}options={quote(f'-csearch_path={schema}')}"


def _crawl_pg_two_workers(sources_toml: str) -> dict:
    import psycopg

    from akhbar.store.base import open_store

    schema, url = _pg_schema()
    try:
        open_store(url).close()  # migrate once, before the workers start
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "sources.toml"
            path.write_text(sources_toml, encoding="utf-8")
            env = {**os.environ, "AKHBAR_DATABASE_URL": url, "AKHBAR_SOURCES_FILE": str(path),
                   "AKHBAR_ONLY_SOURCES_FILE": "true", "AKHBAR_MIN_HOST_DELAY": "0",
                   "AKHBAR_ALLOW_PRIVATE_NETWORKS": "127.0.0.0/8",
                   "AKHBAR_EXTRACT_PROCESSES": "1", "AKHBAR_LOG_LEVEL": "ERROR"}
            started = time.perf_counter()
            workers = [subprocess.Popen([sys.executable, "-m", "akhbar", "crawl"], env=env,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        text=True) for _ in range(2)]
            outputs = [w.communicate()[0] for w in workers]
            seconds = time.perf_counter() - started
        reports = [json.loads(o.strip().splitlines()[-1]) for o in outputs if o.strip()]
        with psycopg.connect(url) as conn:
            total, distinct = conn.execute(
                "SELECT count(*), count(DISTINCT url) FROM articles").fetchone()
        return {"seconds": seconds, "articles": total, "distinct": distinct,
                "per_worker": [r["articles_new"] for r in reports]}
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def bench() -> list[dict]:
    from akhbar.sources.registry import load_sources

    scale = int(os.environ.get("AKHBAR_BENCH_SCALE", "20000"))
    processes = os.cpu_count() or 1
    with PressProcess(scale) as press:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "sources.toml"
            path.write_text(press["toml"], encoding="utf-8")
            sources = load_sources(path)
        crawl = _crawl_sqlite(sources, processes)
        own_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        pages = _download(press["crawlable"])
        extract_seconds = _extract_baseline(_trafilatura_text, pages, processes)
        metadata_seconds = _extract_baseline(_trafilatura_with_metadata, pages, processes)
        try:
            pg = _crawl_pg_two_workers(press["toml"])
        except Exception as exc:  # PostgreSQL absent: report the rest
            pg = {"error": str(exc)}

    rate = crawl["articles"] / crawl["seconds"]
    extract_rate = len(pages) / extract_seconds
    metadata_rate = len(pages) / metadata_seconds
    cmd = f"AKHBAR_BENCH_SCALE={scale} python -m bench.run ingest"
    records = [
        {"name": "ingest.articles_per_s", "value": round(rate, 1), "unit": "articles/s",
         "baseline": round(extract_rate, 1), "command": cmd,
         "note": f"{crawl['articles']} of {press['articles']} demo articles stored in "
                 f"{crawl['seconds']:.0f} s (SQLite, 1 worker, {processes} extraction processes); "
                 f"baseline: trafilatura.extract alone on the same {len(pages)} pages, "
                 f"{processes} processes"},
        {"name": "ingest.ratio_vs_extract", "value": round(rate / extract_rate, 3), "unit": "ratio",
         "baseline": 0.85, "command": cmd,
         "note": "goal >= 0.85; against trafilatura.extract (text only, default settings)"},
        {"name": "ingest.ratio_vs_extract_with_metadata", "value": round(rate / metadata_rate, 3),
         "unit": "ratio", "baseline": 0.85, "command": cmd,
         "note": f"against trafilatura.bare_extraction(with_metadata=True) on the same pages: "
                 f"{metadata_rate:.1f} pages/s"},
        {"name": "ingest.peak_rss_mb", "value": round(own_rss, 0), "unit": "MB",
         "baseline": None, "command": cmd,
         "note": f"crawler process (fetch, feeds, store); each extraction worker peaked at "
                 f"{crawl['workers_rss']:.0f} MB at most"},
    ]
    if "error" in pg:
        records.append({"name": "ingest.pg_2workers_articles_per_s", "value": None,
                        "unit": "articles/s", "baseline": round(rate, 1), "command": cmd,
                        "note": f"PostgreSQL unavailable: {pg['error']}"})
    else:
        records.append({
            "name": "ingest.pg_2workers_articles_per_s",
            "value": round(pg["articles"] / pg["seconds"], 1), "unit": "articles/s",
            "baseline": round(rate, 1), "command": cmd,
            "note": f"2 worker processes x 1 extraction process on one PostgreSQL: "
                    f"{pg['articles']} stored ({pg['distinct']} distinct URLs, expected "
                    f"{press['articles']}), per worker {pg['per_worker']}; baseline: SQLite, 1 worker",
        })
        records.append({"name": "ingest.pg_2workers_lost_or_doubled",
                        "value": abs(press["articles"] - pg["distinct"]) + pg["articles"] - pg["distinct"],
                        "unit": "articles", "baseline": 0, "command": cmd})
    return records


if __name__ == "__main__":
    for record in bench():
        print(json.dumps(record, ensure_ascii=False))
