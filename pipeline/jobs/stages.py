"""The stage interface and the one runner that chains, times and counts stages (scrapy's item-pipeline idea).

A stage is a small object with a `name` and `process(batch, ctx) -> batch`. `run_stages` runs a fixed list of them
over one chunk of a feed, adding each stage's wall time to `FeedRun.seconds[name]` and its items in/out to
`FeedRun.stage_items[name]`; outcomes (`indexed`, `duplicate`, ...) are counted by the stages themselves on
`ctx.run.counts`. Adding a stage (event grouping, language identification) is one class plus one line in
`INGEST_STAGES`. The batch is a list whose element type changes along the chain: `FeedItem` -> `Article` ->
`Enriched`. Pure stages do no I/O; the ES stages (`SkipUnchanged`, `AssignStories`, `Index`) talk to
Elasticsearch only through `pipeline.index.store` and the stories lookups. Time is `ctx.now`, never the clock.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache
from typing import Any, Protocol

from elasticsearch import Elasticsearch

from pipeline.core.config import config_path
from pipeline.core.records import Article, Entity, FeedOutcome, ItemOutcome, StageCounts
from pipeline.detect.detector import Detector
from pipeline.entities.extractor import EntityExtractor, facets
from pipeline.entities.gazetteer import load_gazetteer
from pipeline.index import store
from pipeline.index.documents import Enriched, article_doc, content_hash, item_doc
from pipeline.index.names import IndexNames
from pipeline.ingest.feeds import FeedConfig
from pipeline.ingest.normalise import dedupe, normalise_all
from pipeline.stories.assign import assign_stories

log = logging.getLogger("pipeline.jobs.runner")  # one logger name for a feed's whole pass


@dataclass(slots=True)
class FeedRun:
    """What one feed's pass did: outcome counts, the error if any, seconds and items in/out per stage."""

    feed: str
    outcome: str = FeedOutcome.FETCHED
    error: str | None = None
    counts: StageCounts = field(default_factory=StageCounts)
    seconds: dict[str, float] = field(default_factory=dict)
    stage_items: dict[str, list[int]] = field(default_factory=dict)  # stage -> [items in, items out]
    indexed_ids: list[str] = field(default_factory=list)

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - t0

    def summary(self) -> dict[str, Any]:
        """Small, XCom-safe dict (ids and counts, never bodies)."""
        return {
            "feed": self.feed,
            "outcome": str(self.outcome),
            "error": self.error,
            "counts": dict(self.counts.counts),
            "seconds": {k: round(v, 4) for k, v in self.seconds.items()},
            "stage_items": {k: list(v) for k, v in self.stage_items.items()},
            "indexed": len(self.indexed_ids),
            "indexed_ids": list(self.indexed_ids),
        }


@cache
def _detector(path: str | None) -> Detector:
    return Detector.from_config(path)


@cache
def _extractor(path: str | None) -> EntityExtractor:
    return EntityExtractor(load_gazetteer(path))


@cache
def _rules_version(path: str | None) -> str:
    return hashlib.sha256(config_path("topics.yaml", path).read_bytes()).hexdigest()[:12]


@dataclass(slots=True)
class Components:
    """The compiled detector and the (lazily loaded) spaCy extractor, built once per process."""

    topics_path: str | None = None
    entities_path: str | None = None
    naive: bool = False  # benchmark baseline: full spaCy pipeline on every item

    @property
    def detector(self) -> Detector:
        return _detector(self.topics_path)

    @property
    def extractor(self) -> EntityExtractor:
        return _extractor(self.entities_path)

    @property
    def rules_version(self) -> str:
        """A short hash of the topic rules file, stored on every article (`rules_version`)."""
        return _rules_version(self.topics_path)


@dataclass(slots=True)
class StageContext:
    """What every stage of one feed chunk may read: components, time, ES (None offline) and the feed's run."""

    comps: Components
    now: datetime
    run: FeedRun
    es: Elasticsearch | None = None
    names: IndexNames | None = None
    feed: FeedConfig | None = None
    seen_in_feed: set[str] = field(default_factory=set)  # article ids already taken from this feed body
    clock: Callable[[], datetime] | None = None  # stamps `ingested_at` at indexing time on long passes
    index_ok: bool = True  # False once Elasticsearch refused an item of this feed


class Stage(Protocol):
    """One step of the chain: a name (its timing key) and `process(batch, ctx) -> batch`."""

    name: str

    def process(self, batch: list[Any], ctx: StageContext) -> list[Any]: ...


def run_stages(stages: Sequence[Stage], batch: list[Any], ctx: StageContext) -> list[Any]:
    """Run `stages` in order over `batch`, timing each and recording its items in and out."""
    for stage in stages:
        n_in = len(batch)
        with ctx.run.timed(stage.name):
            batch = stage.process(batch, ctx)
        seen = ctx.run.stage_items.setdefault(stage.name, [0, 0])
        seen[0] += n_in
        seen[1] += len(batch)
    return batch


class Normalise:
    """`FeedItem`s -> `Article`s: canonical URL and id, clean text, UTC dates; drops in-feed duplicates."""

    name = "normalise"

    def process(self, batch: list[Any], ctx: StageContext) -> list[Any]:
        assert ctx.feed is not None, "Normalise needs the feed"
        normalised, bad = normalise_all(batch, fetched_at=ctx.now, feed=ctx.feed)
        articles = [a for a in dedupe(normalised) if a.id not in ctx.seen_in_feed]
        ctx.seen_in_feed.update(a.id for a in articles)
        for problem in bad:
            log.warning("feed %s: skipped item: %s", ctx.feed.name, problem)
        ctx.run.counts.add(ItemOutcome.BAD_ITEM, len(bad))
        ctx.run.counts.add(ItemOutcome.DUPLICATE_IN_FEED, len(normalised) - len(articles))
        return articles


