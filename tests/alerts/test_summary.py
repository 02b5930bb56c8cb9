"""Story summaries built from articles: what they hold, their limits, and the fields the record step reads."""

from __future__ import annotations

from pipeline.alerts import summary
from pipeline.alerts.ledger import new_entry
from pipeline.alerts.rules import RuleFilter, parse_alert_rules
from tests.alerts.helpers import MIN, T0, article


def test_story_fields_hold_everything_a_ledger_entry_is_built_from():
    """The record step reads only `STORY_FIELDS` of each article: the entry must be what the whole doc gives."""
    r = parse_alert_rules({"channels": {"l": {"type": "log"}}, "rules": [{"name": "a", "channel": "l"}]}).rules[0]
    full = [
        article("a1", "s1", ingested=T0),
        article("a2", "s1", ingested=T0 + MIN, source="Other Desk", persons=("Tom Andrews",)),
    ]
    for d in full:
        d |= {"cluster_keys": ["m1.00.abc"], "entity_mentions": [{"text": "x"}], "language": "en", "guid": "g"}
    slim = [{k: v for k, v in d.items() if k in summary.STORY_FIELDS} for d in full]
    assert len(slim[0]) < len(full[0])
    want = new_entry(r, *summary.summarise_story("s1", full[:1], full, r.filter), T0)
    assert new_entry(r, *summary.summarise_story("s1", slim[:1], slim, r.filter), T0) == want


def test_trigger_outlets_and_the_limits():
    copies = [
        article(f"c{i}", "s1", ingested=T0 + i * MIN, source=f"Desk {i}", persons=(f"Person {i}", "Shared"))
        for i in range(8)
    ]
    copies[0]["evidence"] = [{"topic": "myanmar", "text": f"line {n}"} for n in range(9)]
    s, trigger = summary.summarise_story("s1", copies[2:], copies, RuleFilter(entities=["Person 7"]))
    assert trigger["id"] == "c2"  # the first-ingested *matching* copy
    assert s.outlets[0] == "Desk 2" and len(s.outlets) == 8
    assert len(s.links) == summary.MAX_LINKS
    people = dict(s.entities)["person"]
    assert len(people) == summary.MAX_ENTITIES_PER_TYPE and people[:2] == ("Person 7", "Shared")
    s0, _ = summary.summarise_story("s1", copies[:1], [], RuleFilter())
    assert len(s0.topics[0].evidence) == summary.MAX_EVIDENCE_PER_TOPIC
    assert summary.story_key({"id": "x"}) == "x" and summary.story_key({"id": "x", "story_id": "s"}) == "s"
