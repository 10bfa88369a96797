"""Every error akhbar raises on purpose derives from AkhbarError::

    AkhbarError
    ├── ConfigError            bad setting or source registry entry
    ├── FetchError             the network did not give us a usable answer
    │   ├── BlockedAddress     SSRF guard: host resolves to a private/loopback/metadata address
    │   ├── DNSError           host does not resolve
    │   ├── FetchTimeout       connect or read timeout
    │   ├── TooLarge           body bigger than the cap
    │   ├── TooManyRedirects   redirect cap reached or redirect loop
    │   ├── DisallowedByRobots robots.txt forbids the page
    │   └── HTTPStatusError    4xx/5xx; carries status and retry_after (seconds)
    ├── ParseError             bytes are not a feed we can read (HTML served as a feed…)
    ├── ExtractError           no article text could be taken from a page
    ├── StorageError           the store failed (backend errors are wrapped here)
    └── SearchError            the search index failed or the query is invalid

A failure in one source is recorded on that source and the crawl goes on; only
errors outside this tree are bugs and propagate.
"""

from __future__ import annotations


class AkhbarError(Exception):
    """Base of all errors raised on purpose."""


class ConfigError(AkhbarError):
    pass


class FetchError(AkhbarError):
    def __init__(self, message: str, url: str | None = None):
        super().__init__(message)
        self.url = url


class BlockedAddress(FetchError):
    pass


class DNSError(FetchError):
    pass


class FetchTimeout(FetchError):
    pass


class TooLarge(FetchError):
    pass


class TooManyRedirects(FetchError):
    pass


class DisallowedByRobots(FetchError):
    pass


class HTTPStatusError(FetchError):
    def __init__(
        self, message: str, url: str | None = None, *, status: int, retry_after: float | None = None
    ):
        super().__init__(message, url)
        self.status = status
        self.retry_after = retry_after


class ParseError(AkhbarError):
    pass


class ExtractError(AkhbarError):
    pass


class StorageError(AkhbarError):
    pass


class SearchError(AkhbarError):
    pass
