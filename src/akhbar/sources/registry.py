"""The source registry: the shipped outlets.toml plus the operator's own TOML file.

A file holds ``[[source]]`` tables with the keys of :class:`akhbar.types.Source`::

    [[source]]
    id = "hespress-fr"            # slug, unique
    name = "Hespress FR"
    homepage = "https://fr.hespress.com/"
    feeds = ["https://fr.hespress.com/feed"]
    languages = ["fr"]            # ISO 639-1; [] means "unknown, detect per article"
    country = "MA"
    crawl_interval = 900          # seconds
    founded = "2007-01-01"        # optional
    encoding = "utf-8"            # optional
    display = "excerpt"           # full | excerpt | lede
    excerpt_words = 60
    min_delay = 5.0               # optional
    enabled = true                # optional
    [source.extract]              # optional
    body = "div.article-content"
    drop = [".related"]

In the operator file a table whose id is already shipped may give only some keys: those
override the shipped values, the rest is kept. Every mistake is a ConfigError naming the
file, the source and the field.
"""

from __future__ import annotations

import codecs
import functools
import os
import re
import tempfile
import tomllib
from dataclasses import fields
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import tomli_w

from akhbar.errors import ConfigError
from akhbar.types import DISPLAY_MODES, ExtractRules, Source

SHIPPED_FILE = "outlets.toml"

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LANG_RE = re.compile(r"^[a-z]{2}$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")

REQUIRED_KEYS = ("id", "name", "homepage", "feeds", "languages")
SOURCE_KEYS = frozenset(f.name for f in fields(Source))
EXTRACT_KEYS = frozenset(f.name for f in fields(ExtractRules))


def is_http_url(value: Any) -> bool:
    """True for an absolute http(s) URL with a host."""
    if not isinstance(value, str) or value != value.strip():
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


# --- validation of one table ---------------------------------------------------------


class FieldError(Exception):
    """A field is wrong; turned into a ConfigError with file and source by the caller (the
    registry's loader), or shown beside the field (the console's outlet form)."""


