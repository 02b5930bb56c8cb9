"""Per-feed health for `newsmon feeds status`: state documents joined with item counts of the last 24 hours."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from elasticsearch import Elasticsearch

from pipeline.core.timeutil import iso
from pipeline.index import store
from pipeline.ingest.feeds import FeedsFile


def feed_health(es: Elasticsearch, names: store.IndexNames, feeds: FeedsFile, now: datetime) -> list[dict[str, Any]]:
    """One row per configured feed (enabled or not), in config order."""
    states = store.mget_sources(es, names.feed_state, [f.name for f in feeds.feeds])
    counts: dict[str, int] = {}
    store.refresh(es, names.items)  # the archive refreshes only every 30 s on its own
    resp = store.search(
        es,
        names.items,
        size=0,
        query={"range": {"ingested_at": {"gte": iso(now - timedelta(hours=24))}}},
        aggs={"by_feed": {"terms": {"field": "source.feed", "size": max(10, len(feeds.feeds) * 2)}}},
    )
    for b in resp["aggregations"]["by_feed"]["buckets"]:
        counts[b["key"]] = b["doc_count"]
    rows = []
    for f in feeds.feeds:
        st = states.get(f.name, {})
        failures = int(st.get("consecutive_failures") or 0)
        if not f.enabled:
            health = "disabled"
        elif not st:
            health = "never fetched"
        elif failures:
            health = f"failing ({failures}x)"
        else:
            health = "ok"
        rows.append(
            {
                "feed": f.name,
                "health": health,
                "last_success_at": st.get("last_success_at"),
                "last_error": st.get("last_error"),
                "consecutive_failures": failures,
                "items_24h": counts.get(f.name, 0),
                "next_poll_at": st.get("next_poll_at"),
                "last_outcome": st.get("last_outcome"),
                "url": f.url,
            }
        )
    return rows


def render(rows: list[dict[str, Any]]) -> str:
    """A table for the terminal."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="feed health")
    for col in ("feed", "health", "last success", "failures", "items 24h", "next poll", "last error"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r["feed"],
            r["health"],
            str(r["last_success_at"] or "-")[:19],
            str(r["consecutive_failures"]),
            str(r["items_24h"]),
            str(r["next_poll_at"] or "-")[:19],
            (r["last_error"] or "")[:70],
        )
    console = Console(width=160, record=True)
    with console.capture() as cap:
        console.print(table)
    return cap.get()
