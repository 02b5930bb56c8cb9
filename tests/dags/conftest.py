"""Airflow test environment for the DAG tests (the only tests that import Airflow).

At import time, before anything imports `airflow`, point AIRFLOW_HOME and the metadata DB at a temporary
directory and the DAGs folder at `dags/`; the session fixture `airflow_db` then runs `airflow db migrate` once.
Feeds and webhooks are real local servers (tests/support); Elasticsearch is the real node (tests/conftest.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.feedserver import feed_server
from tests.support.receivers import webhook_receiver

REPO = Path(__file__).resolve().parents[2]
DAGS_DIR = REPO / "dags"
FIXTURES = REPO / "tests" / "fixtures" / "dags"

_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="newsmon-airflow-test-"))
AIRFLOW_ENV = {
    "AIRFLOW_HOME": str(_AIRFLOW_HOME),
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_DIR),
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{_AIRFLOW_HOME / 'airflow.db'}",
    "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
    "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
    "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
}
os.environ.update(AIRFLOW_ENV)
if "airflow" in sys.modules:  # pragma: no cover - would silently use the wrong home/DB
    raise RuntimeError("airflow was imported before tests/dags/conftest.py could set AIRFLOW_HOME")

__all__ = ["feed_server", "webhook_receiver"]


@pytest.fixture(scope="session")
def airflow_db() -> Iterator[Path]:
    """A migrated Airflow metadata DB in the temporary AIRFLOW_HOME (removed after the session)."""
    env = {**os.environ, **AIRFLOW_ENV, "PYTHONPATH": str(REPO)}
    airflow_bin = Path(sys.executable).parent / "airflow"
    proc = subprocess.run([str(airflow_bin), "db", "migrate"], env=env, capture_output=True, text=True,
                          timeout=300, check=False)  # fmt: skip
    if proc.returncode != 0:
        pytest.fail(f"`airflow db migrate` failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    yield _AIRFLOW_HOME
    shutil.rmtree(_AIRFLOW_HOME, ignore_errors=True)


@pytest.fixture(scope="session")
def dagbag(airflow_db: Path):  # type: ignore[no-untyped-def]
    """DagBag over dags/ (examples excluded)."""
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_DIR))
