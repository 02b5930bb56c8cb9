"""One alerting pass (`run_alerts`): record new matching stories in the ledger, then deliver what is due.

How one run works, and why nothing is lost or sent twice:

1. **Record** (per enabled rule): read the rule's cursor (`P-alert-cursors`, id = rule name). A new rule gets a
   cursor starting at `now` (or earlier with `backfill`) so it never floods history. The rule's query runs over
   articles whose `ingested_at` lies in `[watermark - overlap, now - settle]` (never before the cursor's
   `start_at`): the overlap re-reads the tail of the previous window, so an article indexed late (or made
   visible late by a refresh) is still seen. Matches are grouped by `story_id`, summarised (headline, outlets,
   evidence, entities, links) and written to the ledger (`P-alerts`) with `op_type=create` under the id
   `ledger_id(rule, story_id)`: a 409 means the story was already alerted or queued, so it is skipped. Only after
   every ledger write succeeded is the watermark advanced.
2. **Deliver** (per rule): `ledger.due` entries are `ledger.claim`ed with optimistic concurrency (two runners
   never both send one; a crash mid-send is retried after the lease), sent, then `ledger.mark`ed delivered, or
   failed with an exponential-backoff retry time. A crash between record and deliver leaves `pending` entries
   that the next run sends. Receivers get an `Idempotency-Key` (the ledger id, or the digest id) so the
   remaining window (sent, then crashed before marking delivered) is de-duplicated on their side.
3. **Digests**: entries are recorded per (rule, story) exactly as above; when a digest is due (`digest_minutes`
   since the last one) all due entries are claimed under one `digest_id` (persisted, so a retry re-sends the
   same digest with the same key) and sent as one message.

The indices must exist (`newsmon es setup`): a run fails with `store.IndexMissing` otherwise. Time is always
the `now` argument; this module never reads the clock.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from elasticsearch import Elasticsearch

from pipeline.alerts import ledger
from pipeline.alerts.channels import Channel, ChannelConfig, DeliveryError, make_channel, unavailable_reason
from pipeline.alerts.message import AlertMessage, StorySummary, TopicHit
from pipeline.alerts.report import AlertRunReport, RuleReport
from pipeline.alerts.rules import AlertRule, AlertSettings, AlertsFile, build_query
from pipeline.alerts.summary import STORY_FIELDS, story_key, summarise_story
from pipeline.core.timeutil import iso
from pipeline.core.vocab import topic_labels, topic_names
from pipeline.index import store
from pipeline.index.names import IndexNames

log = logging.getLogger(__name__)

CLAIM_CHUNK = 20  # per-story entries leased at a time: a lease never outlives its sends
ARTICLE_CHUNK = 500  # ids or story ids per articles query

ChannelsFactory = Callable[[str, ChannelConfig], Channel]


def _check_now(now: datetime) -> None:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware (UTC)")


def active_rules(
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


# ---------------------------------------------------------------- record step


def _articles(es: Elasticsearch, names: IndexNames, query: dict[str, Any]) -> list[dict[str, Any]]:
    """The `STORY_FIELDS` of every article matching `query`."""
    return [h["_source"] for h in store.scan_all(es, names.articles, query, source=STORY_FIELDS)]


def _hit_story_key(hit: Mapping[str, Any]) -> str:
    """`story_key` of a hit read with `docvalue_fields=["story_id"]` (no _source)."""
    values = (hit.get("fields") or {}).get("story_id") or []
    return str(values[0]) if values else str(hit["_id"])


def _copies(es: Elasticsearch, names: IndexNames, keys: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Every article of each story in `keys` (outlets, links and entities come from all copies)."""
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for i in range(0, len(keys), ARTICLE_CHUNK):
        for doc in _articles(es, names, {"terms": {"story_id": keys[i : i + ARTICLE_CHUNK]}}):
            out[story_key(doc)].append(doc)
    return out


