"""news_ingest: poll every enabled feed (one mapped task per feed), index topical stories, emit the articles Asset.

Thin wiring only: the work is in pipeline.jobs.tasks / pipeline.jobs.runner, which also run from `newsmon run --once`.
Knobs (pipeline.core.settings): NEWSMON_INGEST_INTERVAL_MINUTES, NEWSMON_FEED_TASK_CONCURRENCY, NEWSMON_TASK_RETRIES,
NEWSMON_ASSET_NAME. ES: the Airflow Connection NEWSMON_ES_CONN_ID (default `newsmon_es`), else NEWSMON_ES_URL.
The indices must exist (`newsmon es setup`); tasks verify and fail clearly otherwise.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import Asset, dag, task

from pipeline.core.settings import DagSettings
from pipeline.jobs.tasks import ARTICLES_ASSET_URI, default_args

KNOBS = DagSettings.from_env()
ARTICLES = Asset(name=KNOBS.asset_name, uri=ARTICLES_ASSET_URI)

DEFAULT_ARGS = default_args(retry_delay_s=30, max_retry_delay_min=10)


@dag(
    dag_id="news_ingest",
    schedule=timedelta(minutes=KNOBS.ingest_interval_minutes),
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

    @task(max_active_tis_per_dagrun=KNOBS.feed_task_concurrency)
    def ingest_feed(feed_name: str) -> dict[str, Any]:
        from pipeline.jobs.tasks import ingest_one

        return ingest_one(feed_name)

    @task(outlets=[ARTICLES])
    def merge_stories_and_total(results: list[dict[str, Any]]) -> dict[str, Any]:
        from pipeline.jobs.tasks import merge_stories_and_total as merge_and_total

        return merge_and_total(results)

    merge_stories_and_total(ingest_feed.expand(feed_name=list_feeds()))  # type: ignore[arg-type]  # XComArg -> list at run time


news_ingest()
