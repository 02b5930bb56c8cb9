"""`newsmon bench`: the synthetic corpus is realistic enough to exercise every stage, and a small run against the
real Elasticsearch reports every figure the issue asks for, consistent with what was indexed and alerted."""

from __future__ import annotations

import random
import statistics

from elasticsearch import Elasticsearch

from pipeline.detect.detector import Detector
from pipeline.devtools import bench, synth
from pipeline.jobs.stages import INGEST_STAGES

REQUIRED = {"items", "items_per_second", "naive_items_per_second", "speedup", "index_to_alert_p50_s",
            "index_to_alert_p95_s", "peak_rss_mb", "stages"}


def test_generator_lengths_topical_share_and_determinism() -> None:
    items = synth.generate(2000, 0.2, seed=11)
    words = [len(it["text"].split()) for it in items]
    assert 120 <= statistics.median(words) <= 180
    assert len({it["link"] for it in items}) == 2000
    detector = Detector.from_config()
    topical = sum(bool(detector.detect(it["title"], it["text"])) for it in items)
    assert 0.15 <= topical / 2000 <= 0.25
    assert synth.generate(50, 0.2, seed=11) == items[:50]  # the naive sample is the corpus's first items
    # most filler sentences name something (capitalised words mid-sentence), as in real news
    sentence = synth._sentence(random.Random(5), 15)
    assert sentence[0].isupper() and sentence.endswith(".")


def test_small_bench_run_reports_consistent_figures(es: Elasticsearch) -> None:
    before = set(es.indices.get(index="bench-*", allow_no_indices=True))
    r = bench.run_bench(items=300, feeds=3, topical_rate=0.3, naive_items=20, progress=False, cpu_workers=1,
                        warmup_items=40)
    assert set(r) >= REQUIRED
    assert r["items"] == 300 and r["naive_items"] == 20 and r["warmup_items"] == 40
    assert set(r["stages"]) == {"fetch", "parse", *(s.name for s in INGEST_STAGES)}
    assert all(v >= 0 for v in r["stages"].values()) and r["stages"]["extract"] > 0
    counts = r["counts"]
    assert counts["indexed"] + counts["archived"] == 300 and counts["fetched"] == 3
    assert 60 <= counts["indexed"] <= 120
    # one alert per story, each with a measured latency
    assert 0 < r["alerts_delivered"] <= counts["indexed"]
    assert r["webhook_posts"] == r["alerts_delivered"]  # per-story rule: one POST per story
    assert 0 <= r["index_to_alert_p50_s"] <= r["index_to_alert_p95_s"] < 60
    assert r["items_per_second"] > 0 and r["naive_items_per_second"] > 0
    assert r["speedup"] == round(r["items_per_second"] / r["naive_items_per_second"], 1)
    assert r["peak_rss_mb"] >= r["peak_rss_main_mb"] > 50
    assert r["cpu_seconds"]["main"] > 0 and r["cpu_seconds"]["alert_thread"] > 0
    # Elasticsearch's own time per index: the archive and the articles index were written
    assert r["es_time_ms"]["items"]["index"] > 0 and r["es_time_ms"]["articles-000001"]["index"] > 0
    assert r["es_store"]["items"]["docs"] > 0 and r["es_store"]["items"]["primary_bytes"] > 0
    assert "items/s" in bench.render(r) and "language mix" not in bench.render(r)
    assert r["langs"] is None  # the English-only default
    # the run's own indices (and the warm-up's) are gone afterwards
    assert set(es.indices.get(index="bench-*", allow_no_indices=True)) <= before


def test_small_mixed_language_run_reports_each_language(es: Elasticsearch) -> None:
    mix = synth.parse_langs("en=0.4,ru=0.3,zh=0.3")
    r = bench.run_bench(items=240, feeds=3, topical_rate=0.4, naive_items=10, progress=False, cpu_workers=1,
                        warmup_items=0, langs=mix)
    langs = r["langs"]
    assert langs["mix"] == {"en": 0.4, "ru": 0.3, "zh": 0.3}
    per = langs["per_language"]
    assert sum(v["items"] for v in per.values()) == 240 == r["counts"]["indexed"] + r["counts"]["archived"]
    for code in ("ru", "zh"):  # every item of the Russian and Chinese feeds is identified as such
        assert per[code]["identified"] == per[code]["items"] > 40
    assert sum(v["indexed"] for v in per.values()) == r["counts"]["indexed"]
    for code in ("en", "ru", "zh"):  # ~40 % topical in every language
        assert 0.2 * per[code]["items"] <= per[code]["indexed"] <= 0.6 * per[code]["items"], (code, per)
    text = bench.render(r)
    assert "language mix: en=0.4,ru=0.3,zh=0.3" in text and f"ru {per['ru']['items']}/" in text
