"""Kibana assets (checked against the articles mapping and topics.yaml) and their import against a real local
HTTP server."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest

from pipeline.core.settings import DEFAULT_PREFIX
from pipeline.core.vocab import topic_labels, topic_names
from pipeline.index import schema, store
from pipeline.kibana import assets as kibana
from tests.kibana.conftest import ASSETS, NDJSON, RULE, FakeKibana, objects, uploaded_objects

# ---------------------------------------------------------------- the assets


def test_committed_assets_match_generator() -> None:
    """Golden files: regenerate with `python -m pipeline.kibana.assets kibana/` and review the diff."""
    assert NDJSON.read_text(encoding="utf-8") == kibana.dumps_ndjson(kibana.build_objects())
    assert json.loads(RULE.read_text(encoding="utf-8")) == kibana.build_rule()


def test_ndjson_objects_are_well_formed() -> None:
    objs = objects()
    ids = {(o["type"], o["id"]) for o in objs}
    assert len(ids) == len(objs), "duplicate saved-object ids"
    for o in objs:
        assert {"type", "id", "attributes", "references"} <= set(o), o.get("id")
        assert o["attributes"]["title"]
        assert o["coreMigrationVersion"] and o["typeMigrationVersion"]
        for ref in o["references"]:  # every reference resolves inside this one import
            assert (ref["type"], ref["id"]) in ids, (o["id"], ref)
    by_type: dict[str, list[dict[str, Any]]] = {}
    for o in objs:
        by_type.setdefault(o["type"], []).append(o)
    alias = store.IndexNames(DEFAULT_PREFIX).articles
    assert alias == kibana.DEFAULT_ALIAS == "newsmon-articles"
    views = by_type["index-pattern"]
    assert {v["attributes"]["title"] for v in views} == {alias}
    assert sorted(v["attributes"]["timeFieldName"] for v in views) == ["ingested_at", "published_at"]
    searches = by_type["search"]
    assert len(searches) == len(topic_names())
    for s, topic in zip(searches, topic_names(), strict=True):
        columns = ["title", "source.name", "topics", "entities.person", "story_id", "story_reason.score"]
        assert s["attributes"]["columns"] == columns
        source = json.loads(s["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])
        assert source["query"] == {"query": f'topics : "{topic}"', "language": "kuery"}
    (dash,) = by_type["dashboard"]
    panels = json.loads(dash["attributes"]["panelsJSON"])
    assert len(panels) == 7 and all(p["type"] == "lens" for p in panels)
    fields_used = {
        col["sourceField"]
        for p in panels
        for layer in p["embeddableConfig"]["attributes"]["state"]["datasourceStates"]["formBased"]["layers"].values()
        for col in layer["columns"].values()
    }
    assert {"published_at", "topics", "entities.person", "entities.org", "entities.gpe", "source.name"} <= fields_used
    # one dashboard-level reference per by-value panel layer, named "<panelIndex>:<inner name>"
    assert sorted(r["name"].split(":")[0] for r in dash["references"]) == sorted(p["panelIndex"] for p in panels)
    grid = [p["gridData"] for p in panels]
    assert all(g["x"] + g["w"] <= 48 for g in grid)


def test_every_referenced_field_exists_in_the_mapping() -> None:
    mapping_fields = schema.field_names("articles")
    used = kibana.referenced_fields(objects()) | kibana.referenced_fields(json.loads(RULE.read_text("utf-8")))
    assert {"ingested_at", "published_at", "topics", "story_id", "title", "entities.person"} <= used
    assert used <= mapping_fields, f"fields missing from the mapping: {sorted(used - mapping_fields)}"


def test_field_checker_catches_unknown_fields() -> None:
    panel = {"panelsJSON": json.dumps([{"state": {"columns": {"c": {"sourceField": "entities.peson"}}}}])}
    search = {"columns": ["title", "bogus"], "searchSourceJSON": json.dumps({"query": {"query": "nope : x"}})}
    found = kibana.referenced_fields([panel, search])
    assert {"entities.peson", "bogus", "nope", "title"} <= found
    assert not found <= schema.field_names("articles")


def test_rule_example() -> None:
    rule = json.loads(RULE.read_text(encoding="utf-8"))
    assert rule["rule_type_id"] == ".es-query" and rule["consumer"] == "stackAlerts"
    params = rule["params"]
    assert params["timeField"] == "ingested_at"
    assert params["index"] == [kibana.DEFAULT_ALIAS]
    assert json.loads(params["esQuery"])["query"]["bool"]["filter"] == [{"term": {"topics": "myanmar"}}]


def test_load_assets_rewrites_alias_for_another_prefix(tmp_path: Path) -> None:
    text, count = kibana.load_assets(ASSETS, "staging")
    assert count == len(objects())
    assert "newsmon-articles" not in text
    objs = [json.loads(line) for line in text.splitlines()]
    assert {o["attributes"]["title"] for o in objs if o["type"] == "index-pattern"} == {"staging-articles"}
    assert all(o["id"].startswith("staging-articles-") for o in objs)
    with pytest.raises(kibana.KibanaError, match="prefix"):
        kibana.load_assets(ASSETS, "Bad Prefix")
    (tmp_path / "broken.ndjson").write_text('{"type": "search"}\n', encoding="utf-8")
    with pytest.raises(kibana.KibanaError, match=r"broken\.ndjson:1"):
        kibana.load_assets(tmp_path, "newsmon")


# ---------------------------------------------------------------- the import, against a real HTTP server


def test_topics_come_from_topics_yaml() -> None:
    """One saved search per topic of topics.yaml, titled with its label; the rule example names the first."""
    searches = [o for o in kibana.build_objects() if o["type"] == "search"]
    assert [o["attributes"]["title"] for o in searches] == [
        f"newsmon: {topic_labels()[t]} stories" for t in topic_names()
    ]
    assert kibana.build_rule()["tags"] == ["newsmon", topic_names()[0]]


def test_default_url_and_assets_dir_come_from_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("NEWSMON_KIBANA_URL", raising=False)
    monkeypatch.delenv("NEWSMON_KIBANA_ASSETS_DIR", raising=False)
    assert kibana.default_url() == "http://127.0.0.1:5601"
    assert kibana.default_assets_dir() == ASSETS
    monkeypatch.setenv("NEWSMON_KIBANA_URL", "http://kibana.example:5601")
    monkeypatch.setenv("NEWSMON_KIBANA_ASSETS_DIR", str(tmp_path))
    assert kibana.default_url() == "http://kibana.example:5601"
    assert kibana.default_assets_dir() == tmp_path


def test_setup_kibana_uploads_everything(fake_kibana: FakeKibana) -> None:
    report = kibana.setup_kibana(fake_kibana.url, prefix=DEFAULT_PREFIX, assets_dir=ASSETS)
    (req,) = fake_kibana.requests
    assert req["path"] == "/api/saved_objects/_import"
    assert req["query"] == {"overwrite": ["true"]}
    assert {k.lower(): v for k, v in req["headers"].items()}["kbn-xsrf"] == "true"
    assert req["headers"]["Content-Type"].startswith("multipart/form-data")
    uploaded = uploaded_objects(req)
    assert uploaded == objects()
    assert report == {
        "url": fake_kibana.url.rstrip("/"),
        "alias": "newsmon-articles",
        "objects": len(objects()),
        "success": True,
        "successCount": len(objects()),
        "errors": [],
    }
    # idempotent: a second run sends the same objects, overwrite again
    kibana.setup_kibana(fake_kibana.url, prefix=DEFAULT_PREFIX, assets_dir=ASSETS)
    assert uploaded_objects(fake_kibana.requests[1]) == uploaded
    assert fake_kibana.requests[1]["query"] == {"overwrite": ["true"]}


def test_setup_kibana_rewrites_alias_for_other_prefix(fake_kibana: FakeKibana) -> None:
    report = kibana.setup_kibana(fake_kibana.url, prefix="team-b", assets_dir=ASSETS)
    uploaded = uploaded_objects(fake_kibana.requests[0])
    assert report["alias"] == "team-b-articles" and report["successCount"] == len(uploaded)
    views = [o for o in uploaded if o["type"] == "index-pattern"]
    assert {v["attributes"]["title"] for v in views} == {"team-b-articles"}
    assert "newsmon-articles" not in json.dumps(uploaded)
    dash = next(o for o in uploaded if o["type"] == "dashboard")
    assert {r["id"] for r in dash["references"]} == {"team-b-articles-published"}


def test_setup_kibana_reports_import_errors(fake_kibana: FakeKibana) -> None:
    fake_kibana.answer = {
        "success": False,
        "successCount": 5,
        "errors": [{"type": "dashboard", "id": "newsmon-articles-overview", "error": {"type": "unknown"}}],
    }
    report = kibana.setup_kibana(fake_kibana.url, prefix=DEFAULT_PREFIX, assets_dir=ASSETS)
    assert report["success"] is False and report["successCount"] == 5
    assert report["errors"][0]["id"] == "newsmon-articles-overview"


def test_setup_kibana_http_error_names_url(fake_kibana: FakeKibana) -> None:
    fake_kibana.status = 500
    fake_kibana.answer = {"statusCode": 500, "error": "Internal Server Error"}
    with pytest.raises(kibana.KibanaError) as info:
        kibana.setup_kibana(fake_kibana.url, prefix=DEFAULT_PREFIX, assets_dir=ASSETS)
    assert fake_kibana.url.rstrip("/") in str(info.value) and "500" in str(info.value)


def test_setup_kibana_unreachable_names_url() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    with pytest.raises(kibana.KibanaError, match="unreachable") as info:
        kibana.setup_kibana(url, prefix=DEFAULT_PREFIX, assets_dir=ASSETS)
    assert url in str(info.value)
