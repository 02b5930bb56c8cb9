"""The alert message model: what one delivery carries (`AlertMessage`), one story in it (`StorySummary`).

A `StorySummary` is also the ledger entry's `payload` (`to_dict`/`from_dict`), so what a retry sends is exactly
what was recorded. `pipeline.alerts.summary` builds summaries from articles; `render` and `channels` consume them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

MessageMode = Literal["per_story", "digest", "test"]

# The only caps on what a story summary (and so a ledger entry and a message) holds.
MAX_LINKS = 5  # links to distinct outlets' copies
MAX_EVIDENCE_PER_TOPIC = 4  # evidence lines under each matched topic
MAX_ENTITIES_PER_TYPE = 5  # names per entity facet key


@dataclass(frozen=True, slots=True)
class TopicHit:
    """A topic the story matched, its score and readable evidence lines."""

    name: str
    score: float
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StorySummary:
    """What an analyst needs about one story: headline, outlets, time, topics with evidence, entities, links."""

    story_id: str
    headline: str
    url: str
    published_at: str | None  # ISO-8601
    outlets: tuple[str, ...]
    links: tuple[tuple[str, str], ...] = ()  # (outlet, url)
    topics: tuple[TopicHit, ...] = ()
    entities: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (facet key, canonical names)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: the ledger payload and the webhook's `stories[]` item."""
        return {
            "story_id": self.story_id,
            "headline": self.headline,
            "url": self.url,
            "published_at": self.published_at,
            "outlets_count": len(self.outlets),
            "outlets": list(self.outlets),
            "links": [{"source": s, "url": u} for s, u in self.links],
            "topics": [{"name": t.name, "score": t.score, "evidence": list(t.evidence)} for t in self.topics],
            "entities": {k: list(v) for k, v in self.entities},
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> StorySummary:
        """The inverse of `to_dict` (a ledger entry's payload back into a summary)."""
        return cls(
            story_id=str(d["story_id"]),
            headline=str(d.get("headline") or ""),
            url=str(d.get("url") or ""),
            published_at=d.get("published_at"),
            outlets=tuple(d.get("outlets") or ()),
            links=tuple((str(x["source"]), str(x["url"])) for x in d.get("links") or ()),
            topics=tuple(
                TopicHit(str(t["name"]), float(t.get("score") or 0.0), tuple(t.get("evidence") or ()))
                for t in d.get("topics") or ()
            ),
            entities=tuple((str(k), tuple(v)) for k, v in (d.get("entities") or {}).items() if v),
        )


def outlets_phrase(s: StorySummary) -> str:
    """`"1 outlet"` / `"5 outlets"` (subjects and every renderer)."""
    n = len(s.outlets)
    return f"{n} outlet" if n == 1 else f"{n} outlets"


@dataclass(frozen=True, slots=True)
class AlertMessage:
    """One delivery: a single story (`per_story`) or several (`digest`), keyed for idempotent receivers."""

    rule: str
    mode: MessageMode
    idempotency_key: str
    generated_at: datetime
    stories: tuple[StorySummary, ...]

    @property
    def subject(self) -> str:
        if len(self.stories) == 1 and self.mode != "digest":
            s = self.stories[0]
            return f"{s.headline} ({outlets_phrase(s)})"
        return f"{len(self.stories)} new stories for {self.rule}"
