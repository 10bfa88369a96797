"""Who reported: the client's address behind trusted proxies, and keyed hashes of readers.

Anonymous readers are told apart by two keyed hashes (HMAC-SHA256), never by anything
stored in the clear: ``reporter_key`` of the browser's random cookie token, and
``network_key`` of the client's network (/24 for IPv4, /64 for IPv6), so that one person
with many cookies, or one bot on one network, still counts once. The key comes from the
``report_key`` setting, or else from the store (``Store.moderation_key``: made once at
random and shared by every process of the site).

The client address is the socket peer, unless that peer is a trusted proxy (the
``trusted_proxies`` setting): then X-Forwarded-For is read from the right, past every
trusted hop, and its first untrusted address is the client. From any other peer the
header is ignored, so nobody can choose the address they are counted under.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from dataclasses import dataclass

from akhbar.errors import ConfigError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# Most X-Forwarded-For entries looked at: a longer chain is someone padding it.
MAX_HOPS = 32
# Cookie tokens we made are 32 hex digits; anything else a browser sends is replaced.
TOKEN_HEX = 32
IPV4_PREFIX, IPV6_PREFIX = 24, 64


def parse_proxies(setting: str) -> tuple[Network, ...]:
    """The trusted_proxies setting (addresses or CIDRs, comma-separated) as networks; a
    bad entry is a ConfigError naming it."""
    networks = []
    for entry in (setting or "").split(","):
        entry = entry.strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ConfigError(f"trusted_proxies: {entry!r} is not an IP address or network") \
                from None
    return tuple(networks)


def parse_address(text: str | None) -> Address | None:
    """An address as a peer or X-Forwarded-For gives it; IPv4-mapped IPv6 becomes IPv4;
    None when it is not one (a hostname, "unknown", garbage)."""
    if not text:
        return None
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1:text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])  # no zone id
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def network_of(address: Address) -> Network:
    """The network a reader is counted under: its /24 (IPv4) or /64 (IPv6)."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            address = address.ipv4_mapped
        else:
            return ipaddress.IPv6Network((address, IPV6_PREFIX), strict=False)
    return ipaddress.IPv4Network((address, IPV4_PREFIX), strict=False)


def valid_token(token: str | None) -> bool:
    """A cookie token this site could have made (hex, the right length)."""
    return (bool(token) and len(token) == TOKEN_HEX  # type: ignore[arg-type]
            and all(c in "0123456789abcdef" for c in token))  # type: ignore[union-attr]


def new_token() -> str:
    return secrets.token_hex(TOKEN_HEX // 2)


@dataclass(frozen=True)
class Reader:
    """One reader as a report records them: keyed hashes only, plus the cookie token to
    set when the browser had none."""

    reporter_key: str
    network_key: str
    token: str
    new_token: bool  # the browser sent no usable token: set this one


class Identity:
    """The client-address rule and the keyed hashes, set up once per site process:
    ``Identity(key, trusted_proxies)`` with the HMAC key (bytes) and the setting's text."""

    def __init__(self, key: bytes, trusted_proxies: str = ""):
        if not key:
            raise ConfigError("the report key is empty")
        self._key = key
        self.trusted = parse_proxies(trusted_proxies)

    def is_trusted(self, address: Address | None) -> bool:
        return address is not None and any(
            address.version == net.version and address in net for net in self.trusted)

    def client_address(self, peer: str | None, forwarded_for: str | None = None) -> Address | None:
        """The client's address: the peer, or (peer trusted) the first address from the
        right of X-Forwarded-For that is not a trusted proxy. A malformed entry stops the
        walk: the last trusted hop reached is taken, not something it failed to parse."""
        current = parse_address(peer)
        if not self.is_trusted(current) or not forwarded_for:
            return current
        hops = [h for h in forwarded_for.split(",")][-MAX_HOPS:]
        for hop in reversed(hops):
            address = parse_address(hop)
            if address is None:
                return current
            current = address
            if not self.is_trusted(address):
                return address
        return current  # every hop trusted: the leftmost one is all we know

    def keyed(self, purpose: str, value: str) -> str:
        """HMAC-SHA256 of ``value`` for one purpose, as 32 hex digits."""
        digest = hmac.new(self._key, f"{purpose}\0{value}".encode(), hashlib.sha256)
        return digest.hexdigest()[:32]

    def reporter_key(self, token: str) -> str:
        return self.keyed("reader", token)

    def network_key(self, address: Address | None) -> str:
        # No address at all (a test client, a Unix socket): every such reader is one
        # network, which is what a single unidentifiable source should count as.
        return self.keyed("network", str(network_of(address)) if address else "unknown")

    def reader(self, token: str | None, peer: str | None,
               forwarded_for: str | None = None) -> Reader:
        """The reader behind a request: their cookie token (a fresh one when theirs is
        missing or not ours), their socket peer and X-Forwarded-For header."""
        fresh = not valid_token(token)
        if fresh:
            token = new_token()
        address = self.client_address(peer, forwarded_for)
        return Reader(reporter_key=self.reporter_key(token),  # type: ignore[arg-type]
                      network_key=self.network_key(address), token=token,  # type: ignore[arg-type]
                      new_token=fresh)


def report_key_bytes(setting: str) -> bytes | None:
    """The report_key setting as HMAC key bytes, or None when it is empty (then the
    store's key is used)."""
    setting = (setting or "").strip()
    return setting.encode("utf-8") if setting else None


def identity_for(settings, store) -> Identity:
    """The site's Identity: the report_key setting, else the store's shared key."""
    key = report_key_bytes(settings.report_key) or store.moderation_key()
    return Identity(key, settings.trusted_proxies)
