"""The distributed stack's configuration pieces, without starting anything (the real run: tests/distributed/)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.core.settings import Settings
from pipeline.devtools import cluster, distributed


def test_es_connection_json_gives_the_tasks_every_node_the_user_and_the_ca() -> None:
    env = {"NEWSMON_ES_URL": "https://127.0.0.1:9200,https://127.0.0.1:9201,https://127.0.0.1:9202",
           "NEWSMON_ES_USER_NAME": "newsmon", "NEWSMON_ES_PASSWORD": "p" * 32,
           "NEWSMON_ES_CA_CERTS": "/x/ca.crt"}  # fmt: skip
    conn = json.loads(distributed.es_connection(env))
    s = Settings.from_connection(host=None, login=conn["login"], password=conn["password"], extra=conn["extra"],
                                 base=Settings(index_prefix="mine"))  # fmt: skip
    assert s.es_hosts == tuple(env["NEWSMON_ES_URL"].split(","))
    assert (s.es_username, s.es_password, s.es_ca_certs, s.es_verify_certs) == ("newsmon", "p" * 32, "/x/ca.crt", True)
    assert s.index_prefix == "mine"  # the prefix stays the workers' own


def test_secrets_and_env_files_are_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "secrets" / "a.env"
    cluster.write_env_file(path, {"A": "1", "B": "x=y"})
    assert path.stat().st_mode & 0o777 == 0o600 and path.parent.stat().st_mode & 0o777 == 0o700
    assert cluster.read_env_file(path) == {"A": "1", "B": "x=y"}


def test_cluster_ports_and_node_settings_do_not_collide() -> None:
    from dataclasses import replace

    from pipeline.devtools import esnode

    cfg = cluster.ClusterConfig(node=replace(esnode.NodeConfig.from_env(), port=9400), nodes=3)
    assert cfg.http_ports == [9400, 9401, 9402] and cfg.transport_ports == [9500, 9501, 9502]
    assert cfg.urls[0] == "https://127.0.0.1:9400"
    assert len({cfg.node_dir(i) for i in range(3)}) == 3 and len({cfg.pid_file(i) for i in range(3)}) == 3


def test_workers_report_their_own_name_as_hostname(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSMON_WORKER_NAME", "worker-7")
    assert distributed.worker_hostname() == "worker-7"
