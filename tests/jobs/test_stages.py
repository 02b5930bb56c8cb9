"""The stage interface and its runner: timing and item counts per stage, a new stage in one line, typed outcomes."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from pipeline.core.records import Article, ItemOutcome
from pipeline.index import store
from pipeline.ingest.feeds import FeedsFile
from pipeline.jobs.parallel import run_once
from pipeline.jobs.stages import (
    ENRICH_STAGES,
    INGEST_STAGES,
    Components,
    FeedRun,
    StageContext,
    enrich,
    run_stages,
)

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _article(i: int, title: str, text: str) -> Article:
    return Article(id=f"a{i}", url=f"https://example.org/{i}", title=title, text=text, published_at=NOW,
                   fetched_at=NOW, source_name="example", source_domain="example.org", feed_name="f")  # fmt: skip


ARTICLES = [
    _article(1, "Myanmar junta extends emergency rule", "Myanmar's military government extended emergency rule "
             "in Naypyidaw, state media said, as the junta fought resistance forces in Sagaing Region."),
    _article(2, "Rain expected at the weekend", "Heavy rain is expected across the coastal plains this weekend."),
]


class DropSecond:
    """A test stage: keeps only the first item (proves a stage is one class plus one entry in the chain)."""

    name = "drop-second"

    def process(self, batch: list[Any], ctx: StageContext) -> list[Any]:
        ctx.run.counts.add("dropped", len(batch[1:]))
        return batch[:1]


def test_run_stages_times_and_counts_every_stage() -> None:
    run = FeedRun("f")
    ctx = StageContext(comps=Components(), now=NOW, run=run)
    out = run_stages((*ENRICH_STAGES, DropSecond()), list(ARTICLES), ctx)
    assert [e.article.id for e in out] == ["a1"]
    assert run.stage_items == {"detect": [2, 2], "extract": [2, 2], "drop-second": [2, 1]}
    assert set(run.seconds) == {"detect", "extract", "drop-second"} and all(v >= 0 for v in run.seconds.values())
    assert run.counts.counts == {"dropped": 1}
    assert run.summary()["stage_items"]["drop-second"] == [2, 1]


def test_enrich_detects_every_item_and_extracts_only_topical_ones() -> None:
    first, second = enrich(ARTICLES, Components())
    assert [t.name for t in first.topics] == ["myanmar"]
    assert any(e.canonical == "Naypyidaw" for e in first.entities) and "gpe" in first.facets
    assert second.topics == () and second.entities == () and second.facets == {}
    assert set(second.scores) == set(first.scores) and second.scores  # every topic scored, even when none passed


def test_naive_mode_extracts_every_item_but_keeps_entities_of_topical_ones_only() -> None:
    naive = replace(Components(), naive=True)
    first, second = enrich(ARTICLES, naive)
    assert first.entities and second.entities == ()


def test_ingest_chain_order_is_the_documented_one() -> None:
    assert [s.name for s in INGEST_STAGES] == ["normalise", "unchanged", "detect", "extract", "cluster", "index"]


@pytest.mark.es
def test_run_once_without_setup_fails_naming_the_setup_command(es: Elasticsearch) -> None:
    names = store.IndexNames(f"test-nosetup-{uuid.uuid4().hex[:8]}")
    with pytest.raises(store.IndexMissing, match="newsmon es setup"):
        run_once(FeedsFile(feeds=[]), es=es, names=names, comps=Components(), now=NOW)


def test_item_outcomes_are_the_counted_strings() -> None:
    assert ItemOutcome.INDEXED == "indexed" and f"{ItemOutcome.DUPLICATE_IN_FEED}" == "duplicate-in-feed"
