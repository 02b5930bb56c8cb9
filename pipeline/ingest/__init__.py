"""Getting items in: feeds.yaml (`feeds`), HTTP fetch and the per-feed state machine (`fetch`), its persistence
(`feedstate`), feed bytes -> `FeedItem`s (`parse`), `FeedItem` -> `Article` (`normalise`) and per-feed health
(`health`).

May import `pipeline.core`, `pipeline.lang` and `pipeline.index` (Elasticsearch only through `index.store`).
"""
