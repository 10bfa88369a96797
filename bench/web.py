"""The reader's site under load: wrk against the home page, an article page and search
pages, beside a static server sending the very same bytes (the ceiling), in one run.

    python -m bench.run web
    AKHBAR_BENCH_WEB_SCALE=500 AKHBAR_BENCH_WEB_SECONDS=5 python -m bench.run web   # quicker

The store is the demo press scaled to AKHBAR_BENCH_WEB_SCALE articles (default 2,000),
crawled through the production pipeline into SQLite. The site runs as `akhbar serve` (one
uvicorn process, one worker). wrk asks for the same few URLs over and over, so the site
answers from its rendered-page cache (web_cache_bytes); a second run of the site with the
cache off (web.uncached.*) measures what rendering each request costs; the static server is a minimal asyncio HTTP/1.1 server with
keep-alive written here (nginx is not installed on the bench machines), in its own process
too. wrk, the site and the static server share the machine's cores: on a 2-core machine the
client takes a good part of the CPU the server would otherwise have, for both servers alike.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import multiprocessing as mp
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import quote

import httpx

CONNECTIONS, THREADS, WARMUP_SECONDS = 32, 2, 3
# wrk drops answers slower than its timeout (2 s by default) from the latency figures and
# counts them as socket errors: a generous one keeps a slow page's p99 honest.
TIMEOUT = "30s"
# fr and ar queries, a plain word and a word with a clitic each, taken in turn by wrk so
# that no one query stays hot alone. Every one must find something (checked below).
SEARCHES = ("tetouan", "barrage", "بالرباط", "والميناء")
# Answer headers the static server does not replay: per-connection or per-answer ones.
_HOP = {"date", "server", "connection", "keep-alive", "transfer-encoding", "content-length"}


# -- the store ---------------------------------------------------------------------------------


def _crawl(scale: int, db_url: str) -> dict:
    """The demo press at ``scale``, in its own process, crawled into ``db_url``."""
    from akhbar.pipeline import Pipeline
    from akhbar.sources.registry import load_sources
    from akhbar.store.base import open_store
    from bench.ingest import PressProcess, _settings

    processes = os.cpu_count() or 1
    with PressProcess(scale) as press, tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sources.toml"
        path.write_text(press["toml"], encoding="utf-8")
        sources = load_sources(path)
        store = open_store(db_url)
        # No stories: no page reads them yet, and their embedding model would only
        # lengthen the crawl (bench/stories.py measures them).
        settings = _settings(extract_processes=processes, stories_enabled=False)

        async def crawl():
            with ProcessPoolExecutor(processes, mp_context=mp.get_context("forkserver")) as pool:
                async with Pipeline(store, settings, sources, worker="bench-web",
                                    executor=pool) as pipeline:
                    return await pipeline.crawl_due()

        started = time.perf_counter()
        asyncio.run(crawl())
        seconds = time.perf_counter() - started
        stats = store.article_stats()
        store.close()
    return {"articles": stats["articles"], "seconds": seconds}


# -- servers ---------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(args: list[str], log: Path, **kw) -> subprocess.Popen:
    # stderr to a file: a pipe nobody reads would stall a chatty server mid-measure.
    with log.open("wb") as err:
        return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=err, **kw)


def _wait_until_up(url: str, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}: "
                               f"{log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up in {timeout:.0f} s")


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _uvicorn_flavour() -> str:
    # uvicorn's "auto" loop and http take uvloop and httptools when they are importable.
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio (uvloop not installed)"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11 (httptools not installed)"
    return f"loop {loop}, HTTP parser {http}"


class _Static(asyncio.Protocol):
    """HTTP/1.1, keep-alive, GET only: a table lookup per request, nothing else."""

    def __init__(self, answers: dict[bytes, bytes], missing: bytes):
        self.answers, self.missing = answers, missing
        self.buf = b""

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while (end := self.buf.find(b"\r\n\r\n")) >= 0:  # pipelined requests too
            head, self.buf = self.buf[:end], self.buf[end + 4:]
            parts = head.split(b"\r\n", 1)[0].split(b" ")
            target = parts[1] if len(parts) == 3 else b""
            self.transport.write(self.answers.get(target, self.missing))


def static_main(port: int, pages_file: str) -> None:
    """Serve the answers recorded in ``pages_file`` (path -> headers and body) on ``port``."""
    pages = json.loads(Path(pages_file).read_text(encoding="utf-8"))
    answers = {}
    for target, page in pages.items():
        body = page["body"].encode("utf-8")
        head = [b"HTTP/1.1 200 OK"]
        head += [f"{k}: {v}".encode("latin-1") for k, v in page["headers"]]
        head.append(f"content-length: {len(body)}".encode())
        answers[target.encode("ascii")] = b"\r\n".join(head) + b"\r\n\r\n" + body
    missing = b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n"

    async def run() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: _Static(answers, missing), "127.0.0.1", port,
                                          backlog=1024)
        async with server:
            await server.serve_forever()

    asyncio.run(run())


# -- wrk -------------------------------------------------------------------------------------

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not m:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(m.group(1)) * _UNITS_MS[m.group(2)]


def parse_wrk(out: str) -> dict:
    """Requests/s, the latency distribution (ms), answers not 2xx/3xx and socket errors."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not rps:
        raise ValueError(f"no Requests/sec in wrk's output:\n{out}")
    dist = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)\s*$", out, re.M))
    total = re.search(r"(\d+) requests in ([\d.]+\w+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(rps.group(1)),
        "p50_ms": _ms(dist["50"]), "p90_ms": _ms(dist["90"]), "p99_ms": _ms(dist["99"]),
        "requests": int(total.group(1)) if total else 0,
        "socket_errors": dict(zip(("connect", "read", "write", "timeout"),
                                  map(int, sock.groups()), strict=True)) if sock else {},
        "non_2xx_3xx": int(non2xx.group(1)) if non2xx else 0,
    }