def record_rule(
    es: Elasticsearch, names: IndexNames, rule: AlertRule, s: AlertSettings, now: datetime, rr: RuleReport
) -> None:
    """Match one rule over its window, write new ledger entries, then advance its watermark."""
    cur = ledger.load_cursor(es, names, rule.name)
    if cur is None:
        start_at = rule.start_at(now)
        cur = ledger.Cursor(rule.name, watermark=start_at, start_at=start_at, created_at=now)
    start, end = cur.window(s, now)
    rr.window = (start.isoformat(), end.isoformat())
    if end > start:
        query = build_query(rule.filter, start, end)
        # ids and story ids first: the overlap re-reads the window's tail on every run, and most of those
        # stories are recorded already; whole articles are fetched only for the stories that are not
        light = list(store.scan_all(es, names.articles, query, source=False, docvalue_fields=["story_id"]))
        keys = list(dict.fromkeys(_hit_story_key(h) for h in light))
        rr.matched = len(keys)
        fresh = ledger.unrecorded(es, names, rule.name, keys)
        rr.skipped_existing += len(keys) - len(fresh)
        wanted = set(fresh)
        ids = [h["_id"] for h in light if _hit_story_key(h) in wanted]
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for i in range(0, len(ids), ARTICLE_CHUNK):
            chunk = {"bool": {"filter": [query, {"ids": {"values": ids[i : i + ARTICLE_CHUNK]}}]}}
            for doc in _articles(es, names, chunk):
                groups[story_key(doc)].append(doc)
        fresh = [k for k in fresh if groups.get(k)]  # a story re-pointed in between is picked up next run
        copies = _copies(es, names, fresh)
        docs = []
        for key in fresh:
            summary, trigger = summarise_story(key, groups[key], copies.get(key, []), rule.filter)
            docs.append(ledger.new_entry(rule, summary, trigger, now))
        created, existing = ledger.create_entries(es, names, docs)
        rr.new += created
        rr.skipped_existing += existing
        cur.watermark = max(cur.watermark, end)
    cur.last_run_at = now
    ledger.save_cursor(es, names, cur)  # only after every ledger write above succeeded


def record_matches(
    es: Elasticsearch,
    names: IndexNames,
    rules: AlertsFile,
    now: datetime,
    *,
    env: Mapping[str, str] | None = None,
    report: AlertRunReport | None = None,
) -> AlertRunReport:
    """The record step alone: ledger entries for new matching stories of every active rule (no delivery).

    Raises `store.IndexMissing` (telling to run `newsmon es setup`) when the prefix's indices do not exist.
    """
    _check_now(now)
    report = report or AlertRunReport(now)
    active = active_rules(rules, report, env)
    store.verify_indices(es, names)
    store.refresh(es, names.articles)
    for r in active:
        record_rule(es, names, r, rules.settings, now, report.rule(r.name))
    ledger.refresh(es, names)
    return report


# ---------------------------------------------------------------- deliver step


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


def deliver_rule(
    es: Elasticsearch,
    names: IndexNames,
    rule: AlertRule,
    channel: Channel,
    s: AlertSettings,
    now: datetime,
    rr: RuleReport,
) -> None:
    """Send the rule's due entries (one message each, or one digest when it is due) and record each outcome."""
    due = ledger.due(es, names, rule.name, now, s.max_batch)
    if rule.mode == "per_story":
        for i in range(0, len(due), CLAIM_CHUNK):
            for hit in ledger.claim(es, names, due[i : i + CLAIM_CHUNK], now, s):
                msg = AlertMessage(
                    rule.name, "per_story", hit["_id"], now, (StorySummary.from_dict(hit["_source"]["payload"]),)
                )
                err = _send(channel, msg)
                ledger.mark(es, names, [hit], now, s, err)  # at once: keeps the resend-after-crash window tiny
                rr.messages += err is None
                rr.delivered += err is None
                rr.failed += err is not None
        return
    # digest mode: retry earlier digests as they were; start a new one when due
    groups: dict[str, list[ledger.Hit]] = defaultdict(list)
    fresh: list[ledger.Hit] = []
    for hit in due:
        (groups[hit["_source"]["digest_id"]] if hit["_source"].get("digest_id") else fresh).append(hit)
    cur = ledger.load_cursor(es, names, rule.name)
    base = (cur.last_digest_at or cur.created_at) if cur else now
    new_digest = None
    if fresh and now >= base + timedelta(minutes=float(rule.digest_minutes or 0)):
        new_digest = ledger.digest_key(rule.name, [h["_id"] for h in fresh], now)
        groups[new_digest] = fresh
    for did, hits in groups.items():
        claimed = ledger.claim(es, names, hits, now, s, digest_id=did)
        if not claimed:
            continue
        stories = tuple(StorySummary.from_dict(h["_source"]["payload"]) for h in claimed)
        err = _send(channel, AlertMessage(rule.name, "digest", did, now, stories))
        ledger.mark(es, names, claimed, now, s, err)
        rr.messages += err is None
        rr.delivered += len(claimed) if err is None else 0
        rr.failed += len(claimed) if err is not None else 0
    if new_digest and cur:
        cur.last_digest_at = now
        ledger.save_cursor(es, names, cur)


