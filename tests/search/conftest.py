"""Shared fixtures of the search tests: the seed articles (tests/fixtures/search/seed.jsonl), expected values
computed from them in Python (not copied from a search run), and one seeded index for the read-only tests."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from pipeline.core.timeutil import parse_iso
from pipeline.core.vocab import FACET_KEYS
from pipeline.index import store
from pipeline.search.query import SearchRequest
from pipeline.search.service import SearchResult, search

SEED = Path(__file__).resolve().parents[1] / "fixtures" / "search" / "seed.jsonl"
NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)
DOCS: list[dict[str, Any]] = [json.loads(line) for line in SEED.read_text(encoding="utf-8").splitlines() if line]


def pub(doc: dict[str, Any]) -> datetime:
    """A seed article's published_at."""
    when = parse_iso(doc["published_at"])
    assert when is not None
    return when


def stories(pred: Callable[[dict[str, Any]], bool] = lambda d: True) -> set[str]:
    return {d["story_id"] for d in DOCS if pred(d)}


def entity_values(doc: dict[str, Any]) -> set[str]:
    return {v for k in FACET_KEYS for v in doc["entities"].get(k, [])}


def expected_facet(values_of: Callable[[dict[str, Any]], list[str] | set[str]], docs: list[dict[str, Any]]):
    per_value: dict[str, set[str]] = defaultdict(set)
    for d in docs:
        for v in values_of(d):
            per_value[v].add(d["story_id"])
    return sorted(((v, len(s)) for v, s in per_value.items()), key=lambda vc: (-vc[1], vc[0]))


def seed_articles(es: Elasticsearch, names: store.IndexNames) -> str:
    """Index the seed articles under `names`; the read alias to search."""
    outcome = store.bulk(es, store.upsert_actions(names.articles_write, DOCS), refresh=True)
    assert outcome.count("created") == len(DOCS), outcome.errors
    return names.articles


@pytest.fixture(scope="module")
def seeded(es: Elasticsearch) -> Iterator[str]:
    """One seeded index shared by the read-only tests of a module (same lifecycle as `index_names`)."""
    names = store.IndexNames(f"test-search-{uuid.uuid4().hex[:8]}")
    store.ensure_indices(es, names)
    try:
        yield seed_articles(es, names)
    finally:
        store.delete_indices(es, names)


def run(es: Elasticsearch, index: str, **kw: Any) -> SearchResult:
    """`search` with large pages and facets, at NOW."""
    kw.setdefault("size", 50)
    kw.setdefault("facet_size", 50)
    return search(es, index, SearchRequest(**kw), NOW)


def hit_stories(result: SearchResult) -> list[str]:
    return [h.story_id for h in result.hits]
