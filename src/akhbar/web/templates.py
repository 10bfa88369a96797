"""Jinja2 environments, one per UI language, autoescaped, with the i18n extension.

One environment per language keeps gettext a plain global (no per-request state) and
lets each compile its templates once.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined

from akhbar import __version__
from akhbar.types import SECTIONS
from akhbar.web.i18n import (
    COOKIE,
    LANG_NAMES,
    UI_LANGS,
    choose_lang,
    day_name,
    direction,
    long_date,
    short_date,
    translations,
)


def ui_lang(request: Request) -> str:
    lang = getattr(request.state, "ui", None)
    if lang is None:
        lang = request.state.ui = choose_lang(request.cookies.get(COOKIE),
                                              request.headers.get("accept-language"))
    return lang


def here(request: Request) -> str:
    """This page's local path and query: where the language switch comes back to."""
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def with_query(path: str, **params: Any) -> str:
    """``path`` with the non-empty ``params`` as its query string."""
    kept = {k: v for k, v in params.items() if v not in (None, "")}
    return path + ("?" + urlencode(kept) if kept else "")


def _environment(lang: str) -> Environment:
    env = Environment(
        loader=PackageLoader("akhbar.web", "templates"),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.filters["longdate"] = lambda dt: long_date(dt, lang)
    env.filters["shortdate"] = lambda dt: short_date(dt, lang)
    env.filters["dayname"] = lambda d: day_name(d, lang)
    env.filters["isodate"] = lambda dt: dt.isoformat()
    env.filters["q"] = lambda value: quote(str(value), safe="")
    env.globals.update(
        ui=lang, ui_dir=direction(lang), LANG_NAMES=LANG_NAMES, UI_LANGS=UI_LANGS,
        SECTIONS=SECTIONS, version=__version__, with_query=with_query,
    )
    return env


class Templates:
    def __init__(self) -> None:
        self.envs = {lang: _environment(lang) for lang in UI_LANGS}

    def render(self, request: Request, name: str, context: dict[str, Any], *,
               status: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
        env = self.envs[ui_lang(request)]
        context = {"here": here(request), "alternates": [], "description": "",
                   "canonical": None, **context}
        body = env.get_template(name).render(**context)
        return HTMLResponse(body, status_code=status, headers=headers)
