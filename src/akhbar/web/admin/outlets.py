"""Outlets in the console: each one's health, pause and resume, add and edit.

An outlet added or edited here is saved in the database (Store.save_operator_source),
not in a file, so every worker sees it: the pipeline merges these over the registry's
outlets at each crawl pass (the database wins for one id) and syncs them. The form is
checked field by field with the registry's own rules (akhbar.sources.registry), every
mistake shown on the form and nothing saved.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import anyio
from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from akhbar.errors import StorageError
from akhbar.sources.registry import (  # its checks: the form accepts what a file would
    FieldError,
    check_field,
    source_to_toml_table,
    table_to_source,
)
from akhbar.types import DISPLAY_MODES, Source
from akhbar.web.admin.routes import DONE, console, operator, render

# The fields the form shows; the other keys of an edited outlet are kept as they were.
FORM_FIELDS = ("id", "name", "homepage", "feeds", "languages", "crawl_interval", "display",
               "excerpt_words")
NUMBERS = ("crawl_interval", "excerpt_words")


def _store(request: Request):
    return request.app.state.site.store


def known_outlets(store) -> dict[str, Source]:
    """Every outlet the crawler knows or will know: the synced ones, with the operator's
    saved versions over them (those the next crawl pass has not synced yet included)."""
    outlets = {s.id: s for s in store.list_sources()}
    for saved in store.operator_sources():
        enabled = outlets[saved.id].enabled if saved.id in outlets else True
        outlets[saved.id] = dataclasses.replace(saved, enabled=enabled)
    return outlets


def form_values(source: Source | None) -> dict[str, str]:
    if source is None:
        return {"id": "", "name": "", "homepage": "", "feeds": "", "languages": "",
                "crawl_interval": "1800", "display": "excerpt", "excerpt_words": "60"}
    return {"id": source.id, "name": source.name, "homepage": source.homepage,
            "feeds": "\n".join(source.feeds), "languages": ", ".join(source.languages),
            "crawl_interval": str(source.crawl_interval), "display": source.display,
            "excerpt_words": str(source.excerpt_words)}


def parse_outlet(values: dict[str, str], existing: Source | None,
                 others: dict[str, Source]) -> tuple[Source | None, dict[str, str]]:
    """The Source a submitted form describes, or every mistake by field name. ``existing``:
    the outlet being edited (its id and unshown keys are kept); ``others``: every other
    outlet (an id or a feed URL may belong to one outlet only)."""
    table: dict[str, Any] = source_to_toml_table(existing) if existing else {}
    errors: dict[str, str] = {}
    table["id"] = existing.id if existing else values.get("id", "").strip()
    table["name"] = values.get("name", "").strip()
    table["homepage"] = values.get("homepage", "").strip()
    table["feeds"] = [line.strip() for line in values.get("feeds", "").splitlines()
                      if line.strip()]
    table["languages"] = [code for code in re.split(r"[\s,;]+", values.get("languages", ""))
                          if code]
    table["display"] = values.get("display", "")
    # Pausing is set_source_enabled's; a saved outlet is one the registry would crawl.
    table["enabled"] = True
    for key in NUMBERS:
        raw = values.get(key, "").strip()
        try:
            table[key] = int(raw)
        except ValueError:
            errors[key] = f"{key} must be a whole number, not {raw!r}"
    for key in FORM_FIELDS:
        if key in errors:
            continue
        try:
            check_field(key, table[key])
        except FieldError as exc:
            errors[key] = str(exc)
    if existing is None and "id" not in errors and table["id"] in others:
        errors["id"] = f"an outlet with id {table['id']!r} exists already: edit it instead"
    if "feeds" not in errors:
        owners = {url: s.id for s in others.values() for url in s.feeds}
        taken = [f"{url} is already a feed of outlet {owners[url]!r}"
                 for url in table["feeds"] if url in owners]
        if taken:
            errors["feeds"] = "; ".join(taken)
    if errors:
        return None, errors
    try:
        return table_to_source(table), {}
    except (FieldError, TypeError, ValueError) as exc:
        return None, {"form": str(exc)}


def _outlets_page(request: Request, *, status: int = 200, error: str | None = None) -> Response:
    store = _store(request)
    outlets = known_outlets(store)
    synced = {s.id for s in store.list_sources()}
    health = {h.source_id: h for h in store.source_health()}
    done = request.query_params.get("done")
    rows = [{"source": s, "health": health.get(s.id), "pending": s.id not in synced}
            for s in sorted(outlets.values(), key=lambda s: s.name.casefold())]
    return render(request, "admin/outlets.html", {
        "rows": rows, "changes": store.operator_source_changes(), "error": error,
        "done": done if done in DONE else None,
    }, status=status)


@console.get("/outlets")
def outlets(request: Request) -> Response:
    return _outlets_page(request)


def _form_page(request: Request, source: Source | None, values: dict[str, str],
               errors: dict[str, str] | None = None) -> Response:
    return render(request, "admin/outlet_form.html", {
        "source": source, "values": values, "errors": errors or {},
        "display_modes": DISPLAY_MODES, "fields": FORM_FIELDS,
    }, status=400 if errors else 200)


@console.get("/outlets/new")
def new_outlet(request: Request) -> Response:
    return _form_page(request, None, form_values(None))


def _submitted(form) -> dict[str, str]:
    return {key: str(form.get(key) or "")[:20_000] for key in FORM_FIELDS}


async def _save(request: Request, existing: Source | None) -> Response:
    values = _submitted(await request.form())
    store = _store(request)

    def save() -> dict[str, str] | str:
        others = known_outlets(store)
        if existing is not None:
            others.pop(existing.id, None)
        source, errors = parse_outlet(values, existing, others)
        if source is None:
            return errors
        store.save_operator_source(source, operator(request))
        changed = sorted(k for k in FORM_FIELDS if existing is None
                         or form_values(existing)[k] != form_values(source)[k])
        store.audit("operator:" + operator(request),
                    "outlet_add" if existing is None else "outlet_edit",
                    detail={"source": source.id, "changed": changed})
        return source.id

    outcome = await anyio.to_thread.run_sync(save)
    if isinstance(outcome, dict):
        return _form_page(request, existing, values, outcome)
    return RedirectResponse("/admin/outlets?done=saved", status_code=303)


@console.post("/outlets/new")
async def add_outlet(request: Request) -> Response:
    return await _save(request, None)


def _existing(request: Request, source_id: str) -> Source | None:
    return known_outlets(_store(request)).get(source_id)


@console.get("/outlets/{source_id}/edit")
def edit_outlet(request: Request, source_id: str) -> Response:
    source = _existing(request, source_id)
    if source is None:
        return render(request, "admin/missing.html", {}, status=404)
    return _form_page(request, source, form_values(source))


@console.post("/outlets/{source_id}/edit")
async def save_outlet(request: Request, source_id: str) -> Response:
    source = await anyio.to_thread.run_sync(_existing, request, source_id)
    if source is None:
        return render(request, "admin/missing.html", {}, status=404)
    return await _save(request, source)


def _set_enabled(request: Request, source_id: str, enabled: bool) -> Response:
    store = _store(request)
    try:
        store.set_source_enabled(source_id, enabled)
    except StorageError as exc:
        return _outlets_page(request, status=400, error=str(exc))
    store.audit("operator:" + operator(request), "outlet_resume" if enabled else "outlet_pause",
                detail={"source": source_id})
    return RedirectResponse(f"/admin/outlets?done={'resumed' if enabled else 'paused'}",
                            status_code=303)


@console.post("/outlets/{source_id}/pause")
def pause_outlet(request: Request, source_id: str) -> Response:
    return _set_enabled(request, source_id, False)


@console.post("/outlets/{source_id}/resume")
def resume_outlet(request: Request, source_id: str) -> Response:
    return _set_enabled(request, source_id, True)