class SkipUnchanged:
    """Drops articles whose content hash is already in the items archive (seen before, unchanged)."""

    name = "unchanged"

    def process(self, batch: list[Any], ctx: StageContext) -> list[Any]:
        if ctx.es is None or ctx.names is None:
            return batch
        seen = store.mget_sources(ctx.es, ctx.names.items, [a.id for a in batch], ["content_hash"])
        fresh = [a for a in batch if seen.get(a.id, {}).get("content_hash") != content_hash(a)]
        ctx.run.counts.add(ItemOutcome.DUPLICATE, len(batch) - len(fresh))
        return fresh


class Detect:
    """`Article`s -> `Enriched` with the topics that passed and every topic's score (pure)."""

    name = "detect"

    def process(self, batch: list[Any], ctx: StageContext) -> list[Any]:
        out = []
        for a in batch:
            scored = ctx.comps.detector.explain_scores(a.title, a.text, lang=a.language)
            matches = tuple(s.match for s in scored if s.passed)
            out.append(Enriched(a, matches, {s.match.name: s.match.score for s in scored}))
        return out


class Extract:
    """Entities and facets for the topical items (every item in the naive benchmark baseline; pure)."""

    name = "extract"

    def process(self, batch: list[Any], ctx: StageContext) -> list[Any]:
        targets = range(len(batch)) if ctx.comps.naive else [i for i, e in enumerate(batch) if e.topics]
        texts = [f"{batch[i].article.title}\n\n{batch[i].article.text}" for i in targets]
        if not texts:
            return batch
        langs = [batch[i].article.language for i in targets]
        found: dict[int, list[Entity]] = dict(zip(targets, ctx.comps.extractor.extract_many(texts, langs), strict=True))
        out = []
        for i, e in enumerate(batch):
            mentions = found.get(i, []) if e.topics else []
            out.append(replace(e, entities=tuple(mentions), facets=facets(mentions)) if mentions else e)
        return out


class AssignStories:
    """A story id for every topical item, against recent stories in ES (when connected) and each other."""

    name = "cluster"

    def process(self, batch: list[Any], ctx: StageContext) -> list[Any]:
        index = ctx.names.articles if ctx.names is not None else None
        return assign_stories(ctx.es, index, batch)


class Index:
    """Bulk-upserts topical items into articles and every item into the archive; counts item outcomes."""

    name = "index"

    def process(self, batch: list[Any], ctx: StageContext) -> list[Any]:
        if ctx.es is None or ctx.names is None or not batch:
            return batch
        stamp = ctx.clock() if ctx.clock else ctx.now
        # a refused item (counted `failed`) keeps the feed's old validators, so the next poll re-fetches it
        ok = index_enriched(ctx.es, ctx.names, batch, stamp, ctx.run, rules_version=ctx.comps.rules_version)
        ctx.index_ok = ok and ctx.index_ok
        return batch


def index_enriched(es: Elasticsearch, names: IndexNames, enriched: Sequence[Enriched], now: datetime,
                   run: FeedRun, rules_version: str = "") -> bool:  # fmt: skip
    """Bulk-upsert topical items into articles and every item into the archive; count outcomes."""
    if not enriched:
        return True
    topical = [e for e in enriched if e.topical]
    # refresh so the next feed's story lookup sees these (one pass processes feeds one after another;
    # parallel Airflow tasks are reconciled afterwards by `reconcile_stories`)
    out = store.bulk(es, store.upsert_actions(names.articles_write,
                                              (article_doc(e, ingested_at=now, rules_version=rules_version)
                                               for e in topical)),
                     refresh=bool(topical))  # fmt: skip
    for e in topical:
        result = out.outcomes.get(e.article.id, "failed")
        if result == "failed":
            run.counts.add(ItemOutcome.FAILED)
        elif result == "created":
            run.counts.add(ItemOutcome.INDEXED)
            run.indexed_ids.append(e.article.id)
        else:
            run.counts.add(ItemOutcome.UPDATED)
    items = store.bulk(es, store.upsert_actions(
        names.items, (item_doc(e.article, ingested_at=now, topics=[t.name for t in e.topics]) for e in enriched)))
    for e in enriched:
        if not e.topical:
            failed = items.outcomes.get(e.article.id) == "failed"
            run.counts.add(ItemOutcome.FAILED if failed else ItemOutcome.ARCHIVED)
    if out.errors or items.errors:
        run.error = "; ".join(f"{k}: {v}" for k, v in list({**out.errors, **items.errors}.items())[:3])
    return not (out.errors or items.errors)


# The chain every feed chunk goes through, in order. A new stage is one class above plus one entry here.
INGEST_STAGES: tuple[Stage, ...] = (Normalise(), SkipUnchanged(), Detect(), Extract(), AssignStories(), Index())
ENRICH_STAGES: tuple[Stage, ...] = (Detect(), Extract())


def enrich(articles: Sequence[Article], comps: Components, run: FeedRun | None = None) -> list[Enriched]:
    """Detect topics for every article, extract entities only for the topical ones (pure, no I/O)."""
    ctx = StageContext(comps=comps, now=datetime.min, run=run or FeedRun("adhoc"))
    return run_stages(ENRICH_STAGES, list(articles), ctx)