def deliver_pending(
    es: Elasticsearch,
    names: IndexNames,
    rules: AlertsFile,
    now: datetime,
    *,
    channels_factory: ChannelsFactory | None = None,
    env: Mapping[str, str] | None = None,
    report: AlertRunReport | None = None,
) -> AlertRunReport:
    """The deliver step alone: send due `pending`/`failed` ledger entries of every active rule."""
    _check_now(now)
    report = report if report is not None else AlertRunReport(now)
    active = active_rules(rules, report, env, warn=not report.rules)  # run_alerts already warned
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
            deliver_rule(es, names, r, channels[r.channel], rules.settings, now, rr)
    finally:
        for ch in channels.values():
            close = getattr(ch, "close", None)
            if callable(close):
                close()
    ledger.refresh(es, names)
    return report


def run_alerts(
    es: Elasticsearch,
    names: IndexNames,
    rules: AlertsFile,
    now: datetime,
    *,
    channels_factory: ChannelsFactory | None = None,
    env: Mapping[str, str] | None = None,
) -> AlertRunReport:
    """One alerting pass: record new matching stories in the ledger, then deliver everything due."""
    report = record_matches(es, names, rules, now, env=env)
    deliver_pending(es, names, rules, now, channels_factory=channels_factory, env=env, report=report)
    for name, rr in report.rules.items():
        if not rr.skipped:
            log.info(
                "alert rule %s: matched=%d new=%d existing=%d delivered=%d failed=%d",
                name,
                rr.matched,
                rr.new,
                rr.skipped_existing,
                rr.delivered,
                rr.failed,
            )
    return report


# ---------------------------------------------------------------- test message


def sample_message(rule: AlertRule, now: datetime) -> AlertMessage:
    """A clearly marked sample alert for `rule` (written here, no publisher text); topics from topics.yaml."""
    topics = rule.filter.topics_all + [t for t in rule.filter.topics_any if t not in rule.filter.topics_all]
    topics = topics or list(topic_names()[:1])
    labels = topic_labels()
    story = StorySummary(
        story_id="sample-story",
        headline="[TEST] Sample story for newsmon alert rule " + rule.name,
        url="https://example.org/newsmon/sample-story",
        published_at=iso(now - timedelta(minutes=12)),
        outlets=("Example Wire", "Sample Daily"),
        links=(
            ("Example Wire", "https://example.org/newsmon/sample-story"),
            ("Sample Daily", "https://example.com/newsmon/sample-copy"),
        ),
        topics=tuple(TopicHit(t, 5.0, (f'title: "{labels.get(t, t)}" (sample rule, +3.0)',)) for t in topics),
        entities=(("person", tuple(rule.filter.entities) or ("Sample Person",)), ("gpe", ("Naypyidaw",))),
    )
    key = "test-" + hashlib.sha256(f"{rule.name}\x00{now.isoformat()}".encode()).hexdigest()[:20]
    return AlertMessage(rule.name, "test", key, now, (story,))


def send_test(
    rule_name: str,
    rules: AlertsFile,
    now: datetime,
    *,
    channels_factory: ChannelsFactory | None = None,
    env: Mapping[str, str] | None = None,
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
