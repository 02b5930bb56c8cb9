"""The shared vocabulary: entity labels and facet keys (defined once), topic names (read from topics.yaml).

The mapping's `topic_scores` properties, the Kibana assets and the alert rules' topic check all take topic
names from here, so adding a topic to `config/topics.yaml` is one edit.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pipeline.core.config import ConfigError, config_path, load_yaml

# spaCy label -> facet key under `entities.*` in the index (FAC folds into LOC at extraction).
ENTITY_LABELS: tuple[str, ...] = ("PERSON", "ORG", "GPE", "LOC", "NORP", "EVENT")
FACET_KEYS: tuple[str, ...] = tuple(label.lower() for label in ENTITY_LABELS)


@cache
def _topics(path: str) -> tuple[tuple[str, str], ...]:
    data = load_yaml(Path(path))
    topics = data.get("topics") if isinstance(data, dict) else None
    if not isinstance(topics, dict) or not topics:
        raise ConfigError(path, ["topics: must be a non-empty mapping of topic name -> rules"])
    out = []
    for name, spec in topics.items():
        label = spec.get("label") if isinstance(spec, dict) else None
        out.append((str(name), str(label) if label else str(name).replace("_", " ").capitalize()))
    return tuple(out)


def topic_names(path: str | Path | None = None) -> tuple[str, ...]:
    """Topic names in `topics.yaml` order (the default file unless `path` is given)."""
    return tuple(name for name, _ in _topics(str(path or config_path("topics.yaml"))))


def topic_labels(path: str | Path | None = None) -> dict[str, str]:
    """Topic name -> display label (`label:` in topics.yaml, else the name in words)."""
    return dict(_topics(str(path or config_path("topics.yaml"))))
