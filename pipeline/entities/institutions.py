"""State bodies and military units found by rules over the text, with their canonical names.

Why: spaCy's small model misses or mis-bounds many organisations of the desk's news: ministries ("Thailand's
Foreign Ministry", "Ministry of Electric Power"), embassies ("Kazakhstan's Embassy in Bangkok"), permanent
missions ("Russia's Permanent Mission to the UN"), commissions, councils, regional parliaments ("Chin State
Hluttaw") and numbered units ("Light Infantry Division 77", "LIB 250"). The rules here are generic: a head word
from the language data (`LanguageData.institution_heads`, `unit_heads`, `unit_abbreviations`) with the Title Case
words before it and an "of/in/to/for/on ..." tail after it. One institution gets one canonical name whatever the
wording, in the desk's form:

* ministries: "Ministry of <Portfolio> of <Country>" ("Russian Foreign Ministry", "Russia's Ministry of Foreign
  Affairs", "Ministry of Foreign Affairs of the Russian Federation" -> "Ministry of Foreign Affairs of Russia");
  without a country ("the Foreign Ministry") the country is left to the document resolver (`resolve.py`);
* embassies: "Embassy of <Country> in <Host country>" (a host city maps to its country through the gazetteer's
  `country` field); missions: "Permanent Mission of <Country> to <Organisation>";
* other bodies: as written, a leading country adjective moved to an "of <Country>" tail ("Russian Central
  Election Commission" -> "Central Election Commission of Russia") unless the gazetteer knows the name;
* units: "<ordinal> <words> <head>" ("Light Infantry Division 77", "LID 77" -> "77th Light Infantry Division").

A gazetteer name always wins over a built one. Pure functions over the text; no spaCy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from pipeline.entities.gazetteer import Gazetteer, GazetteerEntry
from pipeline.lang import ENGLISH, LanguageData

_CAP = r"[A-Z][\w'’.\-]*"
_WORD_RE = re.compile(r"[^\s]+")
_CAP_RE = re.compile(_CAP)
_POSSESSIVE_RE = re.compile(r"^(.+?)(?:['’]s|(?<=s)['’])$")
_TAIL_RE = re.compile(
    r"[ \t]+(?P<prep>of|in|to|for|on)[ \t]+(?:(?P<art>the)[ \t]+)?"
    rf"(?P<tail>{_CAP}(?:[ \t]+(?:(?:and|&|of|for|on)[ \t]+(?:the[ \t]+)?)?{_CAP})*)"
)


@dataclass(frozen=True, slots=True)
class Institution:
    """An ORG found by rule: its span, canonical name, kind, and (ministries) country and portfolio."""

    start: int
    end: int
    canonical: str
    kind: str  # "ministry" | "embassy" | "mission" | "body" | "unit"
    country: str | None = None
    portfolio: str = ""
    owner: tuple[int, int] | None = None  # "Russia" of "Russia's Foreign Ministry": a GPE mention of its own


@dataclass(frozen=True)
class _Rules:
    heads: re.Pattern[str] | None
    unit_gate: re.Pattern[str] | None  # a unit head anywhere in the text (cheap): only then `head_units` run
    head_units: tuple[re.Pattern[str], ...]  # "77th Light Infantry Division", "Light Infantry Division 77"
    abbr_units: tuple[re.Pattern[str], ...]  # "LID 77"
    lower_ministry: re.Pattern[str] | None  # "Russia's foreign ministry", "the Thai defence ministry"


@lru_cache(maxsize=16)
def _rules(lang: LanguageData) -> _Rules:
    heads = None
    if lang.institution_heads:
        heads = re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, lang.institution_heads))) + r")\b")
    units: list[re.Pattern[str]] = []
    abbr_units: list[re.Pattern[str]] = []
    gate = None
    if lang.unit_heads:
        gate = re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, lang.unit_heads))) + r")\b")
        head = "(?P<head>" + "|".join(sorted(map(re.escape, lang.unit_heads))) + ")"
        units.append(re.compile(rf"\b(?P<num>\d+)(?:st|nd|rd|th)[ \t]+(?P<words>(?:{_CAP}[ \t]+){{0,3}}){head}\b"))
        units.append(re.compile(rf"\b(?P<words>(?:{_CAP}[ \t]+){{1,3}}){head}[ \t]+(?:No\.?[ \t]*)?(?P<num>\d+)\b"))
    if lang.unit_abbreviations:
        abbr = "|".join(sorted(map(re.escape, lang.unit_abbreviations)))
        abbr_units.append(re.compile(rf"\b(?P<abbr>{abbr})[ \t-]?(?P<num>\d+)\b"))
    lower = None
    if lang.portfolios and "Ministry" in lang.ministry_heads:
        ports = "|".join(sorted(map(re.escape, lang.portfolios), key=len, reverse=True))
        lower = re.compile(
            rf"\b(?P<pre>[A-Z][\w.'’-]*(?:[ \t][A-Z][\w.'’-]*)?)[ \t]+(?P<port>{ports})[ \t]+(?P<head>ministry)\b"
        )
    return _Rules(heads, gate, tuple(units), tuple(abbr_units), lower)


def ordinal(n: int) -> str:
    """1 -> "1st", 12 -> "12th", 33 -> "33rd"."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def countries(gazetteer: Gazetteer, lang: LanguageData) -> frozenset[str]:
    """Canonical names that are countries: the targets of `country` fields and of the language's adjectives."""
    return _countries(gazetteer, lang)


