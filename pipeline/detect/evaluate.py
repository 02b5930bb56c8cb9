"""Evaluation of topic detection against hand labels: per-topic confusion counts, precision, recall, F1.

Pure functions over label sets, plus `read_labelled`/`evaluate_file` at the edge for `newsmon eval`.
Conventions for empty denominators: precision is 1.0 when nothing was predicted, recall is 1.0 when nothing
was expected (no mistake was made), F1 is 0.0 when precision + recall is 0.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pipeline.core import metrics
from pipeline.core.config import ConfigError


@dataclass(frozen=True, slots=True)
class TopicScores:
    """Confusion counts and the derived scores for one topic (or the micro average)."""

    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def support(self) -> int:
        return self.tp + self.fn

    @property
    def precision(self) -> float:
        return metrics.precision(self.tp, self.fp)

    @property
    def recall(self) -> float:
        return metrics.recall(self.tp, self.fn)

    @property
    def f1(self) -> float:
        return metrics.f1(self.precision, self.recall)

    def to_dict(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "tn": self.tn,
            "support": self.support,
        }


@dataclass(frozen=True, slots=True)
class EvalReport:
    """Per-topic scores (in the order given) and their micro average over `items` items."""

    topics: dict[str, TopicScores]
    micro: TopicScores
    items: int

    def to_dict(self) -> dict[str, Any]:
        """Stable JSON shape: {"topics": {name: {...}}, "micro": {...}, "items": N}."""
        return {
            "topics": {name: s.to_dict() for name, s in self.topics.items()},
            "micro": self.micro.to_dict(),
            "items": self.items,
        }

    def format_table(self) -> str:
        """A fixed-width table for terminals and reports."""
        names = [*self.topics, "micro"]
        width = max(len(n) for n in names)
        head = (
            f"{'topic':<{width}}  {'prec':>6} {'recall':>6} {'f1':>6}  "
            f"{'tp':>4} {'fp':>4} {'fn':>4} {'tn':>4} {'supp':>4}"
        )
        lines = [head, "-" * len(head)]
        rows = [*self.topics.items(), ("micro", self.micro)]
        for i, (name, s) in enumerate(rows):
            if i == len(rows) - 1:
                lines.append("-" * len(head))
            lines.append(
                f"{name:<{width}}  {s.precision:>6.3f} {s.recall:>6.3f} {s.f1:>6.3f}  "
                f"{s.tp:>4} {s.fp:>4} {s.fn:>4} {s.tn:>4} {s.support:>4}"
            )
        lines.append(f"items: {self.items}")
        return "\n".join(lines)


def evaluate(gold: Sequence[set[str]], predicted: Sequence[set[str]], topics: Sequence[str]) -> EvalReport:
    """Compare gold and predicted label sets item by item, for each topic in `topics`."""
    if len(gold) != len(predicted):
        raise ValueError(f"gold has {len(gold)} items but predicted has {len(predicted)}")
    per: dict[str, TopicScores] = {}
    for topic in topics:
        tp = fp = fn = tn = 0
        for g, p in zip(gold, predicted, strict=True):
            in_g, in_p = topic in g, topic in p
            if in_g and in_p:
                tp += 1
            elif in_p:
                fp += 1
            elif in_g:
                fn += 1
            else:
                tn += 1
        per[topic] = TopicScores(tp, fp, fn, tn)
    micro = TopicScores(
        sum(s.tp for s in per.values()),
        sum(s.fp for s in per.values()),
        sum(s.fn for s in per.values()),
        sum(s.tn for s in per.values()),
    )
    return EvalReport(per, micro, len(gold))


def errors(
    ids: Sequence[str], gold: Sequence[set[str]], predicted: Sequence[set[str]]
) -> list[tuple[str, str, Literal["fp", "fn"]]]:
    """Every remaining mistake as (id, topic, "fp"|"fn"), in item order then topic name."""
    out: list[tuple[str, str, Literal["fp", "fn"]]] = []
    for item_id, g, p in zip(ids, gold, predicted, strict=True):
        for topic in sorted(g | p):
            if topic in p and topic not in g:
                out.append((item_id, topic, "fp"))
            elif topic in g and topic not in p:
                out.append((item_id, topic, "fn"))
    return out


@dataclass(frozen=True, slots=True)
class LabelledItem:
    """One line of a labelled JSONL file."""

    id: str
    title: str
    text: str
    labels: frozenset[str]


def read_labelled(path: Path | str, topics: Sequence[str] | None = None) -> list[LabelledItem]:
    """Read JSON Lines with "id", "title", "text", "labels"; blank lines skipped.

    Raises `ConfigError` naming the file and line for malformed lines or labels outside `topics`.
    """
    p = Path(path)
    try:
        raw_lines = p.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(p, [f"cannot read: {exc.strerror or exc}"]) from None
    items: list[LabelledItem] = []
    problems: list[str] = []
    for lineno, line in enumerate(raw_lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"line {lineno}: invalid JSON: {exc.msg}")
            continue
        if not isinstance(obj, dict):
            problems.append(f"line {lineno}: expected a JSON object")
            continue
        labels = obj.get("labels")
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            problems.append(f"line {lineno}: labels: expected a list of topic names")
            continue
        unknown = sorted(set(labels) - set(topics)) if topics is not None else []
        if unknown:
            problems.append(f"line {lineno}: labels: unknown topic(s) {', '.join(unknown)}")
            continue
        items.append(
            LabelledItem(
                id=str(obj.get("id", f"line{lineno}")),
                title=str(obj.get("title") or ""),
                text=str(obj.get("text") or ""),
                labels=frozenset(labels),
            )
        )
    if problems:
        raise ConfigError(p, problems)
    return items


@dataclass(frozen=True, slots=True)
class FileEvaluation:
    """What `newsmon eval` prints: the report plus the remaining mistakes."""

    report: EvalReport
    mistakes: list[tuple[str, str, Literal["fp", "fn"]]]

    def to_dict(self) -> dict[str, Any]:
        out = self.report.to_dict()
        out["errors"] = [{"id": i, "topic": t, "kind": k} for i, t, k in self.mistakes]
        return out

    def format(self) -> str:
        lines = [self.report.format_table()]
        if self.mistakes:
            lines.append("errors:")
            lines.extend(f"  {i}  {t}  {k}" for i, t, k in self.mistakes)
        return "\n".join(lines)


def evaluate_file(path: Path | str, detector: Any = None) -> FileEvaluation:
    """Run the detector (default: from config/topics.yaml) over a labelled JSONL file and score it."""
    if detector is None:
        from pipeline.detect.detector import Detector

        detector = Detector.from_config()
    topics = list(detector.topics)
    items = read_labelled(path, topics)
    gold = [set(it.labels) for it in items]
    predicted = [{m.name for m in detector.detect(it.title, it.text)} for it in items]
    ids = [it.id for it in items]
    return FileEvaluation(evaluate(gold, predicted, topics), errors(ids, gold, predicted))
