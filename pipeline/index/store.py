"""Elasticsearch edge: client, index names, templates/aliases, bulk upserts, feed state, reads.

Index layout (every name carries the configurable prefix `P`, `NEWSMON_INDEX_PREFIX`):

- `P-articles-000001`: the one concrete articles index, created from template `P-articles`, behind the
  read alias `P-articles` and the write alias `P-articles-write`.
- `P-items`: a light archive of every normalised item seen (dedup across runs, `newsmon reprocess`).
- `P-feed-state`: one document per feed (validators, health).
- `P-alerts`, `P-alert-cursors`: the alert ledger/outbox and per-rule watermarks.

Mappings live in `pipeline/index/mappings/*.json`, the single schema the code reads. They use only features present
in both the integ-test and the full distribution (standard analyzer, keyword facets, no scripts).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError
from elasticsearch.helpers import BulkIndexError, streaming_bulk

from pipeline.core.settings import Settings

log = logging.getLogger(__name__)

MAPPING_FILES = ("articles", "items", "feed_state", "alerts", "alert_cursors")


class StoreError(Exception):
    """Elasticsearch is unreachable or refused an operation; the message names the URL or index."""


@dataclass(frozen=True, slots=True)
class IndexNames:
    """All index and alias names for one prefix."""

    prefix: str

    @property
    def articles(self) -> str:
        """Read alias over the articles index (search, Kibana)."""
        return f"{self.prefix}-articles"

    @property
    def articles_write(self) -> str:
        return f"{self.prefix}-articles-write"

    @property
    def articles_concrete(self) -> str:
        return f"{self.prefix}-articles-000001"

    @property
    def items(self) -> str:
        return f"{self.prefix}-items"

    @property
    def feed_state(self) -> str:
        return f"{self.prefix}-feed-state"

    @property
    def alerts(self) -> str:
        return f"{self.prefix}-alerts"

    @property
    def alert_cursors(self) -> str:
        return f"{self.prefix}-alert-cursors"

    def all_patterns(self) -> list[str]:
        return [f"{self.prefix}-{name}*" for name in ("articles", "items", "feed-state", "alert")]


@cache
def mapping(name: str) -> dict[str, Any]:
    """The settings+mappings body of one index (`articles`, `items`, ...), without the `_comment`."""
    text = resources.files("pipeline.index.mappings").joinpath(f"{name}.json").read_text(encoding="utf-8")
    body = json.loads(text)
    body.pop("_comment", None)
    return body


def field_names(name: str = "articles") -> set[str]:
    """Every field path of a mapping (e.g. `entities.person`, `title.raw`), for checks against assets."""
    out: set[str] = set()

    def walk(props: dict[str, Any], path: str) -> None:
        for key, spec in props.items():
            full = f"{path}{key}"
            out.add(full)
            if "properties" in spec:
                walk(spec["properties"], full + ".")
            for sub in spec.get("fields", {}):
                out.add(f"{full}.{sub}")

    walk(mapping(name)["mappings"]["properties"], "")
    return out


def connect(settings: Settings | None = None, **kwargs: Any) -> Elasticsearch:
    """A client for `NEWSMON_ES_URL` with bounded timeouts and retries on 429/5xx and connection errors."""
    s = settings or Settings.from_env()
    opts: dict[str, Any] = {
        "request_timeout": 30,
        "retry_on_timeout": True,
        "max_retries": 3,
        "retry_on_status": (429, 502, 503, 504),
    }
    user, password = os.environ.get("NEWSMON_ES_USER_NAME"), os.environ.get("NEWSMON_ES_PASSWORD")
    if user and password:
        opts["basic_auth"] = (user, password)
    opts.update(kwargs)
    return Elasticsearch(s.es_url, **opts)


def ping(es: Elasticsearch) -> dict[str, Any]:
    """Cluster health, or `StoreError` naming the URL (the test distribution has no `GET /`)."""
    try:
        return dict(es.options(request_timeout=5, max_retries=0).cluster.health())
    except (TransportError, ApiError) as exc:
        raise StoreError(f"Elasticsearch at {_url(es)} is unreachable: {exc}") from exc


def es_url(es: Elasticsearch) -> str:
    """The URL a client talks to (for messages and for worker processes)."""
    return _url(es)


def _url(es: Elasticsearch) -> str:
    try:
        node = es.transport.node_pool.all()[0]
        return str(node.base_url)
    except Exception:
        return os.environ.get("NEWSMON_ES_URL", "http://127.0.0.1:9200")


def _template_body(name: str, pattern: str, extra_aliases: dict[str, Any] | None = None) -> dict[str, Any]:
    body = mapping(name)
    settings = dict(body.get("settings", {}))
    shards = os.environ.get("NEWSMON_ES_SHARDS")
    replicas = os.environ.get("NEWSMON_ES_REPLICAS")
    if shards:
        settings["number_of_shards"] = int(shards)
    if replicas:
        settings["number_of_replicas"] = int(replicas)
    template: dict[str, Any] = {"settings": settings, "mappings": body["mappings"]}
    if extra_aliases:
        template["aliases"] = extra_aliases
    return {"index_patterns": [pattern], "template": template, "priority": 200 + len(pattern)}


def ensure_indices(es: Elasticsearch, names: IndexNames) -> list[str]:
    """Create templates, indices and aliases if missing (idempotent); return what was created."""
    created: list[str] = []
    try:
        es.indices.put_index_template(
            name=names.articles, **_template_body("articles", f"{names.prefix}-articles-*")
        )
        for key, index in (
            ("items", names.items),
            ("feed_state", names.feed_state),
            ("alerts", names.alerts),
            ("alert_cursors", names.alert_cursors),
        ):
            es.indices.put_index_template(name=index, **_template_body(key, index))
        if not es.indices.exists(index=names.articles_concrete):
            es.indices.create(
                index=names.articles_concrete,
                aliases={names.articles: {}, names.articles_write: {"is_write_index": True}},
            )
            created.append(names.articles_concrete)
        else:  # fields added since the index was created (e.g. `cluster_minhash`): additive, so applied in place
            es.indices.put_mapping(index=names.articles, properties=mapping("articles")["mappings"]["properties"])
        for index in (names.items, names.feed_state, names.alerts, names.alert_cursors):
            if not es.indices.exists(index=index):
                es.indices.create(index=index)
                created.append(index)
    except ApiError as exc:
        if getattr(exc, "error", "") == "resource_already_exists_exception":
            return created  # another worker created it concurrently
        raise StoreError(f"cannot create indices for prefix {names.prefix!r} at {_url(es)}: {exc}") from exc
    except TransportError as exc:
        raise StoreError(f"Elasticsearch at {_url(es)} is unreachable: {exc}") from exc
    return created


def delete_indices(es: Elasticsearch, names: IndexNames) -> None:
    """Drop every index and template of a prefix (tests, `newsmon es reset`)."""
    # resolve names first: clusters may forbid wildcard deletes (action.destructive_requires_name)
    concrete: list[str] = []
    for pattern in names.all_patterns():
        concrete.extend(es.indices.get(index=pattern, expand_wildcards="all", allow_no_indices=True))
    if concrete:
        es.indices.delete(index=",".join(sorted(set(concrete))), ignore_unavailable=True)
    for tname in (names.articles, names.items, names.feed_state, names.alerts, names.alert_cursors):
        try:
            es.indices.delete_index_template(name=tname)
        except NotFoundError:
            pass


def iso(dt: datetime | None) -> str | None:
    """ISO-8601 with offset for Elasticsearch dates."""
    return dt.isoformat() if dt else None


@dataclass(slots=True)
class BulkOutcome:
    """What a bulk call did: per-id outcome (`created`, `updated`, `noop`, `failed`) and error texts."""

    outcomes: dict[str, str]
    errors: dict[str, str]

    def count(self, outcome: str) -> int:
        return sum(1 for v in self.outcomes.values() if v == outcome)


def upsert_actions(
    index: str, docs: Iterable[dict[str, Any]], keep_first: Sequence[str] = ("ingested_at",)
) -> Iterator[dict[str, Any]]:
    """Bulk update actions that insert a doc, or update it while keeping the first value of `keep_first`.

    No scripts (the integ-test ES has no Painless): `upsert` carries the full doc, `doc` the doc minus the
    fields to keep, so a re-ingest never moves `ingested_at`.
    """
    for doc in docs:
        partial = {k: v for k, v in doc.items() if k not in keep_first}
        yield {
            "_op_type": "update",
            "_index": index,
            "_id": doc["id"],
            "doc": partial,
            "upsert": doc,
            "retry_on_conflict": 3,
        }


def bulk(
    es: Elasticsearch, actions: Iterable[dict[str, Any]], *, refresh: bool | str = False, chunk_size: int = 500
) -> BulkOutcome:
    """Run bulk actions with `streaming_bulk`; 429s are retried with backoff; per-doc failures reported."""
    outcomes: dict[str, str] = {}
    errors: dict[str, str] = {}
    try:
        for ok, item in streaming_bulk(
            es,
            actions,
            chunk_size=chunk_size,
            max_retries=5,
            initial_backoff=1,
            max_backoff=30,
            raise_on_error=False,
            raise_on_exception=True,
            refresh=refresh,
        ):
            op, result = next(iter(item.items()))
            doc_id = str(result.get("_id"))
            if ok:
                outcomes[doc_id] = str(result.get("result", op))
            else:
                outcomes[doc_id] = "failed"
                err = result.get("error", {})
                errors[doc_id] = f"{err.get('type', 'error')}: {err.get('reason', err)}" if isinstance(
                    err, dict
                ) else str(err)
    except BulkIndexError as exc:  # pragma: no cover - raise_on_error=False
        raise StoreError(str(exc)) from exc
    except TransportError as exc:
        raise StoreError(f"Elasticsearch at {_url(es)} failed during bulk indexing: {exc}") from exc
    for doc_id, err in errors.items():
        log.error("indexing document %s failed: %s", doc_id, err)
    return BulkOutcome(outcomes, errors)


def mget_sources(
    es: Elasticsearch, index: str, ids: Sequence[str], fields: Sequence[str] | None = None
) -> dict[str, dict[str, Any]]:
    """Existing documents by id (missing ids are absent from the result)."""
    if not ids:
        return {}
    try:
        resp = es.mget(index=index, ids=list(ids), source_includes=list(fields) if fields else None)
    except NotFoundError:
        return {}
    except TransportError as exc:
        raise StoreError(f"Elasticsearch at {_url(es)} is unreachable: {exc}") from exc
    return {d["_id"]: d.get("_source", {}) for d in resp["docs"] if d.get("found")}


def existing_ids(es: Elasticsearch, index: str, ids: Sequence[str], chunk: int = 1000) -> set[str]:
    """The ids among `ids` that exist in `index` (real-time, like mget, but no document body is read)."""
    found: set[str] = set()
    for start in range(0, len(ids), chunk):
        try:
            resp = es.mget(index=index, ids=list(ids[start : start + chunk]), source=False)
        except NotFoundError:
            return found
        except TransportError as exc:
            raise StoreError(f"Elasticsearch at {_url(es)} is unreachable: {exc}") from exc
        found.update(d["_id"] for d in resp["docs"] if d.get("found"))
    return found


def scan_all(
    es: Elasticsearch, index: str, query: dict[str, Any] | None = None, size: int = 500, source: Any = None,
    docvalue_fields: list[str] | None = None,
) -> Iterator[dict[str, Any]]:
    """Iterate every matching hit with point-in-time + search_after (no scroll state left behind); `source`,
    when given, is the `_source` filter (a field list, or False), `docvalue_fields` fields read from doc values
    (in each hit's `fields`; with `source=False` no document body is parsed)."""
    pit = es.open_point_in_time(index=index, keep_alive="2m")["id"]
    try:
        search_after: list[Any] | None = None
        while True:
            body: dict[str, Any] = {
                "size": size,
                "query": query or {"match_all": {}},
                "pit": {"id": pit, "keep_alive": "2m"},
                "sort": [{"_shard_doc": "asc"}],
            }
            if source is not None:
                body["_source"] = source
            if docvalue_fields:
                body["docvalue_fields"] = docvalue_fields
            if search_after:
                body["search_after"] = search_after
            resp = es.search(**body)
            hits = resp["hits"]["hits"]
            if not hits:
                return
            pit = resp.get("pit_id", pit)
            yield from hits
            if len(hits) < size:  # a short page is the last one: no empty round trip to find that out
                return
            search_after = hits[-1]["sort"]
    finally:
        try:
            es.close_point_in_time(id=pit)
        except Exception:  # pragma: no cover - best effort
            pass