@lru_cache(maxsize=16)
def _countries(gazetteer: Gazetteer, lang: LanguageData) -> frozenset[str]:
    out = set(lang.country_adjectives.values())
    out.update(e.country for e in gazetteer.entries if e.country)
    return frozenset(out)


def country_of(name: str, gazetteer: Gazetteer, lang: LanguageData) -> str | None:
    """The country a name stands for: a country ("Russia", "Russian Federation"), an adjective ("Russian",
    "U.S."), or a place/body with a `country` ("Yangon", "Kremlin")."""
    name = name.strip()
    if name in lang.country_adjectives:
        return lang.country_adjectives[name]
    entry = gazetteer.lookup(name)
    if entry is None:
        return None
    if entry.country:
        return entry.country
    return entry.canonical if entry.canonical in countries(gazetteer, lang) else None


def with_article(name: str, lang: LanguageData) -> str:
    """ "Philippines" -> "the Philippines" (names listed in `countries_with_article`)."""
    return f"the {name}" if name in lang.countries_with_article else name


def _prefix_words(
    text: str, head_start: int, lang: LanguageData
) -> tuple[list[tuple[int, int]], tuple[int, int] | None]:
    """The run of Title Case words right before a head (same line, single spaces) as (start, end) spans, and a
    possessive word before that run ("Russia's"), whose stem is returned separately."""
    window = text[max(0, head_start - 100) : head_start]
    base = head_start - len(window)
    words = [(m.start() + base, m.end() + base) for m in _WORD_RE.finditer(window)]
    run: list[tuple[int, int]] = []
    possessive: tuple[int, int] | None = None
    pos = head_start
    for s, e in reversed(words):
        if text[e:pos] not in (" ", "\t"):
            break
        word = text[s:e]
        if word in ("and", "&") and run:  # "Disaster and Emergency Management Authority"
            run.append((s, e))
            pos = s
            continue
        opening = len(word) - len(word.lstrip("‘“\"'(["))
        if opening:  # "‘Commonwealth War Graves Commission’": the name starts after the quote
            s, word = s + opening, word[opening:]
        if not _CAP_RE.fullmatch(word) or (word.endswith(".") and word.count(".") == 1):
            break
        if word in lang.institution_heads:  # "Interior Ministry and Federal Security Service": two bodies
            break
        stem = _POSSESSIVE_RE.match(word)
        if stem:
            possessive = (s, s + len(stem.group(1)))
            break
        if (word.lower() in lang.stop_words and not (word.isupper() and len(word) > 1)) or (
            word.lower() in lang.calendar_words
        ):
            break  # "The", "On", "Monday" (but "US" is a name)
        run.append((s, e))
        pos = s
        if opening:
            break
    while run and text[run[-1][0] : run[-1][1]] in ("and", "&"):
        run.pop()
    run.reverse()
    # a country adjective inside the run starts the name ("Lavrov Meets Thai Foreign Ministry" -> "Thai ...")
    for k in range(len(run) - 1, 0, -1):
        if text[run[k][0] : run[k][1]] in lang.country_adjectives:
            run = run[k:]
            break
    return run, possessive


