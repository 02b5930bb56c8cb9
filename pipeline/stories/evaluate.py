"""Clustering quality: pairwise precision and recall of predicted story ids against gold labels (pure)."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["pairwise_scores"]


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
