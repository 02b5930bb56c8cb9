"""Developer tools: the local Elasticsearch node manager (`esnode`: download, start, stop the pinned test
distribution) and the end-to-end benchmark (`bench`, `bench_alerts`).

Used by the CLI (`newsmon es`, `newsmon bench`) and the tests; no pipeline stage imports it. May import every
subpackage but `cli` and `kibana`.
"""
