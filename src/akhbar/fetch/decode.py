"""Bounded Content-Encoding decoding (gzip, deflate, br).

httpx decodes each network chunk in one call with no output limit, so a few kilobytes of
a compression bomb (brotli reaches ratios of millions) become gigabytes in memory before
any size check runs, and it accepts a truncated gzip stream silently. Here zlib and brotli
are asked for at most ``limit + 1`` bytes, and the end of the stream must be reached.
"""

from __future__ import annotations

import zlib

import brotli

from akhbar.errors import FetchError, TooLarge


class ContentDecodeError(FetchError):
    """The body is not valid for its Content-Encoding (corrupt or truncated)."""


SUPPORTED = ("gzip", "x-gzip", "deflate", "br", "identity")


class BoundedDecoder:
    """Feed raw body chunks, get decoded bytes; raises TooLarge past ``limit`` decoded bytes."""

    def __init__(self, content_encoding: str, limit: int, url: str | None = None):
        codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        if len(codings) > 1:
            raise ContentDecodeError(
                f"stacked content-encodings not supported: {content_encoding}", url
            )
        self.coding = codings[0] if codings else "identity"
        if self.coding not in SUPPORTED:
            raise ContentDecodeError(f"unsupported content-encoding: {self.coding}", url)
        self.limit = limit
        self.url = url
        self.size = 0  # decoded bytes so far
        self._zlib: zlib._Decompress | None = None
        self._brotli: brotli.Decompressor | None = None
        self._raw_deflate_tried = False
        self._seen_input = False
        self._new_decompressor()

    def _new_decompressor(self, raw_deflate: bool = False) -> None:
        if self.coding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif self.coding == "deflate":
            # "deflate" should be zlib-wrapped, but some servers send raw deflate.
            self._zlib = zlib.decompressobj(-zlib.MAX_WBITS if raw_deflate else zlib.MAX_WBITS)
        elif self.coding == "br":
            self._brotli = brotli.Decompressor()

    def _count(self, out: bytes) -> bytes:
        self.size += len(out)
        if self.size > self.limit:
            raise TooLarge(f"decoded body exceeds {self.limit} bytes", self.url)
        return out

    def feed(self, data: bytes) -> bytes:
        if not data:
            return b""
        first = not self._seen_input
        self._seen_input = True
        if self._zlib is not None:
            return self._feed_zlib(data, first)
        if self._brotli is not None:
            return self._feed_brotli(data)
        return self._count(data)

    def _feed_zlib(self, data: bytes, first: bool) -> bytes:
        assert self._zlib is not None
        try:
            out = self._zlib.decompress(data, self.limit - self.size + 1)
        except zlib.error as exc:
            if self.coding == "deflate" and first and not self._raw_deflate_tried:
                self._raw_deflate_tried = True
                self._new_decompressor(raw_deflate=True)
                return self._feed_zlib(data, first=False)
            raise ContentDecodeError(f"corrupt {self.coding} body: {exc}", self.url) from exc
        out = self._count(out)
        # Output below the cap means every input byte was consumed (no unconsumed tail).
        rest = self._zlib.unused_data
        # Some servers pad the end with NULs or newlines: ignore them.
        if self._zlib.eof and rest.strip(b"\x00\r\n\t ") and self.coding != "deflate":
            # A gzip body may hold several members, one after the other.
            self._new_decompressor()
            out += self._feed_zlib(rest, first=False)
        return out

    def _feed_brotli(self, data: bytes) -> bytes:
        assert self._brotli is not None
        parts = []
        try:
            parts.append(self._count(self._brotli.process(data, output_buffer_limit=self._room())))
            # With a full output buffer brotli holds input back; drain it, still capped.
            while not self._brotli.can_accept_more_data():
                parts.append(
                    self._count(self._brotli.process(b"", output_buffer_limit=self._room()))
                )
        except brotli.error as exc:
            raise ContentDecodeError(f"corrupt br body: {exc}", self.url) from exc
        return b"".join(parts)

    def _room(self) -> int:
        return self.limit - self.size + 1

    def finish(self) -> None:
        """Call at the end of the body: a compressed stream must have reached its end."""
        if not self._seen_input:
            return  # an empty body is fine whatever the header says (HEAD-like answers)
        if self._zlib is not None and not self._zlib.eof:
            raise ContentDecodeError(f"truncated {self.coding} body", self.url)
        if self._brotli is not None and not self._brotli.is_finished():
            raise ContentDecodeError("truncated br body", self.url)
