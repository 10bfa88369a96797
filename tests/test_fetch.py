"""The polite fetcher against real HTTP servers on 127.0.0.x."""

from __future__ import annotations

import asyncio
import gzip
import socket
import threading
import zlib

import pytest

from akhbar.errors import (
    BlockedAddress,
    DisallowedByRobots,
    DNSError,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    TooLarge,
    TooManyRedirects,
)
from akhbar.fetch import Fetcher, NetGuard, RobotsCache, is_blocked, parse_retry_after
from akhbar.fetch.netguard import GuardedBackend
from httpservers import (
    LoopbackServer,
    Reply,
    brotli_bytes,
    endless_body,
    fetch,
    gzip_bytes,
    make_settings,
    never_answer,
    sequence,
    slow,
)

pytestmark = pytest.mark.timeout(30)

TEXT_FR = "Le Parlement adopte la loi de finances après un long débat à Rabat.".encode()
TEXT_AR = "صادق البرلمان على قانون المالية بعد نقاش طويل في الرباط.".encode()
TEXT_EN = b"Casablanca port traffic rose again this spring, officials said."


# -- basics --------------------------------------------------------------------------------


def test_user_agent_on_every_request_and_headers_lower_cased():
    s = make_settings()
    with LoopbackServer() as srv:
        srv.route("/robots.txt", Reply(200, b"User-agent: *\nAllow: /\n"))
        srv.route(
            "/article", Reply(200, TEXT_FR, {"Content-Type": "text/html", "X-Edition": "Rabat"})
        )
        result = fetch(s, srv.url("/article"))
        assert result.status == 200
        assert result.content == TEXT_FR
        assert result.headers["x-edition"] == "Rabat"
        assert result.content_type == "text/html"
        assert [r.path for r in srv.requests] == ["/robots.txt", "/article"]
        for seen in srv.requests:
            assert seen.headers["user-agent"] == s.user_agent_string
            assert "akhbar" in seen.headers["user-agent"]
            assert seen.headers["accept-encoding"] == "gzip, deflate, br"


def test_gzip_deflate_and_brotli_are_decoded():
    s = make_settings()
    body = TEXT_AR + b"\n" + TEXT_FR + b"\n" + TEXT_EN
    with LoopbackServer() as srv:
        srv.route("/gz", Reply(200, gzip_bytes(body), {"Content-Encoding": "gzip"}))
        srv.route("/br", Reply(200, brotli_bytes(body), {"Content-Encoding": "br"}))
        srv.route("/zl", Reply(200, zlib.compress(body), {"Content-Encoding": "deflate"}))
        for path in ("/gz", "/br", "/zl"):
            assert fetch(s, srv.url(path), kind="feed").content == body


def test_conditional_get_round_trip():
    s = make_settings()
    lm = "Tue, 04 Mar 2025 08:00:00 GMT"

    def handler(h):
        if h.headers.get("If-None-Match") == '"v1"':
            return Reply(304, b"", {"ETag": '"v1"'})
        return Reply(200, TEXT_EN, {"ETag": '"v1"', "Last-Modified": lm})

    with LoopbackServer() as srv:
        srv.route("/feed.xml", handler)
        first = fetch(s, srv.url("/feed.xml"), kind="feed")
        assert (first.status, first.etag, first.last_modified) == (200, '"v1"', lm)
        second = fetch(
            s, srv.url("/feed.xml"), kind="feed", etag=first.etag, last_modified=first.last_modified
        )
        assert second.status == 304 and second.not_modified
        assert second.content == b""
        assert second.etag == '"v1"' and second.last_modified == lm
        sent = srv.seen("/feed.xml")[1].headers
        assert sent["if-none-match"] == '"v1"'
        assert sent["if-modified-since"] == lm


# -- retries and cool-downs ----------------------------------------------------------------


def test_429_with_retry_after_is_waited_then_retried():
    s = make_settings()
    with LoopbackServer() as srv:
        srv.route("/feed", sequence(Reply(429, b"", {"Retry-After": "1"}), Reply(200, TEXT_FR)))
        result = fetch(s, srv.url("/feed"), kind="feed")
        assert result.content == TEXT_FR
        first, second = srv.seen("/feed")
        # Our scheduler's guarantee: the retry starts after the 429 arrived + 1 s.
        assert second.at - first.at >= 1.0


