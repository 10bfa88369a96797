"""Perceptual hashes of images (akhbar.moderate.images) and the store's image-hash methods.

Pictures are the demo press's own drawings (akhbar.demo.pictures), encoded here the ways
outlets re-encode a photograph: other quality, other size, PNG, WebP, a slight crop.
"""

from __future__ import annotations

import io
import pickle
import struct
import zlib
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from akhbar.demo.pictures import draw
from akhbar.errors import StorageError
from akhbar.moderate.images import (
    MAX_PIXELS,
    ImageError,
    closest,
    distance,
    error_text,
    looks_like_image,
    perceptual_hash,
    tries_of,
)
from akhbar.types import Article, ReportIn, ReportPolicy

MATCH = 8  # the default of the image_match_distance setting
SEEDS = (1, 22, 333, 4444, 55555)


def encoded(image: Image.Image, fmt: str = "JPEG", width: int | None = None, **options) -> bytes:
    if width is not None and width != image.width:
        image = image.resize((width, round(image.height * width / image.width)),
                             Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


# -- the hash ------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
def test_re_encoded_copies_stay_within_the_distance(seed):
    picture = draw(seed)
    original = perceptual_hash(encoded(picture, quality=95))
    assert len(original) == 16 and int(original, 16) >= 0
    width, height = picture.size
    copies = {
        "jpeg q60": encoded(picture, quality=60),
        "jpeg 480 q70": encoded(picture, width=480, quality=70),
        "jpeg 320 q40": encoded(picture, width=320, quality=40),
        "png": encoded(picture, "PNG"),
        "png 480": encoded(picture, "PNG", width=480),
        "webp 640": encoded(picture, "WEBP", width=640, quality=75),
        "jpeg of the png": encoded(Image.open(io.BytesIO(encoded(picture, "PNG"))), quality=80),
        "1% crop": encoded(picture.crop((8, 4, width - 8, height - 4)), quality=85),
        "rgba png": encoded(picture.convert("RGBA"), "PNG"),
        "greyscale": encoded(picture.convert("L"), quality=85),
    }
    for name, data in copies.items():
        assert distance(original, perceptual_hash(data)) <= MATCH, name


def test_exif_orientation_is_applied_before_hashing():
    picture = draw(7)
    upright = perceptual_hash(encoded(picture, quality=90))
    # Stored sideways with EXIF orientation 6 ("rotate 90° clockwise to view"), as phones do.
    exif = Image.Exif()
    exif[0x0112] = 6
    sideways = encoded(picture.transpose(Image.Transpose.ROTATE_90), quality=90, exif=exif)
    assert distance(upright, perceptual_hash(sideways)) <= MATCH
    stripped = encoded(picture.transpose(Image.Transpose.ROTATE_90), quality=90)
    assert distance(upright, perceptual_hash(stripped)) > MATCH


def test_unrelated_pictures_and_mirrors_are_far_apart():
    hashes = [perceptual_hash(encoded(draw(seed), quality=90)) for seed in range(40)]
    nearest = min(distance(a, b) for i, a in enumerate(hashes) for b in hashes[i + 1:])
    assert nearest >= 2 * MATCH
    for seed in SEEDS:
        picture = draw(seed)
        mirror = picture.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        assert distance(perceptual_hash(encoded(picture, quality=90)),
                        perceptual_hash(encoded(mirror, quality=90))) > 2 * MATCH


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims width x height pixels and carries a few bytes of data."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


@pytest.mark.parametrize("name, data, says", [
    ("empty", b"", "empty"),
    ("random bytes", bytes(range(256)) * 20, "identify"),
    ("an HTML page", "<html lang='ar'><body><p>صفحة غير موجودة — page introuvable</p></body></html>"
     .encode(), "identify"),
    ("a truncated JPEG", encoded(draw(3), quality=90)[:1500], "unreadable"),
    ("a JPEG with its middle zeroed", (lambda b: b[:600] + b"\x00" * 4000 + b[4600:])(
        encoded(draw(4), quality=90)), ""),
    ("a PNG bomb past Pillow's limit", _png_header_only(100_000, 100_000), "bomb"),
    ("a PNG over our own limit", _png_header_only(7_000, 7_000), str(MAX_PIXELS)),
    ("an SVG", b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', "identify"),
    ("a one-pixel GIF", encoded(Image.new("P", (1, 1)), "GIF"), "too small"),
])
def test_what_is_not_a_readable_image_is_an_image_error(name, data, says):
    try:
        perceptual_hash(data)
    except ImageError as exc:
        assert says in str(exc), (name, str(exc))
        # It crosses the crawler's process pool intact.
        assert str(pickle.loads(pickle.dumps(exc))) == str(exc)
    else:
        # A decoder may recover a damaged JPEG (grey blocks): then it is a picture.
        assert name == "a JPEG with its middle zeroed"


def test_distance_and_closest():
    a = perceptual_hash(encoded(draw(11), quality=90))
    assert distance(a, a) == 0
    assert distance(a, a.upper()) == 0
    flipped = f"{int(a, 16) ^ 0xFFFF_FFFF_FFFF_FFFF:016x}"
    assert distance(a, flipped) == 64 and distance(flipped, a) == 64
    three = f"{int(a, 16) ^ 0b10101:016x}"
    five = f"{int(a, 16) ^ 0b11111:016x}"
    assert distance(a, three) == 3
    assert closest(a, [(9, five), (4, three), (2, flipped)], MATCH) == (4, 3)
    assert closest(a, [(9, three), (4, three)], MATCH) == (4, 3)  # a tie: the lower id
    assert closest(a, [(2, flipped)], MATCH) is None
    for bad in ("", "xyz", a[:15], a + "0", "g" * 16):
        with pytest.raises(ValueError):
            distance(a, bad)


def test_content_sniffing_and_retry_bookkeeping():
    jpeg = encoded(draw(1), quality=80)
    webp = encoded(draw(1), "WEBP")
    assert looks_like_image("image/jpeg", b"")
    assert looks_like_image("application/octet-stream", jpeg)
    assert looks_like_image("", webp)
    assert not looks_like_image("text/html; charset=utf-8", b"<html>")
    assert tries_of(error_text(1, "HTTPStatusError: HTTP 500")) == 1
    assert tries_of(error_text(3, "x")) == 3
    assert error_text(4, "FetchTimeout: slow").startswith("gave up after 4 tries")
    assert tries_of(error_text(4, "x")) == 4


# -- the store (both backends) ---------------------------------------------------------------

NOW = datetime(2026, 5, 14, 9, 30, tzinfo=UTC)
POLICY = ReportPolicy(threshold=3)


def _article(store, n: int, image: str | None, lang: str = "fr", first_seen: datetime = NOW) -> int:
    titles = {"fr": "Le marché de Tiznit rouvre", "ar": "إعادة فتح سوق تيزنيت",
              "en": "Tiznit market reopens"}
    text = {"fr": "Les commerçants du souk de Tiznit ont rouvert leurs échoppes ce matin.",
            "ar": "أعاد تجار سوق تيزنيت فتح محلاتهم صباح اليوم بعد أشغال الترميم.",
            "en": "Traders at the Tiznit souk reopened their stalls this morning."}
    article = Article(
        url=f"https://press.example/{lang}/{n}", source_id="press", title=f"{titles[lang]} {n}",
        text=f"{text[lang]} ({n})", lang=lang, first_seen=first_seen, published=first_seen,
        date_source="feed", image=image, fetched_url=f"https://press.example/{lang}/{n}",
        content_hash=f"hash-{n}", minhash=bytes(32),
    )
    article_id, created = store.add_article(article)
    assert created
    return article_id


def _sync(store):
    from akhbar.types import Source
    store.sync_sources([Source(id="press", name="Press", homepage="https://press.example/",
                               feeds=("https://press.example/feed",), languages=("fr", "ar", "en"))])


def _block_by_readers(store, article_id: int, url: str) -> int:
    """Three distinct readers on three networks report the image: it is blocked."""
    outcome = None
    for reader in ("a", "b", "c"):
        outcome = store.record_report(
            ReportIn(kind="image", article_id=article_id, target=url, reason="shocking",
                     reporter_key=reader * 64, network_key=reader.upper() * 64), POLICY)
    assert outcome is not None and outcome.state == "blocked"
    return outcome.item_id


def test_image_hashes_are_kept_by_url(store):
    a, b = "https://cdn.example/a.jpg", "https://cdn.example/b.png"
    assert store.image_hashes([a, b]) == {}
    store.save_image_hash(a, "00ff00ff00ff00ff")
    store.save_image_hash(b, None, "try 1: HTTPStatusError: HTTP 500")
    assert store.image_hashes([a, b, "https://cdn.example/c.gif"]) == {a: "00ff00ff00ff00ff", b: None}
    errors = store.image_errors([a, b])
    assert list(errors) == [b]
    assert errors[b][0] == "try 1: HTTPStatusError: HTTP 500"
    assert abs(errors[b][1] - datetime.now(UTC)) < timedelta(minutes=5)
    store.save_image_hash(b, "0123456789abcdef")  # a later try read it
    assert store.image_hashes([b]) == {b: "0123456789abcdef"}
    assert store.image_errors([b]) == {}
    with pytest.raises(StorageError):
        store.save_image_hash(a, "not a hash")
    with pytest.raises(StorageError):
        store.save_image_hash("", "00ff00ff00ff00ff")
    many = [f"https://cdn.example/{i}.jpg" for i in range(1200)]  # more than one IN (...) chunk
    for url in many[::100]:
        store.save_image_hash(url, "1111111111111111")
    assert len(store.image_hashes(many)) == 12


def test_blocked_images_unhashed_then_hashed(store):
    _sync(store)
    first = _article(store, 1, "https://cdn.example/1.jpg")
    second = _article(store, 2, "https://cdn.example/2.jpg", lang="ar")
    third = _article(store, 3, "https://cdn.example/3.jpg", lang="en")
    one = _block_by_readers(store, first, "https://cdn.example/1.jpg")
    two = _block_by_readers(store, second, "https://cdn.example/2.jpg")
    three = _block_by_readers(store, third, "https://cdn.example/3.jpg")
    assert store.blocked_image_hashes() == []
    assert store.blocked_images_unhashed() == [
        (one, "https://cdn.example/1.jpg"), (two, "https://cdn.example/2.jpg"),
        (three, "https://cdn.example/3.jpg")]
    # Tried and failed: after the untried ones. Given up: not listed any more.
    store.save_image_hash("https://cdn.example/1.jpg", None, error_text(2, "FetchTimeout: slow"))
    store.save_image_hash("https://cdn.example/2.jpg", None, error_text(4, "not an image"))
    assert store.blocked_images_unhashed() == [
        (three, "https://cdn.example/3.jpg"), (one, "https://cdn.example/1.jpg")]
    assert store.blocked_images_unhashed(limit=1) == [(three, "https://cdn.example/3.jpg")]
    store.set_item_phash(three, "0f0f0f0f0f0f0f0f")
    assert store.blocked_image_hashes() == [(three, "0f0f0f0f0f0f0f0f")]
    assert store.blocked_images_unhashed() == [(one, "https://cdn.example/1.jpg")]
    with pytest.raises(StorageError):
        store.set_item_phash(three, "0F0F")
    with pytest.raises(StorageError):
        store.set_item_phash(10_000, "0f0f0f0f0f0f0f0f")


def test_article_images_after_an_id_since_a_time_and_not_blocked(store):
    _sync(store)
    old = _article(store, 1, "https://cdn.example/old.jpg", first_seen=NOW - timedelta(days=9))
    _article(store, 2, None, lang="ar")
    recent = _article(store, 3, "https://cdn.example/recent.jpg", lang="en")
    blocked = _article(store, 4, "https://cdn.example/blocked.jpg")
    assert store.article_images(0) == [(old, "https://cdn.example/old.jpg"),
                                       (recent, "https://cdn.example/recent.jpg"),
                                       (blocked, "https://cdn.example/blocked.jpg")]
    assert store.article_images(old, limit=1) == [(recent, "https://cdn.example/recent.jpg")]
    assert [i for i, _ in store.article_images(0, since=NOW - timedelta(days=3))] == [recent, blocked]
    _block_by_readers(store, blocked, "https://cdn.example/blocked.jpg")
    # Its URL is blocked already: nothing to fetch for it.
    assert [i for i, _ in store.article_images(0)] == [old, recent]


def test_block_image_copy(store):
    _sync(store)
    original_article = _article(store, 1, "https://a.example/photo.jpg")
    copy_article = _article(store, 2, "https://b.example/photo-480.webp", lang="ar")
    original = _block_by_readers(store, original_article, "https://a.example/photo.jpg")
    store.set_item_phash(original, "8f3c0e1d2b4a6978")
    store.save_image_hash("https://b.example/photo-480.webp", "8f3c0e1d2b4a6979")
    version = store.moderation_version()

    copy = store.block_image_copy("https://b.example/photo-480.webp", copy_article, original, 1)
    assert copy is not None and copy != original
    item = store.moderation_item(copy)
    assert (item.kind, item.state, item.decided_by, item.match_of, item.article_id) == (
        "image", "blocked", "system", original, copy_article)
    assert item.phash == "8f3c0e1d2b4a6979"  # so it is not fetched as an unhashed block
    assert "https://b.example/photo-480.webp" in store.blocked_images()
    assert store.moderation_version() == version + 1
    [entry] = store.audit_log(item_id=copy)
    assert (entry.actor, entry.action) == ("system", "block")
    assert entry.detail["copy_of"] == original
    assert entry.detail["copy_of_url"] == "https://a.example/photo.jpg"
    assert entry.detail["distance"] == 1
    # Copies are not matched against in turn (no drift), nor listed as unhashed.
    assert store.blocked_image_hashes() == [(original, "8f3c0e1d2b4a6978")]
    assert store.blocked_images_unhashed() == []

    # Again: already blocked, nothing logged or bumped.
    assert store.block_image_copy("https://b.example/photo-480.webp", copy_article, original, 1) == copy
    assert len(store.audit_log(item_id=copy)) == 1
    assert store.moderation_version() == version + 1

    # An operator cleared it: their decision stands.
    store.decide(copy, "unblock", "samira", "not the same photograph: a different crowd")
    assert store.block_image_copy("https://b.example/photo-480.webp", copy_article, original, 1) is None
    assert store.moderation_item(copy).state == "cleared"

    # An image one reader reported (open, under the threshold) is blocked as a copy.
    third_article = _article(store, 3, "https://c.example/p.png", lang="en")
    open_item = store.record_report(
        ReportIn(kind="image", article_id=third_article, target="https://c.example/p.png",
                 reason="shocking", reporter_key="d" * 64, network_key="D" * 64), POLICY).item_id
    assert store.moderation_item(open_item).state == "open"
    assert store.block_image_copy("https://c.example/p.png", third_article, original, 6) == open_item
    assert store.moderation_item(open_item).state == "blocked"
    assert store.moderation_item(open_item).match_of == original

    with pytest.raises(StorageError):
        store.block_image_copy("https://d.example/x.jpg", third_article, 99_999, 0)


def test_block_image_copy_of_an_image_unblocked_meanwhile_is_refused(store):
    _sync(store)
    original_article = _article(store, 1, "https://a.example/souk.jpg")
    copy_article = _article(store, 2, "https://b.example/souk-640.webp", lang="en")
    original = _block_by_readers(store, original_article, "https://a.example/souk.jpg")
    store.set_item_phash(original, "0123456789abcdef")
    stale = store.blocked_image_hashes()  # what an image check pass read before the unblock
    store.decide(original, "unblock", "samira", "vue générale du souk, rien de choquant")
    version, audited = store.moderation_version(), len(store.audit_log())
    [(of_item, _)] = stale
    assert store.block_image_copy("https://b.example/souk-640.webp", copy_article, of_item, 2) is None
    assert store.blocked_images() == frozenset() and store.blocked_image_hashes() == []
    assert [i.target for i in store.moderation_items(("open", "queued", "blocked", "cleared"))] == [
        "https://a.example/souk.jpg"]
    assert (store.moderation_version(), len(store.audit_log())) == (version, audited)
