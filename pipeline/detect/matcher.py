"""Term matching: the scan over a field's words, list runs and overlap resolution.

Finds term hits with the shared word trie of `pipeline.detect.words` (one tokenisation plus a dictionary look-up
per word, whatever the number of terms).
Hits are then resolved per topic (`resolve`): false friends and lists mask positive evidence, and overlapping
hits keep the longest. The list separator comes from the item's `LanguageData`.
"""

from __future__ import annotations

from itertools import compress
from typing import TYPE_CHECKING

from pipeline.detect.words import GROUP, LIST, MASK, Hit, TextField, TrieNode
from pipeline.lang import ENGLISH, LanguageData

if TYPE_CHECKING:
    from pipeline.detect.rules import TopicRules, TopicSpec


def strip_clitics(rules: TopicRules, fld: TextField, clitics: tuple[str, ...]) -> None:
    """Words that begin with a clitic of the language (Arabic و, ب, ل, ال ...) and are a term's first word
    without it are looked up without it ("ولافروف" -> "لافروف"); the hit still spans the whole written word."""
    known = rules.root_words
    keys = fld.keys
    for i, key in enumerate(keys):
        if key in known:
            continue
        for clitic in clitics:
            if key.startswith(clitic) and len(key) - len(clitic) >= 2 and key[len(clitic) :] in known:
                keys[i] = key[len(clitic) :]
                break


def scan_unspaced(rules: TopicRules, fld: TextField, hits: list[list[Hit]]) -> None:
    """Terms written in scripts without spaces between words (Chinese, Japanese, Thai, Burmese) found as
    substrings of the field, whatever the words around them (no segmenter: the desk's terms are names)."""
    pattern, ends = rules.unspaced, rules.unspaced_ends
    if pattern is None or ends is None or not fld.unspaced:
        return
    for m in pattern.finditer(fld.text):
        key = "".join(m.group().lower().split())
        s, e = m.span()
        first, last = fld.word_index(s), fld.word_index(max(s, e - 1))
        for ti, rid, kind in ends.get(key, ()):
            hits[ti].append(Hit(rid, kind, fld.name, s, e, first, last, key))


def scan(rules: TopicRules, fld: TextField, clitics: tuple[str, ...] = ()) -> list[list[Hit]]:
    """All term hits of every topic in one field (overlaps not yet resolved). `clitics`: the language's
    attached prefixes (`LanguageData.clitic_prefixes`)."""
    hits: list[list[Hit]] = [[] for _ in rules.topics]
    if clitics:
        strip_clitics(rules, fld, clitics)
    scan_unspaced(rules, fld, hits)
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
        if any(h.key for h in scoring):  # substrings of unspaced text: several may share one written "word"
            spans: list[tuple[int, int]] = []
            for h in scoring:
                if all(h.end <= a or h.start >= b for a, b in spans):
                    chosen.append(h)
                    spans.append((h.start, h.end))
        else:
            taken: set[int] = set()
            for h in scoring:
                words = range(h.tok, h.tok_end + 1)
                if taken.isdisjoint(words):
                    chosen.append(h)
                    taken.update(words)
        scoring = sorted(chosen, key=lambda h: h.start)
    return scoring, masks