def test_long_retry_after_fails_at_once_and_cools_the_host():
    s = make_settings()

    async def scenario(url: str):
        async with Fetcher(s, retry_base=0.01, max_retries=2) as f:
            with pytest.raises(HTTPStatusError) as first:
                await f.fetch(url, kind="feed")
            with pytest.raises(HTTPStatusError) as again:
                await f.fetch(url, kind="feed")
            return first.value, again.value

    with LoopbackServer() as srv:
        srv.route("/feed", Reply(503, b"", {"Retry-After": "3600"}))
        first, again = asyncio.run(scenario(srv.url("/feed")))
        assert first.status == 503 and 3590 <= first.retry_after <= 3600
        assert again.status == 503 and again.retry_after > 3500
        assert srv.hits("/feed") == 1  # the second call never reached the host


def test_404_is_not_retried():
    s = make_settings()
    with LoopbackServer() as srv:
        with pytest.raises(HTTPStatusError) as err:
            fetch(s, srv.url("/missing"), kind="feed", max_retries=3)
        assert err.value.status == 404
        assert srv.hits("/missing") == 1


def test_500_twice_then_200_succeeds():
    s = make_settings()
    with LoopbackServer() as srv:
        srv.route("/feed", sequence(Reply(500), Reply(502), Reply(200, TEXT_AR)))
        assert fetch(s, srv.url("/feed"), kind="feed", max_retries=2).content == TEXT_AR
        assert srv.hits("/feed") == 3


def test_500_retries_run_out():
    s = make_settings()
    with LoopbackServer() as srv:
        srv.route("/feed", Reply(500))
        with pytest.raises(HTTPStatusError) as err:
            fetch(s, srv.url("/feed"), kind="feed", max_retries=2)
        assert err.value.status == 500
        assert srv.hits("/feed") == 3


def test_501_is_not_retried():
    s = make_settings()
    with LoopbackServer() as srv:
        srv.route("/feed", Reply(501))
        with pytest.raises(HTTPStatusError):
            fetch(s, srv.url("/feed"), kind="feed")
        assert srv.hits("/feed") == 1


def test_retry_after_parsing():
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480.0 - 60) == 60.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480.0 + 60) == 0.0
    assert parse_retry_after("bientôt") is None
    assert parse_retry_after("-5") is None
    assert parse_retry_after(None) is None


# -- politeness ----------------------------------------------------------------------------


def test_one_host_is_serialised_and_spaced():
    delay = 0.25
    s = make_settings(min_host_delay=delay, per_host_connections=1)

    async def five(urls):
        async with Fetcher(s, retry_base=0.01) as f:
            return await asyncio.gather(*(f.fetch(u, kind="feed") for u in urls))

    with LoopbackServer() as srv:
        srv.route("/feed", slow(Reply(200, TEXT_FR), 0.05))
        results = asyncio.run(five([srv.url(f"/feed?n={i}") for i in range(5)]))
        assert all(r.status == 200 for r in results)
        assert srv.max_in_flight == 1
        times = sorted(r.at for r in srv.requests)
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        # The scheduler spaces starts by `delay`; allow for loopback delivery jitter.
        assert min(gaps) >= delay - 0.05


def test_per_call_min_delay_overrides_setting():
    s = make_settings(min_host_delay=5.0)

    async def two(url):
        async with Fetcher(s, retry_base=0.01) as f:
            return [await f.fetch(url, kind="feed", min_delay=0.0) for _ in range(2)]

    with LoopbackServer() as srv:
        srv.route("/feed", Reply(200, TEXT_EN))
        assert [r.status for r in asyncio.run(two(srv.url("/feed")))] == [200, 200]


def test_two_hosts_run_in_parallel():
    s = make_settings(min_host_delay=1.0)
    # Each handler waits until the other request is in flight too: proof of parallelism
    # without measuring time (the timeout only turns a failure into an error).
    barrier = threading.Barrier(2, timeout=10)

    def meet(h):
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            return Reply(409, b"alone")
        return Reply(200, TEXT_FR)

    async def both(urls):
        async with Fetcher(s, retry_base=0.01, max_retries=0) as f:
            return await asyncio.gather(*(f.fetch(u, kind="feed") for u in urls))

    with LoopbackServer("127.0.0.1") as one, LoopbackServer("127.0.0.2") as two:
        one.route("/feed", meet)
        two.route("/feed", meet)
        results = asyncio.run(both([one.url("/feed"), two.url("/feed")]))
        assert [r.status for r in results] == [200, 200]


