"""The `akhbar` command as an operator uses it, against loopback servers and a real store."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys

import httpx
import pytest
from typer.testing import CliRunner

from akhbar.cli import app
from httpservers import LoopbackServer, Reply

RSS = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Le Phare</title>
<item><title>Le port de Safi s'agrandit</title><link>{base}/fr/port-safi</link>
<pubDate>Tue, 12 Mar 2024 09:30:00 +0000</pubDate></item></channel></rss>"""

ARTICLE = """<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Le port de Safi
s'agrandit</title></head><body><nav>Accueil</nav><article><h1>Le port de Safi s'agrandit</h1>
<p>Le port de Safi va doubler sa capacité d'accueil de vraquiers d'ici 2027, a annoncé mardi
l'Agence nationale des ports, qui investit 4,2 milliards de dirhams dans un nouveau quai.</p>
<p>Les travaux commenceront au printemps et dureront trois ans; ils doivent créer huit cents
emplois dans la province, selon la chambre de commerce de la région Marrakech-Safi.</p>
</article><footer>Le Phare</footer></body></html>"""


@pytest.fixture(scope="module")
def outlet():
    def feed(h):
        body = RSS.format(base=f"http://{h.headers['Host']}").encode()
        return Reply(200, body, {"Content-Type": "application/rss+xml"})

    article = Reply(200, ARTICLE.encode(), {"Content-Type": "text/html; charset=utf-8"})
    with LoopbackServer(routes={"/feed": feed, "/fr/port-safi": article}) as srv:
        yield srv.url("")


