"""The alert run (record + deliver) against the real Elasticsearch node, a real local webhook receiver and a
real local SMTP server.

Articles are seeded into the articles write alias with `store.upsert_actions`; time is always an argument, so
each test walks a clock forward by hand. All headlines and texts here are written for these tests.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from pipeline.alerts import deliver, ledger
from pipeline.alerts.channels import ChannelConfig, DeliveryError
from pipeline.alerts.deliver import run_alerts
from pipeline.alerts.ledger import ledger_id
from pipeline.alerts.report import render_deliveries
from pipeline.alerts.rules import parse_alert_rules
from pipeline.core.config import ConfigError
from pipeline.index import store
from pipeline.index.names import IndexNames
from tests.alerts.helpers import MIN, T0, article, hook, ledger_entries, rule, rules_for, seed
from tests.support.receivers import SmtpServer, WebhookReceiver

# ---------------------------------------------------------------- per-story, re-runs, five copies


def test_per_story_alerts_once_and_rerunning_changes_nothing(
    es: Elasticsearch, index_names: IndexNames, webhook_receiver: WebhookReceiver
):
    rules = rules_for(hook(webhook_receiver), rule())
    first = run_alerts(es, index_names, rules, T0)  # creates the cursor at T0, nothing to send
    assert first.rules["myanmar"].matched == 0 and not webhook_receiver.requests
    seed(
        es,
        index_names,
        [
            article("a1", "s1", ingested=T0 + 2 * MIN),
            article("a2", "s2", ingested=T0 + 3 * MIN, title="Resistance forces take a border town"),
            article("x1", "s3", ingested=T0 + 3 * MIN, topics=("asean",), title="Ministers meet on trade"),
        ],
    )
    report = run_alerts(es, index_names, rules, T0 + 5 * MIN)
    r = report.rules["myanmar"]
    assert (r.matched, r.new, r.delivered, r.failed, r.skipped_existing) == (2, 2, 2, 0, 0)
    assert report.exit_code == 0 and "myanmar" in report.summary()
    keys = sorted(req.headers["idempotency-key"] for req in webhook_receiver.requests)
    assert keys == sorted([ledger_id("myanmar", "s1"), ledger_id("myanmar", "s2")])
    body = webhook_receiver.requests[0].json()
    assert body["type"] == "newsmon.alert" and body["rule"] == "myanmar" and len(body["stories"]) == 1
    before = ledger_entries(es, index_names)
    assert {d["status"] for d in before.values()} == {"delivered"}

    for later in (T0 + 5 * MIN, T0 + 6 * MIN, T0 + 30 * MIN):
        again = run_alerts(es, index_names, rules, later)
        assert again.rules["myanmar"].new == 0 and again.rules["myanmar"].delivered == 0
    assert len(webhook_receiver.requests) == 2
    assert ledger_entries(es, index_names) == before


def test_five_copies_of_one_story_give_one_alert_naming_five_outlets(
    es: Elasticsearch, index_names: IndexNames, webhook_receiver: WebhookReceiver
):
    rules = rules_for(hook(webhook_receiver), rule())
    run_alerts(es, index_names, rules, T0)
    outlets = ["Wire A", "Wire B", "Daily C", "Herald D", "Times E"]
    seed(
        es,
        index_names,
        [article(f"c{i}", "story-five", ingested=T0 + (i + 1) * MIN, source=name) for i, name in enumerate(outlets)],
    )
    report = run_alerts(es, index_names, rules, T0 + 10 * MIN)
    assert report.rules["myanmar"].matched == 1 and report.rules["myanmar"].new == 1
    assert len(webhook_receiver.requests) == 1
    story = webhook_receiver.requests[0].json()["stories"][0]
    assert story["outlets_count"] == 5 and sorted(story["outlets"]) == sorted(outlets)
    assert "5 outlets" in webhook_receiver.requests[0].json()["text"]
    assert story["url"].endswith("/news/c0")  # the first-ingested copy triggered the alert
    # a sixth copy arriving later does not alert again
    seed(es, index_names, [article("c5", "story-five", ingested=T0 + 12 * MIN, source="Late Post")])
    assert run_alerts(es, index_names, rules, T0 + 20 * MIN).rules["myanmar"].skipped_existing == 1
    assert len(webhook_receiver.requests) == 1


def test_late_articles_still_alert_once(es: Elasticsearch, index_names: IndexNames, webhook_receiver: WebhookReceiver):
    rules = rules_for(hook(webhook_receiver), rule())
    run_alerts(es, index_names, rules, T0)
    run_alerts(es, index_names, rules, T0 + 10 * MIN)  # watermark now T0+10m-10s
    # published three days ago, ingested just now
    seed(es, index_names, [article("old", "s-old", ingested=T0 + 11 * MIN, published=T0 - timedelta(days=3))])
    # ingested (stamped) before the last watermark but only visible now: the overlap window catches it
    seed(es, index_names, [article("lag", "s-lag", ingested=T0 + 8 * MIN)])
    report = run_alerts(es, index_names, rules, T0 + 15 * MIN)
    assert report.rules["myanmar"].new == 2 and report.rules["myanmar"].delivered == 2
    run_alerts(es, index_names, rules, T0 + 16 * MIN)
    assert len(webhook_receiver.accepted) == 2
    entry = ledger_entries(es, index_names)[ledger_id("myanmar", "s-old")]
    assert entry["timing"]["publish_to_alert_s"] > 3 * 86400
    assert entry["timing"]["index_to_alert_s"] == pytest.approx(4 * 60)


def test_new_rule_does_not_alert_on_history_unless_backfill(
    es: Elasticsearch, index_names: IndexNames, webhook_receiver: WebhookReceiver
):
    seed(
        es,
        index_names,
        [
            article("h1", "hist-1", ingested=T0 - timedelta(days=5)),
            article("h2", "hist-2", ingested=T0 - timedelta(hours=1)),
        ],
    )
    rules = rules_for(hook(webhook_receiver), rule("fresh"), rule("all", backfill=True), rule("day", backfill="1d"))
    report = run_alerts(es, index_names, rules, T0)
    run_alerts(es, index_names, rules, T0 + 10 * MIN)
    assert report.rules["fresh"].matched == 0
    assert report.rules["all"].new == 2 and report.rules["day"].new == 1
    by_rule: dict[str, list[str]] = {}
    for req in webhook_receiver.requests:
        body = req.json()
        by_rule.setdefault(body["rule"], []).append(body["stories"][0]["story_id"])
    assert "fresh" not in by_rule
    assert sorted(by_rule["all"]) == ["hist-1", "hist-2"] and by_rule["day"] == ["hist-2"]


# ---------------------------------------------------------------- failures, retries, crashes


def test_receiver_failing_then_recovering_gets_exactly_one_delivery(
    es: Elasticsearch, index_names: IndexNames, webhook_receiver: WebhookReceiver
):
    rules = rules_for(hook(webhook_receiver), rule())
    run_alerts(es, index_names, rules, T0)
    seed(es, index_names, [article("a1", "s1", ingested=T0 + MIN)])
    webhook_receiver.fail_next(500, 500)

    r1 = run_alerts(es, index_names, rules, T0 + 5 * MIN)
    assert r1.rules["myanmar"].failed == 1 and r1.exit_code == 1
    entry = ledger_entries(es, index_names)[ledger_id("myanmar", "s1")]
    assert entry["status"] == "failed" and entry["attempts"] == 1
    assert "127.0.0.1" in entry["last_error"] and "HTTP 500" in entry["last_error"]
    assert "secret-token" not in entry["last_error"]  # the URL path is a secret, never recorded
    assert entry["next_attempt_at"] == (T0 + 6 * MIN).isoformat()  # retry_base 60s

    assert run_alerts(es, index_names, rules, T0 + 5 * MIN + 30 * timedelta(seconds=1)).rules["myanmar"].failed == 0
    assert len(webhook_receiver.requests) == 1  # not due yet: no request

    assert run_alerts(es, index_names, rules, T0 + 7 * MIN).rules["myanmar"].failed == 1  # second 500
    entry = ledger_entries(es, index_names)[ledger_id("myanmar", "s1")]
    assert entry["attempts"] == 2 and entry["next_attempt_at"] == (T0 + 9 * MIN).isoformat()  # 2 x 60s

    r3 = run_alerts(es, index_names, rules, T0 + 9 * MIN)
    assert r3.rules["myanmar"].delivered == 1
    run_alerts(es, index_names, rules, T0 + 60 * MIN)
    assert [r.status for r in webhook_receiver.requests] == [500, 500, 200]
    assert len(webhook_receiver.accepted) == 1
    assert {r.headers["idempotency-key"] for r in webhook_receiver.requests} == {ledger_id("myanmar", "s1")}
    entry = ledger_entries(es, index_names)[ledger_id("myanmar", "s1")]
    assert entry["status"] == "delivered" and entry["attempts"] == 3 and entry["last_error"] is None


def test_crash_between_recording_and_delivering_delivers_once_next_run(
    es: Elasticsearch, index_names: IndexNames, webhook_receiver: WebhookReceiver
):
    rules = rules_for(hook(webhook_receiver), rule())
    run_alerts(es, index_names, rules, T0)
    seed(es, index_names, [article("a1", "s1", ingested=T0 + MIN), article("a2", "s2", ingested=T0 + MIN)])

    def crashing_factory(name: str, cfg: ChannelConfig) -> Any:
        raise RuntimeError("worker killed")

    with pytest.raises(RuntimeError):
        run_alerts(es, index_names, rules, T0 + 5 * MIN, channels_factory=crashing_factory)
    entries = ledger_entries(es, index_names)
    assert len(entries) == 2 and {e["status"] for e in entries.values()} == {"pending"}
    assert not webhook_receiver.requests

    # the record step alone (another way to stop before delivery) records nothing new
    assert deliver.record_matches(es, index_names, rules, T0 + 6 * MIN).rules["myanmar"].new == 0

    report = run_alerts(es, index_names, rules, T0 + 7 * MIN)
    assert report.rules["myanmar"].delivered == 2 and report.rules["myanmar"].new == 0
    run_alerts(es, index_names, rules, T0 + 8 * MIN)
    assert len(webhook_receiver.accepted) == 2
    assert sorted(r.json()["stories"][0]["story_id"] for r in webhook_receiver.requests) == ["s1", "s2"]


def test_entry_claimed_by_a_crashed_runner_is_retried_after_the_lease(
    es: Elasticsearch, index_names: IndexNames, webhook_receiver: WebhookReceiver
):
    rules = rules_for(hook(webhook_receiver), rule())
    run_alerts(es, index_names, rules, T0)
    seed(es, index_names, [article("a1", "s1", ingested=T0 + MIN)])
    deliver.record_matches(es, index_names, rules, T0 + 5 * MIN)

    class DiesMidSend:
        name = "out"

        def describe(self) -> str:
            return "dies"

        def send(self, msg: Any) -> None:
            raise SystemExit("killed during send")  # not an Exception: nothing gets recorded

    with pytest.raises(SystemExit):
        deliver.deliver_pending(es, index_names, rules, T0 + 5 * MIN, channels_factory=lambda n, c: DiesMidSend())
    entry = ledger_entries(es, index_names)[ledger_id("myanmar", "s1")]
    assert entry["status"] == "pending" and entry["attempts"] == 1  # claimed, leased for 300 s
    assert run_alerts(es, index_names, rules, T0 + 6 * MIN).rules["myanmar"].delivered == 0
    assert run_alerts(es, index_names, rules, T0 + 10 * MIN).rules["myanmar"].delivered == 1
    assert len(webhook_receiver.accepted) == 1


# ---------------------------------------------------------------- digests


def test_digest_groups_pending_stories_into_one_message_when_due(
    es: Elasticsearch, index_names: IndexNames, webhook_receiver: WebhookReceiver
):
    rules = rules_for(hook(webhook_receiver), rule("hourly", mode="digest", digest_minutes=60))
    run_alerts(es, index_names, rules, T0)
    seed(es, index_names, [article(f"d{i}", f"ds{i}", ingested=T0 + (i + 1) * MIN) for i in range(3)])
    early = run_alerts(es, index_names, rules, T0 + 10 * MIN)
    assert early.rules["hourly"].new == 3 and early.rules["hourly"].delivered == 0
    assert not webhook_receiver.requests

    webhook_receiver.fail_next(503)
    failed = run_alerts(es, index_names, rules, T0 + 61 * MIN)
    assert failed.rules["hourly"].failed == 3 and len(webhook_receiver.requests) == 1
    ok = run_alerts(es, index_names, rules, T0 + 63 * MIN)
    assert ok.rules["hourly"].delivered == 3 and ok.rules["hourly"].messages == 1
    first, second = webhook_receiver.requests
    assert first.headers["idempotency-key"] == second.headers["idempotency-key"]  # same digest retried
    body = second.json()
    assert body["mode"] == "digest" and sorted(s["story_id"] for s in body["stories"]) == ["ds0", "ds1", "ds2"]
    entries = ledger_entries(es, index_names)
    assert {e["digest_id"] for e in entries.values()} == {second.headers["idempotency-key"]}
    assert {e["status"] for e in entries.values()} == {"delivered"}

    # next story waits for the next digest slot (60 min after the last digest at T0+63m)
    seed(es, index_names, [article("d9", "ds9", ingested=T0 + 70 * MIN)])
    assert run_alerts(es, index_names, rules, T0 + 80 * MIN).rules["hourly"].delivered == 0
    assert run_alerts(es, index_names, rules, T0 + 124 * MIN).rules["hourly"].delivered == 1
    run_alerts(es, index_names, rules, T0 + 200 * MIN)
    assert len(webhook_receiver.accepted) == 2
    assert [s["story_id"] for s in webhook_receiver.requests[-1].json()["stories"]] == ["ds9"]


# ---------------------------------------------------------------- filters, channels, listing


def test_filters_entities_query_sources_and_min_score(
    es: Elasticsearch, index_names: IndexNames, webhook_receiver: WebhookReceiver
):
    rules = rules_for(
        hook(webhook_receiver),
        rule("lavrov-myanmar", filter={"entities": ["Sergei Lavrov"], "topics_any": ["myanmar"]}),
        rule("ports", filter={"query": "deep-sea port", "topics_any": ["myanmar"]}),
        rule("wire-a", filter={"sources": ["Wire A"]}),
        rule("strong-both", filter={"topics_all": ["myanmar", "russian_diplomacy"], "min_score": 5}),
    )
    run_alerts(es, index_names, rules, T0)
    seed(
        es,
        index_names,
        [
            article(
                "l1",
                "visit",
                ingested=T0 + MIN,
                topics=("myanmar", "russian_diplomacy"),
                scores={"myanmar": 7.0, "russian_diplomacy": 4.0},
                persons=("Sergei Lavrov", "Than Swe"),
                title="Russian foreign minister arrives in Naypyidaw for talks",
            ),
            article(
                "l2",
                "lavrov-elsewhere",
                ingested=T0 + MIN,
                topics=("russian_diplomacy",),
                persons=("Sergei Lavrov",),
                title="Foreign minister holds talks in Ankara",
                source="Wire A",
            ),
            article("p1", "port", ingested=T0 + MIN, title="Work resumes at the Kyaukphyu deep-sea port project"),
            article(
                "m1",
                "both-strong",
                ingested=T0 + MIN,
                topics=("myanmar", "russian_diplomacy"),
                scores={"myanmar": 6.0, "russian_diplomacy": 5.5},
                persons=(),
            ),
        ],
    )
    report = run_alerts(es, index_names, rules, T0 + 5 * MIN)
    got = {name: r.matched for name, r in report.rules.items()}
    assert got == {"lavrov-myanmar": 1, "ports": 1, "wire-a": 1, "strong-both": 1}
    stories = {r.json()["rule"]: r.json()["stories"][0] for r in webhook_receiver.requests}
    assert stories["lavrov-myanmar"]["story_id"] == "visit"
    assert stories["lavrov-myanmar"]["entities"]["person"][0] == "Sergei Lavrov"
    assert stories["ports"]["story_id"] == "port" and stories["wire-a"]["story_id"] == "lavrov-elsewhere"
    assert stories["strong-both"]["story_id"] == "both-strong"


def test_email_alert_arrives_with_plain_and_html_parts(
    es: Elasticsearch, index_names: IndexNames, smtp_server: SmtpServer
):
    channel = {"type": "email", "from": "newsmon@example.org", "to": ["desk@example.org", "duty@example.org"]}
    rules = rules_for(channel, rule("mail"))
    env = smtp_server.env()
    run_alerts(es, index_names, rules, T0, env=env)
    seed(
        es,
        index_names,
        [
            article("e1", "s-mail", ingested=T0 + MIN, source="Wire A"),
            article("e2", "s-mail", ingested=T0 + 2 * MIN, source="Wire B"),
        ],
    )
    report = run_alerts(es, index_names, rules, T0 + 5 * MIN, env=env)
    assert report.rules["mail"].delivered == 1
    (mail,) = smtp_server.messages
    assert mail.rcpt_tos == ["desk@example.org", "duty@example.org"]
    msg = mail.message
    assert "Junta extends emergency rule" in msg["Subject"] and "2 outlets" in msg["Subject"]
    plain = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    assert "Junta extends emergency rule" in plain.get_content() and "Wire A, Wire B" in plain.get_content()
    assert "<h2>" in html.get_content() and "Junta extends emergency rule" in html.get_content()
    assert msg["X-Newsmon-Alert-Key"] == ledger_id("mail", "s-mail")


def test_rule_whose_channel_env_is_missing_is_skipped_with_a_warning(
    es: Elasticsearch, index_names: IndexNames, caplog: pytest.LogCaptureFixture
):
    rules = parse_alert_rules(
        {
            "channels": {"hook": {"type": "webhook", "url_env": "NEWSMON_WEBHOOK_URL"}, "log": {"type": "log"}},
            "rules": [
                {"name": "hooked", "channel": "hook"},
                {"name": "logged", "channel": "log"},
                {"name": "off", "channel": "log", "enabled": False},
            ],
        }
    )
    with caplog.at_level("WARNING"):
        report = run_alerts(es, index_names, rules, T0, env={})
    assert "NEWSMON_WEBHOOK_URL" in (report.rules["hooked"].skipped or "")
    assert report.rules["off"].skipped == "disabled" and report.rules["logged"].skipped is None
    assert any("hooked" in r.getMessage() and "NEWSMON_WEBHOOK_URL" in r.getMessage() for r in caplog.records)
    assert ledger.load_cursor(es, index_names, "hooked") is None  # no cursor: it starts when configured
    assert ledger.load_cursor(es, index_names, "logged") is not None
    assert "skipped" in report.summary()


def test_log_channel_and_list_deliveries(
    es: Elasticsearch,
    index_names: IndexNames,
    webhook_receiver: WebhookReceiver,
    caplog: pytest.LogCaptureFixture,
):
    rules = parse_alert_rules(
        {
            "channels": {"log": {"type": "log"}, "hook": hook(webhook_receiver)},
            "rules": [
                {"name": "logged", "channel": "log", "filter": {"topics_any": ["myanmar"]}},
                {"name": "hooked", "channel": "hook", "filter": {"topics_any": ["myanmar"]}},
            ],
        }
    )
    run_alerts(es, index_names, rules, T0)
    seed(es, index_names, [article("a1", "s1", ingested=T0 + MIN)])
    webhook_receiver.fail_next(500)
    with caplog.at_level("INFO", logger="newsmon.alerts"):
        run_alerts(es, index_names, rules, T0 + 5 * MIN)
    assert any("Junta extends emergency rule" in r.getMessage() for r in caplog.records if r.name == "newsmon.alerts")
    rows = ledger.list_deliveries(es, index_names)
    assert [(r["rule"], r["status"]) for r in rows] == [("hooked", "failed"), ("logged", "delivered")]
    assert rows[1]["timing"]["index_to_alert_s"] == pytest.approx(4 * 60)
    text = render_deliveries(rows)
    assert "failed" in text and "HTTP 500" in text and "240s" in text
    assert ledger.list_deliveries(es, index_names, limit=1) == rows[:1]


def test_send_test_uses_the_rules_channel(webhook_receiver: WebhookReceiver):
    rules = rules_for(hook(webhook_receiver, slack=True), rule("lavrov", filter={"entities": ["Sergei Lavrov"]}))
    out = deliver.send_test("lavrov", rules, T0)
    assert "lavrov" in out and "127.0.0.1" in out and "secret-token" not in out
    (req,) = webhook_receiver.requests
    body = req.json()
    assert "TEST" in body["text"] and body["blocks"][0]["type"] == "header"
    with pytest.raises(ConfigError, match="no rule named 'nope'"):
        deliver.send_test("nope", rules, T0)
    webhook_receiver.fail_next(502)
    with pytest.raises(DeliveryError, match="HTTP 502"):
        deliver.send_test("lavrov", rules, T0)


def test_watermark_does_not_move_when_the_ledger_write_fails(
    es: Elasticsearch, index_names: IndexNames, webhook_receiver: WebhookReceiver
):
    rules = rules_for(hook(webhook_receiver), rule())
    run_alerts(es, index_names, rules, T0)
    before = ledger.load_cursor(es, index_names, "myanmar")
    seed(es, index_names, [article("a1", "s1", ingested=T0 + MIN)])
    es.indices.put_settings(index=index_names.alerts, settings={"index.blocks.write": True})
    try:
        with pytest.raises(store.StoreError, match="alert ledger"):
            run_alerts(es, index_names, rules, T0 + 5 * MIN)
    finally:
        es.indices.put_settings(index=index_names.alerts, settings={"index.blocks.write": False})
    after = ledger.load_cursor(es, index_names, "myanmar")
    assert before is not None and after is not None and after.watermark == before.watermark
    assert run_alerts(es, index_names, rules, T0 + 30 * MIN).rules["myanmar"].delivered == 1
    assert len(webhook_receiver.accepted) == 1


def test_run_on_a_prefix_without_setup_fails_clearly_and_creates_nothing(es: Elasticsearch):
    names = IndexNames(f"test-nosetup-{uuid.uuid4().hex[:8]}")
    rules = parse_alert_rules({"channels": {"l": {"type": "log"}}, "rules": [{"name": "a", "channel": "l"}]})
    with pytest.raises(store.IndexMissing, match="newsmon es setup"):
        run_alerts(es, names, rules, T0)
    assert store.missing_indices(es, names) == names.required()  # schema creation is setup's job only
