"""alerts.yaml: the shipped file, config errors naming file and key, topics from topics.yaml, the rule query."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from pipeline.alerts.channels import make_channel, unavailable_reason
from pipeline.alerts.rules import AlertRule, AlertSettings, RuleFilter, build_query, load_alert_rules, parse_alert_rules
from pipeline.core.config import ConfigError
from pipeline.core.vocab import FACET_KEYS, topic_names
from tests.alerts.helpers import MIN, T0


def test_shipped_config_loads_and_names_its_rules():
    rules = load_alert_rules()
    names = [r.name for r in rules.rules]
    assert {"myanmar", "asean", "russian-diplomacy", "lavrov-myanmar"} <= set(names)
    assert rules.rule("lavrov-myanmar").filter.entities == ["Sergey Lavrov"]
    assert rules.rule("lavrov-myanmar").backfill == timedelta(days=7)
    cfg = rules.channels["desk-webhook"]
    assert unavailable_reason("desk-webhook", cfg, {}) is not None
    assert unavailable_reason("desk-webhook", cfg, {"NEWSMON_WEBHOOK_URL": "http://127.0.0.1:9/x"}) is None
    assert make_channel("log", rules.channels["log"]).describe() == "log 'log'"


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        ("channels: {log: {type: log}}\nrules: [{name: a, channel: nowhere}]", "rules[0].channel: unknown channel"),
        (
            "channels: {log: {type: log}}\nrules: [{name: a, channel: log}, {name: a, channel: log}]",
            "rules[1].name: duplicate rule name",
        ),
        ("channels: {log: {type: log}}\nrules: [{name: a, channel: log, mode: digest}]", "digest_minutes"),
        (
            "channels: {log: {type: log}}\nrules: [{name: a, channel: log, filter: {topics_any: [sport]}}]",
            "rules[0].filter.topics_any: Value error, unknown topic",
        ),
        ("channels: {log: {type: log}}\nrules: [{name: a, channel: log, backfill: soon}]", "rules[0].backfill"),
        (
            "channels: {log: {type: log}}\nrules: [{name: a, channel: log, filter: {topic: [x]}}]",
            "rules[0].filter.topic: Extra inputs",
        ),
        ("channels: {h: {type: webhook}}\nrules: []", "channels.h.webhook"),
        ("channels: {h: {type: pager}}\nrules: []", "channels.h"),
    ],
)
def test_bad_config_names_file_and_key(tmp_path: Path, yaml_text: str, expected: str):
    path = tmp_path / "alerts.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_alert_rules(path)
    assert str(path) in str(err.value) and expected in str(err.value)


def test_topics_are_those_of_topics_yaml():
    every = list(topic_names())
    assert RuleFilter(topics_all=every).topics_all == every
    with pytest.raises(ValueError, match=re.escape(f"known: {every!r}")):
        RuleFilter(topics_any=["sport"])
    # min_score without topics: any topic of topics.yaml at that score
    q = build_query(RuleFilter(min_score=1.0), T0, T0 + MIN)
    should = q["bool"]["filter"][-1]["bool"]["should"]
    assert [next(iter(c["range"])) for c in should] == [f"topic_scores.{t}" for t in every]


def test_backfill_durations_and_query_shape():
    r = parse_alert_rules(
        {"channels": {"l": {"type": "log"}}, "rules": [{"name": "a", "channel": "l", "backfill": "12h"}]}
    ).rules[0]
    assert r.start_at(T0) == T0 - timedelta(hours=12)
    assert AlertRule(name="b", channel="l", backfill="2w").start_at(T0) == T0 - timedelta(weeks=2)
    q = build_query(RuleFilter(topics_any=["asean"], min_score=2.5), T0, T0 + MIN)
    assert {"terms": {"topics": ["asean"]}} in q["bool"]["filter"]
    assert {"bool": {"should": [{"range": {"topic_scores.asean": {"gte": 2.5}}}], "minimum_should_match": 1}} in q[
        "bool"
    ]["filter"]
    entity_clause = build_query(RuleFilter(entities=["Sergei Lavrov"]), T0, T0 + MIN)["bool"]["filter"][-1]
    assert [next(iter(c["terms"])) for c in entity_clause["bool"]["should"]] == [f"entities.{k}" for k in FACET_KEYS]


def test_docs_mention_every_rule_and_settings_key():
    docs = (Path(__file__).resolve().parents[2] / "docs" / "alerts.md").read_text(encoding="utf-8")
    keys = [*AlertSettings.model_fields, *RuleFilter.model_fields, *AlertRule.model_fields]
    missing = [k for k in keys if k not in docs and k != "description"]
    assert not missing, f"docs/alerts.md lacks: {missing}"
