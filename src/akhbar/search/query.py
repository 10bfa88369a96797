"""The reader's query language, parsed into a :class:`Query` that no backend can misread.

    marrakech festival            both words (AND)
    "coupe du monde"              the words next to each other, in this order
    rabat OR casablanca           either (OR binds tighter than AND: a b OR c = a AND (b OR c))
    -football  -"coupe du monde"  without this word / phrase
    source:le360                  from this outlet (several source: = any of them)
    lang:fr|ar|en                 articles in this language (also picks the analysis)
    section:sport                 in this section (akhbar.types.SECTIONS)
    after:2024-03-01              published on or after this day (Africa/Casablanca)
    before:2024-04-01             published before this day (the day itself excluded)
    date:2024-03 / date:2024 / date:2024-03-05   within this month / year / day
    sort:date | sort:relevance    newest first, or best match first (the default)

Anything else is text: characters that mean something to a search engine (``* ^ ( ) :
NEAR``) are just separators, since the query reaches the engine as analysed terms only.
A query that cannot mean anything raises :class:`QueryError` with a sentence for the
reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from akhbar.errors import SearchError
from akhbar.search.analyze import prepare, words
from akhbar.types import SECTIONS

MAX_QUERY_CHARS = 1000
MAX_TERMS = 40
SORTS = ("relevance", "date")
FILTERS = ("source", "lang", "section", "after", "before", "date", "sort")

_FILTER = re.compile(r"^([A-Za-z]+):(.*)$", re.S)
_SOURCE_ID = re.compile(r"^[\w.-]{1,100}$")
_LANG = re.compile(r"^[a-z]{2,3}$")
_DAY = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


# Why a query cannot run: code -> English sentence with %(name)s placeholders. The English
# sentence is also the gettext msgid, so a site can show it in the reader's language
# (akhbar.web translates it through its .po catalogues) without this package knowing
# about the web; str(QueryError) stays English for the CLI and the JSON API.
MESSAGES = {
    "not_text": "the query must be text",
    "too_long": "the query is too long (%(length)s characters; at most %(max)s)",
    "too_many_words": "the query has too many words (%(count)s; at most %(max)s)",
    "only_excluded": "a query cannot only exclude words: add a word to look for, "
                     "or a filter such as source: or lang:",
    "empty": "type one or more words to search for",
    "empty_range": "no day is both on or after %(after)s and before %(before)s",
    "needs_value": "%(filter)s: needs a value, e.g. %(example)s",
    "bad_source": "source: expects an outlet id such as le360, not %(value)r",
    "bad_lang": "lang: expects a language code such as fr, ar or en, not %(value)r",
    "bad_section": "section: %(value)r is not a section; choose one of %(sections)s",
    "bad_sort": "sort: expects relevance or date, not %(value)r",
    "bad_date": "%(filter)s: expects a date such as %(example)s, not %(value)r",
}


class QueryError(SearchError):
    """The query cannot be run; the message says why, for the reader.

    ``code`` names the reason (a key of MESSAGES, None for a free-form message),
    ``template`` is its English sentence and ``params`` its values, so
    ``template % params == str(exc)``.
    """

    def __init__(self, code: str, /, **params):
        if code in MESSAGES:
            self.code: str | None = code
            self.template = MESSAGES[code]
        else:  # a plain sentence (callers outside this module)
            self.code, self.template = None, code
        self.params = params
        super().__init__(self.template % params if params else self.template)


@dataclass(frozen=True)
class Term:
    """A word or a phrase as the reader typed it (words not yet analysed)."""

    words: tuple[str, ...]
    phrase: bool = False

    def __str__(self) -> str:
        text = " ".join(self.words)
        return f'"{text}"' if self.phrase else text


@dataclass(frozen=True)
class Query:
    text: str
    # AND of groups, each group an OR of terms.
    groups: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = ()
    sources: tuple[str, ...] = ()
    lang: str | None = None
    section: str | None = None
    after: date | None = None  # inclusive
    before: date | None = None  # exclusive
    sort: str = "relevance"

    @property
    def has_text(self) -> bool:
        return bool(self.groups)

    @property
    def has_filters(self) -> bool:
        return bool(self.sources or self.lang or self.section or self.after or self.before)


def parse_query(q: str) -> Query:
    """Parse the reader's query; raise QueryError when nothing sensible can be made of it."""
    if not isinstance(q, str):
        raise QueryError("not_text")
    if len(q) > MAX_QUERY_CHARS:
        raise QueryError("too_long", length=len(q), max=MAX_QUERY_CHARS)
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    filters: dict = {"sources": []}
    pending_or = False
    for kind, raw in _tokens(q):
        if kind == "or":
            pending_or = bool(groups)
            continue
        negative = kind.startswith("-")
        phrase = kind.endswith("phrase")
        if not phrase and not negative:
            m = _FILTER.match(raw)
            if m and m.group(1).lower() in FILTERS:
                _set_filter(filters, m.group(1).lower(), m.group(2))
                pending_or = False
                continue
        found = tuple(w for w, _, _ in words(prepare(raw)))
        if not found:
            continue  # "*", "^", "(": nothing to look for
        term = Term(found, phrase=phrase or len(found) > 1)
        if negative:
            excluded.append(term)
        elif pending_or:
            groups[-1].append(term)
        else:
            groups.append([term])
        pending_or = False
    count = sum(len(t.words) for g in groups for t in g) + sum(len(t.words) for t in excluded)
    if count > MAX_TERMS:
        raise QueryError("too_many_words", count=count, max=MAX_TERMS)
    query = Query(
        text=q,
        groups=tuple(tuple(dict.fromkeys(g)) for g in groups),
        excluded=tuple(dict.fromkeys(excluded)),
        sources=tuple(dict.fromkeys(filters["sources"])),
        lang=filters.get("lang"),
        section=filters.get("section"),
        after=filters.get("after"),
        before=filters.get("before"),
        sort=filters.get("sort", "relevance"),
    )
    if not query.has_text and not query.has_filters:
        if query.excluded:
            raise QueryError("only_excluded")
        raise QueryError("empty")
    if query.after and query.before and query.after >= query.before:
        raise QueryError("empty_range", after=query.after, before=query.before)
    return query


