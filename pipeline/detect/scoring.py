"""Scoring: from resolved hits to a `TopicScore` (score, evidence, signals and why a topic did not pass).

Owns the weighting (title and lead factors, repeat decay, per-rule caps), proximity ("near") pairing within a
window and a sentence (the sentence break comes from the item's `LanguageData`), and the pass conditions:
threshold, distinct signals and anchors (`require_any`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.core.records import Evidence, TopicMatch
from pipeline.detect.matcher import resolve
from pipeline.detect.rules import CompiledTopic, NearSpec, Scoring, TopicSpec
from pipeline.detect.words import FIELDS, Hit, TextField
from pipeline.lang import ENGLISH, LanguageData


@dataclass(frozen=True, slots=True)
class TopicScore:
    """Everything about one topic for one item: the match plus why it passed or not."""

    match: TopicMatch
    threshold: float
    passed: bool
    signals: int
    reasons: tuple[str, ...]  # why it did not pass (empty when it passed)


def _factor(h: Hit, sc: Scoring, lead_end: int) -> float:
    if h.field == "title":
        return sc.title_factor
    return sc.lead_factor if h.tok < lead_end else 1.0


def lead_end(fld: TextField, sc: Scoring, sentence_break: re.Pattern[str]) -> int:
    """Words of the text's lead for `lead_secondary`: its first `lead_sentences` sentences, read whole however
    long they run (a lead's second half is still the lead); the first `lead_words` when `lead_sentences` is 0."""
    if not sc.lead_sentences:
        return sc.lead_words
    if not fld.matches:
        return 0
    stop = len(fld.text)
    for n, m in enumerate(sentence_break.finditer(fld.text), 1):
        if n == sc.lead_sentences:
            stop = m.start()
            break
    return fld.word_index(stop) + 1


def _decayed(weight: float, factors: list[float], sc: Scoring, cap: int | None) -> list[float]:
    limit = cap or sc.max_hits
    return [weight * f * sc.repeat_decay**i for i, f in enumerate(factors[:limit])]


def _near_pairs(
    near: NearSpec, by_field: dict[str, list[Hit]], fields: dict[str, TextField], sentence_break: re.Pattern[str]
) -> list[tuple[Hit, Hit]]:
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
                    if near.same_sentence and sentence_break.search(text, min(a.end, b.end), max(a.start, b.start) + 1):
                        continue
                    best, best_dist = bi, dist
            if best is not None:
                used_b.add(best)
                pairs.append((a, bs[best]))
    return pairs


def _near_term(fields: dict[str, TextField], a: Hit, b: Hit) -> tuple[str, int, int]:
    text = fields[a.field].text
    start, end = min(a.start, b.start), max(a.end, b.end)
    if end - start <= 80:
        return " ".join(text[start:end].split()), start, end
    first, second = (a, b) if a.start < b.start else (b, a)
    return f"{text[first.start : first.end]} … {text[second.start : second.end]}", start, end


def score_topic(
    topic: CompiledTopic,
    fields: dict[str, TextField],
    raw: dict[str, list[Hit]],
    lang: LanguageData = ENGLISH,
) -> TopicScore:
    """Score one topic from its raw hits per field: resolve, weigh, pair near rules, check the pass conditions."""
    spec, sc = topic.spec, topic.scoring
    if not any(raw.values()):  # fast path: nothing of this topic in the item
        why = (f"score 0.00 < threshold {spec.threshold:g}",)
        return TopicScore(TopicMatch(topic.name, 0.0, ()), spec.threshold, False, 0, why)
    evidence: list[Evidence] = []
    by_field: dict[str, list[Hit]] = {}
    for name, fld in fields.items():
        scoring, masks = resolve(raw[name], fld, spec, lang)
        by_field[name] = scoring
        for m in masks:
            evidence.append(Evidence(f"{topic.name}.{m.rule}", fld.text[m.start : m.end], name, m.start, m.end, 0.0))
    fired: set[str] = set()
    score = 0.0

    def factor(h: Hit) -> float:
        return _factor(h, sc, sc.lead_words)

    # term groups
    grouped: dict[str, list[Hit]] = {}
    for hits in by_field.values():
        for h in hits:
            grouped.setdefault(h.rule, []).append(h)
    for rid, hits in grouped.items():
        g = spec.groups[rid]
        if g.weight == 0:
            continue  # helper group: only used by near rules
        if g.only_if_any and not any(d in grouped for d in g.only_if_any):
            continue
        ordered = sorted(hits, key=lambda h: (-factor(h), FIELDS.index(h.field), h.start))
        weights = _decayed(g.weight, [factor(h) for h in ordered], sc, g.max_hits)
        for h, w in zip(ordered, weights, strict=False):
            text = fields[h.field].text
            evidence.append(Evidence(f"{topic.name}.{rid}", text[h.start : h.end], h.field, h.start, h.end, w))
            score += w
        fired.add(rid)
    # proximity rules
    for nid, near in spec.near.items():
        if near.only_if_any and not any(g in grouped for g in near.only_if_any):
            continue
        pairs = _near_pairs(near, by_field, fields, lang.sentence_break)
        if not pairs:
            continue
        pairs.sort(key=lambda p: (-max(factor(p[0]), factor(p[1])), FIELDS.index(p[0].field), p[0].start))
        factors = [max(factor(a), factor(b)) for a, b in pairs]
        for (a, b), w in zip(pairs, _decayed(near.weight, factors, sc, near.max_hits), strict=False):
            term, start, end = _near_term(fields, a, b)
            evidence.append(Evidence(f"{topic.name}.{nid}", term, a.field, start, end, w))
            score += w
        fired.add(nid)
    # a secondary topic stated in the lead: one of its institutions/meetings/officials there adds a bonus once
    secondary = spec.lead_secondary
    lead_hit = None
    if secondary is not None and "text" in fields:
        lead = lead_end(fields["text"], sc, lang.sentence_break)
        eligible = set(secondary.groups)
        lead_hit = next((h for h in by_field.get("text", []) if h.rule in eligible and h.tok < lead), None)
        if lead_hit is not None:
            text = fields["text"].text
            term = text[lead_hit.start : lead_hit.end]
            evidence.append(
                Evidence(f"{topic.name}.lead_secondary", term, "text", lead_hit.start, lead_hit.end, secondary.weight)
            )
            score += secondary.weight
    positive = {rid for rid in fired if (spec.groups[rid].weight if rid in spec.groups else spec.near[rid].weight) > 0}
    # Distinct signals: distinct words/phrases of positive groups ("Myanmar" five times is one signal,
    # "Myanmar" + "junta" are two) plus each positive near rule that fired.
    distinct_terms = {
        (h.rule, h.key or " ".join(fields[h.field].keys[h.tok : h.tok_end + 1]))
        for hits in by_field.values()
        for h in hits
        if h.rule in positive
    }
    signals = len(distinct_terms) + sum(1 for rid in positive if rid in spec.near) + (lead_hit is not None)
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


def may_pass(spec: TopicSpec, raw: dict[str, list[Hit]]) -> bool:
    """Cheap pre-check: could an anchor of `require_any` fire with these raw hits? (skip scoring if not)"""
    present = {h.rule for hits in raw.values() for h in hits}
    if not present:
        return False
    possible = set(present)
    for nid, near in spec.near.items():
        if any(g in present for g in near.a) and any(g in present for g in near.b):
            possible.add(nid)
    return spec.anchors_hold(possible)
