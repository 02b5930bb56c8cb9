"""`newsmon reprocess`: re-run detection (and, for newly topical items, extraction and clustering) over stored
items after a rules change, without refetching. Items that stop matching leave the articles index."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from elasticsearch import Elasticsearch

from pipeline.core.timeutil import iso
from pipeline.index import store
from pipeline.index.documents import article_doc, article_from_item, item_doc
from pipeline.index.names import IndexNames
from pipeline.jobs.stages import Components, enrich
from pipeline.stories.assign import assign_stories


def _dt(value: Any) -> datetime:
    return datetime.fromisoformat(str(value))


def reprocess(
    es: Elasticsearch,
    names: IndexNames,
    *,
    since: datetime,
    now: datetime,
    batch: int = 200,
    progress: bool = False,
    comps: Components | None = None,
) -> dict[str, int]:
    """Re-detect every archived item ingested since `since`; return counts of label changes."""
    comps = comps or Components()
    store.verify_indices(es, names)
    query = {"range": {"ingested_at": {"gte": iso(since)}}}
    store.refresh(es, names.items)  # the archive refreshes only every 30 s: see the latest items too
    total = store.count(es, names.items, query)
    counts = {"items": 0, "unchanged": 0, "changed": 0, "added": 0, "removed": 0, "failed": 0}
    bar = None
    if progress:
        from rich.progress import Progress

        bar = Progress(transient=False)
        bar.start()
        task = bar.add_task("reprocessing", total=total)
    try:
        buf: list[dict[str, Any]] = []
        for hit in store.scan_all(es, names.items, query=query, size=batch):
            buf.append(hit["_source"])
            if len(buf) >= batch:
                _flush(es, names, buf, comps, now, counts)
                if bar:
                    bar.update(task, advance=len(buf))
                buf = []
        if buf:
            _flush(es, names, buf, comps, now, counts)
            if bar:
                bar.update(task, advance=len(buf))
    finally:
        if bar:
            bar.stop()
    store.refresh(es, f"{names.articles},{names.items}")
    return counts


def _flush(
    es: Elasticsearch,
    names: IndexNames,
    sources: list[dict[str, Any]],
    comps: Components,
    now: datetime,
    counts: dict[str, int],
) -> None:
    articles = [article_from_item(s) for s in sources]
    old = {s["id"]: sorted(s.get("topics") or []) for s in sources}
    enriched = enrich(articles, comps)
    changed = [e for e in enriched if sorted(t.name for t in e.topics) != old[e.article.id]]
    counts["items"] += len(articles)
    counts["unchanged"] += len(articles) - len(changed)
    if not changed:
        return
    enriched_topical = assign_stories(es, names.articles, [e for e in changed if e.topical])
    actions: list[dict[str, Any]] = []
    first_seen = {s["id"]: s.get("ingested_at") for s in sources}
    for e in enriched_topical:
        doc = article_doc(e, ingested_at=_dt(first_seen[e.article.id]) if first_seen[e.article.id] else now,
                          rules_version=comps.rules_version)
        doc["updated_at"] = iso(now)
        actions.extend(store.upsert_actions(names.articles_write, [doc]))
    removed = [e for e in changed if not e.topical]
    for e in removed:
        actions.append({"_op_type": "delete", "_index": names.articles_concrete, "_id": e.article.id})
    for e in changed:
        ing = first_seen[e.article.id]
        doc = item_doc(e.article, ingested_at=_dt(ing) if ing else now, topics=[t.name for t in e.topics])
        actions.extend(store.upsert_actions(names.items, [doc]))
    out = store.bulk(es, actions)
    counts["failed"] += len(out.errors)
    for e in changed:
        counts["changed"] += 1
        if e.topical and not old[e.article.id]:
            counts["added"] += 1
        elif not e.topical:
            counts["removed"] += 1


__all__ = ["reprocess"]
