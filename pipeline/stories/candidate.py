"""The joining rule every story decision shares: what a candidate is, how similar and how close in time it must be.

A new article joins the story of an earlier article (a `Candidate`) when their signatures' similarity reaches
`THRESHOLD` and they were published within `WINDOW` of each other (`within_window`, the one time test that
assignment and reconciliation both apply). `candidate_from_source` rebuilds a candidate from an indexed
article's stored fields. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pipeline.core.timeutil import parse_iso, to_utc_opt
from pipeline.stories.signature import Signature, signature_from_stored

__all__ = ["THRESHOLD", "WINDOW", "Candidate", "candidate_from_source", "parse_when", "time_key", "within_window"]

THRESHOLD = 0.2  # minimum similarity to join a story
WINDOW = timedelta(days=3)  # copies of one story appear within days; never link articles further apart


@dataclass
class Candidate:
    """An earlier article a new one may join: its story, id, publication time and signature.

    `published_at` None means "unknown" (offline grouping of undated records): the time window then does not
    apply to it.
    """

    story_id: str
    article_id: str
    published_at: datetime | None
    signature: Signature = field(repr=False)


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
    """A Candidate from an indexed article's _source (or a hit's docvalue `fields`); None when it has no usable
    signature or story id."""
    source = {k: (v[0] if isinstance(v, list) and len(v) == 1 else v) for k, v in source.items()}
    sig = signature_from_stored(source.get("cluster_minhash"))
    story_id = source.get("story_id")
    article_id = source.get("id") or doc_id
    if sig is None or not story_id or not article_id:
        return None
    return Candidate(str(story_id), str(article_id), parse_when(source.get("published_at")), sig)
