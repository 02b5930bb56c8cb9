"""Document-level resolution of the names one entity goes by: rule-found institutions merged with spaCy's
mentions, bare references bound to the fuller form of the same story, and spelling variants collapsed.

* `merge_institutions`: the institution rules' spans (`institutions.py`) replace the model's overlapping or
  nested mentions, unless a gazetteer name already covers them;
* `resolve_bare_ministries`: "the Foreign Ministry" takes the country of a qualified ministry of the same story
  (same portfolio first, then any ministry, then any country-bound institution), else the story's country (a
  dateline city's country, else the country the story names most);
* `link_bare_heads`: a capitalised bare head word ("the Council", "a Council diplomat", "the Commission") takes
  the one institution of the story with that head; unresolved bare heads are dropped (never a useful facet);
* `link_name_variants`: first-name transliterations ("Yury"/"Yuri", "Sergey"/"Sergei") -> the gazetteer's person,
  else one canonical spelling (`LanguageData.name_variants`) so stories agree;
* `link_regions`: "Kursk Oblast" and a bare "Kursk" in one story, "Sagaing Region" -> the gazetteer's "Sagaing",
  "northern Shan" -> "Shan State";
* `link_truncated`: a cut-off ORG name ("Ta'ang National Liberation") -> the one longer ORG it begins;
* `unify_case`: ALL-CAPS and differently punctuated forms of one name share one canonical name.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from pipeline.entities.gazetteer import Gazetteer, match_key
from pipeline.entities.institutions import Institution, country_of, with_article
from pipeline.entities.mention import Mention
from pipeline.lang import LanguageData

_DATELINE_RE = re.compile(r"\s*([A-Z][A-Z'’.\- ]{2,40}?)(?:,|\s*\(|\s+[-–—])")


def merge_institutions(
    mentions: list[Mention], found: list[Institution], text: str, gazetteer: Gazetteer
) -> list[Mention]:
    """Add the rule-found institutions; the model's mentions overlapping them (and gazetteer names nested in
    them) give way, but an institution inside or across a gazetteer name gives way to that name."""
    if not found:
        return mentions
    gaz = [m for m in mentions if m.from_gazetteer]
    model_orgs = [m for m in mentions if not m.from_gazetteer and m.label == "ORG"]
    kept: list[Institution] = []
    for f in found:
        if f.kind in ("body", "unit") and any(
            m.start <= f.start and f.end <= m.end and (m.end - m.start) > (f.end - f.start) for m in model_orgs
        ):
            continue  # the model's longer name ("People's Military Service Law") is the better span
        if any(
            (m.start < f.end and f.start < m.end and not (f.start <= m.start and m.end <= f.end))
            or (m.label == "ORG" and m.start == f.start and _qualifier_tail(text, m.end, f.end, gazetteer, f))
            for m in gaz
        ):
            for m in gaz:  # the gazetteer name covers it: keep what the rules know (country, portfolio) on it
                if m.start <= f.start and f.end <= m.end and m.inst is None and m.label == "ORG":
                    m.inst = f
            continue
        kept.append(f)
    if not kept:
        return mentions
    out = [m for m in mentions if not any(m.start < f.end and f.start < m.end for f in kept)]
    for f in kept:
        entry = gazetteer.by_canonical.get(f.canonical)
        out.append(Mention(text[f.start : f.end], "ORG", f.canonical, f.start, f.end, entry is not None, inst=f))
        if f.owner is not None and f.country and not any(m.start < f.owner[1] and f.owner[0] < m.end for m in out):
            known = gazetteer.by_canonical.get(f.country)
            label = known.type if known is not None else "GPE"
            a, b = f.owner
            out.append(Mention(text[a:b], label, f.country, a, b, known is not None))
    out.sort(key=lambda m: (m.start, m.end))
    return out


def _qualifier_tail(text: str, end: int, f_end: int, gazetteer: Gazetteer, f: Institution) -> bool:
    """A gazetteer name followed by an "of/for/on ..." tail inside a rule span ("Federation Council of the
    Federal Assembly"): the gazetteer name is the entity, unless the whole span is itself a gazetteer name."""
    if end >= f_end or f.canonical in gazetteer.by_canonical:
        return False
    return bool(re.match(r"\s+(?:of|for|on)\s", text[end:f_end]))


def _one(values: set[str]) -> str | None:
    return next(iter(values)) if len(values) == 1 else None


def story_country(mentions: list[Mention], text: str, gazetteer: Gazetteer, lang: LanguageData) -> str | None:
    """The country a story is set in: its dateline city's ("YANGON (dpa) -"), else the country it names most
    (countries, their adjectives and their places), when one leads."""
    m = _DATELINE_RE.match(text)
    if m:
        country = country_of(m.group(1).strip(), gazetteer, lang)
        if country:
            return country
    counts: Counter[str] = Counter()
    for men in mentions:
        if men.label in ("GPE", "NORP", "LOC"):
            country = country_of(men.canonical, gazetteer, lang) or lang.country_adjectives.get(men.text)
            if country:
                counts[country] += 1
    top = counts.most_common(2)
    if top and (len(top) == 1 or top[0][1] > top[1][1]):
        return top[0][0]
    return None


def resolve_bare_ministries(mentions: list[Mention], text: str, gazetteer: Gazetteer, lang: LanguageData) -> None:
    """ "the Foreign Ministry" with no country -> the ministry of the story's country (see module docstring)."""
    bare = [m for m in mentions if m.inst is not None and m.inst.kind == "ministry" and m.inst.country is None]
    if not bare:
        return
    qualified = [m.inst for m in mentions if m.inst is not None and m.inst.country]
    fallback: list[str | None] = []
    for m in bare:
        assert m.inst is not None
        if m.canonical != m.inst.canonical:
            continue  # already linked to a fuller name of the story
        ministries = [f for f in qualified if f.kind == "ministry"]
        country = (
            _one({f.country for f in ministries if f.portfolio == m.inst.portfolio and f.country})
            or _one({f.country for f in ministries if f.country})
            or _one({f.country for f in qualified if f.country})
        )
        if country is None:
            if not fallback:
                fallback.append(story_country(mentions, text, gazetteer, lang))
            country = fallback[0]
        if country is None:
            continue
        name = f"{m.canonical} of {with_article(country, lang)}"
        entry = gazetteer.lookup(name)
        m.canonical = entry.canonical if entry is not None and entry.type == "ORG" else name
        m.from_gazetteer = m.from_gazetteer or entry is not None


@lru_cache(maxsize=16)
def _bare_head_re(heads: frozenset[str]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, heads))) + r")\b")


