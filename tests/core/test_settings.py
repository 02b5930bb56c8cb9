"""The settings module: environment parsing, Airflow Connection mapping, and no secrets in reprs."""

from __future__ import annotations

import os

import pytest

from pipeline.core.settings import DagSettings, Settings, split_hosts


def test_from_env_reads_every_elasticsearch_knob() -> None:
    env = {
        "NEWSMON_ES_URL": "https://a:9200, https://b:9201/",
        "NEWSMON_INDEX_PREFIX": "desk",
        "NEWSMON_ES_USER_NAME": "newsmon",
        "NEWSMON_ES_PASSWORD": "s3cret",
        "NEWSMON_ES_CA_CERTS": "/etc/ca.pem",
        "NEWSMON_ES_SHARDS": "3",
        "NEWSMON_ES_REPLICAS": "1",
    }
    s = Settings.from_env(env)
    assert s.es_hosts == ("https://a:9200", "https://b:9201")
    assert s.es_url == "https://a:9200"
    assert (s.index_prefix, s.es_username, s.es_ca_certs, s.es_shards, s.es_replicas) == (
        "desk", "newsmon", "/etc/ca.pem", 3, 1)
    assert "s3cret" not in repr(s)


def test_defaults_when_unset() -> None:
    s = Settings.from_env({})
    assert s.es_hosts == ("http://127.0.0.1:9200",)
    assert (s.index_prefix, s.es_shards, s.es_replicas, s.es_username) == ("newsmon", 1, 0, None)


def test_a_bad_number_names_the_variable() -> None:
    with pytest.raises(ValueError, match="NEWSMON_ES_SHARDS"):
        Settings.from_env({"NEWSMON_ES_SHARDS": "three"})


def test_split_hosts_drops_blanks_and_slashes() -> None:
    assert split_hosts(" http://x:1/ ,, http://y:2 ") == ("http://x:1", "http://y:2")


@pytest.mark.parametrize(
    ("fields", "hosts"),
    [
        ({"host": "es1", "port": 9200, "conn_type": "http"}, ("http://es1:9200",)),
        ({"host": "es1", "port": 9243, "conn_type": "elasticsearch", "schema": "https"}, ("https://es1:9243",)),
        ({"host": "https://a:9200,https://b:9201"}, ("https://a:9200", "https://b:9201")),
        ({"host": "ignored", "extra": {"hosts": ["https://a:1", "https://b:2"]}}, ("https://a:1", "https://b:2")),
        ({"host": None}, ("http://base:9200",)),
    ],
)
def test_connection_hosts(fields: dict, hosts: tuple[str, ...]) -> None:
    base = Settings(es_hosts=("http://base:9200",))
    assert Settings.from_connection(base=base, **fields).es_hosts == hosts


def test_connection_credentials_and_extras_stay_in_the_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWSMON_ES_USER_NAME", raising=False)
    monkeypatch.delenv("NEWSMON_ES_PASSWORD", raising=False)
    s = Settings.from_connection(host="es", port=9200, conn_type="https", login="newsmon", password="pw",
                                 extra={"ca_certs": "/ca.pem", "verify_certs": "false", "index_prefix": "p2"},
                                 base=Settings())
    assert (s.es_username, s.es_password, s.es_ca_certs, s.es_verify_certs, s.index_prefix) == (
        "newsmon", "pw", "/ca.pem", False, "p2")
    assert "NEWSMON_ES_USER_NAME" not in os.environ and "NEWSMON_ES_PASSWORD" not in os.environ
    assert "pw" not in repr(s)


def test_dag_settings() -> None:
    d = DagSettings.from_env({"NEWSMON_FEED_TASK_CONCURRENCY": "8", "NEWSMON_ASSET_NAME": "x"})
    assert (d.feed_task_concurrency, d.asset_name, d.task_retries, d.ingest_interval_minutes) == (8, "x", 3, 10)
