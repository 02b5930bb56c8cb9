"""news_ingest: poll every enabled feed (one mapped task per feed), index topical stories, emit the articles Asset.

Thin wiring only: the work is in pipeline.jobs.tasks / pipeline.jobs.runner, which also run from `newsmon run --once`.
Interval: NEWSMON_INGEST_INTERVAL_MINUTES (default 10). ES: Airflow Connection `newsmon_es`, else NEWSMON_ES_URL.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import Asset, dag, task

from pipeline.jobs.tasks import ARTICLES_ASSET_URI, default_args

ARTICLES = Asset(name="newsmon_articles", uri=ARTICLES_ASSET_URI)
INTERVAL_MINUTES = int(os.environ.get("NEWSMON_INGEST_INTERVAL_MINUTES", "10"))

DEFAULT_ARGS = default_args(retry_delay_s=30, max_retry_delay_min=10)


@dag(
    dag_id="news_ingest",
    schedule=timedelta(minutes=INTERVAL_MINUTES),
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["newsmon", "ingest"],
    default_args=DEFAULT_ARGS,
    doc_md=__doc__,
)
def news_ingest() -> None:
    @task
    def list_feeds() -> list[str]:
        from pipeline.jobs.tasks import list_feed_names

        return list_feed_names()

    @task(max_active_tis_per_dagrun=4)
    def ingest_feed(feed_name: str) -> dict[str, Any]:
        from pipeline.jobs.tasks import ingest_one

        return ingest_one(feed_name)

    @task(outlets=[ARTICLES])
    def summarise(results: list[dict[str, Any]]) -> dict[str, Any]:
        from pipeline.jobs.tasks import summarise as summarise_results

        return summarise_results(results)

    summarise(ingest_feed.expand(feed_name=list_feeds()))  # type: ignore[arg-type]  # XComArg -> list at run time


news_ingest()
