"""Story grouping: copies and rewrites of one text share one `story_id`.

Modules: `signature` (MinHash/LSH signatures, similarity; pure), `candidate` (the joining rule: threshold,
time window, `Candidate`), `assign` (assign_story_id, cluster_batch, group_stories; the ingest step
`assign_stories`), `lookup` (candidate lookup in Elasticsearch), `reconcile` (merging stories split between
parallel workers), `evaluate` (pairwise precision/recall).

May import `pipeline.core`, `pipeline.lang` and `pipeline.index` (Elasticsearch only through `index.store`).
"""
