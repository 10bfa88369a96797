"""Blocked images stay blocked: crawled lead images compared with blocked ones by perceptual hash.

A blocked image is hidden by its URL (the site does that). An outlet that republishes the
same picture under another URL, resized or re-encoded, is caught here: after each crawl pass
the pipeline runs :class:`ImageCheck`, which

1. fetches blocked images whose hash is not known yet and stores their hash;
2. when at least one blocked hash exists, hashes the lead images of articles not checked yet
   (a cursor over article ids, kept as the checkpoint ``image-check``, and the last RESCAN
   ids before it again, for articles committed late on PostgreSQL; rewound over the last
   few days when a blocked image gets its hash for the first time) and blocks each one within
   ``image_match_distance`` bits of a blocked hash as a copy of it.

When nothing is blocked nothing is fetched. Each image URL is fetched and hashed once (the
store's image_hashes table); a failure is recorded there and retried a few times, spaced
out, never stopping the crawl. The hash is ``imagehash.phash``: 64 bits of the low
frequencies of a 32x32 greyscale DCT, stable under re-encoding and resizing.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import re
import warnings
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import imagehash
from PIL import Image, ImageOps

from akhbar.errors import AkhbarError, FetchError
from akhbar.store._images_sql import GAVE_UP
from akhbar.store.base import Store
from akhbar.types import Source

log = logging.getLogger(__name__)

# Largest image decoded, in pixels (a 8000x5000 photograph); a decompression bomb (a small
# file that claims to be huge) is refused before its pixels are allocated.
MAX_PIXELS = 40_000_000
# Largest image body kept; news lead images are well under 1 MB.
MAX_IMAGE_BYTES = 5 * 1024 * 1024
# Formats decoded: what newspapers serve as lead images. Others are refused unread.
FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "BMP", "AVIF")
# Magic numbers of those formats, for servers that label images application/octet-stream.
_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"BM")

# Tries before an unreadable image is given up, and the wait before the first retry
# (doubled at each try): a host that is down for an hour is tried again after it is back.
MAX_TRIES = 4
RETRY_AFTER = timedelta(minutes=10)
# Article images looked at per pass (hash known: compared; not known: fetched), and fetched.
SCAN_PER_PASS = 2000
FETCH_PER_PASS = 500
FETCH_CONCURRENCY = 8
# When a blocked image gets its hash: articles this recent are checked again.
RECHECK = timedelta(days=3)
# Article ids below the cursor that every pass scans again. On PostgreSQL an article takes
# its id from a sequence inside its transaction, and transactions commit in any order: with
# several workers an article can become visible after one with a higher id was scanned and
# the cursor moved past it. Re-reading the last RESCAN ids costs one query and no fetch
# (their hashes are known; failed ones wait their turn as always). Ids rather than a time
# window on first_seen: ids do not depend on each worker's clock. An insert transaction
# lasts well under a second, in which far fewer than RESCAN articles are stored.
# (SQLite's single writer hands out ids in commit order: nothing is ever skipped there.)
RESCAN = 500
CHECKPOINT = "image-check"


class ImageError(AkhbarError):
    """Bytes that are not an image we can read (corrupt, not an image, too many pixels)."""


def _open(data: bytes) -> Image.Image:
    """Decode ``data`` whole, refusing bombs, formats not in FORMATS and broken files."""
    Image.init()  # loads every plugin once (a fresh worker process knows five formats)
    formats = [f for f in FORMATS if f in Image.OPEN]
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that: an error here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=formats)
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ImageError(f"image of {width}x{height} pixels: more than {MAX_PIXELS}")
            if image.format == "JPEG":
                # Decode at a reduced scale: the hash looks at 32x32 pixels anyway.
                image.draft("RGB", (256, 256))
            image.load()
            return image
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageError(f"decompression bomb refused: {exc}") from None
    except Image.UnidentifiedImageError:
        raise ImageError("not an image Pillow can identify (or not one of "
                         f"{', '.join(FORMATS)})") from None
    except Exception as exc:  # a decoder's error on hostile bytes: any kind, all unreadable
        raise ImageError(f"unreadable image: {type(exc).__name__}: {exc}"[:300]) from None


def _standard(image: Image.Image) -> Image.Image:
    """Upright, on white, RGB: the same picture hashes alike whatever its EXIF or alpha."""
    with contextlib.suppress(Exception):  # broken EXIF: keep the picture as stored
        image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


def perceptual_hash(data: bytes) -> str:
    """imagehash.phash of an image's bytes: 16 hex digits (64 bits). ImageError when the
    bytes are not a readable image (corrupt, text, a decompression bomb)."""
    if not data:
        raise ImageError("empty body")
    image = _standard(_open(data))
    if image.width < 2 or image.height < 2:
        raise ImageError(f"image of {image.width}x{image.height} pixels is too small to compare")
    return str(imagehash.phash(image, hash_size=8))


_HEX16 = re.compile(r"[0-9a-f]{16}")


def distance(a: str, b: str) -> int:
    """Bits that differ between two hashes of perceptual_hash (0 = same picture, 64 = none alike)."""
    a, b = a.lower(), b.lower()
    if not (_HEX16.fullmatch(a) and _HEX16.fullmatch(b)):
        raise ValueError(f"not 16-hex-digit hashes: {a!r}, {b!r}")
    return (int(a, 16) ^ int(b, 16)).bit_count()


def closest(phash: str, blocked: Iterable[tuple[int, str]], max_distance: int) -> tuple[int, int] | None:
    """(item id, distance) of the blocked hash nearest to ``phash`` within max_distance
    bits (the lower item id on a tie), or None."""
    value = int(phash, 16)
    best: tuple[int, int] | None = None
    for item_id, other in blocked:
        d = (value ^ int(other, 16)).bit_count()
        if d <= max_distance and (best is None or (d, item_id) < (best[1], best[0])):
            best = (item_id, d)
    return best


def looks_like_image(content_type: str, data: bytes) -> bool:
    """An image/* content type, or bytes that start like one of FORMATS (mislabelled)."""
    if content_type.split(";", 1)[0].strip().lower().startswith("image/"):
        return True
    return data.startswith(_MAGIC) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


def tries_of(error: str) -> int:
    """How many tries an image_hashes error records ("try 2: …"); GAVE_UP counts as all."""
    if error.startswith(GAVE_UP):
        return MAX_TRIES
    m = re.match(r"try (\d+):", error)
    return int(m.group(1)) if m else 1


def error_text(tries: int, message: str) -> str:
    """What save_image_hash keeps for a failed try; after MAX_TRIES it says GAVE_UP."""
    if tries >= MAX_TRIES:
        return f"{GAVE_UP} after {tries} tries: {message}"[:500]
    return f"try {tries}: {message}"[:500]


@dataclass
class ImageCheckResult:
    hashed: int = 0  # images fetched and hashed
    failed: int = 0  # images that could not be fetched or read (retried later)
    copies_blocked: int = 0  # crawled images blocked as copies of blocked ones


class ImageCheck:
    """One pass of the crawler's image check (see the module's docstring).

    ``fetch(url) -> bytes`` downloads an image (an image/* body of at most MAX_IMAGE_BYTES,
    else FetchError or ImageError); ``hash_image(bytes) -> str`` runs perceptual_hash where
    CPU work belongs (the pipeline's process pool).
    """

    def __init__(
        self,
        store: Store,
        *,
        max_distance: int,
        fetch: Callable[[str], Awaitable[bytes]],
        hash_image: Callable[[bytes], Awaitable[str]],
        retry_after: timedelta = RETRY_AFTER,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        self.store = store
        self.max_distance = max_distance
        self.fetch = fetch
        self.hash_image = hash_image
        self.retry_after = retry_after
        # Wall time, as the store stamps image_hashes.checked with it.
        self.now = now

    async def run(self) -> ImageCheckResult:
        result = ImageCheckResult()
        newly_hashed = await self._hash_blocked(result)
        blocked = self.store.blocked_image_hashes()
        latest = self.store.latest_change()[0]
        stored = self.store.get_checkpoint(CHECKPOINT)
        if not blocked:
            # Nothing to compare with: articles stored until now are never fetched. When a
            # first image is blocked, the recent ones are checked (below).
            self._save_cursor(stored, latest)
            return result
        cursor = int(stored) if stored is not None else latest
        if newly_hashed or stored is None:
            # A new blocked hash (or no cursor yet): the last few days are checked again;
            # hashes already known cost no fetch.
            first_recent = self.store.article_images(0, 1, since=self.now() - RECHECK)
            if first_recent:
                cursor = min(cursor, first_recent[0][0] - 1)
        self._save_cursor(stored, await self._check_articles(cursor, latest, blocked, result))
        return result

    def _save_cursor(self, stored: str | None, cursor: int) -> None:
        if stored != str(cursor):  # a pass with nothing new writes nothing
            self.store.set_checkpoint(CHECKPOINT, str(cursor))

    # -- blocked images without a hash ---------------------------------------------------
    async def _hash_blocked(self, result: ImageCheckResult) -> int:
        pending = self.store.blocked_images_unhashed(limit=50)
        if not pending:
            return 0
        known = {u: p for u, p in self.store.image_hashes(u for _, u in pending).items()
                 if p is not None}
        await self._hash_all([u for _, u in pending if u not in known], known, result)
        done = 0
        for item_id, url in pending:
            phash = known.get(url)
            if phash is not None:
                self.store.set_item_phash(item_id, phash)
                done += 1
        return done

    # -- crawled images ----------------------------------------------------------------------
    async def _check_articles(self, cursor: int, latest: int, blocked: list[tuple[int, str]],
                              result: ImageCheckResult) -> int:
        """Compare the images of articles after ``cursor - RESCAN`` with the blocked hashes;
        returns the new cursor, never below ``cursor`` (``latest``, the highest article id
        before the scan, when every article up to it was seen: articles without an image
        are not scanned again)."""
        start = cursor
        rows = self.store.article_images(max(0, cursor - RESCAN), SCAN_PER_PASS)
        # Hashes known: compared at once. Failed before and not due again: skipped here
        # (they would only fill FETCH_PER_PASS); _hash_url retries them when due.
        known = {u: p for u, p in self.store.image_hashes({u for _, u in rows}).items()
                 if p is not None}
        errors = self.store.image_errors({u for _, u in rows if u not in known})
        waiting = {u for u, (error, checked) in errors.items() if not self._due(error, checked)}
        wanted: dict[str, None] = {}
        end = len(rows)
        for i, (_, url) in enumerate(rows):
            if url not in known and url not in wanted and url not in waiting:
                if len(wanted) >= FETCH_PER_PASS:
                    end = i  # the rest next pass, from here
                    break
                wanted[url] = None
        await self._hash_all(list(wanted), known, result)
        for article_id, url in rows[:end]:
            phash = known.get(url)
            cursor = article_id
            if phash is None:
                continue
            match = closest(phash, blocked, self.max_distance)
            if match is not None:
                item_id, bits = match
                if self.store.block_image_copy(url, article_id, item_id, bits) is not None:
                    result.copies_blocked += 1
                    log.info("image %s (article %d) blocked: a copy of blocked item %d, %d bits apart",
                             url, article_id, item_id, bits)
        if end == len(rows) < SCAN_PER_PASS:
            cursor = max(cursor, latest)
        return max(start, cursor)

    def _due(self, error: str, checked: datetime) -> bool:
        """Whether an image that failed (``error`` at ``checked``) is to be tried again now."""
        tries = tries_of(error)
        return tries < MAX_TRIES and self.now() - checked >= self.retry_after * 2 ** (tries - 1)

    async def _hash_all(self, urls: list[str], known: dict[str, str | None],
                        result: ImageCheckResult) -> None:
        """_hash_url for each, FETCH_CONCURRENCY at a time: hosts are fetched in parallel,
        each at the pace the Fetcher's politeness allows it."""
        slots = asyncio.Semaphore(FETCH_CONCURRENCY)

        async def one(url: str) -> None:
            async with slots:
                await self._hash_url(url, known, result)

        await asyncio.gather(*(one(u) for u in urls))

    async def _hash_url(self, url: str, known: dict[str, str | None],
                        result: ImageCheckResult) -> str | None:
        """Fetch and hash one image, once: the outcome is stored (and put in ``known``).
        A URL that failed before is tried again only when its wait is over."""
        errors = self.store.image_errors([url])
        tries = 0
        if url in errors:
            error, checked = errors[url]
            tries = tries_of(error)
            if not self._due(error, checked):
                known[url] = None
                return None
        try:
            data = await self.fetch(url)
            phash = await self.hash_image(data)
        except (FetchError, ImageError) as exc:
            result.failed += 1
            message = f"{type(exc).__name__}: {exc}"
            log.info("image %s not hashed (try %d): %s", url, tries + 1, message)
            self.store.save_image_hash(url, None, error_text(tries + 1, message))
            known[url] = None
            return None
        self.store.save_image_hash(url, phash)
        result.hashed += 1
        known[url] = phash
        return phash


async def fetch_image(fetcher, url: str, *, min_delay: float | None = None) -> bytes:
    """An image through the crawler's polite Fetcher (its per-host spacing, robots.txt,
    SSRF guard): TooLarge (a FetchError) past MAX_IMAGE_BYTES, refused on its Content-Length
    or cut off while downloading; ImageError unless the answer is an image."""
    result = await fetcher.fetch(url, kind="page", min_delay=min_delay, max_bytes=MAX_IMAGE_BYTES)
    data = result.content
    if not looks_like_image(result.content_type, data):
        raise ImageError(f"not an image: {result.content_type or 'no content type'}")
    return data


def host_delay(url: str, sources: Iterable[Source]) -> float | None:
    """The politeness delay of the outlet an image is served by (the source whose homepage
    or a feed is on the image's host), or None: the crawler's default."""
    host = urlsplit(url).netloc.lower()
    for source in sources:
        if any(urlsplit(u).netloc.lower() == host for u in (source.homepage, *source.feeds)):
            return source.min_delay
    return None
