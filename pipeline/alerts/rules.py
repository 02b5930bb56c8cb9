"""Alert rules: the `config/alerts.yaml` models, loading with cross-checks, and a rule's Elasticsearch query.

Topic names are checked against `config/topics.yaml` (`pipeline.core.vocab.topic_names`) and entity filters
search every facet key of `pipeline.core.vocab.FACET_KEYS`, so neither list is repeated here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, PrivateAttr, field_validator, model_validator

from pipeline.alerts.channels import ChannelConfig
from pipeline.core.config import ConfigError, StrictModel, config_path, load_yaml, parse_model
from pipeline.core.timeutil import DurationError, iso, parse_duration
from pipeline.core.vocab import FACET_KEYS, topic_names

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class RuleFilter(StrictModel):
    """What a rule matches; all given criteria must hold (each list is an OR within itself)."""

    topics_any: list[str] = Field(default_factory=list, description="story has at least one of these topics")
    topics_all: list[str] = Field(default_factory=list, description="story has every one of these topics")
    entities: list[str] = Field(default_factory=list, description="canonical entity names, any of them")
    query: str | None = Field(default=None, description="simple_query_string over title (x2) and text, AND by default")
    sources: list[str] = Field(default_factory=list, description="source names or domains, any of them")
    min_score: float | None = Field(default=None, ge=0, description="minimum topic score for the rule's topics")

    @field_validator("topics_any", "topics_all")
    @classmethod
    def _known_topics(cls, v: list[str]) -> list[str]:
        known = topic_names()
        unknown = [t for t in v if t not in known]
        if unknown:
            raise ValueError(f"unknown topic(s) {unknown}; known: {list(known)}")
        return v


class AlertRule(StrictModel):
    """One alert rule: a filter, a channel (by name), per-story or digest mode, optional backfill."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
    description: str = ""
    filter: RuleFilter = Field(default_factory=lambda: RuleFilter())
    channel: str
    mode: Literal["per_story", "digest"] = "per_story"
    digest_minutes: int | None = Field(default=None, gt=0)
    backfill: bool | timedelta = Field(
        False, description="false: start from now; true: all history; '7d', '12h', '30m', '2w': that far back"
    )
    enabled: bool = True

    @field_validator("backfill", mode="before")
    @classmethod
    def _duration(cls, v: Any) -> Any:
        if isinstance(v, bool | timedelta):
            return v
        if isinstance(v, str):
            try:
                return parse_duration(v)
            except DurationError:
                pass
        raise ValueError("must be true, false or a duration like 30m, 12h, 7d, 2w")

    @model_validator(mode="after")
    def _digest(self) -> AlertRule:
        if self.mode == "digest" and not self.digest_minutes:
            raise ValueError("mode 'digest' needs digest_minutes")
        return self

    def start_at(self, now: datetime) -> datetime:
        """Earliest `ingested_at` a brand-new cursor for this rule considers."""
        if self.backfill is True:
            return EPOCH
        if isinstance(self.backfill, timedelta):
            return now - self.backfill
        return now


class AlertSettings(StrictModel):
    """Matching windows and retry policy (defaults suit a run every few minutes)."""

    overlap_minutes: float = Field(default=5.0, ge=0, description="re-read this much before the watermark")
    settle_seconds: float = Field(default=10.0, ge=0, description="ignore articles ingested in the last N seconds")
    retry_base_seconds: float = Field(default=60.0, gt=0, description="first retry delay; doubles per attempt")
    retry_max_seconds: float = Field(default=6 * 3600.0, gt=0, description="cap of the retry delay")
    claim_lease_seconds: float = Field(default=300.0, gt=0, description="a claimed entry is retried after this")
    max_batch: int = Field(default=500, gt=0, le=10000, description="ledger entries delivered per rule per run")


class AlertsFile(StrictModel):
    """The whole `config/alerts.yaml`."""

    settings: AlertSettings = Field(default_factory=lambda: AlertSettings())
    channels: dict[str, ChannelConfig] = Field(default_factory=dict)
    rules: list[AlertRule] = Field(default_factory=list)
    _source: str = PrivateAttr(default="alerts.yaml")

    @property
    def source(self) -> str:
        return self._source

    def rule(self, name: str) -> AlertRule:
        for r in self.rules:
            if r.name == name:
                return r
        raise ConfigError(self._source, [f"rules: no rule named {name!r} (have: {[r.name for r in self.rules]})"])


def parse_alert_rules(data: Any, source: Path | str = "alerts.yaml") -> AlertsFile:
    """Validate parsed YAML into `AlertsFile`; cross-checks (unique names, known channels) name the key."""
    af = parse_model({} if data is None else data, AlertsFile, source)
    problems: list[str] = []
    seen: dict[str, int] = {}
    for i, r in enumerate(af.rules):
        if r.name in seen:
            problems.append(f"rules[{i}].name: duplicate rule name {r.name!r} (also rules[{seen[r.name]}])")
        seen.setdefault(r.name, i)
        if r.channel not in af.channels:
            problems.append(
                f"rules[{i}].channel: unknown channel {r.channel!r} (channels defined: {sorted(af.channels)})"
            )
    if problems:
        raise ConfigError(source, problems)
    af._source = str(source)
    return af


def load_alert_rules(path: Path | str | None = None) -> AlertsFile:
    """Load `config/alerts.yaml` (or `path`); `ConfigError` names the file and key at fault."""
    p = config_path("alerts.yaml", path)
    return parse_alert_rules(load_yaml(p), p)


def build_query(flt: RuleFilter, start: datetime, end: datetime) -> dict[str, Any]:
    """The ES query of a rule over one `ingested_at` window (filters only, except the free-text part)."""
    filters: list[dict[str, Any]] = [{"range": {"ingested_at": {"gte": iso(start), "lte": iso(end)}}}]
    if flt.topics_any:
        filters.append({"terms": {"topics": flt.topics_any}})
    filters.extend({"term": {"topics": t}} for t in flt.topics_all)
    if flt.entities:
        filters.append(
            {
                "bool": {
                    "should": [{"terms": {f"entities.{k}": flt.entities}} for k in FACET_KEYS],
                    "minimum_should_match": 1,
                }
            }
        )
    if flt.sources:
        filters.append(
            {
                "bool": {
                    "should": [{"terms": {"source.name": flt.sources}}, {"terms": {"source.domain": flt.sources}}],
                    "minimum_should_match": 1,
                }
            }
        )
    if flt.min_score is not None:

        def at_least(t: str) -> dict[str, Any]:
            return {"range": {f"topic_scores.{t}": {"gte": flt.min_score}}}

        filters.extend(at_least(t) for t in flt.topics_all)
        pool = flt.topics_any or ([] if flt.topics_all else list(topic_names()))
        if pool:
            filters.append({"bool": {"should": [at_least(t) for t in pool], "minimum_should_match": 1}})
    must: list[dict[str, Any]] = []
    if flt.query:
        must.append(
            {"simple_query_string": {"query": flt.query, "fields": ["title^2", "text"], "default_operator": "and"}}
        )
    return {"bool": {"filter": filters, "must": must}}
