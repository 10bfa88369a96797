"""Stories on the site: the story page, story lists (home, sections), the article page's
coverage block, the JSON API under /api/stories and the story feeds.

A story (akhbar.stories) is one event's coverage across outlets and languages. What every
output shows of it comes from :class:`Card` (a story in a list) or :func:`story_view`
(a story's page): the headline in the reader's language when the story has one (else the
earliest report's), the outlets, languages and times. Article texts are never shown here,
only titles, so no outlet's display mode is at stake beyond what the article pages show.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from akhbar.types import Story
from akhbar.web.api import Article as ArticleModel
from akhbar.web.api import Page, PerPage, article_json
from akhbar.web.data import (
    Item,
    Pager,
    Site,
    SiteError,
    checked_pager,
    parse_id,
    parse_lang,
    parse_page,
    parse_section,
)
from akhbar.web.feeds import FEED_SIZE, MEDIA_TYPES, _check_ext, base_url, new_feed
from akhbar.web.i18n import LANG_NAMES, direction, translations
from akhbar.web.render import clean_text
from akhbar.web.templates import Templates, ui_lang

PER_PAGE = 20
OUTLETS_SHOWN = 4  # outlets named beside a headline in a list; the rest are counted
RELATED = 5
TIMELINE_SIZE = 50  # reports on one page of a story's timeline

pages = APIRouter(include_in_schema=False)
feeds = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["akhbar"])


# -- what the outputs show of a story -----------------------------------------------------

def _lang_code(lang: str | None) -> str:
    return lang if lang and lang.isascii() and lang.isalpha() and len(lang) <= 3 else "und"


def choose_headline(story: Story, ui: str | None, earliest_lang: str | None) -> tuple[str, str]:
    """(headline, its language): the reader's language when the story was reported in it,
    else the earliest report's language, else whatever Story.headline falls back to."""
    for lang in (ui, earliest_lang):
        if lang and story.headlines.get(lang):
            return clean_text(story.headlines[lang]), _lang_code(lang)
    fallback = story.headline()
    lang = next((k for k, v in story.headlines.items() if v == fallback), None)
    return clean_text(fallback) or f"#{story.id}", _lang_code(lang)


@dataclass(frozen=True)
class Card:
    """A story in a list: headline in the reader's language, outlets, languages, times."""

    story: Story
    headline: str
    headline_lang: str
    outlets: tuple[str, ...]  # names of the first outlets to report it, earliest first
    outlet_ids: tuple[str, ...]

    @property
    def id(self) -> int:
        return self.story.id

    @property
    def href(self) -> str:
        return f"/story/{self.story.id}"

    @property
    def headline_dir(self) -> str:
        return "auto" if self.headline_lang == "und" else direction(self.headline_lang)

    @property
    def langs(self) -> tuple[str, ...]:
        return tuple(_lang_code(x) for x in self.story.langs)

    @property
    def more_outlets(self) -> int:
        return max(0, self.story.n_outlets - len(self.outlets))

    @property
    def first(self) -> datetime:
        return self.story.first_seen

    @property
    def latest(self) -> datetime:
        return self.story.last_seen


def cards(site: Site, stories: list[Story], ui: str | None) -> list[Card]:
    """Stories as list cards: one query for all their outlets and earliest languages."""
    reports = site.store.story_reports([s.id for s in stories]) if stories else {}
    out = []
    for s in stories:
        rows = reports.get(s.id, [])
        seen: dict[str, str] = {}
        for source_id, _lang, _when in rows:
            if source_id not in seen:
                src = site.source(source_id)
                seen[source_id] = src.name if src else source_id
        headline, lang = choose_headline(s, ui, rows[0][1] if rows else None)
        shown = list(seen)[:OUTLETS_SHOWN]
        out.append(Card(s, headline, lang, tuple(seen[i] for i in shown), tuple(shown)))
    return out


def has_stories(site: Site) -> bool:
    """Whether the builder has given any article a story: until then (stories disabled, a
    fresh archive) the lists stay lists of articles."""
    return site.store.story_change()[0] is not None


def latest_cards(site: Site, page: int, ui: str | None, *, lang=None, section=None,
                 per_page: int = PER_PAGE) -> tuple[list[Card], Pager]:
    """A page of stories ranked by coverage and recency; not counted (previous/next only)."""
    found = site.store.latest_stories(per_page + 1, (page - 1) * per_page, lang=lang,
                                      section=section)
    if page > 1 and not found:
        raise SiteError(404, f"no page {page}")
    return cards(site, found[:per_page], ui), Pager(page, per_page, None, len(found) > per_page)


