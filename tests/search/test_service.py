"""Search against the real Elasticsearch node, seeded from tests/fixtures/search/seed.jsonl.

Expected values are computed in Python from the seed file itself (not copied from a search run), so a wrong
filter, facet or collapse makes these tests fail.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from pipeline.search.query import MAX_QUERY_CHARS, SearchRequest
from pipeline.search.service import search
from tests.search.conftest import DOCS, NOW, entity_values, expected_facet, hit_stories, pub, run, stories


def test_empty_query_returns_every_story_newest_first(es: Elasticsearch, seeded: str) -> None:
    result = run(es, seeded)
    assert result.total_stories == len(stories()) == 12
    assert result.total_articles == len(DOCS)
    assert sorted(hit_stories(result)) == sorted(stories())
    newest_per_story: dict[str, str] = {}
    for d in DOCS:
        newest_per_story[d["story_id"]] = max(newest_per_story.get(d["story_id"], d["published_at"]), d["published_at"])
    expected_order = sorted(newest_per_story, key=lambda s: newest_per_story[s], reverse=True)
    assert hit_stories(result) == expected_order
    assert result.sort == "newest" and result.next_search_after is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("lavrov naypyidaw", {"s-lavrov-npt"}),  # AND: both words
        ("earthquake", {"s-quake"}),
        ('"five-point consensus"', {"s-5pc", "s-summit"}),
        ("Naypyi*", {"s-lavrov-npt"}),
        ("zakharova | nebenzia", {"s-zakharova", "s-unsc"}),
        ("sanctions -brussels", {"s-zakharova"}),  # one copy excluded, the other still carries the story
        ("Sittwe", {"s-rakhine"}),
        ("မြန်မာ", {"s-burmese"}),
        ("sécurité", {"s-unsc"}),
    ],
)
def test_full_text(es: Elasticsearch, seeded: str, query: str, expected: set[str]) -> None:
    result = run(es, seeded, query=query)
    assert set(hit_stories(result)) == expected
    assert len(hit_stories(result)) == len(expected)


def test_title_matches_outrank_text_matches(es: Elasticsearch, seeded: str) -> None:
    # "junta" is in the titles of s-lavrov-npt and s-election, only in the text of s-5pc
    result = run(es, seeded, query="junta")
    order = hit_stories(result)
    assert set(order) == {"s-lavrov-npt", "s-election", "s-5pc"}
    assert order[-1] == "s-5pc"
    assert all(h.score is not None for h in result.hits)


def test_highlights(es: Elasticsearch, seeded: str) -> None:
    result = run(es, seeded, query="Sittwe")
    (hit,) = result.hits
    assert hit.highlights["title"] == ["Arakan Army tightens grip around <em>Sittwe</em>"]
    assert any("<em>Sittwe</em>" in s for s in hit.highlights["text"])


@pytest.mark.parametrize(
    ("kwargs", "pred"),
    [
        ({"topics": ["asean"]}, lambda d: "asean" in d["topics"]),
        ({"topics": ["asean", "russian_diplomacy"]}, lambda d: {"asean", "russian_diplomacy"} & set(d["topics"])),
        ({"entities": ["sergey lavrov"]}, lambda d: "Sergey Lavrov" in entity_values(d)),
        ({"entities": ["Asia-Pacific"]}, lambda d: "Asia-Pacific" in entity_values(d)),  # loc in one copy, gpe in other
        ({"entities": ["Rohingya"]}, lambda d: "Rohingya" in d["entities"]["norp"]),
        (
            {"entities": ["Anwar Ibrahim", "Russia"]},
            lambda d: {"Anwar Ibrahim", "Russia"} <= entity_values(d),
        ),
        ({"sources": ["Baltic Courier"]}, lambda d: d["source"]["name"] == "Baltic Courier"),
        (
            {"sources": ["steppetimes.example", "harbour post"]},
            lambda d: d["source"]["name"] in {"Steppe Times", "Harbour Post"},
        ),
        ({"languages": ["fr"]}, lambda d: d["language"] == "fr"),
        ({"languages": ["en"], "topics": ["myanmar"]}, lambda d: d["language"] == "en" and "myanmar" in d["topics"]),
    ],
)
def test_filters(
    es: Elasticsearch, seeded: str, kwargs: dict[str, Any], pred: Callable[[dict[str, Any]], bool]
) -> None:
    result = run(es, seeded, **kwargs)
    expected = stories(pred)
    assert expected, "filter case must select something"
    assert sorted(hit_stories(result)) == sorted(expected)
    assert result.total_stories == len(expected)
    assert result.total_articles == sum(1 for d in DOCS if pred(d))


def test_facets_exact_over_everything(es: Elasticsearch, seeded: str) -> None:
    result = run(es, seeded)
    assert result.facets["topics"] == expected_facet(lambda d: d["topics"], DOCS)
    assert result.facets["persons"] == expected_facet(lambda d: d["entities"]["person"], DOCS)
    assert result.facets["orgs"] == expected_facet(lambda d: d["entities"]["org"], DOCS)
    places = expected_facet(lambda d: set(d["entities"]["gpe"]) | set(d["entities"]["loc"]), DOCS)
    assert result.facets["places"] == places
    assert ("Asia-Pacific", 1) in places  # a story naming it as gpe and as loc counts once
    assert ("South China Sea", 2) in places  # loc in one story, gpe in another: both counted
    assert result.facets["sources"] == expected_facet(lambda d: [d["source"]["name"]], DOCS)
    assert result.facets["languages"] == expected_facet(lambda d: [d["language"]], DOCS)
    assert dict(result.facets["topics"]) == {"myanmar": 7, "russian_diplomacy": 5, "asean": 4}


def test_facets_follow_filters(es: Elasticsearch, seeded: str) -> None:
    result = run(es, seeded, topics=["russian_diplomacy"])
    docs = [d for d in DOCS if "russian_diplomacy" in d["topics"]]
    assert result.facets["topics"] == expected_facet(lambda d: d["topics"], docs)
    assert result.facets["persons"] == expected_facet(lambda d: d["entities"]["person"], docs)
    assert result.facets["sources"] == expected_facet(lambda d: [d["source"]["name"]], docs)


def test_facet_size_limits_buckets(es: Elasticsearch, seeded: str) -> None:
    result = run(es, seeded, facet_size=2)
    full = expected_facet(lambda d: set(d["entities"]["gpe"]) | set(d["entities"]["loc"]), DOCS)
    assert result.facets["places"] == full[:2]
    assert len(result.facets["sources"]) == 2


def test_one_hit_per_story_with_outlet_counts(es: Elasticsearch, seeded: str) -> None:
    result = run(es, seeded)
    assert len(result.hits) == len(set(hit_stories(result)))
    outlets: dict[str, set[str]] = defaultdict(set)
    copies: dict[str, int] = defaultdict(int)
    for d in DOCS:
        outlets[d["story_id"]].add(d["source"]["name"])
        copies[d["story_id"]] += 1
    for hit in result.hits:
        assert (hit.outlets, hit.copies) == (len(outlets[hit.story_id]), copies[hit.story_id]), hit.story_id
    lavrov = next(h for h in result.hits if h.story_id == "s-lavrov-npt")
    assert (lavrov.outlets, lavrov.copies) == (3, 4)
    # the representative under "newest" is the newest copy
    newest = max((d for d in DOCS if d["story_id"] == "s-lavrov-npt"), key=lambda d: d["published_at"])
    assert lavrov.id == newest["id"]


def test_outlet_counts_are_story_wide_even_when_query_matches_one_copy(es: Elasticsearch, seeded: str) -> None:
    result = run(es, seeded, query="retaliation")  # only the Baltic Courier copy says it
    (hit,) = result.hits
    assert hit.story_id == "s-zakharova" and hit.source == "Baltic Courier"
    assert (hit.outlets, hit.copies) == (2, 2)


@pytest.mark.parametrize(("query", "sort"), [("", "newest"), ("myanmar", "relevance"), ("myanmar", "newest")])
def test_search_after_pages_every_story_once(es: Elasticsearch, seeded: str, query: str, sort: str) -> None:
    all_at_once = run(es, seeded, query=query, sort=sort)
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        page = search(es, seeded, SearchRequest(query=query, sort=sort, size=2, search_after=token), NOW)
        pages += 1
        assert len(page.hits) <= 2
        seen.extend(hit_stories(page))
        token = page.next_search_after
        if token is None:
            break
        json.dumps(token)  # the token is JSON (the CLI passes it back with --after)
        assert pages < 20
    assert len(seen) == len(set(seen)), "a story appeared on two pages"
    assert seen == hit_stories(all_at_once)
    assert len(seen) == all_at_once.total_stories
    assert pages == (len(seen) + 1) // 2


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "AND OR (",
        "x" * 10_000,
        "é" * 3000,
        "word " * 3000,
        "\\",
        "*",
        "title:",
        "((((",
        "+-|~",
        "\x00\x1f",
        "🙂 ✓ 中文",
    ],
)
def test_garbage_queries_never_fail(es: Elasticsearch, seeded: str, query: str) -> None:
    result = run(es, seeded, query=query)
    assert result.total_stories >= 0
    json.dumps(result.to_json())
    if len(query) > MAX_QUERY_CHARS:
        assert result.truncated


def test_since_and_date_range(es: Elasticsearch, seeded: str) -> None:
    result = run(es, seeded, since="24h")
    expected = stories(lambda d: pub(d) >= NOW - timedelta(hours=24))
    assert set(hit_stories(result)) == expected and result.total_stories == len(expected)
    assert result.interval == "hour"

    start, end = NOW - timedelta(days=5), NOW - timedelta(days=1)
    result = run(es, seeded, date_from=start, date_to=end)
    expected = stories(lambda d: start <= pub(d) <= end)
    assert set(hit_stories(result)) == expected and len(expected) >= 3

    result = run(es, seeded, since="7d", date_to=NOW - timedelta(hours=12))
    expected = stories(lambda d: NOW - timedelta(days=7) <= pub(d) <= NOW - timedelta(hours=12))
    assert set(hit_stories(result)) == expected


def test_date_histogram_counts_stories_per_day(es: Elasticsearch, seeded: str) -> None:
    result = run(es, seeded, since="7d")
    assert result.interval == "day"
    per_day: dict[str, set[str]] = defaultdict(set)
    for d in DOCS:
        if pub(d) >= NOW - timedelta(days=7):
            per_day[pub(d).date().isoformat()].add(d["story_id"])
    got = {b.date[:10]: b.stories for b in result.histogram}
    assert {k: v for k, v in got.items() if v} == {k: len(v) for k, v in per_day.items()}
    assert len(result.histogram) == 8  # empty days are present too (7 days + partial)


def test_to_json_has_stable_keys(es: Elasticsearch, seeded: str) -> None:
    doc = run(es, seeded, query="lavrov", size=1).to_json()
    assert set(doc) == {
        "query",
        "sort",
        "truncated",
        "total",
        "hits",
        "facets",
        "histogram",
        "next_search_after",
        "took_ms",
    }
    assert set(doc["facets"]) == {"topics", "persons", "orgs", "places", "sources", "languages"}
    assert set(doc["hits"][0]) >= {
        "id",
        "story_id",
        "title",
        "url",
        "source",
        "published_at",
        "topics",
        "score",
        "highlights",
        "outlets",
        "copies",
    }
    assert doc["next_search_after"] is not None
    empty = run(es, seeded, query="zzzznotaword").to_json()
    assert set(empty["facets"]) == set(doc["facets"]) and empty["hits"] == []
