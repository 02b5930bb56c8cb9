"""Small typed records passed between pipeline stages.

Every stage is a pure function over these (no I/O, no clock): fetch produces a `FetchResult`, parse turns its
bytes into `FeedItem`s, normalise turns those into `Article`s, detect yields `TopicMatch`es, extract yields
`Entity`s, cluster yields a story id. Times are timezone-aware UTC datetimes passed in as arguments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class FeedOutcome(StrEnum):
    """How one feed's pass ended (a `str`, so it is counted, logged and stored as its value)."""

    FETCHED = "fetched"
    NOT_MODIFIED = "not-modified"
    ERROR = "error"


class FeedNote(StrEnum):
    """Extra per-feed counters next to the `FeedOutcome`."""

    UNPARSEABLE = "unparseable"  # fetched, but the body is not a feed (HTML, JSON, ...): the outcome is `error`
    FEED_PROBLEM = "feed-problem"  # parsed, with problems worth a log line (encoding, malformed XML, ...)


class ItemOutcome(StrEnum):
    """How one item's pass ended; each is counted per feed and per run."""

    INDEXED = "indexed"  # new topical story
    UPDATED = "updated"  # changed topical story
    ARCHIVED = "archived"  # not topical; kept in the items archive
    DUPLICATE = "duplicate"  # seen before, unchanged
    DUPLICATE_IN_FEED = "duplicate-in-feed"  # the same URL twice in one feed body
    BAD_ITEM = "bad-item"  # could not be normalised (no link, ...)
    FAILED = "failed"  # Elasticsearch refused it


class ProblemKind(StrEnum):
    """What kind of fault a parse problem is; the ingest runner decides on the kind, never on message text."""

    NOT_A_FEED = "not-a-feed"  # HTML, JSON, binary, empty, no RSS/Atom root: the feed is unparseable
    HOSTILE = "hostile"  # entity declarations removed
    MEDIA_TYPE = "media-type"  # served with a non-XML media type
    ENCODING = "encoding"  # declared and actual character encodings disagree or are unknown
    PARSER = "parser"  # feedparser itself failed
    MALFORMED = "malformed"  # XML not well-formed (parsed leniently)
    EMPTY = "empty"  # a feed without items
    ITEM = "item"  # one entry's date or link is unusable


class Problem(str):
    """A problem found in a feed: its message (this string, as logged and shown) plus a typed `kind`."""

    kind: ProblemKind

    def __new__(cls, kind: ProblemKind, message: str) -> Problem:
        obj = super().__new__(cls, message)
        obj.kind = kind
        return obj

    def __reduce__(self) -> tuple[type[Problem], tuple[ProblemKind, str]]:  # picklable for worker processes
        return (Problem, (self.kind, str(self)))


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