def _socket_errors(run: dict) -> str:
    errors = {k: n for k, n in run["socket_errors"].items() if n}
    return ("socket errors " + ", ".join(f"{k} {n}" for k, n in errors.items())
            if errors else "no socket error")


def _lua_rotating(paths: list[str], folder: Path) -> Path:
    """A wrk script taking ``paths`` in turn, one per request."""
    script = folder / f"rotate-{len(paths)}.lua"
    quoted = ", ".join(json.dumps(p) for p in paths)  # ASCII only: the paths are %-encoded
    script.write_text(
        f"local paths = {{{quoted}}}\nlocal i = 0\n"
        "request = function()\n  i = i % #paths + 1\n"
        "  return wrk.format(\"GET\", paths[i])\nend\n", encoding="ascii")
    return script


def _wrk(base: str, paths: list[str], seconds: int, folder: Path) -> dict:
    args = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"--timeout={TIMEOUT}"]
    if len(paths) > 1:
        args += ["-s", str(_lua_rotating(paths, folder))]
    url = base + paths[0]
    subprocess.run(args + [f"-d{WARMUP_SECONDS}s", url], check=True, capture_output=True)
    done = subprocess.run(args + [f"-d{seconds}s", "--latency", url], check=True,
                          capture_output=True, text=True)
    return parse_wrk(done.stdout)


# -- the bench -------------------------------------------------------------------------------


def _record(base: str, path: str, client: httpx.Client) -> dict:
    r = client.get(base + path)
    r.raise_for_status()
    return {"headers": [(k, v) for k, v in r.headers.items() if k.lower() not in _HOP],
            "body": r.text}


def _result_count(html: str) -> int:
    m = re.search(r'role="status">([^<]*)<', html)
    digits = re.sub(r"\D", "", m.group(1)) if m else ""
    return int(digits or 0)


