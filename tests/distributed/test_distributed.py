"""The distributed mode for real: Airflow's CeleryExecutor on local PostgreSQL + Redis, two Celery workers, and a
secured 3-node Elasticsearch cluster (TLS, file-realm users, roles confined to the prefix), with faults.

No mocks and no `dag.test()`: the real scheduler queues the mapped feed tasks on Redis, two workers run them, the
tasks write through the `newsmon_es` Connection (all three node URLs, the cluster's CA, the `newsmon` user).
During the run we SIGKILL one Elasticsearch node, SIGKILL a Celery worker's process group while it holds a task,
and restart Redis. Counts come from Elasticsearch, the metadata DB and the webhook receiver. Fails (never skips)
when PostgreSQL, Redis or Java is missing. The test prints its wall time and the figures of the closing note.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg2
import pytest
import yaml

from pipeline.core.settings import Settings
from pipeline.devtools import cluster, esnode
from pipeline.devtools.distributed import Stack
from pipeline.devtools.services import free_port
from pipeline.index import store
from tests.support.feedserver import FeedServer, Route
from tests.support.receivers import WebhookReceiver

pytestmark = [pytest.mark.distributed]

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "dags"
FEEDS = 20
PREFIX = f"newsmon-dist-{uuid.uuid4().hex[:8]}"


def _free_base(n: int = 3) -> int:
    """A port p with p..p+n-1 (HTTP) and p+100.. (transport) all free on 127.0.0.1."""
    for _ in range(200):
        p = free_port()
        if p > 64000:
            continue
        ports = [p + i for i in range(n)] + [p + 100 + i for i in range(n)]
        if not any(esnode.port_open("127.0.0.1", q) for q in ports):
            return p
    raise AssertionError("no free port range for the cluster")


def _state_dir(name: str) -> Path:
    """A fresh dir the unprivileged service user can reach (pytest's tmp dirs are 0700 root when run as root)."""
    path = Path(tempfile.mkdtemp(prefix=f"newsmon-{name}-"))
    path.chmod(0o755)
    return path


@pytest.fixture(scope="module")
def secured_cluster() -> Iterator[cluster.ClusterConfig]:
    t0 = time.monotonic()
    cfg = cluster.ClusterConfig(node=replace(esnode.NodeConfig.from_env(), port=_free_base()),
                                state_dir=_state_dir("cluster"), index_prefix="newsmon")  # fmt: skip
    try:
        print(cluster.start(cfg, progress=print), f"({time.monotonic() - t0:.0f}s)")
        yield cfg
    finally:
        print(cluster.stop(cfg))
        assert all(cluster.node_pid(cfg, i) is None for i in range(cfg.nodes))
        shutil.rmtree(cfg.dir, ignore_errors=True)


def _settings(cfg: cluster.ClusterConfig) -> Settings:
    return Settings.from_env(cluster.read_env_file(cfg.env_file), index_prefix=PREFIX)


# ---------------------------------------------------------------------------------------------- security


def test_cluster_is_secured_and_roles_are_confined(secured_cluster: cluster.ClusterConfig,
                                                   capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    cfg = secured_cluster
    url = cfg.urls[1]
    for name in ("elastic", "newsmon", "analyst", "kibana_system"):
        assert cfg.secret_file(name).stat().st_mode & 0o777 == 0o600
    assert cfg.env_file.stat().st_mode & 0o777 == 0o600
    health = cluster.health(cfg)
    assert health and health["status"] == "green" and health["number_of_nodes"] == 3
    assert [n["name"] for n in cluster.nodes(cfg)] == ["node-0", "node-1", "node-2"]
    other = f"other-{uuid.uuid4().hex[:8]}"
    refused: list[str] = []
    anon = httpx.Client(verify=str(cfg.ca_cert), timeout=5)
    with cluster.http(cfg, "elastic") as admin, cluster.http(cfg, "newsmon") as app, \
            cluster.http(cfg, "analyst") as analyst, anon:  # fmt: skip
        assert admin.put(f"{url}/{other}").status_code == 200
        try:
            r = anon.get(f"{url}/_cluster/health")
            assert r.status_code == 401
            refused.append(f"anonymous GET /_cluster/health -> {r.status_code}")
            with pytest.raises(httpx.HTTPError):  # plain HTTP on a TLS port
                httpx.get(f"http://127.0.0.1:{cfg.http_ports[0]}/_cluster/health", timeout=5)
            refused.append("plain-HTTP request -> no response (TLS only)")
            # newsmon: its own prefix yes (setup), anything else no
            es = store.connect(_settings(cfg))
            store.ensure_indices(es, store.IndexNames(PREFIX), _settings(cfg))
            r = app.get(f"{url}/{other}/_search")
            assert r.status_code == 403 and "unauthorized" in r.text
            refused.append(f"newsmon GET /{other}/_search -> {r.status_code}")
            r = app.delete(f"{url}/{other}")
            assert r.status_code == 403
            refused.append(f"newsmon DELETE /{other} -> {r.status_code}")
            assert app.get(f"{url}/{PREFIX}-articles/_search").status_code == 200
            # analyst: reads the prefix, writes nothing
            r = analyst.post(f"{url}/{PREFIX}-items/_doc", json={"title": "analyst write"})
            assert r.status_code == 403
            refused.append(f"analyst POST /{PREFIX}-items/_doc -> {r.status_code}")
            r = analyst.delete(f"{url}/{PREFIX}-items")
            assert r.status_code == 403
            refused.append(f"analyst DELETE /{PREFIX}-items -> {r.status_code}")
            assert analyst.get(f"{url}/{PREFIX}-articles/_search").status_code == 200
            kib = cluster.http(cfg, "kibana_system").get(f"{url}/_security/_authenticate").json()
            assert kib["username"] == "kibana_system" and kib["roles"] == ["kibana_system"]
            tmpl = admin.get(f"{url}/_index_template/{PREFIX}-items").json()["index_templates"][0]
            idx = tmpl["index_template"]["template"]["settings"]["index"]
            assert (idx["number_of_shards"], idx["number_of_replicas"]) == ("3", "1")
        finally:
            admin.delete(f"{url}/{other}")
    with capsys.disabled():  # shown in CI's output too (the closing note quotes it)
        print("\nrefused requests:\n  " + "\n  ".join(refused))


# ---------------------------------------------------------------------------------------------- end to end


def _feed_body(kind: str, i: int, now: datetime) -> bytes:
    hour_ago = (now - timedelta(hours=1)).replace(microsecond=0)
    text = (FIXTURES / kind).read_text(encoding="utf-8")
    text = text.replace("@@DATE@@", format_datetime(hour_ago, usegmt=True))
    text = text.replace("@@ISODATE@@", hour_ago.isoformat().replace("+00:00", "Z"))
    # every feed publishes its own copies (own links and guids), so 20 feeds carry 20 sets of items
    for host in ("desk", "wire"):
        text = text.replace(f"{host}.test.invalid", f"{host}{i}.test.invalid")
    return text.replace("desk-", f"desk{i}-").replace("urn:test:wire", f"urn:test:wire{i}").encode("utf-8")


def _config(tmp: Path, feed_server: FeedServer) -> tuple[Path, int]:
    now = datetime.now(UTC)
    cfg = tmp / "config"
    cfg.mkdir()
    for name in ("topics.yaml", "entities.yaml"):
        shutil.copyfile(REPO / "config" / name, cfg / name)
    feeds, items = [], 0
    for i in range(FEEDS):
        kind = "desk.xml" if i % 2 == 0 else "wire.atom"
        body = _feed_body(kind, i, now)
        items += body.count(b"<item>") + body.count(b"<entry>")
        ctype = "application/rss+xml; charset=utf-8" if kind == "desk.xml" else "application/atom+xml; charset=utf-8"
        feed_server.add(f"/f{i}", Route(body=body, etag=f'"f{i}-v1"', content_type=ctype, delay=1.0))
        feeds.append({"name": f"feed-{i:02d}", "url": feed_server.url(f"/f{i}"), "language": "en"})
    (cfg / "feeds.yaml").write_text(yaml.safe_dump({"defaults": {"timeout_seconds": 10, "retries": 0},
                                                    "feeds": feeds}), encoding="utf-8")  # fmt: skip
    alerts = {
        "settings": {"settle_seconds": 0, "overlap_minutes": 5},
        "channels": {"hook": {"type": "webhook", "url_env": "NEWSMON_WEBHOOK_URL"}},
        "rules": [{"name": "every-topic", "filter": {"topics_any": ["myanmar", "asean", "russian_diplomacy"]},
                   "channel": "hook", "mode": "per_story", "backfill": "1d"}],
    }  # fmt: skip
    (cfg / "alerts.yaml").write_text(yaml.safe_dump(alerts), encoding="utf-8")
    return cfg, items


class Meta:
    """Read-only queries on the Airflow metadata DB (task instances, their earlier tries, DAG runs)."""

    def __init__(self, url: str) -> None:
        self.conn = psycopg2.connect(url.replace("postgresql+psycopg2://", "postgresql://"))
        self.conn.autocommit = True

    def rows(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        with self.conn.cursor() as cur:
            cur.execute(sql, args)
            return list(cur.fetchall())

    def feed_tis(self) -> list[tuple[int, str, str, int]]:
        return [(int(m), str(s), str(h or ""), int(t)) for m, s, h, t in self.rows(
            "SELECT map_index, state, hostname, try_number FROM task_instance "
            "WHERE dag_id='news_ingest' AND task_id='ingest_feed' AND map_index >= 0 ORDER BY map_index")]  # fmt: skip

    def fresh_on(self, host: str) -> list[int]:
        """Feed tasks running on `host` that started under 3 s ago."""
        return [int(m) for (m,) in self.rows(
            "SELECT map_index FROM task_instance WHERE dag_id='news_ingest' AND task_id='ingest_feed' "
            "AND state='running' AND hostname=%s AND start_date > now() - interval '3 seconds'", host)]  # fmt: skip

    def runs(self, dag_id: str) -> list[tuple[str, str, str]]:
        return [(str(a), str(b), str(c)) for a, b, c in self.rows(
            "SELECT run_id, run_type, state FROM dag_run WHERE dag_id=%s ORDER BY id", dag_id)]  # fmt: skip


def _wait(cond: Any, timeout: float, what: str, stack: Stack) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = cond()
        if got:
            return got
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}\nscheduler:\n{stack.log_tail('scheduler')}\n"
                         f"worker-1:\n{stack.log_tail('worker-1')}")  # fmt: skip


def test_celery_run_with_faults(secured_cluster: cluster.ClusterConfig, tmp_path: Path, feed_server: FeedServer,
                                webhook_receiver: WebhookReceiver,
                                capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    t0 = time.monotonic()
    cfg = secured_cluster
    settings = _settings(cfg)
    es = store.connect(settings)
    names = store.IndexNames(PREFIX)
    store.ensure_indices(es, names, settings)
    config_dir, n_items = _config(tmp_path, feed_server)
    stack = Stack(_state_dir("stack"), cfg, api_port=free_port(), extra_env={
        "NEWSMON_CONFIG_DIR": str(config_dir), "NEWSMON_WEBHOOK_URL": webhook_receiver.url,
        "NEWSMON_INDEX_PREFIX": PREFIX, "NEWSMON_INGEST_INTERVAL_MINUTES": "1440",
        "NEWSMON_ALERTS_CRON": "0 0 1 1 *", "NEWSMON_FEED_TASK_CONCURRENCY": "4"})  # fmt: skip
    report: list[str] = []
    try:
        stack.start(progress=print)
        meta = Meta(stack.pg.url)
        # fault 1: SIGKILL a data node (not the elected master) as soon as feed tasks run
        _wait(lambda: any(s == "running" for _, s, _, _ in meta.feed_tis()), 300, "a running feed task", stack)
        before = cluster.health(cfg)
        assert before is not None
        master = next(n["name"] for n in cluster.nodes(cfg) if n["master"])
        victim = next(i for i in range(cfg.nodes) if f"node-{i}" != master)
        cluster.kill_node(cfg, victim)
        after = _wait(lambda: (h := cluster.health(cfg)) and h["number_of_nodes"] == 2 and h, 120, "node loss", stack)
        report += [f"health before the kill: {before['status']} {before['number_of_nodes']} nodes, "
                   f"{before['active_shards']} shards", f"SIGKILL node-{victim} -> health {after['status']} "
                   f"{after['number_of_nodes']} nodes, {after['unassigned_shards']} unassigned shards"]  # fmt: skip
        assert before["status"] == "green" and after["status"] == "yellow"
        # fault 2: SIGKILL worker-2 (its whole process group) while it holds a task, after it finished one
        # a task worker-2 started less than 3 s ago is still loading its models, so the kill surely lands mid-task
        held = _wait(lambda: any(h == "worker-2" and st == "success" for _, st, h, _ in meta.feed_tis())
                     and meta.fresh_on("worker-2"), 400, "worker-2 holding a fresh task after a success",
                     stack)  # fmt: skip
        stack.kill("worker-2")
        report.append(f"SIGKILL worker-2 holding ingest_feed map_index {held}")
        # fault 3: restart Redis (the broker) mid-run
        time.sleep(2)
        stack.redis.restart()
        report.append("Redis restarted (append-only file kept the queue)")
        runs = _wait(lambda: (r := meta.runs("news_ingest")) and r[-1][2] in ("success", "failed") and r, 900,
                     "news_ingest to finish", stack)  # fmt: skip
        assert [r[2] for r in runs] == ["success"], runs
        tis = meta.feed_tis()
        assert len(tis) == FEEDS and all(s == "success" for _, s, _, _ in tis), tis
        hosts = {h for _, _, h, _ in tis}
        assert hosts == {"worker-1", "worker-2"}, tis  # mapped tasks ran on both workers
        first_tries = {int(m): str(h) for m, h in meta.rows(
            "SELECT map_index, hostname FROM task_instance_history WHERE dag_id='news_ingest' "
            "AND task_id='ingest_feed' AND try_number=1 AND state='failed'")}  # fmt: skip
        retried = {m: (first_tries[m], h, t) for m, _, h, t in tis if first_tries.get(m) == "worker-2"}
        assert set(held) <= set(retried), (held, retried)  # every task worker-2 held was retried elsewhere
        for m, (_, final, tries) in retried.items():
            assert final == "worker-1" and tries >= 2, (m, final, tries)
        report.append("retried: " + ", ".join(f"map_index {m}: try 1 on {a} (killed), try {t} on {b}"
                                              for m, (a, b, t) in retried.items()))  # fmt: skip
        report.append("ran where: " + "; ".join(f"{w}: {sorted(m for m, _, h, _ in tis if h == w)}"
                                                for w in ("worker-1", "worker-2")))  # fmt: skip
        # news_alerts ran because the Asset was updated
        alerts_runs = _wait(lambda: [r for r in meta.runs("news_alerts") if r[1] == "asset_triggered"
                                     and r[2] == "success"], 300, "an asset-triggered alerts run", stack)  # fmt: skip
        _wait(lambda: all(r[2] in ("success", "failed") for r in meta.runs("news_alerts")), 300, "alerts", stack)
        assert all(r[2] == "success" for r in meta.runs("news_alerts")), meta.runs("news_alerts")
        # counts: every item once, every story alerted once, feed state consistent
        store.refresh(es, f"{PREFIX}-*")
        assert store.count(es, names.items) == n_items
        arts = store.search(es, names.articles, size=1000, aggs={"s": {"cardinality": {"field": "story_id"}}})
        docs = [h["_source"] for h in arts["hits"]["hits"]]
        links = [d["url"] for d in docs]
        assert len(links) == len(set(links)) == arts["hits"]["total"]["value"] > 0
        stories = {d["story_id"] for d in docs}
        ledger = store.count(es, names.alerts)
        delivered = store.count(es, names.alerts, {"term": {"status": "delivered"}})
        keys = [r.headers.get("idempotency-key") for r in webhook_receiver.accepted]
        assert ledger == delivered == len(stories) == len(keys) == len(set(keys)), (ledger, delivered, stories, keys)
        states = store.mget_sources(es, names.feed_state, [f"feed-{i:02d}" for i in range(FEEDS)])
        assert len(states) == FEEDS
        for i in range(FEEDS):
            st = states[f"feed-{i:02d}"]
            assert st["etag"] == f'"f{i}-v1"', st
        report.append(f"counts: items {n_items} archived once, {len(links)} articles (0 duplicates), "
                      f"{len(stories)} stories, {delivered} alerts delivered = {len(keys)} webhook POSTs; "
                      f"news_alerts runs {[r[1] for r in meta.runs('news_alerts')]} "
                      f"({len(alerts_runs)} asset-triggered)")  # fmt: skip
        meta.conn.close()
    finally:
        stack.stop()
        es.close()
        if not os.environ.get("NEWSMON_KEEP_STATE"):
            shutil.rmtree(stack.state, ignore_errors=True)
    assert stack.pids() == [], "processes left running"
    assert not any(esnode.port_open("127.0.0.1", p) for p in (stack.api_port, stack.pg.port, stack.redis.port))
    report.append(f"wall time {time.monotonic() - t0:.0f}s")
    with capsys.disabled():  # the wall time and the figures, visible without -s
        print("\ndistributed run:\n  " + "\n  ".join(report))
