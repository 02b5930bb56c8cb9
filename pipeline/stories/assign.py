"""Story assignment: syndicated copies and rewrites of one story share one `story_id`.

A new article joins the story of the most similar earlier article published within `WINDOW` (3 days) whose
similarity reaches `THRESHOLD` (see `candidate`); otherwise it starts a new story whose id is its own article id,
so reruns are deterministic. An article that is already known (same article id among the candidates) keeps its
story id. In a batch (`cluster_batch`) items are processed in (published_at, id) order, each against the
candidates and the earlier items sharing a band key, so input order never changes the result.

`assign_story_id`, `cluster_batch` and `group_stories` (used by `newsmon classify`) are pure; `assign_stories`
is the ingest step, which reads its candidates from Elasticsearch through `lookup`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from pipeline.index.documents import Enriched
from pipeline.stories.candidate import THRESHOLD, WINDOW, Candidate, parse_when, time_key, within_window
from pipeline.stories.lookup import lookup_candidates_batch
from pipeline.stories.signature import Signature, signature, signature_fields, similarity

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

__all__ = ["assign_stories", "assign_story_id", "cluster_batch", "group_stories"]


def assign_story_id(
    article_id: str,
    published_at: datetime | None,
    sig: Signature,
    candidates: Sequence[Candidate],
    *,
    threshold: float = THRESHOLD,
    window: timedelta = WINDOW,
) -> str:
    """The story id for an article: the story of the most similar candidate published within `window` whose
    similarity is at least `threshold`, else the article's own id (a new story).

    An article already among the candidates (same article id) keeps its stored story id, so re-ingesting or
    rerunning never renames a story. Ties go to the earlier candidate, then the smaller ids (deterministic).
    """
    for cand in candidates:
        if cand.article_id == article_id:
            return cand.story_id
    best: tuple[float, tuple[bool, datetime], str, str] | None = None
    best_story = article_id
    for cand in candidates:
        if not within_window(published_at, cand.published_at, window):
            continue
        score = similarity(sig, cand.signature)
        if score < threshold:
            continue
        # rank: highest score, then earliest, then smallest ids
        rank = (-score, time_key(cand.published_at), cand.article_id, cand.story_id)
        if best is None or rank < best:
            best = rank
            best_story = cand.story_id
    return best_story


def cluster_batch(
    items: Sequence[tuple[str, datetime | None, Signature]],
    candidates: Sequence[Candidate] = (),
    *,
    threshold: float = THRESHOLD,
    window: timedelta = WINDOW,
) -> dict[str, str]:
    """Story ids for a batch of (article id, published_at, signature): items may join existing candidates or
    each other. Items are processed in (published_at, id) order, each compared with the candidates and earlier
    items that share at least one band key (what `lookup.lookup_candidates` would return), so the result does
    not depend on input order and equals processing the items one by one against an index holding the earlier ones.
    """
    by_key: dict[int, list[Candidate]] = {}
    by_id: dict[str, Candidate] = {}
    # only buckets some item of the batch has can ever be looked up: index just those (cheap set intersection)
    wanted: set[int] = set()
    for _, _, sig in items:
        wanted.update(sig.buckets)

    def remember(cand: Candidate) -> None:
        by_id.setdefault(cand.article_id, cand)
        for key in wanted.intersection(cand.signature.buckets):
            by_key.setdefault(key, []).append(cand)

    for cand in candidates:
        remember(cand)

    out: dict[str, str] = {}
    for article_id, published_at, sig in sorted(items, key=lambda it: (time_key(it[1]), it[0])):
        if article_id in out:
            continue  # the same article twice in one batch: one story id
        pool: dict[int, Candidate] = {}
        if article_id in by_id:
            pool[id(by_id[article_id])] = by_id[article_id]
        for key in sig.buckets:
            for cand in by_key.get(key, ()):
                pool[id(cand)] = cand
        story = assign_story_id(article_id, published_at, sig, list(pool.values()), threshold=threshold, window=window)
        out[article_id] = story
        remember(Candidate(story, article_id, published_at, sig))
    return out


def _field(record: Any, *names: str) -> Any:
    for name in names:
        value = record.get(name) if isinstance(record, Mapping) else getattr(record, name, None)
        if value is not None:
            return value
    return None


def group_stories(records: Iterable[Any]) -> dict[str, str]:
    """Group near-duplicates within one input (used by `newsmon classify`): id -> story_id.

    Records are mappings or objects with `id`, `title`, `text` and optionally `published` / `published_at`
    (datetime, date or ISO string). Undated records are compared with every record regardless of time.
    Unparseable dates count as undated.
    """
    items: list[tuple[str, datetime | None, Signature]] = []
    for rec in records:
        rid = str(_field(rec, "id"))
        sig = signature(str(_field(rec, "title") or ""), str(_field(rec, "text") or ""))
        items.append((rid, parse_when(_field(rec, "published", "published_at")), sig))
    return cluster_batch(items)


def assign_stories(es: Elasticsearch | None, index: str | None, items: list[Enriched]) -> list[Enriched]:
    """Give every topical item a story_id (and its stored signature fields), comparing with recent stories in
    Elasticsearch (when `es` and `index` are given) and with each other; other items pass through unchanged."""
    topical = [e for e in items if e.topical]
    if not topical:
        return items
    sigs = {e.article.id: signature(e.article.title, e.article.text) for e in topical}
    batch = [(e.article.id, e.article.published_at, sigs[e.article.id]) for e in topical]
    candidates = lookup_candidates_batch(es, index, batch) if es is not None and index else []
    mapping = cluster_batch(batch, candidates)
    out = []
    for e in items:
        if e.topical:
            fields = signature_fields(sigs[e.article.id])
            e = replace(
                e,
                story_id=mapping[e.article.id],
                cluster_keys=tuple(fields["cluster_keys"]),
                cluster_minhash=fields["cluster_minhash"],
            )
        out.append(e)
    return out
