"""End-to-end benchmark: the same thing as `newsmon bench` (see README "Benchmark" and pipeline/devtools/bench.py).

    .venv/bin/python benchmarks/bench_pipeline.py [--items 10000] [--feeds 20] [--topical-rate 0.2]
                                                  [--cpu-workers 2] [--naive-items 500] [--json]

Needs a running Elasticsearch at NEWSMON_ES_URL (`newsmon es start`). Prints throughput per stage, alert latency,
peak RSS and RSS growth, CPU seconds per process, and the naive pipeline's figures with the speedup.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.cli.app import app

if __name__ == "__main__":
    app(["bench", *sys.argv[1:]])
