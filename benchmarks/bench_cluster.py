"""Benchmark story grouping: event features, pair similarity and batch assignment per article, and (with --es) the
Elasticsearch candidate lookup, on synthetic English news-like items.

    .venv/bin/python benchmarks/bench_cluster.py [--n 5000] [--words 150] [--repeat 3] [--json] [--es URL]

Synthetic items: a 10-word title and a --words text drawn (Zipf-like) from wordfreq's 20,000 most common English
words, 3-6 entities from a pool of 400 names, a figure and a weekday; one item every 7 minutes. 20% are edited
copies of a recent item (a sentence's worth of words dropped, a few swapped) and 10% independent reports of one
(same entities, figure and weekday, half the words new), so assignment has real matches to find. Times are CPU
seconds of this one process (best of --repeat runs; a busy shared machine disturbs them less than wall time).
With --es: the ingest path on a temporary `dev-cluster-bench-*` index (deleted afterwards), runs of 100 items:
`lookup_candidates_batch` (two round trips), `cluster_batch` and a bulk index with refresh, in wall-clock time,
checking that the story ids equal the offline batch's.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.stories.assign import cluster_batch
from pipeline.stories.event import EventFeatures, features, from_stored, retrieval_keys, similarity, stored
from pipeline.stories.lookup import lookup_candidates_batch

Item = tuple[str, datetime, str, str, list[tuple[str, str, int]]]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def make_items(n: int, words: int, seed: int = 7) -> list[Item]:
    """(id, published_at, title, text, entities) with ~20% edited copies and ~10% independent reports."""
    from wordfreq import top_n_list

    rng = random.Random(seed)
    vocab = [w for w in top_n_list("en", 20_500) if w.isalpha()][:20_000]
    weights = [1.0 / (rank + 1) for rank in range(len(vocab))]
    names = [(rng.choice(["PERSON", "ORG", "GPE"]), f"{rng.choice(vocab).title()} {rng.choice(vocab).title()}")
             for _ in range(400)]  # fmt: skip
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    out: list[Item] = []
    for i in range(n):
        when = t0 + timedelta(minutes=7 * i)
        roll = rng.random()
        if out and roll < 0.3:
            _, _, title, text, ents = out[rng.randrange(max(0, len(out) - 50), len(out))]
            toks = text.split()
            if roll < 0.2:  # an edited copy
                toks = toks[: len(toks) - rng.randint(0, len(toks) // 5)]
                for _ in range(len(toks) // 25):
                    toks[rng.randrange(len(toks))] = rng.choice(vocab)
            else:  # an independent report: same names and specifics, half the words its own
                toks = [t if rng.random() < 0.5 else rng.choice(vocab) for t in toks]
            out.append((f"a{i:06d}", when, title.upper(), " ".join(toks), ents))
            continue
        ents = rng.sample(names, rng.randint(3, 6))
        body = rng.choices(vocab, weights, k=words)
        for _label, name in ents:
            body.insert(rng.randrange(len(body)), name)
        body += ["on", rng.choice(WEEKDAYS), "with", f"{rng.randint(40, 9000):,}", "people"]
        title = " ".join([*rng.choices(vocab, weights, k=8), ents[0][1]])
        text = " ".join(body).capitalize() + "."
        full = f"{title}\n{text}"
        out.append((f"a{i:06d}", when, title, text, [(label, name, max(0, full.find(name))) for label, name in ents]))
    return out


def _best(repeat: int, fn: Any) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t = time.process_time()
        result = fn()
        best = min(best, time.process_time() - t)
    return best, result


def bench(n: int, words: int, es_url: str | None, repeat: int = 3) -> dict[str, Any]:
    items = make_items(n, words)
    for _, when, title, text, ents in items[: min(200, n)]:  # warm-up: imports, word-weight and stem caches
        features(title, text, ents, when, "en")

    feat_s, feats = _best(repeat, lambda: [(aid, features(title, text, ents, when, "en"))
                                           for aid, when, title, text, ents in items])  # fmt: skip
    rng = random.Random(11)
    pairs = [(feats[rng.randrange(n)][1], feats[rng.randrange(n)][1]) for _ in range(min(20_000, n * 4))]
    sim_s, _ = _best(repeat, lambda: [similarity(a, b) for a, b in pairs])
    batch_s, decisions = _best(repeat, lambda: cluster_batch(feats))
    stored_s, _ = _best(repeat, lambda: [from_stored(stored(f), f.published_at) for _, f in feats])
    sig_bytes = sum(len(json.dumps(stored(f))) for _, f in feats) / n
    report: dict[str, Any] = {
        "items": n,
        "words": words,
        "features_us_per_item": round(feat_s / n * 1e6, 1),
        "similarity_us_per_pair": round(sim_s / len(pairs) * 1e6, 2),
        "cluster_batch_us_per_item": round(batch_s / n * 1e6, 1),
        "stored_round_trip_us_per_item": round(stored_s / n * 1e6, 1),
        "event_sig_bytes_per_item": round(sig_bytes),
        "stories": len({d.story_id for d in decisions.values()}),
        "joined": sum(d.joined for d in decisions.values()),
    }
    if es_url:
        report.update(bench_es(es_url, feats[: min(n, 2000)]))
    return report


def bench_es(es_url: str, feats: list[tuple[str, EventFeatures]], run_size: int = 100) -> dict[str, Any]:
    """The ingest path against a real node: per run of `run_size`, lookup + cluster_batch + bulk index."""
    from elasticsearch import Elasticsearch

    from pipeline.index import store

    es = Elasticsearch(es_url, request_timeout=60)
    index = f"dev-cluster-bench-{uuid.uuid4().hex[:8]}"
    es.indices.create(index=index, settings={"number_of_shards": 1, "number_of_replicas": 0}, mappings={
        "dynamic": "strict",
        "properties": {"id": {"type": "keyword"}, "story_id": {"type": "keyword"},
                       "event_keys": {"type": "keyword"}, "published_at": {"type": "date"},
                       "event_sig": {"type": "object", "enabled": False}},
    })  # fmt: skip
    try:
        expected = cluster_batch(feats)
        lookup_s = assign_s = index_s = 0.0
        found = 0
        got: dict[str, str] = {}
        for start in range(0, len(feats), run_size):
            run = feats[start : start + run_size]
            t = time.perf_counter()
            cands = lookup_candidates_batch(es, index, run)
            lookup_s += time.perf_counter() - t
            found += len(cands)
            t = time.perf_counter()
            decisions = cluster_batch(run, cands)
            assign_s += time.perf_counter() - t
            got.update({aid: d.story_id for aid, d in decisions.items()})
            docs = [{"id": aid, "story_id": decisions[aid].story_id, "published_at": f.published_at.isoformat(),
                     "event_keys": retrieval_keys(f), "event_sig": stored(f)}
                    for aid, f in run if f.published_at is not None]  # fmt: skip
            t = time.perf_counter()
            store.bulk(es, store.upsert_actions(index, docs), refresh=True)
            index_s += time.perf_counter() - t
        runs = -(-len(feats) // run_size)
        return {
            "es_items": len(feats),
            "es_run_size": run_size,
            "es_lookup_ms_per_run": round(lookup_s / runs * 1e3, 1),
            "es_lookup_us_per_item": round(lookup_s / len(feats) * 1e6, 1),
            "es_candidates_per_run": round(found / runs, 1),
            "es_cluster_batch_us_per_item": round(assign_s / len(feats) * 1e6, 1),
            "es_index_ms_per_run": round(index_s / runs * 1e3, 1),
            "es_same_as_offline": got == {aid: d.story_id for aid, d in expected.items()},
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
    parser.add_argument("--es", metavar="URL", help="also time the candidate lookup against this Elasticsearch")
    args = parser.parse_args(argv)
    report = bench(args.n, args.words, args.es, max(1, args.repeat))
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        width = max(len(k) for k in report)
        for key, value in report.items():
            print(f"{key:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
