"""Index stage (pure part): turn an article and its enrichments into the documents Elasticsearch stores.

Field names follow pipeline/index/mappings/*.json, the single schema. `ingested_at` is set here but the upsert keeps
the first value on re-ingest (see store.upsert_actions).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pipeline.core.records import Article, Entity, TopicMatch
from pipeline.core.timeutil import iso
from pipeline.core.vocab import FACET_KEYS
from pipeline.index import analysis


def content_hash(article: Article) -> str:
    """Hash of what detection and extraction read, so an unchanged re-fetched item is skipped."""
    h = hashlib.sha256()
    for part in (article.title, "\x00", article.text, "\x00", article.url):
        h.update(part.encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Enriched:
    """An article plus what the detect/extract/cluster stages said about it."""

    article: Article
    topics: Sequence[TopicMatch] = ()
    scores: dict[str, float] = field(default_factory=dict)
    entities: Sequence[Entity] = ()
    facets: dict[str, list[str]] = field(default_factory=dict)
    story_id: str | None = None
    event_keys: Sequence[str] = ()  # retrieval keys of its event features (terms and entities)
    event_sig: dict[str, Any] | None = None  # stored event features (`stories.event.stored`)
    story_reason: dict[str, Any] | None = None  # why it joined (or founded) its story

    @property
    def topical(self) -> bool:
        return bool(self.topics)


def _source(a: Article) -> dict[str, str]:
    return {"name": a.source_name, "domain": a.source_domain, "feed": a.feed_name}


def _common(article: Article, ingested_at: datetime) -> dict[str, Any]:
    """Fields the archive and the articles index share."""
    return {
        "id": article.id,
        "url": article.url,
        "original_url": article.original_url or article.url,
        "guid": article.guid,
        "title": article.title,
        "text": article.text,
        "published_at": iso(article.published_at),
        "fetched_at": iso(article.fetched_at),
        "ingested_at": iso(ingested_at),
        "language": article.language,
        "flags": list(article.flags),
        "source": _source(article),
    }


def item_doc(article: Article, *, ingested_at: datetime, topics: Sequence[str] = ()) -> dict[str, Any]:
    """The light archive document for every item seen (topical or not)."""
    return {**_common(article, ingested_at), "topics": list(topics), "content_hash": content_hash(article)}


def article_doc(e: Enriched, *, ingested_at: datetime, rules_version: str = "") -> dict[str, Any]:
    """The monitored-story document (articles index) for a topical item; `rules_version` names the topic rules
    that labelled it (a hash of topics.yaml), so stale documents can be found after a rules change."""
    a = e.article
    evidence = [
        {
            "topic": t.name,
            "rule": ev.rule,
            "term": ev.term,
            "field": ev.field,
            "start": ev.start,
            "end": ev.end,
            "weight": ev.weight,
            "text": ev.describe(),
        }
        for t in e.topics
        for ev in t.evidence
    ]
    return {
        **_common(a, ingested_at),
        "updated_at": iso(ingested_at),
        "topics": [t.name for t in e.topics],
        "topic_scores": {name: round(score, 3) for name, score in e.scores.items()},
        "evidence": evidence,
        "entities": {k: list(e.facets.get(k, [])) for k in FACET_KEYS},
        "entity_mentions": [
            {"text": m.text, "label": m.label, "canonical": m.canonical, "start": m.start, "end": m.end}
            for m in e.entities
        ],
        "search_text": analysis.search_text(a.title, a.text),  # Thai/Lao/Khmer/Burmese in clusters
        "story_id": e.story_id or a.id,
        "event_keys": list(e.event_keys),
        "event_sig": e.event_sig,
        "story_reason": e.story_reason,
        "rules_version": rules_version,
    }


def article_from_item(src: dict[str, Any]) -> Article:
    """Rebuild the normalised article from its archived `items` document (the inverse of `item_doc`)."""
    source = src.get("source") or {}
    return Article(
        id=src["id"],
        url=src["url"],
        title=src.get("title") or "",
        text=src.get("text") or "",
        published_at=datetime.fromisoformat(str(src["published_at"])),
        fetched_at=datetime.fromisoformat(str(src.get("fetched_at") or src["published_at"])),
        source_name=source.get("name", ""),
        source_domain=source.get("domain", ""),
        feed_name=source.get("feed", ""),
        original_url=src.get("original_url") or src["url"],
        language=src.get("language"),
        guid=src.get("guid"),
        flags=tuple(src.get("flags") or ()),
    )
