"""Full-text, faceted search over the articles read alias, one hit per story.

Why it is built this way (see docs/search.md):

- User text goes through `simple_query_string` (never `query_string`): it cannot raise a parse error, supports
  `"phrases"`, `+must`, `-not`, `a | b` and `prefix*`, and `default_operator=AND` so every extra word narrows
  the result, as analysts expect from a news search box. The text is cleaned and capped before it is sent.
- One hit per story. Elasticsearch refuses `collapse` together with `search_after` unless the sort is the
  collapse field alone, so paging walks the plain sorted article list with `search_after` and keeps an article
  only when it is its story's *representative*: the first copy of that story under the same query and sort,
  found by a second, collapsed request restricted to the page's story ids. Every story therefore appears
  exactly once across pages, at the position of its best copy.
- Counts are in stories (distinct `story_id`), not copies: totals, facet counts and histogram buckets use
  `cardinality` on `story_id` (exact below its 40 000 precision threshold). Outlet and copy counts per story
  are story-wide (all copies indexed, whatever the query matched).
- Facets are computed over the filtered result (drill-down). Values inside one facet are ORed (`--topic a
  --topic b` = either), except entities, which are ANDed (`--entity A --entity B` = stories naming both).

`build_query` is pure; `search` does the I/O; `run_search_cli` is the `newsmon search` command body.
"""

from __future__ import annotations

import html
import io
import json
import re
import sys
import unicodedata
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from elasticsearch import ApiError, BadRequestError, Elasticsearch, NotFoundError, TransportError
from elasticsearch import ConnectionError as ESConnectionError

from pipeline.index import store

SORTS = ("relevance", "newest")
MAX_QUERY_CHARS = 1000  # longer input is cut at a word boundary
MAX_QUERY_TERMS = 64  # whitespace-separated terms kept; keeps well under max_clause_count
MAX_SIZE = 500
STORY_PRECISION = 40_000  # cardinality precision_threshold of the total: counts below it are exact in practice
BUCKET_PRECISION = 3_000  # the same per facet/histogram bucket (memory is per bucket)
ENTITY_FIELDS = (
    "entities.person",
    "entities.org",
    "entities.gpe",
    "entities.loc",
    "entities.norp",
    "entities.event",
)
# facet name -> mapping field ("places" merges gpe and loc, see `_places`)
FACET_FIELDS: dict[str, str] = {
    "topics": "topics",
    "persons": "entities.person",
    "orgs": "entities.org",
    "sources": "source.name",
    "languages": "language",
}
SOURCE_FIELDS = [
    "id",
    "story_id",
    "title",
    "url",
    "source",
    "published_at",
    "ingested_at",
    "topics",
    "language",
    "entities",
]
_SINCE_RE = re.compile(r"^\s*(\d{1,6})\s*([mhdw])\s*$", re.IGNORECASE)
_SINCE_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class SearchError(ValueError):
    """A bad search request (bad `since`, sort, size or paging token): a usage error, exit code 2."""


@dataclass(slots=True)
class SearchRequest:
    """What the analyst asked for. Empty `query` = everything, newest first."""

    query: str = ""
    topics: list[str] = field(default_factory=list)
    entities: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    since: str | None = None  # "30m", "24h", "7d", "2w", relative to `now`
    date_from: datetime | None = None  # inclusive, on published_at
    date_to: datetime | None = None  # inclusive, on published_at
    sort: str = "relevance"  # "relevance" | "newest"
    size: int = 20
    search_after: list[Any] | None = None  # `SearchResult.next_search_after` of the previous page
    facet_size: int = 10


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
            "facets": {
                name: [{"value": v, "count": c} for v, c in self.facets.get(name, [])]
                for name in ("topics", "persons", "orgs", "places", "sources", "languages")
            },
            "histogram": {
                "field": "published_at",
                "interval": self.interval,
                "buckets": [asdict(b) for b in self.histogram],
            },
            "next_search_after": self.next_search_after,
            "took_ms": self.took_ms,
        }


# ---------------------------------------------------------------- pure parts