def bench() -> list[dict]:
    if shutil.which("wrk") is None:
        print(json.dumps({"suite": "web", "skipped": "wrk is not installed (apt-get install wrk)"}),
              flush=True)
        return []
    scale = int(os.environ.get("AKHBAR_BENCH_WEB_SCALE", "2000"))
    seconds = int(os.environ.get("AKHBAR_BENCH_WEB_SECONDS", "10"))
    root = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db_url = f"sqlite:///{folder / 'web.db'}"
        crawl = _crawl(scale, db_url)

        app_port, static_port = _free_port(), _free_port()
        env = {**os.environ, "AKHBAR_DATABASE_URL": db_url, "AKHBAR_LOG_LEVEL": "WARNING",
               "PYTHONPATH": str(root)}
        app = _start([sys.executable, "-m", "akhbar", "serve", "--host", "127.0.0.1",
                      "--port", str(app_port)], folder / "site.log", env=env, cwd=root)
        static = None
        try:
            app_base = f"http://127.0.0.1:{app_port}"
            _wait_until_up(app_base + "/", app, folder / "site.log")

            # The pages, fetched once: what the static server will send back byte for byte.
            with httpx.Client(timeout=30) as client:
                home = client.get(app_base + "/").text
                article = re.search(r'href="(/article/\d+)"', home).group(1)
                searches = ["/search?q=" + quote(q) for q in SEARCHES]
                targets = {"home": ["/"], "article": [article], "search": searches}
                pages = {p: _record(app_base, p, client) for ps in targets.values() for p in ps}
            found = {q: _result_count(pages[p]["body"]) for q, p in zip(SEARCHES, searches,
                                                                         strict=True)}
            empty = [q for q, n in found.items() if n == 0]
            if empty:
                raise RuntimeError(f"searches finding nothing would measure the empty path: {empty}")
            pages_file = folder / "pages.json"
            pages_file.write_text(json.dumps(pages, ensure_ascii=False), encoding="utf-8")
            static = _start(
                [sys.executable, "-c", "import sys; from bench.web import static_main; "
                 "static_main(int(sys.argv[1]), sys.argv[2])", str(static_port), str(pages_file)],
                folder / "static.log", cwd=root, env=env)
            static_base = f"http://127.0.0.1:{static_port}"
            _wait_until_up(static_base + "/", static, folder / "static.log")
            with httpx.Client(timeout=10) as client:  # the ceiling really sends the same bytes
                for p, page in pages.items():
                    assert client.get(static_base + p).text == page["body"], p

            # Page by page, the site then its ceiling, so both meet the same machine load.
            load = os.getloadavg()[0]
            measured = {}
            for name, paths in targets.items():
                measured[name] = (_wrk(app_base, paths, seconds, folder),
                                  _wrk(static_base, paths, seconds, folder))
        finally:
            _stop(app)
            if static is not None:
                _stop(static)

        # The same pages rendered on every request: the rendered-page cache off.
        app = _start([sys.executable, "-m", "akhbar", "serve", "--host", "127.0.0.1",
                      "--port", str(app_port)], folder / "site-uncached.log",
                     env={**env, "AKHBAR_WEB_CACHE_BYTES": "0"}, cwd=root)
        try:
            _wait_until_up(app_base + "/", app, folder / "site-uncached.log")
            uncached = {name: _wrk(app_base, paths, seconds, folder)
                        for name, paths in targets.items()}
        finally:
            _stop(app)

    cmd = "python -m bench.run web"
    if scale != 2000 or seconds != 10:
        cmd = f"AKHBAR_BENCH_WEB_SCALE={scale} AKHBAR_BENCH_WEB_SECONDS={seconds} {cmd}"
    # The full setup once, on the home row; the other rows point at it.
    setup = (f"wrk -t{THREADS} -c{CONNECTIONS} -d{seconds}s --timeout={TIMEOUT} --latency "
             f"after a {WARMUP_SECONDS} s warm-up, on loopback; wrk and both servers share the "
             f"machine's {os.cpu_count()} cores (load average {load:.1f} when measuring "
             f"began); site: `akhbar serve`, 1 uvicorn process, {_uvicorn_flavour()}; store: "
             f"SQLite, {crawl['articles']} demo-press articles (scale {scale}, crawled in "
             f"{crawl['seconds']:.0f} s); the site, then its ceiling, page by page")
    ceiling = ("static ceiling: a minimal asyncio HTTP/1.1 keep-alive server (Python, 1 "
               "process; nginx not installed) sending the same recorded bytes and headers")
    what = {"home": "/", "article": f"{article} (the first article of the home page)",
            "search": "4 queries in turn: " + ", ".join(f"{q} ({found[q]} results)"
                                                        for q in SEARCHES)}
    records, bad = [], []
    for name, (site, static_r) in measured.items():
        size = sum(len(pages[p]["body"].encode()) for p in targets[name]) // len(targets[name])
        for who, r in (("site", site), ("static", static_r)):
            if sum(r["socket_errors"].values()) + r["non_2xx_3xx"]:
                bad.append(f"{name} ({who}): {r['non_2xx_3xx']} not 2xx/3xx, "
                           f"{_socket_errors(r)}")
        ratio = site["rps"] / static_r["rps"]
        records += [
            {"name": f"web.{name}_rps", "value": round(site["rps"], 1), "unit": "req/s",
             "baseline": round(static_r["rps"], 1), "command": cmd,
             "note": f"{what[name]}, {size:,} bytes of HTML; p50 {site['p50_ms']:.1f} ms, p90 "
                     f"{site['p90_ms']:.1f} ms; {site['requests']} requests, "
                     f"{site['non_2xx_3xx']} not 2xx/3xx, {_socket_errors(site)}; "
                     "baseline: the static ceiling; "
                     + (setup if name == "home" else "setup as web.home_rps")},
            {"name": f"web.{name}_p99_ms", "value": round(site["p99_ms"], 1), "unit": "ms",
             "baseline": round(static_r["p99_ms"], 1), "command": cmd,
             "note": "99th percentile latency at 32 connections; baseline: the static ceiling"},
            {"name": f"web.static.{name}_rps", "value": round(static_r["rps"], 1),
             "unit": "req/s", "baseline": None, "command": cmd,
             "note": f"{ceiling if name == 'home' else 'as web.static.home_rps'}; "
                     f"p50 {static_r['p50_ms']:.2f} ms, "
                     f"{static_r['non_2xx_3xx']} not 2xx/3xx, {_socket_errors(static_r)}"},
            {"name": f"web.static.{name}_p99_ms", "value": round(static_r["p99_ms"], 2),
             "unit": "ms", "baseline": None, "command": cmd},
            {"name": f"web.{name}_ratio_vs_static", "value": float(f"{ratio:.3g}"), "unit": "ratio",
             "baseline": None, "command": cmd,
             "note": "site requests/s over the static server's, same pages, same run"},
        ]
    for name, r in uncached.items():
        if sum(r["socket_errors"].values()) + r["non_2xx_3xx"]:
            bad.append(f"{name} (site, uncached): {r['non_2xx_3xx']} not 2xx/3xx, "
                       f"{_socket_errors(r)}")
        records += [
            {"name": f"web.uncached.{name}_rps", "value": round(r["rps"], 1), "unit": "req/s",
             "baseline": round(measured[name][0]["rps"], 1), "command": cmd,
             "note": f"as web.{name}_rps with the rendered-page cache off "
                     f"(AKHBAR_WEB_CACHE_BYTES=0): every request reads the store and renders; "
                     f"p50 {r['p50_ms']:.1f} ms, p90 {r['p90_ms']:.1f} ms; {r['requests']} "
                     f"requests, {r['non_2xx_3xx']} not 2xx/3xx, {_socket_errors(r)}; "
                     "baseline: the site with its cache"},
            {"name": f"web.uncached.{name}_p99_ms", "value": round(r["p99_ms"], 1), "unit": "ms",
             "baseline": round(measured[name][0]["p99_ms"], 1), "command": cmd,
             "note": "99th percentile latency, cache off; baseline: the site with its cache"},
        ]
    records.append({"name": "web.errors", "value": len(bad), "unit": "runs with errors",
                    "baseline": 0, "command": cmd,
                    "note": "; ".join(bad) if bad else "every answer 2xx/3xx and no socket "
                            "error, on the site and on the ceiling"})
    return records


if __name__ == "__main__":
    for record in bench():
        print(json.dumps(record, ensure_ascii=False))