# -- robots.txt ----------------------------------------------------------------------------

ROBOTS = """# robots.txt du journal / ملف الروبوتات
User-agent: *
Disallow: /prive/
Crawl-delay: 0.1

User-agent: akhbar
Disallow: /prive/
Disallow: /archives-payantes/
Crawl-delay: 0.05
""".encode()


def test_robots_disallow_and_feed_exemption():
    s = make_settings()

    async def scenario(srv):
        async with Fetcher(s, retry_base=0.01) as f:
            ok = await f.fetch(srv.url("/politique/article-1"))
            with pytest.raises(DisallowedByRobots):
                await f.fetch(srv.url("/archives-payantes/article-2"))
            with pytest.raises(DisallowedByRobots):
                await f.fetch(srv.url("/prive/article-3"))
            feed = await f.fetch(srv.url("/prive/flux.xml"), kind="feed")
            return ok, feed

    with LoopbackServer() as srv:
        srv.route("/robots.txt", Reply(200, ROBOTS, {"Content-Type": "text/plain"}))
        srv.route("/politique/article-1", Reply(200, TEXT_FR))
        srv.route("/archives-payantes/article-2", Reply(200, TEXT_AR))
        srv.route("/prive/article-3", Reply(200, TEXT_EN))
        srv.route("/prive/flux.xml", Reply(200, b"<rss/>"))
        ok, feed = asyncio.run(scenario(srv))
        assert ok.content == TEXT_FR and feed.content == b"<rss/>"
        assert srv.hits("/robots.txt") == 1  # cached per host
        assert srv.hits("/archives-payantes/article-2") == 0
        assert srv.hits("/prive/article-3") == 0


def test_robots_crawl_delay_is_exposed():
    s = make_settings()
    cache = RobotsCache()

    async def scenario(url):
        async with Fetcher(s) as f:
            return await cache.get(url, lambda u: f.fetch(u, kind="robots"))

    with LoopbackServer() as srv:
        srv.route("/robots.txt", Reply(200, ROBOTS))
        rules = asyncio.run(scenario(srv.url("").rstrip("/")))
        assert rules.crawl_delay == 0.05
        assert not rules.can_fetch(srv.url("/archives-payantes/x"))
        assert rules.can_fetch(srv.url("/economie/x"))


def test_robots_404_allows_all():
    s = make_settings()
    with LoopbackServer() as srv:
        srv.route("/article", Reply(200, TEXT_AR))
        assert fetch(s, srv.url("/article")).content == TEXT_AR
        assert srv.hits("/robots.txt") == 1


def test_robots_500_refuses_pages_but_not_feeds():
    s = make_settings()

    async def scenario(srv):
        async with Fetcher(s, retry_base=0.01, max_retries=1) as f:
            with pytest.raises(DisallowedByRobots):
                await f.fetch(srv.url("/article"))
            with pytest.raises(DisallowedByRobots):
                await f.fetch(srv.url("/article"))
            return await f.fetch(srv.url("/feed"), kind="feed")

    with LoopbackServer() as srv:
        srv.route("/robots.txt", Reply(500))
        srv.route("/article", Reply(200, TEXT_FR))
        srv.route("/feed", Reply(200, b"<rss/>"))
        assert asyncio.run(scenario(srv)).status == 200
        assert srv.hits("/article") == 0
        assert srv.hits("/robots.txt") == 2  # one try + one retry, then the failure is cached


def test_respect_robots_off():
    s = make_settings(respect_robots=False)
    with LoopbackServer() as srv:
        srv.route("/robots.txt", Reply(200, b"User-agent: *\nDisallow: /\n"))
        srv.route("/article", Reply(200, TEXT_EN))
        assert fetch(s, srv.url("/article")).status == 200
        assert srv.hits("/robots.txt") == 0


# -- SSRF guard ----------------------------------------------------------------------------


def test_private_addresses_are_blocked_without_allow_list():
    s = make_settings(allow_private_networks="")
    with LoopbackServer() as srv:
        srv.route("/", Reply(200, b"secret"))
        urls = [
            srv.url("/"),
            f"http://localhost:{srv.port}/",
            "http://169.254.169.254/latest/meta-data/",
            f"http://[::1]:{srv.port}/",
            f"http://[::ffff:127.0.0.1]:{srv.port}/",
            f"http://2130706433:{srv.port}/",  # 127.0.0.1 as one decimal number
        ]
        for url in urls:
            for kind in ("page", "feed"):
                with pytest.raises(BlockedAddress):
                    fetch(s, url, kind=kind)
        assert srv.requests == []