def parse_since(text: str) -> timedelta:
    """`"30m"`, `"24h"`, `"7d"`, `"2w"` -> timedelta; `SearchError` otherwise."""
    m = _SINCE_RE.match(text or "")
    if not m or int(m.group(1)) == 0:
        raise SearchError(
            f"invalid --since {text!r}: expected a positive number and a unit m, h, d or w (e.g. 30m, 24h, 7d)"
        )
    return timedelta(**{_SINCE_UNITS[m.group(2).lower()]: int(m.group(1))})


def clean_query(text: str) -> tuple[str, bool]:
    """Normalise user text for `simple_query_string`; returns (text, truncated).

    Control characters become spaces, whitespace is collapsed, and the text is capped at MAX_QUERY_CHARS
    (cut at a word boundary) and MAX_QUERY_TERMS terms, so a pasted article never hits clause limits.
    """
    text = unicodedata.normalize("NFC", text or "")
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") else ch for ch in text)
    text = " ".join(text.split())
    truncated = False
    if len(text) > MAX_QUERY_CHARS:
        cut = text[:MAX_QUERY_CHARS]
        space = cut.rfind(" ")
        text = cut[:space] if space > MAX_QUERY_CHARS // 2 else cut
        truncated = True
    terms = text.split(" ")
    if len(terms) > MAX_QUERY_TERMS:
        text = " ".join(terms[:MAX_QUERY_TERMS])
        truncated = True
    return text.strip(), truncated


def _utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def _iso(dt: datetime) -> str:
    return _utc(dt).isoformat().replace("+00:00", "Z")


def date_bounds(req: SearchRequest, now: datetime) -> tuple[datetime | None, datetime | None]:
    """The effective (lower, upper) published_at bounds from `since`, `date_from` and `date_to`."""
    lower: datetime | None = None
    if req.since:
        lower = _utc(now) - parse_since(req.since)
    if req.date_from is not None:
        lower = max(lower, _utc(req.date_from)) if lower else _utc(req.date_from)
    upper = _utc(req.date_to) if req.date_to is not None else None
    return lower, upper


def histogram_interval(lower: datetime | None, upper: datetime | None, now: datetime) -> str:
    """Calendar interval giving a readable chart for the filtered range (day when the range is open)."""
    if lower is None:
        return "day"
    span = (upper or _utc(now)) - lower
    if span <= timedelta(days=2):
        return "hour"
    if span <= timedelta(days=92):
        return "day"
    if span <= timedelta(days=730):
        return "week"
    return "month"


def _validate(req: SearchRequest) -> None:
    if req.sort not in SORTS:
        raise SearchError(f"invalid sort {req.sort!r}: expected one of {', '.join(SORTS)}")
    if not 1 <= req.size <= MAX_SIZE:
        raise SearchError(f"invalid size {req.size}: expected 1..{MAX_SIZE}")
    if not 1 <= req.facet_size <= 100:
        raise SearchError(f"invalid facet size {req.facet_size}: expected 1..100")
    if req.since is not None:
        parse_since(req.since)
    if req.date_from and req.date_to and _utc(req.date_from) > _utc(req.date_to):
        raise SearchError("invalid date range: --from is after --to")


def effective_sort(req: SearchRequest, query_text: str) -> str:
    """An empty query has no relevance: it is always sorted newest first."""
    return req.sort if query_text else "newest"


def sort_clause(sort: str) -> list[dict[str, Any]]:
    """Sort with the `id` keyword as final tiebreaker, so `search_after` is total and stable."""
    newest: list[dict[str, Any]] = [
        {"published_at": {"order": "desc", "missing": "_last", "format": "strict_date_optional_time"}},
        {"id": {"order": "asc"}},
    ]
    if sort == "relevance":
        return [{"_score": {"order": "desc"}}, *newest]
    return newest


def _ci_term(fld: str, value: str) -> dict[str, Any]:
    return {"term": {fld: {"value": value, "case_insensitive": True}}}


