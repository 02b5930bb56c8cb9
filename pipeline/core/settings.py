"""Every runtime knob in one place: its environment variable, default and doc line (scrapy's default_settings).

This is the only module that reads the process environment. Add a new knob to `KNOBS` (the README's
"Settings" table is checked against it by tests/test_docs.py) and, if code needs it as a typed value, to
`Settings`. Secrets (ES password, SMTP password, webhook URLs) come from the environment or an Airflow
Connection, never from a command line, and `Settings` never prints them (`repr=False`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

DEFAULT_ES_URL = "http://127.0.0.1:9200"
DEFAULT_PREFIX = "newsmon"
DEFAULT_KIBANA_URL = "http://127.0.0.1:5601"


@dataclass(frozen=True, slots=True)
class Knob:
    """One documented setting: environment variable, default (as text) and what it does."""

    env: str
    default: str
    help: str
    group: str = "core"


KNOBS: tuple[Knob, ...] = (
    # Elasticsearch connection
    Knob("NEWSMON_ES_URL", DEFAULT_ES_URL, "Elasticsearch URL(s), comma-separated for a cluster (every node's "
         "HTTP URL); used by every command, task and test.", "elasticsearch"),
    Knob("NEWSMON_INDEX_PREFIX", DEFAULT_PREFIX, "Prefix of every index/alias name, so parallel runs never "
         "share indices.", "elasticsearch"),
    Knob("NEWSMON_ES_USER_NAME", "", "Elasticsearch user (basic auth) when security is on.", "elasticsearch"),
    Knob("NEWSMON_ES_PASSWORD", "", "Password of NEWSMON_ES_USER_NAME (secret: environment or Airflow "
         "Connection only).", "elasticsearch"),
    Knob("NEWSMON_ES_CA_CERTS", "", "PEM file of the CA that signed the cluster's HTTP certificate (TLS).",
         "elasticsearch"),
    Knob("NEWSMON_ES_VERIFY_CERTS", "true", "Verify the cluster's TLS certificate (keep on outside tests).",
         "elasticsearch"),
    Knob("NEWSMON_ES_TIMEOUT_S", "30", "Per-request timeout of the Elasticsearch client, in seconds.",
         "elasticsearch"),
    Knob("NEWSMON_ES_MAX_RETRIES", "3", "Client retries on 429/502/503/504, timeouts and connection errors.",
         "elasticsearch"),
    Knob("NEWSMON_ES_SHARDS", "1", "Primary shards of each index created by `newsmon es setup` (3 on a "
         "3-node cluster).", "elasticsearch"),
    Knob("NEWSMON_ES_REPLICAS", "0", "Replicas of each index created by `newsmon es setup` (1 on a cluster).",
         "elasticsearch"),
    Knob("NEWSMON_ES_LANGUAGE_ANALYZERS", "false", "Add per-language subfields (`text.ru`, `text.ar`, `text.fr`, "
         "`text.id`, `text.cjk`) at `newsmon es setup` and search them; needs the full Elasticsearch distribution "
         "(analysis-common), not the test one.", "elasticsearch"),
    # config and assets
    Knob("NEWSMON_CONFIG_DIR", "config", "Directory holding feeds.yaml, topics.yaml, entities.yaml, "
         "alerts.yaml.", "config"),
    Knob("NEWSMON_KIBANA_URL", DEFAULT_KIBANA_URL, "Kibana base URL for `newsmon kibana setup`.", "kibana"),
    Knob("NEWSMON_KIBANA_ASSETS_DIR", "kibana/ next to the package", "Where `newsmon kibana` reads and writes "
         "the saved-object files.", "kibana"),
    # Airflow DAGs
    Knob("NEWSMON_INGEST_INTERVAL_MINUTES", "10", "news_ingest schedule: minutes between polls.", "airflow"),
    Knob("NEWSMON_ALERTS_CRON", "*/15 * * * *", "news_alerts fallback cron (it also runs when the articles "
         "Asset updates).", "airflow"),
    Knob("NEWSMON_FEED_TASK_CONCURRENCY", "4", "Mapped feed tasks of one news_ingest run that run at once.",
         "airflow"),
    Knob("NEWSMON_TASK_RETRIES", "3", "Retries of every DAG task (exponential backoff).", "airflow"),
    Knob("NEWSMON_ASSET_NAME", "newsmon_articles", "Name of the Airflow Asset news_ingest emits and "
         "news_alerts waits for.", "airflow"),
    Knob("NEWSMON_ES_CONN_ID", "newsmon_es", "Airflow Connection holding the Elasticsearch hosts and "
         "credentials (extras: ca_certs, verify_certs, hosts).", "airflow"),
    Knob("NEWSMON_AIRFLOW_PORT", "8080", "Port of the Airflow UI/API started by `make run`.", "airflow"),
    Knob("NEWSMON_DEMO_INDEX_PREFIX", "newsmon-demo", "Index prefix used by `make demo`.", "airflow"),
    # alert channels (secrets)
    Knob("NEWSMON_WEBHOOK_URL", "", "Generic webhook URL (secret) for a channel with `url_env: "
         "NEWSMON_WEBHOOK_URL`.", "alerts"),
    Knob("NEWSMON_SLACK_WEBHOOK_URL", "", "Slack incoming-webhook URL (secret) for the slack channel.", "alerts"),
    Knob("NEWSMON_SMTP_HOST", "", "SMTP server for email channels.", "alerts"),
    Knob("NEWSMON_SMTP_PORT", "25", "SMTP port.", "alerts"),
    Knob("NEWSMON_SMTP_USER", "", "SMTP login.", "alerts"),
    Knob("NEWSMON_SMTP_PASSWORD", "", "SMTP password (secret).", "alerts"),
    Knob("NEWSMON_SMTP_STARTTLS", "false", "Use STARTTLS on the SMTP connection.", "alerts"),
    # local development node and tests
    Knob("NEWSMON_CACHE_DIR", "~/.cache/newsmon (as root: /var/cache/newsmon)", "Where the local "
         "Elasticsearch distribution, its data and logs live.", "devtools"),
    Knob("NEWSMON_ES_VERSION", "pinned in pipeline/devtools/esnode.py", "Elasticsearch test-distribution "
         "version to run.", "devtools"),
    Knob("NEWSMON_ES_JAVA_HOME", "auto-detected Java 21+", "JDK used to run the local Elasticsearch node.",
         "devtools"),
    Knob("NEWSMON_ES_USER", "newsmon-es", "Unprivileged OS user that runs Elasticsearch when newsmon runs as "
         "root.", "devtools"),
    Knob("NEWSMON_WORKER_NAME", "", "Name a local Celery worker of the distributed stack reports as its task "
         "instances' hostname (set per worker by pipeline/devtools/distributed.py).", "devtools"),
    Knob("NEWSMON_KEEP_ES", "0", "1: the test session leaves the node it started running.", "devtools"),
)
KNOB_BY_ENV: dict[str, Knob] = {k.env: k for k in KNOBS}
# Back-compat view for docs tests: name -> (default, help).
ENV_VARS: dict[str, tuple[str, str]] = {k.env: (k.default, k.help) for k in KNOBS}


def markdown_table() -> str:
    """The README's settings table, generated from `KNOBS` (`python -m pipeline.core.settings`)."""
    rows = ["| variable | default | group | meaning |", "|---|---|---|---|"]
    for k in KNOBS:
        default = f"`{k.default}`" if k.default else "unset"
        rows.append(f"| `{k.env}` | {default} | {k.group} | {k.help} |")
    return "\n".join(rows)


