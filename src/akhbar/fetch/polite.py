"""Per-host politeness: few connections, spaced starts, cool-downs after 429/503.

A host is an origin (scheme, host, port). Each has a :class:`HostGate`; all requests also
share one global semaphore. The guarantee is about starts: two requests to one host never
start less than the delay apart, whatever the concurrency of the callers.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email.utils import parsedate_to_datetime

import httpx

from akhbar.errors import HTTPStatusError


def origin_of(url: httpx.URL) -> str:
    """``https://example.ma:443``: the unit of politeness (and of robots.txt)."""
    port = url.port or (443 if url.scheme == "https" else 80)
    host = url.host if ":" not in url.host else f"[{url.host}]"
    return f"{url.scheme}://{host}:{port}"


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None if unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None  # HTTP-dates are GMT; a naive one is not an HTTP-date
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


def backoff(attempt: int, base: float, cap: float = 60.0) -> float:
    """Exponential backoff with full jitter: uniform in [0, base * 2**attempt], capped."""
    return random.uniform(0.0, min(cap, base * (2**attempt)))


class HostGate:
    """Connections, spacing and cool-down for one origin."""

    def __init__(self, origin: str, connections: int):
        self.origin = origin
        self._slots = asyncio.Semaphore(max(1, connections))
        # Held while waiting for one's start time, so starts are handed out in order.
        self._start_lock = asyncio.Lock()
        self._next_start = 0.0  # monotonic time before which no request may start
        self.cooldown_until = 0.0
        self.cooldown_status = 429
        self.crawl_delay = 0.0  # from robots.txt, already capped

    def cool_down(self, seconds: float, status: int) -> None:
        """No request to this host starts in the next ``seconds`` (e.g. after a 429)."""
        until = time.monotonic() + max(0.0, seconds)
        if until > self.cooldown_until:
            self.cooldown_until = until
            self.cooldown_status = status

    def cooldown_left(self) -> float:
        return max(0.0, self.cooldown_until - time.monotonic())

    def refuse_if_cooling(self, max_wait: float, url: str) -> None:
        """Fail at once when the host asked for a pause longer than we are willing to wait."""
        left = self.cooldown_left()
        if left > max_wait:
            raise HTTPStatusError(
                f"{self.origin} asked us to wait {left:.0f} s",
                url,
                status=self.cooldown_status,
                retry_after=left,
            )

    @asynccontextmanager
    async def turn(
        self, delay: float, global_slots: asyncio.Semaphore, max_wait: float, url: str
    ) -> AsyncIterator[None]:
        """Wait for a connection slot, the start time and a global slot; then run the request."""
        delay = max(delay, self.crawl_delay)
        async with self._slots:
            async with self._start_lock:
                while True:
                    self.refuse_if_cooling(max_wait, url)
                    wait = max(self.cooldown_left(), self._next_start - time.monotonic())
                    if wait <= 0:
                        break
                    # Re-check after sleeping: a 429 may have extended the cool-down meanwhile.
                    await asyncio.sleep(wait)
                await global_slots.acquire()
                # The start is now; spacing counts from the real start, not the reservation.
                self._next_start = time.monotonic() + delay
            try:
                yield
            finally:
                global_slots.release()


class Politeness:
    """The gates of all hosts and the global cap."""

    def __init__(self, *, per_host_connections: int, global_concurrency: int, max_wait: float):
        self.per_host_connections = per_host_connections
        self.max_wait = max_wait
        self._global = asyncio.Semaphore(max(1, global_concurrency))
        self._gates: dict[str, HostGate] = {}

    def gate(self, origin: str) -> HostGate:
        gate = self._gates.get(origin)
        if gate is None:
            gate = self._gates[origin] = HostGate(origin, self.per_host_connections)
        return gate

    def turn(self, origin: str, delay: float, url: str):  # -> async context manager
        return self.gate(origin).turn(delay, self._global, self.max_wait, url)
