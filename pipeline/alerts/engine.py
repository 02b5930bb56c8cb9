"""Alerting: rules over newly indexed stories, delivered exactly once per (rule, story_id) via an ES outbox.

How one run (`run_alerts`) works, and why nothing is lost or sent twice:

1. **Record** (per enabled rule): read the rule's cursor (`P-alert-cursors`, id = rule name). A new rule gets a
   cursor starting at `now` (or earlier with `backfill`) so it never floods history. The rule's query runs over
   articles whose `ingested_at` lies in `[watermark - overlap, now - settle]` (never before the cursor's
   `start_at`): the overlap re-reads the tail of the previous window, so an article indexed late (or made
   visible late by a refresh) is still seen. Matches are grouped by `story_id`, summarised (headline, outlets,
   evidence, entities, links) and written to the ledger (`P-alerts`) with `op_type=create` under the id
   `ledger_id(rule, story_id)`: a 409 means the story was already alerted or queued, so it is skipped. Only after
   every ledger write succeeded is the watermark advanced.
2. **Deliver** (per rule): ledger entries with status `pending`/`failed` whose `next_attempt_at <= now` are
   claimed with optimistic concurrency (`if_seq_no`; the claim bumps `attempts` and leases the entry for
   `claim_lease_seconds`, so two runners never both send it and a crash mid-send is retried after the lease),
   then sent. Success marks the entry `delivered` with timing; failure marks it `failed` with `last_error` and an
   exponential-backoff `next_attempt_at`. A crash between record and deliver leaves `pending` entries that the
   next run sends. Receivers get an `Idempotency-Key` (the ledger id, or the digest id) so the remaining window
   (sent, then crashed before marking delivered) is de-duplicated on their side.
3. **Digests**: entries are recorded per (rule, story) exactly as above; when a digest is due (`digest_minutes`
   since the last one) all due entries are claimed under one `digest_id` (persisted, so a retry re-sends the
   same digest with the same key) and sent as one message.

Time is always the `now` argument; this module never reads the clock.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from pipeline.alerts.notify import (
    AlertMessage,
    Channel,
    ChannelConfig,
    DeliveryError,
    StorySummary,
    TopicHit,
    make_channel,
    unavailable_reason,
)
from pipeline.core.config import ConfigError, config_path, load_yaml, parse_model
from pipeline.index import store
from pipeline.index.store import IndexNames, StoreError, iso

log = logging.getLogger(__name__)

ENTITY_FIELDS = ("person", "org", "gpe", "loc", "norp", "event")
KNOWN_TOPICS: tuple[str, ...] = tuple(
    store.mapping("articles")["mappings"]["properties"]["topic_scores"]["properties"]
)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
OPEN = ("pending", "failed")
CLAIM_CHUNK = 20  # per-story entries leased at a time
ARTICLE_FIELDS = ("id", "url", "title", "published_at", "fetched_at", "ingested_at", "source", "topics",
                  "topic_scores", "evidence", "entities", "story_id")

ChannelsFactory = Callable[[str, ChannelConfig], Channel]


# ---------------------------------------------------------------- config


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RuleFilter(_Strict):
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
        unknown = [t for t in v if t not in KNOWN_TOPICS]
        if unknown:
            raise ValueError(f"unknown topic(s) {unknown}; known: {list(KNOWN_TOPICS)}")
        return v


_DURATION = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class AlertRule(_Strict):
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
            m = _DURATION.match(v)
            if m:
                return timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})
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


class AlertSettings(_Strict):
    """Matching windows and retry policy (defaults suit a run every few minutes)."""

    overlap_minutes: float = Field(default=5.0, ge=0, description="re-read this much before the watermark")
    settle_seconds: float = Field(default=10.0, ge=0, description="ignore articles ingested in the last N seconds")
    retry_base_seconds: float = Field(default=60.0, gt=0, description="first retry delay; doubles per attempt")
    retry_max_seconds: float = Field(default=6 * 3600.0, gt=0, description="cap of the retry delay")
    claim_lease_seconds: float = Field(default=300.0, gt=0, description="a claimed entry is retried after this")
    max_batch: int = Field(default=500, gt=0, le=10000, description="ledger entries delivered per rule per run")


class AlertsFile(_Strict):
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


# ---------------------------------------------------------------- pure helpers


def ledger_id(rule: str, story_id: str) -> str:
    """The ledger document id (and idempotency key) of one (rule, story): a deterministic hash."""
    return hashlib.sha256(f"alert\x00{rule}\x00{story_id}".encode()).hexdigest()[:40]


def digest_key(rule: str, ids: Sequence[str], now: datetime) -> str:
    """A digest's id (and idempotency key), fixed once and persisted on its entries."""
    h = hashlib.sha256(f"digest\x00{rule}\x00{now.isoformat()}\x00".encode() + "\x00".join(sorted(ids)).encode())
    return "d" + h.hexdigest()[:39]