def filter_clauses(req: SearchRequest, now: datetime) -> list[dict[str, Any]]:
    """Filters (no scoring): ORed inside topics/sources/languages, ANDed across entities and facets."""
    out: list[dict[str, Any]] = []
    topics = [t.strip() for t in req.topics if t.strip()]
    if topics:
        out.append({"bool": {"should": [_ci_term("topics", t) for t in topics], "minimum_should_match": 1}})
    for ent in (e.strip() for e in req.entities):
        if ent:
            out.append({"bool": {"should": [_ci_term(f, ent) for f in ENTITY_FIELDS], "minimum_should_match": 1}})
    sources = [s.strip() for s in req.sources if s.strip()]
    if sources:
        should = [_ci_term(f, s) for s in sources for f in ("source.name", "source.domain")]
        out.append({"bool": {"should": should, "minimum_should_match": 1}})
    langs = [lang.strip() for lang in req.languages if lang.strip()]
    if langs:
        out.append({"bool": {"should": [_ci_term("language", x) for x in langs], "minimum_should_match": 1}})
    lower, upper = date_bounds(req, now)
    if lower or upper:
        rng: dict[str, Any] = {"format": "strict_date_optional_time"}
        if lower:
            rng["gte"] = _iso(lower)
        if upper:
            rng["lte"] = _iso(upper)
        out.append({"range": {"published_at": rng}})
    return out


def text_query(query_text: str) -> dict[str, Any]:
    """The scoring part: `simple_query_string` over title (boosted) and text, all words required."""
    if not query_text:
        return {"match_all": {}}
    return {
        "simple_query_string": {
            "query": query_text,
            "fields": ["title^3", "text"],
            "default_operator": "and",
            "lenient": True,
            "analyze_wildcard": False,
            "flags": "AND|OR|NOT|PHRASE|PREFIX|PRECEDENCE|WHITESPACE|ESCAPE",
        }
    }


def main_query(req: SearchRequest, now: datetime, query_text: str) -> dict[str, Any]:
    return {"bool": {"must": [text_query(query_text)], "filter": filter_clauses(req, now)}}


def _stories_agg(precision: int = BUCKET_PRECISION) -> dict[str, Any]:
    return {"cardinality": {"field": "story_id", "precision_threshold": precision}}


def _facet_agg(fld: str, size: int) -> dict[str, Any]:
    return {
        "terms": {
            "field": fld,
            "size": size,
            "shard_size": max(1000, size * 20),
            "order": [{"stories": "desc"}, {"_key": "asc"}],
        },
        "aggs": {"stories": _stories_agg()},
    }


def build_query(req: SearchRequest, now: datetime, *, fetch_size: int | None = None) -> dict[str, Any]:
    """The main search body (pure): query, filters, sort, paging, highlights and all aggregations.

    `fetch_size` is how many raw articles to read (more than `req.size`, since copies are skipped).
    """
    _validate(req)
    query_text, _ = clean_query(req.query)
    sort = effective_sort(req, query_text)
    lower, upper = date_bounds(req, now)
    interval = histogram_interval(lower, upper, now)
    histogram: dict[str, Any] = {
        "field": "published_at",
        "calendar_interval": interval,
        "min_doc_count": 0,
        "format": "strict_date_optional_time",
    }
    if lower:
        histogram["extended_bounds"] = {"min": _iso(lower), "max": _iso(upper or _utc(now))}
    aggs: dict[str, Any] = {name: _facet_agg(fld, req.facet_size) for name, fld in FACET_FIELDS.items()}
    # places = gpe + loc; fetch more than shown so the merge in `_places` sees every close candidate
    aggs["places_gpe"] = _facet_agg("entities.gpe", req.facet_size * 2)
    aggs["places_loc"] = _facet_agg("entities.loc", req.facet_size * 2)
    aggs["stories"] = _stories_agg(STORY_PRECISION)
    aggs["no_story"] = {"filter": {"bool": {"must_not": {"exists": {"field": "story_id"}}}}}
    aggs["histogram"] = {"date_histogram": histogram, "aggs": {"stories": _stories_agg()}}
    body: dict[str, Any] = {
        "query": main_query(req, now, query_text),
        "sort": sort_clause(sort),
        "size": fetch_size or req.size,
        "track_total_hits": True,
        "_source": SOURCE_FIELDS,
        "aggs": aggs,
    }
    if query_text:
        body["track_scores"] = True
        body["highlight"] = {
            "type": "unified",
            "encoder": "html",
            "pre_tags": ["<em>"],
            "post_tags": ["</em>"],
            "fields": {
                "title": {"number_of_fragments": 0},
                "text": {"fragment_size": 160, "number_of_fragments": 2},
            },
        }
    if req.search_after is not None:
        expected = len(body["sort"])
        if not isinstance(req.search_after, list) or len(req.search_after) != expected:
            raise SearchError(f"invalid search_after token: expected a list of {expected} values for sort {sort!r}")
        body["search_after"] = req.search_after
    return body


