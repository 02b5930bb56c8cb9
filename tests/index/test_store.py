"""The Elasticsearch edge against the real node: templates, aliases, idempotent bulk upserts, search back."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
from elasticsearch import Elasticsearch

from pipeline.core import vocab
from pipeline.index import schema, store


def _doc(i: int, ingested: str = "2026-11-01T00:00:00+00:00") -> dict[str, object]:
    return {
        "id": f"doc{i}",
        "url": f"https://example.org/{i}",
        "title": f"Foreign ministers meet in Vientiane, round {i}",
        "text": "The ministers discussed the crisis and a joint statement.",
        "published_at": "2026-10-31T12:00:00+00:00",
        "ingested_at": ingested,
        "topics": ["asean"],
        "source": {"name": "Example Wire", "domain": "example.org", "feed": "example"},
    }


def test_indices_come_from_templates_with_read_and_write_aliases(es: Elasticsearch, index_names: store.IndexNames):
    aliases = es.indices.get_alias(index=index_names.articles_concrete)[index_names.articles_concrete]["aliases"]
    assert set(aliases) == {index_names.articles, index_names.articles_write}
    assert aliases[index_names.articles_write].get("is_write_index") is True
    mapping = es.indices.get_mapping(index=index_names.articles_concrete)[index_names.articles_concrete]
    assert mapping["mappings"]["properties"]["topics"]["type"] == "keyword"
    assert mapping["mappings"]["properties"]["title"]["index_options"] == "offsets"
    # idempotent: a second call creates nothing
    assert store.ensure_indices(es, index_names) == []


def test_fields_added_to_the_mapping_reach_an_existing_articles_index(es: Elasticsearch):
    """An articles index created by an older release (without `event_keys`) gets the field in place."""
    names = store.IndexNames(f"test-{uuid.uuid4().hex[:10]}")
    old = schema.mapping("articles")["mappings"]
    old = {**old, "properties": {k: v for k, v in old["properties"].items() if k != "event_keys"}}
    es.indices.create(index=names.articles_concrete, mappings=old,
                      aliases={names.articles: {}, names.articles_write: {"is_write_index": True}})
    try:
        assert store.ensure_indices(es, names) == [names.items, names.feed_state, names.alerts, names.alert_cursors]
        props = es.indices.get_mapping(index=names.articles_concrete)[names.articles_concrete]["mappings"]
        assert props["properties"]["event_keys"] == {"type": "keyword"}
    finally:
        store.delete_indices(es, names)


def test_existing_ids_is_real_time_and_chunked(es: Elasticsearch, index_names: store.IndexNames):
    store.bulk(es, store.upsert_actions(index_names.articles_write, [_doc(i) for i in range(5)]))  # no refresh
    ids = [f"doc{i}" for i in range(8)]
    assert store.existing_ids(es, index_names.articles_concrete, ids, chunk=3) == {f"doc{i}" for i in range(5)}
    assert store.existing_ids(es, index_names.articles_concrete, []) == set()
    assert store.existing_ids(es, f"{index_names.prefix}-missing", ids) == set()


def test_scan_all_reads_every_hit_across_pages(es: Elasticsearch, index_names: store.IndexNames):
    """Point-in-time paging returns each match once, whether the last page is full or short."""
    store.bulk(es, store.upsert_actions(index_names.articles_write, [_doc(i) for i in range(7)]), refresh=True)
    for size in (2, 7, 50):  # short last page, an exact multiple of the page (a full last page), one page
        hits = list(store.scan_all(es, index_names.articles, {"match_all": {}}, size=size, source=["id"]))
        assert sorted(h["_source"]["id"] for h in hits) == [f"doc{i}" for i in range(7)], size
    none = list(store.scan_all(es, index_names.articles, {"term": {"id": "nope"}}, size=2))
    assert none == []


def test_bulk_upsert_search_back_and_keep_first_ingested_at(es: Elasticsearch, index_names: store.IndexNames):
    first = store.bulk(es, store.upsert_actions(index_names.articles_write, [_doc(i) for i in range(3)]),
                       refresh="wait_for")
    assert first.count("created") == 3 and not first.errors
    again = [_doc(i, ingested="2026-11-02T00:00:00+00:00") for i in range(3)]
    second = store.bulk(es, store.upsert_actions(index_names.articles_write, again), refresh="wait_for")
    assert second.count("created") == 0 and not second.errors
    assert es.count(index=index_names.articles)["count"] == 3
    hit = es.search(index=index_names.articles, query={"match": {"title": "vientiane"}}, size=10)
    assert hit["hits"]["total"]["value"] == 3
    src = es.get(index=index_names.articles, id="doc1")["_source"]
    assert src["ingested_at"] == "2026-11-01T00:00:00+00:00"


def test_per_document_failures_are_reported_not_dropped(es: Elasticsearch, index_names: store.IndexNames):
    bad = _doc(9)
    bad["no_such_field"] = 1  # the mapping is strict
    out = store.bulk(es, store.upsert_actions(index_names.articles_write, [_doc(8), bad]), refresh="wait_for")
    assert out.outcomes == {"doc8": "created", "doc9": "failed"}
    assert "strict" in out.errors["doc9"]


def test_field_names_cover_nested_facets():
    names = schema.field_names("articles")
    assert {"entities.person", "source.name", "title.raw", "topics", "story_id", "ingested_at"} <= names


def test_client_spans_every_host_and_survives_a_dead_one(es_node) -> None:
    """All hosts of `Settings` go to the client; a request to a dead node is retried on a live one."""
    dead = "http://127.0.0.1:9"  # discard port: nothing listens
    settings = replace(es_node, es_hosts=(dead, es_node.es_url), es_max_retries=3)
    client = store.connect(settings)
    try:
        assert set(store.es_url(client).split(",")) == {dead, es_node.es_url}
        for _ in range(4):  # round-robin reaches the dead node at least once
            assert store.ping(client)["status"] in ("green", "yellow")
    finally:
        client.close()


def test_errors_are_typed_and_name_the_url_and_operation(es: Elasticsearch, es_node) -> None:
    missing = f"test-missing-{uuid.uuid4().hex[:8]}"
    with pytest.raises(store.IndexMissing, match=rf"{missing}.*newsmon es setup"):
        store.search(es, missing, query={"match_all": {}})
    with pytest.raises(store.BadRequest, match="rejected searching"):
        store.search(es, "_all", query={"no_such_query": {}})
    dead = store.connect(replace(es_node, es_hosts=("http://127.0.0.1:9",), es_max_retries=0, es_timeout_s=2))
    try:
        with pytest.raises(store.Unreachable, match=r"http://127.0.0.1:9.*unreachable"):
            store.count(dead, "anything")
    finally:
        dead.close()


def test_verify_indices_names_what_is_missing(es: Elasticsearch) -> None:
    names = store.IndexNames(f"test-{uuid.uuid4().hex[:10]}")
    with pytest.raises(store.IndexMissing, match=rf"{names.articles}.*newsmon es setup"):
        store.verify_indices(es, names)
    store.ensure_indices(es, names)
    try:
        store.verify_indices(es, names)  # no error once setup ran
    finally:
        store.delete_indices(es, names)


def test_templates_take_shards_and_replicas_from_settings() -> None:
    from pipeline.core.settings import Settings

    bodies = schema.templates(store.IndexNames("p"), Settings(es_shards=3, es_replicas=1))
    assert {b["template"]["settings"]["number_of_shards"] for b in bodies.values()} == {3}
    assert {b["template"]["settings"]["number_of_replicas"] for b in bodies.values()} == {1}
    props = bodies["p-articles"]["template"]["mappings"]["properties"]["topic_scores"]["properties"]
    assert list(props) == list(vocab.topic_names()) and "russian_diplomacy" in props  # from config/topics.yaml
