"""The joining rule's shared pieces: candidates rebuilt from an indexed article's stored fields, the one
time-window test, the one ordering and publication-time parsing."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

from pipeline.stories.candidate import WINDOW, Candidate, candidate_from_source, parse_when, time_key, within_window
from pipeline.stories.event import stored
from tests.stories.conftest import feats

T0 = datetime(2024, 5, 1, 12, tzinfo=UTC)
TEXT = "The ministers met in Vientiane on Tuesday and agreed to reopen two border crossings by 2028."


def test_candidate_from_an_indexed_source() -> None:
    f = feats("Ministers meet", TEXT, T0, [("GPE", "Vientiane", 30)])
    c = Candidate("s", "a", T0, f)
    assert replace(c, story_id="t").story_id == "t"
    source = json.loads(json.dumps({"story_id": "s", "published_at": "2024-05-01T19:00:00+07:00",
                                    "event_sig": stored(f)}))  # fmt: skip
    got = candidate_from_source(source, doc_id="doc")
    assert got is not None
    assert (got.story_id, got.article_id, got.published_at) == ("s", "doc", T0)
    assert got.features.entities == f.entities and got.features.published_at == T0
    assert got.features.lead == {w: round(v, 4) for w, v in f.lead.items()}
    assert candidate_from_source({**source, "id": "own"}, doc_id="doc").article_id == "own"  # type: ignore[union-attr]
    # an article indexed by an older release (no event_sig) or without a story is no candidate
    assert candidate_from_source({"id": "a", "story_id": "s", "published_at": "2024-05-01"}) is None
    assert candidate_from_source({**source, "story_id": None}, doc_id="doc") is None
    assert candidate_from_source({**source, "published_at": "garbage"}, doc_id="d").published_at is None  # type: ignore[union-attr]


def test_within_window_compares_in_utc_and_lets_unknown_times_through() -> None:
    assert within_window(T0, T0 + WINDOW) and not within_window(T0, T0 + WINDOW + timedelta(seconds=1))
    assert within_window(T0 + WINDOW, T0)  # symmetric
    plus7 = timezone(timedelta(hours=7))
    # 2024-05-04 19:00+07:00 is 12:00 UTC: exactly the window, whatever the offset
    assert within_window(T0, datetime(2024, 5, 4, 19, tzinfo=plus7))
    assert not within_window(T0, datetime(2024, 5, 4, 20, tzinfo=plus7))
    assert within_window(datetime(2024, 5, 1, 12), T0 + WINDOW)  # naive = UTC
    assert within_window(None, T0) and within_window(T0, None) and within_window(None, None)


def test_time_key_orders_earliest_first_unknown_last() -> None:
    plus7 = timezone(timedelta(hours=7))
    times = [None, T0, datetime(2024, 5, 1, 18, tzinfo=plus7), datetime(2024, 4, 30)]
    ordered = sorted(times, key=time_key)
    assert ordered == [datetime(2024, 4, 30), datetime(2024, 5, 1, 18, tzinfo=plus7), T0, None]


def test_parse_when_accepts_datetimes_dates_and_iso_strings() -> None:
    want = datetime(2024, 5, 1, tzinfo=UTC)
    assert parse_when("2024-05-01") == want
    assert parse_when(" 2024-05-01T00:00:00Z ") == want
    assert parse_when("2024-05-01T07:00:00+07:00") == want
    assert parse_when(want.date()) == want
    assert parse_when(datetime(2024, 5, 1)) == want
    assert parse_when(None) is None and parse_when("") is None and parse_when("yesterday") is None
