"""Reconciliation against the real Elasticsearch: stories split between parallel workers are merged into the
story of the earliest founder; unrelated and out-of-window stories stay apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from pipeline.index import store
from pipeline.stories.candidate import WINDOW
from pipeline.stories.reconcile import reconcile_stories
from pipeline.stories.signature import Signature, signature_fields
from tests.stories.conftest import BASE, text_sig

T0 = datetime(2024, 5, 1, 12, tzinfo=UTC)


def _doc(aid: str, story: str, when: datetime, sig: Signature) -> dict[str, Any]:
    return {"id": aid, "story_id": story, "published_at": when.isoformat(), **signature_fields(sig)}


def _stories(es: Elasticsearch, names: store.IndexNames) -> dict[str, str]:
    return {h["_id"]: h["_source"]["story_id"] for h in store.scan_all(es, names.articles, source=["story_id"])}


@pytest.mark.es
def test_split_stories_are_merged_into_the_earliest(es: Elasticsearch, index_names: store.IndexNames) -> None:
    sig = text_sig(BASE)
    near = text_sig(BASE.replace("Tuesday", "Wednesday"))
    other = text_sig("A completely different report about rainfall and rice harvests in the northern provinces.")
    docs = [
        _doc("a", "a", T0 + timedelta(hours=1), sig),  # worker 1 founded "a"
        _doc("a2", "a", T0 + timedelta(hours=2), near),  # ... and put a copy in it
        _doc("b", "b", T0, near),  # worker 2 founded "b" for a copy, earlier
        _doc("far", "far", T0 + WINDOW + timedelta(hours=5), sig),  # same text, outside every window
        _doc("u", "u", T0, other),  # unrelated
    ]
    outcome = store.bulk(es, store.upsert_actions(index_names.articles_write, docs), refresh=True)
    assert outcome.count("created") == len(docs)
    moved = reconcile_stories(es, index_names, [d["id"] for d in docs])
    got = _stories(es, index_names)
    assert got["a"] == got["a2"] == got["b"] == "b"  # the group keeps its earliest founder's story
    assert got["u"] == "u" and got["far"] == "far"
    assert moved == 2
    # deterministic and idempotent: a second pass finds nothing to move
    assert reconcile_stories(es, index_names, [d["id"] for d in docs]) == 0
    assert _stories(es, index_names) == got
    assert reconcile_stories(es, index_names, []) == 0
