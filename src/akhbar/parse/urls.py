"""Canonical article URLs and the de-duplication key (pure functions, no I/O).

``canonical_url`` is the URL we store and show; ``url_key`` is what two URLs of one
article have in common (scheme and ``www.`` dropped), used to find the same article
reached through http/https, www/bare host, tracking links or a percent-encoded slug.

Percent-encoding: we keep the RFC 3986 form, i.e. non-ASCII characters (Arabic slugs)
are percent-encoded as UTF-8 with upper-case hex, and escapes of unreserved characters
(letters, digits, ``-._~``) are decoded. A slug pasted raw (``/مقال``) and the same slug
percent-encoded (``/%D9%85...``) therefore give one string. Encoded form was chosen
because it is what browsers send, what HTTP clients accept, and it is plain ASCII in
logs and database keys; the web layer may unquote it for display.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

import idna

__all__ = ["TRACKING_PARAMS", "TRACKING_PREFIXES", "canonical_url", "same_site", "url_key"]

# Query parameters that identify a campaign, a click or a share, never the page.
# Compared case-insensitively. Kept as a list so a reader can see what we drop.
TRACKING_PARAMS = frozenset(
    {
        # Google / Google Ads / Analytics
        "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "_ga", "_gl",
        # Facebook / Instagram / Twitter / TikTok / LinkedIn
        "fbclid", "igshid", "igsh", "twclid", "ttclid", "li_fat_id",
        "ref_src", "ref_url", "__twitter_impression",
        # Microsoft / Yandex
        "msclkid", "yclid", "ocid",
        # Mailchimp, HubSpot, Marketo, Vero
        "mc_cid", "mc_eid", "_hsenc", "_hsmi", "mkt_tok", "vero_id", "vero_conv",
        # AT Internet / Xiti (common on French-language news sites)
        "xtor", "xtref", "xts",
        # Adobe, Webtrends, comScore, misc. newsletter/share markers
        "cmpid", "s_cid", "wt.mc_id", "wt_mc_id", "ns_campaign", "ns_mchannel",
        "ns_source", "ns_linkname", "ns_fee", "soc_src", "soc_trk", "oly_enc_id",
        "oly_anon_id", "sharesource", "from_rss",
    }
)
# Whole families: utm_source, utm_medium…; at_medium, at_campaign… (AT Internet).
TRACKING_PREFIXES = ("utm_", "at_", "pk_", "mtm_", "hsa_")

_DEFAULT_PORTS = {"http": "80", "https": "443"}
_UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_SLASHES = re.compile(r"/{2,}")
# Second-level labels under a country TLD that are public suffixes (co.ma, gov.ma,
# com.tn…). A small hand list instead of the Public Suffix List: we only need to tell
# "sibling subdomains of one outlet" from "another site".
_SECOND_LEVEL = frozenset({"co", "com", "net", "org", "gov", "ac", "edu", "press", "gouv"})


def _normalise_escapes(part: str, safe: str) -> str:
    """Decode escapes of unreserved characters, upper-case the others, encode the rest."""

    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else "%" + match.group(1).upper()

    part = _BAD_PERCENT.sub("%25", part)  # a lone "%" is data, not an escape
    part = _ESCAPE.sub(fix, part)
    # "%" is safe here because every remaining "%" now starts a valid escape.
    return quote(part, safe=safe + "%")


def _normalise_host(host: str) -> str:
    host = host.strip().rstrip(".").lower()
    if not host or host.startswith("[") or host.isascii():
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError:
        # Python's IDNA 2003 codec accepts some names IDNA 2008 refuses.
        try:
            return host.encode("idna").decode("ascii")
        except UnicodeError:
            return host


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 §5.2.4, for the segments ``.`` and ``..``."""
    if "." not in path:
        return path
    out: list[str] = []
    segments = path.split("/")
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        if seg == ".":
            if last:
                out.append("")
        elif seg == "..":
            if len(out) > 1:
                out.pop()
            if last:
                out.append("")
        else:
            out.append(seg)
    return "/".join(out)


def _is_tracking(key: str) -> bool:
    key = key.lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def _normalise_query(query: str) -> str:
    pairs: list[tuple[str, str]] = []
    for item in query.split("&"):
        if not item:
            continue
        key, sep, value = item.partition("=")
        key = _normalise_escapes(key, "!$'()*+,;:@/?")
        if _is_tracking(_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), key)):
            continue
        value = _normalise_escapes(value, "!$'()*+,;=:@/?")
        pairs.append((key, sep + value))
    pairs.sort()
    return "&".join(key + rest for key, rest in pairs)


def _normalise(url: str) -> str:
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = _normalise_host(parts.hostname or "")
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # urlsplit strips IPv6 brackets
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host
    # Userinfo is dropped: credentials never belong in a stored URL.
    if port is not None and str(port) != _DEFAULT_PORTS.get(scheme):
        netloc = f"{host}:{port}"
    path = _SLASHES.sub("/", parts.path)
    path = _remove_dot_segments(path)
    path = _normalise_escapes(path, "!$&'()*+,;=:@/")
    if not path.startswith("/"):
        path = "/" + path
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    query = _normalise_query(parts.query)
    return urlunsplit((scheme, netloc, path, query, ""))


def _bare_host(host: str) -> str:
    host = _normalise_host(host)
    return host[4:] if host.startswith("www.") else host


def _site(host: str) -> str:
    """Registrable domain, approximately: last two labels, three under co.ma-like suffixes."""
    labels = host.split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def same_site(a: str, b: str) -> bool:
    """Whether two URLs are on one outlet's site (www., subdomains like fr.site.ma allowed)."""
    ha, hb = _bare_host(urlsplit(a).hostname or ""), _bare_host(urlsplit(b).hostname or "")
    if not ha or not hb:
        return False
    return ha == hb or _site(ha) == _site(hb)


def _usable_canonical(url: str, canonical: str) -> str | None:
    # Relative canonicals are resolved against the page: some CMS write them that way.
    candidate = urljoin(url, canonical.strip())
    parts = urlsplit(candidate)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    if not same_site(url, candidate):
        return None
    # A canonical pointing at the homepage from an article is a common CMS bug.
    home = parts.path.strip("/") == "" and not parts.query
    if home and urlsplit(url).path.strip("/") != "":
        return None
    return candidate


def canonical_url(url: str, canonical: str | None = None) -> str:
    """The URL we store and show for a page fetched at ``url``.

    ``canonical`` (rel=canonical or og:url) replaces ``url`` when it is http(s), on the
    same site and not the homepage of an article; then the URL is normalised (see module
    docstring and ``TRACKING_PARAMS``).
    """
    chosen = url
    if canonical:
        chosen = _usable_canonical(url, canonical) or url
    return _normalise(chosen)


def url_key(url: str) -> str:
    """De-duplication key: the canonical URL without scheme and leading ``www.``."""
    canon = canonical_url(url)
    rest = canon.split("://", 1)[1] if "://" in canon else canon
    return rest[4:] if rest.startswith("www.") else rest
