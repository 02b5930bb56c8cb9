"""Job entry points shared by the Airflow DAGs and the CLI (the I/O edge: reads the clock, env, connections).

DAG files only wire these; each returns a small dict (ids and counts, never article bodies) fit for XCom.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from pipeline.core.records import FeedOutcome
from pipeline.core.settings import DagSettings, Settings

log = logging.getLogger(__name__)

ARTICLES_ASSET_URI = "newsmon://articles"


def utcnow() -> datetime:
    """The one clock read of a job; stages get the time as an argument."""
    return datetime.now(UTC)


def settings_from_airflow(conn_id: str | None = None) -> Settings:
    """Settings from the Airflow Connection (`NEWSMON_ES_CONN_ID`, default `newsmon_es`) when it exists, else the
    environment. The Connection's login/password/extras go into the returned value, never into `os.environ`."""
    base = Settings.from_env()
    conn_id = conn_id or DagSettings.from_env().es_conn_id
    try:
        from airflow.sdk import BaseHook

        conn = BaseHook.get_connection(conn_id)
    except Exception:  # not under Airflow, or no such connection: the environment's settings
        return base
    return Settings.from_connection(host=conn.host, port=conn.port, schema=conn.schema, conn_type=conn.conn_type,
                                   login=conn.login, password=conn.password, extra=conn.extra_dejson, base=base)


def list_feed_names(feeds_path: str | None = None) -> list[str]:
    """Names of the enabled feeds (the DAG maps one task over each)."""
    from pipeline.ingest.feeds import load_feeds

    return [f.name for f in load_feeds(feeds_path).enabled()]


def ingest_one(feed_name: str, feeds_path: str | None = None, settings: Settings | None = None) -> dict[str, Any]:
    """Fetch, parse, normalise, detect, extract, cluster and index one feed; return its counts."""
    from pipeline.index import store
    from pipeline.ingest.feeds import load_feeds
    from pipeline.jobs.runner import run_feed
    from pipeline.jobs.stages import Components

    settings = settings or settings_from_airflow()
    feeds = load_feeds(feeds_path)
    feed = feeds.by_name(feed_name)
    es = store.connect(settings)
    names = store.IndexNames(settings.index_prefix)
    store.verify_indices(es, names)
    run = run_feed(feed, es=es, names=names, comps=Components(), now=utcnow(),
                          defaults=feeds.defaults)
    summary = run.summary()
    log.info("feed %s: %s %s", feed_name, run.outcome, summary["counts"])
    if run.outcome == FeedOutcome.ERROR:
        log.warning("feed %s failed: %s", feed_name, run.error)
    return summary


def merge_stories_and_total(results: Iterable[dict[str, Any]], settings: Settings | None = None) -> dict[str, Any]:
    """Merge stories split across parallel feed tasks (a write), then per-status totals; raises if every feed
    failed. Assumes one news_ingest run at a time (`max_active_runs=1`): see `reconcile_stories`."""
    from pipeline.index import store
    from pipeline.jobs.parallel import merge_split_stories

    results = [r for r in results if r]
    ids = [i for r in results for i in r.get("indexed_ids", [])]
    merged = 0
    if ids:
        settings = settings or settings_from_airflow()
        es = store.connect(settings)
        merged = merge_split_stories(es, store.IndexNames(settings.index_prefix), ids, utcnow())
    totals: dict[str, int] = {}
    failed = []
    for r in results:
        for k, v in r.get("counts", {}).items():
            totals[k] = totals.get(k, 0) + int(v)
        if r.get("outcome") == FeedOutcome.ERROR:
            failed.append(f"{r['feed']}: {r.get('error')}")
    log.info("ingest totals: %s", totals)
    for line in failed:
        log.warning("failed feed %s", line)
    if results and len(failed) == len(results):
        raise RuntimeError(f"all {len(results)} feeds failed; first: {failed[0]}")
    return {"feeds": len(results), "failed_feeds": len(failed), "counts": totals, "stories_merged": merged}


def run_alerts(rules_path: str | None = None, settings: Settings | None = None) -> dict[str, Any]:
    """Evaluate the alert rules over newly indexed stories and deliver (exactly once per rule and story)."""
    from pipeline.alerts.deliver import run_alerts as run_alert_rules
    from pipeline.alerts.rules import load_alert_rules
    from pipeline.index import store

    settings = settings or settings_from_airflow()
    es = store.connect(settings)
    names = store.IndexNames(settings.index_prefix)
    store.verify_indices(es, names)
    report = run_alert_rules(es, names, load_alert_rules(rules_path), utcnow())
    log.info("alerts: %s", report.summary())
    return report.to_dict()


def default_args(retry_delay_s: int, max_retry_delay_min: int, retries: int | None = None) -> dict[str, Any]:
    """Task defaults shared by the DAGs: retries (`NEWSMON_TASK_RETRIES`, default 3) with exponential backoff and
    a clear failure log line."""
    from datetime import timedelta

    return {
        "owner": "newsmon",
        "retries": DagSettings.from_env().task_retries if retries is None else retries,
        "retry_delay": timedelta(seconds=retry_delay_s),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=max_retry_delay_min),
        "on_failure_callback": log_failure,
    }


def log_failure(context: dict[str, Any]) -> None:
    """Airflow on_failure_callback: one clear line naming the DAG, task, map index, try and the error."""
    ti = context.get("task_instance") or context.get("ti")
    exc = context.get("exception")
    log.error(
        "newsmon task failed: dag=%s task=%s map_index=%s try=%s error=%s",
        getattr(ti, "dag_id", "?"),
        getattr(ti, "task_id", "?"),
        getattr(ti, "map_index", "?"),
        getattr(ti, "try_number", "?"),
        f"{type(exc).__name__}: {exc}" if exc else "unknown",
    )
