"""The ledger's public API against the real Elasticsearch node: create, due, claim, mark, cursors, backoff."""

from __future__ import annotations

from datetime import timedelta

from elasticsearch import Elasticsearch

from pipeline.alerts import ledger
from pipeline.alerts.deliver import record_matches
from pipeline.alerts.ledger import ledger_id
from pipeline.alerts.rules import AlertSettings, parse_alert_rules
from pipeline.alerts.summary import summarise_story
from pipeline.index.names import IndexNames
from tests.alerts.helpers import MIN, T0, article, ledger_entries, seed

RULES = {
    "channels": {"l": {"type": "log"}},
    "rules": [{"name": "a", "channel": "l", "filter": {"topics_any": ["myanmar"]}}],
}


def test_ids_and_backoff():
    assert ledger_id("a", "s1") == ledger_id("a", "s1") != ledger_id("a", "s2")
    assert len(ledger_id("a", "s1")) == 40
    assert ledger.digest_key("a", ["x", "y"], T0) == ledger.digest_key("a", ["y", "x"], T0)
    assert ledger.retry_delay(1, AlertSettings()) == timedelta(minutes=1)
    assert ledger.retry_delay(3, AlertSettings()) == timedelta(minutes=4)
    assert ledger.retry_delay(30, AlertSettings()) == timedelta(hours=6)


def test_ledger_create_is_the_guard_against_concurrent_runners(es: Elasticsearch, index_names: IndexNames):
    r = parse_alert_rules(RULES).rules[0]
    summary, trigger = summarise_story("s1", [article("a1", "s1", ingested=T0)], [], r.filter)
    doc = ledger.new_entry(r, summary, trigger, T0)
    assert ledger.create_entries(es, index_names, [doc]) == (1, 0)
    assert ledger.create_entries(es, index_names, [doc, doc]) == (0, 2)
    ledger.refresh(es, index_names)
    assert ledger.unrecorded(es, index_names, "a", ["s1", "s2"]) == ["s2"]


def test_two_runners_cannot_claim_the_same_entry(es: Elasticsearch, index_names: IndexNames):
    rules = parse_alert_rules(RULES)
    record_matches(es, index_names, rules, T0)
    seed(es, index_names, [article("a1", "s1", ingested=T0 + MIN)])
    record_matches(es, index_names, rules, T0 + 5 * MIN)
    seen_by_first = ledger.due(es, index_names, "a", T0 + 5 * MIN, 10)
    seen_by_second = [dict(h, _source=dict(h["_source"])) for h in seen_by_first]
    assert len(seen_by_first) == 1
    assert len(ledger.claim(es, index_names, seen_by_first, T0 + 5 * MIN, rules.settings)) == 1
    assert ledger.claim(es, index_names, seen_by_second, T0 + 5 * MIN, rules.settings) == []
    entry = ledger_entries(es, index_names)[ledger_id("a", "s1")]
    assert entry["attempts"] == 1 and entry["status"] == "pending"


def test_mark_failed_backs_off_then_delivered_records_timing(es: Elasticsearch, index_names: IndexNames):
    rules = parse_alert_rules(RULES)
    s = rules.settings
    record_matches(es, index_names, rules, T0)
    seed(es, index_names, [article("a1", "s1", ingested=T0 + MIN)])
    record_matches(es, index_names, rules, T0 + 5 * MIN)
    (hit,) = ledger.claim(es, index_names, ledger.due(es, index_names, "a", T0 + 5 * MIN, 10), T0 + 5 * MIN, s)
    ledger.mark(es, index_names, [hit], T0 + 5 * MIN, s, "channel 'l' (x): HTTP 500")
    ledger.refresh(es, index_names)
    entry = ledger_entries(es, index_names)[ledger_id("a", "s1")]
    assert entry["status"] == "failed" and entry["next_attempt_at"] == (T0 + 6 * MIN).isoformat()
    assert ledger.due(es, index_names, "a", T0 + 5 * MIN, 10) == []  # not before the retry time
    (hit,) = ledger.claim(
        es, index_names, ledger.due(es, index_names, "a", T0 + 6 * MIN, 10), T0 + 6 * MIN, s, digest_id="d-1"
    )
    ledger.mark(es, index_names, [hit], T0 + 6 * MIN, s, None)
    entry = ledger_entries(es, index_names)[ledger_id("a", "s1")]
    assert (entry["status"], entry["attempts"], entry["last_error"], entry["digest_id"]) == (
        "delivered",
        2,
        None,
        "d-1",
    )
    assert entry["timing"]["index_to_alert_s"] == 5 * 60
    assert ledger.due(es, index_names, "a", T0 + 60 * MIN, 10) == []
    cursor = ledger.load_cursor(es, index_names, "a")
    assert cursor is not None and cursor.last_run_at == T0 + 5 * MIN
    assert ledger.load_cursor(es, index_names, "nobody") is None
