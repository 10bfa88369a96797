"""Feed schedule: success spacing, freshness hints, backoff with jitter, Retry-After."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from akhbar.sources.schedule import (
    MIN_DELAY,
    freshness_seconds,
    next_check,
    retry_after_seconds,
)

NOW = datetime(2024, 3, 11, 8, 30, tzinfo=UTC)  # 1 Ramadan 1445, a busy news morning


def wait(**kwargs) -> float:
    kwargs.setdefault("rng", random.Random(7))
    return (next_check(NOW, **kwargs) - NOW).total_seconds()


# --- success --------------------------------------------------------------------------


def test_success_waits_the_interval():
    assert wait(interval=900, ok=True) == 900
    assert wait(interval=1800, ok=True, error_streak=0) == 1800
    # the streak of a previous failure does not matter once it worked
    assert wait(interval=900, ok=True, error_streak=5) == 900


def test_success_has_a_floor():
    assert wait(interval=5, ok=True) == MIN_DELAY


def test_longer_max_age_is_honoured_up_to_four_intervals():
    assert wait(interval=900, ok=True, headers={"Cache-Control": "public, max-age=1500"}) == 1500
    assert wait(interval=900, ok=True, headers={"cache-control": "max-age=999999"}) == 4 * 900
    # and never beyond a day, even for a long interval
    assert wait(interval=12 * 3600, ok=True, headers={"cache-control": "max-age=999999"}) == 86400


def test_shorter_max_age_does_not_make_us_check_sooner():
    assert wait(interval=900, ok=True, headers={"cache-control": "max-age=60"}) == 900
    assert wait(interval=900, ok=True, headers={"cache-control": "max-age=0"}) == 900
    assert wait(interval=900, ok=True, headers={"cache-control": "no-cache, max-age=5000"}) == 900


def test_age_is_subtracted_from_max_age():
    assert wait(interval=900, ok=True, headers={"cache-control": "max-age=3000", "age": "1000"}) == 2000


def test_expires_is_read_against_the_server_date():
    served = "Mon, 11 Mar 2024 08:00:00 GMT"  # server clock 30 min behind ours
    expires = "Mon, 11 Mar 2024 08:40:00 GMT"
    assert wait(interval=900, ok=True, headers={"Date": served, "Expires": expires}) == 2400
    # without a Date header, against our own clock: 10 minutes left, shorter than the interval
    assert wait(interval=900, ok=True, headers={"Expires": expires}) == 900
    # max-age wins over Expires
    headers = {"Date": served, "Expires": expires, "Cache-Control": "max-age=1000"}
    assert wait(interval=900, ok=True, headers=headers) == 1000
    # an invalid Expires means already expired
    assert wait(interval=900, ok=True, headers={"Expires": "0"}) == 900


def test_freshness_helpers():
    assert freshness_seconds({}, NOW) is None
    assert freshness_seconds({"Cache-Control": "max-age=abc"}, NOW) is None
    assert freshness_seconds({"Cache-Control": 'max-age="120"'}, NOW) == 120
    assert retry_after_seconds("120", NOW) == 120
    assert retry_after_seconds("Mon, 11 Mar 2024 09:30:00 GMT", NOW) == 3600
    assert retry_after_seconds("demain", NOW) is None


# --- failure --------------------------------------------------------------------------


def test_backoff_doubles_with_the_streak_within_jitter():
    for streak in range(1, 7):
        base = 900 * 2 ** (streak - 1)
        for seed in range(50):
            w = wait(interval=900, ok=False, error_streak=streak, rng=random.Random(seed))
            assert 0.8 * base <= w <= 1.2 * base


def test_backoff_is_capped():
    for seed in range(50):
        w = wait(interval=900, ok=False, error_streak=30, rng=random.Random(seed))
        assert 0.8 * 86400 <= w <= 86400
    assert wait(interval=900, ok=False, error_streak=10_000, max_backoff=7200) <= 7200
    assert wait(interval=900, ok=False, error_streak=3, max_backoff=1000) <= 1000


def test_a_streak_of_zero_on_failure_counts_as_the_first_failure():
    a = wait(interval=600, ok=False, error_streak=0, rng=random.Random(3))
    b = wait(interval=600, ok=False, error_streak=1, rng=random.Random(3))
    assert a == b


def test_jitter_is_deterministic_with_a_seed_and_spreads_feeds():
    one = [wait(interval=900, ok=False, error_streak=2, rng=random.Random(s)) for s in range(20)]
    two = [wait(interval=900, ok=False, error_streak=2, rng=random.Random(s)) for s in range(20)]
    assert one == two
    assert len(set(one)) > 10  # feeds failing together come back at different times
    assert min(one) >= 0.8 * 1800 and max(one) <= 1.2 * 1800


def test_retry_after_wins_when_longer():
    assert wait(interval=900, ok=False, error_streak=1, retry_after=7200) == 7200
    # shorter: our backoff stands
    w = wait(interval=900, ok=False, error_streak=3, retry_after=10)
    assert 0.8 * 3600 <= w <= 1.2 * 3600
    # but not beyond the operator's longest wait
    assert wait(interval=900, ok=False, error_streak=1, retry_after=10**9) == 86400
    assert wait(interval=900, ok=False, error_streak=1, retry_after=10**9, max_backoff=3600) == 3600


def test_retry_after_header_is_read_when_no_value_is_given():
    assert wait(interval=900, ok=False, error_streak=1, headers={"Retry-After": "5000"}) == 5000
    headers = {"retry-after": "Mon, 11 Mar 2024 10:30:00 GMT"}
    assert wait(interval=900, ok=False, error_streak=1, headers=headers) == 7200
    # an explicit value wins over the header
    assert wait(interval=900, ok=False, error_streak=1, retry_after=4000,
                headers={"Retry-After": "5000"}) == 4000


def test_naive_now_stays_naive():
    naive = datetime(2024, 3, 11, 8, 30)
    result = next_check(naive, interval=900, ok=True, headers={"Expires": "Mon, 11 Mar 2024 10:30:00 GMT"})
    assert result == naive + timedelta(seconds=3600)


@pytest.mark.parametrize("ok", [True, False])
def test_never_below_the_floor(ok):
    assert wait(interval=1, ok=ok, error_streak=1, max_backoff=1) >= MIN_DELAY
