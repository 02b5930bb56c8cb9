"""Story-grouping quality: pairwise precision/recall/F1 against same-event clusters, and the share of listed
"different event" pairs kept apart (pure; the CLI reads the files).

The gold file (`duplicates.jsonl` format) has lines `{"cluster": name, "ids": [...]}` (reports of one event) and
`{"not_duplicate": [id, id]}` (hard pairs that are different events). Only those pairs are scored: items outside
listed clusters are not asserted to be unique. A predicted same-story pair of two clustered items from different
clusters is a false positive.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pipeline.core import metrics

__all__ = ["ClusterGold", "ClusterScore", "pairwise_scores", "parse_cluster_gold", "score_clusters"]


def pairwise_scores(gold: Mapping[str, str], pred: Mapping[str, str]) -> tuple[float, float]:
    """Pairwise precision and recall of a clustering: over all pairs of ids present in both mappings, a pair is
    positive when both items share a label. No predicted (gold) pairs -> precision (recall) 1.0."""
    ids = sorted(set(gold) & set(pred))
    tp = fp = fn = 0
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            same_gold = gold[a] == gold[b]
            same_pred = pred[a] == pred[b]
            tp += same_gold and same_pred
            fp += same_pred and not same_gold
            fn += same_gold and not same_pred
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall


@dataclass(frozen=True)
class ClusterGold:
    """Gold same-event clusters (id -> cluster name) and "different event" pairs."""

    clusters: dict[str, str]
    apart: tuple[tuple[str, str], ...] = ()


def parse_cluster_gold(lines: Iterable[str], source: str = "<clusters>") -> ClusterGold:
    """Read the gold file's lines; `ValueError` naming `source:line` on a malformed one."""
    clusters: dict[str, str] = {}
    apart: list[tuple[str, str]] = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{source}:{n}: invalid JSON: {exc.msg}") from None
        if isinstance(obj, dict) and isinstance(obj.get("ids"), list):
            for i in obj["ids"]:
                clusters[str(i)] = str(obj.get("cluster") or f"line{n}")
        elif isinstance(obj, dict) and isinstance(obj.get("not_duplicate"), list) and len(obj["not_duplicate"]) == 2:
            a, b = (str(x) for x in obj["not_duplicate"])
            apart.append((min(a, b), max(a, b)))
        else:
            raise ValueError(f"{source}:{n}: expected {{'cluster', 'ids'}} or {{'not_duplicate': [id, id]}}")
    return ClusterGold(clusters, tuple(apart))


@dataclass
class ClusterScore:
    """Pairwise scores of one grouping, and the pairs it got wrong (with the signals that decided, if given)."""

    tp: int
    fp: int
    fn: int
    apart_kept: int
    apart_total: int
    errors: list[dict[str, Any]] = field(default_factory=list)
    # per language (pairs with an item in that language) and per pair kind ("same language", "cross-language"):
    # {"tp", "fp", "fn"}; empty when the items' languages are not given
    per_language: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def precision(self) -> float:
        return metrics.precision(self.tp, self.fp)

    @property
    def recall(self) -> float:
        return metrics.recall(self.tp, self.fn)

    @property
    def f1(self) -> float:
        return metrics.f1(self.precision, self.recall)

    @property
    def apart_share(self) -> float:
        return self.apart_kept / self.apart_total if self.apart_total else 1.0

    def to_dict(self) -> dict[str, Any]:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "tp": self.tp, "fp": self.fp, "fn": self.fn, "apart_kept": self.apart_kept,
                "apart_total": self.apart_total, "apart_share": round(self.apart_share, 4),
                "per_language": {k: {**c, **_prf(c)} for k, c in self.per_language.items()},
                "errors": self.errors}  # fmt: skip

    def format_table(self) -> str:
        lines = [f"pairs  precision {self.precision:.3f}  recall {self.recall:.3f}  F1 {self.f1:.3f}  "
                 f"(tp {self.tp}, fp {self.fp}, fn {self.fn})",
                 f"different-event pairs kept apart: {self.apart_kept}/{self.apart_total} ({self.apart_share:.1%})"]
        if self.per_language:
            lines.append("per language (pairs with an item in it; P / R / F1, tp/fp/fn):")
            for key, c in self.per_language.items():
                r = _prf(c)
                lines.append(f"  {key:<15} {r['precision']:.3f} {r['recall']:.3f} {r['f1']:.3f}"
                             f"  ({c['tp']}/{c['fp']}/{c['fn']})")
        return "\n".join(lines)  # fmt: skip


def _prf(c: Mapping[str, int]) -> dict[str, float]:
    p, r = metrics.precision(c["tp"], c["fp"]), metrics.recall(c["tp"], c["fn"])
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(metrics.f1(p, r), 4)}


def score_clusters(gold: ClusterGold, pred: Mapping[str, str],
                   explain: Callable[[str, str], dict[str, Any]] | None = None,
                   langs: Mapping[str, str] | None = None) -> ClusterScore:  # fmt: skip
    """Score predicted story ids (id -> story_id) against `gold`; ids missing from `pred` count as singletons.

    `explain(a, b)`, when given, adds the deciding signals of each wrong pair to `errors` (missed same-event
    pairs: kind `split`; different events grouped: `merged`; clustered items of different clusters: `false-join`).
    `langs` (id -> language code), when given, also counts the pairs per language and per pair kind (same
    language or cross-language) in `per_language`.
    """
    per: dict[str, dict[str, int]] = {}

    def count(kind: str, a: str, b: str) -> None:
        if langs is None:
            return
        la, lb = langs.get(a) or "?", langs.get(b) or "?"
        for key in dict.fromkeys((la, lb, "same language" if la == lb else "cross-language")):
            per.setdefault(key, {"tp": 0, "fp": 0, "fn": 0})[kind] += 1

    story = {i: pred.get(i, f"\x00{i}") for i in set(gold.clusters) | {x for p in gold.apart for x in p}}
    tp = fp = fn = 0
    errors: list[dict[str, Any]] = []

    def err(kind: str, a: str, b: str) -> None:
        row: dict[str, Any] = {"kind": kind, "a": a, "b": b}
        if explain is not None:
            row.update(explain(a, b))
        errors.append(row)

    for a, b in itertools.combinations(sorted(gold.clusters), 2):
        same_gold = gold.clusters[a] == gold.clusters[b]
        same_pred = story[a] == story[b]
        if same_gold and same_pred:
            tp += 1
            count("tp", a, b)
        elif same_gold:
            fn += 1
            count("fn", a, b)
            err("split", a, b)
        elif same_pred:
            fp += 1
            count("fp", a, b)
            err("false-join", a, b)
    kept = 0
    for a, b in gold.apart:
        if story[a] != story[b]:
            kept += 1
        else:
            err("merged", a, b)
    order = sorted(per, key=lambda k: (k in ("same language", "cross-language"), -sum(per[k].values()), k))
    return ClusterScore(tp, fp, fn, kept, len(gold.apart), errors, {k: per[k] for k in order})
