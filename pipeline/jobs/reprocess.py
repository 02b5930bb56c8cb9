"""`newsmon reprocess`: re-run detection (and, for newly topical items, extraction and clustering) over stored
items after a rules change, without refetching. Items that stop matching leave the articles index."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from elasticsearch import Elasticsearch

from pipeline.core.records import Article
from pipeline.index import store
from pipeline.index.documents import Enriched, article_doc, item_doc
from pipeline.jobs import runner as ingest

_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta:
    """`30d`, `12h`, `15m`, `2w` -> timedelta; ValueError naming the bad value otherwise."""
    m = _DURATION.match(text or "")
    if not m:
        raise ValueError(f"invalid duration {text!r}: use a number and a unit, e.g. 30d, 12h, 15m")
    return timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})


def _dt(value: Any) -> datetime:
    return datetime.fromisoformat(str(value))


def article_from_item(src: dict[str, Any]) -> Article:
    """Rebuild the normalised article from its archived document."""
    source = src.get("source") or {}
    return Article(
        id=src["id"],
        url=src["url"],
        title=src.get("title") or "",
        text=src.get("text") or "",
        published_at=_dt(src["published_at"]),
        fetched_at=_dt(src.get("fetched_at") or src["published_at"]),
        source_name=source.get("name", ""),
        source_domain=source.get("domain", ""),
        feed_name=source.get("feed", ""),
        original_url=src.get("original_url") or src["url"],
        language=src.get("language"),
        guid=src.get("guid"),
        flags=tuple(src.get("flags") or ()),
    )


def reprocess(
    es: Elasticsearch,
    names: store.IndexNames,
    *,
    since: datetime,
    now: datetime,
    batch: int = 200,
    progress: bool = False,
    comps: ingest.Components | None = None,
) -> dict[str, int]:
    """Re-detect every archived item ingested since `since`; return counts of label changes."""
    comps = comps or ingest.Components()
    query = {"range": {"ingested_at": {"gte": store.iso(since)}}}
    es.indices.refresh(index=names.items)  # the archive refreshes only every 30 s: see the latest items too
    total = es.count(index=names.items, query=query)["count"]
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
    es.indices.refresh(index=f"{names.articles},{names.items}")
    return counts


def _flush(
    es: Elasticsearch,
    names: store.IndexNames,
    sources: list[dict[str, Any]],
    comps: ingest.Components,
    now: datetime,
    counts: dict[str, int],
) -> None:
    articles = [article_from_item(s) for s in sources]
    old = {s["id"]: sorted(s.get("topics") or []) for s in sources}
    enriched = ingest.enrich(articles, comps)
    changed = [e for e in enriched if sorted(t.name for t in e.topics) != old[e.article.id]]
    counts["items"] += len(articles)
    counts["unchanged"] += len(articles) - len(changed)
    if not changed:
        return
    enriched_topical = ingest.assign_stories(es, names.articles, [e for e in changed if e.topical])
    actions: list[dict[str, Any]] = []
    first_seen = {s["id"]: s.get("ingested_at") for s in sources}
    for e in enriched_topical:
        doc = article_doc(e, ingested_at=_dt(first_seen[e.article.id]) if first_seen[e.article.id] else now)
        doc["updated_at"] = store.iso(now)
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


__all__ = ["Enriched", "parse_duration", "reprocess"]
