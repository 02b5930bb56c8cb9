"""Words of a field and the term trie: how text is cut into words and how every topic's terms are stored.

`TextField` tokenises one field once (word matches, lower-cased keys, phrase gaps); `TrieNode` holds every term of
every topic in one word trie, so a scan costs a dictionary look-up per word whatever the number of terms. Shared by
the rule compiler (`rules`) and the scan (`matcher`), which is why it sits below both.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from pipeline.lang.scripts import UNSPACED_CLASS, UNSPACED_RE

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

# Words of a text that holds unspaced scripts: their runs are words of their own, so "ASEAN首脳会議" is "ASEAN" +
# "首脳会議" and a Latin or Cyrillic term next to Han or Thai letters still matches on its word.
MIXED_TOKEN_RE = re.compile(f"(?:(?![{UNSPACED_CLASS}])\\w)+(?:['’]\\w+)*|[{UNSPACED_CLASS}]+")


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
    key: str = ""  # the term as matched, for hits found inside unspaced text ("": its words' keys)


class TextField:
    """One tokenised field (title or text): word matches and their lower-cased normal forms (keys)."""

    __slots__ = ("_gaps", "_starts", "keys", "matches", "name", "text", "unspaced")

    def __init__(self, name: str, text: str):
        self.name = name
        self.text = text
        # plain ASCII (most English) cannot hold an unspaced script: `isascii` spares the regex scan
        self.unspaced = not text.isascii() and UNSPACED_RE.search(text) is not None
        token_re = MIXED_TOKEN_RE if self.unspaced else TOKEN_RE
        self.matches = list(token_re.finditer(text))
        keys = token_re.findall(text.lower())
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
