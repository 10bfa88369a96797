"""Polite HTTP fetching: per-host spacing, robots.txt, SSRF guard, bounded downloads.

async with Fetcher(settings) as fetcher:
    result = await fetcher.fetch(url, kind="feed", etag=state.etag)
"""

from akhbar.fetch.client import Fetcher
from akhbar.fetch.decode import BoundedDecoder, ContentDecodeError
from akhbar.fetch.netguard import NetGuard, is_blocked, parse_networks
from akhbar.fetch.polite import origin_of, parse_retry_after
from akhbar.fetch.robots import RobotsCache, RobotsRules

__all__ = [
    "BoundedDecoder",
    "ContentDecodeError",
    "Fetcher",
    "NetGuard",
    "RobotsCache",
    "RobotsRules",
    "is_blocked",
    "origin_of",
    "parse_networks",
    "parse_retry_after",
]
