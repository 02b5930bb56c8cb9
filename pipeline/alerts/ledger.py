"""The delivery ledger (outbox) and the per-rule cursors: the public API the delivery loop and the tests use.

Two indices (see `pipeline.index.store`): `P-alerts` holds one entry per (rule, story) under the id
`ledger_id(rule, story_id)`; `P-alert-cursors` one watermark per rule (id = rule name).

The life of an entry, and what makes delivery exactly-once:

- `create_entries` writes new `pending` entries with `op_type=create`: a 409 means another run (or an earlier
  one) recorded the story already, so nothing is alerted twice.
- `due` lists the entries still to deliver (`UNDELIVERED`) whose `next_attempt_at` has come, with their
  `_seq_no`/`_primary_term`.
- `claim` leases them with optimistic concurrency (`if_seq_no`): it bumps `attempts` and pushes
  `next_attempt_at` out by `claim_lease_seconds`, so of two runners only one gets an entry, and an entry whose
  runner died mid-send is retried after the lease.
- `mark` records the outcome: `delivered` with timing, or `failed` with `last_error` and an exponential-backoff
  `next_attempt_at` (`retry_delay`).

Every Elasticsearch call goes through `pipeline.index.store`; failures raise `store.StoreError`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from elasticsearch import Elasticsearch

from pipeline.alerts.message import StorySummary
from pipeline.alerts.rules import EPOCH, AlertRule, AlertSettings
from pipeline.core.timeutil import iso, parse_iso
from pipeline.index import store
from pipeline.index.names import IndexNames

UNDELIVERED = ("pending", "failed")  # entry statuses that `due` returns once `next_attempt_at` has come
CREATE_CHUNK = 500  # entries per `_bulk` create request
LIST_FIELDS = (
    "rule",
    "story_id",
    "status",
    "attempts",
    "title",
    "channel",
    "mode",
    "created_at",
    "delivered_at",
    "next_attempt_at",
    "last_error",
    "digest_id",
    "timing",
)

Hit = dict[str, Any]  # a search hit of `P-alerts`: `_id`, `_source`, `_seq_no`, `_primary_term`


# ---------------------------------------------------------------- ids, backoff, the entry document


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


def new_entry(rule: AlertRule, summary: StorySummary, trigger: Mapping[str, Any], now: datetime) -> dict[str, Any]:
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


def outcome(src: Mapping[str, Any], now: datetime, s: AlertSettings, error: str | None) -> dict[str, Any]:
    """The entry update after one delivery attempt: delivered with timing, or failed with backoff."""
    if error is None:
        timing = dict(src.get("timing") or {})
        ingested, published = parse_iso(timing.get("ingested_at")), parse_iso(timing.get("published_at"))
        return {
            "status": "delivered",
            "delivered_at": iso(now),
            "last_error": None,
            "next_attempt_at": None,
            "timing": {
                "alerted_at": iso(now),
                "index_to_alert_s": (now - ingested).total_seconds() if ingested else None,
                "publish_to_alert_s": (now - published).total_seconds() if published else None,
            },
        }
    attempts = int(src.get("attempts") or 1)
    return {"status": "failed", "last_error": error[:1000], "next_attempt_at": iso(now + retry_delay(attempts, s))}


# ---------------------------------------------------------------- cursors


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
        return {
            "rule": self.rule,
            "watermark": iso(self.watermark),
            "start_at": iso(self.start_at),
            "created_at": iso(self.created_at),
            "last_run_at": iso(self.last_run_at),
            "last_digest_at": iso(self.last_digest_at),
        }

    def window(self, s: AlertSettings, now: datetime) -> tuple[datetime, datetime]:
        """The `ingested_at` range the next run reads: the overlap before the watermark up to `now - settle`."""
        start = max(self.watermark - timedelta(minutes=s.overlap_minutes), self.start_at)
        return start, now - timedelta(seconds=s.settle_seconds)


def load_cursor(es: Elasticsearch, names: IndexNames, rule: str) -> Cursor | None:
    """The rule's cursor, or None when the rule has never run."""
    src = store.get_source(es, names.alert_cursors, rule)
    if src is None:
        return None
    wm, created = parse_iso(src.get("watermark")), parse_iso(src.get("created_at"))
    assert wm is not None and created is not None
    return Cursor(
        rule,
        wm,
        parse_iso(src.get("start_at")) or EPOCH,
        created,
        parse_iso(src.get("last_run_at")),
        parse_iso(src.get("last_digest_at")),
    )