def get_story(site: Site, story_id: str | int) -> Story:
    number = parse_id(story_id)
    story = site.store.get_story(number) if number is not None else None
    if story is None:
        raise SiteError(404, f"no story {story_id}")
    return story


@dataclass(frozen=True)
class StoryView:
    card: Card
    items: list[Item]  # every article, copies included, oldest report first
    by_lang: list[tuple[str, int]]  # (language, articles), most first
    related: list[Card]

    @property
    def outlets(self) -> list[tuple[str, str]]:
        """(outlet id, name) of every outlet, in the order they first reported it."""
        seen: dict[str, str] = {}
        for it in self.items:
            seen.setdefault(it.source.id, it.outlet)
        return list(seen.items())


def story_view(site: Site, story: Story, ui: str | None, related: bool = True) -> StoryView:
    items = site.items(list(story.articles))
    originals = [it for it in items if it.article.copy_of is None] or items
    headline, lang = choose_headline(story, ui, originals[0].lang if originals else None)
    outlets: dict[str, str] = {}
    for it in items:
        outlets.setdefault(it.source.id, it.outlet)
    card = Card(story, headline, lang, tuple(outlets.values()), tuple(outlets))
    counts: dict[str, int] = {}
    for it in items:
        counts[it.lang] = counts.get(it.lang, 0) + 1
    by_lang = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    rel = cards(site, site.store.related_stories(story.id, RELATED), ui) if related else []
    return StoryView(card, items, by_lang, rel)


def article_coverage(site: Site, item: Item, copies: list[Item], ui: str | None):
    """The article's story for its page: (card, the story's other articles not already
    listed as copies), or None when it has no story or the story is only this article."""
    story_id = site.store.story_of_article(item.id)
    if story_id is None:
        return None
    story = site.store.get_story(story_id)
    if story is None:
        return None
    shown = {item.id, *(c.id for c in copies)}
    others = [it for it in site.items(list(story.articles)) if it.id not in shown]
    if not others:
        return None
    view = story_view(site, story, ui, related=False)
    return {"card": view.card, "items": others}


# -- the story page ------------------------------------------------------------------------

@pages.get("/story/{story_id}")
def story_page(request: Request, story_id: str, page: str | None = None) -> Response:
    from akhbar.web.pages import _feeds

    site: Site = request.app.state.site
    number = parse_page(page)
    view = story_view(site, get_story(site, story_id), ui_lang(request), related=number == 1)
    # A story of hundreds of reports would make a page of hundreds of KB: its timeline is
    # shown TIMELINE_SIZE reports a page, in the order they were reported.
    pager = checked_pager(number, TIMELINE_SIZE, len(view.items))
    templates: Templates = request.app.state.templates
    section = view.card.story.section
    return templates.render(request, "story.html", {
        "view": view, "card": view.card, "pager": pager,
        "timeline": view.items[pager.offset:pager.offset + TIMELINE_SIZE],
        "description": " · ".join(name for _, name in view.outlets[:8]),
        "alternates": _feeds("/feeds/stories/section/" + section, section) if section
        else _feeds("/feeds/stories", "akhbar"),
    })


# -- JSON API ------------------------------------------------------------------------------

class StorySummary(BaseModel):
    id: int
    headline: str = Field(description="The earliest report's title (see headlines for the "
                                      "other languages).")
    headline_lang: str
    headlines: dict[str, str] = Field(description="Per language, its earliest report's title.")
    permalink: str = Field(description="The story's page on akhbar.")
    section: str | None
    langs: list[str]
    n_articles: int = Field(description="Articles, other outlets' copies included.")
    n_outlets: int
    outlets: list[str] = Field(description="Ids of the first outlets to report it (at most "
                                           f"{OUTLETS_SHOWN}).")
    first_report: datetime
    latest_report: datetime


class StoryDetail(StorySummary):
    outlets: list[str] = Field(description="Ids of every outlet that reported it, earliest first.")
    articles: list[ArticleModel] = Field(description="Its articles, oldest report first.")
    related: list[StorySummary]


class StoryList(BaseModel):
    stories: list[StorySummary]
    page: int
    per_page: int
    more: bool = Field(description="A next page exists (stories are ranked, not counted).")


def story_json(card: Card) -> StorySummary:
    s = card.story
    return StorySummary(
        id=s.id, headline=card.headline, headline_lang=card.headline_lang,
        headlines={_lang_code(k): clean_text(v) for k, v in s.headlines.items()},
        permalink=card.href, section=s.section, langs=list(card.langs), n_articles=s.n_articles,
        n_outlets=s.n_outlets, outlets=list(card.outlet_ids), first_report=s.first_seen,
        latest_report=s.last_seen)


