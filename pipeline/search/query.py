"""Search requests and the Elasticsearch query bodies they become (pure: no I/O, time is an argument).

Why the query is built this way (see docs/search.md):

- User text goes through `simple_query_string` (never `query_string`): it cannot raise a parse error, supports
  `"phrases"`, `+must`, `-not`, `a | b` and `prefix*`, and `default_operator=AND` so every extra word narrows
  the result, as analysts expect from a news search box. The text is cleaned and capped before it is sent.
- Counts are in stories (distinct `story_id`), not copies: totals, facet counts and histogram buckets use
  `cardinality` on `story_id` (exact below its 40 000 precision threshold).
- Facets are computed over the filtered result (drill-down). Values inside one facet are ORed (`--topic a
  --topic b` = either), except entities, which are ANDed (`--entity A --entity B` = stories naming both).
- `--since` takes the one duration syntax of every command (`pipeline.core.timeutil.parse_duration`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pipeline.core.timeutil import DURATION_HELP, DurationError, iso_z, parse_duration, to_utc
from pipeline.core.vocab import FACET_KEYS
from pipeline.index import analysis

SORTS = ("relevance", "newest")
MAX_QUERY_CHARS = 1000  # longer input is cut at a word boundary
MAX_QUERY_TERMS = 64  # whitespace-separated terms kept; keeps well under max_clause_count
MAX_SIZE = 500
STORY_PRECISION = 40_000  # cardinality precision_threshold of the total: counts below it are exact in practice
BUCKET_PRECISION = 3_000  # the same per facet/histogram bucket (memory is per bucket)
ENTITY_FIELDS = tuple(f"entities.{key}" for key in FACET_KEYS)
# facet name -> mapping field ("places" merges gpe and loc, see `service`)
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
    since: str | None = None  # "30s", "15m", "24h", "7d", "2w", relative to `now`
    date_from: datetime | None = None  # inclusive, on published_at
    date_to: datetime | None = None  # inclusive, on published_at
    sort: str = "relevance"  # "relevance" | "newest"
    size: int = 20
    search_after: list[Any] | None = None  # `SearchResult.next_search_after` of the previous page
    facet_size: int = 10
    # the index has the per-language subfields (NEWSMON_ES_LANGUAGE_ANALYZERS): search them too
    language_analyzers: bool = False


def parse_since(text: str) -> timedelta:
    """`--since` as a timedelta (`"30s"`, `"15m"`, `"24h"`, `"7d"`, `"2w"`); `SearchError` otherwise."""
    try:
        return parse_duration(text)
    except (DurationError, OverflowError) as exc:
        raise SearchError(f"invalid --since {text!r}: expected {DURATION_HELP}") from exc


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


def date_bounds(req: SearchRequest, now: datetime) -> tuple[datetime | None, datetime | None]:
    """The effective (lower, upper) published_at bounds from `since`, `date_from` and `date_to`."""
    lower: datetime | None = None
    if req.since:
        try:
            lower = to_utc(now) - parse_since(req.since)
        except OverflowError as exc:
            raise SearchError(f"invalid --since {req.since!r}: reaches before year 1") from exc
    if req.date_from is not None:
        lower = max(lower, to_utc(req.date_from)) if lower else to_utc(req.date_from)
    upper = to_utc(req.date_to) if req.date_to is not None else None
    return lower, upper


def histogram_interval(lower: datetime | None, upper: datetime | None, now: datetime) -> str:
    """Calendar interval giving a readable chart for the filtered range (day when the range is open)."""
    if lower is None:
        return "day"
    span = (upper or to_utc(now)) - lower
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
    if req.date_from and req.date_to and to_utc(req.date_from) > to_utc(req.date_to):
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
            rng["gte"] = iso_z(lower)
        if upper:
            rng["lte"] = iso_z(upper)
        out.append({"range": {"published_at": rng}})
    return out


def text_query(query_text: str, language_analyzers: bool = False) -> dict[str, Any]:
    """The scoring part: `simple_query_string` over title (boosted), text and `search_text` (Thai/Burmese/...
    clusters; their query runs become cluster phrases), all words required; plus the per-language subfields
    when the index has them (`pipeline.index.analysis`)."""
    if not query_text:
        return {"match_all": {}}
    return {
        "simple_query_string": {
            "query": analysis.segment_query(query_text),
            "fields": analysis.query_fields(language_analyzers),
            "default_operator": "and",
            "lenient": True,
            "analyze_wildcard": False,
            "flags": "AND|OR|NOT|PHRASE|PREFIX|PRECEDENCE|WHITESPACE|ESCAPE",
        }
    }


def main_query(req: SearchRequest, now: datetime, query_text: str) -> dict[str, Any]:
    return {"bool": {"must": [text_query(query_text, req.language_analyzers)], "filter": filter_clauses(req, now)}}


def stories_agg(precision: int = BUCKET_PRECISION) -> dict[str, Any]:
    """Distinct stories (cardinality of `story_id`): every count the search reports is in stories."""
    return {"cardinality": {"field": "story_id", "precision_threshold": precision}}


def _facet_agg(fld: str, size: int) -> dict[str, Any]:
    return {
        "terms": {
            "field": fld,
            "size": size,
            "shard_size": max(1000, size * 20),
            "order": [{"stories": "desc"}, {"_key": "asc"}],
        },
        "aggs": {"stories": stories_agg()},
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
        histogram["extended_bounds"] = {"min": iso_z(lower), "max": iso_z(upper or to_utc(now))}
    aggs: dict[str, Any] = {name: _facet_agg(fld, req.facet_size) for name, fld in FACET_FIELDS.items()}
    # places = gpe + loc; fetch more than shown so the merge in `_places` sees every close candidate
    aggs["places_gpe"] = _facet_agg("entities.gpe", req.facet_size * 2)
    aggs["places_loc"] = _facet_agg("entities.loc", req.facet_size * 2)
    aggs["stories"] = stories_agg(STORY_PRECISION)
    aggs["no_story"] = {"filter": {"bool": {"must_not": {"exists": {"field": "story_id"}}}}}
    aggs["histogram"] = {"date_histogram": histogram, "aggs": {"stories": stories_agg()}}
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
                "aggs": {"stories": stories_agg()},
            }
        },
    }


def fallback_query(text: str) -> str:
    """Last resort when ES still rejects the text: plain words only, fewer of them."""
    words = re.findall(r"\w+", text)
    return " ".join(words[:16])


def parse_date(text: str, *, end_of_day: bool = False) -> datetime:
    """`2025-06-01` or an ISO datetime -> aware UTC datetime; a bare date as `--to` means its end."""
    raw = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            day = datetime.fromisoformat(raw).replace(tzinfo=UTC)
            return day + timedelta(days=1) - timedelta(microseconds=1) if end_of_day else day
        return to_utc(datetime.fromisoformat(raw.replace("Z", "+00:00")))
    except ValueError as exc:
        raise SearchError(f"invalid date {text!r}: expected YYYY-MM-DD or an ISO-8601 datetime") from exc
