"""Pairwise precision and recall of a clustering."""

from __future__ import annotations

import pytest

from pipeline.stories.evaluate import pairwise_scores


def test_pairwise_scores_counts_pairs() -> None:
    gold = {"a": "x", "b": "x", "c": "x", "d": "y"}
    # predicted: {a,b} together, c alone, d joined with c -> 1 TP (a-b), 1 FP (c-d), 2 FN (a-c, b-c)
    pred = {"a": "1", "b": "1", "c": "2", "d": "2"}
    precision, recall = pairwise_scores(gold, pred)
    assert precision == pytest.approx(0.5)
    assert recall == pytest.approx(1 / 3)
    assert pairwise_scores(gold, gold) == (1.0, 1.0)
    assert pairwise_scores({"a": "x", "b": "y"}, {"a": "1", "b": "2"}) == (1.0, 1.0)