def representatives_query(req: SearchRequest, now: datetime, story_ids: list[str]) -> dict[str, Any]:
    """Top copy per story (same query and sort, collapsed on story_id) plus story-wide outlet/copy counts."""
    query_text, _ = clean_query(req.query)
    q = main_query(req, now, query_text)
    q["bool"]["filter"] = [*q["bool"]["filter"], {"terms": {"story_id": story_ids}}]
    return {
        "query": q,
        "sort": sort_clause(effective_sort(req, query_text)),
        "collapse": {"field": "story_id"},
        "size": len(story_ids),
        "_source": False,
        "track_total_hits": False,
        "aggs": {
            "all": {
                "global": {},
                "aggs": {
                    "page": {
                        "filter": {"terms": {"story_id": story_ids}},
                        "aggs": {
                            "story": {
                                "terms": {"field": "story_id", "size": len(story_ids)},
                                "aggs": {"outlets": {"cardinality": {"field": "source.name"}}},
                            }
                        },
                    }
                },
            }
        },
    }


def places_union_query(req: SearchRequest, now: datetime, values: list[str]) -> dict[str, Any]:
    """Exact story counts for place names that occur as both gpe and loc (a story counted once)."""
    query_text, _ = clean_query(req.query)
    return {
        "query": main_query(req, now, query_text),
        "size": 0,
        "track_total_hits": False,
        "aggs": {
            "places": {
                "filters": {
                    "filters": {
                        v: {"bool": {"should": [{"term": {"entities.gpe": v}}, {"term": {"entities.loc": v}}]}}
                        for v in values
                    }
                },
                "aggs": {"stories": _stories_agg()},
            }
        },
    }


# ---------------------------------------------------------------- I/O


def _facet(resp_aggs: dict[str, Any], name: str) -> list[tuple[str, int]]:
    return [(str(b["key"]), int(b["stories"]["value"])) for b in resp_aggs[name]["buckets"]]


def _search(es: Elasticsearch, index: str, body: dict[str, Any]) -> dict[str, Any]:
    try:
        return dict(es.search(index=index, **body))
    except NotFoundError as exc:
        raise store.StoreError(
            f"index {index!r} not found at {store._url(es)}: run `newsmon es setup` or check NEWSMON_INDEX_PREFIX"
        ) from exc
    except BadRequestError:
        raise
    except ESConnectionError as exc:
        raise store.StoreError(
            f"Elasticsearch at {store._url(es)} is unreachable (set NEWSMON_ES_URL or run `newsmon es start`): "
            f"{exc.message if hasattr(exc, 'message') else exc}"
        ) from exc
    except (TransportError, ApiError) as exc:
        raise store.StoreError(f"Elasticsearch at {store._url(es)} failed the search: {exc}") from exc


def _places(
    es: Elasticsearch, index: str, req: SearchRequest, now: datetime, aggs: dict[str, Any]
) -> list[tuple[str, int]]:
    gpe, loc = dict(_facet(aggs, "places_gpe")), dict(_facet(aggs, "places_loc"))
    merged = {**loc, **gpe}
    both = sorted(set(gpe) & set(loc))
    if both:
        resp = _search(es, index, places_union_query(req, now, both))
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


def _fallback_query(text: str) -> str:
    """Last resort when ES still rejects the text: plain words only, fewer of them."""
    words = re.findall(r"\w+", text)
    return " ".join(words[:16])


