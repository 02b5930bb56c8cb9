"""Shared fixtures of the story tests: the team-written fixture stories (tests/fixtures/cluster/stories.jsonl),
their real extracted entities (spaCy, extracted once per session), their event features and gold labels."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from pipeline.core.records import Article, Entity, TopicMatch
from pipeline.core.timeutil import parse_iso
from pipeline.index.documents import Enriched
from pipeline.stories.event import EventFeatures, features

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "cluster" / "stories.jsonl"
REPO = Path(__file__).resolve().parents[2]


def load_stories() -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in FIXTURES.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 60 and len({r["id"] for r in rows}) == len(rows)
    return rows


def when(row: dict[str, Any]) -> datetime:
    dt = parse_iso(row["published"])
    assert dt is not None
    return dt


def feats(title: str, text: str, at: datetime | None = None,
          ents: Sequence[tuple[str, str, int]] = ()) -> EventFeatures:  # fmt: skip
    return features(title, text, list(ents), at, "en")


def feature_of(row: dict[str, Any], ents: Sequence[Entity]) -> EventFeatures:
    """The features of a fixture row exactly as `group_stories` and `assign_stories` compute them."""
    return features(row["title"], row["text"], [(e.label, e.canonical, e.start) for e in ents], when(row), "en")


def enriched(row: dict[str, Any], ents: Sequence[Entity], topics: tuple[str, ...] = ("myanmar",),
             source: str = "Fixture Wire") -> Enriched:  # fmt: skip
    """A fixture row as the ingest stages hand it to `assign_stories` (topical, with its entities)."""
    domain = source.lower().replace(" ", "") + ".example"
    at = when(row)
    art = Article(id=row["id"], url=f"https://{domain}/news/{row['id']}", title=row["title"], text=row["text"],
                  published_at=at, fetched_at=at, source_name=source, source_domain=domain, feed_name=f"{domain}-rss",
                  language="en")  # fmt: skip
    return Enriched(art, topics=tuple(TopicMatch(t, 5.0) for t in topics), entities=tuple(ents))


@pytest.fixture(scope="session")
def stories() -> list[dict[str, Any]]:
    return load_stories()


@pytest.fixture(scope="session")
def entities(stories: list[dict[str, Any]]) -> dict[str, list[Entity]]:
    """Real entities of every fixture story (the extractor the ingest and classify paths use), extracted once."""
    from pipeline.jobs.stages import Components

    found = Components().extractor.extract_many((f"{r['title']}\n\n{r['text']}" for r in stories),
                                                langs=["en"] * len(stories))  # fmt: skip
    return {r["id"]: list(e) for r, e in zip(stories, found, strict=True)}


@pytest.fixture(scope="session")
def items(stories: list[dict[str, Any]], entities: dict[str, list[Entity]]) -> list[tuple[str, EventFeatures]]:
    return [(r["id"], feature_of(r, entities[r["id"]])) for r in stories]


@pytest.fixture(scope="session")
def gold(stories: list[dict[str, Any]]) -> dict[str, str]:
    return {r["id"]: r["cluster"] for r in stories}
