"""Shared builders of the alert tests: articles written for these tests, rules files, seeding, ledger reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from elasticsearch import Elasticsearch

from pipeline.alerts.message import AlertMessage, StorySummary, TopicHit
from pipeline.alerts.rules import AlertsFile, parse_alert_rules
from pipeline.index import store
from pipeline.index.names import IndexNames
from tests.support.receivers import WebhookReceiver

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)

# one message (rendering and channel tests): markup in the headline, three outlets, two topics, three facets
STORY = StorySummary(
    story_id="st-1",
    headline="ASEAN envoy meets <Myanmar> generals & opposition",
    url="https://wire-a.example/news/1",
    published_at="2026-11-02T08:05:00+00:00",
    outlets=("Wire A", "Daily B", "Herald C"),
    links=(("Wire A", "https://wire-a.example/news/1"), ("Daily B", "https://daily-b.example/2")),
    topics=(
        TopicHit("asean", 7.5, ('title: "ASEAN" (asean.org, +3.0)',)),
        TopicHit("myanmar", 5.0, ('title: "Myanmar" (myanmar.core, +3.0)', 'text: "junta" (myanmar.core, +2.0)')),
    ),
    entities=(("person", ("Min Aung Hlaing",)), ("org", ("ASEAN",)), ("gpe", ("Myanmar", "Naypyidaw"))),
)
NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
MSG = AlertMessage("asean-myanmar", "per_story", "key-123", NOW, (STORY,))


def article(
    aid: str,
    story: str,
    *,
    ingested: datetime,
    published: datetime | None = None,
    source: str = "Example Wire",
    title: str = "Junta extends emergency rule as fighting spreads in Sagaing",
    topics: tuple[str, ...] = ("myanmar",),
    scores: dict[str, float] | None = None,
    persons: tuple[str, ...] = ("Min Aung Hlaing",),
    text: str = "The military government said the measure would last six more months.",
) -> dict[str, Any]:
    published = published or ingested - 20 * MIN
    domain = source.lower().replace(" ", "") + ".example"
    return {
        "id": aid,
        "url": f"https://{domain}/news/{aid}",
        "title": title,
        "text": text,
        "published_at": published.isoformat(),
        "fetched_at": (ingested - 2 * MIN).isoformat(),
        "ingested_at": ingested.isoformat(),
        "source": {"name": source, "domain": domain, "feed": f"{domain}-rss"},
        "topics": list(topics),
        "topic_scores": scores or {t: 6.0 for t in topics},
        "evidence": [
            {
                "topic": t,
                "rule": f"{t}.core",
                "term": "junta",
                "field": "title",
                "start": 0,
                "end": 5,
                "weight": 3.0,
                "text": f'title: "junta" ({t}.core, +3.0)',
            }
            for t in topics
        ],
        "entities": {"person": list(persons), "org": [], "gpe": ["Myanmar"], "loc": [], "norp": [], "event": []},
        "story_id": story,
    }


def seed(es: Elasticsearch, names: IndexNames, docs: list[dict[str, Any]]) -> None:
    out = store.bulk(es, store.upsert_actions(names.articles_write, docs), refresh=True)
    assert not out.errors, out.errors


def rules_for(channel: dict[str, Any], *rules: dict[str, Any], settings: dict[str, Any] | None = None) -> AlertsFile:
    return parse_alert_rules(
        {"settings": settings or {}, "channels": {"out": channel}, "rules": list(rules)}, "test-alerts.yaml"
    )


def hook(receiver: WebhookReceiver, slack: bool = False) -> dict[str, Any]:
    return {"type": "webhook", "url": receiver.url, "slack": slack}


def rule(name: str = "myanmar", **kw: Any) -> dict[str, Any]:
    return {"name": name, "channel": "out", "filter": kw.pop("filter", {"topics_any": ["myanmar"]}), **kw}


def ledger_entries(es: Elasticsearch, names: IndexNames) -> dict[str, dict[str, Any]]:
    """Every ledger entry by id (after a refresh)."""
    store.refresh(es, names.alerts)
    return {h["_id"]: h["_source"] for h in store.scan_all(es, names.alerts)}