def search(es: Elasticsearch, index: str, req: SearchRequest, now: datetime, *, max_rounds: int = 8) -> SearchResult:
    """Run a search: one page of stories, facets, histogram and the next `search_after` token.

    Raises `SearchError` for a bad request and `store.StoreError` (naming the URL) when ES fails.
    """
    query_text, truncated = clean_query(req.query)
    fetch = min(MAX_SIZE, max(req.size * 3, 10))
    try:
        body = build_query(req, now, fetch_size=fetch)
        first = _search(es, index, body)
    except BadRequestError as exc:
        # simple_query_string does not raise parse errors; this guards clause limits and the unforeseen
        if not query_text:
            raise store.StoreError(f"Elasticsearch at {store._url(es)} rejected the search: {exc}") from exc
        req = replace(req, query=_fallback_query(query_text))
        query_text, truncated = clean_query(req.query)[0], True
        body = build_query(req, now, fetch_size=fetch)
        try:
            first = _search(es, index, body)
        except BadRequestError as exc2:
            raise store.StoreError(f"Elasticsearch at {store._url(es)} rejected the search: {exc2}") from exc2
    aggs = first["aggregations"]
    total_articles = int(first["hits"]["total"]["value"])
    total_stories = int(aggs["stories"]["value"]) + int(aggs["no_story"]["doc_count"])

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
        resp = _search(es, index, page_body)
    if next_after is not None and last_in_page:
        next_after = _peek_more(es, index, body, next_after)
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
        hits=kept,
        total_stories=total_stories,
        total_articles=total_articles,
        facets=facets,
        histogram=histogram,
        interval=histogram_interval(lower, upper, now),
        next_search_after=next_after,
        truncated=truncated,
        took_ms=int(first.get("took", 0)),
    )


def _representatives(
    es: Elasticsearch, index: str, req: SearchRequest, now: datetime, raw_hits: list[dict[str, Any]]
) -> tuple[dict[str, str], dict[str, tuple[int, int]]]:
    """story_id -> id of its top copy under this query/sort; story_id -> (outlets, copies) story-wide."""
    sources = [h.get("_source") or {} for h in raw_hits]
    ids = sorted({str(src["story_id"]) for src in sources if src.get("story_id")})
    if not ids:
        return {}, {}
    resp = _search(es, index, representatives_query(req, now, ids))
    reps = {str(h["fields"]["story_id"][0]): str(h["_id"]) for h in resp["hits"]["hits"]}
    buckets = resp["aggregations"]["all"]["page"]["story"]["buckets"]
    counts = {str(b["key"]): (int(b["outlets"]["value"]), int(b["doc_count"])) for b in buckets}
    return reps, counts


def _peek_more(es: Elasticsearch, index: str, body: dict[str, Any], after: list[Any]) -> list[Any] | None:
    """Keep the token only if any article follows it (so the last page says so)."""
    probe = {k: v for k, v in body.items() if k not in ("aggs", "highlight", "track_scores")}
    probe.update(search_after=after, size=1, _source=False, track_total_hits=False)
    resp = _search(es, index, probe)
    return after if resp["hits"]["hits"] else None


# ---------------------------------------------------------------- rendering and CLI


def _rich_snippet(snippet: str) -> Any:
    """HTML-escaped `<em>` snippet -> rich Text with the matches in bold."""
    from rich.text import Text

    text = Text()
    for i, part in enumerate(re.split(r"</?em>", snippet)):
        text.append(html.unescape(part), style="bold yellow" if i % 2 else "")
    return text