def environ() -> Mapping[str, str]:
    """The process environment (the one place that reads it); channels look their secrets up here."""
    return os.environ


def get(name: str, env: Mapping[str, str] | None = None) -> str | None:
    """The raw value of any environment variable (None when unset or empty); `name` need not be a knob,
    since alert channels name their own secret variables in alerts.yaml."""
    value = (environ() if env is None else env).get(name)
    return value if value not in (None, "") else None


def value(name: str, env: Mapping[str, str] | None = None) -> str:
    """A knob's value: the environment's, else its documented default."""
    return get(name, env) or KNOB_BY_ENV[name].default


def int_value(name: str, env: Mapping[str, str] | None = None) -> int:
    """A knob as an int; `ValueError` naming the variable when it is not a number."""
    raw = value(name, env)
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a whole number") from None


def bool_value(name: str, env: Mapping[str, str] | None = None) -> bool:
    return value(name, env).strip().lower() in ("1", "true", "yes", "on")


def split_hosts(text: str) -> tuple[str, ...]:
    """`"http://a:9200, http://b:9201"` -> ("http://a:9200", "http://b:9201") (trailing slashes dropped)."""
    hosts = tuple(h.strip().rstrip("/") for h in text.split(",") if h.strip())
    return hosts or (DEFAULT_ES_URL,)