@pytest.fixture
def run(tmp_path, monkeypatch):
    """Invoke `akhbar` in-process with a fresh SQLite store; extra AKHBAR_* settings as kwargs."""
    base_env = {"AKHBAR_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
                "AKHBAR_ALLOW_PRIVATE_NETWORKS": "127.0.0.0/8", "AKHBAR_MIN_HOST_DELAY": "0",
                "AKHBAR_EXTRACT_PROCESSES": "1", "AKHBAR_LOG_LEVEL": "WARNING"}
    for name in ("AKHBAR_CONFIG", "AKHBAR_SOURCES_FILE", "AKHBAR_ONLY_SOURCES_FILE"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()

    def invoke(*args: str, code: int = 0, **settings: str) -> str:
        env = {**base_env, **{f"AKHBAR_{k.upper()}": v for k, v in settings.items()}}
        result = runner.invoke(app, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result.output

    return invoke


def test_sources_list_shows_the_shipped_registry(run):
    output = run("sources", "list")
    assert "hespress-ar" in output and "moroccoworldnews" in output


def test_operator_adds_a_source_then_crawls_checks_and_searches(run, outlet, tmp_path):
    ops = tmp_path / "ops.toml"
    run("--sources-file", str(ops), "sources", "add", "le-phare", "--name", "Le Phare",
        "--homepage", f"{outlet}/", "--feed", f"{outlet}/feed", "--lang", "fr")
    assert 'id = "le-phare"' in ops.read_text()
    listed = run("--sources-file", str(ops), "sources", "list")
    assert "le-phare" in listed and "hespress-fr" in listed

    # Only the operator's file from here on: nothing of the shipped registry is fetched.
    only = {"sources_file": str(ops), "only_sources_file": "true"}
    assert "ok: 1 entries" in run("sources", "check", **only)
    summary = json.loads(run("crawl", **only).strip().splitlines()[-1])
    assert summary["articles"] == 1 and summary["by_lang"] == {"fr": 1}
    hit = json.loads(run("search", "--json", "port", **only).strip())
    assert hit["source"] == "le-phare" and hit["lang"] == "fr"
    row = json.loads(run("sources", "health", "--json", **only).strip().splitlines()[0])
    assert row["source"] == "le-phare" and row["articles"] == 1 and row["error_streak"] == 0
    assert "no error recorded for le-phare" in run("sources", "errors", "le-phare", **only)


def test_sources_check_fails_on_a_broken_feed(run, outlet, tmp_path):
    ops = tmp_path / "broken.toml"
    ops.write_text(f'[[source]]\nid = "casse"\nname = "Cassé"\nhomepage = "{outlet}/"\n'
                   f'feeds = ["{outlet}/absent"]\nlanguages = ["fr"]\n', encoding="utf-8")
    output = run("sources", "check", code=1, sources_file=str(ops), only_sources_file="1")
    assert "HTTPStatusError" in output


def test_invalid_operator_file_is_a_clear_error(run, tmp_path):
    ops = tmp_path / "bad.toml"
    ops.write_text('[[source]]\nid = "x"\nname = "X"\nhomepage = "ftp://x"\nfeeds = []\n'
                   'languages = ["fr"]\n')
    output = run("--sources-file", str(ops), "sources", "list", code=1)
    assert "bad.toml" in output and "homepage" in output


def test_opml_round_trip(run, tmp_path):
    exported = tmp_path / "outlets.opml"
    run("sources", "export-opml", "-o", str(exported))
    assert "hespress" in exported.read_text(encoding="utf-8")
    ops = tmp_path / "imported.toml"
    output = run("sources", "import-opml", str(exported), "--file", str(ops))
    assert "added" in output and "hespress" in ops.read_text(encoding="utf-8")


def test_config_dump_and_eval_extract(run, tmp_path):
    assert 'min_host_delay = 0' in run("config", "dump")
    # A small folder in the Zyte benchmark format, made from demo press pages whose
    # article text the press knows.
    from akhbar.demo import DemoPress

    folder = tmp_path / "zyte"
    (folder / "html").mkdir(parents=True)
    truth = {}
    with DemoPress() as press:
        pages = [t for t in press.ground_truth() if t["crawlable"]][::40]
        for n, page in enumerate(pages):
            html = httpx.get(page["url"]).content
            (folder / "html" / f"p{n}.html.gz").write_bytes(gzip.compress(html))
            truth[f"p{n}"] = {"articleBody": press.article_text(page["url"]), "url": page["url"]}
    (folder / "ground-truth.json").write_text(json.dumps(truth, ensure_ascii=False))
    result = json.loads(run("eval", "extract", str(folder)).strip())
    assert result["pages"] == len(truth) >= 8
    assert result["precision"] > 0.9 and result["recall"] > 0.9 and result["f1"] > 0.9
    run("eval", "extract", str(tmp_path / "missing"), code=1)


def test_worker_crawls_on_schedule_and_stops_cleanly(outlet, tmp_path):
    import os
    import signal
    import time

    from akhbar.store.base import open_store

    ops = tmp_path / "ops.toml"
    ops.write_text(f'[[source]]\nid = "le-phare"\nname = "Le Phare"\nhomepage = "{outlet}/"\n'
                   f'feeds = ["{outlet}/feed"]\nlanguages = ["fr"]\ncrawl_interval = 60\n',
                   encoding="utf-8")
    database = f"sqlite:///{tmp_path / 'worker.db'}"
    env = {**os.environ, "AKHBAR_DATABASE_URL": database, "AKHBAR_SOURCES_FILE": str(ops),
           "AKHBAR_ONLY_SOURCES_FILE": "1", "AKHBAR_ALLOW_PRIVATE_NETWORKS": "127.0.0.0/8",
           "AKHBAR_MIN_HOST_DELAY": "0", "AKHBAR_EXTRACT_PROCESSES": "1"}
    worker = subprocess.Popen([sys.executable, "-m", "akhbar", "worker", "--id", "w1", "--poll", "0.5"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        stored = 0
        while time.monotonic() < deadline and not stored:
            time.sleep(0.5)
            if (tmp_path / "worker.db").exists():
                store = open_store(database)
                stored = store.article_stats()["articles"]
                state = store.feed_states("le-phare")
                store.close()
        assert stored == 1
        # Next check in about a minute (the source's interval), not in a tight loop.
        assert (state[0].next_check - state[0].last_success).total_seconds() >= 59
    finally:
        worker.send_signal(signal.SIGTERM)
        _out, err = worker.communicate(timeout=60)
    assert worker.returncode == 0, err[-2000:]


@pytest.mark.slow
def test_demo_once_prints_one_json_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "akhbar", "demo", "--once", "--workdir", str(tmp_path / "demo")],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    summary = json.loads(lines[0])
    assert summary["articles"] >= 300 and summary["copies_linked"] > 0
    assert set(summary["by_lang"]) == {"fr", "ar", "en"}
    assert summary["sources_ok"] == 8 and summary["sources_failed"] == 0