def render_text(result: SearchResult, *, color: bool = False, width: int = 120) -> str:
    """A readable rendering: summary line, a table of stories with snippets, then facet lists."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    buf = io.StringIO()
    console = Console(file=buf, force_terminal=color, no_color=not color, width=width, highlight=False)
    shown = f"{len(result.hits)} shown"
    console.print(
        f"{result.total_stories} stories ({result.total_articles} articles), {shown}, sorted by {result.sort}"
        + (" — query truncated" if result.truncated else "")
    )
    if result.hits:
        table = Table(show_lines=False, expand=False)
        table.add_column("#", justify="right")
        table.add_column("Published (UTC)", no_wrap=True)
        table.add_column("Source")
        table.add_column("Story")
        table.add_column("Topics")
        table.add_column("Outlets", justify="right")
        for n, hit in enumerate(result.hits, 1):
            cell = Text()
            title = hit.highlights.get("title", [])
            cell.append_text(_rich_snippet(title[0]) if title else Text(hit.title, style="bold"))
            for snip in hit.highlights.get("text", []):
                cell.append("\n… ")
                cell.append_text(_rich_snippet(snip))
                cell.append(" …")
            if hit.url:
                cell.append("\n" + hit.url, style="dim")
            published = (hit.published_at or "")[:16].replace("T", " ")
            table.add_row(str(n), published, hit.source, cell, ", ".join(hit.topics), str(hit.outlets))
        console.print(table)
    else:
        console.print("No matching stories.")
    for name, label in (
        ("topics", "Topics"),
        ("persons", "People"),
        ("orgs", "Organisations"),
        ("places", "Places"),
        ("sources", "Sources"),
        ("languages", "Languages"),
    ):
        values = result.facets.get(name) or []
        if values:
            console.print(f"{label}: " + ", ".join(f"{v} ({c})" for v, c in values))
    if result.histogram:
        active = [b for b in result.histogram if b.stories]
        if active:
            cut = 13 if result.interval == "hour" else 10
            console.print(f"By {result.interval}: " + ", ".join(f"{b.date[:cut]} ({b.stories})" for b in active[-14:]))
    if result.next_search_after is not None:
        console.print("More: --after '" + json.dumps(result.next_search_after) + "'")
    return buf.getvalue()


def parse_date(text: str, *, end_of_day: bool = False) -> datetime:
    """`2025-06-01` or an ISO datetime -> aware UTC datetime; a bare date as `--to` means its end."""
    raw = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            day = datetime.fromisoformat(raw).replace(tzinfo=UTC)
            return day + timedelta(days=1) - timedelta(microseconds=1) if end_of_day else day
        return _utc(datetime.fromisoformat(raw.replace("Z", "+00:00")))
    except ValueError as exc:
        raise SearchError(f"invalid date {text!r}: expected YYYY-MM-DD or an ISO-8601 datetime") from exc


def run_search_cli(
    query: str,
    *,
    topic: list[str],
    entity: list[str],
    source: list[str],
    lang: list[str],
    since: str | None,
    date_from: str | None,
    date_to: str | None,
    sort: str,
    size: int,
    as_json: bool,
    now: datetime,
    after: str | None = None,
) -> int:
    """Body of `newsmon search`: 0 ok, 1 Elasticsearch failure (names the URL), 2 bad usage."""
    from pipeline.core.settings import Settings

    def err(msg: str) -> None:
        print(f"newsmon: {msg}", file=sys.stderr)

    try:
        token = None
        if after:
            try:
                token = json.loads(after)
            except json.JSONDecodeError as exc:
                raise SearchError(f"invalid --after token {after!r}: not JSON") from exc
        req = SearchRequest(
            query=query or "",
            topics=list(topic or []),
            entities=list(entity or []),
            sources=list(source or []),
            languages=list(lang or []),
            since=since,
            date_from=parse_date(date_from) if date_from else None,
            date_to=parse_date(date_to, end_of_day=True) if date_to else None,
            sort=sort,
            size=size,
            search_after=token,
        )
        build_query(req, now)  # validate before touching the network
    except SearchError as exc:
        err(str(exc))
        return 2
    settings = Settings.from_env()
    es = store.connect(settings, max_retries=1, request_timeout=20)
    index = store.IndexNames(settings.index_prefix).articles
    try:
        result = search(es, index, req, now)
    except SearchError as exc:
        err(str(exc))
        return 2
    except store.StoreError as exc:
        msg = str(exc)
        if settings.es_url not in msg:
            msg = f"{msg} (NEWSMON_ES_URL={settings.es_url})"
        err(msg)
        return 1
    finally:
        es.close()
    if as_json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(render_text(result, color=sys.stdout.isatty()))
    return 0
