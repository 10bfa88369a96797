"""Bytes → text for HTML pages and feeds, without mojibake.

Moroccan outlets serve UTF-8, windows-1256 or ISO-8859-6 (Arabic) and windows-1252 /
ISO-8859-1 (French), and their HTTP headers, <meta> tags and XML declarations often lie.
The order of evidence, strongest first:

1. a byte-order mark;
2. ``forced`` (the source registry's override for an outlet known to lie);
3. bytes that are valid UTF-8 and contain non-ASCII are UTF-8, whatever is declared
   (a random non-UTF-8 text is almost never valid UTF-8);
4. each declared charset (HTTP header, then <meta> or the XML declaration), kept only if it
   decodes strictly and the result looks like real text (see ``_plausible``);
5. text that is UTF-8 except for a few stray bytes: UTF-8, stray bytes read as windows-1252;
6. our own candidates (windows-1252, windows-1256, ISO-8859-6) with the same check;
7. charset-normalizer; last resort UTF-8 with replacement characters, which the returned
   encoding name says.

ISO-8859-1 and US-ASCII labels are read as windows-1252, as browsers do (WHATWG).
"""

from __future__ import annotations

import codecs
import re

# Longest BOMs first: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
)

# XML spec appendix F: "<?xm" written in a wider encoding without a BOM.
_XML_SNIFF: tuple[tuple[bytes, str], ...] = (
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<\x00?", "utf-16-be"),
    (b"<\x00?\x00", "utf-16-le"),
)

# Labels browsers remap (WHATWG Encoding Standard): these never mean what they say on the web.
_WHATWG_ALIASES = {
    "latin_1": "cp1252",
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc_kr": "cp949",
    "shift_jis": "cp932",
}

# Names we report, so that logs and the store read like the web's labels.
_LABELS = {
    "utf-8": "utf-8",
    "cp1252": "windows-1252",
    "cp1256": "windows-1256",
    "iso8859-6": "iso-8859-6",
    "utf-16-le": "utf-16-le",
    "utf-16-be": "utf-16-be",
    "utf-32-le": "utf-32-le",
    "utf-32-be": "utf-32-be",
}

ARABIC_CODECS = frozenset({"cp1256", "iso8859-6", "cp864", "cp720", "mac-arabic"})
# Tried when nothing declared works; order matters only between encodings that give the
# same text (French in windows-1252 or windows-1256), where windows-1252 is the truer name.
FALLBACK_CODECS = ("cp1252", "cp1256", "iso8859-6")
REPLACED = "utf-8 (undecodable bytes replaced)"

_CT_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([\w.:+-]+)""", re.I)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']\s*([\w.:+-]+)""", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:+-]+)""", re.I)
_WORD = re.compile(r"[^\W\d_]+")


def codec_name(label: str | None) -> str | None:
    """Python codec for a charset label, after the WHATWG remapping; None if unknown."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except (LookupError, ValueError):
        return None
    return _WHATWG_ALIASES.get(name, name)


def label(codec: str) -> str:
    return _LABELS.get(codec, codec)


def charset_from_content_type(content_type: str | None) -> str | None:
    match = _CT_CHARSET.search(content_type or "")
    return match.group(1) if match else None


def xml_declared_encoding(content: bytes) -> str | None:
    match = _XML_DECL.match(content[:1024])
    return match.group(1).decode("ascii") if match else None


def meta_declared_encoding(content: bytes) -> str | None:
    # Browsers look at the first 1024 bytes; real pages put long <head> scripts first.
    match = _META_CHARSET.search(content[:8192])
    return match.group(1).decode("ascii") if match else None


def _stray_as_cp1252(err: UnicodeError) -> tuple[str, int]:
    """Codec error handler: bytes that are not UTF-8 are read as windows-1252."""
    assert isinstance(err, UnicodeDecodeError)
    chunk = err.object[err.start : err.end]
    return chunk.decode("cp1252", errors="replace"), err.end


_STRAY_CP1252 = "akhbar-stray-cp1252"
codecs.register_error(_STRAY_CP1252, _stray_as_cp1252)


def _bom(content: bytes) -> tuple[str, int] | None:
    for mark, codec in _BOMS:
        if content.startswith(mark):
            return codec, len(mark)
    return None


def _is_arabic(ch: str) -> bool:
    return "\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f"


