"""Term matching: the shared word trie, field tokenisation, the scan, list runs and overlap resolution.

Owns how text is cut into words and how term hits are found: every term of every topic sits in one word trie
(`TrieNode`), so an item costs one tokenisation plus a dictionary look-up per word whatever the number of terms.
Hits are then resolved per topic (`resolve`): false friends and lists mask positive evidence, and overlapping
hits keep the longest. The list separator comes from the item's `LanguageData`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from itertools import compress
from typing import TYPE_CHECKING

from pipeline.lang import ENGLISH, LanguageData

if TYPE_CHECKING:
    from pipeline.detect.rules import TopicRules, TopicSpec

# A word: letters/digits, with inner apostrophes kept ("Ta'ang", "People's").
TOKEN_RE = re.compile(r"\w+(?:['’]\w+)*")
# A term token: the same, optionally ending in `*` (prefix match).
TERM_TOKEN_RE = re.compile(r"\w+(?:['’]\w+)*\*?")
# Between two words of a phrase: at most 3 characters, none of them a clause/sentence break.
_PHRASE_GAP_MAX = 3
_PHRASE_GAP_BAD = frozenset(',;:()[]{}!?"“”\n\r\t|')

FIELDS = ("title", "text")

# What a term is for: scoring evidence (a group), a mask (a false friend) or a list item.
GROUP, MASK, LIST = 0, 1, 2


def norm_token(tok: str) -> str:
    """Case-preserving normal form: straight apostrophe, possessive 's dropped."""
    tok = tok.replace("’", "'")
    if tok.endswith("'s") or tok.endswith("'S"):
        tok = tok[:-2]
    return tok


class TrieNode:
    """A node of the term trie: one edge per word (lower-cased, exact-case for capitals, or prefix)."""

    __slots__ = ("ends", "exact_kids", "has_kids", "kids", "prefix_kids")

    def __init__(self) -> None:
        self.kids: dict[str, TrieNode] = {}
        # words written in capitals in the config: lower-cased key -> (exact form, node)
        self.exact_kids: dict[str, list[tuple[str, TrieNode]]] = {}
        self.prefix_kids: list[tuple[str, TrieNode]] = []
        self.ends: list[tuple[int, str, int]] = []  # (topic index, rule id, kind) of terms ending here
        self.has_kids = False

    def child(self, word: str) -> TrieNode:
        """The node after `word` as written in a term (creating it)."""
        self.has_kids = True
        prefix = word.endswith("*")
        word = norm_token(word.rstrip("*"))
        key = word.lower()
        if prefix:
            for k, node in self.prefix_kids:
                if k == key:
                    return node
            node = TrieNode()
            self.prefix_kids.append((key, node))
            return node
        if len(word) >= 2 and word.isupper():
            options = self.exact_kids.setdefault(key, [])
            for exact, node in options:
                if exact == word:
                    return node
            node = TrieNode()
            options.append((word, node))
            return node
        plain = self.kids.get(key)
        if plain is None:
            plain = self.kids[key] = TrieNode()
        return plain

    def step(self, fld: TextField, j: int, out: list[TrieNode]) -> None:
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


@dataclass(slots=True)
class Hit:
    """One term (or regex, or list run) hit in one field, with character and word offsets."""

    rule: str
    kind: int
    field: str
    start: int
    end: int
    tok: int  # index of the first word of the hit in its field
    tok_end: int  # index of the last word


class TextField:
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
            keys = [norm_token(k) if ("'" in k or "’" in k) else k for k in keys]
        self.keys = keys
        self._gaps: dict[int, bool] = {}
        self._starts: list[int] | None = None

    def norm(self, i: int) -> str:
        """Word i with its case kept (for terms written in capitals)."""
        return norm_token(self.matches[i].group())

    def gap_ok(self, i: int) -> bool:
        """Can word i and word i+1 belong to one phrase? (short separator, no clause break)"""
        ok = self._gaps.get(i)
        if ok is None:
            gap = self.text[self.matches[i].end() : self.matches[i + 1].start()]
            ok = self._gaps[i] = len(gap) <= _PHRASE_GAP_MAX and not any(c in _PHRASE_GAP_BAD for c in gap)
        return ok

    def word_index(self, offset: int) -> int:
        """Index of the word that contains (or last starts before) character `offset`."""
        if self._starts is None:
            self._starts = [m.start() for m in self.matches]
        return max(0, bisect_right(self._starts, offset) - 1)


