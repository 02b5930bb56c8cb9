"""The one precision/recall/F1 definition (topics, entities and stories use it)."""

from __future__ import annotations

import pytest

from pipeline.core import metrics


def test_counts_to_scores() -> None:
    p, r = metrics.precision(3, 1), metrics.recall(3, 3)
    assert (p, r) == (0.75, 0.5)
    assert metrics.f1(p, r) == pytest.approx(0.6)


def test_empty_denominators() -> None:
    assert metrics.precision(0, 0) == 1.0 and metrics.recall(0, 0) == 1.0
    assert metrics.f1(0.0, 0.0) == 0.0
