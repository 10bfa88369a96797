"""When to check a feed next: politeness kept as stored state (FeedState.next_check).

On success a feed is checked again after its source's ``crawl_interval``, or later when the
server says its answer stays fresh longer (Cache-Control max-age, else Expires). That hint
is capped at 4x the interval and 24 h, so a wrong header cannot make a feed go silent.

On failure the wait doubles with each consecutive error: ``interval * 2**(streak-1)``,
capped at ``max_backoff``. A ±20% jitter is applied to the whole wait (not only the added
part) so that feeds failing together — one host down, many feeds — do not all come back in
the same second, even on their first failure. A server's Retry-After wins when it asks
for longer, still capped at ``max_backoff`` (the operator's "longest wait").

No wait is ever shorter than MIN_DELAY.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

MIN_DELAY = 60  # seconds: the floor, whatever the inputs
FRESHNESS_FACTOR = 4  # a freshness hint may stretch the interval up to this many times
FRESHNESS_CAP = 24 * 3600  # ... and never beyond a day
JITTER = 0.2  # ±20% on failure waits


def _http_date(value: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None:
        return None
    # "-0000" gives a naive datetime; HTTP dates are always GMT.
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def freshness_seconds(headers: Mapping[str, str], now: datetime) -> float | None:
    """How long the server says its answer stays fresh, or None when it says nothing usable."""
    h = {k.lower(): v for k, v in headers.items()}
    directives: dict[str, str] = {}
    for part in h.get("cache-control", "").split(","):
        name, _, value = part.strip().partition("=")
        if name:
            directives[name.lower()] = value.strip().strip('"')
    if "no-store" in directives or "no-cache" in directives:
        return None  # "revalidate every time": our own interval applies
    if "max-age" in directives:
        try:
            max_age = int(directives["max-age"])
        except ValueError:
            return None
        # A cached answer is already Age seconds old.
        try:
            age = max(0, int(h.get("age", "0")))
        except ValueError:
            age = 0
        return max(0, max_age - age)
    if "expires" in h:  # only when there is no max-age (RFC 9111 §5.3)
        expires = _http_date(h["expires"])
        if expires is None:
            return 0  # an invalid Expires means "already expired"
        # Measure against the server's own clock when it gives one: clocks drift.
        served = _http_date(h["date"]) if "date" in h else None
        return max(0.0, (expires - (served or _aware(now))).total_seconds())
    return None


def retry_after_seconds(value: str, now: datetime) -> float | None:
    """A Retry-After header (delay in seconds or an HTTP date) as seconds from now."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    when = _http_date(value)
    return None if when is None else max(0.0, (when - _aware(now)).total_seconds())


def next_check(
    now: datetime,
    *,
    interval: int,
    ok: bool,
    error_streak: int = 0,
    retry_after: float | None = None,
    headers: Mapping[str, str] | None = None,
    max_backoff: int = 86400,
    rng: random.Random | None = None,
) -> datetime:
    """When to check a feed again after a check at ``now``.

    ``error_streak`` counts consecutive failures including this one (1 = first failure).
    ``retry_after`` (seconds) comes from the error; when absent, a Retry-After header in
    ``headers`` is read instead.
    """
    headers = headers or {}
    interval = max(interval, MIN_DELAY)
    ceiling = max(max_backoff, MIN_DELAY)
    if retry_after is None:
        header = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
        if header is not None:
            retry_after = retry_after_seconds(header, now)

    if ok:
        delay = float(interval)
        fresh = freshness_seconds(headers, now)
        if fresh is not None and fresh > interval:
            delay = min(fresh, max(interval, min(FRESHNESS_FACTOR * interval, FRESHNESS_CAP)))
    else:
        streak = max(1, error_streak)
        # Past ~40 doublings any interval exceeds any cap; avoid huge numbers.
        backoff = min(float(interval) * 2 ** min(streak - 1, 40), ceiling)
        rng = rng or random.Random()
        delay = min(backoff * rng.uniform(1 - JITTER, 1 + JITTER), ceiling)

    if retry_after is not None:
        delay = max(delay, min(float(retry_after), ceiling))
    return now + timedelta(seconds=max(delay, MIN_DELAY))
