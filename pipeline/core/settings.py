"""Runtime settings read from the environment (documented in README, checked by a test)."""

from __future__ import annotations

import os
from dataclasses import dataclass

# name -> (default, help). The README must mention every one of these (tests/test_docs.py checks).
ENV_VARS: dict[str, tuple[str, str]] = {
    "NEWSMON_ES_URL": ("http://127.0.0.1:9200", "Elasticsearch URL used by every command, task and test."),
    "NEWSMON_INDEX_PREFIX": ("newsmon", "Prefix of every index/alias name, so parallel runs never share indices."),
    "NEWSMON_CONFIG_DIR": ("config", "Directory holding feeds.yaml, topics.yaml, entities.yaml, alerts.yaml."),
    "NEWSMON_CACHE_DIR": (
        "~/.cache/newsmon (as root: /var/cache/newsmon)",
        "Where the local Elasticsearch distribution, its data and logs live.",
    ),
    "NEWSMON_ES_VERSION": ("pinned in pipeline/devtools/esnode.py", "Elasticsearch test-distribution version to run."),
    "NEWSMON_ES_JAVA_HOME": ("auto-detected Java 21+", "JDK used to run the local Elasticsearch node."),
    "NEWSMON_ES_USER": ("newsmon-es", "Unprivileged user that runs Elasticsearch when newsmon runs as root."),
}


DEFAULT_ES_URL = "http://127.0.0.1:9200"
DEFAULT_PREFIX = "newsmon"


@dataclass(frozen=True, slots=True)
class Settings:
    """Where Elasticsearch is and which index prefix to use."""

    es_url: str = DEFAULT_ES_URL
    index_prefix: str = DEFAULT_PREFIX

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            es_url=os.environ.get("NEWSMON_ES_URL", DEFAULT_ES_URL).rstrip("/"),
            index_prefix=os.environ.get("NEWSMON_INDEX_PREFIX", DEFAULT_PREFIX),
        )
