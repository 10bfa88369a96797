"""The fetcher given bad URLs and misbehaving servers: a FetchError subclass, never a crash."""

from __future__ import annotations

import asyncio
import functools
import zlib

import pytest

import httpservers
from akhbar.errors import BlockedAddress, FetchError, HTTPStatusError, TooLarge
from akhbar.fetch import BoundedDecoder, Fetcher
from httpservers import (
    LoopbackServer,
    Reply,
    brotli_bytes,
    gzip_bytes,
    make_settings,
    raw,
    sequence,
)

pytestmark = pytest.mark.timeout(30)

BODY = (
    "Marrakech : le festival ouvre ses portes / مهرجان مراكش يفتح أبوابه / festival opens".encode()
)


# No retries unless a test asks: each bad answer is seen once.
fetch = functools.partial(httpservers.fetch, max_retries=0)


@pytest.mark.parametrize(
    "url",
    [
        "",
        "   ",
        "pas une URL",
        "/relative/path",
        "http://",
        "https:///no-host",
        "http://127.0.0.1:99999/",
        "http://[::1",
        "http://exa mple.ma/",
    ],
)
def test_invalid_urls_raise_fetch_error(url):
    with pytest.raises(FetchError):
        fetch(make_settings(), url, kind="feed")


@pytest.mark.parametrize(
    "url",
    [
        "ftp://127.0.0.1/flux.xml",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "data:text/html,<p>salut</p>",
        "gopher://127.0.0.1:70/",
    ],
)
def test_other_schemes_are_blocked(url):
    with pytest.raises(BlockedAddress):
        fetch(make_settings(), url)


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        fetch(make_settings(), "http://127.0.0.1/", kind="video")


def test_unicode_path_and_query_are_encoded():
    with LoopbackServer() as srv:
        srv.route("/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1/%C3%A9t%C3%A9", Reply(200, BODY))
        result = fetch(make_settings(), srv.url("/أخبار/été?q=قانون المالية#section"))
        assert result.content == BODY
        seen = srv.seen("/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1/%C3%A9t%C3%A9")[0]
        assert "#" not in seen.path and " " not in seen.path


def test_redirect_without_location():
    with LoopbackServer() as srv:
        srv.route("/feed", Reply(302, b""))
        with pytest.raises(HTTPStatusError) as err:
            fetch(make_settings(), srv.url("/feed"), kind="feed")
        assert err.value.status == 302


@pytest.mark.parametrize(
    "location,error",
    [
        ("file:///etc/passwd", BlockedAddress),
        ("javascript:alert('x')", BlockedAddress),
        ("http://169.254.169.254/latest/meta-data/", BlockedAddress),
        ("http://[oops/", FetchError),
        ("http://akhbar-absent.invalid/", FetchError),
    ],
)
def test_bad_redirect_targets(location, error):
    with LoopbackServer() as srv:
        srv.route("/go", Reply(301, b"", {"Location": location}))
        with pytest.raises(error):
            fetch(make_settings(), srv.url("/go"), kind="feed")


def test_relative_redirect_is_resolved():
    with LoopbackServer() as srv:
        srv.route("/rubrique/ancien", Reply(308, b"", {"Location": "../nouveau?page=2"}))
        srv.route("/nouveau", Reply(200, BODY))
        result = fetch(make_settings(), srv.url("/rubrique/ancien"), kind="feed")
        assert result.url == srv.url("/nouveau?page=2")


@pytest.mark.parametrize(
    "answer",
    [
        b"NOT HTTP AT ALL\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\nbody",
        b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\ntoo short",
        b"",
    ],
)
def test_broken_answers_are_fetch_errors(answer):
    with LoopbackServer() as srv:
        srv.route("/feed", raw(answer))
        with pytest.raises(FetchError):
            fetch(make_settings(), srv.url("/feed"), kind="feed")


def test_connection_dropped_then_recovered_is_retried():
    with LoopbackServer() as srv:
        srv.route("/feed", sequence(Reply(200, BODY)))
        drop = raw(b"")
        calls = []

        def flaky(h):
            calls.append(1)
            return drop(h) if len(calls) == 1 else Reply(200, BODY)

        srv.route("/feed", flaky)
        assert fetch(make_settings(), srv.url("/feed"), kind="feed", max_retries=1).content == BODY