def save_cursor(es: Elasticsearch, names: IndexNames, cur: Cursor) -> None:
    store.put_doc(es, names.alert_cursors, cur.rule, cur.to_doc())


# ---------------------------------------------------------------- entries: create, due, claim, mark


def create_entries(es: Elasticsearch, names: IndexNames, docs: Sequence[dict[str, Any]]) -> tuple[int, int]:
    """Create ledger entries with op_type=create; returns (created, already existing). Other errors raise."""
    created = existing = 0
    failures: list[str] = []
    for i in range(0, len(docs), CREATE_CHUNK):
        ops: list[dict[str, Any]] = []
        for d in docs[i : i + CREATE_CHUNK]:
            ops += [{"create": {"_index": names.alerts, "_id": ledger_id(d["rule"], d["story_id"])}}, d]
        for item in store.bulk_ops(es, ops, f"writing alert ledger {names.alerts}"):
            res = item["create"]
            if res.get("status") == 201:
                created += 1
            elif res.get("status") == 409:
                existing += 1
            else:
                failures.append(f"{res.get('_id')}: {res.get('error')}")
    if failures:
        raise store.StoreError(f"alert ledger {names.alerts}: {len(failures)} entries not written: {failures[:3]}")
    return created, existing


def record_merges(es: Elasticsearch, names: IndexNames, merges: Sequence[tuple[str, str]], now: datetime) -> int:
    """Record story merges (merged story id, surviving story id) so an event never alerts twice per rule.

    Every entry of a merged story gets `merged_into`; for each of its rules the surviving story gets a `merged`
    entry (created only when the rule has none: `op_type=create`), which is never due, so the articles now
    carrying the surviving id do not alert that rule again. Returns the entries written (idempotent on rerun).
    """
    aliases: list[dict[str, Any]] = []
    marks: list[dict[str, Any]] = []
    for merged, into in merges:
        for hit in store.search_hits(es, names.alerts, query={"term": {"story_id": merged}}, size=1000,
                                     _source=["rule", "channel", "mode", "title"]):  # fmt: skip
            src = hit["_source"]
            aliases.append({"rule": src["rule"], "story_id": into, "channel": src.get("channel"),
                            "mode": src.get("mode"), "status": "merged", "attempts": 0, "created_at": iso(now),
                            "merged_from": merged, "idempotency_key": ledger_id(src["rule"], into),
                            "title": src.get("title")})  # fmt: skip
            marks += [{"update": {"_index": names.alerts, "_id": hit["_id"]}}, {"doc": {"merged_into": into}}]
    created, _ = create_entries(es, names, aliases) if aliases else (0, 0)
    if marks:
        for item in store.bulk_ops(es, marks, f"recording story merges in {names.alerts}"):
            if item["update"].get("status") not in (200, 201):
                raise store.StoreError(f"alert ledger {names.alerts}: merge not recorded: {item['update']}")
    return created + len(marks) // 2


def unrecorded(es: Elasticsearch, names: IndexNames, rule: str, keys: list[str]) -> list[str]:
    """The story keys without a ledger entry yet (a cheap pre-check; `op_type=create` is the real guard)."""
    if not keys:
        return []
    ids = {ledger_id(rule, k): k for k in keys}
    found = store.existing_ids(es, names.alerts, list(ids))  # the overlap re-reads many: no bodies
    return [k for lid, k in ids.items() if lid not in found]


def due(es: Elasticsearch, names: IndexNames, rule: str, now: datetime, limit: int) -> list[Hit]:
    """The rule's undelivered entries whose `next_attempt_at <= now`, oldest first, with their seq_no."""
    return store.search_hits(
        es,
        names.alerts,
        query={
            "bool": {
                "filter": [
                    {"term": {"rule": rule}},
                    {"terms": {"status": list(UNDELIVERED)}},
                    {"range": {"next_attempt_at": {"lte": iso(now)}}},
                ]
            }
        },
        sort=[{"created_at": "asc"}, {"story_id": "asc"}],
        size=limit,
        seq_no_primary_term=True,
    )


