"""Candidate lookup and assignment against the real Elasticsearch: ingesting the fixture reports through
`assign_stories` + bulk indexing (the ingest path) gives the offline batch's stories, one at a time or in runs;
the stored reason is in the index; the lookup's time filter, story expansion and failures."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from pipeline.core.records import Entity
from pipeline.index import store
from pipeline.index.documents import Enriched
from pipeline.index.names import IndexNames
from pipeline.jobs.stages import FeedRun, index_enriched
from pipeline.stories.assign import Decision, assign_stories, cluster_batch
from pipeline.stories.candidate import THRESHOLD
from pipeline.stories.event import EventFeatures
from pipeline.stories.lookup import lookup_candidates_batch
from tests.stories.conftest import enriched, when

NOW = datetime(2026, 12, 1, tzinfo=UTC)
Rows = list[dict[str, Any]]


def ingest(es: Elasticsearch, names: IndexNames, batch: list[Enriched]) -> dict[str, Enriched]:
    """One ingest chunk: assign stories against the index, then bulk-index (refreshes) as the Index stage does."""
    out = assign_stories(es, names.articles, batch)
    assert index_enriched(es, names, out, NOW, FeedRun("fixture"))
    return {e.article.id: e for e in out}


def indexed(es: Elasticsearch, names: IndexNames) -> dict[str, dict[str, Any]]:
    store.refresh(es, names.articles)
    hits = store.scan_all(es, names.articles, source=["story_id", "story_reason", "event_keys"])
    return {h["_id"]: h["_source"] for h in hits}


@pytest.fixture(scope="module")
def offline(items: list[tuple[str, EventFeatures]]) -> dict[str, Decision]:
    return cluster_batch(items)


def _ordered(stories: Rows) -> Rows:
    return sorted(stories, key=lambda r: (when(r), r["id"]))


@pytest.mark.es
def test_one_at_a_time_through_elasticsearch_equals_the_offline_batch(
    es: Elasticsearch, index_names: IndexNames, stories: Rows, entities: dict[str, list[Entity]], offline
) -> None:
    got: dict[str, Enriched] = {}
    for r in _ordered(stories):
        got.update(ingest(es, index_names, [enriched(r, entities[r["id"]])]))
    assert {i: e.story_id for i, e in got.items()} == {i: d.story_id for i, d in offline.items()}
    docs = indexed(es, index_names)
    assert {i: d["story_id"] for i, d in docs.items()} == {i: d.story_id for i, d in offline.items()}
    # the reason is in the index: joined reports name the report they matched and the signals
    for aid, d in offline.items():
        reason = docs[aid]["story_reason"]
        assert reason["joined"] == d.joined, aid
        if d.joined:  # (a founder's "nearest story" may differ: the index never returns stories out of the window)
            assert reason["matched"] == d.matched and reason["score"] == pytest.approx(d.score, abs=2e-3), aid
        else:
            assert reason.get("score", 0) < THRESHOLD, aid
    why = docs["verdict-indep"]["story_reason"]
    assert why["joined"] and docs[why["matched"]]["story_id"] == "verdict-orig" and "entities" in why["signals"]
    assert any(k.startswith("e:") for k in docs["verdict-indep"]["event_keys"])


@pytest.mark.es
def test_runs_of_many_articles_through_elasticsearch_equal_the_offline_batch(
    es: Elasticsearch, index_names: IndexNames, stories: Rows, entities: dict[str, list[Entity]], offline
) -> None:
    """Runs of 17 (time order across runs, any order inside one): one lookup per run, same stories."""
    ordered = _ordered(stories)
    rng = random.Random(7)
    got: dict[str, Enriched] = {}
    for start in range(0, len(ordered), 17):
        run = [enriched(r, entities[r["id"]]) for r in ordered[start : start + 17]]
        rng.shuffle(run)
        got.update(ingest(es, index_names, run))
    assert {i: e.story_id for i, e in got.items()} == {i: d.story_id for i, d in offline.items()}
    # a rerun (reprocess) of everything, in reverse: every article finds itself and keeps its story
    again = ingest(es, index_names, [enriched(r, entities[r["id"]]) for r in reversed(stories)])
    assert {i: e.story_id for i, e in again.items()} == {i: d.story_id for i, d in offline.items()}
    assert {i: d["story_id"] for i, d in indexed(es, index_names).items()} == {i: e.story_id for i, e in again.items()}


@pytest.mark.es
def test_non_topical_items_pass_through_untouched(es: Elasticsearch, index_names: IndexNames, stories: Rows) -> None:
    row = stories[0]
    off = enriched(row, [], topics=())
    out = assign_stories(es, index_names.articles, [off])
    assert out == [off] and out[0].story_id is None and out[0].event_sig is None


@pytest.mark.es
def test_lookup_finds_whole_stories_within_the_window(
    es: Elasticsearch, index_names: IndexNames, stories: Rows, entities: dict[str, list[Entity]], items
) -> None:
    rows = {r["id"]: r for r in stories}
    wanted = ["th-bj-orig", "th-bj-copy", "th-bj-short", "th-tk-1", "verdict-orig", "verdict-2"]
    for aid in sorted(wanted, key=lambda i: (when(rows[i]), i)):
        ingest(es, index_names, [enriched(rows[aid], entities[aid])])
    f = dict(items)
    probe = [("probe", f["th-bj-indep"])]
    found = lookup_candidates_batch(es, index_names.articles, probe)
    ids = [c.article_id for c in found]
    assert {"th-bj-orig", "th-bj-copy", "th-bj-short"} <= set(ids)
    assert not {"verdict-orig", "verdict-2"} & set(ids)  # other keys, other weeks
    assert ids == sorted(ids, key=lambda i: (when(rows[i]), i))  # earliest first
    beijing = next(c for c in found if c.article_id == "th-bj-copy")
    assert beijing.story_id == "th-bj-orig" and beijing.published_at == when(rows["th-bj-copy"])
    assert beijing.features.entities == f["th-bj-copy"].entities
    # one article found is enough to bring its whole story (every report, for the story average)
    one = lookup_candidates_batch(es, index_names.articles, probe, size=1)
    assert {c.article_id for c in one if c.story_id == "th-bj-orig"} == {"th-bj-orig", "th-bj-copy", "th-bj-short"}
    # the window is applied around each item's publication time; undated items and empty batches look up nothing
    later = replace_time(f["th-bj-indep"], when(rows["th-bj-indep"]) + timedelta(days=10))
    assert lookup_candidates_batch(es, index_names.articles, [("late", later)]) == []
    assert lookup_candidates_batch(es, index_names.articles, [("undated", replace_time(f["th-bj-indep"], None))]) == []
    assert lookup_candidates_batch(es, index_names.articles, []) == []
    # many items in several msearch chunks find the same
    many = [(f"p{i}", f["th-bj-indep"]) for i in range(5)]
    assert lookup_candidates_batch(es, index_names.articles, many, chunk=2) == found


@pytest.mark.es
def test_a_failed_lookup_raises_instead_of_starting_new_stories(es: Elasticsearch, items) -> None:
    with pytest.raises(store.StoreError, match="story candidate lookup"):
        lookup_candidates_batch(es, "test-no-such-index-18", items[:2])


def replace_time(f: EventFeatures, at: datetime | None) -> EventFeatures:
    from dataclasses import replace

    return replace(f, published_at=at)
