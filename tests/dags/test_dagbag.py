"""DagBag integrity and house rules for every DAG file in dags/ (thin, cheap to parse, safe to retry)."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from pipeline.jobs.tasks import ARTICLES_ASSET_URI
from tests.dags.conftest import DAGS_DIR
from tests.support.feedserver import refused_port

pytestmark = pytest.mark.airflow

DAG_FILES = sorted(p for p in DAGS_DIR.glob("*.py") if not p.name.startswith("_"))
MAX_PARSE_SECONDS = 2.0


def test_dag_files_exist() -> None:
    assert {p.stem for p in DAG_FILES} >= {"news_ingest", "news_alerts"}


def test_dagbag_has_no_import_errors(dagbag: Any) -> None:
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) == {p.stem for p in DAG_FILES}


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.stem)
def test_house_rules(dagbag: Any, path: Path) -> None:
    dag = dagbag.get_dag(path.stem)
    assert dag is not None, f"{path.name} must define a DAG with dag_id == {path.stem!r}"
    assert Path(dag.fileloc).resolve() == path.resolve()
    assert dag.catchup is False
    assert dag.max_active_runs == 1
    assert dag.tags, "tags must not be empty"
    assert "newsmon" in dag.tags
    assert dag.doc_md, "the DAG needs a short doc (shown in the UI)"
    assert dag.tasks
    for t in dag.tasks:
        assert t.retries >= 2, f"{dag.dag_id}.{t.task_id}: retries={t.retries}"
        assert t.retry_delay >= timedelta(seconds=10), f"{dag.dag_id}.{t.task_id}: retry_delay={t.retry_delay}"
        assert t.on_failure_callback, f"{dag.dag_id}.{t.task_id}: no on_failure_callback"


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.stem)
def test_parse_is_fast_and_offline(airflow_db: Path, path: Path, monkeypatch: pytest.MonkeyPatch,
                                   tmp_path: Path) -> None:  # fmt: skip
    """Parsing touches neither ES nor config: a closed ES port and an empty config dir change nothing."""
    from airflow.dag_processing.dagbag import DagBag

    with refused_port() as dead_url:
        monkeypatch.setenv("NEWSMON_ES_URL", dead_url.rsplit("/", 1)[0])
        monkeypatch.setenv("AIRFLOW_CONN_NEWSMON_ES", dead_url.rsplit("/", 1)[0])
        monkeypatch.setenv("NEWSMON_CONFIG_DIR", str(tmp_path))  # no feeds.yaml, no alerts.yaml here
        t0 = time.perf_counter()
        bag = DagBag(dag_folder=str(path))
        elapsed = time.perf_counter() - t0
    assert bag.import_errors == {}
    assert bag.dag_ids == [path.stem]
    assert elapsed < MAX_PARSE_SECONDS, f"{path.name} took {elapsed:.2f}s to parse"


def test_ingest_shape(dagbag: Any) -> None:
    dag = dagbag.get_dag("news_ingest")
    assert set(dag.task_ids) == {"list_feeds", "ingest_feed", "merge_stories_and_total"}
    ingest = dag.get_task("ingest_feed")
    assert ingest.upstream_task_ids == {"list_feeds"}
    assert dag.get_task("merge_stories_and_total").upstream_task_ids == {"ingest_feed"}
    assert ingest.max_active_tis_per_dagrun and ingest.max_active_tis_per_dagrun >= 1
    outlets = dag.get_task("merge_stories_and_total").outlets
    assert [o.uri.rstrip("/") for o in outlets] == [ARTICLES_ASSET_URI]  # Airflow normalises to a trailing /


def _core(timetable: Any) -> Any:
    from airflow.serialization.encoders import coerce_to_core_timetable

    return coerce_to_core_timetable(timetable)


def test_alerts_runs_on_the_articles_asset_or_cron(dagbag: Any) -> None:
    """Defaults (the session DagBag was parsed without NEWSMON_INGEST_INTERVAL_MINUTES / NEWSMON_ALERTS_CRON)."""
    alerts, ingest = dagbag.get_dag("news_alerts"), dagbag.get_dag("news_ingest")
    assert set(alerts.task_ids) == {"run_alert_rules"}
    # the Asset ingest emits wakes alerts
    scheduled_on = list(alerts.timetable.asset_condition.objects)
    assert scheduled_on == list(ingest.get_task("merge_stories_and_total").outlets)
    assert _core(alerts.timetable).summary == "Asset or */15 * * * *"
    assert _core(ingest.timetable).summary == str(timedelta(minutes=10))


def test_schedules_follow_env(airflow_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from airflow.dag_processing.dagbag import DagBag

    monkeypatch.setenv("NEWSMON_INGEST_INTERVAL_MINUTES", "3")
    monkeypatch.setenv("NEWSMON_ALERTS_CRON", "*/7 * * * *")
    bag = DagBag(dag_folder=str(DAGS_DIR))
    assert bag.import_errors == {}
    assert _core(bag.dags["news_ingest"].timetable).summary == str(timedelta(minutes=3))
    assert _core(bag.dags["news_alerts"].timetable).summary == "Asset or */7 * * * *"
