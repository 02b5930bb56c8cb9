"""Topic detection: explainable, weighted rules read from `config/topics.yaml`.

Why rules and not a model: analysts must see *why* a story matched and be able to fix a miss by editing a
YAML file. Every topic is a set of weighted term groups, proximity ("near") rules, false friends (phrases whose
words must not count, e.g. "Burma Railway") and list rules (a country named only inside a list of countries does
not count). A topic matches when its score reaches the threshold, enough distinct signals fired and at least one
anchor group fired. Every point of the score is backed by an `Evidence` with character offsets.

Matching works on word tokens, so spelling noise is absorbed once for all terms: case (except for words written
in capitals in the config, e.g. `NUG`, `PDF`), curly vs straight apostrophes, possessive `'s`, and the
separator between the words of a phrase (space, hyphen, dash: "Nay Pyi Taw" = "Nay-Pyi-Taw"). A token ending in
`*` matches by prefix (`repatriat*`). All terms of all topics sit in one word trie, so the cost per item is one
tokenisation plus a dictionary look-up per word, whatever the number of terms; topics whose anchors cannot fire
are not scored at all by `detect`.

This module owns the `Detector` facade; the rules are in `rules.py`, matching in `matcher.py`, scoring in
`scoring.py`. An item may name its language (ISO 639-1): its list separators and sentence breaks are then used
(English for an unknown or missing code).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pipeline.core.records import TopicMatch
from pipeline.detect.matcher import scan
from pipeline.detect.rules import TopicRules, load_topic_rules
from pipeline.detect.scoring import TopicScore, may_pass, score_topic
from pipeline.detect.words import TextField
from pipeline.lang import for_language

__all__ = ["Detector", "TopicScore", "load_topic_rules", "topic_names"]


class Detector:
    """Scores title + text against every topic of a `TopicRules`."""

    def __init__(self, rules: TopicRules):
        self.rules = rules

    @classmethod
    def from_config(cls, path: Path | str | None = None) -> Detector:
        return cls(load_topic_rules(path))

    @property
    def topics(self) -> tuple[str, ...]:
        return self.rules.names

    def _scores(self, title: str, text: str, candidates_only: bool, lang: str | None) -> list[TopicScore]:
        data = for_language(lang)
        fields = {"title": TextField("title", title or ""), "text": TextField("text", text or "")}
        per_field = {name: scan(self.rules, fld, data.clitic_prefixes) for name, fld in fields.items()}
        out = []
        for ti, topic in enumerate(self.rules.topics):
            raw = {name: per_field[name][ti] for name in fields}
            if candidates_only and not may_pass(topic.spec, raw):
                continue
            out.append(score_topic(topic, fields, raw, data))
        return out

    def explain_scores(self, title: str, text: str, lang: str | None = None) -> list[TopicScore]:
        """Full diagnostics for every topic, in config order."""
        return self._scores(title, text, candidates_only=False, lang=lang)

    def detect(self, title: str, text: str, lang: str | None = None) -> list[TopicMatch]:
        """Topics the item is about (passed threshold, signals and anchors), in config order."""
        return [s.match for s in self._scores(title, text, candidates_only=True, lang=lang) if s.passed]

    def score_all(self, title: str, text: str, lang: str | None = None) -> dict[str, TopicMatch]:
        """Every topic with its score and evidence, even below threshold (for debugging and `explain`)."""
        return {s.match.name: s.match for s in self.explain_scores(title, text, lang)}

    def explain(self, title: str, text: str, lang: str | None = None) -> str:
        """A human-readable report: per topic, verdict, score vs threshold, reasons and each piece of evidence."""
        lines = []
        for s in self.explain_scores(title, text, lang):
            verdict = "MATCH" if s.passed else "no match"
            lines.append(
                f"{s.match.name}: {verdict} (score {s.match.score:.2f}, threshold {s.threshold:g}, "
                f"{s.signals} signal(s))"
            )
            lines.extend(f"  - {r}" for r in s.reasons)
            for ev in s.match.evidence:
                suffix = "  [ignored: false friend / list]" if ev.weight == 0 else ""
                lines.append(f"    {ev.describe()}{suffix}")
        return "\n".join(lines)


def topic_names(matches: Sequence[TopicMatch]) -> set[str]:
    """The names of a list of matches (what evaluation compares with gold labels)."""
    return {m.name for m in matches}
