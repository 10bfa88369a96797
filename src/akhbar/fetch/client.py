"""The polite fetcher: one httpx.AsyncClient behind politeness, robots and the SSRF guard.

``fetch`` returns a :class:`FetchResult` for 2xx and 304, and raises a
:class:`akhbar.errors.FetchError` subclass for everything else.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from types import TracebackType

import httpx

from akhbar.config import Settings
from akhbar.errors import (
    DisallowedByRobots,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    TooLarge,
    TooManyRedirects,
)
from akhbar.fetch.decode import BoundedDecoder
from akhbar.fetch.netguard import NetGuard, guarded_transport
from akhbar.fetch.polite import Politeness, backoff, origin_of, parse_retry_after
from akhbar.fetch.robots import AGENT, RobotsCache
from akhbar.types import FetchResult

KINDS = ("feed", "page", "robots")
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
# A Crawl-delay above this is read as this: obeying "Crawl-delay: 86400" would stall a crawl.
MAX_CRAWL_DELAY = 60.0

ACCEPT = {
    "feed": "application/rss+xml, application/atom+xml, application/xml;q=0.9, "
    "text/xml;q=0.9, */*;q=0.8",
    "page": "text/html, application/xhtml+xml;q=0.9, */*;q=0.8",
    "robots": "text/plain, */*;q=0.8",
}


@dataclass
class _Answer:
    """One HTTP exchange, body read (or not, when it is not kept)."""

    url: str
    status: int
    headers: httpx.Headers
    content: bytes
    elapsed: float


class _Transient(Exception):
    """An attempt failed in a way worth retrying; ``error`` is raised when retries run out."""

    def __init__(self, error: FetchError, cooled: bool = False):
        super().__init__(str(error))
        self.error = error
        self.cooled = cooled  # the host was cooled down: no extra backoff sleep


class Fetcher:
    """Async, polite HTTP fetcher. Use as ``async with Fetcher(settings) as f: await f.fetch(url)``.

    ``transport`` replaces the network (e.g. a WARC replay); the SSRF check of every URL and
    redirect hop still runs, but the connect-time re-check lives in the default transport.
    ``max_wait``: a host's Retry-After longer than this fails at once instead of sleeping.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        retry_base: float = 1.0,
        max_retries: int = 2,
        max_wait: float = 60.0,
    ):
        self.settings = settings
        self.retry_base = retry_base
        self.max_retries = max(0, max_retries)
        self.max_wait = max_wait
        self.guard = NetGuard(
            settings.allow_private_networks, resolve_timeout=settings.connect_timeout
        )
        self.politeness = Politeness(
            per_host_connections=settings.per_host_connections,
            global_concurrency=settings.global_concurrency,
            max_wait=max_wait,
        )
        self.robots = RobotsCache(AGENT)
        if transport is None:
            transport = guarded_transport(self.guard, max_connections=settings.global_concurrency)
        self._transport = transport
        self._client = httpx.AsyncClient(
            transport=transport,
            follow_redirects=False,  # by hand: each hop goes through the guard and robots
            trust_env=False,  # no proxy or .netrc picked up from the environment
            timeout=httpx.Timeout(
                connect=settings.connect_timeout,
                read=settings.read_timeout,
                write=settings.read_timeout,
                pool=None,  # our semaphores bound concurrency; the pool never makes us wait long
            ),
            headers={
                "User-Agent": settings.user_agent_string,
                "Accept-Encoding": "gzip, deflate, br",
            },
        )

    async def __aenter__(self) -> Fetcher:
        await self._client.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._client.__aexit__(exc_type, exc, tb)

    async def aclose(self) -> None:
        await self._client.aclose()

    # -- public -----------------------------------------------------------------------------

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        kind: str = "page",
        min_delay: float | None = None,
        max_bytes: int | None = None,
    ) -> FetchResult:
        """GET ``url`` politely. 2xx -> content; 304 -> status 304, empty content.

        ``max_bytes``: this call's body cap (TooLarge past it, checked on Content-Length and
        while downloading); None: the max_body_bytes setting."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
        if max_bytes is None:
            max_bytes = self.settings.max_body_bytes
        elif isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
            raise ValueError(f"max_bytes must be a positive number of bytes, not {max_bytes!r}")
        headers: dict[str, str | bytes] = {"Accept": ACCEPT[kind]}
        if etag:
            headers["If-None-Match"] = _header_value(etag)
        if last_modified:
            headers["If-Modified-Since"] = _header_value(last_modified)
        delay = self.settings.min_host_delay if min_delay is None else max(0.0, min_delay)

        current = _parse_url(url)
        seen = {str(current)}
        for _hop in range(self.settings.max_redirects + 1):
            await self.guard.check_url(current)
            # A host that said "come back in an hour" is not asked for robots.txt either.
            self.politeness.gate(origin_of(current)).refuse_if_cooling(self.max_wait, str(current))
            if kind == "page" and self.settings.respect_robots:
                await self._check_robots(current, delay)
            answer = await self._with_retries(current, headers, delay, max_bytes)
            if answer.status not in REDIRECT_STATUSES:
                return self._result(url, answer, etag, last_modified)
            location = answer.headers.get("location")
            if not location:
                raise HTTPStatusError(
                    f"HTTP {answer.status} redirect without Location",
                    answer.url,
                    status=answer.status,
                )
            current = _parse_url(location, base=current)
            if str(current) in seen:
                raise TooManyRedirects(f"redirect loop back to {current}", url)
            seen.add(str(current))
        raise TooManyRedirects(f"more than {self.settings.max_redirects} redirects", url)

    # -- steps ------------------------------------------------------------------------------

    async def _check_robots(self, url: httpx.URL, delay: float) -> None:
        origin = origin_of(url)

        async def load(robots_url: str) -> FetchResult:
            return await self.fetch(robots_url, kind="robots", min_delay=delay)

        rules = await self.robots.get(origin, load)
        crawl_delay = rules.crawl_delay
        if crawl_delay is not None:
            self.politeness.gate(origin).crawl_delay = min(MAX_CRAWL_DELAY, crawl_delay)
        if not rules.can_fetch(str(url)):
            raise DisallowedByRobots(rules.reason or "robots.txt disallows this page", str(url))

    async def _with_retries(
        self, url: httpx.URL, headers: dict[str, str | bytes], delay: float, max_bytes: int
    ) -> _Answer:
        origin = origin_of(url)
        for attempt in range(self.max_retries + 1):
            try:
                async with self.politeness.turn(origin, delay, str(url)):
                    answer = await self._attempt(url, headers, max_bytes)
                return self._judge(answer, origin, attempt)
            except _Transient as transient:
                # After a 429/503 the host's gate holds every request back, this retry too.
                wait = 0.0 if transient.cooled else backoff(attempt, self.retry_base)
                if attempt == self.max_retries:
                    raise transient.error from None
                await asyncio.sleep(wait)
        raise AssertionError("unreachable")

    def _judge(self, answer: _Answer, origin: str, attempt: int) -> _Answer:
        """Pass usable answers and redirects; raise for the rest, _Transient when worth a retry."""
        status = answer.status
        if 200 <= status < 300 or status == 304 or status in REDIRECT_STATUSES:
            return answer
        retry_after = parse_retry_after(answer.headers.get("retry-after"))
        error = HTTPStatusError(
            f"HTTP {status}", answer.url, status=status, retry_after=retry_after
        )
        if status in (429, 503):
            cooldown = retry_after if retry_after is not None else backoff(attempt, self.retry_base)
            # Every request to this host waits, not only a retry of this one.
            self.politeness.gate(origin).cool_down(cooldown, status)
            if cooldown > self.max_wait:
                raise error  # come back much later: the caller reschedules
            raise _Transient(error, cooled=True)
        if status >= 500 and status != 501:
            raise _Transient(error)
        raise error

    async def _attempt(
        self, url: httpx.URL, headers: dict[str, str | bytes], max_bytes: int
    ) -> _Answer:
        started = time.monotonic()
        try:
            async with asyncio.timeout(self.settings.total_timeout):
                # The client builds the request (headers, cookies, timeouts); the transport
                # sends it: Client.send parses Location itself and fails on odd ones before
                # our own redirect handling (and its SSRF check) could see them.
                request = self._client.build_request("GET", url, headers=headers)
                response = await self._transport.handle_async_request(request)
                response.request = request
                self._client.cookies.extract_cookies(response)
                try:
                    content = await self._read_body(response, str(url), max_bytes)
                finally:
                    await response.aclose()
        except TimeoutError:
            # Not retried: a body still trickling after total_timeout will do it again.
            raise FetchTimeout(
                f"download took longer than {self.settings.total_timeout} s", str(url)
            ) from None
        except httpx.TimeoutException as exc:
            raise _Transient(FetchTimeout(f"timed out: {_describe(exc)}", str(url))) from None
        except (
            httpx.ConnectError,
            httpx.ReadError,
            httpx.WriteError,
            httpx.RemoteProtocolError,
        ) as exc:
            raise _Transient(FetchError(f"connection failed: {_describe(exc)}", str(url))) from None
        except httpx.HTTPError as exc:
            raise FetchError(f"HTTP error: {_describe(exc)}", str(url)) from exc
        return _Answer(
            str(url), response.status_code, response.headers, content, time.monotonic() - started
        )

    async def _read_body(self, response: httpx.Response, url: str, limit: int) -> bytes:
        if not (200 <= response.status_code < 300):
            return b""  # error pages, redirects and 304s are not kept
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise TooLarge(f"Content-Length {declared} exceeds {limit} bytes", url)
        decoder = BoundedDecoder(response.headers.get("content-encoding", ""), limit, url)
        parts = []
        async for chunk in response.aiter_raw():
            parts.append(decoder.feed(chunk))
        decoder.finish()
        return b"".join(parts)

    def _result(
        self, requested: str, answer: _Answer, etag: str | None, last_modified: str | None
    ) -> FetchResult:
        headers = {k.lower(): v for k, v in answer.headers.items()}
        not_modified = answer.status == 304
        # A 304 need not repeat the validators; the ones sent are still the valid ones.
        return FetchResult(
            url=answer.url,
            requested_url=requested,
            status=answer.status,
            headers=headers,
            content=b"" if not_modified else answer.content,
            etag=headers.get("etag") or (etag if not_modified else None),
            last_modified=headers.get("last-modified") or (last_modified if not_modified else None),
            elapsed=answer.elapsed,
        )


def _parse_url(url: str, base: httpx.URL | None = None) -> httpx.URL:
    try:
        parsed = base.join(url.strip()) if base is not None else httpx.URL(url.strip())
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise FetchError(f"invalid URL {url!r}: {exc}", str(url)) from exc
    if not parsed.scheme:
        raise FetchError(f"not an absolute URL: {url!r}", str(url))
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise FetchError(f"invalid port in URL {url!r}", str(url))
    # Fragments never reach the server; dropping them keeps loop detection honest.
    return parsed.copy_with(fragment=None)


def _header_value(value: str) -> str | bytes:
    """Validators come back as the server sent them; httpx only encodes ASCII strings."""
    return value if value.isascii() else value.encode("utf-8")


def _describe(exc: Exception) -> str:
    return str(exc) or type(exc).__name__
