"""`akhbar import`: WARC and JSONL through the same pipeline, resumable."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from akhbar.backfill import import_file
from akhbar.config import load_settings
from akhbar.errors import ConfigError
from akhbar.pipeline import CrawlReport, Pipeline
from akhbar.types import Source

SOURCES = [
    Source(id="sahara-news-fr", name="Sahara News", homepage="https://sahara-news.example/",
           feeds=("https://sahara-news.example/feed",), languages=("fr", "ar")),
]

PARAGRAPHS_FR = [
    "Le nouveau barrage de la vallée du Drâa a été inauguré mardi en présence du ministre de "
    "l'Équipement, qui a salué un ouvrage capable de stocker 320 millions de mètres cubes.",
    "Les agriculteurs de la région attendent depuis dix ans cette retenue, qui doit sécuriser "
    "l'irrigation de 14 000 hectares de palmeraies et l'eau potable de trois communes.",
    "Selon l'agence du bassin hydraulique, les travaux ont duré quatre ans et mobilisé plus de "
    "mille ouvriers venus de toute la province de Zagora.",
]
PARAGRAPHS_AR = [
    "افتتح وزير التجهيز يوم الثلاثاء سد وادي درعة الجديد الذي تبلغ سعته التخزينية 320 مليون متر مكعب.",
    "وينتظر فلاحو المنطقة هذا السد منذ عشر سنوات، إذ سيؤمن سقي 14 ألف هكتار من الواحات.",
    "وحسب وكالة الحوض المائي، استغرقت الأشغال أربع سنوات وشارك فيها أكثر من ألف عامل من إقليم زاكورة.",
]


def page(title: str, paragraphs: list[str], lang: str, date: str) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs * 2)
    direction = ' dir="rtl"' if lang == "ar" else ""
    return (
        f'<!doctype html><html lang="{lang}"{direction}><head><meta charset="utf-8">'
        f"<title>{title}</title>"
        f'<meta property="article:published_time" content="{date}"></head>'
        f"<body><nav><a href='/'>Accueil</a></nav><article><h1>{title}</h1>{body}</article>"
        "<footer>© Sahara News</footer></body></html>"
    )


def write_warc(path: Path) -> None:
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        items = [
            ("https://sahara-news.example/fr/barrage-draa", page(
                "Inauguration du barrage du Drâa", PARAGRAPHS_FR, "fr", "2019-03-12T10:30:00+01:00")),
            ("https://sahara-news.example/ar/sad-draa", page(
                "افتتاح سد وادي درعة", PARAGRAPHS_AR, "ar", "2019-03-12T11:00:00+01:00")),
        ]
        for url, html in items:
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")],
                                       protocol="HTTP/1.1")
            record = writer.create_warc_record(url, "response", payload=BytesIO(html.encode()),
                                               http_headers=headers)
            writer.write_record(record)
        # Records that are not article pages are skipped.
        headers = StatusAndHeaders("404 Not Found", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            "https://sahara-news.example/missing", "response", payload=BytesIO(b"gone"),
            http_headers=headers))


@pytest.fixture
def pipeline(store):
    settings = load_settings(env={})
    store.sync_sources(SOURCES)
    return Pipeline(store, settings, SOURCES, worker="import-test")


def test_warc_import_extracts_and_is_idempotent(pipeline, tmp_path):
    warc = tmp_path / "news.warc.gz"
    write_warc(warc)
    with ThreadPoolExecutor(2) as pool:
        report = CrawlReport()
        assert import_file(pipeline, warc, pool, report=report) == 2
        assert report.articles_new == 2
        again = CrawlReport()
        import_file(pipeline, warc, pool, report=again)
    assert again.articles_new == 0
    store = pipeline.store
    fr = store.get_article_by_url("https://sahara-news.example/fr/barrage-draa")
    ar = store.get_article_by_url("https://sahara-news.example/ar/sad-draa")
    assert fr.lang == "fr" and "320 millions" in fr.text and fr.source_id == "sahara-news-fr"
    assert ar.lang == "ar" and "زاكورة" in ar.text
    assert fr.published.year == 2019 and fr.date_source == "page"


def test_jsonl_import_resumes_from_its_checkpoint(pipeline, tmp_path, monkeypatch):
    monkeypatch.setattr("akhbar.backfill.CHECKPOINT_EVERY", 2)
    path = tmp_path / "archive.jsonl"
    rows = [
        {"url": f"https://archive.example/2004/item-{i}", "title": f"Dépêche numéro {i}",
         "text": f"Texte de la dépêche {i}: la commune de Tiznit a voté son budget annuel "
                 f"de {1000 + i} dirhams par habitant, une première depuis {1990 + i % 10}.",
         "published": f"2004-0{1 + i % 9}-1{i % 9}T08:00:00Z"}
        for i in range(7)
    ]

    def write(part):
        with path.open("a", encoding="utf-8") as out:
            for row in part:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")

    write(rows[:4])
    with ThreadPoolExecutor(1) as pool:
        assert import_file(pipeline, path, pool, report=CrawlReport()) == 4
        write(rows[4:])  # the archive grew: only the new lines are read
        report = CrawlReport()
        assert import_file(pipeline, path, pool, report=report) == 3
        assert report.articles_new == 3
        assert import_file(pipeline, path, pool, report=CrawlReport()) == 0
    store = pipeline.store
    assert store.article_stats()["articles"] == 7
    article = store.get_article_by_url("https://archive.example/2004/item-3")
    assert article.published.year == 2004 and article.source_id == "web-archive-example"


def test_jsonl_errors_are_clear(pipeline, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"title": "no url here"}\n', encoding="utf-8")
    with ThreadPoolExecutor(1) as pool, pytest.raises(ConfigError, match="bad.jsonl:1"):
        import_file(pipeline, path, pool, report=CrawlReport())
