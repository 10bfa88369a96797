"""Readers' reports under load: wrk POSTs /report as many distinct readers, on SQLite and
on PostgreSQL, then the store is read back to prove no accepted report was lost.

    python -m bench.run moderation
    AKHBAR_BENCH_MODERATION_SECONDS=5 python -m bench.run moderation   # quicker

The store is the demo press (AKHBAR_BENCH_MODERATION_SCALE articles, default 300) crawled
through the production pipeline. The site runs as `akhbar serve` (one uvicorn process) with
127.0.0.1 as its trusted proxy, so that each request's X-Forwarded-For (a random address in
10.0.0.0/8) and reporter cookie make it a distinct reader, as on a real site behind nginx.
Each request reports a random article, or its image when it has one, with a listed reason;
every report runs the whole rule set (rate limits, repeat readers, burst, threshold) in its
own write transaction. Images reach the threshold quickly under such a crowd, so blocks,
burst queueing and "closed" answers all happen during the run.

"Lost" counts reports wrk saw accepted (2xx) with no report row and audit entry to match:
the store is read before and after the measured run, and every report row must have its
audit row. A report the server stored after wrk stopped waiting (in flight at the end) makes
the store's count larger than wrk's, never smaller.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from urllib.parse import quote

import httpx

from bench.web import (
    CONNECTIONS,
    THREADS,
    TIMEOUT,
    WARMUP_SECONDS,
    _crawl,
    _free_port,
    _socket_errors,
    _start,
    _stop,
    _uvicorn_flavour,
    _wait_until_up,
    parse_wrk,
)

PG_URL = os.environ.get("AKHBAR_TEST_PG_URL", "postgresql://postgres@localhost:5432/test")


def _targets(base: str, ids: list[int]) -> list[dict]:
    """What each article's page lets a reader report: the article, and its image if any."""
    targets = []
    with httpx.Client(timeout=30) as client:
        for number in ids:
            page = client.get(f"{base}/article/{number}").text
            image = re.search(r'name="image_url" value="([^"]+)"', page)
            reasons = re.findall(r'<option value="([a-z_]+)"', page)
            targets.append({"id": number, "image": image.group(1) if image else None,
                            "reason": reasons[0] if reasons else "other"})
    return targets


def _lua(targets: list[dict], folder: Path) -> Path:
    """wrk script: each request a new reader (cookie) on a new network (X-Forwarded-For)
    reporting one of ``targets``; each wrk thread seeds its own generator."""
    bodies = []
    for t in targets:
        bodies.append(f"kind=article&article_id={t['id']}&reason=other")
        if t["image"]:
            bodies.append(f"kind=image&article_id={t['id']}&reason={t['reason']}"
                          f"&image_url={quote(t['image'], safe='')}")
    quoted = ", ".join(json.dumps(b) for b in bodies)
    script = folder / "report.lua"
    script.write_text(
        f"local bodies = {{{quoted}}}\n"
        "local counter = 0\n"
        "function setup(thread)\n  counter = counter + 1\n  thread:set('seed', counter)\nend\n"
        "function init(args)\n  math.randomseed(seed * 7919 + os.time())\nend\n"
        "function request()\n"
        "  local r = math.random\n"
        "  local ip = string.format('10.%d.%d.%d', r(0, 255), r(0, 255), r(1, 254))\n"
        "  local token = string.format('%08x%08x%08x%08x', r(0, 0x7fffffff), r(0, 0x7fffffff),"
        " r(0, 0x7fffffff), r(0, 0x7fffffff))\n"
        "  return wrk.format('POST', '/report', {\n"
        "    ['Content-Type'] = 'application/x-www-form-urlencoded',\n"
        "    ['X-Forwarded-For'] = ip, ['Cookie'] = 'reporter=' .. token},\n"
        "    bodies[r(#bodies)])\nend\n", encoding="ascii")
    return script


def _counts(db_url: str) -> dict:
    from akhbar.store.base import open_store

    store = open_store(db_url)
    try:
        with store._read():
            one = lambda sql: int(store._exec(sql).fetchone()[0])  # noqa: E731
            return {
                "reports": one("SELECT count(*) FROM reports"),
                "audited": one("SELECT count(*) FROM audit_log WHERE action = 'report'"),
                "unaudited": one("SELECT count(*) FROM reports r WHERE NOT EXISTS (SELECT 1"
                                 " FROM audit_log a WHERE a.report_id = r.id"
                                 " AND a.action = 'report')"),
                "blocks": one("SELECT count(*) FROM audit_log WHERE action = 'block'"),
                "blocked": one("SELECT count(*) FROM moderation_items WHERE state = 'blocked'"),
                "queued": one("SELECT count(*) FROM moderation_items WHERE state = 'queued'"),
            }
    finally:
        store.close()


