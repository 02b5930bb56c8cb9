"""Shared fixtures and helpers of the topic-detection tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.detect.detector import Detector

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "topics" / "labelled.jsonl"

# One detector for module-level use (hypothesis tests cannot take function-scoped fixtures).
SHARED = Detector.from_config()

MINI = """
version: 1
scoring: {title_factor: 3, lead_factor: 1, lead_words: 0, repeat_decay: 0.5, max_hits: 4}
topics:
  t:
    threshold: 5
    groups:
      core: {weight: 2, terms: [widget]}
"""


@pytest.fixture(scope="module")
def det() -> Detector:
    return Detector.from_config()


def names(det: Detector, title: str, text: str) -> list[str]:
    """Names of the topics `det` detects in one item."""
    return [m.name for m in det.detect(title, text)]


def write_rules(tmp_path: Path, body: str) -> Path:
    """Write a topics.yaml under `tmp_path` and return its path."""
    p = tmp_path / "topics.yaml"
    p.write_text(body, encoding="utf-8")
    return p
