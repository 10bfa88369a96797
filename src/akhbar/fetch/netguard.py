"""SSRF guard: the crawler only talks to public http(s) addresses.

Feeds and pages come from outlets and from links inside them, so a URL may point at
``http://169.254.169.254/`` (cloud metadata), at the operator's LAN or at localhost.
Every URL is checked before connecting and on every redirect hop; :class:`GuardedBackend`
checks again at connect time, on the very address the socket is opened to, so a name that
resolves to a public address first and to a private one a second later (DNS rebinding)
does not get through.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable

import httpcore
import httpx

from akhbar.errors import BlockedAddress, ConfigError, DNSError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Never reachable, whatever the allow list says: nothing a news crawler needs lives there.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
)
_SHARED_NAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

ALLOWED_SCHEMES = ("http", "https")

# A resolver maps (host, port) to IP address strings; tests may pass their own.
Resolver = Callable[[str, int], Awaitable[list[str]]]


def parse_networks(spec: str) -> tuple[IPNetwork, ...]:
    """``"127.0.0.0/8, 10.1.0.0/16"`` -> networks; a bare address means that one host."""
    networks = []
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError as exc:
            raise ConfigError(f"allow_private_networks: not a CIDR network: {part!r}") from exc
    return tuple(networks)


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, NAT64), which is what it reaches."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.sixtofour is not None:
            return ip.sixtofour
        if ip in _NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _is_special(ip: IPAddress) -> bool:
    return (
        not ip.is_global
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
        or (isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED_NAT)
    )


def is_blocked(ip: IPAddress | str, allow: Iterable[IPNetwork] = ()) -> bool:
    """True when the crawler must not connect to ``ip``."""
    ip = ipaddress.ip_address(ip) if isinstance(ip, str) else ip
    # Judge the IPv4 address an IPv6 one wraps: that is the host it reaches.
    ip = _embedded_ipv4(ip) or ip
    if ip in METADATA_ADDRESSES:
        return True
    if not _is_special(ip):
        return False
    return not any(ip.version == net.version and ip in net for net in allow)


async def system_resolver(host: str, port: int) -> list[str]:
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    # Keep the resolver's order (it prefers what the system can reach), without repeats.
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class NetGuard:
    """Resolves hosts and refuses the addresses the crawler must not reach."""

    def __init__(
        self,
        allow: str | Iterable[IPNetwork] = "",
        *,
        resolve_timeout: float = 10.0,
        resolver: Resolver | None = None,
    ):
        self.allow = parse_networks(allow) if isinstance(allow, str) else tuple(allow)
        self.resolve_timeout = resolve_timeout
        self._resolver = resolver or system_resolver

    async def resolve(self, host: str, port: int, url: str | None = None) -> list[str]:
        """Addresses of ``host``, all of them allowed; else DNSError or BlockedAddress."""
        host = host.strip("[]")
        try:
            addresses = [str(ipaddress.ip_address(host))]
        except ValueError:
            addresses = await self._lookup(host, port, url)
        # One bad address is enough: a name that also points inside is not a news site.
        for address in addresses:
            if is_blocked(address, self.allow):
                raise BlockedAddress(f"{host} resolves to a non-public address {address}", url)
        return addresses

    async def _lookup(self, host: str, port: int, url: str | None) -> list[str]:
        try:
            async with asyncio.timeout(self.resolve_timeout):
                addresses = await self._resolver(host, port)
        except TimeoutError:
            raise DNSError(f"DNS lookup of {host} timed out", url) from None
        except (OSError, UnicodeError) as exc:
            raise DNSError(f"DNS lookup of {host} failed: {exc}", url) from exc
        if not addresses:
            raise DNSError(f"DNS lookup of {host} returned no address", url)
        return addresses

    async def check_url(self, url: httpx.URL) -> list[str]:
        """Refuse non-http(s) URLs and URLs whose host is not public."""
        if url.scheme not in ALLOWED_SCHEMES:
            raise BlockedAddress(f"scheme {url.scheme or '(none)'!r} is not fetched", str(url))
        if not url.host:
            raise BlockedAddress("URL has no host", str(url))
        port = url.port or (443 if url.scheme == "https" else 80)
        return await self.resolve(url.host, port, str(url))


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore network backend that connects only to addresses the guard allows.

    It resolves the name itself and opens the socket to the checked address, so the
    address checked is the address used (no second lookup an attacker could answer).
    """

    def __init__(self, guard: NetGuard, inner: httpcore.AsyncNetworkBackend | None = None):
        self._guard = guard
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self._guard.resolve(host, port)
        last_error: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        assert last_error is not None  # resolve() never returns an empty list
        raise last_error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise BlockedAddress("unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def guarded_transport(guard: NetGuard, *, max_connections: int) -> httpx.AsyncHTTPTransport:
    """An httpx transport whose every new connection goes through :class:`GuardedBackend`.

    httpx does not take a network backend, so the transport's connection pool is replaced
    by an equivalent one that has it (httpx/httpcore versions are pinned in the lock file).
    """
    transport = httpx.AsyncHTTPTransport(trust_env=False)
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        max_connections=max_connections,
        max_keepalive_connections=max_connections,
        keepalive_expiry=5.0,
        network_backend=GuardedBackend(guard),
    )
    return transport