def _plausible(text: str, codec: str) -> bool:
    """Does this decoding read like real text rather than mojibake?"""
    if "\ufffd" in text:
        return False
    # C1 controls: what ISO-8859-x gives for bytes that were meant as windows-125x.
    if any("\x80" <= ch <= "\x9f" for ch in text):
        return False
    words = [w for w in _WORD.findall(text) if not w.isascii()]
    if not words:
        return True
    arabic_words = [w for w in words if any(_is_arabic(ch) for ch in w)]
    if codec in ARABIC_CODECS and not arabic_words:
        return False
    # Arabic letters and Latin letters inside one word: one Arabic code page read as the other,
    # or French capitals (É, À, Ç) read as windows-1256.
    mixed = sum(1 for w in arabic_words if any(ch.isascii() or "À" <= ch <= "ɏ" for ch in w))
    if mixed and mixed * 10 >= len(arabic_words):
        return False
    # Words made only of Latin-1 letters ("ÇáÚÑÈíÉ"): Arabic bytes read as windows-1252.
    # French words always mix such letters with plain ASCII ones ("été" is rare and short).
    latin_only = sum(1 for w in words if len(w) >= 3 and all("À" <= ch <= "ÿ" for ch in w))
    return not (latin_only and latin_only * 3 >= len(words))


def _strict(content: bytes, codec: str) -> str | None:
    try:
        return content.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _mostly_utf8(content: bytes) -> str | None:
    """UTF-8 with a few stray single-byte characters (a pasted quote in a CMS), else None."""
    text = content.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    multibyte = sum(1 for ch in text if ord(ch) > 0x7F) - bad
    if multibyte < 2 or bad * 20 > multibyte:
        return None
    return content.decode("utf-8", errors=_STRAY_CP1252)


def _decode(content: bytes, declared: list[str | None], forced: str | None) -> tuple[str, str]:
    bom = _bom(content)
    if bom:
        codec, size = bom
        if codec == "utf-8":
            # A UTF-8 BOM with a few stray bytes after it: keep them as windows-1252.
            return content[size:].decode(codec, errors=_STRAY_CP1252), label(codec)
        return content[size:].decode(codec, errors="replace"), label(codec)
    if forced:
        codec = codec_name(forced)
        if codec:
            return content.decode(codec, errors="replace"), label(codec)
    for mark, codec in _XML_SNIFF:
        if content.startswith(mark):
            return content.decode(codec, errors="replace"), label(codec)

    codecs_declared: list[str] = []
    for name in declared:
        codec = codec_name(name)
        if codec and codec not in codecs_declared:
            codecs_declared.append(codec)

    if content.isascii():
        # Same text in any ASCII-compatible encoding; name what the document said.
        ascii_compatible = [c for c in codecs_declared if not c.startswith("utf-16")
                            and not c.startswith("utf-32")]
        return content.decode("ascii"), label(ascii_compatible[0] if ascii_compatible else "utf-8")

    text = _strict(content, "utf-8")
    if text is not None:
        return text, "utf-8"

    for codec in codecs_declared:
        text = _strict(content, codec)
        if text is not None and _plausible(text, codec):
            return text, label(codec)

    text = _mostly_utf8(content)
    if text is not None:
        return text, "utf-8"

    for codec in FALLBACK_CODECS:
        if codec in codecs_declared:
            continue
        text = _strict(content, codec)
        if text is not None and _plausible(text, codec):
            return text, label(codec)

    return _charset_normalizer(content, codecs_declared)


def _charset_normalizer(content: bytes, declared: list[str]) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    # Declared encodings first: they failed our plausibility test, but may still be the
    # best of a bad lot (a Big5 or KOI8-R feed we have no rule for).
    best = from_bytes(content).best()
    if best is not None:
        codec = codec_name(best.encoding) or best.encoding
        if codec in declared or _plausible(str(best), codec):
            return str(best), label(codec)
    for codec in declared:
        text = _strict(content, codec)
        if text is not None:
            return text, label(codec)
    if best is not None:
        return str(best), label(codec_name(best.encoding) or best.encoding)
    return content.decode("utf-8", errors="replace"), REPLACED


def decode_html(
    content: bytes, content_type: str | None = None, forced: str | None = None
) -> tuple[str, str]:
    """(text, encoding used) for an HTML page; never raises."""
    declared = [charset_from_content_type(content_type), meta_declared_encoding(content)]
    text, used = _decode(content, declared, forced)
    return _clean(text), used


def decode_feed(
    content: bytes, content_type: str | None = None, forced: str | None = None
) -> tuple[str, str]:
    """(text, encoding used) for an XML or JSON feed; never raises."""
    declared = [charset_from_content_type(content_type), xml_declared_encoding(content)]
    text, used = _decode(content, declared, forced)
    return _clean(text), used


def _clean(text: str) -> str:
    # A BOM decoded as text (U+FEFF after a wrong guess, or a doubled BOM) is never content.
    # Not NFC-normalised on purpose: decoding must give back exactly the characters sent.
    return text.lstrip("\ufeff")
