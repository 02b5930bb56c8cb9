"""Topic rules: the `config/topics.yaml` models, their validation, and compilation into one word trie.

Owns what a rule file may say (pydantic models, unknown keys rejected, regexes and terms checked at load so a bad
file fails with the key path at fault) and `compile_rules`, which puts every term of every topic into the shared
`TrieNode` trie of `matcher.py` and each topic's regexes into one pattern.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, ConfigDict, Field, model_validator

from pipeline.core.config import ConfigError, StrictModel, config_path, load_yaml, parse_model
from pipeline.detect.words import GROUP, LIST, MASK, TERM_TOKEN_RE, TrieNode, norm_token
from pipeline.lang.scripts import unspaced

_ID_RE = r"^[a-z][a-z0-9_]*$"


def _check_regex(pattern: str) -> str:
    """Compile a user regex the way the detector will use it; reject what would break the combined pattern."""
    if not pattern.strip():
        raise ValueError("empty regex")
    try:
        compiled = re.compile(f"(?:{pattern})", re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"invalid regex {pattern!r}: {exc}") from None
    if compiled.groups:
        raise ValueError(f"regex {pattern!r} has a capturing group: write (?:...) instead of (...)")
    if compiled.fullmatch(""):
        raise ValueError(f"regex {pattern!r} matches the empty string")
    return pattern


def _check_term(term: str) -> str:
    """A term is one or more words; `*` only at the end of a word, after at least 3 characters."""
    tokens = TERM_TOKEN_RE.findall(term)
    if not tokens:
        raise ValueError(f"term {term!r} has no word in it")
    if unspaced(term):
        if "*" in term:
            raise ValueError(f"term {term!r}: '*' is not needed in Chinese/Japanese/Thai/Burmese terms (substrings)")
        return term
    leftover = TERM_TOKEN_RE.sub(" ", term)
    if "*" in leftover or re.search(r"\*[\w'’]", term):
        raise ValueError(f"term {term!r}: '*' may only end a word (e.g. repatriat*)")
    for tok in tokens:
        if tok.endswith("*") and len(tok) < 4:
            raise ValueError(f"term {term!r}: a prefix before '*' needs at least 3 characters")
    return term


def _check_duplicates(terms: list[str]) -> None:
    """Two spellings of a term that match the same words are a copy-paste slip: report it."""
    seen: set[tuple[str, ...]] = set()
    for term in terms:
        if unspaced(term):
            key: tuple[str, ...] = ("".join(term.lower().split()),)
        else:
            key = tuple(
                w if (len(w) >= 2 and w.isupper()) else w.lower()
                for w in (norm_token(t) for t in TERM_TOKEN_RE.findall(term))
            )
        if key in seen:
            raise ValueError(f"duplicate term {term!r}")
        seen.add(key)


Regex = Annotated[str, AfterValidator(_check_regex)]
Term = Annotated[str, AfterValidator(_check_term)]
RuleId = Annotated[str, Field(pattern=_ID_RE)]


class RuleModel(StrictModel):
    """Base of the topics.yaml models: unknown keys rejected, and read-only once loaded."""

    model_config = ConfigDict(frozen=True)


class Scoring(RuleModel):
    """How much a hit counts by position, and how repeated hits of one rule fade."""

    title_factor: float = Field(3.0, ge=0)
    lead_factor: float = Field(1.5, ge=0)
    lead_words: int = Field(60, ge=0)
    # for `lead_secondary`: the lead is the text's first `lead_sentences` sentences (0: the first `lead_words`)
    lead_sentences: int = Field(0, ge=0)
    repeat_decay: float = Field(0.5, ge=0, le=1)
    max_hits: int = Field(4, ge=1)


class ScoringOverride(RuleModel):
    """Per-topic overrides of `Scoring` (unset keys fall back to the file's `scoring`)."""

    title_factor: float | None = Field(None, ge=0)
    lead_factor: float | None = Field(None, ge=0)
    lead_words: int | None = Field(None, ge=0)
    lead_sentences: int | None = Field(None, ge=0)
    repeat_decay: float | None = Field(None, ge=0, le=1)
    max_hits: int | None = Field(None, ge=1)


class GroupSpec(RuleModel):
    """Weighted terms: positive weight = evidence for the topic, negative = evidence against (context)."""

    weight: float  # 0 = a helper group that only feeds `near` rules
    terms: list[Term] = Field(default_factory=list)
    regex: list[Regex] = Field(default_factory=list)
    max_hits: int | None = Field(None, ge=1)
    only_if_any: list[RuleId] = Field(default_factory=list)  # scores only if one of these groups also hits
    note: str = ""

    @model_validator(mode="after")
    def _non_empty(self) -> GroupSpec:
        if not self.terms and not self.regex:
            raise ValueError("a group needs at least one entry in `terms` or `regex`")
        _check_duplicates(self.terms)
        return self


class NearSpec(RuleModel):
    """Fires when a hit of a group in `a` and a hit of a group in `b` are at most `window` words apart."""

    a: list[RuleId] = Field(min_length=1)
    b: list[RuleId] = Field(min_length=1)
    window: int = Field(ge=1, le=200)
    weight: float
    max_hits: int | None = Field(None, ge=1)
    same_sentence: bool = True  # both hits must be in one sentence
    only_if_any: list[RuleId] = Field(default_factory=list)  # scores only if one of these groups also hits
    note: str = ""


class LeadSecondarySpec(RuleModel):
    """A secondary topic stated in the lead: a hit of one of `groups` (the topic's institutions, meetings or
    officials) anywhere in the text's lead adds `weight` once - the headline may carry another topic, and the
    lead's second half ("..., then goes on to the ASEAN ministers' meeting") carries this one."""

    groups: list[RuleId] = Field(min_length=1)
    weight: float = Field(gt=0)
    note: str = ""


class FalseFriendSpec(RuleModel):
    """Phrases whose words must not count as evidence (e.g. "Burmese python", "Burma Railway")."""

    terms: list[Term] = Field(default_factory=list)
    regex: list[Regex] = Field(default_factory=list)
    note: str = ""

    @model_validator(mode="after")
    def _non_empty(self) -> FalseFriendSpec:
        if not self.terms and not self.regex:
            raise ValueError("a false friend needs at least one entry in `terms` or `regex`")
        _check_duplicates(self.terms)
        return self


class ListSpec(RuleModel):
    """A run of >= min_items of these names separated by commas/and/or is a list: hits inside do not count."""

    items: list[Term] = Field(min_length=2)
    min_items: int = Field(3, ge=2)
    note: str = ""


class TopicSpec(RuleModel):
    """One topic: its rules, threshold and the conditions for a match."""

    label: str = Field("", description="display name (Kibana, alerts); default: the name in words")
    description: str = ""
    threshold: float = Field(gt=0)
    min_signals: int = Field(1, ge=1)
    # At least one entry must hold; an entry is a rule id, or a list of ids that must ALL fire (AND).
    require_any: list[RuleId | list[RuleId]] = Field(default_factory=list)
    scoring: ScoringOverride = Field(default_factory=lambda: ScoringOverride.model_validate({}))
    groups: dict[RuleId, GroupSpec] = Field(min_length=1)
    near: dict[RuleId, NearSpec] = Field(default_factory=dict)
    false_friends: dict[RuleId, FalseFriendSpec] = Field(default_factory=dict)
    lists: dict[RuleId, ListSpec] = Field(default_factory=dict)
    lead_secondary: LeadSecondarySpec | None = None

    @model_validator(mode="after")
    def _references(self) -> TopicSpec:
        seen: dict[str, str] = {}
        for section in ("groups", "near", "false_friends", "lists"):
            for rid in getattr(self, section):
                if rid in seen:
                    raise ValueError(f"rule id {rid!r} is used in both {seen[rid]} and {section}")
                seen[rid] = section
        for gid, group in self.groups.items():
            for dep in group.only_if_any:
                if dep not in self.groups:
                    raise ValueError(f"groups.{gid}.only_if_any: unknown group {dep!r}")
        for nid, near in self.near.items():
            for side in ("a", "b", "only_if_any"):
                for gid in getattr(near, side):
                    if gid not in self.groups:
                        raise ValueError(f"near.{nid}.{side}: unknown group {gid!r}")
        if self.lead_secondary is not None:
            for gid in self.lead_secondary.groups:
                if gid not in self.groups:
                    raise ValueError(f"lead_secondary.groups: unknown group {gid!r}")
                if self.groups[gid].weight <= 0:
                    raise ValueError(f"lead_secondary.groups: {gid!r} needs a positive weight")
        for entry in self.require_any:
            for rid in [entry] if isinstance(entry, str) else entry:
                if rid not in self.groups and rid not in self.near:
                    raise ValueError(f"require_any: unknown group or near rule {rid!r}")
                weight = self.groups[rid].weight if rid in self.groups else self.near[rid].weight
                if weight < 0:
                    raise ValueError(f"require_any: {rid!r} has a negative weight")
        return self

    def anchors_hold(self, fired: set[str]) -> bool:
        """True when no anchors are configured or one entry of `require_any` is satisfied by `fired`."""
        if not self.require_any:
            return True
        return any((e in fired) if isinstance(e, str) else all(r in fired for r in e) for e in self.require_any)

    def anchors_text(self) -> str:
        return ", ".join(e if isinstance(e, str) else "(" + " AND ".join(e) + ")" for e in self.require_any)


class TopicsFile(RuleModel):
    """The whole `topics.yaml`."""

    version: Literal[1]
    scoring: Scoring = Field(default_factory=lambda: Scoring.model_validate({}))
    topics: dict[RuleId, TopicSpec] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class CompiledTopic:
    """One topic ready to score: its spec, effective scoring and its regex terms combined in one pattern."""

    name: str
    spec: TopicSpec
    scoring: Scoring
    regex: re.Pattern[str] | None
    regex_rules: dict[str, tuple[str, int]]  # regex group name -> (rule id, kind)


@dataclass(frozen=True, slots=True)
class TopicRules:
    """Validated and compiled topic rules (build with `load_topic_rules` or `compile_rules`).

    All terms of all topics share one word trie; root prefix edges are indexed by their first 3 letters.
    """

    source: str
    topics: tuple[CompiledTopic, ...]
    trie: TrieNode
    root_prefix: dict[str, tuple[tuple[str, TrieNode], ...]]
    root_words: frozenset[str]  # lower-cased first words of all non-prefix terms (plain and exact-case)
    # terms in scripts without spaces (Chinese, Japanese, Thai, Burmese): one alternation matched as substrings,
    # and what each matched (lower-cased) term stands for: (topic index, rule id, kind)
    unspaced: re.Pattern[str] | None = None
    unspaced_ends: dict[str, tuple[tuple[int, str, int], ...]] | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.topics)

    def topic(self, name: str) -> CompiledTopic:
        for t in self.topics:
            if t.name == name:
                return t
        raise KeyError(name)


