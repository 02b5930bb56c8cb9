"""`newsmon run --once`: one pass over every enabled feed without Airflow, optionally in worker processes.

Fetches run concurrently in threads (I/O bound); processing runs feed by feed in this process, or in
`cpu_workers` spawn-started processes that each load the models once and get the connection `Settings` by value
(never a URL string: a secured multi-node cluster needs the host list, credentials and CA). Stories that two
workers started separately for copies of one story are merged afterwards (`stories.reconcile`).
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from elasticsearch import Elasticsearch

from pipeline.alerts.ledger import record_merges
from pipeline.core.settings import Settings
from pipeline.index import store
from pipeline.index.names import IndexNames
from pipeline.ingest.feeds import FeedConfig, FeedsFile
from pipeline.ingest.feedstate import load_states
from pipeline.ingest.fetch import FeedState, FetchResult, fetch_feed, make_client
from pipeline.jobs.runner import process_guarded
from pipeline.jobs.stages import Components, FeedRun
from pipeline.stories.reconcile import reconcile_stories

log = logging.getLogger(__name__)

_WORKER: dict[str, Any] = {}


def _worker_init(settings: Settings, topics_path: str | None, entities_path: str | None) -> None:
    """Per-process setup for parallel processing: ES client and compiled rules/models, loaded once."""
    _WORKER["es"] = store.connect(settings)
    _WORKER["names"] = IndexNames(settings.index_prefix)
    comps = Components(topics_path, entities_path)
    comps.detector.detect("", "")
    comps.extractor.extract_many(["Warm up."])
    _WORKER["comps"] = comps
    # the models' hundreds of thousands of long-lived objects are never garbage: keep the cyclic collector off
    # them (it otherwise re-scans them on every full collection; docs/benchmarks.md has the figure)
    gc.freeze()


def _worker_process(
    feed: FeedConfig, result: FetchResult, state: FeedState | None, now: datetime | None, fetch_seconds: float
) -> FeedRun:
    """Process one fetched feed in a worker process (`now=None`: stamp each chunk with the worker's clock)."""

    def clock() -> datetime:
        return datetime.now(UTC)

    return process_guarded(feed, result, state, es=_WORKER["es"], names=_WORKER["names"], comps=_WORKER["comps"],
                           now=now or clock(), fetch_seconds=fetch_seconds, clock=None if now else clock)


def merge_split_stories(es: Elasticsearch, names: IndexNames, article_ids: list[str], now: datetime) -> int:
    """After parallel workers: merge stories they split (`stories.reconcile`) and record each merge in the alert
    ledger, so a merged event never alerts a rule twice. Returns the articles moved."""
    merges = reconcile_stories(es, names, article_ids)
    if merges:
        record_merges(es, names, [(m.merged, m.into) for m in merges], now)
        log.info("merged %d stories (%d articles) started separately by parallel workers", len(merges),
                 sum(m.moved for m in merges))  # fmt: skip
    return sum(m.moved for m in merges)


def run_once(
    feeds: FeedsFile,
    *,
    es: Elasticsearch,
    names: IndexNames,
    comps: Components,
    now: datetime,
    max_workers: int = 8,
    on_feed: Callable[[FeedRun], None] | None = None,
    only: Iterable[str] | None = None,
    clock: Callable[[], datetime] | None = None,
    cpu_workers: int = 1,
    settings: Settings | None = None,
) -> list[FeedRun]:
    """One pass over all enabled feeds: concurrent fetches (bounded), then processing feed by feed.

    `now` is the fetch time; `clock`, when given, stamps each chunk's `ingested_at` as it is indexed (so alert
    latency is measured from the real indexing moment on long passes). `cpu_workers` > 1 processes feeds in
    that many worker processes (each loads the models once and connects with `settings`, by default the
    environment's with `names.prefix`), then merges stories split between them. The indices must exist
    (`newsmon es setup`): `store.IndexMissing` otherwise.
    """
    store.verify_indices(es, names)
    wanted = set(only) if only else None
    enabled = [f for f in feeds.enabled() if wanted is None or f.name in wanted]
    states = load_states(es, names, enabled)
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
                    done(process_guarded(f, result, states[f.name], es=es, names=names, comps=comps,
                                         now=clock() if clock else now, fetch_seconds=secs, clock=clock))
            else:
                import multiprocessing
                from concurrent.futures import ProcessPoolExecutor, as_completed

                worker_settings = replace(settings or Settings.from_env(), index_prefix=names.prefix)
                with ProcessPoolExecutor(
                    max_workers=cpu_workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_worker_init,
                    initargs=(worker_settings, comps.topics_path, comps.entities_path),
                ) as procs:
                    futures = [procs.submit(_worker_process, f, result, states[f.name],
                                            None if clock else now, secs)
                               for f, result, secs in pool.map(fetch_one, enabled)]  # fmt: skip
                    for fut in as_completed(futures):
                        done(fut.result())
                merge_split_stories(es, names, [i for r in runs for i in r.indexed_ids], clock() if clock else now)
    finally:
        client.close()
    order = {f.name: n for n, f in enumerate(enabled)}
    return sorted(runs, key=lambda r: order.get(r.feed, 0))
