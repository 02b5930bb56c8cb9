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
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import compress
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from pipeline.core.config import ConfigError, config_path, load_yaml, parse_model
from pipeline.core.records import Evidence, TopicMatch

# A word: letters/digits, with inner apostrophes kept ("Ta'ang", "People's").
TOKEN_RE = re.compile(r"\w+(?:['’]\w+)*")
# A term token: the same, optionally ending in `*` (prefix match).
_TERM_TOKEN_RE = re.compile(r"\w+(?:['’]\w+)*\*?")
_ID_RE = r"^[a-z][a-z0-9_]*$"
# Between two words of a phrase: at most 3 characters, none of them a clause/sentence break.
_PHRASE_GAP_MAX = 3
_PHRASE_GAP_BAD = frozenset(',;:()[]{}!?"“”\n\r\t|')
# Between two items of a list: a comma/semicolon/slash and/or a conjunction, optionally "the".
_LIST_SEP_RE = re.compile(r"\s*(?:[,;/]\s*)?(?:(?:and|or|&|as well as)\s+)?(?:the\s+)?", re.IGNORECASE)

# End of a sentence: . ! ? (maybe followed by a closing quote/bracket) then space and a capital/quote, or a newline.
_SENTENCE_BREAK_RE = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[A-Z\"“‘'(])|\n")

FIELDS = ("title", "text")


# --------------------------------------------------------------------------------------------------------------
# Config model (validated at load; unknown keys rejected)
# --------------------------------------------------------------------------------------------------------------


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
    tokens = _TERM_TOKEN_RE.findall(term)
    if not tokens:
        raise ValueError(f"term {term!r} has no word in it")
    leftover = _TERM_TOKEN_RE.sub(" ", term)
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
        key = tuple(
            w if (len(w) >= 2 and w.isupper()) else w.lower()
            for w in (_norm_token(t) for t in _TERM_TOKEN_RE.findall(term))
        )
        if key in seen:
            raise ValueError(f"duplicate term {term!r}")
        seen.add(key)


