"""The `akhbar` command: sources, crawling, workers, the demo press, search, import, eval."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import shutil
import signal
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table

from akhbar.config import Settings, load_settings
from akhbar.errors import AkhbarError

app = typer.Typer(help="akhbar: a news aggregator for a multilingual national press.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
sources_app = typer.Typer(help="The outlets akhbar crawls.", no_args_is_help=True)
eval_app = typer.Typer(help="Score akhbar on evaluation data.", no_args_is_help=True)
config_app = typer.Typer(help="Settings.", no_args_is_help=True)
stories_app = typer.Typer(help="Stories: one event's coverage across outlets and languages.",
                          no_args_is_help=True)
app.add_typer(sources_app, name="sources")
app.add_typer(eval_app, name="eval")
app.add_typer(config_app, name="config")
app.add_typer(stories_app, name="stories")

# Piped or captured output gets wide tables rather than ids cut short with "…".
out = Console() if sys.stdout.isatty() else Console(width=200)
err = Console(stderr=True)


class State:
    settings: Settings


state = State()


@app.callback()
def main(
    config: Annotated[Path | None, typer.Option(help="TOML settings file (AKHBAR_CONFIG).")] = None,
    database: Annotated[str | None, typer.Option(help="Store URL (AKHBAR_DATABASE_URL).")] = None,
    sources_file: Annotated[Path | None, typer.Option(help="Operator's source file.")] = None,
) -> None:
    overrides: dict = {}
    if database:
        overrides["database_url"] = database
    if sources_file:
        overrides["sources_file"] = str(sources_file)
    try:
        state.settings = load_settings(config, **overrides)
    except AkhbarError as exc:
        _fail(exc)
    logging.basicConfig(level=state.settings.log_level,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    for noisy in ("httpx", "httpcore", "trafilatura", "htmldate"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _fail(exc: BaseException, code: int = 1):
    err.print(f"[red]error:[/red] {exc}")
    raise typer.Exit(code)


def _registry(settings: Settings):
    from akhbar.sources.registry import load_registry

    extra = Path(settings.sources_file) if settings.sources_file else None
    return load_registry(extra, only_extra=settings.only_sources_file)


def _operator_file(file: Path | None) -> Path:
    """The source file `sources add` and `import-opml` write: --file, else the setting."""
    return file or Path(state.settings.sources_file or "sources.toml")


def _store(settings: Settings):
    from akhbar.store.base import open_store

    return open_store(settings.database_url)


# -- sources ---------------------------------------------------------------------------------
@sources_app.command("list")
def sources_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The outlets in the registry (shipped file plus the operator's)."""
    try:
        sources = _registry(state.settings)
    except AkhbarError as exc:
        _fail(exc)
    if as_json:
        from akhbar.sources.registry import source_to_toml_table

        for s in sources:
            print(json.dumps(source_to_toml_table(s), default=str, ensure_ascii=False))
        return
    table = Table("id", "name", "languages", "feeds", "every", "display", "enabled")
    for s in sources:
        table.add_row(s.id, s.name, ",".join(s.languages), str(len(s.feeds)),
                      f"{s.crawl_interval // 60} min", s.display, "yes" if s.enabled else "no")
    out.print(table)


@sources_app.command("add")
def sources_add(
    id: str,
    name: Annotated[str, typer.Option(help="Name shown to readers.")],
    homepage: Annotated[str, typer.Option()],
    feed: Annotated[list[str], typer.Option(help="Feed URL (repeat for several).")],
    lang: Annotated[list[str], typer.Option(help="Language code (repeat).")],
    interval: Annotated[int, typer.Option(help="Seconds between checks.")] = 1800,
    display: Annotated[str, typer.Option(help="full | excerpt | lede")] = "excerpt",
    file: Annotated[Path | None, typer.Option(help="Operator source file to write.")] = None,
) -> None:
    """Add (or replace) a source in the operator's source file."""
    from akhbar.sources.registry import add_source, load_sources
    from akhbar.types import Source

    target = _operator_file(file)
    source = Source(id=id, name=name, homepage=homepage, feeds=tuple(feed), languages=tuple(lang),
                    crawl_interval=interval, display=display)
    try:
        add_source(target, source)
        load_sources(target)  # validates what was written
    except AkhbarError as exc:
        _fail(exc)
    out.print(f"added {id} to {target}")


