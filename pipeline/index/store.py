"""The Elasticsearch edge: the one module that builds the client and calls its API, and owns `StoreError`.

Everything else in `pipeline/` talks to Elasticsearch through the functions here, so the host list, credentials,
TLS options, timeouts and error wrapping live in one place. The client is built from a `Settings` value (a host list,
auth, CA options), never from a URL string or the process environment; worker processes receive `Settings`.

Index layout (every name carries the configurable prefix `P`, `NEWSMON_INDEX_PREFIX`; see `names.IndexNames`):

- `P-articles-000001`: the one concrete articles index, created from template `P-articles`, behind the
  read alias `P-articles` and the write alias `P-articles-write`.
- `P-items`: a light archive of every normalised item seen (dedup across runs, `newsmon reprocess`).
- `P-feed-state`: one document per feed (validators, health).
- `P-alerts`, `P-alert-cursors`: the alert ledger/outbox and per-rule watermarks.

Schema creation (`ensure_indices`) belongs to setup only (`newsmon es setup`, the setup service); jobs call
`verify_indices`, which fails with a clear message when setup has not run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from elasticsearch import ApiError, BadRequestError, Elasticsearch, NotFoundError, TransportError
from elasticsearch import ConnectionError as ESConnectionError
from elasticsearch.helpers import BulkIndexError, streaming_bulk

from pipeline.core.settings import Settings
from pipeline.core.timeutil import iso
from pipeline.index import schema
from pipeline.index.names import IndexNames

__all__ = ["BadRequest", "IndexMissing", "IndexNames", "StoreError", "Unreachable", "connect", "iso"]

log = logging.getLogger(__name__)


class StoreError(Exception):
    """Elasticsearch is unreachable or refused an operation; the message names the URL and index."""


class Unreachable(StoreError):
    """No node answered (connection refused, DNS, TLS handshake, timeout)."""


class IndexMissing(StoreError):
    """The index or alias does not exist (setup has not run, or the prefix is wrong)."""


class BadRequest(StoreError):
    """Elasticsearch rejected the request itself (a query it cannot parse, a clause limit)."""


def connect(settings: Settings | None = None, **kwargs: Any) -> Elasticsearch:
    """A client for every host of `settings` (round-robin, failover) with auth, TLS, timeouts and retries."""
    s = settings or Settings.from_env()
    opts: dict[str, Any] = {
        "request_timeout": s.es_timeout_s,
        "retry_on_timeout": True,
        "max_retries": s.es_max_retries,
        "retry_on_status": (429, 502, 503, 504),
    }
    if s.es_username and s.es_password:
        opts["basic_auth"] = (s.es_username, s.es_password)
    if s.es_ca_certs:
        opts["ca_certs"] = s.es_ca_certs
    if any(h.startswith("https://") for h in s.es_hosts):
        opts["verify_certs"] = s.es_verify_certs
        if not s.es_verify_certs:
            opts["ssl_show_warn"] = False
    opts.update(kwargs)
    return Elasticsearch(list(s.es_hosts), **opts)


def es_url(es: Elasticsearch) -> str:
    """The URLs a client talks to, comma-separated (for messages; never carries credentials)."""
    try:
        return ",".join(str(node.base_url) for node in es.transport.node_pool.all())
    except Exception:  # pragma: no cover - a client without a node pool
        return "<unknown Elasticsearch>"


def wrap(es: Elasticsearch, what: str, exc: Exception) -> StoreError:
    """The one translation of a client exception into a `StoreError` subclass naming the URL and operation."""
    if isinstance(exc, NotFoundError):
        return IndexMissing(f"Elasticsearch at {es_url(es)}: {what}: not found (run `newsmon es setup` or check "
                            f"NEWSMON_INDEX_PREFIX): {exc}")
    if isinstance(exc, BadRequestError):
        return BadRequest(f"Elasticsearch at {es_url(es)} rejected {what}: {exc}")
    if isinstance(exc, ESConnectionError):
        detail = getattr(exc, "message", None) or str(exc)
        return Unreachable(f"Elasticsearch at {es_url(es)} is unreachable ({what}; set NEWSMON_ES_URL or run "
                           f"`newsmon es start`): {detail}")
    return StoreError(f"Elasticsearch at {es_url(es)}: {what}: {exc}")


def ping(es: Elasticsearch) -> dict[str, Any]:
    """Cluster health, or `StoreError` naming the URL (the test distribution has no `GET /`).

    Fails fast on a dead cluster, but tries every configured node once, so one lost node is not an outage."""
    try:
        nodes = len(es.transport.node_pool.all())
    except Exception:  # pragma: no cover - a client without a node pool
        nodes = 1
    try:
        return dict(es.options(request_timeout=5, max_retries=max(0, nodes - 1)).cluster.health())
    except (TransportError, ApiError) as exc:
        raise wrap(es, "health check", exc) from exc


# ---------------------------------------------------------------- schema (setup) and verification


def ensure_indices(es: Elasticsearch, names: IndexNames, settings: Settings | None = None) -> list[str]:
    """Create templates, indices and aliases if missing (idempotent); return what was created. Setup only."""
    s = settings or Settings.from_env()
    created: list[str] = []
    try:
        for tname, body in schema.templates(names, s).items():
            es.indices.put_index_template(name=tname, **body)
        if not es.indices.exists(index=names.articles_concrete):
            if _create(es, names.articles_concrete,
                       aliases={names.articles: {}, names.articles_write: {"is_write_index": True}}):
                created.append(names.articles_concrete)
        else:  # fields added since the index was created: additive, so applied in place
            es.indices.put_mapping(index=names.articles,
                                   properties=schema.mapping("articles", s)["mappings"]["properties"])
        for index in names.plain_indices().values():
            if not es.indices.exists(index=index) and _create(es, index):
                created.append(index)
    except (ApiError, TransportError) as exc:
        raise wrap(es, f"creating indices for prefix {names.prefix!r}", exc) from exc
    return created


def _create(es: Elasticsearch, index: str, **kwargs: Any) -> bool:
    """Create one index; False when another worker created it concurrently."""
    try:
        es.indices.create(index=index, **kwargs)
        return True
    except ApiError as exc:
        if getattr(exc, "error", "") == "resource_already_exists_exception":
            return False
        raise


def missing_indices(es: Elasticsearch, names: IndexNames) -> list[str]:
    """The indices and aliases of `names` that do not exist."""
    try:
        return [i for i in names.required() if not es.indices.exists(index=i)]
    except (ApiError, TransportError) as exc:
        raise wrap(es, f"checking indices of prefix {names.prefix!r}", exc) from exc


def verify_indices(es: Elasticsearch, names: IndexNames) -> None:
    """Fail with `IndexMissing` naming what is missing when setup has not run for this prefix (jobs call this)."""
    missing = missing_indices(es, names)
    if missing:
        raise IndexMissing(
            f"Elasticsearch at {es_url(es)} lacks {', '.join(missing)}: run `newsmon es setup` "
            f"(or the setup service) for prefix {names.prefix!r} first"
        )


def delete_indices(es: Elasticsearch, names: IndexNames) -> None:
    """Drop every index and template of a prefix (tests, `newsmon es reset`)."""
    # resolve names first: clusters may forbid wildcard deletes (action.destructive_requires_name)
    concrete: list[str] = []
    for pattern in names.all_patterns():
        concrete.extend(es.indices.get(index=pattern, expand_wildcards="all", allow_no_indices=True))
    if concrete:
        es.indices.delete(index=",".join(sorted(set(concrete))), ignore_unavailable=True)
    for tname in names.template_names():
        try:
            es.indices.delete_index_template(name=tname)
        except NotFoundError:
            pass


# ---------------------------------------------------------------- generic operations


def search(es: Elasticsearch, index: str, **body: Any) -> dict[str, Any]:
    """One search request; `IndexMissing`, `BadRequest`, `Unreachable` or `StoreError` on failure."""
    try:
        return dict(es.search(index=index, **body))
    except (ApiError, TransportError) as exc:
        raise wrap(es, f"searching {index}", exc) from exc


def search_hits(es: Elasticsearch, index: str, **body: Any) -> list[dict[str, Any]]:
    """The hits of one search request."""
    return list(search(es, index, **body)["hits"]["hits"])


def msearch(es: Elasticsearch, searches: list[dict[str, Any]], what: str = "multi-search") -> list[dict[str, Any]]:
    """One `_msearch` round trip; the per-search responses in order."""
    try:
        return list(es.msearch(searches=searches)["responses"])
    except (ApiError, TransportError) as exc:
        raise wrap(es, what, exc) from exc


def count(es: Elasticsearch, index: str, query: dict[str, Any] | None = None) -> int:
    """Number of documents matching `query` (all when None)."""
    try:
        return int(es.count(index=index, query=query)["count"] if query else es.count(index=index)["count"])
    except (ApiError, TransportError) as exc:
        raise wrap(es, f"counting {index}", exc) from exc


def get_source(es: Elasticsearch, index: str, doc_id: str) -> dict[str, Any] | None:
    """One document's `_source` by id (real-time), or None when it does not exist."""
    try:
        return dict(es.get(index=index, id=doc_id)["_source"])
    except NotFoundError:
        return None
    except (ApiError, TransportError) as exc:
        raise wrap(es, f"reading {index}/{doc_id}", exc) from exc


