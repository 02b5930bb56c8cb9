"""news_alerts: run the alert rules whenever news_ingest updates the articles Asset, and every 15 minutes anyway.

Thin wiring only: the work is in pipeline.alerts.engine (via pipeline.jobs.tasks.run_alerts), also `newsmon alerts run`.
"""

from __future__ import annotations

import os
from typing import Any

import pendulum
from airflow.sdk import Asset, AssetOrTimeSchedule, CronTriggerTimetable, dag, task

from pipeline.jobs.tasks import ARTICLES_ASSET_URI, default_args

ARTICLES = Asset(name="newsmon_articles", uri=ARTICLES_ASSET_URI)
FALLBACK_CRON = os.environ.get("NEWSMON_ALERTS_CRON", "*/15 * * * *")


@dag(
    dag_id="news_alerts",
    schedule=AssetOrTimeSchedule(timetable=CronTriggerTimetable(FALLBACK_CRON, timezone="UTC"), assets=[ARTICLES]),
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["newsmon", "alerts"],
    default_args=default_args(retry_delay_s=20, max_retry_delay_min=5),
    doc_md=__doc__,
)
def news_alerts() -> None:
    @task
    def run_alert_rules() -> dict[str, Any]:
        from pipeline.jobs.tasks import run_alerts

        return run_alerts()

    run_alert_rules()


news_alerts()
