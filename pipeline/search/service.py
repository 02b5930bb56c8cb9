"""The search itself: one page of stories (one hit per story), facet counts and a date histogram.

One hit per story: Elasticsearch refuses `collapse` together with `search_after` unless the sort is the collapse
field alone, so paging walks the plain sorted article list with `search_after` and keeps an article only when it
is its story's *representative*: the first copy of that story under the same query and sort, found by a second,
collapsed request restricted to the page's story ids. Every story therefore appears exactly once across pages,
at the position of its best copy. Outlet and copy counts per story are story-wide (all copies indexed, whatever
the query matched). See docs/search.md.

Query bodies come from `query` (pure); every request goes through `pipeline.index.store`, so failures are
`store.StoreError` naming the URL.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pipeline.index import store
from pipeline.search.query import (
    FACET_FIELDS,
    MAX_SIZE,
    SearchRequest,
    build_query,
    clean_query,
    date_bounds,
    effective_sort,
    fallback_query,
    histogram_interval,
    places_union_query,
    representatives_query,
)

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

FACET_NAMES = ("topics", "persons", "orgs", "places", "sources", "languages")


@dataclass(slots=True)
class Hit:
    """One story: its representative article, why it matched, and how widely it was carried."""

    id: str
    story_id: str
    title: str
    url: str
    source: str
    published_at: str | None
    topics: list[str]
    score: float | None
    highlights: dict[str, list[str]]  # field -> HTML-escaped snippets with <em> marks
    outlets: int  # distinct outlets (source.name) carrying the story
    copies: int  # articles indexed for the story
    language: str | None = None


@dataclass(slots=True)
class HistogramBucket:
    date: str  # bucket start, ISO-8601 UTC
    stories: int
    articles: int


@dataclass(slots=True)
class SearchResult:
    """One page of stories plus facet counts and a date histogram over the whole filtered result."""

    query: str  # the query text actually sent (cleaned, possibly truncated)
    sort: str
    hits: list[Hit]
    total_stories: int
    total_articles: int
    facets: dict[str, list[tuple[str, int]]]  # facet -> [(value, stories)], most stories first
    histogram: list[HistogramBucket]
    interval: str  # calendar interval of the histogram
    next_search_after: list[Any] | None  # pass back as SearchRequest.search_after; None = last page
    truncated: bool = False  # the query text was cut
    took_ms: int = 0

    def to_json(self) -> dict[str, Any]:
        """A stable, JSON-serialisable shape (keys never depend on the data)."""
        return {
            "query": self.query,
            "sort": self.sort,
            "truncated": self.truncated,
            "total": {"stories": self.total_stories, "articles": self.total_articles},
            "hits": [asdict(h) for h in self.hits],
            "facets": {name: [{"value": v, "count": c} for v, c in self.facets.get(name, [])] for name in FACET_NAMES},
            "histogram": {
                "field": "published_at",
                "interval": self.interval,
                "buckets": [asdict(b) for b in self.histogram],
            },
            "next_search_after": self.next_search_after,
            "took_ms": self.took_ms,
        }


def search(es: Elasticsearch, index: str, req: SearchRequest, now: datetime, *, max_rounds: int = 8) -> SearchResult:
    """Run a search: one page of stories, facets, histogram and the next `search_after` token.

    Raises `SearchError` for a bad request and `store.StoreError` (naming the URL) when Elasticsearch fails.
    """
    fetch = min(MAX_SIZE, max(req.size * 3, 10))
    req, body, first, truncated = _first_page(es, index, req, now, fetch)
    query_text = clean_query(req.query)[0]
    aggs = first["aggregations"]
    hits, next_after = _collect_stories(es, index, req, now, body, first, fetch, max_rounds)
    facets = {name: _facet(aggs, name) for name in FACET_FIELDS}
    facets["places"] = _places(es, index, req, now, aggs)
    lower, upper = date_bounds(req, now)
    histogram = [
        HistogramBucket(
            date=str(b.get("key_as_string") or b["key"]),
            stories=int(b["stories"]["value"]),
            articles=int(b["doc_count"]),
        )
        for b in aggs["histogram"]["buckets"]
    ]
    return SearchResult(
        query=query_text,
        sort=effective_sort(req, query_text),
        hits=hits,
        total_stories=int(aggs["stories"]["value"]) + int(aggs["no_story"]["doc_count"]),
        total_articles=int(first["hits"]["total"]["value"]),
        facets=facets,
        histogram=histogram,
        interval=histogram_interval(lower, upper, now),
        next_search_after=next_after,
        truncated=truncated,
        took_ms=int(first.get("took", 0)),
    )


def _first_page(
    es: Elasticsearch, index: str, req: SearchRequest, now: datetime, fetch: int
) -> tuple[SearchRequest, dict[str, Any], dict[str, Any], bool]:
    """The main request (hits, totals, aggregations); once more with plain words when Elasticsearch rejects the
    text. Returns the request actually run, its body, the response and whether the query text was cut."""
    query_text, truncated = clean_query(req.query)
    body = build_query(req, now, fetch_size=fetch)
    try:
        return req, body, store.search(es, index, **body), truncated
    except store.BadRequest:
        # simple_query_string does not raise parse errors; this guards clause limits and the unforeseen
        if not query_text:
            raise
    req = replace(req, query=fallback_query(query_text))
    body = build_query(req, now, fetch_size=fetch)
    return req, body, store.search(es, index, **body), True


def _collect_stories(
    es: Elasticsearch,
    index: str,
    req: SearchRequest,
    now: datetime,
    body: dict[str, Any],
    first: dict[str, Any],
    fetch: int,
    max_rounds: int,
) -> tuple[list[Hit], list[Any] | None]:
    """Walk the sorted article list from `first`, keeping each story's representative, until `req.size`
    stories; the hits and the `search_after` token of the next page (None on the last page)."""
    kept: list[Hit] = []
    last_in_page = False
    seen: set[str] = set()
    next_after: list[Any] | None = None
    resp = first
    for _round in range(max_rounds):
        raw_hits = resp["hits"]["hits"]
        if not raw_hits:
            next_after = None
            break
        reps, counts = _representatives(es, index, req, now, raw_hits)
        stopped = False
        for pos, raw in enumerate(raw_hits):
            next_after = raw["sort"]
            key = _story_key(raw)
            is_rep = key not in reps or reps[key] == raw["_id"]
            if is_rep and key not in seen:
                seen.add(key)
                kept.append(_make_hit(raw, counts))
                if len(kept) == req.size:
                    stopped = True
                    last_in_page = pos == len(raw_hits) - 1
                    break
        if stopped:
            break
        if len(raw_hits) < fetch:  # exhausted
            next_after = None
            break
        page_body = dict(body, search_after=next_after, size=fetch)
        page_body.pop("aggs", None)
        resp = store.search(es, index, **page_body)
    if next_after is not None and last_in_page:
        next_after = _peek_more(es, index, body, next_after)
    return kept, next_after


def _facet(resp_aggs: dict[str, Any], name: str) -> list[tuple[str, int]]:
    return [(str(b["key"]), int(b["stories"]["value"])) for b in resp_aggs[name]["buckets"]]


def _places(
    es: Elasticsearch, index: str, req: SearchRequest, now: datetime, aggs: dict[str, Any]
) -> list[tuple[str, int]]:
    """The places facet: gpe and loc merged, a story naming one place as both counted once."""
    gpe, loc = dict(_facet(aggs, "places_gpe")), dict(_facet(aggs, "places_loc"))
    merged = {**loc, **gpe}
    both = sorted(set(gpe) & set(loc))
    if both:
        resp = store.search(es, index, **places_union_query(req, now, both))
        for value, bucket in resp["aggregations"]["places"]["buckets"].items():
            merged[value] = int(bucket["stories"]["value"])
    ranked = sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))
    return [(v, c) for v, c in ranked if c > 0][: req.facet_size]


def _story_key(hit: dict[str, Any]) -> str:
    src = hit.get("_source") or {}
    return str(src.get("story_id") or hit["_id"])


def _make_hit(raw: dict[str, Any], counts: dict[str, tuple[int, int]]) -> Hit:
    src = raw.get("_source") or {}
    key = _story_key(raw)
    outlets, copies = counts.get(key, (1, 1))
    source = src.get("source") or {}
    return Hit(
        id=str(src.get("id") or raw["_id"]),
        story_id=key,
        title=str(src.get("title") or ""),
        url=str(src.get("url") or ""),
        source=str(source.get("name") or source.get("domain") or ""),
        published_at=src.get("published_at"),
        topics=list(src.get("topics") or []),
        score=raw.get("_score"),
        highlights={k: list(v) for k, v in (raw.get("highlight") or {}).items()},
        outlets=outlets,
        copies=copies,
        language=src.get("language"),
    )


def _representatives(
    es: Elasticsearch, index: str, req: SearchRequest, now: datetime, raw_hits: list[dict[str, Any]]
) -> tuple[dict[str, str], dict[str, tuple[int, int]]]:
    """story_id -> id of its top copy under this query/sort; story_id -> (outlets, copies) story-wide."""
    sources = [h.get("_source") or {} for h in raw_hits]
    ids = sorted({str(src["story_id"]) for src in sources if src.get("story_id")})
    if not ids:
        return {}, {}
    resp = store.search(es, index, **representatives_query(req, now, ids))
    reps = {str(h["fields"]["story_id"][0]): str(h["_id"]) for h in resp["hits"]["hits"]}
    buckets = resp["aggregations"]["all"]["page"]["story"]["buckets"]
    counts = {str(b["key"]): (int(b["outlets"]["value"]), int(b["doc_count"])) for b in buckets}
    return reps, counts


def _peek_more(es: Elasticsearch, index: str, body: dict[str, Any], after: list[Any]) -> list[Any] | None:
    """Keep the token only if any article follows it (so the last page says so)."""
    probe = {k: v for k, v in body.items() if k not in ("aggs", "highlight", "track_scores")}
    probe.update(search_after=after, size=1, _source=False, track_total_hits=False)
    resp = store.search(es, index, **probe)
    return after if resp["hits"]["hits"] else None
