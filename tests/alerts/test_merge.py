"""Exactly one alert per event, with story grouping in the loop: team-written reports of one event
(tests/fixtures/cluster) go through the real ingest steps (`assign_stories` against the real Elasticsearch, then
bulk indexing), alert runs deliver to a real local webhook receiver, and parallel workers' split stories are
merged by `merge_split_stories`, which records the merge in the ledger."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from pipeline.alerts.deliver import run_alerts
from pipeline.alerts.ledger import ledger_id, unrecorded
from pipeline.core.records import Entity
from pipeline.index import store
from pipeline.index.documents import Enriched
from pipeline.index.names import IndexNames
from pipeline.jobs.parallel import merge_split_stories
from pipeline.jobs.stages import Components, FeedRun, index_enriched
from pipeline.stories.assign import assign_stories
from tests.alerts.helpers import MIN, T0, hook, ledger_entries, rule, rules_for
from tests.stories.conftest import enriched, load_stories
from tests.support.receivers import WebhookReceiver

EVENT = ["verdict-orig", "verdict-copy", "verdict-indep", "verdict-rewrite", "verdict-short"]
OUTLETS = {"verdict-orig": "Asia Wire", "verdict-copy": "Daily Mirror Yangon", "verdict-indep": "Frontier Post",
           "verdict-rewrite": "News Digest Bot", "verdict-short": "Radio Bulletin",
           "verdict-2": "Asia Wire"}  # fmt: skip


@pytest.fixture(scope="module")
def rows() -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in load_stories() if r["id"] in OUTLETS}


@pytest.fixture(scope="module")
def ents(rows: dict[str, dict[str, Any]]) -> dict[str, list[Entity]]:
    ids = sorted(rows)
    found = Components().extractor.extract_many((f"{rows[i]['title']}\n\n{rows[i]['text']}" for i in ids),
                                                langs=["en"] * len(ids))  # fmt: skip
    return dict(zip(ids, found, strict=True))


class Desk:
    """The ingest side of one test: workers assign stories against the index and index their chunks."""

    def __init__(self, es: Elasticsearch, names: IndexNames, rows: dict[str, dict[str, Any]],
                 ents: dict[str, list[Entity]]) -> None:  # fmt: skip
        self.es, self.names, self.rows, self.ents = es, names, rows, ents

    def assign(self, *ids: str) -> list[Enriched]:
        batch = [enriched(self.rows[i], self.ents[i], source=OUTLETS[i]) for i in ids]
        return assign_stories(self.es, self.names.articles, batch)

    def index(self, chunk: list[Enriched], at: datetime) -> list[str]:
        run = FeedRun("desk")
        assert index_enriched(self.es, self.names, chunk, at, run)
        return run.indexed_ids

    def ingest(self, *ids: str, at: datetime) -> list[str]:
        return self.index(self.assign(*ids), at)

    def stories(self) -> dict[str, str]:
        store.refresh(self.es, self.names.articles)
        return {h["_id"]: h["_source"]["story_id"]
                for h in store.scan_all(self.es, self.names.articles, source=["story_id"])}  # fmt: skip


@pytest.fixture
def desk(es: Elasticsearch, index_names: IndexNames, rows, ents) -> Desk:
    return Desk(es, index_names, rows, ents)


def alerted_stories(receiver: WebhookReceiver) -> list[str]:
    return [s["story_id"] for req in receiver.accepted for s in req.json()["stories"]]


ORDERS = [
    pytest.param(EVENT, id="agency-first"),
    pytest.param(["verdict-rewrite", "verdict-indep", "verdict-short", "verdict-copy", "verdict-orig"],
                 id="rewrite-first-agency-late"),
    pytest.param(["verdict-short", "verdict-orig", "verdict-rewrite", "verdict-indep", "verdict-copy"],
                 id="short-first"),
]


@pytest.mark.es
@pytest.mark.parametrize("order", ORDERS)
def test_reports_of_one_event_in_any_order_across_runs_and_late_alert_once(
    desk: Desk, es: Elasticsearch, index_names: IndexNames, webhook_receiver: WebhookReceiver, order: list[str]
) -> None:
    rules = rules_for(hook(webhook_receiver), rule())
    run_alerts(es, index_names, rules, T0)
    at = T0
    for n, aid in enumerate(order):
        at = T0 + (n * 3 + 1) * MIN if n < len(order) - 1 else T0 + 55 * MIN  # the last one arrives late
        desk.ingest(aid, at=at)
        run_alerts(es, index_names, rules, at + 2 * MIN)  # an alert run after every arrival
    run_alerts(es, index_names, rules, at + 30 * MIN)
    stories = desk.stories()
    assert {stories[i] for i in EVENT} == {order[0]}  # one story, founded by the first to arrive
    assert alerted_stories(webhook_receiver) == [order[0]]  # one alert
    assert list(ledger_entries(es, index_names)) == [ledger_id("myanmar", order[0])]
    # a different event of the same man (his second verdict, weeks later) is a new story and alerts
    desk.ingest("verdict-2", at=at + 40 * MIN)
    run_alerts(es, index_names, rules, at + 45 * MIN)
    assert alerted_stories(webhook_receiver) == [order[0], "verdict-2"]


@pytest.mark.es
def test_two_workers_each_alert_then_the_merge_sends_no_third_alert(
    desk: Desk, es: Elasticsearch, index_names: IndexNames, webhook_receiver: WebhookReceiver
) -> None:
    rules = rules_for(hook(webhook_receiver), rule())
    run_alerts(es, index_names, rules, T0)
    # two workers look up at once and each founds a story for the one event; an alert run lands before the merge
    w1, w2 = desk.assign("verdict-orig", "verdict-copy"), desk.assign("verdict-indep")
    ids = desk.index(w1, T0 + MIN) + desk.index(w2, T0 + MIN)
    run_alerts(es, index_names, rules, T0 + 3 * MIN)
    assert sorted(alerted_stories(webhook_receiver)) == ["verdict-indep", "verdict-orig"]

    assert merge_split_stories(es, index_names, ids, T0 + 4 * MIN) == 1
    assert set(desk.stories().values()) == {"verdict-orig"}
    ledger = ledger_entries(es, index_names)
    assert ledger[ledger_id("myanmar", "verdict-indep")]["merged_into"] == "verdict-orig"
    assert ledger[ledger_id("myanmar", "verdict-orig")]["status"] == "delivered"  # its own alert stays as it was
    assert "merged_into" not in ledger[ledger_id("myanmar", "verdict-orig")]

    # later runs, a rerun of the merge and a new report of the event: no third alert
    for minutes in (6, 10, 20):
        run_alerts(es, index_names, rules, T0 + minutes * MIN)
    assert merge_split_stories(es, index_names, ids, T0 + 21 * MIN) == 0
    desk.ingest("verdict-rewrite", at=T0 + 22 * MIN)
    assert desk.stories()["verdict-rewrite"] == "verdict-orig"
    run_alerts(es, index_names, rules, T0 + 25 * MIN)
    assert len(webhook_receiver.accepted) == 2 and len(webhook_receiver.requests) == 2
    assert len(ledger_entries(es, index_names)) == 2


@pytest.mark.es
def test_the_surviving_story_does_not_alert_when_the_merged_one_already_did(
    desk: Desk, es: Elasticsearch, index_names: IndexNames, webhook_receiver: WebhookReceiver
) -> None:
    rules = rules_for(hook(webhook_receiver), rule())
    run_alerts(es, index_names, rules, T0)
    w1, w2 = desk.assign("verdict-orig"), desk.assign("verdict-indep")  # both look before either indexes
    ids = desk.index(w2, T0 + MIN)  # worker 2 is faster ...
    run_alerts(es, index_names, rules, T0 + 3 * MIN)  # ... and its story alerts
    assert alerted_stories(webhook_receiver) == ["verdict-indep"]
    ids += desk.index(w1, T0 + 4 * MIN)  # worker 1 indexes the earlier report, founding the surviving story
    assert unrecorded(es, index_names, "myanmar", ["verdict-orig"]) == ["verdict-orig"]  # would alert unmerged

    merge_split_stories(es, index_names, ids, T0 + 5 * MIN)
    ledger = ledger_entries(es, index_names)
    survivor = ledger[ledger_id("myanmar", "verdict-orig")]
    assert survivor["status"] == "merged" and survivor["merged_from"] == "verdict-indep"
    assert ledger[ledger_id("myanmar", "verdict-indep")]["merged_into"] == "verdict-orig"

    for minutes in (7, 12, 40):
        report = run_alerts(es, index_names, rules, T0 + minutes * MIN)
        assert report.rules["myanmar"].new == 0 and report.rules["myanmar"].delivered == 0
    desk.ingest("verdict-copy", at=T0 + 41 * MIN)  # a later copy joins the surviving story: still no alert
    run_alerts(es, index_names, rules, T0 + 45 * MIN)
    assert alerted_stories(webhook_receiver) == ["verdict-indep"] and len(webhook_receiver.requests) == 1
    assert ledger_entries(es, index_names)[ledger_id("myanmar", "verdict-orig")]["status"] == "merged"