def _cut_tail(tail: str, lang: LanguageData) -> tuple[str, bool]:
    """A tail's words up to a day/month name (with its connector) or a sentence-final dot; (words, cut short)."""
    keep: list[str] = []
    for word in tail.split():
        if word.rstrip(".").lower() in lang.calendar_words:
            while keep and keep[-1] in ("of", "for", "on", "and", "&", "the"):
                keep.pop()
            return " ".join(keep), True
        if word.endswith(".") and word.count(".") == 1:
            keep.append(word[:-1])
            return " ".join(keep), True
        keep.append(word)
    return " ".join(keep), False


def _tails(text: str, end: int, lang: LanguageData) -> list[tuple[str, str, bool, int]]:
    """Up to three "of/in/to/for/on [the] Title Case words" tails after `end`: (prep, words, article, end)."""
    out = []
    for _ in range(3):
        m = _TAIL_RE.match(text, end)
        if m is None:
            break
        tail, short = _cut_tail(m.group("tail"), lang)
        if not tail:
            break
        tail_end = m.start("tail") + len(tail)
        if text[m.start("tail") : tail_end] != tail:  # whitespace inside the tail: find the real end
            tail_end = m.start("tail") + len(" ".join(m.group("tail").split()[: len(tail.split())]))
        out.append((m.group("prep"), tail, m.group("art") is not None, tail_end))
        end = tail_end
        if short:
            break
    return out


def _lookup_canonical(name: str, gazetteer: Gazetteer) -> GazetteerEntry | None:
    entry = gazetteer.lookup(name)
    return entry if entry is not None and entry.type == "ORG" else None


def _split_country(words: str, gazetteer: Gazetteer, lang: LanguageData) -> tuple[str, str | None]:
    """ "Foreign Affairs of Russia" -> ("Foreign Affairs", "Russia"); no known country at the end -> (words, None)."""
    parts = re.split(r"[ \t]+of[ \t]+(?:the[ \t]+)?", words)
    if len(parts) > 1:
        country = country_of(parts[-1], gazetteer, lang)
        if country is not None or (gazetteer.lookup(parts[-1]) is None and len(parts[-1].split()) <= 2):
            return " of ".join(parts[:-1]), country or parts[-1]
    return words, None


def _portfolio(words: str, lang: LanguageData) -> str:
    return lang.portfolios.get(words.lower(), words)


def find_institutions(text: str, gazetteer: Gazetteer, lang: LanguageData = ENGLISH) -> list[Institution]:
    """Every state body and military unit the rules find in `text`, left to right, without overlaps."""
    rules = _rules(lang)
    found: list[Institution] = []
    if rules.heads is not None:
        for m in rules.heads.finditer(text):
            inst = _institution(text, m.start(), m.end(), gazetteer, lang)
            if inst is not None:
                found.append(_with_owner(text, inst, gazetteer, lang))
    unit_patterns = rules.abbr_units
    if rules.unit_gate is not None and rules.unit_gate.search(text):
        unit_patterns += rules.head_units
    for pattern in unit_patterns:
        for m in pattern.finditer(text):
            found.append(_unit(m, lang))
    if rules.lower_ministry is not None and "ministry" in text:
        for m in rules.lower_ministry.finditer(text):
            inst = _lower_ministry(m, gazetteer, lang)
            if inst is not None:
                found.append(_with_owner(text, inst, gazetteer, lang))
    found.sort(key=lambda i: (i.start, -(i.end - i.start)))
    out: list[Institution] = []
    for inst in found:
        if out and inst.start < out[-1].end:
            if inst.end - inst.start > out[-1].end - out[-1].start:
                out[-1] = inst
            continue
        out.append(inst)
    return out


