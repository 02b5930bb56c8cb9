"""One ingestion pass: fetch -> parse -> normalise -> detect -> extract -> cluster -> index, per feed.

The same functions run from `newsmon run --once` and from the Airflow DAG (one mapped task per feed). Each item
ends with one outcome string that is counted: `indexed` (new topical story), `updated` (changed topical story),
`archived` (not topical; kept in the items archive), `duplicate` (seen before, unchanged), `failed` (ES refused
it). A feed ends with `fetched`, `not-modified` or `error`. Feed state (validators) advances only after the
feed's items are indexed, so a crash re-fetches rather than loses.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from elasticsearch import Elasticsearch

from pipeline.core.records import Article, StageCounts
from pipeline.detect.detector import Detector
from pipeline.index import store
from pipeline.index.documents import Enriched, article_doc, content_hash, item_doc
from pipeline.ingest.feeds import FeedConfig, FeedsFile, FetchDefaults
from pipeline.ingest.fetch import FeedState, FetchResult, as_unparseable, fetch_feed, make_client, next_state
from pipeline.ingest.normalise import dedupe, normalise_all
from pipeline.ingest.parse import parse_feed
from pipeline.stories import cluster

log = logging.getLogger(__name__)

STAGES = ("fetch", "parse", "normalise", "detect", "extract", "cluster", "index")
CLUSTER_WINDOW = timedelta(days=3)
CHUNK_ITEMS = 500  # items of one feed enriched and indexed together (bounds memory on very long feeds)


@dataclass(slots=True)
class FeedRun:
    """What one feed's pass did: outcome counts, the error if any, and seconds per stage."""

    feed: str
    outcome: str = "fetched"
    error: str | None = None
    counts: StageCounts = field(default_factory=StageCounts)
    seconds: dict[str, float] = field(default_factory=dict)
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
            "outcome": self.outcome,
            "error": self.error,
            "counts": dict(self.counts.counts),
            "seconds": {k: round(v, 4) for k, v in self.seconds.items()},
            "indexed": len(self.indexed_ids),
            "indexed_ids": list(self.indexed_ids),
        }


@cache
def _detector(path: str | None) -> Detector:
    return Detector.from_config(path)


@cache
def _extractor(path: str | None) -> Any:
    from pipeline.entities.extractor import EntityExtractor, load_gazetteer

    return EntityExtractor(load_gazetteer(path))


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
    def extractor(self) -> Any:
        return _extractor(self.entities_path)


def enrich(articles: Sequence[Article], comps: Components, run: FeedRun | None = None) -> list[Enriched]:
    """Detect topics for every article, extract entities only for the topical ones (pure, no I/O)."""
    run = run or FeedRun("adhoc")
    with run.timed("detect"):
        detected = []
        for a in articles:
            scored = comps.detector.explain_scores(a.title, a.text)
            matches = [s.match for s in scored if s.passed]
            detected.append((a, matches, {s.match.name: s.match.score for s in scored}))
    topical_idx = [i for i, (_, m, _) in enumerate(detected) if m]
    ents: dict[int, list[Any]] = {}
    with run.timed("extract"):
        targets = range(len(detected)) if comps.naive else topical_idx
        texts = [f"{detected[i][0].title}\n\n{detected[i][0].text}" for i in targets]
        if texts:
            ex = comps.extractor
            for i, found in zip(targets, ex.extract_many(texts), strict=True):
                ents[i] = found
    from pipeline.entities.extractor import facets

    out = []
    for i, (a, matches, scores) in enumerate(detected):
        mentions = ents.get(i, []) if matches else []
        out.append(Enriched(a, tuple(matches), scores, tuple(mentions), facets(mentions) if mentions else {}))
    return out


def assign_stories(es: Elasticsearch | None, index: str | None, items: list[Enriched]) -> list[Enriched]:
    """Give every topical item a story_id, comparing with recent stories in ES (when given) and each other."""
    topical = [e for e in items if e.topical]
    if not topical:
        return items
    sigs = {e.article.id: cluster.signature(e.article.title, e.article.text) for e in topical}
    batch = [(e.article.id, e.article.published_at, sigs[e.article.id]) for e in topical]
    candidates = cluster.lookup_candidates_batch(es, index, batch) if es is not None and index else []
    mapping = cluster.cluster_batch(batch, candidates)
    out = []
    for e in items:
        if e.topical:
            fields = cluster.signature_fields(sigs[e.article.id])
            e = replace(e, story_id=mapping[e.article.id], cluster_keys=tuple(fields["cluster_keys"]),
                        cluster_minhash=fields["cluster_minhash"])
        out.append(e)
    return out