@sources_app.command("check")
def sources_check(ids: Annotated[list[str] | None, typer.Argument()] = None) -> None:
    """Fetch and parse each feed now (nothing is stored); exit 1 if one fails."""
    from akhbar.fetch import Fetcher
    from akhbar.parse.feeds import parse_feed

    sources = [s for s in _registry(state.settings) if not ids or s.id in ids]
    if ids and len(sources) != len(set(ids)):
        _fail(f"unknown source id among {', '.join(ids)}")

    async def check() -> list[tuple[str, str, str]]:
        rows = []
        async with Fetcher(state.settings) as fetcher:
            async def one(source, url):
                try:
                    result = await fetcher.fetch(url, kind="feed", min_delay=source.min_delay)
                    feed = parse_feed(result.content, content_type=result.content_type,
                                      base_url=result.url, forced_encoding=source.encoding)
                    note = f"ok: {len(feed.entries)} entries"
                    if feed.warning:
                        note += f" (ill-formed: {feed.warning[:80]})"
                except AkhbarError as exc:
                    note = f"FAILED {type(exc).__name__}: {exc}"
                rows.append((source.id, url, note))
            await asyncio.gather(*(one(s, u) for s in sources for u in s.feeds))
        return rows

    rows = asyncio.run(check())
    table = Table("source", "feed", "result")
    for row in sorted(rows):
        table.add_row(*row)
    out.print(table)
    if any(note.startswith("FAILED") for _, _, note in rows):
        raise typer.Exit(1)


@sources_app.command("health")
def sources_health(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Per outlet: last success, error streak, last new item, extraction and duplicate rates."""
    store = _store(state.settings)
    try:
        health = store.source_health()
        if as_json:
            for h in health:
                print(json.dumps({
                    "source": h.source_id, "last_success": h.last_success, "last_error": h.last_error,
                    "error_streak": h.error_streak, "last_new_item": h.last_new_item,
                    "articles": h.articles, "extraction_rate": h.extraction_rate,
                    "duplicate_rate": h.duplicate_rate}, default=str, ensure_ascii=False))
            return
        table = Table("source", "last success", "errors", "last new item", "articles",
                      "extracted", "copies", "last error")
        for h in health:
            table.add_row(
                h.source_id, _when(h.last_success), str(h.error_streak), _when(h.last_new_item),
                str(h.articles), _pct(h.extraction_rate), _pct(h.duplicate_rate),
                (h.last_error or "")[:60],
                style="red" if h.error_streak else None,
            )
        out.print(table)
    finally:
        store.close()


@sources_app.command("errors")
def sources_errors(
    source_id: str, limit: Annotated[int, typer.Option(help="How many, newest first.")] = 20
) -> None:
    """The latest errors and warnings recorded on one source (feeds and pages)."""
    store = _store(state.settings)
    try:
        rows = store.source_errors(source_id, limit=limit)
    finally:
        store.close()
    if not rows:
        out.print(f"no error recorded for {source_id}")
    for when, url, message in rows:
        out.print(f"{_when(when)}  {url}\n    {message}")


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "never"


def _pct(value) -> str:
    return "-" if value is None else f"{value:.0%}"


@sources_app.command("import-opml")
def sources_import_opml(
    opml: Path, file: Annotated[Path | None, typer.Option(help="Operator source file.")] = None
) -> None:
    """Add the feeds of an OPML file to the operator's source file."""
    from akhbar.sources.opml import import_opml
    from akhbar.sources.registry import add_source

    target = _operator_file(file)
    try:
        sources = import_opml(opml.read_bytes())
        for s in sources:
            add_source(target, s)
    except (AkhbarError, OSError) as exc:
        _fail(exc)
    out.print(f"added {len(sources)} sources to {target}")


@sources_app.command("export-opml")
def sources_export_opml(output: Annotated[Path | None, typer.Option("-o")] = None) -> None:
    """Write the registry as OPML (stdout by default)."""
    from akhbar.sources.opml import export_opml

    text = export_opml(_registry(state.settings))
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


# -- crawling --------------------------------------------------------------------------------
def _crawl_progress(console: Console):
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                    MofNCompleteColumn(), console=console, transient=True)


async def _crawl_once(settings: Settings, sources, worker: str | None = None) -> dict:
    from akhbar.pipeline import Pipeline

    store = _store(settings)
    try:
        started = time.monotonic()
        with _crawl_progress(err) as progress:
            task = progress.add_task("articles stored", total=None)
            async with Pipeline(store, settings, sources, worker=worker) as pipeline:
                report = await pipeline.crawl_due(progress=lambda: progress.advance(task))
        stats = store.article_stats()
    finally:
        store.close()
    summary = {"articles": stats["articles"], "by_lang": stats["by_lang"],
               "copies": stats["copies"]}
    summary.update(report.as_dict())
    summary["seconds"] = round(time.monotonic() - started, 1)
    return summary


