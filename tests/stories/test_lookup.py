"""Candidate lookup against the real Elasticsearch: same story ids as the pure batch, fields and filters."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from elasticsearch import Elasticsearch

from pipeline.stories.assign import assign_story_id, cluster_batch
from pipeline.stories.candidate import WINDOW
from pipeline.stories.evaluate import pairwise_scores
from pipeline.stories.lookup import lookup_candidates, lookup_candidates_batch
from pipeline.stories.signature import Signature, signature_fields
from tests.stories.conftest import BASE, text_sig

MAPPING = {
    "dynamic": "strict",
    "properties": {
        "id": {"type": "keyword"},
        "story_id": {"type": "keyword"},
        "cluster_keys": {"type": "keyword"},
        "cluster_minhash": {"type": "binary", "doc_values": True},
        "published_at": {"type": "date"},
    },
}


@pytest.fixture
def cluster_index(es: Elasticsearch) -> Iterator[str]:
    name = f"dev-cluster-{uuid.uuid4().hex[:10]}"
    es.indices.create(index=name, mappings=MAPPING, settings={"number_of_shards": 1, "number_of_replicas": 0})
    try:
        yield name
    finally:
        es.indices.delete(index=name, ignore_unavailable=True)


def _index_doc(es: Elasticsearch, index: str, aid: str, story: str, when: datetime, sig: Signature) -> None:
    es.index(
        index=index,
        id=aid,
        document={"id": aid, "story_id": story, "published_at": when.isoformat(), **signature_fields(sig)},
    )


@pytest.mark.es
def test_incremental_ingest_through_elasticsearch_equals_batch(es: Elasticsearch, cluster_index: str, items, gold):
    """One article at a time: look up candidates in real ES, assign, index. Same ids as the pure batch."""
    expected = cluster_batch(items)
    got: dict[str, str] = {}
    for aid, when, sig in sorted(items, key=lambda it: (it[1], it[0])):
        cands = lookup_candidates(es, cluster_index, sig.keys, when, WINDOW)
        got[aid] = assign_story_id(aid, when, sig, cands)
        _index_doc(es, cluster_index, aid, got[aid], when, sig)
        es.indices.refresh(index=cluster_index)
    assert got == expected
    precision, recall = pairwise_scores(gold, got)
    assert precision >= 0.9 and recall >= 0.9

    # A rerun over the filled index reproduces every id (the article finds itself).
    for aid, when, sig in items:
        cands = lookup_candidates(es, cluster_index, sig.keys, when, WINDOW)
        assert aid in {c.article_id for c in cands}
        assert assign_story_id(aid, when, sig, cands) == got[aid]


@pytest.mark.es
def test_batched_ingest_through_elasticsearch_equals_batch(es: Elasticsearch, cluster_index: str, items) -> None:
    """Three runs, each: one msearch for the run's candidates, cluster_batch, index. Same ids as one big batch."""
    expected = cluster_batch(items)
    ordered = sorted(items, key=lambda it: (it[1], it[0]))
    got: dict[str, str] = {}
    for run in (ordered[:15], ordered[15:30], ordered[30:]):
        cands = lookup_candidates_batch(es, cluster_index, run, WINDOW, chunk=7)
        assert len({c.article_id for c in cands}) == len(cands)
        ids = cluster_batch(run, cands)
        got.update(ids)
        for aid, when, sig in run:
            _index_doc(es, cluster_index, aid, ids[aid], when, sig)
        es.indices.refresh(index=cluster_index)
    assert got == expected
    # the first run found nothing (empty index); a rerun of everything finds every article itself
    again = lookup_candidates_batch(es, cluster_index, items, WINDOW)
    assert {c.article_id for c in again} == set(expected)
    assert cluster_batch(items, again) == expected


@pytest.mark.es
def test_lookup_reads_fields_and_filters_by_keys_and_time(es: Elasticsearch, cluster_index: str) -> None:
    t0 = datetime(2024, 5, 1, 12, tzinfo=UTC)
    sig = text_sig(BASE)
    other = text_sig("A completely different report about rainfall and rice harvests in the northern provinces.")
    _index_doc(es, cluster_index, "a", "story-a", t0, sig)
    _index_doc(es, cluster_index, "old", "story-old", t0 - timedelta(days=5), sig)
    _index_doc(es, cluster_index, "unrelated", "story-u", t0, other)
    es.index(index=cluster_index, id="nosig", document={"id": "nosig", "story_id": "s", "published_at": t0.isoformat()})
    es.indices.refresh(index=cluster_index)

    found = lookup_candidates(es, cluster_index, sig.keys, t0 + timedelta(days=1), WINDOW)
    assert [c.article_id for c in found] == ["a"]
    cand = found[0]
    assert cand.story_id == "story-a"
    assert cand.published_at == t0
    assert cand.signature == sig
    # the window is applied on both sides of `around`
    assert {c.article_id for c in lookup_candidates(es, cluster_index, sig.keys, t0 - timedelta(days=2.5), WINDOW)} == {
        "a",
        "old",
    }
    assert lookup_candidates(es, cluster_index, sig.keys, t0 + timedelta(days=30), WINDOW) == []
    assert lookup_candidates(es, cluster_index, (), t0, WINDOW) == []
    # size bound: the best band-key overlap first (the identical copy beats a newer near copy)
    near = text_sig(BASE.replace("Tuesday", "Wednesday"))
    _index_doc(es, cluster_index, "b", "story-b", t0 + timedelta(hours=1), near)
    es.indices.refresh(index=cluster_index)
    top = lookup_candidates(es, cluster_index, sig.keys, t0, WINDOW, size=1)
    assert [c.article_id for c in top] == ["a"]
    assert {c.article_id for c in lookup_candidates(es, cluster_index, sig.keys, t0, WINDOW)} == {"a", "b"}
    # the batch lookup too: the cheap unscored filter finds all when they fit, the scored one ranks when not
    batch = [("new", t0, sig)]
    assert {c.article_id for c in lookup_candidates_batch(es, cluster_index, batch, WINDOW)} == {"a", "b"}
    assert [c.article_id for c in lookup_candidates_batch(es, cluster_index, batch, WINDOW, size=1)] == ["a"]
    newest_first = [("new", t0, near)]  # "b" is the identical copy of `near` and also the newest
    assert [c.article_id for c in lookup_candidates_batch(es, cluster_index, newest_first, WINDOW, size=1)] == ["b"]
