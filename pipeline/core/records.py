"""Small typed records passed between pipeline stages.

Every stage is a pure function over these (no I/O, no clock): fetch produces a `FetchResult`, parse turns its
bytes into `FeedItem`s, normalise turns those into `Article`s, detect yields `TopicMatch`es, extract yields
`Entity`s, cluster yields a story id. Times are timezone-aware UTC datetimes passed in as arguments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One entry of a parsed feed, before normalisation (HTML still in, links not canonical)."""

    feed_name: str
    feed_url: str
    title: str
    link: str | None
    guid: str | None = None
    guid_is_permalink: bool = False
    summary_html: str = ""
    content_html: str = ""
    published: datetime | None = None
    updated: datetime | None = None
    author: str | None = None
    language: str | None = None  # language declared by the feed, if any


@dataclass(frozen=True, slots=True)
class Article:
    """A normalised item: canonical URL, stable id, clean text, UTC dates, source and language."""

    id: str  # hash of the canonical URL
    url: str  # canonical URL
    title: str
    text: str  # clean text of summary/content (HTML stripped, entities decoded, whitespace normalised)
    published_at: datetime
    fetched_at: datetime
    source_name: str
    source_domain: str
    feed_name: str
    original_url: str = ""
    language: str | None = None
    guid: str | None = None
    flags: tuple[str, ...] = ()  # e.g. "date_missing", "date_future_clamped"


@dataclass(frozen=True, slots=True)
class Evidence:
    """One piece of evidence for a topic: which rule matched what text, in which field and where."""

    rule: str
    term: str
    field: str  # "title" or "text"
    start: int
    end: int
    weight: float

    def describe(self) -> str:
        """A sentence a person can read, e.g. `title: "junta" (term myanmar.core, +3.0)`."""
        return f'{self.field}: "{self.term}" ({self.rule}, {self.weight:+.1f})'


@dataclass(frozen=True, slots=True)
class TopicMatch:
    """A topic the article is about, with its score and the evidence that produced it."""

    name: str
    score: float
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class Entity:
    """One entity mention: surface text, spaCy-style label, canonical name, character offsets."""

    text: str
    label: str  # PERSON, ORG, GPE, LOC, NORP, EVENT
    canonical: str
    start: int = 0
    end: int = 0


@dataclass(slots=True)
class StageCounts:
    """Outcome counters (`fetched`, `not-modified`, `duplicate`, `indexed`, ...) for one run or feed."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, outcome: str, n: int = 1) -> None:
        self.counts[outcome] = self.counts.get(outcome, 0) + n

    def merge(self, other: StageCounts) -> None:
        for key, value in other.counts.items():
            self.add(key, value)
