from __future__ import annotations

import gzip
import json
from datetime import UTC, date, datetime, timedelta

import pytest

from akhbar.parse.dates import (
    CASABLANCA,
    choose_published,
    date_from_url,
    is_date_only,
    parse_date_text,
)
from conftest import shared_path


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# Morocco is UTC+1 except around Ramadan (2024: 10 March to 14 April at UTC+0);
# September dates below are at UTC+1, March 2024 ones at UTC+0.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # RFC 822/2822 (RSS pubDate)
        ("Thu, 12 Sep 2024 10:30:00 +0100", utc(2024, 9, 12, 9, 30)),
        ("Thu, 12 Sep 2024 10:30:00 GMT", utc(2024, 9, 12, 10, 30)),
        ("Thu, 12 Sep 2024 10:30:00 -0000", utc(2024, 9, 12, 10, 30)),
        ("Thu, 12 Sep 2024 10:30:00", utc(2024, 9, 12, 9, 30)),  # naive: Moroccan time
        # ISO 8601
        ("2024-09-12T10:30:00Z", utc(2024, 9, 12, 10, 30)),
        ("2024-09-12T10:30:00+02:00", utc(2024, 9, 12, 8, 30)),
        ("2024-09-12T10:30:00.123+0100", utc(2024, 9, 12, 9, 30, 0, 123000)),
        ("2024-09-12 10:30", utc(2024, 9, 12, 9, 30)),
        ("2024-09-12", utc(2024, 9, 12)),
        # French
        ("12 septembre 2024 à 10h30", utc(2024, 9, 12, 9, 30)),
        ("Jeudi 12 Septembre 2024 - 10:30", utc(2024, 9, 12, 9, 30)),
        ("1er août 2023 à 9h", utc(2023, 8, 1, 8, 0)),
        ("le 3 fevrier 2023, 18 heures", utc(2023, 2, 3, 17, 0)),
        ("12 déc. 2023", utc(2023, 12, 12)),
        ("Publié le 12.09.2024 à 08h05 GMT+1", utc(2024, 9, 12, 7, 5)),
        ("12/09/2024", utc(2024, 9, 12)),
        ("12/09/24 14:00", utc(2024, 9, 12, 13, 0)),
        # Ramadan: Morocco at UTC+0, zoneinfo knows
        ("12 mars 2024 à 10h30", utc(2024, 3, 12, 10, 30)),
        # Arabic: Moroccan, Egyptian, Algerian/Tunisian and Levantine month names
        ("12 شتنبر 2024", utc(2024, 9, 12)),
        ("الخميس 12 شتنبر 2024 - 10:30", utc(2024, 9, 12, 9, 30)),
        ("الثلاثاء 12 مارس 2024 - 10:30", utc(2024, 3, 12, 10, 30)),
        ("١٢ مارس ٢٠٢٤", utc(2024, 3, 12)),
        ("١٢ غشت ٢٠٢٤ - ١٠:٣٠", utc(2024, 8, 12, 9, 30)),
        ("5 يوليوز 2023", utc(2023, 7, 5)),
        ("5 يوليو 2023", utc(2023, 7, 5)),
        ("5 جويلية 2023", utc(2023, 7, 5)),
        ("20 نونبر 2023", utc(2023, 11, 20)),
        ("20 دجنبر 2023", utc(2023, 12, 20)),
        ("1 ماي 2023", utc(2023, 5, 1)),
        ("1 إبريل 2023", utc(2023, 4, 1)),
        ("1 أفريل 2023", utc(2023, 4, 1)),
        ("15 كانون الثاني 2024", utc(2024, 1, 15)),
        ("15 تشرين الأول 2023", utc(2023, 10, 15)),
        ("15 آذار (مارس) 2023", utc(2023, 3, 15)),
        ("15 أيلول/سبتمبر 2023", utc(2023, 9, 15)),
        ("السبت 17 شتنبر 2022 على الساعة 9:15 مساء", utc(2022, 9, 17, 20, 15)),
        # Hijri date printed first is skipped for the Gregorian one
        ("الأحد 27 ربيع الأول 1446 الموافق 29 شتنبر 2024", utc(2024, 9, 29)),
        # English
        ("September 12, 2024 10:30 AM", utc(2024, 9, 12, 9, 30)),
        ("Sept. 12th, 2024 10:30 pm", utc(2024, 9, 12, 21, 30)),
        ("12 Sep 2024", utc(2024, 9, 12)),
        ("Dec 16 2023 02:02:33 PM", utc(2023, 12, 16, 13, 2, 33)),
        ("December 16, 2023 at 2:02 pm", utc(2023, 12, 16, 13, 2)),
        ("Saturday, 16-Dec-23 14:02:33 GMT", utc(2023, 12, 16, 14, 2, 33)),
        ("12:30 - 16 décembre 2023", utc(2023, 12, 16, 11, 30)),  # time before the date
        ("16 ديسمبر 2023 | 14:02", utc(2023, 12, 16, 13, 2)),
    ],
)
def test_parse_date_text(text: str, expected: datetime) -> None:
    value = parse_date_text(text)
    assert value == expected
    assert value is not None and value.tzinfo is UTC