def _head_of(canonical: str, heads: frozenset[str]) -> str | None:
    for word in canonical.split():
        if word in heads:
            return word
    return None


def link_bare_heads(mentions: list[Mention], text: str, lang: LanguageData) -> list[Mention]:
    """A capitalised bare head word ("the Council") takes the one ORG of the story with that head word."""
    heads = lang.institution_heads
    if not heads:
        return mentions
    targets: dict[str, set[str]] = {}
    first: dict[str, Mention] = {}
    for m in mentions:
        if m.label == "ORG" and " " in m.canonical:
            head = _head_of(m.canonical, heads)
            if head is not None:
                targets.setdefault(head, set()).add(m.canonical)
                first.setdefault(m.canonical, m)
    out: list[Mention] = []
    covered: list[tuple[int, int]] = []
    for m in mentions:
        if m.text in heads and not m.from_gazetteer:  # the model's bare "Council"
            target = _one(targets.get(m.text, set()))
            if target is None:
                continue
            src = first[target]
            m.canonical, m.label, m.from_gazetteer = target, src.label, src.from_gazetteer
        out.append(m)
        covered.append((m.start, m.end))
    if not targets:
        return out
    added = False
    for hit in _bare_head_re(frozenset(targets)).finditer(text):
        s, e = hit.span()
        if any(a < e and s < b for a, b in covered):
            continue
        before = text[max(0, s - 30) : s].split()
        prev = before[-1] if before else ""
        if prev[:1].isupper() and prev.lower() not in ("the", "a", "an", "this", "that"):
            continue  # part of a longer name the rules did not take
        if re.match(r"[ \t]+(?:of|for|on)[ \t]+[A-Z]", text[e : e + 6]):
            continue
        target = _one(targets[hit.group()])
        if target is None:
            continue
        src = first[target]
        out.append(Mention(hit.group(), src.label, target, s, e, src.from_gazetteer))
        added = True
    if added:
        out.sort(key=lambda m: (m.start, m.end))
    return out


@lru_cache(maxsize=16)
def _name_groups(lang: LanguageData) -> dict[str, tuple[str, ...]]:
    return {group[0]: group for group in lang.name_variants}


