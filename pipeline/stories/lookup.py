"""Candidate lookup in Elasticsearch: the recent stories a new article may report, with their reports.

Two round trips per batch, whatever its size (both through `pipeline.index.store`, so failures are
`store.StoreError` naming the URL):

1. one `msearch` with one search per article: indexed articles published within `WINDOW` that share its retrieval
   keys (`event_keys`: the lead's weightiest terms and the canonical entities; one scored clause per key, so the
   articles sharing the most and rarest keys come first), at most `LOOKUP_SIZE` each; their story ids are the
   candidate stories;
2. one sorted search for the reports of those stories (the earliest `MAX_MEMBERS` of each are kept; a collapse
   reads stories the search cut short), so an article is compared with a story as a whole, not with one lucky
   report of it.

Only `id`, `story_id`, `published_at` and `event_sig` are read from each hit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from pipeline.core.timeutil import to_utc
from pipeline.index import store
from pipeline.stories.candidate import MAX_MEMBERS, NEARBY_STORIES, WINDOW, Candidate, candidate_from_source, time_key
from pipeline.stories.event import EventFeatures, retrieval_keys

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

__all__ = ["LOOKUP_SIZE", "lookup_candidates_batch"]

LOOKUP_SIZE = NEARBY_STORIES  # stories per lookup (best key overlap first), as many as an article is compared with
MEMBER_CHUNK = 200  # candidate stories whose reports are read by one search
MEMBER_HITS = 2000  # reports one such search reads before the overflowing stories go through a collapse
_SOURCE = ["id", "story_id", "published_at", "event_sig"]


def _window_filter(around: datetime, window: timedelta) -> dict[str, Any]:
    centre = to_utc(around)
    return {"range": {"published_at": {"gte": (centre - window).isoformat(), "lte": (centre + window).isoformat()}}}


def _key_search(keys: Sequence[str], around: datetime, window: timedelta, size: int) -> dict[str, Any]:
    return {
        "query": {"bool": {"should": [{"term": {"event_keys": k}} for k in keys], "minimum_should_match": 1,
                           "filter": [_window_filter(around, window)]}},
        "size": size,
        "_source": False,  # the story id from doc values: no stored source is decompressed per hit
        "docvalue_fields": ["story_id"],
        "sort": [{"_score": "desc"}, {"published_at": "asc"}, {"id": {"order": "asc", "unmapped_type": "keyword"}}],
        "collapse": {"field": "story_id"},  # one hit per story: the `size` best stories, not a big story's reports
        "track_total_hits": False,
    }


def _candidates(hits: Iterable[Mapping[str, Any]]) -> list[Candidate]:
    out = []
    for hit in hits:
        cand = candidate_from_source(hit.get("_source") or {}, hit.get("_id"))
        if cand is not None:
            out.append(cand)
    return out


def lookup_candidates_batch(
    es: Elasticsearch,
    index: str,
    items: Sequence[tuple[str, EventFeatures]],
    window: timedelta = WINDOW,
    *,
    size: int = LOOKUP_SIZE,
    chunk: int = 100,
) -> list[Candidate]:
    """The reports of every indexed story some item of the batch may join, ready for `assign.cluster_batch`.

    Undated items are skipped (an indexed article always has `published_at`). A failed sub-search raises
    `store.StoreError`, so the task retries instead of silently starting new stories.
    """
    queries = [(retrieval_keys(f), f.published_at) for _, f in items if f.published_at is not None]
    queries = [(k, when) for k, when in queries if k]
    if not queries:
        return []
    what = f"story candidate lookup on {index}"
    story_ids: set[str] = set()
    for start in range(0, len(queries), chunk):
        searches: list[dict[str, Any]] = []
        for keys, when in queries[start : start + chunk]:
            assert when is not None
            searches += [{"index": index}, _key_search(keys, when, window, size)]
        for sub in store.msearch(es, searches, what):
            if "error" in sub:
                raise store.StoreError(f"Elasticsearch at {store.es_url(es)}: {what} failed: {sub['error']}")
            for hit in sub["hits"]["hits"]:
                story_ids.update(str(sid) for sid in (hit.get("fields") or {}).get("story_id", ()))
    if not story_ids:
        return []
    times = [when for _, when in queries if when is not None]
    lo, hi = min(times) - 2 * window, max(times) + 2 * window  # a story's reports lie around its candidates
    span = {"range": {"published_at": {"gte": to_utc(lo).isoformat(), "lte": to_utc(hi).isoformat()}}}
    found: list[Candidate] = []
    ordered = sorted(story_ids)
    for start in range(0, len(ordered), MEMBER_CHUNK):
        found += _members(es, index, ordered[start : start + MEMBER_CHUNK], span)
    return sorted(found, key=lambda c: (time_key(c.published_at), c.article_id))


def _members(es: Elasticsearch, index: str, story_ids: list[str], span: dict[str, Any]) -> list[Candidate]:
    """The earliest `MAX_MEMBERS` reports of each story. Most stories have a few reports, so one plain sorted
    search reads them all (far cheaper for the server than a collapse, which runs one inner search per story);
    only when that search is cut off by `MEMBER_HITS` are the stories it may have cut short read by a collapse."""
    sort = [{"published_at": "asc"}, {"id": {"order": "asc", "unmapped_type": "keyword"}}]
    query = {"bool": {"filter": [{"terms": {"story_id": story_ids}}, span]}}
    hits = store.search_hits(es, index, query=query, sort=sort, size=MEMBER_HITS, _source=_SOURCE,
                             track_total_hits=False)  # fmt: skip
    by_story: dict[str, list[Candidate]] = {}
    for cand in _candidates(hits):
        by_story.setdefault(cand.story_id, []).append(cand)
    if len(hits) < MEMBER_HITS:
        return [c for members in by_story.values() for c in members[:MAX_MEMBERS]]
    # cut off: stories with all their first MAX_MEMBERS read are complete; the rest come from a collapse
    done = {sid for sid, members in by_story.items() if len(members) >= MAX_MEMBERS}
    out = [c for sid in done for c in by_story[sid][:MAX_MEMBERS]]
    rest = [sid for sid in story_ids if sid not in done]
    if rest:
        query = {"bool": {"filter": [{"terms": {"story_id": rest}}, span]}}
        collapsed = store.search_hits(
            es, index, query=query, size=len(rest), _source=False,
            collapse={"field": "story_id", "inner_hits": {"name": "reports", "size": MAX_MEMBERS,
                                                          "_source": _SOURCE, "sort": sort}},
        )  # fmt: skip
        for hit in collapsed:
            out += _candidates(hit["inner_hits"]["reports"]["hits"]["hits"])
    return out