@pytest.mark.parametrize(
    "text",
    ["", "   ", "hier", "il y a 3 heures", "منذ ساعتين", "2024-13-45", "31/02/2024", "mars 2024",
     "12 mars", "Thu, 45 Foo 2024"],
)
def test_unparseable_gives_none(text: str) -> None:
    assert parse_date_text(text) is None


def test_numeric_dates_day_first_unless_english_only() -> None:
    assert parse_date_text("03/04/2024") == utc(2024, 4, 3)
    assert parse_date_text("03/04/2024", langs=("fr", "ar")) == utc(2024, 4, 3)
    assert parse_date_text("03/04/2024", langs=("en",)) == utc(2024, 3, 4)
    # Only one reading is a date: take it whatever the language.
    assert parse_date_text("03/25/2024") == utc(2024, 3, 25)
    assert parse_date_text("25/03/2024", langs=("en",)) == utc(2024, 3, 25)


def test_date_only_values() -> None:
    value = parse_date_text("12 شتنبر 2024")
    assert value is not None and is_date_only(value)
    assert value.date() == value.astimezone(CASABLANCA).date() == date(2024, 9, 12)
    moment = parse_date_text("12 شتنبر 2024 10:30")
    assert moment is not None and not is_date_only(moment)
    # Local midnight, as another extractor might write a day, is also a day.
    assert is_date_only(datetime(2024, 9, 12, tzinfo=CASABLANCA))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://exemple.ma/2024/03/12/le-budget-adopte/", date(2024, 3, 12)),
        ("https://exemple.ma/politique/2024/3/5/slug", date(2024, 3, 5)),
        ("https://exemple.ma/article/20240312/budget", date(2024, 3, 12)),
        ("https://exemple.ma/budget-adopte-2024-03-12.html", date(2024, 3, 12)),
        ("https://exemple.ma/%D8%AE%D8%A8%D8%B1-2024-03-12", date(2024, 3, 12)),
        ("https://exemple.ma/2024/03/budget", None),  # no day
        ("https://exemple.ma/article/123456789", None),
        ("https://exemple.ma/article/20241399", None),  # not a date
        ("https://exemple.ma/article/1?d=2024-03-12", None),  # only the path counts
    ],
)
def test_date_from_url(url: str, expected: date | None) -> None:
    assert date_from_url(url) == expected


# choose_published: one test per rule.
NOW = utc(2024, 9, 20, 12, 0)
SEEN = utc(2024, 9, 20, 11, 0)


def choose(**kw: object) -> tuple[datetime, str]:
    args: dict[str, object] = dict(
        feed=None, page=None, url_date=None, first_seen=SEEN, founded=None, now=NOW
    )
    args.update(kw)
    return choose_published(**args)  # type: ignore[arg-type]


def test_page_with_time_beats_feed() -> None:
    page, feed = utc(2024, 9, 18, 8, 15), utc(2024, 9, 20, 9, 0)  # feed re-published it
    assert choose(feed=feed, page=page) == (page, "page")