def retry_delay(attempts: int, s: AlertSettings) -> timedelta:
    """Exponential backoff: base, 2*base, 4*base, ... capped."""
    return timedelta(seconds=min(s.retry_base_seconds * (2 ** max(attempts - 1, 0)), s.retry_max_seconds))


def _dt(value: Any) -> datetime | None:
    if not value:
        return None
    if isinstance(value, datetime):
        return value
    try:
        dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _check_now(now: datetime) -> None:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware (UTC)")


def build_query(flt: RuleFilter, start: datetime, end: datetime) -> dict[str, Any]:
    """The ES query of a rule over one `ingested_at` window (filters only, except the free-text part)."""
    filters: list[dict[str, Any]] = [{"range": {"ingested_at": {"gte": iso(start), "lte": iso(end)}}}]
    if flt.topics_any:
        filters.append({"terms": {"topics": flt.topics_any}})
    filters.extend({"term": {"topics": t}} for t in flt.topics_all)
    if flt.entities:
        filters.append({"bool": {"should": [{"terms": {f"entities.{k}": flt.entities}} for k in ENTITY_FIELDS],
                                 "minimum_should_match": 1}})
    if flt.sources:
        filters.append({"bool": {"should": [{"terms": {"source.name": flt.sources}},
                                            {"terms": {"source.domain": flt.sources}}],
                                 "minimum_should_match": 1}})
    if flt.min_score is not None:
        def at_least(t: str) -> dict[str, Any]:
            return {"range": {f"topic_scores.{t}": {"gte": flt.min_score}}}

        filters.extend(at_least(t) for t in flt.topics_all)
        pool = flt.topics_any or ([] if flt.topics_all else list(KNOWN_TOPICS))
        if pool:
            filters.append({"bool": {"should": [at_least(t) for t in pool], "minimum_should_match": 1}})
    must: list[dict[str, Any]] = []
    if flt.query:
        must.append({"simple_query_string": {"query": flt.query, "fields": ["title^2", "text"],
                                             "default_operator": "and"}})
    return {"bool": {"filter": filters, "must": must}}


def story_key(doc: Mapping[str, Any]) -> str:
    return str(doc.get("story_id") or doc.get("id"))


def _outlet(doc: Mapping[str, Any]) -> str:
    src = doc.get("source") or {}
    return str(src.get("name") or src.get("domain") or "unknown outlet")


def _evidence_line(ev: Mapping[str, Any]) -> str:
    if ev.get("text"):
        return str(ev["text"])
    weight = ev.get("weight")
    w = f", {float(weight):+.1f}" if isinstance(weight, int | float) else ""
    return f'{ev.get("field", "?")}: "{ev.get("term", "?")}" ({ev.get("rule", "?")}{w})'


def summarise_story(
    key: str, matched: Sequence[Mapping[str, Any]], copies: Iterable[Mapping[str, Any]], flt: RuleFilter
) -> tuple[StorySummary, Mapping[str, Any]]:
    """Summarise one story from its matching docs and all its copies; returns (summary, trigger doc).

    The trigger is the first-ingested matching copy (its timing is what the alert latency measures); outlets,
    links and entities come from every copy so five syndicated copies read "5 outlets".
    """
    trigger = min(matched, key=lambda d: (str(d.get("ingested_at") or ""), str(d.get("published_at") or ""),
                                          str(d.get("id"))))
    by_id: dict[str, Mapping[str, Any]] = {str(d.get("id")): d for d in copies}
    for d in matched:
        by_id.setdefault(str(d.get("id")), d)
    trigger_id = str(trigger.get("id"))
    # the trigger's outlet first, then the others by publication time
    ordered = sorted(by_id.values(), key=lambda d: (str(d.get("id")) != trigger_id, str(d.get("published_at") or ""),
                                                    str(d.get("id"))))
    outlets: list[str] = []
    links: list[tuple[str, str]] = []
    for d in ordered:
        name = _outlet(d)
        if name not in outlets:
            outlets.append(name)
            if d.get("url") and len(links) < 5:
                links.append((name, str(d["url"])))
    published = [p for p in (_dt(d.get("published_at")) for d in by_id.values()) if p]
    scores = trigger.get("topic_scores") or {}
    wanted = [*flt.topics_all, *flt.topics_any]
    topic_names = sorted(trigger.get("topics") or [], key=lambda t: (t not in wanted, -float(scores.get(t) or 0)))
    topics = []
    for t in topic_names:
        lines: list[str] = []
        for ev in trigger.get("evidence") or []:
            line = _evidence_line(ev)
            if ev.get("topic") == t and line not in lines:
                lines.append(line)
        topics.append(TopicHit(t, round(float(scores.get(t) or 0.0), 2), tuple(lines[:4])))
    entities = []
    for k in ENTITY_FIELDS:
        counts: Counter[str] = Counter()
        for d in by_id.values():
            counts.update(set((d.get("entities") or {}).get(k) or []))
        if counts:
            top = sorted(counts, key=lambda n: (n not in flt.entities, -counts[n], n))[:5]
            entities.append((k, tuple(top)))
    summary = StorySummary(
        story_id=key,
        headline=str(trigger.get("title") or "(no headline)"),
        url=str(trigger.get("url") or ""),
        published_at=iso(min(published)) if published else None,
        outlets=tuple(outlets),
        links=tuple(links),
        topics=tuple(topics),
        entities=tuple(entities),
    )
    return summary, trigger


