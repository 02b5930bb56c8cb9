"""The message model: the ledger payload round trip and the subject line."""

from __future__ import annotations

from pipeline.alerts.message import AlertMessage, StorySummary
from tests.alerts.helpers import MSG, NOW, STORY


def test_story_round_trips_through_the_ledger_payload():
    assert StorySummary.from_dict(STORY.to_dict()) == STORY


def test_subject_names_the_story_or_counts_the_digest():
    assert MSG.subject == f"{STORY.headline} (3 outlets)"
    assert AlertMessage("r", "digest", "d1", NOW, (STORY, STORY)).subject == "2 new stories for r"
    one = StorySummary("s", "Headline", "https://x.example/1", None, ("Wire A",))
    assert AlertMessage("r", "test", "t1", NOW, (one,)).subject == "Headline (1 outlet)"