def put_doc(es: Elasticsearch, index: str, doc_id: str, document: dict[str, Any], **kwargs: Any) -> None:
    """Index (create or replace) one document by id."""
    try:
        es.index(index=index, id=doc_id, document=document, **kwargs)
    except (ApiError, TransportError) as exc:
        raise wrap(es, f"writing {index}/{doc_id}", exc) from exc


def bulk_ops(es: Elasticsearch, operations: list[dict[str, Any]], what: str, **kwargs: Any) -> list[dict[str, Any]]:
    """One raw `_bulk` request (create with op_type, guarded updates); the per-item results in order."""
    try:
        return list(es.bulk(operations=operations, **kwargs)["items"])
    except (ApiError, TransportError) as exc:
        raise wrap(es, what, exc) from exc


def refresh(es: Elasticsearch, index: str) -> None:
    """Make recent writes to `index` (a name, alias, pattern or comma list) visible to search."""
    try:
        es.indices.refresh(index=index)
    except (ApiError, TransportError) as exc:
        raise wrap(es, f"refreshing {index}", exc) from exc


def index_exists(es: Elasticsearch, index: str) -> bool:
    try:
        return bool(es.indices.exists(index=index))
    except (ApiError, TransportError) as exc:
        raise wrap(es, f"checking {index}", exc) from exc


