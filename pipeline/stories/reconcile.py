"""Story reconciliation after a parallel run: merge stories that separate workers started for copies of one story.

Workers (spawned processes, mapped Airflow tasks) assign stories against what was indexed and refreshed before
they looked, so two workers may each start a story for copies of one event. `reconcile_stories` runs once after
them, over the articles of that run only.

It assumes **one ingest run at a time**: articles indexed before this run were visible to every worker, so a
split can only be between articles of this run. The news_ingest DAG guarantees that with `max_active_runs=1`;
a concurrent `newsmon run --once` (or any second ingest path writing the same prefix) could leave splits that
neither run's reconciliation sees.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from pipeline.index import store
from pipeline.index.names import IndexNames
from pipeline.stories.candidate import THRESHOLD, WINDOW, candidate_from_source, within_window
from pipeline.stories.signature import bucket_pairs, pair_similarities

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

__all__ = ["reconcile_stories"]

_FIELDS = ("id", "story_id", "published_at", "cluster_minhash")


def reconcile_stories(es: Elasticsearch, names: IndexNames, article_ids: Sequence[str]) -> int:
    """Merge stories that parallel workers started separately for copies of one story.

    Every article of this run that founded its own story is compared with the run's other articles its band
    keys reach; similar ones (same threshold and window as assignment) put their stories in one group
    (union-find). Each group keeps the story whose founding article is earliest by (published_at, id), and
    every article of the other stories in the group is moved to it. Deterministic; returns articles moved.
    Assumes no other ingest run writes the prefix meanwhile (see the module docstring).
    """
    if not article_ids:
        return 0
    store.refresh(es, names.articles)
    docs: dict[str, dict[str, Any]] = {}
    ids = list(article_ids)
    for start in range(0, len(ids), 1000):  # only the clustering fields: a long run indexes many articles
        docs.update(store.mget_sources(es, names.articles, ids[start : start + 1000], _FIELDS))
    # Articles indexed before this run were visible (refreshed) to every worker, so a split can only be
    # between articles of this run: compare founders with this run's articles sharing an LSH band bucket.
    candidates = [c for i, d in docs.items() if (c := candidate_from_source(d, i)) is not None]
    del docs
    is_root = [c.story_id == c.article_id for c in candidates]
    if not any(is_root):
        return 0
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    sigs = [c.signature for c in candidates]
    pairs = np.asarray(sorted(bucket_pairs(sigs, is_root)), dtype=np.int64).reshape(-1, 2)
    scores = pair_similarities(sigs, pairs)
    for r, o in pairs[scores >= THRESHOLD].tolist():
        root, cand = candidates[r], candidates[o]
        if cand.story_id == root.article_id:
            continue
        if not within_window(root.published_at, cand.published_at, WINDOW):
            continue
        union(root.article_id, cand.story_id)
    groups: dict[str, set[str]] = {}
    for sid in set(parent) | set(parent.values()):
        groups.setdefault(find(sid), set()).add(sid)
    founders = store.mget_sources(es, names.articles, sorted({s for g in groups.values() for s in g}), ["published_at"])

    def founded(sid: str) -> tuple[str, str]:
        return (str(founders.get(sid, {}).get("published_at") or "9999"), sid)

    moves: list[tuple[str, str]] = []
    for members in groups.values():
        if len(members) < 2:
            continue
        keep = min(members, key=founded)
        others = sorted(members - {keep})
        query = {"terms": {"story_id": others}}
        for hit in store.scan_all(es, names.articles, query=query, source=False):
            moves.append((hit["_id"], keep))
    if moves:
        store.bulk(
            es,
            (
                {"_op_type": "update", "_index": names.articles_write, "_id": i, "doc": {"story_id": sid}}
                for i, sid in moves
            ),
            refresh="wait_for",
        )
    return len(moves)
