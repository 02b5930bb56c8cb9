"""Search requests into query bodies (pure): text handling, filters, sort, paging tokens, dates, `--since`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pipeline.search.query import (
    MAX_QUERY_CHARS,
    MAX_QUERY_TERMS,
    SearchError,
    SearchRequest,
    build_query,
    clean_query,
    date_bounds,
    fallback_query,
    parse_date,
    parse_since,
)
from tests.search.conftest import NOW


def test_build_query_empty_is_match_all_newest() -> None:
    body = build_query(SearchRequest(), NOW)
    assert body["query"]["bool"]["must"] == [{"match_all": {}}]
    assert [next(iter(s)) for s in body["sort"]] == ["published_at", "id"]
    assert "highlight" not in body


def test_build_query_text_uses_simple_query_string_and() -> None:
    body = build_query(SearchRequest(query="lavrov naypyidaw", topics=["asean"], since="7d"), NOW)
    sqs = body["query"]["bool"]["must"][0]["simple_query_string"]
    assert sqs["default_operator"] == "and" and sqs["fields"] == ["title^3", "text", "search_text"] and sqs["lenient"]
    assert [next(iter(s)) for s in body["sort"]] == ["_score", "published_at", "id"]
    rng = body["query"]["bool"]["filter"][-1]["range"]["published_at"]
    assert rng["gte"] == "2025-06-08T12:00:00Z"
    assert body["aggs"]["histogram"]["date_histogram"]["calendar_interval"] == "day"


@pytest.mark.parametrize("since", ["7", "d", "7x", "-1d", "0h", "", "7 days"])
def test_bad_since_is_a_usage_error(since: str) -> None:
    with pytest.raises(SearchError, match="since"):
        build_query(SearchRequest(since=since), NOW)


def test_since_units() -> None:
    assert parse_since("30m") == timedelta(minutes=30)
    assert parse_since("24h") == timedelta(hours=24)
    assert parse_since("2w") == timedelta(weeks=2)


def test_bad_search_after_and_sort_rejected() -> None:
    with pytest.raises(SearchError, match="search_after"):
        build_query(SearchRequest(query="x", search_after=["a", "b"]), NOW)
    with pytest.raises(SearchError, match="sort"):
        build_query(SearchRequest(sort="oldest"), NOW)


def test_clean_query_caps_length_and_terms() -> None:
    text, truncated = clean_query("word " * 5000)
    assert truncated and len(text.split()) == MAX_QUERY_TERMS
    text, truncated = clean_query("x" * 10_000)
    assert truncated and len(text) == MAX_QUERY_CHARS
    assert clean_query("  a\x00b\n\tc ") == ("a b c", False)


def test_since_takes_the_one_duration_syntax() -> None:
    """The same units as every other command (`pipeline.core.timeutil.parse_duration`), seconds included."""
    assert parse_since("30s") == timedelta(seconds=30)
    assert parse_since("7D") == timedelta(days=7)
    lower, upper = date_bounds(SearchRequest(since="90s"), NOW)
    assert lower == NOW - timedelta(seconds=90) and upper is None
    with pytest.raises(SearchError, match="--since"):
        build_query(SearchRequest(since="9999999w"), NOW)


def test_dates_and_fallback_text() -> None:
    assert parse_date("2025-06-01") == datetime(2025, 6, 1, tzinfo=UTC)
    assert parse_date("2025-06-01", end_of_day=True) == datetime(2025, 6, 2, tzinfo=UTC) - timedelta(microseconds=1)
    assert parse_date("2025-06-01T07:00:00+07:00") == datetime(2025, 6, 1, tzinfo=UTC)
    with pytest.raises(SearchError, match="invalid date"):
        parse_date("06/01/2025")
    assert fallback_query('"a" +b -(c | d*)') == "a b c d"