def test_redirect_hop_to_other_private_address_is_blocked():
    s = make_settings(allow_private_networks="127.0.0.1/32")
    with LoopbackServer("127.0.0.1") as one, LoopbackServer("127.0.0.2") as two:
        two.route("/", Reply(200, b"internal"))
        one.route("/go", Reply(302, b"", {"Location": two.url("/")}))
        with pytest.raises(BlockedAddress):
            fetch(s, one.url("/go"), kind="feed")
        assert one.hits("/go") == 1
        assert two.requests == []


def test_addresses_classified():
    for addr in (
        "10.0.0.1",
        "172.16.3.4",
        "192.168.1.1",
        "127.0.0.1",
        "100.64.0.1",
        "169.254.169.254",
        "fd00:ec2::254",
        "::1",
        "0.0.0.0",
        "224.0.0.1",
        "::ffff:10.0.0.1",
        "64:ff9b::a00:1",
        "fe80::1",
        "240.0.0.1",
    ):
        assert is_blocked(addr), addr
    for addr in ("41.214.0.1", "196.200.1.1", "2001:4860:4860::8888", "8.8.8.8"):
        assert not is_blocked(addr), addr
    allow = NetGuard("127.0.0.0/8, 10.0.0.0/8").allow
    assert not is_blocked("127.0.0.9", allow)
    assert not is_blocked("::ffff:10.1.2.3", allow)
    assert is_blocked("169.254.169.254", NetGuard("169.254.0.0/16").allow)  # metadata: never


def test_connect_time_check_stops_dns_rebinding():
    # The name looked public when the URL was checked; at connect time it points inside.
    answers = {"first": ["196.200.1.1"], "then": ["127.0.0.1"]}
    calls = []

    async def rebinding_resolver(host: str, port: int) -> list[str]:
        calls.append(host)
        return answers["first"] if len(calls) == 1 else answers["then"]

    guard = NetGuard("", resolver=rebinding_resolver)

    async def scenario(port: int):
        assert await guard.resolve("actu.example", port) == ["196.200.1.1"]
        with pytest.raises(BlockedAddress):
            await GuardedBackend(guard).connect_tcp("actu.example", port, timeout=2)

    with LoopbackServer() as srv:
        asyncio.run(scenario(srv.port))
        assert srv.requests == []


# -- redirects -----------------------------------------------------------------------------


def test_redirects_followed_by_hand():
    s = make_settings()
    with LoopbackServer() as srv:
        srv.route("/ancien", Reply(301, b"", {"Location": "/nouveau"}))
        srv.route("/nouveau", Reply(302, b"", {"Location": srv.url("/final")}))
        srv.route("/final", Reply(200, TEXT_FR))
        result = fetch(s, srv.url("/ancien"))
        assert result.content == TEXT_FR
        assert result.url == srv.url("/final")
        assert result.requested_url == srv.url("/ancien")


def test_redirect_loop():
    s = make_settings()
    with LoopbackServer() as srv:
        srv.route("/a", Reply(302, b"", {"Location": "/b"}))
        srv.route("/b", Reply(302, b"", {"Location": "/a"}))
        with pytest.raises(TooManyRedirects):
            fetch(s, srv.url("/a"), kind="feed")
        assert srv.hits("/a") == 1 and srv.hits("/b") == 1


def test_too_many_redirects():
    s = make_settings(max_redirects=3)

    def next_hop(h):
        n = int(h.path.rsplit("/", 1)[1])
        return Reply(307, b"", {"Location": f"/r/{n + 1}"})

    with LoopbackServer() as srv:
        for n in range(10):
            srv.route(f"/r/{n}", next_hop)
        with pytest.raises(TooManyRedirects):
            fetch(s, srv.url("/r/0"), kind="feed")
        assert len(srv.requests) == 4  # the first request and 3 redirects