_RECONCILE_FIELDS = ("id", "story_id", "published_at", "cluster_minhash", "cluster_sig")


def reconcile_stories(es: Elasticsearch, names: store.IndexNames, article_ids: Sequence[str]) -> int:
    """Merge stories that parallel workers started separately for copies of one story.

    Every article of this run that founded its own story is compared with the run's other articles its band
    keys reach; similar ones (same threshold and window as clustering) put their stories in one group
    (union-find). Each group keeps the story whose founding article is earliest by (published_at, id), and
    every article of the other stories in the group is moved to it. Deterministic; returns articles moved.
    """
    if not article_ids:
        return 0
    es.indices.refresh(index=names.articles)
    docs: dict[str, dict[str, Any]] = {}
    ids = list(article_ids)
    for start in range(0, len(ids), 1000):  # only the clustering fields: a long run indexes many articles
        docs.update(store.mget_sources(es, names.articles, ids[start : start + 1000], _RECONCILE_FIELDS))
    # Articles indexed before this run were visible (refreshed) to every worker, so a split can only be
    # between articles of this run: compare founders with this run's articles sharing an LSH band bucket.
    candidates = [c for i, d in docs.items() if (c := cluster.candidate_from_source(d, i)) is not None]
    del docs
    is_root = [c.story_id == c.article_id for c in candidates]
    if not any(is_root):
        return 0
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    sigs = [c.signature for c in candidates]
    pairs = np.asarray(sorted(cluster.bucket_pairs(sigs, is_root)), dtype=np.int64).reshape(-1, 2)
    scores = cluster.pair_similarities(sigs, pairs)
    for r, o in pairs[scores >= cluster.THRESHOLD].tolist():
        root, cand = candidates[r], candidates[o]
        if cand.story_id == root.article_id:
            continue
        if root.published_at and cand.published_at and abs(root.published_at - cand.published_at) > cluster.WINDOW:
            continue
        union(root.article_id, cand.story_id)
    groups: dict[str, set[str]] = {}
    for sid in set(parent) | set(parent.values()):
        groups.setdefault(find(sid), set()).add(sid)
    founders = store.mget_sources(es, names.articles, sorted({s for g in groups.values() for s in g}),
                                  ["published_at"])

    def founded(sid: str) -> tuple[str, str]:
        return (str(founders.get(sid, {}).get("published_at") or "9999"), sid)

    moves: list[tuple[str, str]] = []
    for members in groups.values():
        if len(members) < 2:
            continue
        keep = min(members, key=founded)
        others = sorted(members - {keep})
        query = {"terms": {"story_id": others}}
        for hit in store.scan_all(es, names.articles, query=query, source=False):
            moves.append((hit["_id"], keep))
    if moves:
        store.bulk(es, ({"_op_type": "update", "_index": names.articles_write, "_id": i,
                         "doc": {"story_id": sid}} for i, sid in moves), refresh="wait_for")
    return len(moves)


def load_state(es: Elasticsearch, names: store.IndexNames, feed: FeedConfig) -> FeedState | None:
    got = store.mget_sources(es, names.feed_state, [feed.name])
    return FeedState.from_doc(got[feed.name]) if feed.name in got else None


def save_state(es: Elasticsearch, names: store.IndexNames, state: FeedState) -> None:
    """Persist one feed's state. No refresh wait: states are only read back by id (mget is real-time)."""
    es.index(index=names.feed_state, id=state.feed_name, document=state.to_doc())


