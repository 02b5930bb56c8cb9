"""The feeds config (`config/feeds.yaml`): which RSS/Atom feeds to poll, how often, and fetch defaults.

Declared once as data (pydantic models with help text); `load_feeds` validates the file and raises
`ConfigError` naming the file and key at fault (e.g. `feeds[7].name: duplicate feed name ...`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pipeline.core.config import ConfigError, config_path, load_yaml, parse_model

DEFAULT_USER_AGENT = "newsmon/0.1 (+https://github.com/newsmon)"


def check_http_url(url: str) -> str:
    """Return `url` stripped if it is an absolute http(s) URL with a host, else raise ValueError."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError(f"URL must use http or https, got {url!r}")
    if not parts.hostname:
        raise ValueError(f"URL has no host: {url!r}")
    return url


class FetchDefaults(BaseModel):
    """HTTP settings shared by every feed (top-level `defaults:` in feeds.yaml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    timeout_seconds: float = Field(default=10.0, gt=0, description="connect and read timeout, seconds")
    total_timeout_seconds: float = Field(
        default=60.0, gt=0, description="whole-request deadline (stops servers that drip a body slowly)"
    )
    max_bytes: int = Field(default=5 * 1024 * 1024, gt=0, description="largest (decompressed) body accepted")
    user_agent: str = Field(default=DEFAULT_USER_AGENT, min_length=1, description="User-Agent header sent")
    max_redirects: int = Field(default=5, ge=0, description="redirects followed before giving up")
    retries: int = Field(default=2, ge=0, le=10, description="extra attempts on network errors, 5xx, 408 and 429")
    backoff_seconds: float = Field(default=1.0, ge=0, description="first retry wait; doubles on each retry")
    max_retry_wait_seconds: float = Field(
        default=30.0, ge=0, description="longest in-run wait (Retry-After above it defers to the next poll)"
    )


class FeedConfig(BaseModel):
    """One feed to poll."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(..., min_length=1, description="unique feed name; also the article source name")
    url: str = Field(..., description="feed URL (http or https)")
    interval_minutes: int = Field(default=10, ge=1, le=7 * 24 * 60, description="normal polling interval")
    tags: list[str] = Field(default_factory=list, description="free labels, e.g. topics or 'wire'")
    enabled: bool = Field(default=True, description="false keeps the entry but never polls it")
    language: str | None = Field(default=None, description="expected language (ISO 639-1) when detection fails")

    @field_validator("name")
    @classmethod
    def _strip_name(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("feed name must not be blank")
        return value

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        return check_http_url(value)


class FeedsFile(BaseModel):
    """The whole feeds.yaml: optional fetch defaults and the list of feeds (names unique)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    defaults: FetchDefaults = FetchDefaults()
    feeds: list[FeedConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_names(self) -> FeedsFile:
        problems = _duplicate_names([f.name for f in self.feeds])
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def enabled(self) -> list[FeedConfig]:
        """The feeds to poll."""
        return [f for f in self.feeds if f.enabled]

    def by_name(self, name: str) -> FeedConfig:
        """The feed called `name` (KeyError if none)."""
        for feed in self.feeds:
            if feed.name == name:
                return feed
        raise KeyError(name)


def _duplicate_names(names: list[Any]) -> list[str]:
    first: dict[str, int] = {}
    problems = []
    for i, name in enumerate(names):
        if not isinstance(name, str):
            continue
        key = name.strip()
        if key in first:
            problems.append(f"feeds[{i}].name: duplicate feed name {key!r} (first used at feeds[{first[key]}])")
        else:
            first[key] = i
    return problems


def load_feeds(path: Path | str | None = None) -> FeedsFile:
    """Load and validate the feeds file (default: `config_path("feeds.yaml")`)."""
    p = Path(path) if path is not None else config_path("feeds.yaml")
    data = load_yaml(p)
    if data is None:
        data = {}
    if isinstance(data, dict) and isinstance(data.get("feeds"), list):
        names = [f.get("name") if isinstance(f, dict) else None for f in data["feeds"]]
        problems = _duplicate_names(names)
        if problems:
            raise ConfigError(p, problems)
    return parse_model(data, FeedsFile, p)