@api.get("/stories", response_model=StoryList, summary="Stories, by coverage and recency")
def api_stories(request: Request,
                lang: str | None = Query(None, description="Stories with an article in it."),
                section: str | None = Query(None, description="Section slug."),
                page: int = Page, per_page: int = PerPage) -> StoryList:
    site: Site = request.app.state.site
    # None: JSON answers are the same in every UI language; the earliest report's headline.
    found, pager = latest_cards(site, page, None, lang=parse_lang(lang),
                                section=parse_section(section), per_page=per_page)
    return StoryList(stories=[story_json(c) for c in found], page=page, per_page=per_page,
                     more=pager.more)


@api.get("/stories/{story_id}", response_model=StoryDetail, summary="One story")
def api_story(request: Request, story_id: int) -> StoryDetail:
    site: Site = request.app.state.site
    view = story_view(site, get_story(site, story_id), None)
    base = story_json(view.card).model_dump()
    base["outlets"] = [i for i, _ in view.outlets]
    return StoryDetail(**base, articles=[article_json(it) for it in view.items],
                       related=[story_json(c) for c in view.related])


# -- feeds ---------------------------------------------------------------------------------

@feeds.get("/feeds/stories.{ext}")
def stories_feed(request: Request, ext: str) -> Response:
    ext = _check_ext(ext)
    ui = ui_lang(request)
    found, _ = latest_cards(request.app.state.site, 1, ui, per_page=FEED_SIZE)
    title = translations(ui).gettext("akhbar: top stories")
    return _story_feed(request, ext, found, title, "/")


@feeds.get("/feeds/stories/section/{slug}.{ext}")
def section_stories_feed(request: Request, slug: str, ext: str) -> Response:
    ext = _check_ext(ext)
    section = parse_section(slug, status=404)
    ui = ui_lang(request)
    found, _ = latest_cards(request.app.state.site, 1, ui, section=section, per_page=FEED_SIZE)
    title = translations(ui).gettext("akhbar: top stories") + f" ({section})"
    return _story_feed(request, ext, found, title, f"/section/{section}")


def _summary(card: Card, gettext) -> str:
    """Plain text: who reported it, in which languages (HTML-escaped where a feed wants it)."""
    names = ", ".join(card.outlets) + (f" +{card.more_outlets}" if card.more_outlets else "")
    langs = ", ".join(LANG_NAMES.get(x, x) for x in card.langs)
    return f"{names} · {langs} · " + gettext("%(n)s articles") % {"n": card.story.n_articles}


def _story_feed(request: Request, ext: str, found: list[Card], title: str, page: str) -> Response:
    base = base_url(request)
    ui = ui_lang(request)
    gettext = translations(ui).gettext
    self_url = base + request.url.path
    home = base + page
    updated = max((c.latest for c in found), default=datetime(2004, 1, 1, tzinfo=UTC))
    if ext == "json":
        items = [{
            "id": base + c.href, "url": base + c.href, "title": c.headline,
            "summary": _summary(c, gettext),
            "content_html": html.escape(_summary(c, gettext)),
            "date_published": c.first.isoformat(), "date_modified": c.latest.isoformat(),
            "language": c.headline_lang,
            **({"tags": [c.story.section]} if c.story.section else {}),
            "_akhbar": {"story": c.id, "outlets": list(c.outlet_ids), "langs": list(c.langs),
                        "n_outlets": c.story.n_outlets},
        } for c in found]
        body = json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": title,
                           "home_page_url": home, "feed_url": self_url, "language": ui,
                           "items": items}, ensure_ascii=False).encode("utf-8")
        return Response(body, media_type=MEDIA_TYPES[ext])
    fg = new_feed(ext, title=title, home=home, self_url=self_url, lang=ui, updated=updated)
    for c in found:
        fe = fg.add_entry(order="append")
        link = base + c.href
        fe.id(link)
        fe.guid(link, permalink=True)
        fe.title(c.headline)
        fe.link(href=link, rel="alternate")
        fe.published(c.first)
        fe.updated(c.latest)
        fe.summary(html.escape(_summary(c, gettext)), type="html")
        if c.story.section:
            fe.category(term=c.story.section)
    body = fg.rss_str(pretty=False) if ext == "rss" else fg.atom_str(pretty=False)
    return Response(body, media_type=MEDIA_TYPES[ext])