def process_fetched(
    feed: FeedConfig,
    result: FetchResult,
    state: FeedState | None,
    *,
    es: Elasticsearch,
    names: store.IndexNames,
    comps: Components,
    now: datetime,
    run: FeedRun | None = None,
    clock: Callable[[], datetime] | None = None,
) -> FeedRun:
    """Everything after the fetch for one feed, ending with its state saved. Never raises for bad content.

    `now` is the fetch time; `clock`, when given, stamps each chunk's `ingested_at` just before it is indexed
    (on a long feed the last chunk is indexed well after the first, and alert latency counts from that stamp).
    """
    run = run or FeedRun(feed.name)
    run.outcome = result.outcome
    run.counts.add(result.outcome)
    items_count = 0
    index_ok = True
    if result.outcome == "fetched" and result.body is not None:
        with run.timed("parse"):
            parsed = parse_feed(result.body, feed_name=feed.name, feed_url=result.final_url or feed.url,
                                content_type=result.content_type)
        if not parsed.items and any(p.startswith("not a feed") for p in parsed.problems):
            result = as_unparseable(result, parsed.problems[0])
            run.outcome, run.error = result.outcome, result.error
            run.counts.add("unparseable")
        elif parsed.problems:
            run.counts.add("feed-problem")
            log.warning("feed %s: %s", feed.name, "; ".join(parsed.problems[:5]))
        items_count = len(parsed.items)
        in_feed: set[str] = set()
        # in chunks, so a huge feed never holds more than CHUNK_ITEMS enriched items (memory stays flat)
        for start in range(0, items_count, CHUNK_ITEMS):
            chunk = parsed.items[start : start + CHUNK_ITEMS]
            with run.timed("normalise"):
                normalised, bad = normalise_all(chunk, fetched_at=now, feed=feed)
                articles = [a for a in dedupe(normalised) if a.id not in in_feed]
                in_feed.update(a.id for a in articles)
            for problem in bad:
                log.warning("feed %s: skipped item: %s", feed.name, problem)
            run.counts.add("bad-item", len(bad))
            run.counts.add("duplicate-in-feed", len(normalised) - len(articles))
            seen = store.mget_sources(es, names.items, [a.id for a in articles], ["content_hash"])
            fresh = [a for a in articles if seen.get(a.id, {}).get("content_hash") != content_hash(a)]
            run.counts.add("duplicate", len(articles) - len(fresh))
            enriched = enrich(fresh, comps, run)
            with run.timed("cluster"):
                enriched = assign_stories(es, names.articles, enriched)
            with run.timed("index"):
                stamp = clock() if clock else now
                index_ok = index_enriched(es, names, enriched, stamp, run) and index_ok
        del parsed
    elif result.outcome == "error":
        run.error = result.error
    if state is None:
        state = FeedState.initial(feed)
    if index_ok:
        new_state = next_state(state, result, now, items_count)
    else:  # keep the old validators so the next run re-fetches everything; record the failure
        failed = replace(result, outcome="error", body=None, error="some items could not be indexed; will re-fetch")
        new_state = next_state(state, failed, now, items_count)
    try:
        save_state(es, names, new_state)
    except Exception as exc:  # state is an optimisation: items are already indexed idempotently
        log.error("feed %s: could not save fetch state: %s", feed.name, exc)
    return run


def index_enriched(
    es: Elasticsearch,
    names: store.IndexNames,
    enriched: Sequence[Enriched],
    now: datetime,
    run: FeedRun,
) -> bool:
    """Bulk-upsert topical items into articles and every item into the archive; count outcomes."""
    if not enriched:
        return True
    topical = [e for e in enriched if e.topical]
    # refresh so the next feed's story lookup sees these (one pass processes feeds one after another;
    # parallel Airflow tasks are reconciled afterwards by `reconcile_stories`)
    out = store.bulk(es, store.upsert_actions(names.articles_write,
                                              (article_doc(e, ingested_at=now) for e in topical)),
                     refresh=bool(topical))
    for e in topical:
        result = out.outcomes.get(e.article.id, "failed")
        if result == "failed":
            run.counts.add("failed")
        elif result == "created":
            run.counts.add("indexed")
            run.indexed_ids.append(e.article.id)
        else:
            run.counts.add("updated")
    items = store.bulk(es, store.upsert_actions(
        names.items, (item_doc(e.article, ingested_at=now, topics=[t.name for t in e.topics]) for e in enriched)))
    for e in enriched:
        if not e.topical:
            run.counts.add("failed" if items.outcomes.get(e.article.id) == "failed" else "archived")
    if out.errors or items.errors:
        run.error = "; ".join(f"{k}: {v}" for k, v in list({**out.errors, **items.errors}.items())[:3])
    return not (out.errors or items.errors)


def run_feed(
    feed: FeedConfig,
    *,
    es: Elasticsearch,
    names: store.IndexNames,
    comps: Components,
    now: datetime,
    client: httpx.Client | None = None,
    defaults: FetchDefaults | None = None,
) -> FeedRun:
    """Fetch and process one feed (the unit of an Airflow mapped task)."""
    run = FeedRun(feed.name)
    state = load_state(es, names, feed)
    own = client is None
    client = client or make_client(defaults)
    try:
        with run.timed("fetch"):
            result = fetch_feed(client, feed, state, now, defaults=defaults)
    finally:
        if own:
            client.close()
    return process_fetched(feed, result, state, es=es, names=names, comps=comps, now=now, run=run)


_WORKER: dict[str, Any] = {}


def _worker_init(es_url: str, prefix: str, topics_path: str | None, entities_path: str | None) -> None:
    """Per-process setup for parallel processing: ES client and compiled rules/models, loaded once."""
    from pipeline.core.settings import Settings

    _WORKER["es"] = store.connect(Settings(es_url=es_url, index_prefix=prefix))
    _WORKER["names"] = store.IndexNames(prefix)
    comps = Components(topics_path, entities_path)
    comps.detector.detect("", "")
    comps.extractor.extract_many(["Warm up."])
    _WORKER["comps"] = comps
    # the models' hundreds of thousands of long-lived objects are never garbage: keep the cyclic collector off
    # them (it otherwise re-scans them on every full collection: ~5 % of a worker's CPU, measured)
    gc.freeze()


