"""robots.txt for article pages, parsed by protego and cached per origin.

What an answer means follows RFC 9309 and Google's practice: 2xx -> the rules; 4xx (but
429) -> no rules, everything allowed; 5xx, 429 or a network failure -> the site may be in
trouble, so its pages are left alone for now (cached briefly, then asked again).
Feeds are exempt: an outlet that publishes a feed wants it read.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from protego import Protego

from akhbar.errors import FetchError, HTTPStatusError
from akhbar.types import FetchResult

AGENT = "akhbar"
# Google reads the first 500 KiB of a robots.txt and ignores the rest.
MAX_ROBOTS_BYTES = 500 * 1024


@dataclass(frozen=True)
class RobotsRules:
    """What one origin's robots.txt says to us."""

    parser: Protego | None = None  # None: no rules (allow all) unless deny_all
    deny_all: bool = False
    reason: str = ""  # why deny_all: shown in DisallowedByRobots
    fetched_at: float = 0.0  # monotonic
    agent: str = AGENT

    def can_fetch(self, url: str) -> bool:
        if self.deny_all:
            return False
        return self.parser is None or self.parser.can_fetch(url, self.agent)

    @property
    def crawl_delay(self) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(self.agent)
        return float(delay) if delay is not None else None


def rules_from_result(result: FetchResult, agent: str = AGENT) -> RobotsRules:
    text = result.content[:MAX_ROBOTS_BYTES].decode("utf-8", errors="replace")
    return RobotsRules(parser=Protego.parse(text), fetched_at=time.monotonic(), agent=agent)


def rules_from_error(exc: FetchError, agent: str = AGENT) -> RobotsRules:
    now = time.monotonic()
    if isinstance(exc, HTTPStatusError) and 400 <= exc.status < 500 and exc.status != 429:
        return RobotsRules(fetched_at=now, agent=agent)
    return RobotsRules(
        deny_all=True, reason=f"robots.txt unavailable ({exc})", fetched_at=now, agent=agent
    )


class RobotsCache:
    """Rules per origin, each fetched once per ``ttl`` (``error_ttl`` after a failure)."""

    def __init__(self, agent: str = AGENT, ttl: float = 86400.0, error_ttl: float = 600.0):
        self.agent = agent
        self.ttl = ttl
        self.error_ttl = error_ttl
        self._rules: dict[str, RobotsRules] = {}
        # One fetch per origin at a time: concurrent pages of a site wait for the same answer.
        self._locks: dict[str, asyncio.Lock] = {}

    def cached(self, origin: str) -> RobotsRules | None:
        rules = self._rules.get(origin)
        if rules is None:
            return None
        ttl = self.error_ttl if rules.deny_all else self.ttl
        return rules if time.monotonic() - rules.fetched_at < ttl else None

    async def get(self, origin: str, load: Callable[[str], Awaitable[FetchResult]]) -> RobotsRules:
        """Rules for ``origin`` (``scheme://host:port``); ``load(robots_url)`` fetches the file."""
        rules = self.cached(origin)
        if rules is not None:
            return rules
        lock = self._locks.setdefault(origin, asyncio.Lock())
        async with lock:
            rules = self.cached(origin)
            if rules is None:
                try:
                    rules = rules_from_result(await load(origin + "/robots.txt"), self.agent)
                except FetchError as exc:
                    rules = rules_from_error(exc, self.agent)
                self._rules[origin] = rules
            return rules
