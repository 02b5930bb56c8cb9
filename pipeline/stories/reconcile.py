"""Story reconciliation after a parallel run: merge stories that separate workers started for one event.

Workers (spawned processes, mapped Airflow tasks) assign stories against what was indexed and refreshed before
they looked, so two workers may each start a story for reports of one event. `reconcile_stories` runs once after
them, over the articles of that run only, and returns the merges so the alert ledger can record them.

It assumes **one ingest run at a time**: articles indexed before this run were visible to every worker, so a
split can only be between articles of this run. The news_ingest DAG guarantees that with `max_active_runs=1`;
a concurrent `newsmon run --once` (or any second ingest path writing the same prefix) could leave splits that
neither run's reconciliation sees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pipeline.index import store
from pipeline.index.names import IndexNames
from pipeline.stories.assign import NEARBY_STORIES, nearby
from pipeline.stories.candidate import MAX_MEMBERS, THRESHOLD, Candidate, candidate_from_source, time_key
from pipeline.stories.event import retrieval_keys, similarity

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

__all__ = ["Merge", "plan_merges", "reconcile_stories"]

_FIELDS = ("id", "story_id", "published_at", "event_sig")


@dataclass(frozen=True)
class Merge:
    """Story `merged` was folded into story `into` (the one founded earliest); `moved` articles changed story."""

    merged: str
    into: str
    moved: int = 0


def _average(a: Sequence[Candidate], b: Sequence[Candidate]) -> float:
    """Average similarity between two stories' reports (their earliest `MAX_MEMBERS` each)."""
    a = sorted(a, key=lambda m: (time_key(m.published_at), m.article_id))[:MAX_MEMBERS]
    b = sorted(b, key=lambda m: (time_key(m.published_at), m.article_id))[:MAX_MEMBERS]
    scores = [similarity(x.features, y.features).score for x in a for y in b]
    return sum(scores) / len(scores)


def plan_merges(candidates: Sequence[Candidate], threshold: float = THRESHOLD) -> dict[str, str]:
    """Story id -> the story it merges into, for the run's stories that report one event (pure, deterministic).

    Each story is compared with the stories sharing the most retrieval keys with it (`assign.nearby`); two are
    one event when the average similarity of their reports reaches `threshold` (the same rule as assignment).
    Groups are closed transitively (union-find) and keep the story whose first report is earliest by
    (published_at, id).
    """
    stories: dict[str, list[Candidate]] = {}
    for c in candidates:
        stories.setdefault(c.story_id, []).append(c)
    by_key: dict[str, set[str]] = {}
    for sid, members in stories.items():
        for c in members:
            for key in retrieval_keys(c.features):
                by_key.setdefault(key, set()).add(sid)
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    def first(sid: str) -> tuple[tuple[bool, Any], str]:
        c = min(stories[sid], key=lambda m: (time_key(m.published_at), m.article_id))
        return (time_key(c.published_at), sid)

    pairs: set[tuple[str, str]] = set()
    for sid in sorted(stories):
        keys = {k for c in stories[sid] for k in retrieval_keys(c.features)}
        pairs.update((min(sid, o), max(sid, o)) for o in nearby(keys, by_key, NEARBY_STORIES + 1) if o != sid)
    for a, b in sorted(pairs):
        if find(a) != find(b) and _average(stories[a], stories[b]) >= threshold:
            keep, drop = sorted((find(a), find(b)), key=first)
            parent[drop] = keep
    return {sid: find(sid) for sid in stories if find(sid) != sid}


def reconcile_stories(es: Elasticsearch, names: IndexNames, article_ids: Sequence[str]) -> list[Merge]:
    """Merge stories that parallel workers started separately for one event; return the merges.

    Reads the run's articles (their stored event features), plans the merges with `plan_merges`, and moves every
    article of a merged story (also those indexed before the run) to the story it merges into. Deterministic.
    Assumes no other ingest run writes the prefix meanwhile (see the module docstring).
    """
    if not article_ids:
        return []
    store.refresh(es, names.articles)
    docs: dict[str, dict[str, Any]] = {}
    ids = list(article_ids)
    for start in range(0, len(ids), 1000):  # only the clustering fields: a long run indexes many articles
        docs.update(store.mget_sources(es, names.articles, ids[start : start + 1000], _FIELDS))
    candidates = [c for i, d in docs.items() if (c := candidate_from_source(d, i)) is not None]
    del docs
    plan = plan_merges(candidates)
    if not plan:
        return []
    moves: list[tuple[str, str, str]] = []  # (article id, new story, old story)
    merges = []
    for merged, into in sorted(plan.items()):
        n = 0
        for hit in store.scan_all(es, names.articles, query={"term": {"story_id": merged}}, source=False):
            moves.append((hit["_id"], into, merged))
            n += 1
        merges.append(Merge(merged, into, n))
    store.bulk(
        es,
        ({"_op_type": "update", "_index": names.articles_write, "_id": i,
          "doc": {"story_id": sid, "story_reason": {"joined": True, "merged_from": old}}} for i, sid, old in moves),
        refresh="wait_for",
    )  # fmt: skip
    return merges