def _process_guarded(
    feed: FeedConfig,
    result: FetchResult,
    state: FeedState | None,
    *,
    es: Elasticsearch,
    names: store.IndexNames,
    comps: Components,
    now: datetime,
    fetch_seconds: float,
    clock: Callable[[], datetime] | None = None,
) -> FeedRun:
    """`process_fetched` that turns any failure of one feed into an `error` outcome for that feed."""
    run = FeedRun(feed.name)
    run.seconds["fetch"] = fetch_seconds
    try:
        process_fetched(feed, result, state, es=es, names=names, comps=comps, now=now, run=run, clock=clock)
    except Exception as exc:  # a bug, hostile content or ES trouble in one feed never stops the others
        log.exception("feed %s failed", feed.name)
        run.outcome, run.error = "error", f"{type(exc).__name__}: {exc}"
        run.counts.add("error")
    return run


def _worker_process(
    feed: FeedConfig, result: FetchResult, state: FeedState | None, now: datetime | None, fetch_seconds: float
) -> FeedRun:
    """Process one fetched feed in a worker process (`now=None`: stamp each chunk with the worker's clock)."""
    from datetime import UTC

    def clock() -> datetime:
        return datetime.now(UTC)

    return _process_guarded(feed, result, state, es=_WORKER["es"], names=_WORKER["names"], comps=_WORKER["comps"],
                            now=now or clock(), fetch_seconds=fetch_seconds, clock=None if now else clock)


def run_once(
    feeds: FeedsFile,
    *,
    es: Elasticsearch,
    names: store.IndexNames,
    comps: Components,
    now: datetime,
    max_workers: int = 8,
    on_feed: Callable[[FeedRun], None] | None = None,
    only: Iterable[str] | None = None,
    clock: Callable[[], datetime] | None = None,
    cpu_workers: int = 1,
) -> list[FeedRun]:
    """One pass over all enabled feeds: concurrent fetches (bounded), then processing feed by feed.

    `now` is the fetch time; `clock`, when given, stamps each chunk's `ingested_at` as it is indexed (so alert
    latency is measured from the real indexing moment on long passes). `cpu_workers` > 1 processes feeds in
    that many worker processes (each loads the models once), then merges stories split between them.
    """
    store.ensure_indices(es, names)
    wanted = set(only) if only else None
    enabled = [f for f in feeds.enabled() if wanted is None or f.name in wanted]
    states = {f.name: load_state(es, names, f) for f in enabled}
    runs: list[FeedRun] = []
    client = make_client(feeds.defaults)

    def fetch_one(f: FeedConfig) -> tuple[FeedConfig, FetchResult, float]:
        t0 = time.perf_counter()
        r = fetch_feed(client, f, states[f.name], now, defaults=feeds.defaults)
        return f, r, time.perf_counter() - t0

    def done(run: FeedRun) -> None:
        runs.append(run)
        if on_feed:
            on_feed(run)

    try:
        with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(enabled) or 1))) as pool:
            if cpu_workers <= 1:
                for f, result, secs in pool.map(fetch_one, enabled):
                    done(_process_guarded(f, result, states[f.name], es=es, names=names, comps=comps,
                                          now=clock() if clock else now, fetch_seconds=secs, clock=clock))
            else:
                import multiprocessing
                from concurrent.futures import ProcessPoolExecutor, as_completed

                with ProcessPoolExecutor(
                    max_workers=cpu_workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_worker_init,
                    initargs=(store.es_url(es), names.prefix, comps.topics_path, comps.entities_path),
                ) as procs:
                    futures = [procs.submit(_worker_process, f, result, states[f.name],
                                            None if clock else now, secs)
                               for f, result, secs in pool.map(fetch_one, enabled)]
                    for fut in as_completed(futures):
                        done(fut.result())
                merged = reconcile_stories(es, names, [i for r in runs for i in r.indexed_ids])
                if merged:
                    log.info("merged %d articles into stories started by another worker", merged)
    finally:
        client.close()
    order = {f.name: n for n, f in enumerate(enabled)}
    return sorted(runs, key=lambda r: order.get(r.feed, 0))


def totals(runs: Iterable[FeedRun]) -> StageCounts:
    total = StageCounts()
    for r in runs:
        total.merge(r.counts)
    return total


def config_file(path: str | Path | None) -> str | None:
    return str(path) if path else None
