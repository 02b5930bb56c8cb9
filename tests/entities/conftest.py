"""Shared fixtures and helpers of the entity tests (one extractor per session: the spaCy pipeline is cached)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.core.records import Entity
from pipeline.entities.extractor import EntityExtractor

GOLD = Path(__file__).resolve().parent.parent / "fixtures" / "entities" / "gold.jsonl"


@pytest.fixture(scope="session")
def extractor() -> EntityExtractor:
    return EntityExtractor()


def canon(ents: list[Entity], label: str | None = None) -> set[str]:
    """Canonical names of `ents` (of one label if given)."""
    return {e.canonical for e in ents if label is None or e.label == label}


def by_text(ents: list[Entity]) -> dict[str, Entity]:
    return {e.text: e for e in ents}


def gold_texts() -> list[str]:
    """The texts of the gold file, in file order."""
    return [json.loads(line)["text"] for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