Regex = Annotated[str, AfterValidator(_check_regex)]
Term = Annotated[str, AfterValidator(_check_term)]
RuleId = Annotated[str, Field(pattern=_ID_RE)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Scoring(_Strict):
    """How much a hit counts by position, and how repeated hits of one rule fade."""

    title_factor: float = Field(3.0, ge=0)
    lead_factor: float = Field(1.5, ge=0)
    lead_words: int = Field(60, ge=0)
    repeat_decay: float = Field(0.5, ge=0, le=1)
    max_hits: int = Field(4, ge=1)


class ScoringOverride(_Strict):
    """Per-topic overrides of `Scoring` (unset keys fall back to the file's `scoring`)."""

    title_factor: float | None = Field(None, ge=0)
    lead_factor: float | None = Field(None, ge=0)
    lead_words: int | None = Field(None, ge=0)
    repeat_decay: float | None = Field(None, ge=0, le=1)
    max_hits: int | None = Field(None, ge=1)


class GroupSpec(_Strict):
    """Weighted terms: positive weight = evidence for the topic, negative = evidence against (context)."""

    weight: float  # 0 = a helper group that only feeds `near` rules
    terms: list[Term] = []
    regex: list[Regex] = []
    max_hits: int | None = Field(None, ge=1)
    only_if_any: list[RuleId] = []  # scores only when one of these groups also has a hit in the item
    note: str = ""

    @model_validator(mode="after")
    def _non_empty(self) -> GroupSpec:
        if not self.terms and not self.regex:
            raise ValueError("a group needs at least one entry in `terms` or `regex`")
        _check_duplicates(self.terms)
        return self


class NearSpec(_Strict):
    """Fires when a hit of a group in `a` and a hit of a group in `b` are at most `window` words apart."""

    a: list[RuleId] = Field(min_length=1)
    b: list[RuleId] = Field(min_length=1)
    window: int = Field(ge=1, le=200)
    weight: float
    max_hits: int | None = Field(None, ge=1)
    same_sentence: bool = True  # both hits must be in one sentence
    only_if_any: list[RuleId] = []  # scores only when one of these groups also has a hit in the item
    note: str = ""


class FalseFriendSpec(_Strict):
    """Phrases whose words must not count as evidence (e.g. "Burmese python", "Burma Railway")."""

    terms: list[Term] = []
    regex: list[Regex] = []
    note: str = ""

    @model_validator(mode="after")
    def _non_empty(self) -> FalseFriendSpec:
        if not self.terms and not self.regex:
            raise ValueError("a false friend needs at least one entry in `terms` or `regex`")
        _check_duplicates(self.terms)
        return self


class ListSpec(_Strict):
    """A run of >= min_items of these names separated by commas/and/or is a list: hits inside do not count."""

    items: list[Term] = Field(min_length=2)
    min_items: int = Field(3, ge=2)
    note: str = ""


class TopicSpec(_Strict):
    """One topic: its rules, threshold and the conditions for a match."""

    label: str = Field("", description="display name (Kibana, alerts); default: the name in words")
    description: str = ""
    threshold: float = Field(gt=0)
    min_signals: int = Field(1, ge=1)
    # At least one entry must hold; an entry is a rule id, or a list of ids that must ALL fire (AND).
    require_any: list[RuleId | list[RuleId]] = []
    scoring: ScoringOverride = Field(default_factory=lambda: ScoringOverride.model_validate({}))
    groups: dict[RuleId, GroupSpec] = Field(min_length=1)
    near: dict[RuleId, NearSpec] = {}
    false_friends: dict[RuleId, FalseFriendSpec] = {}
    lists: dict[RuleId, ListSpec] = {}

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


class TopicsFile(_Strict):
    """The whole `topics.yaml`."""

    version: Literal[1]
    scoring: Scoring = Field(default_factory=lambda: Scoring.model_validate({}))
    topics: dict[RuleId, TopicSpec] = Field(min_length=1)


# --------------------------------------------------------------------------------------------------------------
# Compiled rules
# --------------------------------------------------------------------------------------------------------------

_GROUP, _MASK, _LIST = 0, 1, 2


def _norm_token(tok: str) -> str:
    """Case-preserving normal form: straight apostrophe, possessive 's dropped."""
    tok = tok.replace("’", "'")
    if tok.endswith("'s") or tok.endswith("'S"):
        tok = tok[:-2]
    return tok


class _Node:
    """A node of the term trie: one edge per word (lower-cased, exact-case for capitals, or prefix)."""

    __slots__ = ("ends", "exact_kids", "has_kids", "kids", "prefix_kids")

    def __init__(self) -> None:
        self.kids: dict[str, _Node] = {}
        # words written in capitals in the config: lower-cased key -> (exact form, node)
        self.exact_kids: dict[str, list[tuple[str, _Node]]] = {}
        self.prefix_kids: list[tuple[str, _Node]] = []
        self.ends: list[tuple[int, str, int]] = []  # (topic index, rule id, kind) of terms ending here
        self.has_kids = False

    def child(self, word: str) -> _Node:
        """The node after `word` as written in a term (creating it)."""
        self.has_kids = True
        prefix = word.endswith("*")
        word = _norm_token(word.rstrip("*"))
        key = word.lower()
        if prefix:
            for k, node in self.prefix_kids:
                if k == key:
                    return node
            node = _Node()
            self.prefix_kids.append((key, node))
            return node
        if len(word) >= 2 and word.isupper():
            options = self.exact_kids.setdefault(key, [])
            for exact, node in options:
                if exact == word:
                    return node
            node = _Node()
            options.append((word, node))
            return node
        plain = self.kids.get(key)
        if plain is None:
            plain = self.kids[key] = _Node()
        return plain

    def step(self, fld: _Field, j: int, out: list[_Node]) -> None:
        """Append the children of this node that match word j of the field."""
        key = fld.keys[j]
        nxt = self.kids.get(key)
        if nxt is not None:
            out.append(nxt)
        options = self.exact_kids.get(key) if self.exact_kids else None
        if options:
            norm = fld.norm(j)
            out.extend(node for exact, node in options if exact == norm)
        for prefix, pnode in self.prefix_kids:
            if key.startswith(prefix):
                out.append(pnode)


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
    trie: _Node
    root_prefix: dict[str, tuple[tuple[str, _Node], ...]]
    root_words: frozenset[str]  # lower-cased first words of all non-prefix terms (plain and exact-case)

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
    root = _Node()
    topics = []
    for ti, (name, spec) in enumerate(model.topics.items()):
        sources: list[tuple[str, int, list[str], list[str]]] = []
        sources += [(rid, _GROUP, g.terms, g.regex) for rid, g in spec.groups.items()]
        sources += [(rid, _MASK, f.terms, f.regex) for rid, f in spec.false_friends.items()]
        sources += [(rid, _LIST, lst.items, []) for rid, lst in spec.lists.items()]
        alternatives: list[str] = []
        regex_rules: dict[str, tuple[str, int]] = {}
        for rid, kind, terms, regexes in sources:
            for term in terms:
                node = root
                for word in _TERM_TOKEN_RE.findall(term):
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
    root_prefix: dict[str, list[tuple[str, _Node]]] = {}
    for key, node in root.prefix_kids:
        root_prefix.setdefault(key[:3], []).append((key, node))
    root.prefix_kids = []
    root_words = frozenset(root.kids) | frozenset(root.exact_kids)
    return TopicRules(source, tuple(topics), root, {k: tuple(v) for k, v in root_prefix.items()}, root_words)


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


# --------------------------------------------------------------------------------------------------------------
# Matching
# --------------------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Hit:
    rule: str
    kind: int
    field: str
    start: int
    end: int
    tok: int  # index of the first word of the hit in its field
    tok_end: int  # index of the last word


class _Field:
    """One tokenised field (title or text): word matches and their lower-cased normal forms (keys)."""

    __slots__ = ("_gaps", "_starts", "keys", "matches", "name", "text")

    def __init__(self, name: str, text: str):
        self.name = name
        self.text = text
        self.matches = list(TOKEN_RE.finditer(text))
        keys = TOKEN_RE.findall(text.lower())
        if len(keys) != len(self.matches):  # lower-casing changed the word count (rare Unicode): per word
            keys = [m.group().lower() for m in self.matches]
        if "'" in text or "’" in text:
            keys = [_norm_token(k) if ("'" in k or "’" in k) else k for k in keys]
        self.keys = keys
        self._gaps: dict[int, bool] = {}
        self._starts: list[int] | None = None

    def norm(self, i: int) -> str:
        """Word i with its case kept (for terms written in capitals)."""
        return _norm_token(self.matches[i].group())

    def gap_ok(self, i: int) -> bool:
        """Can word i and word i+1 belong to one phrase? (short separator, no clause break)"""
        ok = self._gaps.get(i)
        if ok is None:
            gap = self.text[self.matches[i].end() : self.matches[i + 1].start()]
            ok = self._gaps[i] = len(gap) <= _PHRASE_GAP_MAX and not any(c in _PHRASE_GAP_BAD for c in gap)
        return ok

    def word_index(self, offset: int) -> int:
        if self._starts is None:
            self._starts = [m.start() for m in self.matches]
        return max(0, bisect_right(self._starts, offset) - 1)


def _scan(rules: TopicRules, fld: _Field) -> list[list[_Hit]]:
    """All term hits of every topic in one field (overlaps not yet resolved)."""
    hits: list[list[_Hit]] = [[] for _ in rules.topics]
    keys, matches = fld.keys, fld.matches
    n = len(keys)
    root = rules.trie
    # Positions where some term can start, found with C-level map/compress instead of a loop over all words.
    first = set(compress(range(n), map(rules.root_words.__contains__, keys)))
    if rules.root_prefix:
        first.update(compress(range(n), map(rules.root_prefix.get, [k[:3] for k in keys])))
    root_prefix = rules.root_prefix
    for i in sorted(first):
        starts: list[_Node] = []
        root.step(fld, i, starts)  # plain and exact-case edges (the root has no prefix edges: see compile)
        if root_prefix:
            key = keys[i]
            starts.extend(pnode for prefix, pnode in root_prefix.get(key[:3], ()) if key.startswith(prefix))
        stack = [(node, i) for node in starts]
        while stack:
            node, j = stack.pop()
            if node.ends:
                start, end = matches[i].start(), matches[j].end()
                for ti, rid, kind in node.ends:
                    hits[ti].append(_Hit(rid, kind, fld.name, start, end, i, j))
            if node.has_kids and j + 1 < n:
                nxt: list[_Node] = []
                node.step(fld, j + 1, nxt)
                if nxt and fld.gap_ok(j):
                    stack.extend((child, j + 1) for child in nxt)
    for ti, topic in enumerate(rules.topics):
        if topic.regex is None:
            continue
        for m in topic.regex.finditer(fld.text):
            rid, kind = topic.regex_rules[m.lastgroup or ""]
            s, e = m.span()
            hits[ti].append(_Hit(rid, kind, fld.name, s, e, fld.word_index(s), fld.word_index(max(s, e - 1))))
    return hits


def _list_spans(hits: list[_Hit], fld: _Field, spec: TopicSpec) -> list[_Hit]:
    """Runs of list-item hits long enough to be a list; returned as one hit spanning each run."""
    out: list[_Hit] = []
    for rid, lst in spec.lists.items():
        items = sorted((h for h in hits if h.kind == _LIST and h.rule == rid), key=lambda h: (h.start, -h.end))
        run: list[_Hit] = []
        for h in items:
            if run and h.start < run[-1].end:
                continue  # overlapping item names ("Lao PDR" / "Lao"): keep the first
            if run and _LIST_SEP_RE.fullmatch(fld.text, run[-1].end, h.start):
                run.append(h)
                continue
            if len(run) >= lst.min_items:
                out.append(_Hit(rid, _LIST, fld.name, run[0].start, run[-1].end, run[0].tok, run[-1].tok_end))
            run = [h]
        if len(run) >= lst.min_items:
            out.append(_Hit(rid, _LIST, fld.name, run[0].start, run[-1].end, run[0].tok, run[-1].tok_end))
    return out


def _resolve(hits: list[_Hit], fld: _Field, spec: TopicSpec) -> tuple[list[_Hit], list[_Hit]]:
    """Apply false friends and lists, then keep the longest of overlapping scoring hits.

    Returns (scoring hits, masking hits). Masks remove only positive evidence: a false friend is itself a hint
    that the context is wrong, so negative groups inside it still count.
    """
    masks = [h for h in hits if h.kind == _MASK]
    masks += _list_spans(hits, fld, spec)
    scoring = [h for h in hits if h.kind == _GROUP]
    if masks:
        kept = []
        for h in scoring:
            if spec.groups[h.rule].weight > 0 and any(m.start < h.end and h.start < m.end for m in masks):
                continue
            kept.append(h)
        scoring = kept
    if len(scoring) > 1:
        # Longest first (then strongest); a hit is kept when none of its words is taken yet.
        scoring.sort(key=lambda h: (-(h.end - h.start), -abs(spec.groups[h.rule].weight), h.start))
        chosen: list[_Hit] = []
        taken: set[int] = set()
        for h in scoring:
            words = range(h.tok, h.tok_end + 1)
            if taken.isdisjoint(words):
                chosen.append(h)
                taken.update(words)
        scoring = sorted(chosen, key=lambda h: h.start)
    return scoring, masks


# --------------------------------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TopicScore:
    """Everything about one topic for one item: the match plus why it passed or not."""

    match: TopicMatch
    threshold: float
    passed: bool
    signals: int
    reasons: tuple[str, ...]  # why it did not pass (empty when it passed)


def _factor(h: _Hit, sc: Scoring) -> float:
    if h.field == "title":
        return sc.title_factor
    return sc.lead_factor if h.tok < sc.lead_words else 1.0


def _decayed(weight: float, factors: list[float], sc: Scoring, cap: int | None) -> list[float]:
    limit = cap or sc.max_hits
    return [weight * f * sc.repeat_decay**i for i, f in enumerate(factors[:limit])]


def _near_pairs(near: NearSpec, by_field: dict[str, list[_Hit]], fields: dict[str, _Field]) -> list[tuple[_Hit, _Hit]]:
    """Greedy one-to-one pairing of `a` and `b` hits within the window (and sentence), per field."""
    pairs = []
    a_set, b_set = set(near.a), set(near.b)
    for name, hits in by_field.items():
        text = fields[name].text
        used_b: set[int] = set()
        bs = [h for h in hits if h.rule in b_set]
        for a in (h for h in hits if h.rule in a_set):
            best = None
            best_dist = near.window + 1
            for bi, b in enumerate(bs):
                if bi in used_b or b is a or (b.start < a.end and a.start < b.end):
                    continue
                dist = b.tok - a.tok_end if b.tok > a.tok_end else a.tok - b.tok_end
                if dist <= near.window and dist < best_dist:
                    if near.same_sentence and _SENTENCE_BREAK_RE.search(
                        text, min(a.end, b.end), max(a.start, b.start) + 1
                    ):
                        continue
                    best, best_dist = bi, dist
            if best is not None:
                used_b.add(best)
                pairs.append((a, bs[best]))
    return pairs


def _near_term(fields: dict[str, _Field], a: _Hit, b: _Hit) -> tuple[str, int, int]:
    text = fields[a.field].text
    start, end = min(a.start, b.start), max(a.end, b.end)
    if end - start <= 80:
        return " ".join(text[start:end].split()), start, end
    first, second = (a, b) if a.start < b.start else (b, a)
    return f"{text[first.start : first.end]} … {text[second.start : second.end]}", start, end


def _score_topic(topic: CompiledTopic, fields: dict[str, _Field], raw: dict[str, list[_Hit]]) -> TopicScore:
    spec, sc = topic.spec, topic.scoring
    if not any(raw.values()):  # fast path: nothing of this topic in the item
        why = (f"score 0.00 < threshold {spec.threshold:g}",)
        return TopicScore(TopicMatch(topic.name, 0.0, ()), spec.threshold, False, 0, why)
    evidence: list[Evidence] = []
    by_field: dict[str, list[_Hit]] = {}
    for name, fld in fields.items():
        scoring, masks = _resolve(raw[name], fld, spec)
        by_field[name] = scoring
        for m in masks:
            evidence.append(Evidence(f"{topic.name}.{m.rule}", fld.text[m.start : m.end], name, m.start, m.end, 0.0))
    fired: set[str] = set()
    score = 0.0
    # term groups
    grouped: dict[str, list[_Hit]] = {}
    for hits in by_field.values():
        for h in hits:
            grouped.setdefault(h.rule, []).append(h)
    for rid, hits in grouped.items():
        g = spec.groups[rid]
        if g.weight == 0:
            continue  # helper group: only used by near rules
        if g.only_if_any and not any(d in grouped for d in g.only_if_any):
            continue
        ordered = sorted(hits, key=lambda h: (-_factor(h, sc), FIELDS.index(h.field), h.start))
        weights = _decayed(g.weight, [_factor(h, sc) for h in ordered], sc, g.max_hits)
        for h, w in zip(ordered, weights, strict=False):
            text = fields[h.field].text
            evidence.append(Evidence(f"{topic.name}.{rid}", text[h.start : h.end], h.field, h.start, h.end, w))
            score += w
        fired.add(rid)
    # proximity rules
    for nid, near in spec.near.items():
        if near.only_if_any and not any(g in grouped for g in near.only_if_any):
            continue
        pairs = _near_pairs(near, by_field, fields)
        if not pairs:
            continue
        pairs.sort(key=lambda p: (-max(_factor(p[0], sc), _factor(p[1], sc)), FIELDS.index(p[0].field), p[0].start))
        factors = [max(_factor(a, sc), _factor(b, sc)) for a, b in pairs]
        for (a, b), w in zip(pairs, _decayed(near.weight, factors, sc, near.max_hits), strict=False):
            term, start, end = _near_term(fields, a, b)
            evidence.append(Evidence(f"{topic.name}.{nid}", term, a.field, start, end, w))
            score += w
        fired.add(nid)
    positive = {rid for rid in fired if (spec.groups[rid].weight if rid in spec.groups else spec.near[rid].weight) > 0}
    # Distinct signals: distinct words/phrases of positive groups ("Myanmar" five times is one signal,
    # "Myanmar" + "junta" are two) plus each positive near rule that fired.
    distinct_terms = {
        (h.rule, " ".join(fields[h.field].keys[h.tok : h.tok_end + 1]))
        for hits in by_field.values()
        for h in hits
        if h.rule in positive
    }
    signals = len(distinct_terms) + sum(1 for rid in positive if rid in spec.near)
    reasons: list[str] = []
    if score < spec.threshold:
        reasons.append(f"score {score:.2f} < threshold {spec.threshold:g}")
    if signals < spec.min_signals:
        reasons.append(f"{signals} distinct signal(s) < min_signals {spec.min_signals}")
    if not spec.anchors_hold(positive):
        reasons.append(f"no anchor fired (require_any: {spec.anchors_text()})")
    evidence.sort(key=lambda e: (FIELDS.index(e.field), e.start, -abs(e.weight)))
    match = TopicMatch(topic.name, round(score, 3), tuple(evidence))
    return TopicScore(match, spec.threshold, not reasons, signals, tuple(reasons))


def _may_pass(spec: TopicSpec, raw: dict[str, list[_Hit]]) -> bool:
    """Cheap pre-check: could an anchor of `require_any` fire with these raw hits? (skip scoring if not)"""
    present = {h.rule for hits in raw.values() for h in hits}
    if not present:
        return False
    possible = set(present)
    for nid, near in spec.near.items():
        if any(g in present for g in near.a) and any(g in present for g in near.b):
            possible.add(nid)
    return spec.anchors_hold(possible)


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

    def _scores(self, title: str, text: str, candidates_only: bool) -> list[TopicScore]:
        fields = {"title": _Field("title", title or ""), "text": _Field("text", text or "")}
        per_field = {name: _scan(self.rules, fld) for name, fld in fields.items()}
        out = []
        for ti, topic in enumerate(self.rules.topics):
            raw = {name: per_field[name][ti] for name in fields}
            if candidates_only and not _may_pass(topic.spec, raw):
                continue
            out.append(_score_topic(topic, fields, raw))
        return out

    def explain_scores(self, title: str, text: str) -> list[TopicScore]:
        """Full diagnostics for every topic, in config order."""
        return self._scores(title, text, candidates_only=False)

    def detect(self, title: str, text: str) -> list[TopicMatch]:
        """Topics the item is about (passed threshold, signals and anchors), in config order."""
        return [s.match for s in self._scores(title, text, candidates_only=True) if s.passed]

    def score_all(self, title: str, text: str) -> dict[str, TopicMatch]:
        """Every topic with its score and evidence, even below threshold (for debugging and `explain`)."""
        return {s.match.name: s.match for s in self.explain_scores(title, text)}

    def explain(self, title: str, text: str) -> str:
        """A human-readable report: per topic, verdict, score vs threshold, reasons and each piece of evidence."""
        lines = []
        for s in self.explain_scores(title, text):
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


def detect_many(detector: Detector, items: Iterable[tuple[str, str]]) -> list[list[TopicMatch]]:
    """Convenience: `detect` over (title, text) pairs."""
    return [detector.detect(title, text) for title, text in items]


def topic_names(matches: Sequence[TopicMatch]) -> set[str]:
    """The names of a list of matches (what evaluation compares with gold labels)."""
    return {m.name for m in matches}


def rules_summary(rules: TopicRules) -> dict[str, Any]:
    """Counts per topic (for docs/tests/bench output)."""
    out: dict[str, Any] = {}
    for t in rules.topics:
        s = t.spec
        out[t.name] = {
            "threshold": s.threshold,
            "groups": len(s.groups),
            "terms": sum(len(g.terms) + len(g.regex) for g in s.groups.values()),
            "near": len(s.near),
            "false_friends": len(s.false_friends),
            "lists": len(s.lists),
        }
    return out
