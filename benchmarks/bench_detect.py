"""Throughput of topic detection on synthetic 150-word news items (one core, one process).

Usage: python benchmarks/bench_detect.py [--items N] [--words W] [--seed S] [--rules PATH] [--json]

Items are generated here (no publisher text): about a third carry topic vocabulary (Myanmar, ASEAN, Russian
diplomacy, in varying density and position), the rest are generic news filler with some false friends, so the
measured path includes term hits, near rules, masks and lists. Prints items/s (the figure the design requires
to be >= 2,000 items/s for 150-word items).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.detect.detector import Detector

FILLER = (
    "the of and to in a said on for that with by from at as was officials government week year new people "
    "report city market company police minister president country region local news statement told reporters "
    "plan support people could would more than after before during since while percent million billion "
    "economy prices growth data quarter shares investors rate bank sales analysts expect forecast rise fall"
).split()

TOPIC_PHRASES = {
    "myanmar": [
        "Myanmar's junta",
        "the military government in Naypyidaw",
        "Min Aung Hlaing",
        "the Arakan Army in Rakhine state",
        "People's Defence Force fighters in Sagaing",
        "Aung San Suu Kyi",
        "Rohingya repatriation",
        "Yangon",
        "the National Unity Government",
        "conscription law",
    ],
    "asean": [
        "ASEAN foreign ministers",
        "the ASEAN summit",
        "the five-point consensus",
        "ASEAN chair Malaysia",
        "the Southeast Asian bloc",
        "ASEAN-China trade",
        "the East Asia Summit",
        "Asean member states",
    ],
    "russian_diplomacy": [
        "Russian Foreign Minister Sergei Lavrov held talks",
        "Maria Zakharova told a briefing",
        "the Kremlin said Putin held talks with",
        "Russia's ambassador to the UN",
        "the UN Security Council veto by Russia",
        "a visit to Moscow",
        "BRICS leaders",
        "Peskov said the summit",
    ],
    "noise": [
        "Burmese python",
        "the Burma Railway",
        "ASEAN Mitsubishi Electric Cup",
        "Russian central bank key rate",
        "Russian troops shelling",
        "Brunei, Cambodia, Indonesia, Laos and Myanmar",
        "a fire in a refugee camp in Cox's Bazar",
        "Olympic athletes",
    ],
}


def make_item(rng: random.Random, words: int) -> tuple[str, str]:
    """One synthetic (title, text): filler words with 0-6 topic/noise phrases spliced in."""
    kind = rng.choice(["myanmar", "asean", "russian_diplomacy", "noise", "plain", "plain", "plain"])
    body = [rng.choice(FILLER) for _ in range(words)]
    n_phrases = 0 if kind == "plain" else rng.randint(1, 6)
    for _ in range(n_phrases):
        pool = TOPIC_PHRASES[kind if rng.random() < 0.8 else "noise"]
        phrase = rng.choice(pool)
        pos = rng.randrange(len(body))
        body[pos] = phrase
    sentences = []
    for i in range(0, len(body), 15):
        chunk = " ".join(body[i : i + 15])
        sentences.append(chunk[:1].upper() + chunk[1:] + ".")
    text = " ".join(sentences)
    title_words = [rng.choice(FILLER) for _ in range(8)]
    if kind != "plain" and rng.random() < 0.5:
        title_words.insert(rng.randrange(8), rng.choice(TOPIC_PHRASES[kind]))
    return " ".join(title_words).capitalize(), text


def run(items: int, words: int, seed: int, rules: str | None) -> dict[str, float | int]:
    detector = Detector.from_config(rules)
    rng = random.Random(seed)
    data = [make_item(rng, words) for _ in range(items)]
    for title, text in data[: min(200, items)]:  # warm-up
        detector.detect(title, text)
    matched = 0
    start, cpu_start = time.perf_counter(), time.process_time()
    for title, text in data:
        matched += bool(detector.detect(title, text))
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    return {
        "items": items,
        "words_per_item": words,
        "seconds": round(elapsed, 4),
        "cpu_seconds": round(cpu, 4),
        "items_per_s": round(items / elapsed, 1) if elapsed else float("inf"),
        # CPU time of this process: the one-core figure, less disturbed by other load on the machine
        "items_per_cpu_s": round(items / cpu, 1) if cpu else float("inf"),
        "us_per_item": round(elapsed / items * 1e6, 1),
        "matched_items": matched,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=5000)
    ap.add_argument("--words", type=int, default=150)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--rules", default=None, help="topics.yaml to use (default: config/topics.yaml)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)
    result = run(args.items, args.words, args.seed, args.rules)
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"detect: {result['items']} items x {result['words_per_item']} words in {result['seconds']} s "
            f"-> {result['items_per_s']} items/s wall, {result['items_per_cpu_s']} items/s CPU "
            f"({result['us_per_item']} us/item, {result['matched_items']} matched)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