def link_name_variants(mentions: list[Mention], gazetteer: Gazetteer, lang: LanguageData) -> None:
    """First-name transliterations: the gazetteer's person under any spelling, else the canonical spelling."""
    if not lang.name_variants:
        return
    forms = lang.first_name_forms
    groups = _name_groups(lang)
    for m in mentions:
        if m.label != "PERSON" or m.from_gazetteer:
            continue
        words = m.canonical.split()
        if len(words) < 2:
            continue
        canonical_first = forms.get(words[0].lower())
        if canonical_first is None:
            continue
        rest = words[1:]
        for variant in groups[canonical_first]:
            entry = gazetteer.lookup(" ".join([variant, *rest]))
            if entry is not None and entry.type == "PERSON":
                m.canonical, m.from_gazetteer = entry.canonical, True
                break
        else:
            m.canonical = " ".join([canonical_first, *rest])


_DIRECTION_RE = re.compile(r"(?:northern|southern|eastern|western|central|upper|lower)[ \t]+$", re.IGNORECASE)


def link_regions(mentions: list[Mention], text: str, gazetteer: Gazetteer, lang: LanguageData) -> None:
    """A region with and without its suffix ("State", "Region", "Oblast") is one place."""
    suffixes = lang.region_suffixes
    if not suffixes:
        return
    regions: dict[str, Mention] = {}
    for m in mentions:
        words = m.canonical.split()
        if m.label not in ("GPE", "LOC") or len(words) < 2 or words[-1] not in suffixes:
            continue
        if not m.from_gazetteer:
            entry = gazetteer.lookup(" ".join(words[:-1]))
            if entry is not None and entry.type in ("GPE", "LOC"):
                m.canonical, m.label, m.from_gazetteer = entry.canonical, entry.type, True
                continue
        regions.setdefault(match_key(" ".join(words[:-1])), m)
    for m in mentions:
        if m.from_gazetteer or " " in m.canonical:
            continue
        key = match_key(m.canonical)
        if m.label in ("GPE", "LOC") and key in regions:
            src = regions[key]
            m.canonical, m.label, m.from_gazetteer = src.canonical, src.label, src.from_gazetteer
        elif m.label in ("NORP", "GPE", "LOC", "PERSON", "ORG") and _DIRECTION_RE.search(text, 0, m.start):
            # "northern Shan": a place; take the gazetteer's region of that name
            for suffix in sorted(suffixes):
                entry = gazetteer.lookup(f"{m.canonical} {suffix}")
                if entry is not None and entry.type in ("GPE", "LOC"):
                    m.canonical, m.label, m.from_gazetteer = entry.canonical, entry.type, True
                    break


def link_truncated(mentions: list[Mention]) -> None:
    """A non-gazetteer ORG of >= 2 words that begins exactly one longer ORG of the story takes its name."""
    orgs = {m.canonical: match_key(m.canonical).split() for m in mentions if m.label == "ORG"}
    for m in mentions:
        if m.label != "ORG" or m.from_gazetteer:
            continue
        toks = match_key(m.canonical).split()
        if len(toks) < 2:
            continue
        fits = [c for c, t in orgs.items() if len(t) > len(toks) and t[: len(toks)] == toks and c != m.canonical]
        if len(fits) == 1:
            src = next(x for x in mentions if x.canonical == fits[0])
            m.canonical, m.from_gazetteer = src.canonical, src.from_gazetteer


def _title(name: str) -> str:
    return " ".join(w.capitalize() if len(w) > 2 and w.isalpha() else w for w in name.split())


def _typographic_caps(m: Mention, text: str) -> bool:
    """The mention is in capitals because its line is (an ALL-CAPS headline) or it opens a dateline
    ("LAS VEGAS (AP) -"), not because it is an acronym ("NFL MVP")."""
    line_start = text.rfind("\n", 0, m.start) + 1
    line_end = text.find("\n", m.end)
    line = text[line_start : len(text) if line_end == -1 else line_end]
    if line.upper() == line:
        return True
    return not text[line_start : m.start].strip() and bool(re.match(r"\s*(?:,|\(|[-–—])", text[m.end : m.end + 3]))


def unify_case(mentions: list[Mention], text: str) -> None:
    """Canonical names equal but for case or punctuation share the first mixed-case one; an ALL-CAPS name of
    several words with no mixed-case twin, written so by typography, is title-cased ("KYAW ZAW OO" -> "Kyaw Zaw
    Oo" in a capitals headline or a dateline)."""
    chosen: dict[str, tuple[tuple[int, int], str]] = {}
    for m in mentions:
        key = match_key(m.canonical)
        rank = (0 if m.from_gazetteer else 1, 1 if m.canonical.isupper() else 0)
        if key not in chosen or rank < chosen[key][0]:
            chosen[key] = (rank, m.canonical)
    for m in mentions:
        name = chosen[match_key(m.canonical)][1]
        if name.isupper() and " " in name and not m.from_gazetteer and _typographic_caps(m, text):
            name = _title(name)
        m.canonical = name