def test_robots_checked_on_redirect_hop():
    s = make_settings()
    with LoopbackServer() as srv:
        srv.route("/robots.txt", Reply(200, b"User-agent: akhbar\nDisallow: /abonnes/\n"))
        srv.route("/article", Reply(301, b"", {"Location": "/abonnes/article"}))
        srv.route("/abonnes/article", Reply(200, TEXT_AR))
        with pytest.raises(DisallowedByRobots):
            fetch(s, srv.url("/article"))
        assert srv.hits("/abonnes/article") == 0


# -- sizes and timeouts --------------------------------------------------------------------


def test_endless_body_is_too_large():
    s = make_settings(max_body_bytes=200_000)
    with LoopbackServer() as srv:
        srv.route("/feed", endless_body())
        with pytest.raises(TooLarge):
            fetch(s, srv.url("/feed"), kind="feed")


def test_declared_length_too_large_fails_before_reading():
    s = make_settings(max_body_bytes=1000)
    with LoopbackServer() as srv:
        srv.route("/feed", Reply(200, b"x" * 5000))
        with pytest.raises(TooLarge, match="Content-Length"):
            fetch(s, srv.url("/feed"), kind="feed")


def test_compression_bombs_are_too_large():
    s = make_settings(max_body_bytes=1_000_000)
    zeros = b"\0" * 50_000_000
    with LoopbackServer() as srv:
        srv.route("/gz", Reply(200, gzip.compress(zeros, 9), {"Content-Encoding": "gzip"}))
        srv.route("/br", Reply(200, brotli_bytes(zeros), {"Content-Encoding": "br"}))
        for path in ("/gz", "/br"):
            with pytest.raises(TooLarge):
                fetch(s, srv.url(path), kind="feed")


def test_trickling_body_hits_total_timeout():
    s = make_settings(total_timeout=0.5, read_timeout=5.0)
    with LoopbackServer() as srv:
        srv.route("/feed", endless_body(chunk=b"<p>\xd8\xb3", pause=0.02))
        with pytest.raises(FetchTimeout, match="longer than"):
            fetch(s, srv.url("/feed"), kind="feed")
        assert srv.hits("/feed") == 1  # an overlong download is not retried


def test_silent_server_hits_read_timeout_and_is_retried():
    s = make_settings(read_timeout=0.3)
    with LoopbackServer() as srv:
        srv.route("/feed", never_answer())
        with pytest.raises(FetchTimeout):
            fetch(s, srv.url("/feed"), kind="feed", max_retries=1)
        assert srv.hits("/feed") == 2


def test_truncated_gzip_is_a_fetch_error():
    s = make_settings()
    packed = gzip_bytes(TEXT_FR * 200)
    with LoopbackServer() as srv:
        srv.route("/gz", Reply(200, packed[: len(packed) // 2], {"Content-Encoding": "gzip"}))
        srv.route("/bad", Reply(200, b"ceci n'est pas du gzip", {"Content-Encoding": "gzip"}))
        with pytest.raises(FetchError, match="truncated gzip"):
            fetch(s, srv.url("/gz"), kind="feed")
        with pytest.raises(FetchError, match="corrupt gzip"):
            fetch(s, srv.url("/bad"), kind="feed")


def test_connection_refused_is_a_fetch_error():
    s = make_settings(connect_timeout=1.0)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    with pytest.raises(FetchError, match="connection failed"):
        fetch(s, f"http://127.0.0.1:{port}/feed", kind="feed", max_retries=1)


def test_dns_failure():
    s = make_settings()
    with pytest.raises(DNSError):
        fetch(s, "http://akhbar-nulle-part.invalid/flux.xml", kind="feed")
    with pytest.raises(DNSError):
        fetch(s, "http://أخبار.invalid/", kind="page")


def test_crawl_delay_spaces_requests_when_larger():
    s = make_settings(min_host_delay=0.0)

    async def two_pages(srv):
        async with Fetcher(s, retry_base=0.01) as f:
            for path in ("/a", "/b"):
                await f.fetch(srv.url(path))

    with LoopbackServer() as srv:
        srv.route("/robots.txt", Reply(200, b"User-agent: akhbar\nCrawl-delay: 0.4\n"))
        srv.route("/a", Reply(200, TEXT_FR))
        srv.route("/b", Reply(200, TEXT_AR))
        asyncio.run(two_pages(srv))
        (a,), (b,) = srv.seen("/a"), srv.seen("/b")
        assert b.at - a.at >= 0.4 - 0.05  # loopback delivery jitter, as above