_OWNER_RE = re.compile(rf"(?:({_CAP})[ \t]+)?({_CAP}?)(?:['’]s|(?<=s)['’])[ \t]+$")


def _with_owner(text: str, inst: Institution, gazetteer: Gazetteer, lang: LanguageData) -> Institution:
    """Record the possessive country word before an institution ("South Korea's Ministry ...") as its owner."""
    if inst.country is None:
        return inst
    base = max(0, inst.start - 60)
    m = _OWNER_RE.search(text, base, inst.start)
    if m is None or not m.group(2):
        return inst
    if m.group(1) and country_of(f"{m.group(1)} {m.group(2)}", gazetteer, lang) == inst.country:
        return replace(inst, owner=(m.start(1), m.end(2)))
    if country_of(m.group(2), gazetteer, lang) == inst.country:
        return replace(inst, owner=(m.start(2), m.end(2)))
    return inst


def _unit(m: re.Match[str], lang: LanguageData) -> Institution:
    groups = m.groupdict()
    n = int(groups["num"])
    start = m.start()
    if groups.get("abbr"):
        name = lang.unit_abbreviations[groups["abbr"]]
    else:
        spans = [(w.start(), w.group()) for w in _WORD_RE.finditer(m.string, m.start("words"), m.end("words"))]
        if m.start("words") == m.start():  # "The Light Infantry Division 77": leading stop words are not the name
            while spans and spans[0][1].lower() in lang.stop_words:
                spans.pop(0)
                start = spans[0][0] if spans else m.start("head")
        name = " ".join([*(w for _, w in spans), groups["head"]])
    return Institution(start, m.end(), f"{ordinal(n)} {name}", "unit")


def _lower_ministry(m: re.Match[str], gazetteer: Gazetteer, lang: LanguageData) -> Institution | None:
    pre = m.group("pre")
    stem = _POSSESSIVE_RE.match(pre)
    country = country_of(stem.group(1) if stem else pre, gazetteer, lang)
    if country is None:
        return None
    portfolio = _portfolio(m.group("port"), lang)
    name = f"Ministry of {portfolio} of {with_article(country, lang)}"
    entry = _lookup_canonical(name, gazetteer)
    start = m.start("port") if stem or pre.isupper() or "." in pre else m.start()
    return Institution(start, m.end(), entry.canonical if entry else name, "ministry", country, portfolio)


