"""Benchmark entity extraction: words/s of the full en_core_web_sm pipeline vs the NER-only trimmed one,
a check that both find the same entities, and the end-to-end EntityExtractor (rulers + normalisation).

Text is generated here from templates plus the hand-written gold texts (no publisher text).
Usage: python benchmarks/bench_extract.py [--docs 400] [--batch-size 64] [--n-process 1] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.entities.extractor import EntityExtractor  # noqa: E402
from pipeline.entities.nlp import load_base_model  # noqa: E402

PEOPLE = [
    "Sergei Lavrov",
    "Min Aung Hlaing",
    "Aung San Suu Kyi",
    "Maria Zakharova",
    "Anwar Ibrahim",
    "Hun Manet",
    "Prabowo Subianto",
    "Dmitry Peskov",
    "Zin Mar Aung",
    "Kao Kim Hourn",
    "Helen Crane",
    "Tomas Lindqvist",
    "Priya Raman",
    "Oleg Sidorenko",
]
PLACES = [
    "Naypyidaw",
    "Yangon",
    "Moscow",
    "Jakarta",
    "Bangkok",
    "Mandalay",
    "Sagaing",
    "Vientiane",
    "Hanoi",
    "Manila",
    "Rakhine",
    "Kuala Lumpur",
    "Geneva",
    "Dhaka",
]
ORGS = [
    "ASEAN",
    "the United Nations",
    "the Arakan Army",
    "the National Unity Government",
    "the Kremlin",
    "the World Food Programme",
    "the Kachin Independence Army",
    "the European Union",
    "Nordvik Shipping",
    "the Red Cross",
]
TEMPLATES = [
    "{p} met officials from {o} in {g} on {d}, according to a statement.",
    "Speaking in {g}, {p} said {o} would send a delegation next month.",
    "{o} said fighting near {g} had displaced about {n} people since {d}.",
    "A spokesperson for {o} told reporters in {g} that talks with {p} were constructive.",
    "Trade between {g} and {g2} rose {n} percent last year, {p} said.",
    "Officials in {g} expect {p} to attend the meeting organised by {o}.",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def generate(n_docs: int, seed: int = 7) -> list[str]:
    """Deterministic news-like texts of 4-9 sentences each, mixed with the gold fixture texts."""
    rng = random.Random(seed)
    gold = ROOT / "tests" / "fixtures" / "entities" / "gold.jsonl"
    gold_texts = [json.loads(line)["text"] for line in gold.read_text(encoding="utf-8").splitlines() if line]
    docs = []
    for i in range(n_docs):
        if i % 4 == 0:
            docs.append(gold_texts[(i // 4) % len(gold_texts)])
            continue
        sentences = [
            rng.choice(TEMPLATES).format(
                p=rng.choice(PEOPLE),
                g=rng.choice(PLACES),
                g2=rng.choice(PLACES),
                o=rng.choice(ORGS),
                d=rng.choice(DAYS),
                n=rng.randint(2, 90000),
            )
            for _ in range(rng.randint(4, 9))
        ]
        docs.append("Headline about the region\n\n" + " ".join(sentences))
    return docs


def _rate(fn, texts: list[str], repeat: int) -> float:
    words = sum(len(t.split()) for t in texts)
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(texts)
        best = min(best, time.perf_counter() - t0)
    return words / best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=400)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--n-process", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    texts = generate(args.docs)
    full, trimmed = load_base_model(trimmed=False), load_base_model(trimmed=True)
    full.pipe(texts[:8])  # warm up
    list(trimmed.pipe(texts[:8]))

    def ents(nlp):
        return [[(e.start_char, e.end_char, e.label_) for e in d.ents] for d in nlp.pipe(texts, batch_size=64)]

    a, b = ents(full), ents(trimmed)
    differing = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]

    def run(nlp):
        return lambda ts: list(nlp.pipe(ts, batch_size=args.batch_size, n_process=args.n_process))

    extractor = EntityExtractor(batch_size=args.batch_size, n_process=args.n_process)
    result = {
        "docs": len(texts),
        "words": sum(len(t.split()) for t in texts),
        "batch_size": args.batch_size,
        "n_process": args.n_process,
        "full_pipeline": full.pipe_names,
        "trimmed_pipeline": trimmed.pipe_names,
        "words_per_s_full": round(_rate(run(full), texts, args.repeat)),
        "words_per_s_trimmed": round(_rate(run(trimmed), texts, args.repeat)),
        "words_per_s_extractor": round(_rate(extractor.extract_many, texts, args.repeat)),
        "entities_full": sum(map(len, a)),
        "entities_trimmed": sum(map(len, b)),
        "docs_with_different_entities": len(differing),
    }
    result["speedup"] = round(result["words_per_s_trimmed"] / result["words_per_s_full"], 2)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key:>30}: {value}")
    return 0 if not differing else 1


if __name__ == "__main__":
    raise SystemExit(main())
