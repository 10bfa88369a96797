"""One ThreadingHTTPServer per loopback address, all on one port, in front of a resolver.

The resolver (the press) turns (host octet, path) into a Resource; this module adds what
every real server does: conditional GET (ETag / Last-Modified -> 304), gzip when the client
accepts it, HEAD, keep-alive.
"""

from __future__ import annotations

import errno
import gzip
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Resource:
    status: int
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    etag: str | None = None
    last_modified: str | None = None  # HTTP date
    headers: tuple[tuple[str, str], ...] = ()
    compress: bool = True  # False for images: gzip would only cost time
    _gz: bytes | None = field(default=None, repr=False)

    def gzipped(self) -> bytes:
        # compressed once, on first demand, then kept with the cached resource
        if self._gz is None:
            self._gz = gzip.compress(self.body, compresslevel=6, mtime=0)
        return self._gz


Resolver = Callable[[int, str], Resource]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "demo-press/1.0"
    sys_version = ""
    # Headers and body go out in two writes; with Nagle's algorithm on, a keep-alive client
    # waits for the delayed ACK (~20-40 ms) on every response.
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet server
        pass

    def _not_modified(self, res: Resource) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm and res.etag:
            return res.etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
        ims = self.headers.get("If-Modified-Since")
        if ims and res.last_modified:
            try:
                return parsedate_to_datetime(res.last_modified) <= parsedate_to_datetime(ims)
            except (TypeError, ValueError):
                return False
        return False

    def _serve(self, head: bool) -> None:
        srv: _HostServer = self.server  # type: ignore[assignment]
        try:
            res = srv.resolve(srv.octet, self.path)
        except Exception:  # a bug in the press must not kill the connection silently
            res = Resource(500, b"internal error", "text/plain; charset=utf-8")
        status, body = res.status, res.body
        extra = list(res.headers)
        if status == 200 and (res.etag or res.last_modified) and self._not_modified(res):
            status, body = 304, b""
        if status == 200 and res.compress and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = res.gzipped()
            extra.append(("Content-Encoding", "gzip"))
        self.send_response(status)
        if status != 304:
            self.send_header("Content-Type", res.content_type)
        if res.etag:
            self.send_header("ETag", res.etag)
        if res.last_modified:
            self.send_header("Last-Modified", res.last_modified)
        self.send_header("Vary", "Accept-Encoding")
        for name, value in extra:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head and body:
            self.wfile.write(body)


class _HostServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, addr: tuple[str, int], octet: int, resolve: Resolver):
        self.octet = octet
        self.resolve = resolve
        super().__init__(addr, _Handler)

    def handle_error(self, request, client_address) -> None:
        # A crawler that gives up on a body (size cap, timeout) resets the connection: a
        # normal event for a news site, not a traceback on the demo's terminal.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class LoopbackServers:
    """Binds 127.0.0.<octet> for each octet on one port and serves them in threads."""

    def __init__(self, octets: list[int], resolve: Resolver, port: int = 0):
        self.servers: list[_HostServer] = []
        self.threads: list[threading.Thread] = []
        self.port = self._bind(octets, resolve, port)

    def _bind(self, octets: list[int], resolve: Resolver, port: int) -> int:
        # Port 0: let the kernel pick for the first address, then try the same on the
        # others; if one is taken there, close everything and try another port.
        for _ in range(50):
            servers: list[_HostServer] = []
            try:
                first = _HostServer((f"127.0.0.{octets[0]}", port), octets[0], resolve)
                servers.append(first)
                chosen = first.server_address[1]
                for octet in octets[1:]:
                    servers.append(_HostServer((f"127.0.0.{octet}", chosen), octet, resolve))
            except OSError as exc:
                for s in servers:
                    s.server_close()
                if port or exc.errno != errno.EADDRINUSE:
                    raise
                continue
            self.servers = servers
            return chosen
        raise OSError(errno.EADDRINUSE, "no port free on every demo address")

    def start(self) -> None:
        for s in self.servers:
            t = threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.2},
                                 name=f"demo-127.0.0.{s.octet}", daemon=True)
            t.start()
            self.threads.append(t)

    def stop(self) -> None:
        for s in self.servers:
            s.shutdown()
            s.server_close()
        for t in self.threads:
            t.join(timeout=5)
        self.threads.clear()