def _institution(text: str, hs: int, he: int, gazetteer: Gazetteer, lang: LanguageData) -> Institution | None:
    head = text[hs:he]
    run, owner = _prefix_words(text, hs, lang)
    possessive = text[owner[0] : owner[1]] if owner else None
    words = [text[s:e] for s, e in run]
    tails = _tails(text, he, lang)
    country: str | None = None
    adjective = ""  # a country adjective that opens the name ("Russian Foreign Ministry")
    start = run[0][0] if run else hs
    attributive = False  # "U.S. State Department": the abbreviation stays a GPE and out of the name
    if possessive is not None:
        country = country_of(possessive, gazetteer, lang)
        before = re.search(rf"({_CAP})[ \t]+{re.escape(possessive)}['’]s?[ \t]+$", text[max(0, start - 60) : start])
        if country is None and before:  # "South Korea's Ministry of ..."
            country = country_of(f"{before.group(1)} {possessive}", gazetteer, lang)
    if words:
        for n in (2, 1):
            if len(words) > n - 1 and " ".join(words[:n]) in lang.country_adjectives:
                cand = " ".join(words[:n])
                country = lang.country_adjectives[cand]
                adjective = cand
                words = words[n:]
                if cand.isupper() or "." in cand:
                    start = run[n][0] if len(run) > n else hs
                    adjective = ""
                    attributive = True
                break
    end = he
    if head in lang.mission_heads:
        return _mission(start, end, words, tails, country, gazetteer, lang)
    if head in lang.embassy_heads:
        if words or not (tails or country):
            return None  # "Consulate General", "Embassy Row": not this form
        of = next((t for t in tails if t[0] == "of"), None)
        if of is not None and tails[0] is of:
            country = country_of(of[1], gazetteer, lang) or of[1]
            end = of[3]
        host = next((t for t in tails if t[0] == "in"), None)
        if country is None:
            return None
        name = f"{head} of {with_article(country, lang)}"
        if host is not None and (of is None or tails.index(host) == tails.index(of) + 1 or tails[0] is host):
            where = country_of(host[1], gazetteer, lang) or host[1]
            name += f" in {with_article(where, lang)}"
            end = host[3]
        entry = _lookup_canonical(name, gazetteer)
        return Institution(start, end, entry.canonical if entry else name, "embassy", country)
    if head in lang.ministry_heads:
        portfolio = ""
        if words:
            portfolio = _portfolio(" ".join(words), lang)
            if head != "Ministry" and " ".join(words).lower() not in lang.portfolios:
                portfolio = ""  # "State Department": a name, not a portfolio
        elif tails and tails[0][0] == "of":
            portfolio, tail_country = _split_country(tails[0][1], gazetteer, lang)
            portfolio = _portfolio(portfolio, lang)
            country = tail_country or country
            end = tails[0][3]
        if portfolio:
            name = f"{head} of {portfolio}" + (f" of {with_article(country, lang)}" if country else "")
            entry = _lookup_canonical(name, gazetteer)
            return Institution(start, end, entry.canonical if entry else name, "ministry", country, portfolio)
    # any other body: Title Case words + head, and/or an "of/for/on ..." tail
    name_words = [*words, head]
    tail = tails[0] if tails and tails[0][0] in ("of", "for", "on") else None
    if tail is not None and any(w in lang.institution_heads for w in tail[1].split()):
        tail = None  # "Federation Council of the Federal Assembly": the tail is another body
    if tail is not None and not (tail[0] == "of" and country_of(tail[1], gazetteer, lang) and words):
        name_words += [tail[0]] + (["the"] if tail[2] else []) + tail[1].split()
        end = tail[3]
    elif tail is not None:  # "Security Council of Russia": the country tail
        country = country_of(tail[1], gazetteer, lang)
        end = tail[3]
    if len(name_words) < 2:
        return None
    if adjective:
        start = run[0][0]
    name = " ".join(name_words)
    full = f"{adjective} {name}" if adjective else name
    for candidate in (full, f"{name} of {with_article(country, lang)}" if country else "", name):
        entry = _lookup_canonical(candidate, gazetteer) if candidate else None
        if entry is not None:
            return Institution(start, end, entry.canonical, "body", country)
    if country and not attributive and (adjective != country or possessive is not None):
        canonical = f"{name} of {with_article(country, lang)}"
    else:
        canonical = full
    return Institution(start, end, canonical, "body", country)


def _mission(
    start: int,
    end: int,
    words: list[str],
    tails: list[tuple[str, str, bool, int]],
    country: str | None,
    gazetteer: Gazetteer,
    lang: LanguageData,
) -> Institution | None:
    target: str | None = None
    rest = [w for w in words if w != "Permanent"]
    for w in rest:  # "Russia's UN Mission"
        entry = gazetteer.lookup(w)
        if entry is not None and entry.type == "ORG":
            target = entry.canonical
    if len(rest) > (1 if target else 0):
        return None  # "Fact-Finding Mission": another kind of body
    for prep, tail, _art, tail_end in tails:
        if prep == "of" and country is None:
            country = country_of(tail, gazetteer, lang) or tail
            end = tail_end
        elif prep == "to" and target is None:
            entry = gazetteer.lookup(tail)
            target = entry.canonical if entry is not None else tail
            end = tail_end
        else:
            break
    if country is None or target is None:
        return None
    name = f"Permanent Mission of {with_article(country, lang)} to {with_article(target, lang)}"
    entry = _lookup_canonical(name, gazetteer)
    return Institution(start, end, entry.canonical if entry else name, "mission", country)
