"""One feed's ingestion pass: fetch -> parse -> the ingest stages (normalise ... index) -> feed state.

The same functions run from `newsmon run --once` (through `pipeline.jobs.parallel`) and from the Airflow DAG (one
mapped task per feed, `pipeline.jobs.tasks.ingest_one`). The stages after parsing are `stages.INGEST_STAGES`, run
by `stages.run_stages` over chunks of a feed. Outcomes are typed (`pipeline.core.records`): a feed ends
`fetched`, `not-modified` or `error` (plus `unparseable` / `feed-problem` notes); each item ends `indexed`,
`updated`, `archived`, `duplicate`, `duplicate-in-feed`, `bad-item` or `failed`. Feed state (validators) advances
only after the feed's items are indexed, so a crash re-fetches rather than loses.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime

import httpx
from elasticsearch import Elasticsearch

from pipeline.core.records import FeedNote, FeedOutcome, ProblemKind, StageCounts
from pipeline.index.names import IndexNames
from pipeline.ingest.feeds import FeedConfig, FetchDefaults
from pipeline.ingest.feedstate import load_state, save_state
from pipeline.ingest.fetch import FeedState, FetchResult, as_unparseable, fetch_feed, make_client, next_state
from pipeline.ingest.parse import parse_feed
from pipeline.jobs.stages import INGEST_STAGES, Components, FeedRun, Stage, StageContext, run_stages

log = logging.getLogger(__name__)

CHUNK_ITEMS = 500  # items of one feed enriched and indexed together (bounds memory on very long feeds)


def process_fetched(
    feed: FeedConfig,
    result: FetchResult,
    state: FeedState | None,
    *,
    es: Elasticsearch,
    names: IndexNames,
    comps: Components,
    now: datetime,
    run: FeedRun | None = None,
    clock: Callable[[], datetime] | None = None,
    stages: tuple[Stage, ...] = INGEST_STAGES,
) -> FeedRun:
    """Everything after the fetch for one feed, ending with its state saved. Never raises for bad content.

    `now` is the fetch time; `clock`, when given, stamps each chunk's `ingested_at` just before it is indexed
    (on a long feed the last chunk is indexed well after the first, and alert latency counts from that stamp).
    """
    run = run or FeedRun(feed.name)
    run.outcome = result.outcome
    run.counts.add(result.outcome)
    items_count = 0
    ctx = StageContext(comps=comps, now=now, run=run, es=es, names=names, feed=feed, clock=clock)
    if result.outcome == FeedOutcome.FETCHED and result.body is not None:
        with run.timed("parse"):
            parsed = parse_feed(result.body, feed_name=feed.name, feed_url=result.final_url or feed.url,
                                content_type=result.content_type)  # fmt: skip
        not_a_feed = [p for p in parsed.problems if p.kind is ProblemKind.NOT_A_FEED]
        if not parsed.items and not_a_feed:
            result = as_unparseable(result, not_a_feed[0])
            run.outcome, run.error = result.outcome, result.error
            run.counts.add(FeedNote.UNPARSEABLE)
        elif parsed.problems:
            run.counts.add(FeedNote.FEED_PROBLEM)
            log.warning("feed %s: %s", feed.name, "; ".join(parsed.problems[:5]))
        items_count = len(parsed.items)
        # in chunks, so a huge feed never holds more than CHUNK_ITEMS enriched items (memory stays flat)
        for start in range(0, items_count, CHUNK_ITEMS):
            run_stages(stages, list(parsed.items[start : start + CHUNK_ITEMS]), ctx)
        del parsed
    elif result.outcome == FeedOutcome.ERROR:
        run.error = result.error
    if state is None:
        state = FeedState.initial(feed)
    if ctx.index_ok:
        new_state = next_state(state, result, now, items_count)
    else:  # keep the old validators so the next run re-fetches everything; record the failure
        failed = replace(result, outcome=FeedOutcome.ERROR, body=None,
                         error="some items could not be indexed; will re-fetch")  # fmt: skip
        new_state = next_state(state, failed, now, items_count)
    try:
        save_state(es, names, new_state)
    except Exception as exc:  # state is an optimisation: items are already indexed idempotently
        log.error("feed %s: could not save fetch state: %s", feed.name, exc)
    return run


def run_feed(
    feed: FeedConfig,
    *,
    es: Elasticsearch,
    names: IndexNames,
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


def process_guarded(
    feed: FeedConfig,
    result: FetchResult,
    state: FeedState | None,
    *,
    es: Elasticsearch,
    names: IndexNames,
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
        run.outcome, run.error = FeedOutcome.ERROR, f"{type(exc).__name__}: {exc}"
        run.counts.add(FeedOutcome.ERROR)
    return run


def totals(runs: Iterable[FeedRun]) -> StageCounts:
    """Outcome counts summed over feeds."""
    total = StageCounts()
    for r in runs:
        total.merge(r.counts)
    return total