def scan(rules: TopicRules, fld: TextField) -> list[list[Hit]]:
    """All term hits of every topic in one field (overlaps not yet resolved)."""
    hits: list[list[Hit]] = [[] for _ in rules.topics]
    keys, matches = fld.keys, fld.matches
    n = len(keys)
    root = rules.trie
    # Positions where some term can start, found with C-level map/compress instead of a loop over all words.
    first = set(compress(range(n), map(rules.root_words.__contains__, keys)))
    if rules.root_prefix:
        first.update(compress(range(n), map(rules.root_prefix.get, [k[:3] for k in keys])))
    root_prefix = rules.root_prefix
    for i in sorted(first):
        starts: list[TrieNode] = []
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
                    hits[ti].append(Hit(rid, kind, fld.name, start, end, i, j))
            if node.has_kids and j + 1 < n:
                nxt: list[TrieNode] = []
                node.step(fld, j + 1, nxt)
                if nxt and fld.gap_ok(j):
                    stack.extend((child, j + 1) for child in nxt)
    for ti, topic in enumerate(rules.topics):
        if topic.regex is None:
            continue
        for m in topic.regex.finditer(fld.text):
            rid, kind = topic.regex_rules[m.lastgroup or ""]
            s, e = m.span()
            hits[ti].append(Hit(rid, kind, fld.name, s, e, fld.word_index(s), fld.word_index(max(s, e - 1))))
    return hits


def list_spans(hits: list[Hit], fld: TextField, spec: TopicSpec, lang: LanguageData = ENGLISH) -> list[Hit]:
    """Runs of list-item hits long enough to be a list; returned as one hit spanning each run."""
    out: list[Hit] = []
    separator = lang.list_separator
    for rid, lst in spec.lists.items():
        items = sorted((h for h in hits if h.kind == LIST and h.rule == rid), key=lambda h: (h.start, -h.end))
        run: list[Hit] = []
        for h in items:
            if run and h.start < run[-1].end:
                continue  # overlapping item names ("Lao PDR" / "Lao"): keep the first
            if run and separator.fullmatch(fld.text, run[-1].end, h.start):
                run.append(h)
                continue
            if len(run) >= lst.min_items:
                out.append(Hit(rid, LIST, fld.name, run[0].start, run[-1].end, run[0].tok, run[-1].tok_end))
            run = [h]
        if len(run) >= lst.min_items:
            out.append(Hit(rid, LIST, fld.name, run[0].start, run[-1].end, run[0].tok, run[-1].tok_end))
    return out


def resolve(
    hits: list[Hit], fld: TextField, spec: TopicSpec, lang: LanguageData = ENGLISH
) -> tuple[list[Hit], list[Hit]]:
    """Apply false friends and lists, then keep the longest of overlapping scoring hits.

    Returns (scoring hits, masking hits). Masks remove only positive evidence: a false friend is itself a hint
    that the context is wrong, so negative groups inside it still count.
    """
    masks = [h for h in hits if h.kind == MASK]
    masks += list_spans(hits, fld, spec, lang)
    scoring = [h for h in hits if h.kind == GROUP]
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
        chosen: list[Hit] = []
        taken: set[int] = set()
        for h in scoring:
            words = range(h.tok, h.tok_end + 1)
            if taken.isdisjoint(words):
                chosen.append(h)
                taken.update(words)
        scoring = sorted(chosen, key=lambda h: h.start)
    return scoring, masks
