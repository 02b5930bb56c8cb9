"""Per-feed fetch state in Elasticsearch (`P-feed-state`, one document per feed), read and written by id.

The state machine itself (`FeedState`, `next_state`) is pure and lives in `pipeline.ingest.fetch`; this module
is only its persistence. State advances only after a feed's items are indexed, so a crash re-fetches rather
than loses.
"""

from __future__ import annotations

from collections.abc import Iterable

from elasticsearch import Elasticsearch

from pipeline.index import store
from pipeline.index.names import IndexNames
from pipeline.ingest.feeds import FeedConfig
from pipeline.ingest.fetch import FeedState


def load_states(es: Elasticsearch, names: IndexNames, feeds: Iterable[FeedConfig]) -> dict[str, FeedState | None]:
    """Feed name -> stored state (None for a feed never fetched), in one real-time round trip."""
    wanted = [f.name for f in feeds]
    got = store.mget_sources(es, names.feed_state, wanted)
    return {name: FeedState.from_doc(got[name]) if name in got else None for name in wanted}


def load_state(es: Elasticsearch, names: IndexNames, feed: FeedConfig) -> FeedState | None:
    """One feed's stored state, or None when it was never fetched."""
    return load_states(es, names, [feed])[feed.name]


def save_state(es: Elasticsearch, names: IndexNames, state: FeedState) -> None:
    """Persist one feed's state. No refresh wait: states are only read back by id (mget is real-time)."""
    store.put_doc(es, names.feed_state, state.feed_name, state.to_doc())
