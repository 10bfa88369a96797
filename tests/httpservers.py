"""Real HTTP servers on 127.0.0.x for tests: routes, a request log, misbehaving answers.

    with LoopbackServer() as srv:
        srv.route("/feed.xml", Reply(200, b"<rss/>", {"Content-Type": "application/rss+xml"}))
        srv.route("/flaky", sequence(Reply(500), Reply(200, b"ok")))
        url = srv.url("/feed.xml")
        ...
        assert srv.hits("/flaky") == 2

A handler is a :class:`Reply` (sent as is) or a function of the request handler returning a
Reply, or None when it wrote the raw answer itself (endless bodies, broken gzip...). Every
request is logged in ``srv.requests`` with its monotonic arrival time; ``srv.max_in_flight``
is the highest number of requests being answered at once.

``make_settings`` and ``fetch`` are the client side: akhbar's Fetcher, allowed onto
127.0.0.0/8, with no politeness delay and short timeouts.
"""

from __future__ import annotations

import asyncio
import gzip
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import brotli

from akhbar.config import load_settings
from akhbar.fetch import Fetcher
from akhbar.types import FetchResult


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Seen:
    """One request as the server received it."""

    method: str
    path: str  # with the query string
    headers: dict[str, str]  # lower-cased names
    at: float  # time.monotonic() on arrival
    host: str  # the address the server listens on


Handler = Callable[["RequestHandler"], "Reply | None"]


class RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real servers do
    server: _Server

    @property
    def srv(self) -> LoopbackServer:
        return self.server.owner

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        srv = self.srv
        self.seen = Seen(
            self.command,
            self.path,
            {k.lower(): v for k, v in self.headers.items()},
            time.monotonic(),
            srv.host,
        )
        with srv.lock:
            srv.requests.append(self.seen)
            srv.in_flight += 1
            srv.max_in_flight = max(srv.max_in_flight, srv.in_flight)
        try:
            handler = srv.routes.get(urlsplit(self.path).path, Reply(404, b"not found"))
            reply = handler(self) if callable(handler) else handler
            if reply is not None:
                self.send(reply)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client went away: fine for these tests
        finally:
            with srv.lock:
                srv.in_flight -= 1

    def send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        headers = {k.lower(): v for k, v in reply.headers.items()}
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if "content-length" not in headers:
            self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output clean


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # stuck handlers (never-answering ones) must not block close
    owner: LoopbackServer


class LoopbackServer:
    def __init__(self, host: str = "127.0.0.1", routes: dict[str, Reply | Handler] | None = None):
        self.host = host
        self.routes: dict[str, Reply | Handler] = dict(routes or {})
        self.requests: list[Seen] = []
        self.lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        self.stopping = threading.Event()  # set on exit: endless handlers stop
        self._httpd = _Server((host, 0), RequestHandler)
        self._httpd.owner = self
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def route(self, path: str, handler: Reply | Handler) -> None:
        self.routes[path] = handler

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def hits(self, path: str) -> int:
        with self.lock:
            return sum(1 for r in self.requests if urlsplit(r.path).path == path)

    def seen(self, path: str) -> list[Seen]:
        with self.lock:
            return [r for r in self.requests if urlsplit(r.path).path == path]

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


# -- handlers ------------------------------------------------------------------------------


def sequence(*replies: Reply) -> Handler:
    """Answer with each reply in turn, then keep repeating the last one."""
    lock = threading.Lock()
    queue = list(replies)

    def handler(h: RequestHandler) -> Reply:
        with lock:
            return queue.pop(0) if len(queue) > 1 else queue[0]

    return handler


def slow(reply: Reply, seconds: float) -> Handler:
    """Hold the request ``seconds`` before answering (to make overlaps visible)."""

    def handler(h: RequestHandler) -> Reply:
        h.srv.stopping.wait(seconds)
        return reply

    return handler


def endless_body(chunk: bytes = b"x" * 65536, pause: float = 0.0) -> Handler:
    """200 with no length and a body that never ends (until the client hangs up)."""

    def handler(h: RequestHandler) -> None:
        h.close_connection = True
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Connection", "close")
        h.end_headers()
        while not h.srv.stopping.is_set():
            h.wfile.write(chunk)
            h.wfile.flush()
            if pause:
                h.srv.stopping.wait(pause)

    return handler


def never_answer() -> Handler:
    """Read the request, then say nothing until the server stops."""

    def handler(h: RequestHandler) -> None:
        h.close_connection = True
        h.srv.stopping.wait(30)

    return handler


def raw(data: bytes) -> Handler:
    """Write ``data`` as the whole answer (status line included) and close."""

    def handler(h: RequestHandler) -> None:
        h.close_connection = True
        h.wfile.write(data)
        h.wfile.flush()

    return handler


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data)


def brotli_bytes(data: bytes) -> bytes:
    return brotli.compress(data)


# -- client side ---------------------------------------------------------------------------


def make_settings(**overrides):
    """Settings for fetching from these servers; ``overrides`` as in load_settings."""
    values = {
        "allow_private_networks": "127.0.0.0/8",
        "min_host_delay": 0.0,
        "connect_timeout": 2.0,
        "read_timeout": 2.0,
        "total_timeout": 5.0,
    }
    values.update(overrides)
    return load_settings(env={}, **values)


def fetch(settings, url: str, *, max_retries: int = 2, **kw) -> FetchResult:
    """One Fetcher.fetch (``kw``: kind, etag...) with quick retries, from synchronous code."""

    async def go() -> FetchResult:
        async with Fetcher(settings, retry_base=0.01, max_retries=max_retries) as fetcher:
            return await fetcher.fetch(url, **kw)

    return asyncio.run(go())
