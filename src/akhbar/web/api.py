"""The JSON API under /api: the pages' data, with the same display-mode limits.

OpenAPI at /api/openapi.json; /api/docs renders it as a plain page (no script from a CDN,
so it works offline and under the site's Content-Security-Policy).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from akhbar.search import COUNT_CAP
from akhbar.web.data import (
    MAX_PAGE,
    Item,
    Site,
    SiteError,
    parse_day,
    parse_lang,
    parse_section,
    parse_source_id,
)
from akhbar.web.render import clean_text

router = APIRouter(prefix="/api", tags=["akhbar"])

Page = Query(1, ge=1, le=MAX_PAGE, description="Page number, from 1.")
PerPage = Query(30, ge=1, le=100, description="Items per page (at most 100).")


class Outlet(BaseModel):
    id: str
    name: str
    homepage: str | None = None
    languages: list[str] = []
    display: Literal["full", "excerpt", "lede"] = Field(
        "lede", description="What akhbar may show of this outlet's articles.")
    excerpt_words: int | None = None
    enabled: bool = True


class Article(BaseModel):
    id: int
    title: str
    url: str | None = Field(description="The article at its outlet (http or https only).")
    permalink: str = Field(description="The article's page on akhbar.")
    outlet: Outlet
    lang: str
    dir: Literal["ltr", "rtl"]
    section: str | None
    published: datetime | None
    first_seen: datetime
    author: str | None
    image: str | None
    tags: list[str]
    copy_of: int | None = Field(description="Id of the original when this is another "
                                            "outlet's copy of it.")
    display: Literal["full", "excerpt", "lede"]
    truncated: bool = Field(description="The outlet's article has more than this text.")
    text: str = Field(description="What the display mode allows, as plain text.")
    html: str = Field(description="The same as sanitised HTML.")


class ArticleDetail(Article):
    coverage: list[Article] = Field(description="The same article at other outlets.")


class ArticleList(BaseModel):
    articles: list[Article]
    page: int
    per_page: int
    pages: int = Field(description="Pages in all; while total_capped, the pages known so far "
                                   "(follow `more`).")
    total: int = Field(description=f"Articles matching the filters, exact up to {COUNT_CAP:,}; "
                                   "past that, this lower bound and total_capped.")
    total_capped: bool = Field(description="Counting stopped at `total`: there are more.")
    more: bool = Field(description="A next page exists.")


class Hit(BaseModel):
    article: Article
    score: float
    snippet: str = Field(description="HTML: escaped text, matches in <mark>.")


class SearchAnswer(BaseModel):
    query: str
    total: int
    total_capped: bool
    page: int
    per_page: int
    hits: list[Hit]


class Day(BaseModel):
    date: date
    previous: date | None = Field(description="The nearest earlier day with articles.")
    next: date | None = Field(description="The nearest later day with articles.")
    articles: list[Article]
    page: int
    pages: int
    total: int


def _site(request: Request) -> Site:
    return request.app.state.site


def outlet_json(source) -> Outlet:
    from akhbar.web.render import clean_text, display_mode, http_url

    mode, words = display_mode(source)
    return Outlet(id=source.id, name=clean_text(source.name) or source.id,
                  homepage=http_url(source.homepage), languages=list(source.languages),
                  display=mode, excerpt_words=words if mode != "full" else None,
                  enabled=source.enabled)


def article_json(it: Item) -> Article:
    a = it.article
    return Article(
        id=a.id, title=it.title, url=it.source_url, permalink=it.href, outlet=outlet_json(it.source),
        lang=it.lang, dir=it.dir, section=a.section, published=a.published,
        first_seen=a.first_seen, author=it.author or None, image=it.image,
        tags=[clean_text(t) for t in a.tags],
        copy_of=a.copy_of, display=it.view.mode, truncated=it.view.truncated,
        text=it.view.text, html=str(it.view.html),
    )


@router.get("/articles", response_model=ArticleList, summary="Latest articles",
            description="Newest first. `total` is counted up to "
            f"{COUNT_CAP:,} articles (counting a whole archive of millions is slow), as "
            "search counts its matches: past it `total_capped` is true, `total` is that "
            "bound and `more` says whether a next page exists.")
def articles(request: Request, lang: str | None = Query(None, description="fr, ar, en…"),
             source: str | None = Query(None, description="Outlet id."),
             section: str | None = Query(None, description="Section slug."),
             copies: bool = Query(True, description="Include other outlets' copies."),
             page: int = Page, per_page: int = PerPage) -> ArticleList:
    items, pager = _site(request).latest(
        page, lang=parse_lang(lang), source_id=parse_source_id(source),
        section=parse_section(section), include_copies=copies, per_page=per_page, capped=True)
    return ArticleList(articles=[article_json(i) for i in items], page=pager.page,
                       per_page=per_page, pages=pager.pages, total=pager.total,
                       total_capped=pager.capped, more=pager.more)


@router.get("/articles/{article_id}", response_model=ArticleDetail, summary="One article")
def article(request: Request, article_id: int) -> ArticleDetail:
    site = _site(request)
    item = site.article(article_id)
    return ArticleDetail(**article_json(item).model_dump(),
                         coverage=[article_json(c) for c in site.coverage(item)])


@router.get("/outlets", response_model=list[Outlet], summary="All outlets")
def outlets(request: Request) -> list[Outlet]:
    return [outlet_json(s) for s in _site(request).sources().values()]


@router.get("/outlets/{source_id}", response_model=Outlet, summary="One outlet")
def outlet(request: Request, source_id: str) -> Outlet:
    source = _site(request).source(source_id)
    if source is None:
        raise SiteError(404, f"no outlet {source_id}")
    return outlet_json(source)


@router.get("/search", response_model=SearchAnswer, summary="Search")
def search(request: Request, q: str = Query(..., min_length=1, description="The query, "
           'with "phrases", OR, -exclusion, source:, lang:, section:, after:, before:, date:.'),
           sort: Literal["relevance", "date"] | None = None,
           page: int = Page, per_page: int = Query(20, ge=1, le=100)) -> SearchAnswer:

    site = _site(request)
    results, pager = site.search(q.strip(), page, sort, per_page=per_page)
    hits = []
    for h in results.hits:
        item = site.item(h.article)
        hits.append(Hit(article=article_json(item), score=h.score,
                        snippet=str(item.snippet(h.snippet))))
    return SearchAnswer(query=q, total=results.total,
                        total_capped=getattr(results, "total_capped", False),
                        page=page, per_page=per_page, hits=hits)


@router.get("/archive/{year}/{month}/{day}", response_model=Day,
            summary="One day's articles (Africa/Casablanca)")
def archive(request: Request, year: str, month: str, day: str, page: int = Page) -> Day:
    d = parse_day(year, month, day)
    items, pager, prev_day, next_day = _site(request).day(d, page)
    return Day(date=d, previous=prev_day, next=next_day,
               articles=[article_json(i) for i in items], page=pager.page, pages=pager.pages,
               total=pager.total)


@router.get("/docs", include_in_schema=False)
def docs(request: Request) -> Response:
    schema = request.app.openapi()
    operations = []
    for path, methods in schema.get("paths", {}).items():
        for method, op in methods.items():
            params = [{"name": p["name"], "in": p["in"], "required": p.get("required", False),
                       "type": _type_name(p.get("schema", {})),
                       "description": p.get("description") or p.get("schema", {}).get(
                           "description", "")}
                      for p in op.get("parameters", [])]
            operations.append({"method": method.upper(), "path": path,
                               "summary": op.get("summary", ""), "params": params})
    return request.app.state.templates.render(request, "api_docs.html", {
        "info": schema.get("info", {}), "operations": operations})


def _type_name(schema: dict) -> str:
    if "anyOf" in schema:
        return " | ".join(_type_name(s) for s in schema["anyOf"])
    if "enum" in schema:
        return " | ".join(str(v) for v in schema["enum"])
    return str(schema.get("type", ""))
