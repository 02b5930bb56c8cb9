"""Benchmark story clustering: signature and assignment cost per article on synthetic 150-word items.

    .venv/bin/python benchmarks/bench_cluster.py [--n 5000] [--words 150] [--json] [--es http://127.0.0.1:9200]

Synthetic items: words drawn from a 20,000-word Zipf-like vocabulary (so the token-hash memo behaves as on real
news), a 10-word title, and 20% of the items are near-copies of an earlier one (a sentence dropped, a few words
swapped) published within hours, so the assignment step has real matches to find. Times are CPU seconds of this
one process (one core, no threads; best of --repeat runs), so a busy shared machine disturbs them less than
wall-clock time. With `--es`, also measures the Elasticsearch candidate lookup on a temporary
`dev-cluster-bench-*` index (deleted afterwards): one query per article, and the batched path (one msearch per
100 articles + cluster_batch); those are wall-clock round trips.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.stories.assign import assign_story_id, cluster_batch
from pipeline.stories.candidate import WINDOW, Candidate
from pipeline.stories.lookup import lookup_candidates, lookup_candidates_batch
from pipeline.stories.signature import signature, signature_fields


def make_items(n: int, words: int, seed: int = 7) -> list[tuple[str, datetime, str, str]]:
    """(id, published_at, title, text) with ~20% near-copies of earlier items."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocab = ["".join(rng.choice(letters) for _ in range(rng.randint(2, 11))) for _ in range(20_000)]
    weights = [1.0 / (rank + 1) for rank in range(len(vocab))]
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    out: list[tuple[str, datetime, str, str]] = []
    for i in range(n):
        when = t0 + timedelta(minutes=7 * i)
        if out and rng.random() < 0.2:
            _, _, title, text = out[rng.randrange(max(0, len(out) - 50), len(out))]
            toks = text.split()
            cut = rng.randint(0, len(toks) // 5)
            toks = toks[: len(toks) - cut]
            for _ in range(len(toks) // 25):
                toks[rng.randrange(len(toks))] = rng.choice(vocab)
            out.append((f"a{i:06d}", when, title.upper(), " ".join(toks)))
            continue
        text = " ".join(rng.choices(vocab, weights, k=words))
        title = " ".join(rng.choices(vocab, weights, k=10)).capitalize()
        out.append((f"a{i:06d}", when, title, text.capitalize() + "."))
    return out


def bench(n: int, words: int, es_url: str | None, repeat: int = 3) -> dict[str, Any]:
    """CPU time of this process (one core; robust on a shared machine), best of `repeat` runs."""
    items = make_items(n, words)
    # warm-up (imports, token memo for a realistic steady state)
    for _, _, title, text in items[: min(200, n)]:
        signature(title, text)

    sig_s = float("inf")
    for _ in range(repeat):
        t = time.process_time()
        sigs = [signature(title, text) for _, _, title, text in items]
        sig_s = min(sig_s, time.process_time() - t)

    batch = [(aid, when, sig) for (aid, when, _, _), sig in zip(items, sigs, strict=True)]
    batch_s = float("inf")
    for _ in range(repeat):
        t = time.process_time()
        result = cluster_batch(batch)
        batch_s = min(batch_s, time.process_time() - t)

    # incremental assignment as in the ingest pass: each article against the earlier ones sharing a band key
    seen_by_key: dict[str, list[Candidate]] = {}
    t = time.process_time()
    n_cands: list[int] = []
    for aid, when, sig in batch:
        pool = {id(c): c for k in sig.keys for c in seen_by_key.get(k, ())}
        cands = list(pool.values())
        n_cands.append(len(cands))
        story = assign_story_id(aid, when, sig, cands)
        cand = Candidate(story, aid, when, sig)
        for k in sig.keys:
            seen_by_key.setdefault(k, []).append(cand)
    assign_s = time.process_time() - t

    report: dict[str, Any] = {
        "items": n,
        "words_per_item": words,
        "signature_items_per_s": round(n / sig_s),
        "signature_us_per_item": round(sig_s / n * 1e6, 1),
        "assign_us_per_item": round(assign_s / n * 1e6, 1),
        "cluster_batch_items_per_s": round(n / batch_s),
        "signature_plus_assign_items_per_s": round(n / (sig_s + assign_s)),
        "mean_candidates_per_item": round(statistics.mean(n_cands), 2),
        "stories": len(set(result.values())),
    }
    if es_url:
        report.update(bench_es(es_url, batch[: min(n, 1000)]))
    return report


def bench_es(es_url: str, batch: list[Any]) -> dict[str, Any]:
    from elasticsearch import Elasticsearch, helpers

    es = Elasticsearch(es_url, request_timeout=30)
    index = f"dev-cluster-bench-{uuid.uuid4().hex[:8]}"
    es.indices.create(
        index=index,
        mappings={
            "properties": {
                "id": {"type": "keyword"},
                "story_id": {"type": "keyword"},
                "cluster_keys": {"type": "keyword"},
                "cluster_minhash": {"type": "binary", "doc_values": True},
                "published_at": {"type": "date"},
            }
        },
        settings={"number_of_shards": 1, "number_of_replicas": 0},
    )
    try:
        stories = cluster_batch(batch)
        helpers.bulk(
            es,
            (
                {
                    "_index": index,
                    "_id": aid,
                    "id": aid,
                    "story_id": stories[aid],
                    "published_at": when.isoformat(),
                    **signature_fields(sig),
                }
                for aid, when, sig in batch
            ),
            refresh=True,
        )
        lat: list[float] = []
        for aid, when, sig in batch:
            t = time.perf_counter()
            cands = lookup_candidates(es, index, sig.keys, when, WINDOW)
            lat.append(time.perf_counter() - t)
            assert assign_story_id(aid, when, sig, cands) == stories[aid]
        lat.sort()
        # the recommended path: one msearch per run of new articles, then cluster_batch
        t = time.perf_counter()
        got: dict[str, str] = {}
        for start in range(0, len(batch), 100):
            run = batch[start : start + 100]
            got.update(cluster_batch(run, lookup_candidates_batch(es, index, run, WINDOW)))
        batched_s = time.perf_counter() - t
        assert got == stories
        return {
            "es_lookup_ms_p50": round(lat[len(lat) // 2] * 1e3, 2),
            "es_lookup_ms_p95": round(lat[int(len(lat) * 0.95)] * 1e3, 2),
            "es_batched_lookup_assign_ms_per_item": round(batched_s / len(batch) * 1e3, 2),
            "es_indexed_docs": len(batch),
        }
    finally:
        es.indices.delete(index=index, ignore_unavailable=True)
        es.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000, help="number of synthetic items")
    parser.add_argument("--words", type=int, default=150, help="words per item text")
    parser.add_argument("--repeat", type=int, default=3, help="timing repetitions (best is reported)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--es", metavar="URL", help="also time lookup_candidates against this Elasticsearch")
    args = parser.parse_args(argv)
    report = bench(args.n, args.words, args.es, max(1, args.repeat))
    if args.json:
        print(json.dumps(report))
    else:
        for key, value in report.items():
            print(f"{key:36} {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
