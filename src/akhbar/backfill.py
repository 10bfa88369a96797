"""`akhbar import`: backfill the archive from WARC files (e.g. Common Crawl News) and JSONL.

Records go through the same extraction, enrichment, de-duplication and store as crawled
pages. Progress is saved as a checkpoint (records done per file), so an interrupted import
resumes where it stopped.

JSONL lines: {"url": ..., "html": ...} (extracted like a crawled page), or
{"url": ..., "title": ..., "text": ..., "published": ISO-8601, "lang"?: ...} (taken as given).
Optional on both: "source" (a source id), "first_seen".
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from akhbar.enrich import article_from, build_article
from akhbar.errors import AkhbarError, ConfigError
from akhbar.parse.dates import parse_date_text
from akhbar.parse.urls import url_key
from akhbar.pipeline import CrawlReport, Pipeline
from akhbar.types import Extracted, FeedEntry, Source

CHECKPOINT_EVERY = 200


@dataclass(frozen=True)
class Record:
    """One page to import, whatever the file format."""

    url: str
    first_seen: datetime
    html: bytes | None = None
    content_type: str | None = None
    title: str = ""
    text: str = ""
    published: datetime | None = None
    source_id: str | None = None


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").removeprefix("www.")


class SourceMatcher:
    """Which source a URL belongs to: by host, else an ad-hoc source named after the host."""

    def __init__(self, sources: list[Source]):
        self.by_id = {s.id: s for s in sources}
        self.by_host: dict[str, Source] = {}
        for s in sources:
            for url in (s.homepage, *s.feeds):
                self.by_host.setdefault(_host(url), s)
        self.added: dict[str, Source] = {}

    def __call__(self, record: Record) -> Source:
        if record.source_id:
            if record.source_id not in self.by_id:
                raise ConfigError(f"unknown source {record.source_id!r} in import record")
            return self.by_id[record.source_id]
        host = _host(record.url)
        if host in self.by_host:
            return self.by_host[host]
        slug = re.sub(r"[^a-z0-9]+", "-", host.lower()).strip("-") or "unknown"
        source = Source(id=f"web-{slug}", name=host, homepage=f"https://{host}/", feeds=(),
                        languages=())
        self.by_host[host] = self.by_id[source.id] = self.added[host] = source
        return source


def read_warc(path: Path) -> Iterator[Record]:
    from warcio.archiveiterator import ArchiveIterator

    with path.open("rb") as stream:
        for rec in ArchiveIterator(stream):
            if rec.rec_type != "response" or rec.http_headers is None:
                continue
            if rec.http_headers.get_statuscode() != "200":
                continue
            content_type = rec.http_headers.get_header("Content-Type") or ""
            if "html" not in content_type.lower():
                continue
            date = rec.rec_headers.get_header("WARC-Date")
            yield Record(
                url=rec.rec_headers.get_header("WARC-Target-URI"),
                first_seen=_parse_iso(date) or datetime.now(UTC),
                html=rec.content_stream().read(),
                content_type=content_type,
            )


def read_jsonl(path: Path) -> Iterator[Record]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                url = data["url"]
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise ConfigError(f"{path}:{number}: not a JSON object with a url ({exc})") from exc
            html = data.get("html")
            yield Record(
                url=url,
                first_seen=_parse_iso(data.get("first_seen")) or datetime.now(UTC),
                html=html.encode("utf-8") if html else None,
                content_type="text/html; charset=utf-8" if html else None,
                title=data.get("title") or "",
                text=data.get("text") or "",
                published=_parse_iso(data.get("published")),
                source_id=data.get("source"),
            )


def _parse_iso(value: str | None) -> datetime | None:
    return parse_date_text(value) if value else None


def read_records(path: Path) -> Iterator[Record]:
    name = path.name.lower()
    if name.endswith((".warc", ".warc.gz", ".arc", ".arc.gz")):
        return read_warc(path)
    if name.endswith((".jsonl", ".jsonl.gz", ".ndjson")):
        return read_jsonl(path)
    raise ConfigError(f"{path}: cannot tell the format (expected .warc[.gz] or .jsonl[.gz])")


def _checkpoint_name(path: Path) -> str:
    # By path: an archive that grows (appended JSONL) resumes after the lines already read.
    return "import:" + hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:16]


def _article_from_record(record: Record, source: Source, now: datetime):
    """Runs in the process pool: extraction for HTML records, plain text otherwise."""
    entry = FeedEntry(link=record.url, title=record.title, published=record.published)
    if record.html is not None:
        return build_article(record.html, record.content_type, record.url, entry, source,
                             record.first_seen, now)
    page = Extracted(text=record.text, extractor="import")
    return article_from(entry, page, source, page_url=record.url,
                        first_seen=record.first_seen, now=now)


def import_file(
    pipeline: Pipeline,
    path: Path,
    executor: Executor,
    *,
    report: CrawlReport,
    advance: Callable[[int], None] | None = None,
) -> int:
    """Import one file, resuming after its checkpoint; returns records processed this time."""
    store = pipeline.store
    matcher = SourceMatcher(list(pipeline.sources.values()))
    name = _checkpoint_name(path)
    done = int(store.get_checkpoint(name) or 0)
    processed = 0
    batch: list[tuple[Record, Source]] = []

    def flush() -> None:
        nonlocal processed
        if matcher.added:
            pipeline.sources.update({s.id: s for s in matcher.added.values()})
            store.sync_sources(pipeline.sources.values())
            matcher.added.clear()
        now = datetime.now(UTC)
        futures = [executor.submit(_article_from_record, r, s, now) for r, s in batch]
        for (record, source), future in zip(batch, futures, strict=True):
            try:
                article = future.result()
            except AkhbarError as exc:
                report.pages_failed += 1
                store.record_page(source.id, record.url, ok=False, error=f"{type(exc).__name__}: {exc}")
                continue
            pipeline.store_article(article, {url_key(record.url)}, report)
        processed += len(batch)
        store.set_checkpoint(name, str(done + processed))
        if advance:
            advance(len(batch))
        batch.clear()

    for index, record in enumerate(read_records(path)):
        if index < done:
            continue
        if store.known_urls({url_key(record.url)}):
            processed += 1
            continue
        batch.append((record, matcher(record)))
        if len(batch) >= CHECKPOINT_EVERY:
            flush()
    if batch:
        flush()
    store.set_checkpoint(name, str(done + processed))
    return processed
