"""news_alerts: run the alert rules whenever news_ingest updates the articles Asset, and on NEWSMON_ALERTS_CRON anyway.

Thin wiring only: the work is in pipeline.alerts (via pipeline.jobs.tasks.run_alerts), also `newsmon alerts run`.
"""

from __future__ import annotations

from typing import Any

import pendulum
from airflow.sdk import Asset, AssetOrTimeSchedule, CronTriggerTimetable, dag, task

from pipeline.core.settings import DagSettings
from pipeline.jobs.tasks import ARTICLES_ASSET_URI, default_args

KNOBS = DagSettings.from_env()
ARTICLES = Asset(name=KNOBS.asset_name, uri=ARTICLES_ASSET_URI)


@dag(
    dag_id="news_alerts",
    schedule=AssetOrTimeSchedule(timetable=CronTriggerTimetable(KNOBS.alerts_cron, timezone="UTC"), assets=[ARTICLES]),
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
