"""Building a `StorySummary` from the indexed articles of one story (pure: no Elasticsearch, no clock).

The record step reads only `STORY_FIELDS` of each article and hands the story's matching articles and all its
copies to `summarise_story`; the limits in `message` are the only caps on what a summary (and so a ledger entry)
holds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pipeline.alerts.message import (
    MAX_ENTITIES_PER_TYPE,
    MAX_EVIDENCE_PER_TOPIC,
    MAX_LINKS,
    StorySummary,
    TopicHit,
)
from pipeline.core.timeutil import iso, parse_iso
from pipeline.core.vocab import FACET_KEYS

if TYPE_CHECKING:  # only an annotation: rules -> channels -> render -> summary must not be a cycle
    from pipeline.alerts.rules import RuleFilter

# What `summarise_story` and `ledger.new_entry` read from an article: the body, the entity mentions and the
# clustering fields (the bulk of a document) are left on the server.
STORY_FIELDS = [
    "id",
    "story_id",
    "url",
    "title",
    "source",
    "published_at",
    "fetched_at",
    "ingested_at",
    "topics",
    "topic_scores",
    "evidence",
    "entities",
]


def story_key(doc: Mapping[str, Any]) -> str:
    """The story an article belongs to (its own id when it has no story yet)."""
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
    trigger = min(
        matched, key=lambda d: (str(d.get("ingested_at") or ""), str(d.get("published_at") or ""), str(d.get("id")))
    )
    by_id: dict[str, Mapping[str, Any]] = {str(d.get("id")): d for d in copies}
    for d in matched:
        by_id.setdefault(str(d.get("id")), d)
    trigger_id = str(trigger.get("id"))
    # the trigger's outlet first, then the others by publication time
    ordered = sorted(
        by_id.values(),
        key=lambda d: (str(d.get("id")) != trigger_id, str(d.get("published_at") or ""), str(d.get("id"))),
    )
    outlets: list[str] = []
    links: list[tuple[str, str]] = []
    for d in ordered:
        name = _outlet(d)
        if name not in outlets:
            outlets.append(name)
            if d.get("url") and len(links) < MAX_LINKS:
                links.append((name, str(d["url"])))
    published = [p for p in (parse_iso(d.get("published_at")) for d in by_id.values()) if p]
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
        topics.append(TopicHit(t, round(float(scores.get(t) or 0.0), 2), tuple(lines[:MAX_EVIDENCE_PER_TOPIC])))
    entities = []
    for k in FACET_KEYS:
        counts: Counter[str] = Counter()
        for d in by_id.values():
            counts.update(set((d.get("entities") or {}).get(k) or []))
        if counts:
            top = sorted(counts, key=lambda n: (n not in flt.entities, -counts[n], n))[:MAX_ENTITIES_PER_TYPE]
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