def _check_str(key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise FieldError(f"{key} must be a non-empty string")
    return value


def _check_int(key: str, value: Any, minimum: int) -> int:
    # bool is an int in Python; `crawl_interval = true` is a mistake, not 1.
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise FieldError(f"{key} must be an integer >= {minimum}")
    return value


def _check_str_list(key: str, value: Any) -> list[str]:
    if not isinstance(value, list):
        raise FieldError(f"{key} must be a list")
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise FieldError(f"{key}[{i}] must be a non-empty string")
    return value


def check_field(key: str, value: Any) -> None:
    """Validate one key of a [[source]] table, whatever else the table holds."""
    if key not in SOURCE_KEYS:
        raise FieldError(f"unknown key {key!r}")
    if key == "id":
        if not isinstance(value, str) or not SLUG_RE.match(value):
            raise FieldError(f"id {value!r} is not a slug (lowercase letters, digits, single hyphens)")
    elif key == "name":
        _check_str(key, value)
    elif key == "homepage":
        if not is_http_url(value):
            raise FieldError("homepage is not an http(s) URL")
    elif key == "feeds":
        if not isinstance(value, list) or not value:
            raise FieldError("feeds must be a non-empty list of URLs")
        seen: set[str] = set()
        for i, url in enumerate(value):
            if not is_http_url(url):
                raise FieldError(f"feeds[{i}] is not an http(s) URL")
            if url in seen:
                raise FieldError(f"feeds[{i}] is listed twice: {url}")
            seen.add(url)
    elif key == "languages":
        _check_str_list(key, value)
        for i, lang in enumerate(value):
            if not LANG_RE.match(lang):
                raise FieldError(f"languages[{i}] {lang!r} is not a 2-letter lowercase ISO 639-1 code")
        if len(set(value)) != len(value):
            raise FieldError("languages lists a code twice")
    elif key == "country":
        if not isinstance(value, str) or not COUNTRY_RE.match(value):
            raise FieldError(f"country {value!r} is not a 2-letter uppercase ISO 3166 code")
    elif key == "crawl_interval":
        _check_int(key, value, 1)
    elif key == "founded":
        _parse_founded(value)
    elif key == "encoding":
        _check_str(key, value)
        try:
            codecs.lookup(value)
        except LookupError:
            raise FieldError(f"encoding {value!r} is not a known charset") from None
    elif key == "display":
        if value not in DISPLAY_MODES:
            raise FieldError(f"display {value!r} is not one of {', '.join(DISPLAY_MODES)}")
    elif key == "excerpt_words":
        _check_int(key, value, 0)
    elif key == "min_delay":
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise FieldError("min_delay must be a number of seconds >= 0")
    elif key == "enabled":
        if not isinstance(value, bool):
            raise FieldError("enabled must be true or false")
    elif key == "extract":
        if not isinstance(value, dict):
            raise FieldError("extract must be a table")
        for sub, subvalue in value.items():
            if sub not in EXTRACT_KEYS:
                raise FieldError(f"extract: unknown key {sub!r}")
            if sub == "drop":
                _check_str_list("extract.drop", subvalue)
            else:
                _check_str(f"extract.{sub}", subvalue)


def _parse_founded(value: Any) -> date:
    # TOML has a native date type; accept it as well as the documented "YYYY-MM-DD" string.
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise FieldError(f"founded {value!r} is not a date YYYY-MM-DD")


def table_to_source(table: dict[str, Any]) -> Source:
    """Build a Source from a complete, field-validated table."""
    for key in REQUIRED_KEYS:
        if key not in table:
            raise FieldError(f"missing required key {key!r}")
    extract = table.get("extract", {})
    kwargs: dict[str, Any] = {
        k: v for k, v in table.items() if k not in ("feeds", "languages", "founded", "extract")
    }
    if "min_delay" in kwargs:
        kwargs["min_delay"] = float(kwargs["min_delay"])
    return Source(
        **kwargs,
        feeds=tuple(table["feeds"]),
        languages=tuple(table["languages"]),
        founded=_parse_founded(table["founded"]) if "founded" in table else None,
        extract=ExtractRules(
            **{k: v for k, v in extract.items() if k != "drop"},
            drop=tuple(extract.get("drop", ())),
        ),
    )


def _label(table: Any, index: int) -> str:
    sid = table.get("id") if isinstance(table, dict) else None
    return f"source {sid!r}" if isinstance(sid, str) and sid else f"source #{index + 1}"


# --- reading and writing files --------------------------------------------------------


def _parse_tables(text: str, where: str) -> list[dict[str, Any]]:
    """The [[source]] tables of a TOML text, each key validated; ids unique, feeds unique."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: not valid TOML: {exc}") from exc
    unknown = set(data) - {"source"}
    if unknown:
        raise ConfigError(f"{where}: unknown top-level keys: {', '.join(sorted(unknown))}"
                          " (sources are [[source]] tables)")
    tables = data.get("source", [])
    if not isinstance(tables, list):
        raise ConfigError(f"{where}: 'source' must be an array of tables ([[source]])")
    ids: set[str] = set()
    feeds: dict[str, str] = {}
    for i, table in enumerate(tables):
        label = _label(table, i)
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: {label}: not a table")
        if "id" not in table:
            raise ConfigError(f"{where}: {label}: missing required key 'id'")
        for key, value in table.items():
            try:
                check_field(key, value)
            except FieldError as exc:
                raise ConfigError(f"{where}: {label}: {exc}") from None
        if table["id"] in ids:
            raise ConfigError(f"{where}: {label}: id is used twice")
        ids.add(table["id"])
        for j, url in enumerate(table.get("feeds", [])):
            if url in feeds:
                raise ConfigError(
                    f"{where}: {label}: feeds[{j}] {url} is also a feed of source {feeds[url]!r}")
            feeds[url] = table["id"]
    return tables


def _read_tables(path: Path) -> list[dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read sources file: {exc}") from exc
    return _parse_tables(text, str(path))


def _build(tables: list[dict[str, Any]], where: str) -> list[Source]:
    sources = []
    for i, table in enumerate(tables):
        try:
            sources.append(table_to_source(table))
        except FieldError as exc:
            raise ConfigError(f"{where}: {_label(table, i)}: {exc}") from None
    return sources


def load_sources(path: Path) -> list[Source]:
    """Every source of one TOML file, each complete and valid."""
    path = Path(path)
    return _build(_read_tables(path), str(path))


@functools.cache
def _shipped_tables() -> tuple[dict[str, Any], ...]:
    text = resources.files("akhbar.sources").joinpath(SHIPPED_FILE).read_text(encoding="utf-8")
    return tuple(_parse_tables(text, SHIPPED_FILE))


def registry_sources_shipped() -> list[Source]:
    """The outlets shipped with akhbar (src/akhbar/sources/outlets.toml)."""
    return _build(list(_shipped_tables()), SHIPPED_FILE)


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = {**base, **override}
    # The extract table is merged key by key too: overriding `body` keeps a shipped `drop`.
    if "extract" in base and "extract" in override:
        merged["extract"] = {**base["extract"], **override["extract"]}
    return merged


def load_registry(extra: Path | None = None, only_extra: bool = False) -> list[Source]:
    """The shipped outlets, overridden and extended by the operator's file ``extra``.

    A table in ``extra`` with a shipped id replaces only the keys it gives; a new id is
    appended. With ``only_extra`` the shipped file is ignored. A feed URL may belong to
    one source only.
    """
    if only_extra and extra is None:
        raise ConfigError("only the operator's sources file was asked for, but none is set")
    tables: dict[str, dict[str, Any]] = {}
    origin: dict[str, str] = {}
    if not only_extra:
        for table in _shipped_tables():
            tables[table["id"]] = dict(table)
            origin[table["id"]] = SHIPPED_FILE
    if extra is not None:
        for table in _read_tables(Path(extra)):
            sid = table["id"]
            tables[sid] = _merge(tables[sid], table) if sid in tables else dict(table)
            origin[sid] = str(extra)
    sources: list[Source] = []
    owner: dict[str, str] = {}
    for sid, table in tables.items():
        try:
            source = table_to_source(table)
        except FieldError as exc:
            raise ConfigError(f"{origin[sid]}: source {sid!r}: {exc}") from None
        for j, url in enumerate(source.feeds):
            if url in owner:
                raise ConfigError(f"{origin[sid]}: source {sid!r}: feeds[{j}] {url} is also"
                                  f" a feed of source {owner[url]!r}")
            owner[url] = sid
        sources.append(source)
    return sources


def source_to_toml_table(source: Source) -> dict[str, Any]:
    """The [[source]] table for ``source``; optional keys left out when unset."""
    table: dict[str, Any] = {
        "id": source.id,
        "name": source.name,
        "homepage": source.homepage,
        "feeds": list(source.feeds),
        "languages": list(source.languages),
        "country": source.country,
        "crawl_interval": source.crawl_interval,
    }
    if source.founded is not None:
        table["founded"] = source.founded.isoformat()
    if source.encoding is not None:
        table["encoding"] = source.encoding
    table["display"] = source.display
    table["excerpt_words"] = source.excerpt_words
    if source.min_delay is not None:
        table["min_delay"] = float(source.min_delay)
    table["enabled"] = source.enabled
    rules = source.extract
    extract: dict[str, Any] = {
        k: getattr(rules, k) for k in ("body", "date", "author", "title") if getattr(rules, k)
    }
    if rules.drop:
        extract["drop"] = list(rules.drop)
    if extract:
        table["extract"] = extract
    return table


def _write_tables(path: Path, tables: list[dict[str, Any]]) -> None:
    # Check before writing: a file we write must load again.
    text = tomli_w.dumps({"source": tables})
    _parse_tables(text, str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write beside the target and rename, so a crash never leaves half a file.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_sources(path: Path, sources: list[Source]) -> None:
    """Write ``sources`` to a TOML file that load_sources reads back equal."""
    path = Path(path)
    tables = [source_to_toml_table(s) for s in sources]
    _build(tables, str(path))  # a Source built by hand may still break the rules
    _write_tables(path, tables)


def add_source(path: Path, source: Source) -> None:
    """Add ``source`` to the operator file, or replace the table with its id; create the file."""
    path = Path(path)
    tables = _read_tables(path) if path.exists() else []
    table = source_to_toml_table(source)
    _build([table], str(path))
    for i, old in enumerate(tables):
        if old["id"] == source.id:
            tables[i] = table
            break
    else:
        tables.append(table)
    _write_tables(path, tables)