@pytest.mark.parametrize("value", ["demain", "-5", "1.5e9", "Wed, 99 Foo 2015 99:99:99 GMT"])
def test_unusable_retry_after_is_none(value):
    with LoopbackServer() as srv:
        srv.route("/feed", Reply(503, b"", {"Retry-After": value}))
        with pytest.raises(HTTPStatusError) as err:
            fetch(make_settings(), srv.url("/feed"), kind="feed")
        assert err.value.status == 503 and err.value.retry_after is None


@pytest.mark.parametrize("coding", ["compress", "zstd", "gzip, br"])
def test_unsupported_content_encoding(coding):
    with LoopbackServer() as srv:
        srv.route("/feed", Reply(200, b"\x1f\x9d\x90", {"Content-Encoding": coding}))
        with pytest.raises(FetchError, match="content-encoding"):
            fetch(make_settings(), srv.url("/feed"), kind="feed")


def test_odd_but_valid_encodings():
    raw_deflate = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    deflated = raw_deflate.compress(BODY) + raw_deflate.flush()
    with LoopbackServer() as srv:
        srv.route("/raw-deflate", Reply(200, deflated, {"Content-Encoding": "deflate"}))
        srv.route("/padded", Reply(200, gzip_bytes(BODY) + b"\0\0\n", {"Content-Encoding": "gzip"}))
        srv.route(
            "/members",
            Reply(200, gzip_bytes(BODY) + gzip_bytes(BODY), {"Content-Encoding": "GZIP"}),
        )
        srv.route("/identity", Reply(200, BODY, {"Content-Encoding": "identity"}))
        srv.route("/empty-gzip", Reply(200, b"", {"Content-Encoding": "gzip"}))
        s = make_settings()
        assert fetch(s, srv.url("/raw-deflate"), kind="feed").content == BODY
        assert fetch(s, srv.url("/padded"), kind="feed").content == BODY
        assert fetch(s, srv.url("/members"), kind="feed").content == BODY + BODY
        assert fetch(s, srv.url("/identity"), kind="feed").content == BODY
        assert fetch(s, srv.url("/empty-gzip"), kind="feed").content == b""


def test_truncated_brotli_is_a_fetch_error():
    packed = brotli_bytes(BODY * 50)
    with LoopbackServer() as srv:
        srv.route("/br", Reply(200, packed[:-5], {"Content-Encoding": "br"}))
        with pytest.raises(FetchError, match="truncated br"):
            fetch(make_settings(), srv.url("/br"), kind="feed")


def test_decoder_limit_is_exact():
    body = BODY * 10
    decoder = BoundedDecoder("gzip", len(body))
    assert decoder.feed(gzip_bytes(body)) == body
    decoder.finish()
    with pytest.raises(TooLarge):
        BoundedDecoder("br", len(body) - 1).feed(brotli_bytes(body))


def test_negative_min_delay_is_zero_and_garbage_robots_allows():
    with LoopbackServer() as srv:
        srv.route("/robots.txt", Reply(200, b"\xff\xfe\x00garbage\x00\nDisallow /\n<html>"))
        srv.route("/article", Reply(200, BODY))
        assert fetch(make_settings(), srv.url("/article"), min_delay=-3).content == BODY


def test_userinfo_in_url_is_not_an_address_trick():
    # "http://127.0.0.1@169.254.169.254/" goes to the metadata host, not to 127.0.0.1.
    with pytest.raises(BlockedAddress):
        fetch(make_settings(), "http://127.0.0.1@169.254.169.254/latest/")


def test_non_ascii_and_malicious_validators():
    with LoopbackServer() as srv:
        srv.route("/feed", Reply(304, b""))
        result = fetch(make_settings(), srv.url("/feed"), kind="feed", etag='W/"été-2025"')
        assert result.not_modified and result.etag == 'W/"été-2025"'
        with pytest.raises(FetchError):
            fetch(make_settings(), srv.url("/feed"), kind="feed", etag='"x"\r\nX-Injected: 1')
        assert all("x-injected" not in r.headers for r in srv.requests)


def test_cooled_host_is_not_asked_for_robots():
    async def scenario(url_feed: str, url_page: str) -> HTTPStatusError:
        async with Fetcher(make_settings(), retry_base=0.01) as f:
            with pytest.raises(HTTPStatusError):
                await f.fetch(url_feed, kind="feed")
            with pytest.raises(HTTPStatusError) as err:
                await f.fetch(url_page)
            return err.value

    with LoopbackServer() as srv:
        srv.route("/feed", Reply(429, b"", {"Retry-After": "7200"}))
        err = asyncio.run(scenario(srv.url("/feed"), srv.url("/article")))
        assert err.status == 429 and err.retry_after > 7000
        assert [r.path for r in srv.requests] == ["/feed"]
