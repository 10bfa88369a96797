"""Highlighted extracts: the window of the text with most of the query's words, escaped.

Words are matched by their index term (the same analysis as the index), so "والمغرب" in
the text is marked for the query "المغرب". Everything that reaches the HTML goes through
html.escape; only our own <mark> tags are added.
"""

from __future__ import annotations

import html

from akhbar.search.analyze import _ARABIC_MARKS as _MARKS
from akhbar.search.analyze import prepare, term, words

SNIPPET_WORDS = 30
# The best window is looked for in this many characters from the start (news puts the
# matter first); the whole text took most of a search's time (25 of 28 ms for 20 hits).
SCAN_CHARS = 4_000


def _marked(text: str, spans: list[tuple[int, int, bool]], start: int, end: int) -> str:
    out, pos = [], start
    for s, e, hit in spans:
        if not hit or s < start or e > end:
            continue
        out.append(html.escape(text[pos:s]))
        out.append(f"<mark>{html.escape(text[s:e])}</mark>")
        pos = e
    out.append(html.escape(text[pos:end]))
    return "".join(out)


def _spans(text: str, lang: str, terms: frozenset[str]) -> list[tuple[int, int, bool]]:
    """(start, end, matched) of each word, as offsets into ``text`` itself."""
    prepared = prepare(text)
    found = words(prepared)
    if len(prepared) == len(text):  # nothing removed: offsets are the same
        return [(s, e, term(w, lang) in terms) for w, s, e in found]
    # prepare() removed Arabic marks (one character each): removed[j] - j is where the
    # j-th removed mark would sit in the prepared text, so a prepared offset p maps to
    # p + (marks sitting at or before p).
    removed = [m.start() for m in _MARKS.finditer(text)]
    spans, j = [], 0
    for w, s, e in found:
        while j < len(removed) and removed[j] - j <= s:
            j += 1
        start = s + j
        k = j
        while k < len(removed) and removed[k] - k < e:
            k += 1
        end = e + k
        # The word's trailing marks (a final vowel) belong inside its <mark>.
        while k < len(removed) and removed[k] == end:
            end += 1
            k += 1
        spans.append((start, end, term(w, lang) in terms))
    return spans


def highlight(text: str, lang: str, terms: frozenset[str]) -> str:
    """All of ``text``, escaped, matched words in <mark>."""
    if not terms:
        return html.escape(text)
    return _marked(text, _spans(text, lang, terms), 0, len(text))


def snippet(text: str, lang: str, terms: frozenset[str], size: int = SNIPPET_WORDS) -> str:
    """About ``size`` words of ``text`` around its densest run of matched words."""
    scanned = text[:SCAN_CHARS]
    spans = _spans(scanned, lang, terms) if terms else [
        (s, e, False) for _, s, e in words(prepare(scanned))]
    if not spans:
        return html.escape(scanned[:300])
    hits = [i for i, (_, _, hit) in enumerate(spans) if hit]
    first = 0
    if hits:
        # The window starting a few words before a hit that holds the most hits.
        best = -1
        for h in hits:
            start = max(0, h - 5)
            n = sum(1 for k in hits if start <= k < start + size)
            if n > best:
                best, first = n, start
    last = min(len(spans), first + size) - 1
    start, end = spans[first][0], spans[last][1]
    body = _marked(scanned, spans, start, end)
    prefix = "… " if first > 0 else ""
    suffix = " …" if last < len(spans) - 1 or len(text) > len(scanned) else ""
    return prefix + body + suffix