@app.command()
def crawl() -> None:
    """Crawl every due feed once and print a JSON summary."""
    try:
        summary = asyncio.run(_crawl_once(state.settings, _registry(state.settings)))
    except AkhbarError as exc:
        _fail(exc)
    print(json.dumps(summary, ensure_ascii=False, default=str))


@app.command()
def worker(
    id: Annotated[str | None, typer.Option(help="Worker name (default host:pid).")] = None,
    poll: Annotated[float, typer.Option(help="Seconds between looks for due feeds.")] = 5.0,
) -> None:
    """Crawl on schedule until stopped. Run several on one PostgreSQL to share the work."""
    settings = state.settings
    try:
        asyncio.run(_crawl_on_schedule(settings, _registry(settings), worker=id, poll=poll))
    except AkhbarError as exc:
        _fail(exc)


async def _crawl_on_schedule(settings: Settings, sources, *, worker: str | None, poll: float,
                             also=None) -> None:
    """Crawl due feeds every `poll` seconds until SIGINT/SIGTERM; `also(stop)` runs beside."""
    from akhbar.pipeline import Pipeline, crawl_forever

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    store = _store(settings)
    side = asyncio.create_task(also(stop)) if also else None
    try:
        async with Pipeline(store, settings, sources, worker=worker) as pipeline:
            err.print(f"worker {pipeline.worker}: {len(sources)} sources, {settings.database_url}")
            await crawl_forever(pipeline, poll=poll, stop=stop, on_pass=_log_pass)
    finally:
        if side:
            side.cancel()
        store.close()


def _log_pass(report) -> None:
    """One JSON line on stderr per pass that did something (a log, not for the terminal's width)."""
    if report.feeds_ok or report.feeds_failed or report.feeds_not_modified:
        print(json.dumps(report.as_dict(), ensure_ascii=False), file=sys.stderr, flush=True)


@app.command()
def demo(
    once: Annotated[bool, typer.Option("--once", help="Crawl once, print a JSON summary, exit.")] = False,
    port: Annotated[int, typer.Option(help="Port of the demo press (0: any free port).")] = 0,
    workdir: Annotated[Path, typer.Option(help="Where the demo keeps its database.")] = Path("var/demo"),
    publish_every: Annotated[float, typer.Option(help="Seconds between new demo articles.")] = 20.0,
    web_host: Annotated[str | None, typer.Option(help="Address of the site (AKHBAR_WEB_HOST).")] = None,
    web_port: Annotated[int | None, typer.Option(help="Port of the site (AKHBAR_WEB_PORT).")] = None,
) -> None:
    """Start the demo press on loopback, crawl it through the production pipeline and serve
    the site over what was crawled (http://127.0.0.1:8000/ by default)."""
    from akhbar.demo import DemoPress
    from akhbar.sources.registry import load_sources

    shutil.rmtree(workdir, ignore_errors=True)  # the demo always starts from a fresh store
    workdir.mkdir(parents=True, exist_ok=True)
    # A quick first crawl: a short delay on the slow host, light politeness on loopback
    # (the 429 host still answers 429 with Retry-After, and robots.txt still applies).
    press = DemoPress(port=port, slow_seconds=0.5)
    press.start()
    try:
        sources_path = workdir / "sources.toml"
        sources_path.write_text(press.sources_toml(), encoding="utf-8")
        settings = state.settings.replace(
            database_url=f"sqlite:///{(workdir / 'akhbar.db').resolve()}",
            sources_file=str(sources_path),
            only_sources_file=True,
            allow_private_networks="127.0.0.0/8",
            min_host_delay=min(state.settings.min_host_delay, 0.25),
        )
        # Checked every 30 s so new demo articles show up quickly (conditional GET: a
        # feed that did not change costs one 304).
        sources = [dataclasses.replace(s, crawl_interval=min(s.crawl_interval, 30))
                   for s in load_sources(sources_path)]
        err.print(f"demo press: {len(sources)} outlets on loopback; store {settings.database_url}")
        summary = asyncio.run(_crawl_once(settings, sources, worker="demo"))
        if once:
            print(json.dumps(summary, ensure_ascii=False, default=str))
            return
        print(json.dumps(summary, ensure_ascii=False, default=str), file=sys.stderr)
        from akhbar.web.server import BackgroundSite

        site = BackgroundSite(settings, host=web_host, port=web_port).start()
        err.print("crawling on schedule; new demo articles appear every "
                  f"{publish_every:g} s. Ctrl-C stops.")
        err.print(f"operator console: {site.url.rstrip('/')}/admin (first: akhbar --database "
                  f"{settings.database_url} admin create NAME)")
        # stdout, alone on its line: the address a script (or a reader) opens.
        print(f"site: {site.url}", flush=True)

        async def publish(stop: asyncio.Event) -> None:
            while not stop.is_set():
                await asyncio.sleep(publish_every)
                press.publish_more(1)

        try:
            asyncio.run(_crawl_on_schedule(settings, sources, worker="demo", poll=5.0, also=publish))
        finally:
            site.stop()
    except AkhbarError as exc:
        _fail(exc)
    finally:
        press.stop()


