"""Lead pictures of the demo press: drawn with Pillow from a seed, encoded the outlet's way.

Each article's picture is a gradient with a few coloured shapes, drawn from its own seed, so
two unrelated pictures are far apart in perceptual hash (about 32 of 64 bits; never under 16
in a sample of 300). A wire copy carries its original's picture, but every outlet serves its
pictures in its own encoding and size (JPEG 800 px at quality 90 at the agency, a 480 px PNG
or WebP elsewhere…): the same picture at another URL in other bytes, as republishers do.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw

WIDTH, HEIGHT = 800, 450  # the drawing; outlets scale it down


@dataclass(frozen=True)
class Encoding:
    fmt: str  # Pillow format name
    ext: str
    mime: str
    width: int
    quality: int | None = None


# How each outlet serves its pictures.
ENCODINGS = {
    "aap": Encoding("JPEG", "jpg", "image/jpeg", 800, 90),
    "echo-bouregreg": Encoding("JPEG", "jpg", "image/jpeg", 480, 60),
    "nabd-madina": Encoding("PNG", "png", "image/png", 480),
    "kasbah-tribune": Encoding("WEBP", "webp", "image/webp", 640, 70),
    "al-manara": Encoding("JPEG", "jpg", "image/jpeg", 640, 75),
    "argane-express": Encoding("JPEG", "jpg", "image/jpeg", 800, 85),
    "zellige-review": Encoding("WEBP", "webp", "image/webp", 480, 80),
    "sawt-jabal": Encoding("PNG", "png", "image/png", 640),
}


def _colour(rnd: random.Random) -> tuple[int, int, int]:
    return (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256))


def draw(seed: int) -> Image.Image:
    """The picture of one seed, WIDTH x HEIGHT, RGB; the same seed draws the same pixels."""
    rnd = random.Random(seed)
    top, bottom = _colour(rnd), _colour(rnd)
    # A gradient along a random direction, then five to nine shapes on it.
    angle = rnd.choice((0, 90, 180, 270)) + rnd.uniform(-30, 30)
    mask = Image.linear_gradient("L").rotate(angle).resize((WIDTH, HEIGHT))
    image = Image.composite(Image.new("RGB", (WIDTH, HEIGHT), top),
                            Image.new("RGB", (WIDTH, HEIGHT), bottom), mask)
    pen = ImageDraw.Draw(image)
    for _ in range(rnd.randint(5, 9)):
        colour = _colour(rnd)
        x0, y0 = rnd.randrange(-WIDTH // 4, WIDTH), rnd.randrange(-HEIGHT // 4, HEIGHT)
        x1, y1 = x0 + rnd.randrange(WIDTH // 8, WIDTH // 2), y0 + rnd.randrange(HEIGHT // 8, HEIGHT // 2)
        shape = rnd.randrange(3)
        if shape == 0:
            pen.ellipse((x0, y0, x1, y1), fill=colour)
        elif shape == 1:
            pen.rectangle((x0, y0, x1, y1), fill=colour)
        else:
            pen.polygon([(rnd.randrange(WIDTH), rnd.randrange(HEIGHT)) for _ in range(3)], fill=colour)
    return image


def encode(image: Image.Image, enc: Encoding) -> bytes:
    """The picture scaled to enc.width (keeping its shape) and saved in enc's format."""
    if image.width != enc.width:
        image = image.resize((enc.width, round(image.height * enc.width / image.width)),
                             Image.Resampling.LANCZOS)
    out = io.BytesIO()
    options = {"quality": enc.quality} if enc.quality is not None else {}
    image.save(out, enc.fmt, **options)
    return out.getvalue()
