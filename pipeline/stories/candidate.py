"""What a candidate is and the time rules every story decision shares (pure).

A `Candidate` is an earlier article a new one may join: its story, id, publication time and `EventFeatures`.
`within_window` is the one time test; `time_key` the one ordering (earliest first, unknown last), so assignment,
reconciliation and offline grouping all decide alike. `candidate_from_source` rebuilds a candidate from an indexed
article's stored fields (`event_sig`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pipeline.core.timeutil import parse_iso, to_utc_opt
from pipeline.stories.event import THRESHOLD, WINDOW, EventFeatures, from_stored

__all__ = ["MAX_MEMBERS", "NEARBY_STORIES", "THRESHOLD", "WINDOW", "Candidate", "candidate_from_source",
           "parse_when", "time_key", "within_window"]  # fmt: skip

MAX_MEMBERS = 10  # a story is compared through at most its first 10 reports (earliest first)
NEARBY_STORIES = 8  # stories an article is compared with: those sharing the most retrieval keys (index or memory)


@dataclass(frozen=True)
class Candidate:
    """An earlier article a new one may join. `published_at` None means unknown (offline grouping of undated
    records): the time window then does not apply to it."""

    story_id: str
    article_id: str
    published_at: datetime | None
    features: EventFeatures = field(repr=False)


def within_window(a: datetime | None, b: datetime | None, window: timedelta = WINDOW) -> bool:
    """Whether two publication times are at most `window` apart (compared in UTC; an unknown time always is)."""
    a, b = to_utc_opt(a), to_utc_opt(b)
    if a is None or b is None:
        return True
    return abs(a - b) <= window


def time_key(dt: datetime | None) -> tuple[bool, datetime]:
    """Sort key: earliest first (in UTC), unknown times last."""
    u = to_utc_opt(dt)
    return (u is None, u or datetime.min.replace(tzinfo=UTC))


def parse_when(value: Any) -> datetime | None:
    """A publication time from a record or a stored document (datetime, date or ISO string) as aware UTC;
    None when missing or unparseable (the article then counts as undated)."""
    try:
        return parse_iso(value.strip() if isinstance(value, str) else value)
    except ValueError:
        return None


def candidate_from_source(source: Mapping[str, Any], doc_id: str | None = None) -> Candidate | None:
    """A Candidate from an indexed article's `_source`; None when it has no event features or story id."""
    when = parse_when(source.get("published_at"))
    feats = from_stored(source.get("event_sig"), when)
    story_id = source.get("story_id")
    article_id = source.get("id") or doc_id
    if feats is None or not story_id or not article_id:
        return None
    return Candidate(str(story_id), str(article_id), when, feats)