# -- the site --------------------------------------------------------------------------------
@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (AKHBAR_WEB_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (AKHBAR_WEB_PORT).")] = None,
) -> None:
    """Serve the reader's site, its JSON API and feeds over the store."""
    from akhbar.web.server import serve as serve_site

    try:
        serve_site(state.settings, host=host, port=port)
    except AkhbarError as exc:
        _fail(exc)


# -- reading ---------------------------------------------------------------------------------
@app.command()
def search(
    query: str,
    limit: Annotated[int, typer.Option()] = 10,
    offset: Annotated[int, typer.Option()] = 0,
    sort: Annotated[str | None, typer.Option(help="relevance or date (default: the query's).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Search stored articles: words, "phrases", OR, -word, source: lang: section:
    after: before: date: sort: (see README, "Search")."""
    import html
    import re

    from akhbar.search import search as run_search

    store = _store(state.settings)
    try:
        results = run_search(store, query, limit=limit, offset=offset, sort=sort)
    except AkhbarError as exc:
        _fail(exc)
    finally:
        store.close()
    for hit in results.hits:
        a = hit.article
        when = (a.published or a.first_seen).strftime("%Y-%m-%d")
        # The snippet is HTML for the site; the terminal gets its text, marks in bold.
        text = html.unescape(re.sub(r"</?mark>", "", hit.snippet))
        if as_json:
            print(json.dumps({"id": a.id, "url": a.url, "source": a.source_id, "lang": a.lang,
                              "published": when, "title": a.title, "score": round(hit.score, 4),
                              "snippet": text}, ensure_ascii=False))
        else:
            marked = "".join(
                {"<mark>": "[b]", "</mark>": "[/b]"}.get(part) or escape(html.unescape(part))
                for part in re.split(r"(</?mark>)", hit.snippet))
            out.print(f"[bold]{escape(a.title)}[/bold]\n  {a.source_id} · {a.lang} · {when} · {a.url}"
                      f"\n  {marked}")
    if not as_json:
        more = "+" if results.total_capped else ""
        out.print(f"{results.total}{more} match(es)" if results.hits or results.total else "no match")


@app.command()
def reindex(
    check: Annotated[bool, typer.Option("--check", help="Only verify; exit 1 when drifted.")] = False,
    full: Annotated[bool, typer.Option("--full", help="Rebuild even if nothing looks wrong.")] = False,
    batch: Annotated[int, typer.Option(help="Articles per committed batch.")] = 1000,
) -> None:
    """Verify the search index against the articles; rebuild it (resumable) when the
    analyzer changed, and add entries missing for stored articles."""
    store = _store(state.settings)
    try:
        status = store.search_index_status()
        if not check and (full or not status.ok):
            with Progress(TextColumn("reindex"), BarColumn(), MofNCompleteColumn(),
                          console=err, transient=True) as progress:
                task = progress.add_task("reindex", total=status.articles)
                status = store.reindex(
                    full=full, batch=batch,
                    progress=lambda done, total: progress.update(task, completed=done, total=total))
    except AkhbarError as exc:
        _fail(exc)
    finally:
        store.close()
    print(json.dumps(dataclasses.asdict(status) | {"ok": status.ok}))
    if not status.ok:
        raise typer.Exit(1)


@app.command("import")
def import_(files: Annotated[list[Path], typer.Argument(help=".warc[.gz] or .jsonl[.gz] files")]) -> None:
    """Backfill the archive from WARC or JSONL files (resumable)."""
    from concurrent.futures import ProcessPoolExecutor

    from akhbar.backfill import import_file
    from akhbar.pipeline import CrawlReport, Pipeline

    settings = state.settings
    store = _store(settings)
    report = CrawlReport()
    try:
        pipeline = Pipeline(store, settings, _registry(settings))
        store.sync_sources(pipeline.sources.values())
        with ProcessPoolExecutor(settings.extract_processes or None) as pool, \
                _crawl_progress(err) as progress:
            for path in files:
                task = progress.add_task(path.name, total=None)
                import_file(pipeline, path, pool, report=report,
                            advance=lambda n, t=task: progress.advance(t, n))
        stats = store.article_stats()
    except (AkhbarError, OSError) as exc:
        _fail(exc)
    finally:
        store.close()
    stories = 0
    if settings.stories_enabled:
        store = _store(settings)
        try:
            stories = Pipeline(store, settings, []).build_stories()
        finally:
            store.close()
    print(json.dumps({"articles": stats["articles"], "new": report.articles_new,
                      "copies_linked": report.copies_linked, "failed": report.pages_failed,
                      "stories_assigned": stories},
                     ensure_ascii=False))


# -- evaluation and settings -----------------------------------------------------------------
@eval_app.command("extract")
def eval_extract(
    directory: Path,
    processes: Annotated[int, typer.Option(help="Extraction processes.")] = 1,
) -> None:
    """Score extraction on a folder in the Zyte benchmark format; prints one JSON object."""
    from akhbar.evaluate.extraction import evaluate_extract_dir

    if not directory.is_dir():
        _fail(f"{directory} is not a folder")
    try:
        result = evaluate_extract_dir(directory, processes=processes)
    except (AkhbarError, OSError, ValueError) as exc:
        _fail(exc)
    print(json.dumps(result))


@eval_app.command("search")
def eval_search(
    file: Path,
    database_url: Annotated[str | None, typer.Option(
        help="PostgreSQL URL: index into a temporary schema there (default: a temporary SQLite).")] = None,
) -> None:
    """Score search on judged queries (JSON lines of docs and queries); prints one JSON object."""
    from akhbar.evaluate.search import evaluate_search

    try:
        result = evaluate_search(file, database_url)
    except (AkhbarError, OSError) as exc:
        _fail(exc)
    print(json.dumps(result, ensure_ascii=False))


@eval_app.command("stories")
def eval_stories(file: Path) -> None:
    """Cluster JSON lines {id, lang, title, text, published, story} in published order through
    the production story clustering (fresh temporary store); prints one JSON object."""
    from akhbar.evaluate.stories import evaluate_stories

    if not file.is_file():
        _fail(f"{file} is not a file")
    try:
        result = evaluate_stories(file, state.settings)
    except (AkhbarError, OSError, UnicodeDecodeError) as exc:
        _fail(exc)
    print(json.dumps(result, ensure_ascii=False))


# -- stories -----------------------------------------------------------------------------------
@stories_app.command("build")
def stories_build() -> None:
    """Give every queued article its story now (workers do it after each crawl pass)."""
    from akhbar.stories.cluster import StoryBuilder

    store = _store(state.settings)
    try:
        builder = StoryBuilder(store, state.settings)
        done = builder.run()
        stats = store.story_stats()
    except AkhbarError as exc:
        _fail(exc)
    finally:
        store.close()
    print(json.dumps({"assigned": done, "evidence": builder.evidence, **stats}, ensure_ascii=False))


@stories_app.command("list")
def stories_list(
    limit: Annotated[int, typer.Option()] = 20,
    lang: Annotated[str | None, typer.Option(help="Headline language (and stories with it).")] = None,
    section: Annotated[str | None, typer.Option()] = None,
) -> None:
    """The top stories, ranked by coverage and recency as on the home page."""
    store = _store(state.settings)
    try:
        stories = store.latest_stories(limit, section=section, lang=lang)
    except AkhbarError as exc:
        _fail(exc)
    finally:
        store.close()
    for s in stories:
        out.print(f"[bold]{s.headline(lang)}[/bold]\n  #{s.id} · {s.n_outlets} outlets · "
                  f"{','.join(s.langs)} · {s.section or '-'} · {s.last_seen:%Y-%m-%d %H:%M}")


@app.command()
def doctor() -> None:
    """Check the installation: store, schema, search index, story evidence in use."""
    from akhbar.stories.embed import available, resolve

    settings = state.settings
    problems = 0

    def line(ok: bool | None, what: str) -> None:
        nonlocal problems
        problems += ok is False
        mark = {True: "[green]ok[/green]", False: "[red]FAIL[/red]", None: "[yellow]note[/yellow]"}[ok]
        out.print(f"{mark}  {what}")

    try:
        store = _store(settings)
    except AkhbarError as exc:
        line(False, f"store {settings.database_url}: {exc}")
        raise typer.Exit(1) from None
    try:
        line(True, f"store reachable: {settings.database_url}")
        line(True, f"schema version {store.migrate()}")
        status_of = getattr(store, "search_index_status", None)
        if status_of is not None:
            try:
                status = status_of()
                line(status.ok, f"search index: {status.indexed}/{status.articles} articles, "
                                f"analyzer {status.analyzer} (current {status.current_analyzer})"
                                + ("" if status.ok else " — run `akhbar reindex`"))
            except AkhbarError as exc:
                line(False, f"search index: {exc}")
        spec = resolve(settings.story_embedder)
        if spec == "none":
            line(None, "stories: lexical evidence only (names, numbers, words, time); "
                       "no embedding model installed or story_embedder = none")
        elif available(spec):
            line(True, f"stories: embeddings ({spec}) + lexical evidence")
        else:
            line(False, f"stories: embedder {spec!r} unavailable: lexical evidence only")
        stats = store.story_stats()
        line(stats["queued"] < 10_000 or None,
             f"stories: {stats['stories']} ({stats['multi_outlet']} with several outlets), "
             f"{stats['queued']} articles waiting")
    finally:
        store.close()
    raise typer.Exit(1 if problems else 0)


@config_app.command("dump")
def config_dump() -> None:
    """Print the settings in force, as TOML."""
    import tomli_w

    sys.stdout.write(tomli_w.dumps(state.settings.dump()))


@app.command()
def migrate() -> None:
    """Create or upgrade the store's schema."""
    store = _store(state.settings)
    store.close()
    out.print(f"store ready: {state.settings.database_url}")


# -- operators of the console (/admin) -------------------------------------------------------
admin_app = typer.Typer(help="Operators of the console at /admin.", no_args_is_help=True)
app.add_typer(admin_app, name="admin")


def _store_password(name: str, from_stdin: bool, save, action: str, command: str) -> None:
    """Read a password for ``name`` (the first line of stdin for scripts, else typed twice
    unseen), check it against the rules (akhbar.web.admin.accounts) before anything is
    stored, then ``save(store, argon2 hash)`` and audit ``action``."""
    from akhbar.web.admin.accounts import check_password, hash_password

    try:
        if from_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        check_password(password, name)
        store = _store(state.settings)
    except AkhbarError as exc:
        _fail(exc)
    try:
        save(store, hash_password(password))
        store.audit("system", action, detail={"name": name, "by": command})
    except AkhbarError as exc:
        _fail(exc)
    finally:
        store.close()


_PASSWORD_STDIN = typer.Option("--password-stdin", help="Read the password from the first line of stdin.")


@admin_app.command("create")
def admin_create(name: str, password_stdin: Annotated[bool, _PASSWORD_STDIN] = False) -> None:
    """Create an operator (the password is asked twice, unseen; at least 12 characters)."""
    from akhbar.web.admin.accounts import check_name

    try:
        check_name(name)
    except AkhbarError as exc:
        _fail(exc)
    _store_password(name, password_stdin, lambda store, hashed: store.add_operator(name, hashed),
                    "operator_create", "akhbar admin create")
    out.print(f"operator {escape(name)} created: log in at /admin/login")


@admin_app.command("passwd")
def admin_passwd(name: str, password_stdin: Annotated[bool, _PASSWORD_STDIN] = False) -> None:
    """Set an operator's password; their open sessions end."""
    _store_password(name, password_stdin,
                    lambda store, hashed: store.set_operator_password(name, hashed),
                    "operator_password", "akhbar admin passwd")
    out.print(f"password of {escape(name)} changed; their sessions are ended")


@admin_app.command("list")
def admin_list() -> None:
    """The operators, their last login and live sessions."""
    try:
        store = _store(state.settings)
    except AkhbarError as exc:
        _fail(exc)
    try:
        operators = store.operators()
    finally:
        store.close()
    table = Table("name", "created", "last login", "sessions")
    for o in operators:
        table.add_row(o["name"], _when(o["created"]), _when(o["last_login"]), str(o["sessions"]))
    out.print(table)
