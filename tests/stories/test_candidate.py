"""The joining rule's pieces: candidates from stored fields, the one time-window test, publication times."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

from pipeline.stories.candidate import WINDOW, Candidate, candidate_from_source, parse_when, within_window
from pipeline.stories.signature import signature_fields
from tests.stories.conftest import BASE, text_sig


def test_candidate_dataclass_is_plain() -> None:
    sig = text_sig(BASE)
    c = Candidate("s", "a", datetime(2024, 1, 1, tzinfo=UTC), sig)
    assert replace(c, story_id="t").story_id == "t"
    assert candidate_from_source({"id": "a", "story_id": "s"}) is None
    got = candidate_from_source(
        {"story_id": "s", "published_at": "2024-01-01T00:00:00Z", **signature_fields(sig)}, doc_id="doc"
    )
    assert got is not None and got.article_id == "doc" and got.signature == sig


def test_within_window_compares_in_utc_and_lets_unknown_times_through() -> None:
    t0 = datetime(2024, 5, 1, 12, tzinfo=UTC)
    assert within_window(t0, t0 + WINDOW) and not within_window(t0, t0 + WINDOW + timedelta(seconds=1))
    assert within_window(t0 + WINDOW, t0)  # symmetric
    plus7 = timezone(timedelta(hours=7))
    # 2024-05-04 19:00+07:00 is 12:00 UTC: exactly the window, whatever the offset
    assert within_window(t0, datetime(2024, 5, 4, 19, tzinfo=plus7))
    assert not within_window(t0, datetime(2024, 5, 4, 20, tzinfo=plus7))
    assert within_window(datetime(2024, 5, 1, 12), t0 + WINDOW)  # naive = UTC
    assert within_window(None, t0) and within_window(t0, None) and within_window(None, None)


def test_parse_when_accepts_datetimes_dates_and_iso_strings() -> None:
    want = datetime(2024, 5, 1, tzinfo=UTC)
    assert parse_when("2024-05-01") == want
    assert parse_when(" 2024-05-01T00:00:00Z ") == want
    assert parse_when("2024-05-01T07:00:00+07:00") == want
    assert parse_when(want.date()) == want
    assert parse_when(datetime(2024, 5, 1)) == want
    assert parse_when(None) is None and parse_when("") is None and parse_when("yesterday") is None