@dataclass(frozen=True, slots=True)
class Settings:
    """Where Elasticsearch is, how to authenticate, and which index prefix to use.

    Passed by value to worker processes and tasks (picklable); the client is built from it by
    `pipeline.index.store.connect`.
    """

    es_hosts: tuple[str, ...] = (DEFAULT_ES_URL,)
    index_prefix: str = DEFAULT_PREFIX
    es_username: str | None = None
    es_password: str | None = field(default=None, repr=False)
    es_ca_certs: str | None = None
    es_verify_certs: bool = True
    es_timeout_s: int = 30
    es_max_retries: int = 3
    es_shards: int = 1
    es_replicas: int = 0
    es_language_analyzers: bool = False  # the server has the language analyzers (see pipeline/index/analysis.py)

    @property
    def es_url(self) -> str:
        """The first host (messages, single-node tools)."""
        return self.es_hosts[0]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from the environment (each knob's default when unset); `overrides` win."""
        values: dict[str, Any] = {
            "es_hosts": split_hosts(value("NEWSMON_ES_URL", env)),
            "index_prefix": value("NEWSMON_INDEX_PREFIX", env),
            "es_username": get("NEWSMON_ES_USER_NAME", env),
            "es_password": get("NEWSMON_ES_PASSWORD", env),
            "es_ca_certs": get("NEWSMON_ES_CA_CERTS", env),
            "es_verify_certs": bool_value("NEWSMON_ES_VERIFY_CERTS", env),
            "es_timeout_s": int_value("NEWSMON_ES_TIMEOUT_S", env),
            "es_max_retries": int_value("NEWSMON_ES_MAX_RETRIES", env),
            "es_shards": int_value("NEWSMON_ES_SHARDS", env),
            "es_replicas": int_value("NEWSMON_ES_REPLICAS", env),
            "es_language_analyzers": bool_value("NEWSMON_ES_LANGUAGE_ANALYZERS", env),
        }
        values.update(overrides)
        return cls(**values)

    @classmethod
    def from_connection(
        cls,
        *,
        host: str | None,
        port: int | None = None,
        schema: str | None = None,
        conn_type: str | None = None,
        login: str | None = None,
        password: str | None = None,
        extra: Mapping[str, Any] | None = None,
        base: Settings | None = None,
    ) -> Settings:
        """Settings from an Airflow Connection's fields (pure: the caller looks the Connection up).

        `host` may be a bare host (with `port` and the scheme from `conn_type`/`schema`), a URL, or several URLs
        comma-separated; extras: `hosts` (a list or comma-separated URLs, wins over `host`), `ca_certs`,
        `verify_certs`, `index_prefix`. Login and password become basic auth; nothing is written to the
        environment, so one long-lived worker can serve tasks of different Connections.
        """
        b = base or cls.from_env()
        ex = dict(extra or {})
        hosts_extra = ex.get("hosts")
        if hosts_extra:
            hosts = split_hosts(",".join(hosts_extra) if isinstance(hosts_extra, list) else str(hosts_extra))
        elif host and "://" in host:
            hosts = split_hosts(host)
        elif host:
            scheme = conn_type if conn_type in ("http", "https") else (schema if schema in ("http", "https")
                                                                       else "http")
            hosts = (f"{scheme}://{host}:{port}" if port else f"{scheme}://{host}",)
        else:
            hosts = b.es_hosts
        verify = ex.get("verify_certs", b.es_verify_certs)
        if isinstance(verify, str):
            verify = verify.strip().lower() in ("1", "true", "yes", "on")
        return replace(
            b,
            es_hosts=hosts,
            es_username=login or b.es_username,
            es_password=password or b.es_password,
            es_ca_certs=str(ex["ca_certs"]) if ex.get("ca_certs") else b.es_ca_certs,
            es_verify_certs=bool(verify),
            index_prefix=str(ex.get("index_prefix") or b.index_prefix),
        )


@dataclass(frozen=True, slots=True)
class DagSettings:
    """Knobs the DAG files read at parse time (cheap: environment only)."""

    ingest_interval_minutes: int
    alerts_cron: str
    feed_task_concurrency: int
    task_retries: int
    asset_name: str
    es_conn_id: str

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> DagSettings:
        return cls(
            ingest_interval_minutes=int_value("NEWSMON_INGEST_INTERVAL_MINUTES", env),
            alerts_cron=value("NEWSMON_ALERTS_CRON", env),
            feed_task_concurrency=int_value("NEWSMON_FEED_TASK_CONCURRENCY", env),
            task_retries=int_value("NEWSMON_TASK_RETRIES", env),
            asset_name=value("NEWSMON_ASSET_NAME", env),
            es_conn_id=value("NEWSMON_ES_CONN_ID", env),
        )


if __name__ == "__main__":  # pragma: no cover - regenerates the README table
    print(markdown_table())