def _update(
    es: Elasticsearch, names: IndexNames, what: str, updates: Sequence[tuple[Hit, dict[str, Any]]], *, guarded: bool
) -> list[bool]:
    """Partial updates of entries in one request; `guarded` uses the hits' seq_no (False on 409).

    A successful update is merged into the hit's `_source`, so the caller's hits show the stored state.
    """
    if not updates:
        return []
    ops: list[dict[str, Any]] = []
    for hit, doc in updates:
        meta: dict[str, Any] = {"_index": names.alerts, "_id": hit["_id"]}
        if guarded:
            meta |= {"if_seq_no": hit["_seq_no"], "if_primary_term": hit["_primary_term"]}
        ops += [{"update": meta}, {"doc": doc}]
    items = store.bulk_ops(es, ops, f"{what} in {names.alerts}")
    out = []
    for (hit, doc), item in zip(updates, items, strict=True):
        res = item["update"]
        if res.get("status") == 200:
            hit["_source"].update(doc)
            out.append(True)
        elif res.get("status") == 409 and guarded:
            out.append(False)  # another runner claimed it first
        else:
            raise store.StoreError(f"{what} in {names.alerts}: {hit['_id']}: {res.get('error')}")
    return out


def claim(
    es: Elasticsearch,
    names: IndexNames,
    hits: Sequence[Hit],
    now: datetime,
    s: AlertSettings,
    *,
    digest_id: str | None = None,
) -> list[Hit]:
    """Lease `hits` (as returned by `due`) for this runner; returns the ones it got, which it must send.

    Bumps `attempts` and pushes `next_attempt_at` out by the lease; `digest_id` is persisted on digest entries
    so a retry re-sends the same digest under the same key. An entry changed since `due` read it (another
    runner claimed it) is left out.
    """
    lease = iso(now + timedelta(seconds=s.claim_lease_seconds))
    extra = {"digest_id": digest_id} if digest_id is not None else {}
    updates = [
        (h, {"attempts": int(h["_source"].get("attempts") or 0) + 1, "next_attempt_at": lease, **extra}) for h in hits
    ]
    ok = _update(es, names, "claiming alerts", updates, guarded=True)
    return [h for h, claimed in zip(hits, ok, strict=True) if claimed]


def mark(
    es: Elasticsearch, names: IndexNames, hits: Sequence[Hit], now: datetime, s: AlertSettings, error: str | None
) -> None:
    """Record one delivery attempt of claimed entries: `delivered` (error None) or `failed` with backoff."""
    _update(
        es,
        names,
        "recording delivery outcome",
        [(h, outcome(h["_source"], now, s, error)) for h in hits],
        guarded=False,
    )


def refresh(es: Elasticsearch, names: IndexNames) -> None:
    """Make this run's ledger writes visible to the next `due`/`list_deliveries`."""
    store.refresh(es, names.alerts)


# ---------------------------------------------------------------- listing


def list_deliveries(es: Elasticsearch, names: IndexNames, limit: int = 50) -> list[dict[str, Any]]:
    """Open entries (pending/failed, soonest retry first), then the most recent deliveries; at most `limit`."""
    if not store.index_exists(es, names.alerts):
        return []
    open_hits = store.search_hits(
        es,
        names.alerts,
        query={"terms": {"status": list(UNDELIVERED)}},
        sort=[{"next_attempt_at": {"order": "asc", "missing": "_first"}}],
        size=limit,
        source_includes=list(LIST_FIELDS),
    )
    room = limit - len(open_hits)
    done = (
        store.search_hits(
            es,
            names.alerts,
            query={"term": {"status": "delivered"}},
            sort=[{"delivered_at": "desc"}],
            size=room,
            source_includes=list(LIST_FIELDS),
        )
        if room > 0
        else []
    )
    return [{"id": h["_id"], **{k: h["_source"].get(k) for k in LIST_FIELDS}} for h in [*open_hits, *done]]
