"""What the site may show of an article, and how it is made safe to show.

Two concerns meet here because they must never be separated: every piece of an outlet's
markup goes through the nh3 allow-list, and every view of an article (page, API, feed,
meta tags, search snippet) goes through :func:`shown`, which applies the outlet's display
mode ("full", "excerpt", "lede"). Nothing else in the web package reads ``article.text``
or ``article.html`` to show them.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import nh3
from markupsafe import Markup, escape

from akhbar.types import DISPLAY_MODES, Source, StoredArticle

# Simple structure only: no images (the lead image is shown apart), no attributes but a
# link's href, whose rel nh3 sets itself.
ARTICLE_TAGS = frozenset({
    "p", "br", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "q", "cite",
    "em", "strong", "b", "i", "u", "s", "sub", "sup", "small", "code", "pre", "abbr", "a",
    "figure", "figcaption", "table", "caption", "thead", "tbody", "tr", "th", "td", "hr",
})
LINK_REL = "noopener noreferrer nofollow"
URL_SCHEMES = frozenset({"http", "https", "mailto"})

# Bidi embeddings/overrides/isolates (LRE…RLO, LRI…PDI) turn text around and can spoof a
# title or a URL; pages isolate each field with <bdi>/dir instead. Other C0/C1 controls
# have no business in a title and make XML feeds invalid.
_UNSAFE_CHARS = re.compile(
    "[\u202a-\u202e\u2066-\u2069\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]"
)
_PARAGRAPHS = re.compile(r"\n\s*\n")
_SPACES = re.compile(r"\s+")
_TAG = re.compile(r"<[^>]*>")
ELLIPSIS = "…"
_URL_SAFE = "%:/?#[]@!$&'()*+,;=~-._"
_MARKED = re.compile(r"<mark>(.*?)</mark>", re.S)
_PUNCT = ".,;:!?«»\"'()[]…،؛؟"


def clean_text(value: str | None) -> str:
    """A plain-text field (title, name, author) without control or bidi-override chars."""
    return _UNSAFE_CHARS.sub("", value or "")


def clean_html(markup: str) -> Markup:
    """An outlet's HTML reduced to the allow-list (no script, style, attribute, js: URL)."""
    return Markup(nh3.clean(
        clean_text(markup), tags=set(ARTICLE_TAGS), attributes={"*": set(), "a": {"href"}},
        url_schemes=set(URL_SCHEMES), link_rel=LINK_REL,
        strip_comments=True,
    ))


def clean_snippet(markup: str) -> Markup:
    """A search snippet: the engine escapes it already; only <mark> may survive here."""
    return Markup(nh3.clean(clean_text(markup), tags={"mark"}, attributes={"*": set()},
                            strip_comments=True))


def http_url(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) URL safe to put in href/src, else None."""
    if not url or url != url.strip() or _UNSAFE_CHARS.search(url) or any(c.isspace() for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    # Characters a URL may not hold unencoded ("<>`{}| and others) are percent-encoded;
    # existing escapes and the URL's own delimiters are kept.
    return quote(url, safe=_URL_SAFE)


def paragraphs(text: str) -> list[str]:
    return [p for p in (_SPACES.sub(" ", part).strip() for part in _PARAGRAPHS.split(text)) if p]


def _paragraphs_html(paras: list[str]) -> Markup:
    return Markup("").join(Markup("<p>{}</p>").format(p) for p in paras)


def _first_words(paras: list[str], limit: int) -> tuple[list[str], bool]:
    """The first ``limit`` words, paragraph breaks kept; True when words were left out."""
    out: list[str] = []
    left = limit
    for i, para in enumerate(paras):
        words = para.split(" ")
        if len(words) > left:
            if left:
                out.append(" ".join(words[:left]))
            return out, True
        out.append(para)
        left -= len(words)
        if left == 0:
            return out, i + 1 < len(paras)
    return out, False


@dataclass(frozen=True)
class Shown:
    """What may be shown of one article: the only text the site ever serves of it."""

    mode: str  # the display mode applied
    html: Markup  # safe HTML
    text: str  # the same as plain text (paragraphs separated by blank lines)
    truncated: bool  # the source has more than is shown

    def words(self, n: int) -> str:
        """The first ``n`` words of what is shown (meta descriptions, feed summaries)."""
        words = self.text.split()
        out = " ".join(words[:n])
        if (len(words) > n or self.truncated) and not out.endswith(ELLIPSIS):
            out += " " + ELLIPSIS
        return out


def display_mode(source: Source | None) -> tuple[str, int]:
    """(mode, words) for an outlet; an unknown outlet or mode gets the most restrictive."""
    if source is None or source.display not in DISPLAY_MODES:
        return "lede", 40
    return source.display, max(1, int(source.excerpt_words or 1))


def shown(article: StoredArticle, source: Source | None) -> Shown:
    mode, limit = display_mode(source)
    text_paras = paragraphs(clean_text(article.text))
    if mode == "full":
        body = clean_html(article.html) if article.html.strip() else _paragraphs_html(text_paras)
        return Shown(mode, body, "\n\n".join(text_paras), False)
    if mode == "excerpt":
        paras = text_paras or paragraphs(clean_text(article.summary))
        kept, cut = _first_words(paras, limit)
    else:  # lede: the outlet's own teaser, or the first paragraph; capped all the same
        teaser = paragraphs(clean_text(article.summary)) or text_paras
        kept, _ = _first_words(teaser[:1], limit)
        cut = _norm(" ".join(kept)) != _norm(" ".join(text_paras))
    if cut and kept:
        kept[-1] = kept[-1].rstrip(" ,;:") + " " + ELLIPSIS
    return Shown(mode, _paragraphs_html(kept), "\n\n".join(kept), cut)


def _norm(text: str) -> str:
    return _SPACES.sub(" ", text).strip().casefold()


def snippet_html(snippet: str, view: Shown) -> Markup:
    """The engine's snippet when it quotes only what the display mode shows; otherwise
    the start of what is shown (a snippet is cut from anywhere in the full text)."""
    cleaned = clean_snippet(snippet)
    if view.mode == "full":
        return cleaned
    allowed = _norm(view.text)
    quoted = html.unescape(_TAG.sub("", str(cleaned)))
    if all(_norm(part) in allowed for part in quoted.split(ELLIPSIS)):
        return cleaned
    # Highlight the same words where they occur in what may be shown.
    marked = {html.unescape(m).casefold() for m in _MARKED.findall(str(cleaned))}
    out = [Markup("<mark>{}</mark>").format(w) if w.casefold().strip(_PUNCT) in marked
           or w.casefold() in marked else escape(w) for w in view.words(30).split(" ")]
    return Markup(" ").join(out)
