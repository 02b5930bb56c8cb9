"""Shared fixtures: the real Elasticsearch node and per-test index prefixes.

The session fixture makes sure a node answers at NEWSMON_ES_URL, starting the local one with `newsmon es start`
logic when nothing answers, and FAILS (never skips) with the reason when it cannot. A node it started is
stopped at the end of the session. Each test that asks for `index_names` gets its own prefix, its indices
created from the templates, and everything deleted afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from elasticsearch import Elasticsearch

from pipeline.core.settings import Settings
from pipeline.index import store
from tests.support.feedserver import feed_server
from tests.support.receivers import smtp_server, webhook_receiver

__all__ = ["feed_server", "smtp_server", "webhook_receiver"]


@pytest.fixture(scope="session")
def es_node() -> Iterator[Settings]:
    """A reachable Elasticsearch node (started here if needed, stopped at the end if we started it)."""
    from pipeline.devtools import esnode

    settings = Settings.from_env()
    started = False
    if not esnode.is_healthy(settings.es_url):
        if not esnode.is_local_url(settings.es_url):
            pytest.fail(f"Elasticsearch at {settings.es_url} (NEWSMON_ES_URL) is not reachable", pytrace=False)
        try:
            esnode.start(esnode.NodeConfig.from_env(), progress=print)
            started = True
        except esnode.NodeError as exc:
            pytest.fail(f"cannot start the local Elasticsearch node for the tests: {exc}", pytrace=False)
    yield settings
    if started and os.environ.get("NEWSMON_KEEP_ES") != "1":
        esnode.stop(esnode.NodeConfig.from_env())


@pytest.fixture(scope="session")
def es(es_node: Settings) -> Iterator[Elasticsearch]:
    client = store.connect(es_node)
    store.ping(client)
    yield client
    client.close()


@pytest.fixture
def index_names(es: Elasticsearch, monkeypatch: pytest.MonkeyPatch) -> Iterator[store.IndexNames]:
    """A fresh index prefix for this test, with all indices created and removed afterwards."""
    prefix = f"test-{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("NEWSMON_INDEX_PREFIX", prefix)
    names = store.IndexNames(prefix)
    store.ensure_indices(es, names)
    yield names
    store.delete_indices(es, names)