def _run(db_url: str, scale: int, seconds: int, folder: Path, root: Path, **env_extra) -> dict:
    crawl = _crawl(scale, db_url)
    port = _free_port()
    env = {**os.environ, "AKHBAR_DATABASE_URL": db_url, "AKHBAR_LOG_LEVEL": "WARNING",
           "AKHBAR_TRUSTED_PROXIES": "127.0.0.1", "PYTHONPATH": str(root), **env_extra}
    log = folder / f"site-{uuid.uuid4().hex[:6]}.log"
    app = _start([sys.executable, "-m", "akhbar", "serve", "--host", "127.0.0.1",
                  "--port", str(port)], log, env=env, cwd=root)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base + "/", app, log)
        ids = [int(m) for m in re.findall(r'href="/article/(\d+)"', httpx.get(base + "/").text)]
        targets = _targets(base, sorted(set(ids))[:60])
        if not any(t["image"] for t in targets):
            raise RuntimeError("no article with an image: the image path would go unmeasured")
        script = _lua(targets, folder)
        args = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"--timeout={TIMEOUT}", "-s",
                str(script), base + "/report"]
        subprocess.run(args + [f"-d{WARMUP_SECONDS}s"], check=True, capture_output=True)
        before = _counts(db_url)
        done = subprocess.run(args + [f"-d{seconds}s", "--latency"], check=True,
                              capture_output=True, text=True)
        after = _counts(db_url)
    finally:
        _stop(app)
    run = parse_wrk(done.stdout)
    accepted = run["requests"] - run["non_2xx_3xx"]
    stored = after["audited"] - before["audited"]
    return {"run": run, "accepted": accepted, "stored": after["reports"] - before["reports"],
            "audited": stored, "lost": max(0, accepted - stored), "after": after,
            "crawl": crawl, "targets": len(targets),
            "images": sum(1 for t in targets if t["image"])}


def _pg_schema_url() -> tuple[str, str] | None:
    try:
        import psycopg

        schema = "bench_" + uuid.uuid4().hex[:10]
        with psycopg.connect(PG_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
    except Exception as exc:  # noqa: BLE001 - no PostgreSQL here: SQLite only
        print(json.dumps({"suite": "moderation", "skipped_postgres": str(exc)}), flush=True)
        return None
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options={quote(f'-csearch_path={schema}')}", schema


def _drop_schema(schema: str) -> None:
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


def bench() -> list[dict]:
    if shutil.which("wrk") is None:
        print(json.dumps({"suite": "moderation",
                          "skipped": "wrk is not installed (apt-get install wrk)"}), flush=True)
        return []
    scale = int(os.environ.get("AKHBAR_BENCH_MODERATION_SCALE", "300"))
    seconds = int(os.environ.get("AKHBAR_BENCH_MODERATION_SECONDS", "10"))
    root = Path(__file__).resolve().parents[1]
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        load = os.getloadavg()[0]
        results["sqlite"] = _run(f"sqlite:///{folder / 'moderation.db'}", scale, seconds,
                                 folder, root)
        # The same crowd with the burst guard lifted: every image reaching the threshold is
        # blocked, so the blocking path (and "closed" answers after it) is what is measured.
        results["sqlite, burst guard off"] = _run(
            f"sqlite:///{folder / 'moderation-blocking.db'}", scale, seconds, folder, root,
            AKHBAR_REPORT_BURST_LIMIT="1000000000")
        pg = _pg_schema_url()
        if pg:
            try:
                results["postgres"] = _run(pg[0], scale, seconds, folder, root)
            finally:
                _drop_schema(pg[1])

    cmd = "python -m bench.run moderation"
    if scale != 300 or seconds != 10:
        cmd = (f"AKHBAR_BENCH_MODERATION_SCALE={scale} AKHBAR_BENCH_MODERATION_SECONDS={seconds}"
               f" {cmd}")
    records = []
    for backend, r in results.items():
        run = r["run"]
        suffix = {"sqlite": "", "postgres": ".postgres",
                  "sqlite, burst guard off": ".blocking"}[backend]
        note = (f"wrk -t{THREADS} -c{CONNECTIONS} -d{seconds}s --latency after a "
                f"{WARMUP_SECONDS} s warm-up, POST /report on loopback, each request a new "
                f"reader and /24 (X-Forwarded-For from the trusted proxy 127.0.0.1) reporting "
                f"one of {r['targets']} articles or {r['images']} images; store: {backend}, "
                f"{r['crawl']['articles']} demo articles; 1 uvicorn process, {_uvicorn_flavour()}"
                f"; wrk and the site share {os.cpu_count()} cores (load average {load:.1f} at "
                f"the start). {run['requests']} answers, {r['accepted']} accepted (2xx), "
                f"{r['audited']} report rows audited in the store during the run, "
                f"{r['after']['unaudited']} report rows without an audit entry; "
                f"{r['after']['blocks']} blocks ({r['after']['blocked']} images blocked, "
                f"{r['after']['queued']} items queued for the operator); {_socket_errors(run)}")
        records += [
            {"name": f"moderation.reports_per_s{suffix}", "value": run["rps"],
             "unit": "reports/s", "command": cmd, "note": note},
            {"name": f"moderation.reports_p99_ms{suffix}", "value": run["p99_ms"], "unit": "ms",
             "command": cmd, "note": f"p50 {run['p50_ms']:.1f} ms, p90 {run['p90_ms']:.1f} ms"},
            {"name": f"moderation.reports_lost{suffix}",
             "value": r["lost"] + r["after"]["unaudited"], "unit": "reports", "command": cmd,
             "note": "accepted by the site but missing from the store or its audit log; must be 0"},
        ]
    return records
