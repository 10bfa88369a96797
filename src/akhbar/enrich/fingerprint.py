"""Fingerprints that link a wire dispatch to its copies across outlets.

* ``content_hash``: exact copies once spelling noise is removed (accents, Arabic
  diacritics, hamza forms, punctuation).
* ``minhash_signature``: MinHash over 5-word shingles of the same normalised text, so
  copies with a new title or an edited paragraph stay close in estimated Jaccard.
* ``lsh_bands``: band keys; two articles sharing one key are near-duplicate candidates,
  confirmed with ``estimate_similarity``.

Signatures are ``num_perm`` little-endian uint64 values (``numpy.ndarray.tobytes``).
They use datasketch's "affine32" scheme with seed 1; changing scheme, seed, shingle size
or normalisation makes old signatures incomparable with new ones.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

import numpy as np
from datasketch import MinHash

__all__ = [
    "BANDS",
    "NUM_PERM",
    "SHINGLE_WORDS",
    "content_hash",
    "estimate_similarity",
    "lsh_bands",
    "minhash_signature",
    "normalise_for_hash",
    "shingles",
]

NUM_PERM = 128
SHINGLE_WORDS = 5
# LSH banding: b bands of r rows; a pair with Jaccard s shares at least one band with
# probability P(s) = 1 - (1 - s**r)**b. With 128 values, b = 21 and r = 6 (126 used):
#   s = 0.8: s**6 = 0.262, (1 - 0.262)**21 = 0.0017  -> P = 0.998
#   s = 0.7: s**6 = 0.118, (1 - 0.118)**21 = 0.071   -> P = 0.93
#   s = 0.5: s**6 = 0.016, (1 - 0.016)**21 = 0.72    -> P = 0.28
#   s = 0.3: s**6 = 0.00073, (1 - 0.00073)**21 = 0.985 -> P = 0.015
# The S-curve's midpoint is (1/b)**(1/r) = 0.60. The 32x4 split (midpoint 0.42) would
# make 23% of 0.3 pairs candidates; 16x8 would miss 5% of 0.8 pairs.
BANDS = 21

_SCHEME = "affine32"
_SEED = 1
_EMPTY = np.uint64(0xFFFFFFFF)  # affine32's initial value: no shingle was seen

# Arabic harakat, tanween, shadda, sukun, superscript alef, Quranic marks, and the
# Latin combining accents left by NFKD; removing them after NFKD also turns أ إ آ ؤ ئ
# into ا ا ا و ي, since NFKD splits off their hamza or madda.
_MARKS = re.compile(r"[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_DIGITS = {0x0660 + i: str(i) for i in range(10)} | {0x06F0 + i: str(i) for i in range(10)}
_LETTERS = _DIGITS | {
    ord("\u0640"): None,  # tatweel
    ord("ٱ"): "ا",  # alef wasla
    ord("ى"): "ي",  # alef maqsura
    ord("ة"): "ه",  # taa marbuta: spelled either way in copies; for hashing only
}
_NON_WORD = re.compile(r"[\W_]+")


def normalise_for_hash(text: str) -> str:
    """Text reduced to lower-case words separated by single spaces, for hashing only."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _MARKS.sub("", unicodedata.normalize("NFKD", text)).translate(_LETTERS)
    return _NON_WORD.sub(" ", text).strip()


def content_hash(text: str) -> str:
    """Hex SHA-1 of the normalised text: equal for exact copies."""
    return hashlib.sha1(normalise_for_hash(text).encode("utf-8")).hexdigest()


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    """Sets of ``size`` consecutive normalised words; a shorter text is one shingle."""
    words = normalise_for_hash(text).split()
    if len(words) <= size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


@lru_cache(maxsize=4)
def _permutations(num_perm: int) -> np.ndarray:
    # Generating permutations costs more than hashing a short article: do it once.
    return MinHash(num_perm=num_perm, seed=_SEED, scheme=_SCHEME).permutations


def minhash_signature(text: str, num_perm: int = NUM_PERM) -> bytes:
    """MinHash of the text's 5-word shingles, as ``num_perm`` little-endian uint64.

    A text without words gives the "empty" signature, which matches nothing.
    """
    sketch = MinHash(
        num_perm=num_perm, seed=_SEED, scheme=_SCHEME, permutations=_permutations(num_perm)
    )
    sketch.update_batch([s.encode("utf-8") for s in shingles(text)])
    return sketch.hashvalues.astype("<u8").tobytes()


def _values(signature: bytes) -> np.ndarray:
    return np.frombuffer(signature, dtype="<u8")


def lsh_bands(signature: bytes, bands: int = BANDS) -> tuple[str, ...]:
    """Band keys ("b07:3f2a…"): hash of each band's rows, prefixed with the band number.

    Rows per band are ``num_perm // bands``; leftover values are unused. The empty
    signature has no bands.
    """
    values = _values(signature)
    if not len(values) or np.all(values == _EMPTY):
        return ()
    rows = len(values) // bands
    if rows < 1:
        raise ValueError(f"{bands} bands need at least {bands} signature values")
    keys = []
    for band in range(bands):
        chunk = values[band * rows : (band + 1) * rows].tobytes()
        keys.append(f"b{band:02d}:{hashlib.blake2b(chunk, digest_size=8).hexdigest()}")
    return tuple(keys)


def estimate_similarity(a: bytes, b: bytes) -> float:
    """Share of equal MinHash values: an estimate of the shingles' Jaccard similarity.

    0.0 when either signature is empty or when they differ in length (not comparable).
    """
    va, vb = _values(a), _values(b)
    if len(va) != len(vb) or not len(va) or np.all(va == _EMPTY) or np.all(vb == _EMPTY):
        return 0.0
    return float(np.count_nonzero(va == vb)) / len(va)
