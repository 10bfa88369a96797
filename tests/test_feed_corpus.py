"""The shared feed corpus: every file parses or is refused with ParseError; agreement with
feed-rs's expected output (scoring in bench/feed_corpus.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conftest import shared_path

# bench/ is a top-level package beside src/; pytest puts only tests/ on the path.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.feed_corpus import (  # noqa: E402
    TARBALLS,
    extract,
    feed_files,
    parse_all,
    score_feed_rs,
)

pytestmark = pytest.mark.shared

# Where we and feed-rs disagree, each looked at by hand. Both are dates feed-rs cannot read
# and returns None for, while we read them leniently:
#  - "Sat, Dec 16 2023 02:02:33 PM" (no zone: read as Moroccan local time by parse.dates);
#  - "2017-06-13T03:18:00+00:0" (truncated offset, read as +00:00).
# Neither expected None is clearly right, so they are left as disagreements, not special-cased.
KNOWN_DISAGREEMENTS = {
    ("rss2/rss_2.0_nbcny.xml", "published"),
    ("rss1/rss_1.0_example_1.xml", "published"),
}


@pytest.mark.parametrize("tarball", TARBALLS)
def test_every_corpus_file_parses_or_is_refused(tarball, tmp_path, record_property):
    root = extract(shared_path("feeds-test-corpus", tarball), tmp_path)
    files = feed_files(root)
    assert files
    counts = parse_all(files)  # any exception other than ParseError fails the test here
    record_property("counts", counts)
    print(tarball, counts)
    assert counts["parsed"] + counts["parse_error"] == len(files)
    # Refusals are rare and each is a document that is not a feed (fragments, empty files).
    assert counts["parse_error"] <= max(10, len(files) // 100)


def test_moroccan_regenerated_feeds_all_parse():
    root = shared_path("feeds-test-corpus", "morocco-regenerated-feeds")
    counts = parse_all(feed_files(root))
    assert counts == {"files": 3, "parsed": 3, "parse_error": 0, "reasons": {}}


def test_agreement_with_feed_rs(record_property):
    score = score_feed_rs(shared_path("feeds-test-corpus", "feed-rs-fixtures.tar.gz"))
    record_property("feed_rs", {k: v for k, v in score.items() if k != "disagreements"})
    print({k: v for k, v in score.items() if k != "disagreements"})
    assert score["entries"] >= 90
    assert score["agree_title"] / score["entries"] >= 0.98
    assert score["agree_link"] / score["entries"] >= 0.98
    found = {
        (d["file"], field)
        for d in score["disagreements"]
        for field in ("title", "link", "published")
        if d[field] is not None
    }
    assert found <= KNOWN_DISAGREEMENTS, found - KNOWN_DISAGREEMENTS
    # 92 of 94 today: the two debatable dates above keep it just under 0.98.
    assert score["share"] >= 0.97
