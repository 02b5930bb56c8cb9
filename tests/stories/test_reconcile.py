"""Reconciliation: stories that parallel workers started separately for one event are merged into the earliest,
deterministically (pure plan), and against the real Elasticsearch every article moves and the merge is returned."""

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
from pipeline.stories.assign import assign_stories
from pipeline.stories.candidate import WINDOW, Candidate
from pipeline.stories.reconcile import Merge, plan_merges, reconcile_stories
from tests.stories.conftest import enriched, feats

T0 = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 12, 1, tzinfo=UTC)
MEETING = (
    "The foreign ministers of Laos and Cambodia met in Vientiane on Tuesday, 4 March, and agreed to reopen two border "
    "crossings, restart direct flights and build a 2,400-megawatt power line by 2028, officials said."
)
OTHER = "Rice harvests fell sharply in the northern provinces this year after a late monsoon, farmers said."


def cand(story: str, aid: str, hours: float, text: str = MEETING, title: str = "Ministers meet") -> Candidate:
    at = T0 + timedelta(hours=hours)
    return Candidate(story, aid, at, feats(title, text, at))


def test_plan_merges_folds_split_stories_into_the_earliest_and_keeps_others_apart() -> None:
    cands = [
        cand("a", "a", 1),  # worker 1 founded "a"
        cand("a", "a2", 2, MEETING.replace("restart", "resume")),  # ... and put a copy in it
        cand("b", "b", 0, MEETING.replace("officials said", "the ministries said")),  # worker 2: earlier founder
        cand("c", "c", 3, title="Laos and Cambodia agree crossings"),  # worker 3
        cand("far", "far", WINDOW.total_seconds() / 3600 + 30),  # same text, outside every window
        cand("u", "u", 0, OTHER, "Harvests fall"),  # unrelated
    ]
    plan = plan_merges(cands)
    assert plan == {"a": "b", "c": "b"}
    rng = random.Random(3)
    for _ in range(3):
        shuffled = list(cands)
        rng.shuffle(shuffled)
        assert plan_merges(shuffled) == plan
    assert plan_merges(cands, threshold=5.0) == {}
    assert plan_merges([]) == {}


def _story_ids(es: Elasticsearch, names: IndexNames) -> dict[str, str]:
    store.refresh(es, names.articles)
    return {h["_id"]: h["_source"]["story_id"] for h in store.scan_all(es, names.articles, source=["story_id"])}


def _assign(es: Elasticsearch, names: IndexNames, rows: list[dict[str, Any]],
            entities: dict[str, list[Entity]]) -> list[Enriched]:  # fmt: skip
    """One worker's chunk assigned against what the index holds now (the other workers' chunks not yet)."""
    return assign_stories(es, names.articles, [enriched(r, entities[r["id"]]) for r in rows])


def _index(es: Elasticsearch, names: IndexNames, *chunks: list[Enriched]) -> list[str]:
    ids: list[str] = []
    for out in chunks:
        run = FeedRun("worker")
        assert index_enriched(es, names, out, NOW, run)
        ids += run.indexed_ids
    return ids


@pytest.mark.es
def test_a_story_split_between_two_workers_is_merged_into_the_earliest(
    es: Elasticsearch, index_names: IndexNames, stories: list[dict[str, Any]], entities: dict[str, list[Entity]]
) -> None:
    rows = {r["id"]: r for r in stories}
    _index(es, index_names, _assign(es, index_names, [rows["lav-jkt-1"]], entities))  # an earlier run
    # two workers look up at once, before either indexes: each founds a story for one event (Thai FM in Beijing)
    w1 = _assign(es, index_names, [rows["th-bj-orig"], rows["th-bj-copy"]], entities)
    w2 = _assign(es, index_names, [rows["th-bj-short"], rows["th-bj-indep"], rows["th-tk-1"]], entities)
    ids = _index(es, index_names, w1, w2)
    before = _story_ids(es, index_names)
    assert before["th-bj-copy"] == "th-bj-orig" and before["th-bj-indep"] == "th-bj-short"
    merges = reconcile_stories(es, index_names, ids)
    assert merges == [Merge("th-bj-short", "th-bj-orig", 2)]  # the earliest founder's story survives
    after = _story_ids(es, index_names)
    assert {after[i] for i in ("th-bj-orig", "th-bj-copy", "th-bj-short", "th-bj-indep")} == {"th-bj-orig"}
    assert after["th-tk-1"] == "th-tk-1" and after["lav-jkt-1"] == "lav-jkt-1"  # other events stay apart
    doc = store.mget_sources(es, index_names.articles, ["th-bj-indep"], ("story_reason",))["th-bj-indep"]
    assert doc["story_reason"]["joined"] is True and doc["story_reason"]["merged_from"] == "th-bj-short"
    # deterministic and idempotent: a second pass finds nothing; an empty run does nothing
    assert reconcile_stories(es, index_names, ids) == []
    assert _story_ids(es, index_names) == after
    assert reconcile_stories(es, index_names, []) == []
    # the next report of the event, looked up in the index, joins the surviving story
    _index(es, index_names, _assign(es, index_names, [rows["th-bj-rewrite"]], entities))
    assert _story_ids(es, index_names)["th-bj-rewrite"] == "th-bj-orig"


@pytest.mark.es
def test_three_workers_one_event_one_story_whatever_the_worker_order(
    es: Elasticsearch, index_names: IndexNames, stories: list[dict[str, Any]], entities: dict[str, list[Entity]]
) -> None:
    rows = {r["id"]: r for r in stories}
    chunks = [[rows["put-hn-long"], rows["put-hn-announce"]], [rows["put-hn-rewrite"]], [rows["put-hn-indep"]]]
    outs = [_assign(es, index_names, c, entities) for c in chunks]
    ids = _index(es, index_names, *reversed(outs))
    merges = reconcile_stories(es, index_names, list(reversed(ids)))
    assert merges == [Merge("put-hn-long", "put-hn-indep", 1), Merge("put-hn-rewrite", "put-hn-indep", 1)]
    got = _story_ids(es, index_names)
    assert {got[i] for i in ("put-hn-long", "put-hn-rewrite", "put-hn-indep")} == {"put-hn-indep"}
    assert got["put-hn-announce"] == "put-hn-announce"  # the trip's announcement is another event