def ledger_doc(rule: AlertRule, summary: StorySummary, trigger: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """A new `pending` ledger entry carrying the rendered story (the outbox payload) and its timing so far."""
    lid = ledger_id(rule.name, summary.story_id)
    return {
        "rule": rule.name,
        "story_id": summary.story_id,
        "article_id": str(trigger.get("id")),
        "channel": rule.channel,
        "mode": rule.mode,
        "status": "pending",
        "attempts": 0,
        "last_error": None,
        "created_at": iso(now),
        "next_attempt_at": iso(now),
        "delivered_at": None,
        "digest_id": None,
        "idempotency_key": lid,
        "title": summary.headline,
        "payload": summary.to_dict(),
        "timing": {
            "published_at": trigger.get("published_at"),
            "fetched_at": trigger.get("fetched_at"),
            "ingested_at": trigger.get("ingested_at"),
        },
    }


# ---------------------------------------------------------------- reports


@dataclass(slots=True)
class RuleReport:
    """Counts for one rule in one run."""

    matched: int = 0  # stories matching in this window
    new: int = 0  # ledger entries created
    skipped_existing: int = 0  # stories already alerted or queued (409)
    delivered: int = 0  # ledger entries delivered this run
    failed: int = 0  # ledger entries whose delivery failed this run
    messages: int = 0  # messages sent (a digest is one message for many entries)
    window: tuple[str, str] | None = None
    skipped: str | None = None  # why the rule did not run (disabled, channel not configured)
    errors: list[str] = field(default_factory=list)


@dataclass(slots=True)
class AlertRunReport:
    """What one `run_alerts` did, per rule; `summary()` prints it, `exit_code` is 1 if a delivery failed."""

    now: datetime
    rules: dict[str, RuleReport] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def rule(self, name: str) -> RuleReport:
        return self.rules.setdefault(name, RuleReport())

    def total(self, key: str) -> int:
        return sum(int(getattr(r, key)) for r in self.rules.values())

    @property
    def failed(self) -> int:
        """Ledger entries whose delivery failed in this run (they are retried later)."""
        return self.total("failed")

    @property
    def exit_code(self) -> int:
        return 1 if self.total("failed") or any(r.errors for r in self.rules.values()) else 0

    def to_dict(self) -> dict[str, Any]:
        keys = ("matched", "new", "skipped_existing", "delivered", "failed", "messages")
        return {
            "now": self.now.isoformat(),
            "rules": {
                n: {**{k: getattr(r, k) for k in keys}, "window": list(r.window) if r.window else None,
                    "skipped": r.skipped, "errors": list(r.errors)}
                for n, r in self.rules.items()
            },
            "totals": {k: self.total(k) for k in keys},
            "warnings": list(self.warnings),
        }

    def summary(self) -> str:
        head = f"{'rule':<28} {'matched':>7} {'new':>5} {'existing':>8} {'delivered':>9} {'failed':>6}"
        lines = [f"alerts run at {self.now.isoformat()}", head]
        for name, r in self.rules.items():
            if r.skipped:
                lines.append(f"{name:<28} skipped: {r.skipped}")
                continue
            lines.append(f"{name:<28} {r.matched:>7} {r.new:>5} {r.skipped_existing:>8} {r.delivered:>9} {r.failed:>6}")
            lines.extend(f"{'':<28} error: {e}" for e in r.errors)
        lines.append(f"{'total':<28} {self.total('matched'):>7} {self.total('new'):>5} "
                     f"{self.total('skipped_existing'):>8} {self.total('delivered'):>9} {self.total('failed'):>6}")
        return "\n".join(lines)


# ---------------------------------------------------------------- ES edge: cursors and ledger


@dataclass(slots=True)
class Cursor:
    """A rule's watermark on `ingested_at` (and the earliest time it may look at)."""

    rule: str
    watermark: datetime
    start_at: datetime
    created_at: datetime
    last_run_at: datetime | None = None
    last_digest_at: datetime | None = None

    def to_doc(self) -> dict[str, Any]:
        return {"rule": self.rule, "watermark": iso(self.watermark), "start_at": iso(self.start_at),
                "created_at": iso(self.created_at), "last_run_at": iso(self.last_run_at),
                "last_digest_at": iso(self.last_digest_at)}

    def window(self, s: AlertSettings, now: datetime) -> tuple[datetime, datetime]:
        start = max(self.watermark - timedelta(minutes=s.overlap_minutes), self.start_at)
        return start, now - timedelta(seconds=s.settle_seconds)


def _wrap(es: Elasticsearch, what: str, exc: Exception) -> StoreError:
    return StoreError(f"Elasticsearch at {store._url(es)}: {what}: {exc}")


def load_cursor(es: Elasticsearch, names: IndexNames, rule: str) -> Cursor | None:
    try:
        src = es.get(index=names.alert_cursors, id=rule)["_source"]
    except NotFoundError:
        return None
    except (ApiError, TransportError) as exc:
        raise _wrap(es, f"reading cursor of rule {rule!r}", exc) from exc
    wm, created = _dt(src.get("watermark")), _dt(src.get("created_at"))
    assert wm is not None and created is not None
    return Cursor(rule, wm, _dt(src.get("start_at")) or EPOCH, created, _dt(src.get("last_run_at")),
                  _dt(src.get("last_digest_at")))


def save_cursor(es: Elasticsearch, names: IndexNames, cur: Cursor) -> None:
    try:
        es.index(index=names.alert_cursors, id=cur.rule, document=cur.to_doc())
    except (ApiError, TransportError) as exc:
        raise _wrap(es, f"saving cursor of rule {cur.rule!r}", exc) from exc


def create_entries(es: Elasticsearch, names: IndexNames, docs: Sequence[dict[str, Any]]) -> tuple[int, int]:
    """Create ledger entries with op_type=create; returns (created, already existing). Other errors raise."""
    created = existing = 0
    failures: list[str] = []
    for i in range(0, len(docs), 500):
        ops: list[dict[str, Any]] = []
        for d in docs[i : i + 500]:
            ops += [{"create": {"_index": names.alerts, "_id": ledger_id(d["rule"], d["story_id"])}}, d]
        try:
            resp = es.bulk(operations=ops)
        except (ApiError, TransportError) as exc:
            raise _wrap(es, f"writing alert ledger {names.alerts}", exc) from exc
        for item in resp["items"]:
            res = item["create"]
            if res.get("status") == 201:
                created += 1
            elif res.get("status") == 409:
                existing += 1
            else:
                failures.append(f"{res.get('_id')}: {res.get('error')}")
    if failures:
        raise StoreError(f"alert ledger {names.alerts}: {len(failures)} entries not written: {failures[:3]}")
    return created, existing


def _search(es: Elasticsearch, index: str, **body: Any) -> list[dict[str, Any]]:
    try:
        return list(es.search(index=index, **body)["hits"]["hits"])
    except (ApiError, TransportError) as exc:
        raise _wrap(es, f"searching {index}", exc) from exc


# What `summarise_story` and `ledger_doc` read from an article: the body, the entity mentions and the clustering
# fields (the bulk of a document) are left on the server.
STORY_FIELDS = ["id", "story_id", "url", "title", "source", "published_at", "fetched_at", "ingested_at", "topics",
                "topic_scores", "evidence", "entities"]


def _scan(es: Elasticsearch, index: str, query: dict[str, Any]) -> list[dict[str, Any]]:
    """The `STORY_FIELDS` of every article matching `query`."""
    return [h["_source"] for h in _scan_hits(es, index, query, source=STORY_FIELDS)]


def _hit_story_key(hit: Mapping[str, Any]) -> str:
    """`story_key` of a hit read with `docvalue_fields=["story_id"]` (no _source)."""
    values = (hit.get("fields") or {}).get("story_id") or []
    return str(values[0]) if values else str(hit["_id"])


def _scan_hits(es: Elasticsearch, index: str, query: dict[str, Any], source: Any = None,
               docvalue_fields: list[str] | None = None) -> list[dict[str, Any]]:
    try:
        return list(store.scan_all(es, index, query, source=source, docvalue_fields=docvalue_fields))
    except (ApiError, TransportError) as exc:
        raise _wrap(es, f"searching {index}", exc) from exc


# ---------------------------------------------------------------- record step


def _active_rules(
    rules: AlertsFile, report: AlertRunReport, env: Mapping[str, str] | None, *, warn: bool = True
) -> list[AlertRule]:
    """Enabled rules whose channel is configured; the others are marked skipped (with a warning)."""
    active = []
    for r in rules.rules:
        report.rule(r.name)  # report rows in file order
        if not r.enabled:
            report.rule(r.name).skipped = "disabled"
            continue
        reason = unavailable_reason(r.channel, rules.channels[r.channel], env)
        if reason:
            report.rule(r.name).skipped = reason
            if warn:
                report.warnings.append(f"rule {r.name!r} skipped: {reason}")
                log.warning("alert rule %r skipped: %s", r.name, reason)
            continue
        active.append(r)
    return active


def record_rule(
    es: Elasticsearch, names: IndexNames, rule: AlertRule, s: AlertSettings, now: datetime, rr: RuleReport
) -> None:
    """Match one rule over its window, write new ledger entries, then advance its watermark."""
    cur = load_cursor(es, names, rule.name)
    if cur is None:
        start_at = rule.start_at(now)
        cur = Cursor(rule.name, watermark=start_at, start_at=start_at, created_at=now)
    start, end = cur.window(s, now)
    rr.window = (start.isoformat(), end.isoformat())
    if end > start:
        query = build_query(rule.filter, start, end)
        # ids and story ids first: the overlap re-reads the window's tail on every run, and most of those
        # stories are recorded already; whole articles are fetched only for the stories that are not
        light = _scan_hits(es, names.articles, query, source=False, docvalue_fields=["story_id"])
        keys = list(dict.fromkeys(_hit_story_key(h) for h in light))
        rr.matched = len(keys)
        fresh = _unrecorded(es, names, rule.name, keys)
        rr.skipped_existing += len(keys) - len(fresh)
        wanted = set(fresh)
        ids = [h["_id"] for h in light if _hit_story_key(h) in wanted]
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for i in range(0, len(ids), 500):
            chunk = {"bool": {"filter": [query, {"ids": {"values": ids[i : i + 500]}}]}}
            for doc in _scan(es, names.articles, chunk):
                groups[story_key(doc)].append(doc)
        fresh = [k for k in fresh if groups.get(k)]  # a story re-pointed in between is picked up next run
        copies = _copies(es, names, fresh)
        docs = []
        for key in fresh:
            summary, trigger = summarise_story(key, groups[key], copies.get(key, []), rule.filter)
            docs.append(ledger_doc(rule, summary, trigger, now))
        created, existing = create_entries(es, names, docs)
        rr.new += created
        rr.skipped_existing += existing
        cur.watermark = max(cur.watermark, end)
    cur.last_run_at = now
    save_cursor(es, names, cur)  # only after every ledger write above succeeded


def _unrecorded(es: Elasticsearch, names: IndexNames, rule: str, keys: list[str]) -> list[str]:
    """The story keys without a ledger entry yet (a cheap pre-check; `op_type=create` is the real guard)."""
    if not keys:
        return []
    ids = {ledger_id(rule, k): k for k in keys}
    found = store.existing_ids(es, names.alerts, list(ids))  # the overlap re-reads many: no bodies
    return [k for lid, k in ids.items() if lid not in found]


def _copies(es: Elasticsearch, names: IndexNames, keys: list[str]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for i in range(0, len(keys), 500):
        for doc in _scan(es, names.articles, {"terms": {"story_id": keys[i : i + 500]}}):
            out[story_key(doc)].append(doc)
    return out


def record_matches(
    es: Elasticsearch, names: IndexNames, rules: AlertsFile, now: datetime, *,
    env: Mapping[str, str] | None = None, report: AlertRunReport | None = None,
) -> AlertRunReport:
    """The record step alone: ledger entries for new matching stories of every active rule (no delivery)."""
    _check_now(now)
    report = report or AlertRunReport(now)
    active = _active_rules(rules, report, env)
    _ensure(es, names)
    try:
        es.indices.refresh(index=names.articles)
    except (ApiError, TransportError) as exc:
        raise _wrap(es, f"refreshing {names.articles}", exc) from exc
    for r in active:
        record_rule(es, names, r, rules.settings, now, report.rule(r.name))
    _refresh_ledger(es, names)
    return report


def _ensure(es: Elasticsearch, names: IndexNames) -> None:
    """Create the indices of this prefix if any is missing (a fresh install running alerts first)."""
    try:
        missing = not all(es.indices.exists(index=i) for i in (names.articles, names.alerts, names.alert_cursors))
    except (ApiError, TransportError) as exc:
        raise _wrap(es, "checking indices", exc) from exc
    if missing:
        store.ensure_indices(es, names)


def _refresh_ledger(es: Elasticsearch, names: IndexNames) -> None:
    try:
        es.indices.refresh(index=names.alerts)
    except (ApiError, TransportError) as exc:
        raise _wrap(es, f"refreshing {names.alerts}", exc) from exc


# ---------------------------------------------------------------- deliver step


def _due(es: Elasticsearch, names: IndexNames, rule: str, now: datetime, limit: int) -> list[dict[str, Any]]:
    return _search(
        es, names.alerts,
        query={"bool": {"filter": [{"term": {"rule": rule}}, {"terms": {"status": list(OPEN)}},
                                   {"range": {"next_attempt_at": {"lte": iso(now)}}}]}},
        sort=[{"created_at": "asc"}, {"story_id": "asc"}],
        size=limit,
        seq_no_primary_term=True,
    )


def _bulk_update(es: Elasticsearch, names: IndexNames, what: str,
                 updates: Sequence[tuple[dict[str, Any], dict[str, Any]]], *, guarded: bool) -> list[bool]:
    """Partial updates of ledger entries in one request; `guarded` uses the hits' seq_no (False on 409)."""
    if not updates:
        return []
    ops: list[dict[str, Any]] = []
    for hit, doc in updates:
        meta: dict[str, Any] = {"_index": names.alerts, "_id": hit["_id"]}
        if guarded:
            meta |= {"if_seq_no": hit["_seq_no"], "if_primary_term": hit["_primary_term"]}
        ops += [{"update": meta}, {"doc": doc}]
    try:
        resp = es.bulk(operations=ops)
    except (ApiError, TransportError) as exc:
        raise _wrap(es, f"{what} in {names.alerts}", exc) from exc
    out = []
    for (hit, doc), item in zip(updates, resp["items"], strict=True):
        res = item["update"]
        if res.get("status") == 200:
            hit["_source"].update(doc)
            out.append(True)
        elif res.get("status") == 409 and guarded:
            out.append(False)  # another runner claimed it first
        else:
            raise StoreError(f"{what} in {names.alerts}: {hit['_id']}: {res.get('error')}")
    return out


def _claim(es: Elasticsearch, names: IndexNames, hits: Sequence[dict[str, Any]], now: datetime,
           s: AlertSettings, extra: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Lease entries (optimistic concurrency): bump attempts, push next_attempt_at by the lease."""
    lease = iso(now + timedelta(seconds=s.claim_lease_seconds))
    updates = [(h, {"attempts": int(h["_source"].get("attempts") or 0) + 1, "next_attempt_at": lease,
                    **(extra or {})}) for h in hits]
    ok = _bulk_update(es, names, "claiming alerts", updates, guarded=True)
    return [h for h, claimed in zip(hits, ok, strict=True) if claimed]


def _outcome(src: Mapping[str, Any], now: datetime, s: AlertSettings, error: str | None) -> dict[str, Any]:
    """The ledger update after one delivery attempt: delivered with timing, or failed with backoff."""
    if error is None:
        timing = dict(src.get("timing") or {})
        ingested, published = _dt(timing.get("ingested_at")), _dt(timing.get("published_at"))
        return {
            "status": "delivered", "delivered_at": iso(now), "last_error": None, "next_attempt_at": None,
            "timing": {"alerted_at": iso(now),
                       "index_to_alert_s": (now - ingested).total_seconds() if ingested else None,
                       "publish_to_alert_s": (now - published).total_seconds() if published else None},
        }
    attempts = int(src.get("attempts") or 1)
    return {"status": "failed", "last_error": error[:1000], "next_attempt_at": iso(now + retry_delay(attempts, s))}


def _mark(es: Elasticsearch, names: IndexNames, hits: Sequence[dict[str, Any]], now: datetime, s: AlertSettings,
          error: str | None) -> None:
    _bulk_update(es, names, "recording delivery outcome",
                 [(h, _outcome(h["_source"], now, s, error)) for h in hits], guarded=False)


def _send(channel: Channel, msg: AlertMessage) -> str | None:
    """Send; the error text on failure (DeliveryError text names channel and host, never secrets)."""
    try:
        channel.send(msg)
    except DeliveryError as exc:
        log.warning("alert delivery failed: %s", exc)
        return str(exc)
    except Exception as exc:  # a channel bug must not lose the entry: record it and retry later
        log.exception("alert channel %r raised", msg.rule)
        return f"{type(exc).__name__}: {exc}"
    return None


def _deliver_rule(es: Elasticsearch, names: IndexNames, rule: AlertRule, channel: Channel,
                  s: AlertSettings, now: datetime, rr: RuleReport) -> None:
    due = _due(es, names, rule.name, now, s.max_batch)
    if rule.mode == "per_story":
        for i in range(0, len(due), CLAIM_CHUNK):  # small chunks: a lease never outlives its sends
            for hit in _claim(es, names, due[i : i + CLAIM_CHUNK], now, s):
                msg = AlertMessage(rule.name, "per_story", hit["_id"], now,
                                   (StorySummary.from_dict(hit["_source"]["payload"]),))
                err = _send(channel, msg)
                _mark(es, names, [hit], now, s, err)  # at once: keeps the resend-after-crash window tiny
                rr.messages += err is None
                rr.delivered += err is None
                rr.failed += err is not None
        return
    # digest mode: retry earlier digests as they were; start a new one when due
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    fresh: list[dict[str, Any]] = []
    for hit in due:
        (groups[hit["_source"]["digest_id"]] if hit["_source"].get("digest_id") else fresh).append(hit)
    cur = load_cursor(es, names, rule.name)
    base = (cur.last_digest_at or cur.created_at) if cur else now
    new_digest = None
    if fresh and now >= base + timedelta(minutes=float(rule.digest_minutes or 0)):
        new_digest = digest_key(rule.name, [h["_id"] for h in fresh], now)
        groups[new_digest] = fresh
    for did, hits in groups.items():
        claimed = _claim(es, names, hits, now, s, {"digest_id": did})
        if not claimed:
            continue
        stories = tuple(StorySummary.from_dict(h["_source"]["payload"]) for h in claimed)
        err = _send(channel, AlertMessage(rule.name, "digest", did, now, stories))
        _mark(es, names, claimed, now, s, err)
        rr.messages += err is None
        rr.delivered += len(claimed) if err is None else 0
        rr.failed += len(claimed) if err is not None else 0
    if new_digest and cur:
        cur.last_digest_at = now
        save_cursor(es, names, cur)


def deliver_pending(
    es: Elasticsearch, names: IndexNames, rules: AlertsFile, now: datetime, *,
    channels_factory: ChannelsFactory | None = None, env: Mapping[str, str] | None = None,
    report: AlertRunReport | None = None,
) -> AlertRunReport:
    """The deliver step alone: send due `pending`/`failed` ledger entries of every active rule."""
    _check_now(now)
    report = report if report is not None else AlertRunReport(now)
    active = _active_rules(rules, report, env, warn=not report.rules)  # run_alerts already warned
    if channels_factory is None:
        def channels_factory(name: str, cfg: ChannelConfig) -> Channel:
            return make_channel(name, cfg, env)
    channels: dict[str, Channel] = {}
    try:
        for r in active:
            rr = report.rule(r.name)
            if r.channel not in channels:
                try:
                    channels[r.channel] = channels_factory(r.channel, rules.channels[r.channel])
                except DeliveryError as exc:
                    rr.errors.append(str(exc))
                    continue
            _deliver_rule(es, names, r, channels[r.channel], rules.settings, now, rr)
    finally:
        for ch in channels.values():
            close = getattr(ch, "close", None)
            if callable(close):
                close()
    _refresh_ledger(es, names)
    return report


def run_alerts(
    es: Elasticsearch, names: IndexNames, rules: AlertsFile, now: datetime, *,
    channels_factory: ChannelsFactory | None = None, env: Mapping[str, str] | None = None,
) -> AlertRunReport:
    """One alerting pass: record new matching stories in the ledger, then deliver everything due."""
    report = record_matches(es, names, rules, now, env=env)
    deliver_pending(es, names, rules, now, channels_factory=channels_factory, env=env, report=report)
    for name, rr in report.rules.items():
        if not rr.skipped:
            log.info("alert rule %s: matched=%d new=%d existing=%d delivered=%d failed=%d", name, rr.matched,
                     rr.new, rr.skipped_existing, rr.delivered, rr.failed)
    return report


# ---------------------------------------------------------------- test message, listing


SAMPLE_TOPIC_EVIDENCE = {
    "myanmar": 'title: "Myanmar" (sample rule, +3.0)',
    "asean": 'title: "ASEAN" (sample rule, +3.0)',
    "russian_diplomacy": 'text: "foreign ministry" (sample rule, +2.0)',
}


def sample_message(rule: AlertRule, now: datetime) -> AlertMessage:
    """A clearly marked sample alert for `rule` (written here, no publisher text)."""
    topics = rule.filter.topics_all + [t for t in rule.filter.topics_any if t not in rule.filter.topics_all]
    topics = topics or ["myanmar"]
    story = StorySummary(
        story_id="sample-story",
        headline="[TEST] Sample story for newsmon alert rule " + rule.name,
        url="https://example.org/newsmon/sample-story",
        published_at=iso(now - timedelta(minutes=12)),
        outlets=("Example Wire", "Sample Daily"),
        links=(("Example Wire", "https://example.org/newsmon/sample-story"),
               ("Sample Daily", "https://example.com/newsmon/sample-copy")),
        topics=tuple(TopicHit(t, 5.0, (SAMPLE_TOPIC_EVIDENCE.get(t, "sample evidence"),)) for t in topics),
        entities=(("person", tuple(rule.filter.entities) or ("Sample Person",)), ("gpe", ("Naypyidaw",))),
    )
    key = "test-" + hashlib.sha256(f"{rule.name}\x00{now.isoformat()}".encode()).hexdigest()[:20]
    return AlertMessage(rule.name, "test", key, now, (story,))


def send_test(
    rule_name: str, rules: AlertsFile, now: datetime, *,
    channels_factory: ChannelsFactory | None = None, env: Mapping[str, str] | None = None,
) -> str:
    """Send a sample message through a rule's channel (`newsmon alerts test RULE`); returns what was done.

    Raises `ConfigError` for an unknown rule and `DeliveryError` if the channel is not configured or fails.
    """
    _check_now(now)
    rule = rules.rule(rule_name)
    cfg = rules.channels[rule.channel]
    channel = (channels_factory or (lambda n, c: make_channel(n, c, env)))(rule.channel, cfg)
    channel.send(sample_message(rule, now))
    return f"sent a test message for rule {rule.name!r} via {channel.describe()}"


def bench_rules(webhook_url: str) -> AlertsFile:
    """The benchmark's rules: every monitored story, per story, to a (local) webhook, no settle delay."""
    return parse_alert_rules({
        "settings": {"settle_seconds": 0, "overlap_minutes": 5},
        "channels": {"bench-hook": {"type": "webhook", "url": webhook_url}},
        "rules": [{"name": "bench-all", "channel": "bench-hook", "mode": "per_story"}],
    }, "<bench>")


LIST_FIELDS = ("rule", "story_id", "status", "attempts", "title", "channel", "mode", "created_at",
               "delivered_at", "next_attempt_at", "last_error", "digest_id", "timing")


def list_deliveries(es: Elasticsearch, names: IndexNames, limit: int = 50) -> list[dict[str, Any]]:
    """Open entries (pending/failed, soonest retry first), then the most recent deliveries; at most `limit`."""
    try:
        if not es.indices.exists(index=names.alerts):
            return []
    except (ApiError, TransportError) as exc:
        raise _wrap(es, "checking indices", exc) from exc
    open_hits = _search(es, names.alerts, query={"terms": {"status": list(OPEN)}},
                        sort=[{"next_attempt_at": {"order": "asc", "missing": "_first"}}], size=limit,
                        source_includes=list(LIST_FIELDS))
    room = limit - len(open_hits)
    done = (_search(es, names.alerts, query={"term": {"status": "delivered"}}, sort=[{"delivered_at": "desc"}],
                    size=room, source_includes=list(LIST_FIELDS)) if room > 0 else [])
    return [{"id": h["_id"], **{k: h["_source"].get(k) for k in LIST_FIELDS}} for h in [*open_hits, *done]]


def render_deliveries(rows: Sequence[Mapping[str, Any]]) -> str:
    """A compact table for `newsmon alerts list`."""
    if not rows:
        return "no alerts recorded yet"
    lines = [f"{'status':<10} {'tries':>5} {'rule':<24} {'when (UTC)':<17} {'latency':>8}  title"]
    for r in rows:
        when = _dt(r.get("delivered_at") if r.get("status") == "delivered" else r.get("next_attempt_at"))
        lat = (r.get("timing") or {}).get("index_to_alert_s")
        lines.append(
            f"{r.get('status', '?'):<10} {r.get('attempts') or 0:>5} {str(r.get('rule'))[:24]:<24} "
            f"{when.astimezone(UTC).strftime('%Y-%m-%d %H:%M') if when else '-':<17} "
            f"{f'{lat:.0f}s' if isinstance(lat, int | float) else '-':>8}  {str(r.get('title') or '')[:70]}"
        )
        if r.get("status") != "delivered" and r.get("last_error"):
            lines.append(f"{'':<10} last error: {r['last_error']}")
    n_open = sum(1 for r in rows if r.get("status") != "delivered")
    lines.append(f"{n_open} pending/failed, {len(rows) - n_open} delivered shown")
    return "\n".join(lines)