def _tokens(q: str):
    """(kind, text): kind is word, phrase, -word, -phrase or or."""
    i, n = 0, len(q)
    while i < n:
        c = q[i]
        if c.isspace():
            i += 1
            continue
        negative = c == "-" and i + 1 < n and not q[i + 1].isspace()
        if negative:
            i += 1
            c = q[i]
        if c in "\"“”«»":
            # A phrase runs to the next quote, or to the end when it is never closed.
            end = i + 1
            while end < n and q[end] not in "\"“”«»":
                end += 1
            yield ("-phrase" if negative else "phrase"), q[i + 1 : end]
            i = end + 1
            continue
        end = i
        while end < n and not q[end].isspace() and q[end] not in "\"“”«»":
            end += 1
        token = q[i:end]
        i = end
        if not negative and token in ("OR", "|", "||"):
            yield "or", token
        elif negative:
            yield "-word", token
        else:
            yield "word", token


def _set_filter(filters: dict, key: str, value: str) -> None:
    value = value.strip()
    if not value:
        raise QueryError("needs_value", filter=key, example=_EXAMPLES[key])
    if key == "source":
        for one in value.split(","):
            if not _SOURCE_ID.match(one):
                raise QueryError("bad_source", value=one)
            filters["sources"].append(one.lower())
    elif key == "lang":
        lang = value.lower()
        if not _LANG.match(lang):
            raise QueryError("bad_lang", value=value)
        filters["lang"] = lang
    elif key == "section":
        section = value.lower()
        if section not in SECTIONS:
            raise QueryError("bad_section", value=value, sections=", ".join(SECTIONS))
        filters["section"] = section
    elif key == "sort":
        sort = value.lower()
        if sort not in SORTS:
            raise QueryError("bad_sort", value=value)
        filters["sort"] = sort
    else:
        first, after_last = _day_range(key, value)
        if key in ("after", "date"):
            filters["after"] = first
        if key == "before":
            filters["before"] = first
        if key == "date":
            filters["before"] = after_last


_EXAMPLES = {"source": "source:le360", "lang": "lang:fr", "section": "section:sport",
             "after": "after:2024-03-01", "before": "before:2024-04-01", "date": "date:2024-03",
             "sort": "sort:date"}


def _day_range(key: str, value: str) -> tuple[date, date]:
    """First day of YYYY, YYYY-MM or YYYY-MM-DD, and the day after its last."""
    m = _DAY.match(value)
    try:
        if not m:
            raise ValueError(value)
        year, month, day = int(m.group(1)), m.group(2), m.group(3)
        if day is not None:
            first = date(year, int(month), int(day))
            return first, date.fromordinal(first.toordinal() + 1)
        if month is not None:
            first = date(year, int(month), 1)
            nxt = date(year + 1, 1, 1) if first.month == 12 else date(year, first.month + 1, 1)
            return first, nxt
        return date(year, 1, 1), date(year + 1, 1, 1)
    except ValueError:
        raise QueryError("bad_date", filter=key, example=_EXAMPLES[key],
                         value=value) from None
