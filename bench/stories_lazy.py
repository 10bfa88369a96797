"""Before/after of skipping the embedding when the keys alone decide (``lexical_join``),
in one run on one archive: the same queue of new articles, assigned on two copies of
the same SQLite file, with the skip off and on; then ECB+ and the demo press both ways.

    AKHBAR_BENCH_STORIES_N=150000 nice python -m bench.stories_lazy
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import stories as B


def _off():
    from akhbar.stories import cluster

    saved = cluster.lexical_join
    cluster.lexical_join = lambda *a, **k: None
    return lambda: setattr(cluster, "lexical_join", saved)


def _run(path: Path, settings) -> dict:
    from akhbar.store.base import open_store
    from akhbar.stories.cluster import StoryBuilder

    store = open_store(f"sqlite:///{path}")
    builder = StoryBuilder(store, settings)
    builder.embedder.embed(["warm up"])
    builder.classifier._prepare()
    started, cpu = time.monotonic(), time.process_time()
    done = builder.run()
    seconds, cpu = time.monotonic() - started, time.process_time() - cpu
    store.close()
    return {"articles": done, "seconds": round(seconds, 2), "articles_per_s": round(done / seconds, 1),
            "cpu_s": round(cpu, 2), "per_cpu_s": round(done / cpu, 1),
            "embed_s": round(builder.embed_seconds, 2), "skipped": builder.skipped_embeddings,
            "load": round(os.getloadavg()[0], 1)}


def main() -> None:
    from akhbar.enrich.fingerprint import content_hash, lsh_bands, minhash_signature
    from akhbar.evaluate.stories import cluster_records, cluster_scores
    from akhbar.pipeline import CrawlReport, Pipeline
    from akhbar.store.base import open_store
    from akhbar.types import Article, Source

    settings = B._settings()
    n = int(os.environ.get("AKHBAR_BENCH_STORIES_N", "150000"))
    new = B.demo_records()
    out = {"archive": n}
    with tempfile.TemporaryDirectory(prefix="akhbar-bench-lazy-") as tmp:
        path = Path(tmp) / "archive.db"
        B._fill_archive(path, n)
        store = open_store(f"sqlite:///{path}")
        sources = [Source(id=s, name=s, homepage=f"https://{s}.invalid/", feeds=(),
                          languages=("fr", "ar", "en")) for s in sorted({r["source"] for r in new})]
        store.sync_sources(sources + [Source(id="archive", name="Archive",
                                             homepage="https://a.invalid/", feeds=(),
                                             languages=("fr",))])
        pipeline = Pipeline(store, settings.replace(stories_enabled=False), sources)
        end = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(days=n / 5000)
        first = min(r["published"] for r in new)
        for r in sorted(new, key=lambda r: r["published"]):
            when = end + (r["published"] - first) / 200
            sig = minhash_signature(r["text"])
            pipeline.store_article(Article(
                url=f"https://{r['source']}.invalid/{r['id']}", source_id=r["source"],
                title=r["title"], text=r["text"], lang=r["lang"], first_seen=when, published=when,
                date_source="feed", content_hash=content_hash(r["text"]), minhash=sig,
                minhash_bands=lsh_bands(sig)), (), CrawlReport())
        store.close()
        copy = Path(tmp) / "copy.db"
        shutil.copyfile(path, copy)
        restore = _off()
        out["speed_before"] = _run(copy, settings)
        restore()
        out["speed_after"] = _run(path, settings)
    for label, records in (("ecb", B.ecb_records()), ("demo", B.demo_records())):
        gold = {r["id"]: r["story"] for r in records if r["story"]}
        for when in ("before", "after"):
            restore = _off() if when == "before" else (lambda: None)
            pred, builder = cluster_records(records, settings)
            restore()
            s = cluster_scores(pred, gold)
            out[f"{label}_{when}"] = {k: round(s[k], 4) for k in ("bcubed_f1", "bcubed_p", "bcubed_r")}
            out[f"{label}_{when}"]["skipped"] = builder.skipped_embeddings
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