def _merge_scoring(base: Scoring, override: ScoringOverride) -> Scoring:
    values = {k: v for k, v in override.model_dump().items() if v is not None}
    return base.model_copy(update=values)


def compile_rules(model: TopicsFile, source: str = "<topics>") -> TopicRules:
    """Turn a validated `TopicsFile` into the shared term trie and per-topic regexes."""
    root = TrieNode()
    topics = []
    substring_ends: dict[str, list[tuple[int, str, int]]] = {}
    spaced_forms: set[str] = set()
    for ti, (name, spec) in enumerate(model.topics.items()):
        sources: list[tuple[str, int, list[str], list[str]]] = []
        sources += [(rid, GROUP, g.terms, g.regex) for rid, g in spec.groups.items()]
        sources += [(rid, MASK, f.terms, f.regex) for rid, f in spec.false_friends.items()]
        sources += [(rid, LIST, lst.items, []) for rid, lst in spec.lists.items()]
        alternatives: list[str] = []
        regex_rules: dict[str, tuple[str, int]] = {}
        for rid, kind, terms, regexes in sources:
            for term in terms:
                if unspaced(term):  # no word boundaries to go by: matched as a substring (`scan`)
                    spaced_forms.add(" ".join(term.lower().split()))  # a space in the term: optional in the text
                    ends = substring_ends.setdefault("".join(term.lower().split()), [])
                    if (ti, rid, kind) not in ends:
                        ends.append((ti, rid, kind))
                    continue
                node = root
                for word in TERM_TOKEN_RE.findall(term):
                    node = node.child(word)
                if (ti, rid, kind) not in node.ends:
                    node.ends.append((ti, rid, kind))
            for pattern in regexes:
                gname = f"r{len(alternatives)}"
                alternatives.append(f"(?P<{gname}>{pattern})")
                regex_rules[gname] = (rid, kind)
        combined = None
        if alternatives:
            combined = re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)
        topics.append(CompiledTopic(name, spec, _merge_scoring(model.scoring, spec.scoring), combined, regex_rules))
    # Root prefix edges move to a 3-letter index so a word is compared only with prefixes sharing its start.
    root_prefix: dict[str, list[tuple[str, TrieNode]]] = {}
    for key, node in root.prefix_kids:
        root_prefix.setdefault(key[:3], []).append((key, node))
    root.prefix_kids = []
    root_words = frozenset(root.kids) | frozenset(root.exact_kids)
    substrings = None
    if spaced_forms:  # longest first, so a longer term wins over its own beginning at the same position
        alternatives = sorted(spaced_forms, key=lambda t: (-len(t), t))
        substrings = re.compile("|".join(re.escape(t).replace("\\ ", "\\s*") for t in alternatives), re.IGNORECASE)
    return TopicRules(
        source,
        tuple(topics),
        root,
        {k: tuple(v) for k, v in root_prefix.items()},
        root_words,
        substrings,
        {t: tuple(v) for t, v in substring_ends.items()},
    )


def load_topic_rules(path: Path | str | None = None) -> TopicRules:
    """Load, validate and compile `topics.yaml` (default: `config_path("topics.yaml")`).

    Raises `ConfigError` naming the file and the key path at fault (bad regex, unknown key, missing threshold).
    """
    p = config_path("topics.yaml", path)
    data = load_yaml(p)
    if not isinstance(data, dict):
        raise ConfigError(p, ["(top level): expected a mapping with `version` and `topics`"])
    model = parse_model(data, TopicsFile, p)
    try:
        return compile_rules(model, str(p))
    except re.error as exc:  # combined pattern failed although each part compiled: report, don't crash
        raise ConfigError(p, [f"topics: regexes cannot be combined: {exc}"]) from None
