"""`dag.test()` of both DAGs against real local feeds, the real Elasticsearch and a real webhook receiver.

Counts are read from Elasticsearch (articles read alias, items archive, alert ledger) and from the receiver,
never from logs. Tasks run with retries=0 here so that a broken task fails the test at once.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from elasticsearch import Elasticsearch

from pipeline.core.settings import Settings
from pipeline.index import store
from tests.dags.conftest import DAGS_DIR, FIXTURES, REPO
from tests.support.feedserver import FeedServer, Route
from tests.support.receivers import WebhookReceiver

pytestmark = [pytest.mark.airflow, pytest.mark.es]

TOPICAL_TITLES = {
    "Myanmar junta imposes martial law in three more townships",
    "Russian Foreign Ministry summons envoy over embassy dispute",
    "ASEAN foreign ministers issue joint statement on regional security",
}
ALL_ITEMS = 6


@pytest.fixture(scope="module")
def dags(airflow_db: Path) -> dict[str, Any]:
    """A private DagBag (its DAG objects get retries=0 without touching the session one)."""
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS_DIR))
    assert bag.import_errors == {}
    for dag in bag.dags.values():
        for task in dag.tasks:
            task.retries = 0
    return bag.dags


def _feed_bodies(now: datetime) -> dict[str, bytes]:
    hour_ago = (now - timedelta(hours=1)).replace(microsecond=0)
    rfc, iso = format_datetime(hour_ago, usegmt=True), hour_ago.isoformat().replace("+00:00", "Z")
    out = {}
    for name in ("desk.xml", "wire.atom"):
        text = (FIXTURES / name).read_text(encoding="utf-8").replace("@@DATE@@", rfc).replace("@@ISODATE@@", iso)
        out[name] = text.encode("utf-8")
    return out


@pytest.fixture
def newsmon_env(
    index_names: store.IndexNames,
    feed_server: FeedServer,
    webhook_receiver: WebhookReceiver,
    es_node: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> store.IndexNames:
    """Feeds on the local server, a config dir for them, ES via the `newsmon_es` Connection, a webhook target."""
    bodies = _feed_bodies(datetime.now(UTC))
    feed_server.add("/desk.xml", Route(body=bodies["desk.xml"], etag='"desk-v1"'))
    feed_server.add("/wire.atom", Route(body=bodies["wire.atom"], etag='"wire-v1"',
                                        content_type="application/atom+xml; charset=utf-8"))  # fmt: skip
    cfg = tmp_path / "config"
    cfg.mkdir()
    for name in ("topics.yaml", "entities.yaml"):
        shutil.copyfile(REPO / "config" / name, cfg / name)
    feeds = {
        "defaults": {"timeout_seconds": 5, "retries": 0},
        "feeds": [
            {"name": "test-desk", "url": feed_server.url("/desk.xml"), "language": "en"},
            {"name": "test-wire", "url": feed_server.url("/wire.atom"), "language": "en"},
        ],
    }
    (cfg / "feeds.yaml").write_text(yaml.safe_dump(feeds), encoding="utf-8")
    alerts = {
        "settings": {"settle_seconds": 0, "overlap_minutes": 5},
        "channels": {"hook": {"type": "webhook", "url_env": "NEWSMON_WEBHOOK_URL"}},
        "rules": [
            {
                "name": "every-topic",
                "filter": {"topics_any": ["myanmar", "asean", "russian_diplomacy"]},
                "channel": "hook",
                "mode": "per_story",
                "backfill": "1d",
            }
        ],
    }
    (cfg / "alerts.yaml").write_text(yaml.safe_dump(alerts), encoding="utf-8")
    monkeypatch.setenv("NEWSMON_CONFIG_DIR", str(cfg))
    monkeypatch.setenv("NEWSMON_WEBHOOK_URL", webhook_receiver.url)
    monkeypatch.setenv("AIRFLOW_CONN_NEWSMON_ES", es_node.es_url)  # tasks read ES from the Connection
    return index_names


def _count(es: Elasticsearch, index: str, query: dict[str, Any] | None = None) -> int:
    es.indices.refresh(index=index)
    return int(es.count(index=index, query=query or {"match_all": {}})["count"])


def _articles(es: Elasticsearch, names: store.IndexNames) -> dict[str, dict[str, Any]]:
    es.indices.refresh(index=names.articles)
    hits = es.search(index=names.articles, size=100, query={"match_all": {}})["hits"]["hits"]
    return {h["_id"]: h["_source"] for h in hits}


def _run(dag: Any) -> Any:
    dr = dag.test()
    assert dr is not None
    assert str(dr.state) in ("success", "DagRunState.SUCCESS"), f"{dag.dag_id} run ended {dr.state}"
    return dr


def test_ingest_indexes_feeds_once(dags: dict[str, Any], newsmon_env: store.IndexNames, es: Elasticsearch,
                                   feed_server: FeedServer) -> None:  # fmt: skip
    names = newsmon_env
    _run(dags["news_ingest"])
    first = _articles(es, names)
    assert {a["title"] for a in first.values()} == TOPICAL_TITLES
    assert _count(es, names.items) == ALL_ITEMS
    assert {a["source"]["name"] for a in first.values()} == {"test-desk", "test-wire"}
    assert all(a.get("story_id") and a.get("topics") for a in first.values())

    _run(dags["news_ingest"])  # a second poll: nothing new, nothing duplicated, first ingested_at kept
    second = _articles(es, names)
    assert second.keys() == first.keys()
    assert {k: v["ingested_at"] for k, v in second.items()} == {k: v["ingested_at"] for k, v in first.items()}
    assert _count(es, names.items) == ALL_ITEMS
    for path, etag in (("/desk.xml", '"desk-v1"'), ("/wire.atom", '"wire-v1"')):
        reqs = feed_server.requests_for(path)
        assert len(reqs) == 2
        assert reqs[1].headers.get("if-none-match") == etag  # feed state persisted in ES between DAG runs


def test_ingest_survives_one_broken_feed(dags: dict[str, Any], newsmon_env: store.IndexNames, es: Elasticsearch,
                                         feed_server: FeedServer) -> None:  # fmt: skip
    feed_server.add("/desk.xml", Route(status=404, body=b"gone"))
    _run(dags["news_ingest"])  # the run stays green while at least one feed works
    titles = {a["title"] for a in _articles(es, newsmon_env).values()}
    assert titles == {"ASEAN foreign ministers issue joint statement on regional security"}


def test_alerts_deliver_each_story_exactly_once(
    dags: dict[str, Any], newsmon_env: store.IndexNames, es: Elasticsearch, webhook_receiver: WebhookReceiver
) -> None:
    names = newsmon_env
    _run(dags["news_ingest"])
    stories = {a["story_id"] for a in _articles(es, names).values()}
    assert len(stories) == len(TOPICAL_TITLES)

    _run(dags["news_alerts"])
    assert _count(es, names.alerts, {"term": {"status": "delivered"}}) == len(stories)
    assert _count(es, names.alerts) == len(stories)
    assert len(webhook_receiver.accepted) == len(stories)
    keys = {r.headers.get("idempotency-key") for r in webhook_receiver.accepted}
    assert len(keys) == len(stories) and None not in keys

    _run(dags["news_alerts"])  # a re-run (retry, restart, late trigger) sends nothing again
    _run(dags["news_ingest"])
    _run(dags["news_alerts"])
    assert _count(es, names.alerts) == len(stories)
    assert len(webhook_receiver.accepted) == len(stories)