def index_stats(es: Elasticsearch, pattern: str) -> dict[str, Any]:
    """Per-index statistics (`_stats`) of the indices matching `pattern`."""
    try:
        return dict(es.indices.stats(index=pattern)["indices"])
    except (ApiError, TransportError) as exc:
        raise wrap(es, f"reading stats of {pattern}", exc) from exc



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
        raise wrap(es, "bulk indexing", exc) from exc
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
    except (ApiError, TransportError) as exc:
        raise wrap(es, f"reading {index}", exc) from exc
    return {d["_id"]: d.get("_source", {}) for d in resp["docs"] if d.get("found")}


def existing_ids(es: Elasticsearch, index: str, ids: Sequence[str], chunk: int = 1000) -> set[str]:
    """The ids among `ids` that exist in `index` (real-time, like mget, but no document body is read)."""
    found: set[str] = set()
    for start in range(0, len(ids), chunk):
        try:
            resp = es.mget(index=index, ids=list(ids[start : start + chunk]), source=False)
        except NotFoundError:
            return found
        except (ApiError, TransportError) as exc:
            raise wrap(es, f"reading {index}", exc) from exc
        found.update(d["_id"] for d in resp["docs"] if d.get("found"))
    return found


def scan_all(
    es: Elasticsearch, index: str, query: dict[str, Any] | None = None, size: int = 500, source: Any = None,
    docvalue_fields: list[str] | None = None,
) -> Iterator[dict[str, Any]]:
    """Iterate every matching hit with point-in-time + search_after (no scroll state left behind); `source`,
    when given, is the `_source` filter (a field list, or False), `docvalue_fields` fields read from doc values
    (in each hit's `fields`; with `source=False` no document body is parsed)."""
    try:
        pit = es.open_point_in_time(index=index, keep_alive="2m")["id"]
    except (ApiError, TransportError) as exc:
        raise wrap(es, f"scanning {index}", exc) from exc
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
            try:
                resp = es.search(**body)
            except (ApiError, TransportError) as exc:
                raise wrap(es, f"scanning {index}", exc) from exc
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
