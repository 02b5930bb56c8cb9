"""Shared fixtures of the story tests: the hand-written fixture stories (tests/fixtures/cluster), their
signatures and gold labels, and a base text for the rule tests."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from pipeline.core.timeutil import parse_iso
from pipeline.stories.signature import Signature, signature

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "cluster" / "stories.jsonl"
REPO = Path(__file__).resolve().parents[2]
BASE = (
    "The foreign ministers of both countries met in the capital on Tuesday and agreed to expand trade, "
    "restart direct flights and open a new consulate in the port city before the end of the year."
)


def text_sig(text: str) -> Signature:
    """The signature of an article with no title."""
    return signature("", text)


@pytest.fixture(scope="module")
def stories() -> list[dict[str, str]]:
    rows = [json.loads(line) for line in FIXTURES.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 40
    return rows


@pytest.fixture(scope="module")
def items(stories: list[dict[str, str]]) -> list[tuple[str, datetime, Signature]]:
    out = []
    for r in stories:
        when = parse_iso(r["published"])
        assert when is not None
        out.append((r["id"], when, signature(r["title"], r["text"])))
    return out


@pytest.fixture(scope="module")
def gold(stories: list[dict[str, str]]) -> dict[str, str]:
    return {r["id"]: r["cluster"] for r in stories}
