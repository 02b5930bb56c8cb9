"""Full-text, faceted search over the articles read alias, one hit per story.

Modules: `query` (the request model and the pure query bodies), `service` (the search I/O: story-collapsed
paging, facets, histogram), `render` (terminal text). The `newsmon search` command body is in
`pipeline/cli/search_cmd.py`.

May import `pipeline.core` and `pipeline.index` (Elasticsearch only through `index.store`).
"""