def test_feed_time_beats_page_day_within_a_day() -> None:
    feed = utc(2024, 9, 19, 22, 40)
    assert choose(feed=feed, page=utc(2024, 9, 19)) == (feed, "feed")
    assert choose(feed=feed, page=utc(2024, 9, 20)) == (feed, "feed")


def test_page_day_beats_feed_more_than_a_day_away() -> None:
    feed = utc(2024, 9, 20, 9, 0)
    assert choose(feed=feed, page=utc(2024, 9, 10)) == (utc(2024, 9, 10), "page")


def test_feed_alone_and_page_day_alone() -> None:
    feed = utc(2024, 9, 20, 9, 0)
    assert choose(feed=feed) == (feed, "feed")
    assert choose(page=datetime(2024, 9, 19, tzinfo=CASABLANCA)) == (utc(2024, 9, 19), "page")


def test_page_day_beats_feed_day() -> None:
    assert choose(feed=utc(2024, 9, 20), page=utc(2024, 9, 12)) == (utc(2024, 9, 12), "page")
    assert choose(feed=utc(2024, 9, 20)) == (utc(2024, 9, 20), "feed")


def test_url_date_when_nothing_else() -> None:
    assert choose(url_date=date(2024, 9, 18)) == (utc(2024, 9, 18), "url")
    # Feed wins over the URL.
    feed = utc(2024, 9, 18, 7, 0)
    assert choose(feed=feed, url_date=date(2024, 9, 18)) == (feed, "feed")


def test_first_seen_fallback() -> None:
    assert choose() == (SEEN, "first_seen")


def test_future_dates_are_implausible() -> None:
    # Ten minutes of clock skew are allowed, past first_seen…
    skewed = SEEN + timedelta(minutes=9)
    assert choose(feed=skewed) == (skewed, "feed")
    # …but not more, even when still before now.
    assert choose(feed=SEEN + timedelta(minutes=30)) == (SEEN, "first_seen")
    assert choose(page=utc(2025, 1, 1, 10, 0), feed=utc(2024, 9, 19, 10, 0)) == (
        utc(2024, 9, 19, 10, 0), "feed")
    assert choose(page=utc(2024, 9, 21), url_date=date(2024, 9, 22)) == (SEEN, "first_seen")
    # A day-only value for today is fine even just after midnight UTC.
    seen = utc(2024, 9, 20, 0, 5)
    assert choose(page=utc(2024, 9, 20), first_seen=seen, now=seen) == (utc(2024, 9, 20), "page")


def test_before_founding_is_implausible() -> None:
    founded = date(2010, 5, 1)
    assert choose(page=utc(2009, 1, 1, 10, 0), founded=founded) == (SEEN, "first_seen")
    assert choose(page=utc(2010, 5, 1, 10, 0), founded=founded) == (utc(2010, 5, 1, 10, 0), "page")
    # Unknown founding date: nothing before 1990 (CMS zero dates, 1970 epochs).
    assert choose(feed=utc(1970, 1, 1, 0, 0, 1)) == (SEEN, "first_seen")
    assert choose(url_date=date(1989, 12, 31)) == (SEEN, "first_seen")
    assert choose(url_date=date(1990, 1, 2)) == (utc(1990, 1, 2), "url")


def test_implausible_page_falls_back_to_next_rule() -> None:
    assert choose(page=utc(1900, 1, 1, 10, 0), url_date=date(2024, 9, 1)) == (
        utc(2024, 9, 1), "url")


@pytest.mark.shared
def test_dates_printed_by_moroccan_french_sites() -> None:
    path = shared_path("morocco-fr-headlines-2019", "morocco_fr_headlines_2019.jsonl.gz")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    parsed = [parse_date_text(r["date"] or "", ("fr",)) for r in rows]
    hits = sum(v is not None and v.date().isoformat() == r["date_iso"] for v, r in zip(parsed, rows, strict=True))
    print(f"\nprinted dates parsed: {hits}/{len(rows)}")
    assert hits == len(rows)
