"""Precision, recall and F1 from counts: the one definition every evaluation uses (topics, entities, stories).

An empty denominator scores 1.0 for precision and recall (nothing predicted / nothing to find) and 0.0 for F1.
"""

from __future__ import annotations


def precision(tp: int, fp: int) -> float:
    return tp / (tp + fp) if tp + fp else 1.0


def recall(tp: int, fn: int) -> float:
    return tp / (tp + fn) if tp + fn else 1.0


def f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0
