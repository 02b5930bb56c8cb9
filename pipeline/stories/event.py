"""What "the same event" means: an article's event features and the similarity of two articles (pure).

A story is an event: every outlet's report of one happening, in any wording or length. Two reports are compared on
signals that each mean "same event" (after Miranda et al., EMNLP 2018: several TF-IDF sub-vectors plus time):

- `lead`: TF-IDF cosine of title + lead (the first `LEAD_CHARS` characters), where reports state the event;
- `body`: TF-IDF cosine of the whole text;
- `entities`: overlap of the canonical people, organisations and places (rarer names weigh more);
- `specifics`: the figures, explicit dates, weekdays and places in a series ("ninth consecutive") the reports
  name. Each kind both have is an agreement when they share one and a conflict when they share none (two
  central-bank decisions, two verdicts, two meetings on different days use the same words but different figures,
  dates and places in their series);
- `days`: publication dates more than `WINDOW` apart never join (an unknown date never vetoes); an undated report
  whose named dates all lie outside the window of the other's publication day is penalised (`named_dates`).

Term weights are inverse word frequencies from `wordfreq` (per language; no corpus state, so a rerun or another
worker computes the same weights). Everything here is deterministic and free of I/O; `stored`/`from_stored` give
the compact form kept in the index (`event_sig`) so candidates are compared without re-reading their text.
"""

from __future__ import annotations

import heapq
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache, lru_cache
from typing import Any

from pipeline.core.timeutil import to_utc_opt
from pipeline.lang import LanguageData, for_language, primary

__all__ = ["EventFeatures", "Match", "features", "from_stored", "retrieval_keys", "similarity", "stored", "zipf"]

LEAD_CHARS = 400  # title + this much of the text is the "lead" sub-vector
WINDOW = timedelta(days=3)  # reports of one event appear within days; never join articles further apart
# signal weights and the joining threshold (one set for every language; measured on the team's fixtures and the
# development set, see docs/clustering.md)
W_LEAD, W_BODY, W_ENTITIES = 0.35, 0.35, 0.30
W_AGREE = 0.05  # both reports name the same main actors
# per kind of specific: (bonus when both name one in common, penalty when both name some but none in common).
# A shared explicit date is strong evidence; different single figures are common in independent reports, so a
# figure conflict needs two or more figures on each side.
SPECIFICS = {"figures": (0.05, 0.15), "dates": (0.10, 0.05), "weekdays": (0.05, 0.15), "series": (0.10, 0.30)}
MIN_FIGURES_FOR_CONFLICT = 2
W_ACTOR_CONFLICT = 0.15  # a main actor (a person in one lead) the other report never names
W_NAMED_DATES_FAR = 0.1  # an undated report whose named dates all lie more than the window from the other's publication
W_DAY = 0.2  # per day of publication gap beyond the first (reports of one event cluster within a day or so)
THRESHOLD = 0.45
# reports in different languages: the entity overlap alone carries the weight of all three sub-vectors
# (W_LEAD + W_BODY + W_ENTITIES, renormalised over the one signal that exists across languages)
W_CROSS_ENTITIES = 1.0
MIN_CROSS_SHARED = 2  # ... and only when they share this many names (one shared country is no event)
ENTITY_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "EVENT"})
RETRIEVAL_ENTITIES = 8  # entities among an article's retrieval keys (the rarest)
MAX_TERMS = 40  # terms kept per sub-vector in the stored form (the tail weighs almost nothing)
MAX_ZIPF = 8.0  # a word's weight is MAX_ZIPF - its Zipf frequency (how common it is), floored at a small value
MIN_WEIGHT = 0.5
MIN_ZIPF_KEPT = 2.0  # words rarer than this (once per 10 million words) weigh as unknown ones

# typographic apostrophes read as the ASCII one, so "junta’s" and "junta's" are one word (Snowball drops "'s")
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "‘": "'"})
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_NUMBER = re.compile(r"\d[\d,.]*\d|\d")


@dataclass(frozen=True, slots=True)
class EventFeatures:
    """The event signals of one article: two unit TF-IDF vectors, canonical entities and the specifics it names."""

    lead: Mapping[str, float]
    body: Mapping[str, float]
    entities: frozenset[str] = frozenset()
    figures: frozenset[str] = frozenset()
    dates: frozenset[str] = frozenset()  # "MM-DD" of dates named in the text
    weekdays: frozenset[int] = frozenset()
    series: frozenset[int] = frozenset()  # places in a series the report names ("the ninth consecutive rise": 9)
    actors: frozenset[str] = frozenset()  # people named in the lead: the event's main actors
    names: frozenset[str] = frozenset()  # lower-cased words of every name the report mentions (actor matching)
    published_at: datetime | None = None
    lang: str = "en"


@dataclass(frozen=True, slots=True)
class Match:
    """How similar two articles are: the score that decides and the signals that made it (for analysts)."""

    score: float
    signals: dict[str, float] = field(default_factory=dict)

    def explain(self) -> dict[str, Any]:
        return {"score": round(self.score, 3), "signals": {k: round(v, 3) for k, v in self.signals.items()}}


@cache
def _zipfs(code: str) -> Mapping[str, float]:
    """Word -> Zipf frequency (log10 of its count per billion words) for a language from wordfreq's own word list
    (English for a language it lacks), words down to `MIN_ZIPF_KEPT` only (rarer ones weigh as unknown words).

    The list file is streamed (its documented "cBpack" form: gzipped msgpack, a header then one list of words
    per centibel of frequency, most frequent first) instead of `get_frequency_dict`, which keeps the whole list
    and a dict of it cached: about 365 MB per process for the desk's eleven languages against about 150 here.
    `zipf_frequency` is not used either: it tokenises every word first, which needs extra segmenters for Chinese
    and Japanese."""
    import gzip

    import msgpack
    from wordfreq import available_languages

    paths = available_languages("best")
    out: dict[str, float] = {}
    with gzip.open(paths.get(code) or paths["en"], "rb") as f:
        unpacker = msgpack.Unpacker(f, raw=False)
        buckets = unpacker.read_array_header() - 1
        header = unpacker.unpack()
        if not isinstance(header, dict) or header.get("format") != "cB":
            raise ValueError(f"unexpected wordfreq list header for {code!r}: {header!r}")
        for centibels in range(buckets):
            zipf = 9.0 - centibels / 100  # the list's n-th bucket holds the words of frequency 10 ** (-n / 100)
            if zipf < MIN_ZIPF_KEPT:
                break
            for word in unpacker.unpack():
                out[word] = zipf
    return out


def zipf(word: str, code: str) -> float:
    """A lower-cased word's Zipf frequency in a language (0.0 when unknown or rarer than `MIN_ZIPF_KEPT`)."""
    return _zipfs(code).get(word, 0.0)


@lru_cache(maxsize=200_000)  # bounded: a long-running worker sees an open-ended vocabulary
def _weight(word: str, code: str) -> float:
    """How rare a word is: `MAX_ZIPF` minus its Zipf frequency (unknown words weigh the most), floored."""
    return max(MIN_WEIGHT, MAX_ZIPF - zipf(word, code))


@cache
def _stemmer(name: str) -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer(name) if name else None


@lru_cache(maxsize=200_000)  # Snowball in pure Python is most of a report's feature time; words repeat a lot
def _stem(word: str, snowball: str) -> str:
    return str(_stemmer(snowball).stemWord(word))


@cache
def _lexical_stop(data: LanguageData) -> frozenset[str]:
    """Words left out of the lexical vectors: stop words, and weekday and month names, which are specifics with a
    signal of their own (counted twice, two events on a Thursday would look alike in their wording too)."""
    return data.stop_words | frozenset(data.weekday_names) | frozenset(data.month_names)


def _vectors(text: str, data: LanguageData, lead_chars: int) -> tuple[dict[str, float], dict[str, float]]:
    """Unit TF-IDF vectors over word stems (so "sentenced" and "sentence" meet) of the lead (the words that end
    within `lead_chars`) and of the whole text, from one pass over the words; weights from word rarity."""
    lead: dict[str, int] = {}
    body: dict[str, int] = {}
    weights: dict[str, float] = {}
    stop, snowball, code = _lexical_stop(data), data.snowball, data.code
    for m in _WORD.finditer(text.lower().translate(_APOSTROPHES)):
        w = m.group()
        if len(w) < 2 or w in stop:
            continue
        st = _stem(w, snowball) if snowball else w
        body[st] = body.get(st, 0) + 1
        if m.end() <= lead_chars:
            lead[st] = lead.get(st, 0) + 1
        if st not in weights:
            weights[st] = _weight(w, code)
    return (_unit({st: (1.0 + math.log(c)) * weights[st] for st, c in lead.items()}),
            _unit({st: (1.0 + math.log(c)) * weights[st] for st, c in body.items()}))  # fmt: skip


def _unit(vec: Mapping[str, float]) -> dict[str, float]:
    top = sorted(vec.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_TERMS]
    norm = math.sqrt(sum(v * v for _, v in top)) or 1.0
    return {w: v / norm for w, v in top}


def _figures(text: str) -> frozenset[str]:
    """Figures that identify an event: amounts, counts, rates; not years, days of a month or 0-31 counts."""
    out = set()
    for raw in _NUMBER.findall(text):
        plain = raw.rstrip(".,").replace(",", "")
        try:
            value = float(plain)
        except ValueError:
            continue
        if "." not in plain and (value <= 31 or 1900 <= value <= 2100):
            continue
        out.add(plain)
    return frozenset(out)


@cache
def _date_patterns(code: str) -> tuple[re.Pattern[str], re.Pattern[str]] | None:
    data = for_language(code)
    if not data.month_names:
        return None
    months = "|".join(sorted((re.escape(m) for m in data.month_names), key=len, reverse=True))
    day_month = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({months})\b\.?", re.IGNORECASE)
    month_day = re.compile(rf"\b({months})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b", re.IGNORECASE)
    return day_month, month_day


# Month and day written with the CJK markers (7月13日, 7월 13일): the same in every language that uses them.
_CJK_DATE = re.compile(r"(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]")


def _dates(text: str, data: LanguageData) -> frozenset[str]:
    out = {f"{int(m):02d}-{int(d):02d}" for m, d in _CJK_DATE.findall(text) if 1 <= int(m) <= 12 and 1 <= int(d) <= 31}
    patterns = _date_patterns(data.code)
    if patterns is None:
        return frozenset(out)
    day_month, month_day = patterns
    found = [(m.group(2), m.group(1)) for m in day_month.finditer(text)]
    found += [(m.group(1), m.group(2)) for m in month_day.finditer(text)]
    for month, day in found:
        n = data.month_names.get(month.lower().rstrip("."))
        if n and 1 <= int(day) <= 31:
            out.add(f"{n:02d}-{int(day):02d}")
    return frozenset(out)


@cache
def _series_pattern(code: str) -> re.Pattern[str] | None:
    data = for_language(code)
    if not data.series_words or not data.ordinal_words:
        return None
    words = "|".join(sorted(map(re.escape, data.ordinal_words), key=len, reverse=True))
    suffixes = "|".join(map(re.escape, data.ordinal_suffixes)) or "(?!)"
    series = "|".join(sorted(map(re.escape, data.series_words)))
    return re.compile(rf"\b(?:(\d{{1,3}})(?:{suffixes})|({words}))[-\s]+(?:{series})\b", re.IGNORECASE)


def _series(text: str, data: LanguageData) -> frozenset[int]:
    """Places in a series: an ordinal before a series word ("ninth consecutive", "10th straight"). A rate rise,
    a round of talks or a term in a series is one event per place, so two reports naming different places report
    different events."""
    pattern = _series_pattern(data.code)
    if pattern is None:
        return frozenset()
    return frozenset(int(m.group(1)) if m.group(1) else data.ordinal_words[m.group(2).lower()]
                     for m in pattern.finditer(text))  # fmt: skip


def _weekdays(text: str, data: LanguageData) -> frozenset[int]:
    if not data.weekday_names:
        return frozenset()
    return frozenset(data.weekday_names[w] for w in _WORD.findall(text.lower()) if w in data.weekday_names)


def features(title: str, text: str, entities: Iterable[tuple[str, str] | tuple[str, str, int]] = (),
             published_at: datetime | None = None, lang: str | None = None) -> EventFeatures:  # fmt: skip
    """The event features of one article; `entities` are (label, canonical name[, start offset]) from extraction
    (offsets into title + blank line + text, as the extractor reads it)."""
    data = for_language(lang)
    full = f"{title}\n{text}" if title else text
    ents = list(entities)
    lead, body = _vectors(full, data, LEAD_CHARS)
    return EventFeatures(
        lead=lead,
        body=body,
        entities=frozenset(e[1] for e in ents if e[0] in ENTITY_LABELS and e[1]),
        actors=frozenset(e[1] for e in ents if e[0] == "PERSON" and e[1] and len(e) > 2 and e[2] < LEAD_CHARS),
        names=frozenset(w for e in ents for w in _name_words(e[1])) | _capitalised(full),
        figures=_figures(full),
        dates=_dates(full, data),
        weekdays=_weekdays(full, data),
        series=_series(full, data),
        published_at=to_utc_opt(published_at),
        lang=primary(lang) or data.code,  # the article's own language, also one without data of its own
    )


_CAPITALISED = re.compile(r"\b[^\W\d_a-z][^\W\d_]{2,}")


def _capitalised(text: str) -> frozenset[str]:
    """Lower-cased capitalised words of a text: names the entity extractor may have missed or split."""
    return frozenset(w.lower() for w in _CAPITALISED.findall(text))


def _name_words(name: str) -> list[str]:
    return [w for w in _WORD.findall(name.lower().replace("-", " ")) if len(w) >= 3]


def _names_actor(actor: str, names: frozenset[str]) -> bool:
    """Whether a report's names include any word of `actor` (spellings and NER splits differ between outlets)."""
    return any(w in names for w in _name_words(actor))


def _cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(w, 0.0) for w, v in a.items())


@cache
def _entity_weight(name: str) -> float:
    words = _WORD.findall(name.lower())
    return max((_weight(w, "en") for w in words), default=1.0)


@lru_cache(maxsize=50_000)  # a candidate's entity set is compared with every new article of its batch
def _entity_total(names: frozenset[str]) -> float:
    return sum(_entity_weight(n) for n in names)


def _entity_overlap(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    shared = sum(_entity_weight(n) for n in a & b)
    return shared / min(_entity_total(a), _entity_total(b))


def _entity_cosine(a: frozenset[str], b: frozenset[str]) -> float:
    """Symmetric overlap of two entity sets (rarer names weigh more): a short report's one or two names do not
    make it "contained" in every longer report that also names them, as they would under `_entity_overlap`."""
    if not a or not b:
        return 0.0
    shared = sum(_entity_weight(n) for n in a & b)
    return shared / math.sqrt(_entity_total(a) * _entity_total(b))


def similarity(a: EventFeatures, b: EventFeatures, window: timedelta = WINDOW) -> Match:
    """How likely two articles report the same event (>= `THRESHOLD`: same event), with the deciding signals."""
    days = None
    if a.published_at is not None and b.published_at is not None:
        gap = abs(a.published_at - b.published_at)
        days = gap.total_seconds() / 86400
        if gap > window:
            return Match(0.0, {"days": round(days, 2), "outside_window": 1.0})
    if a.lang != b.lang:
        # Two languages share no words: the lexical sub-vectors mean nothing, so the weights are renormalised over
        # the signals that exist across languages - the canonical (English) entities; the actors, specifics and
        # time below are language-independent and count as for one language.
        shared = a.entities & b.entities
        overlap = _entity_cosine(a.entities, b.entities) if len(shared) >= MIN_CROSS_SHARED else 0.0
        signals = {"entities": overlap, "cross_language": 1.0}
        score = W_CROSS_ENTITIES * overlap
    elif a.entities and b.entities:
        signals = {"lead": _cosine(a.lead, b.lead), "body": _cosine(a.body, b.body)}
        signals["entities"] = _entity_overlap(a.entities, b.entities)
        score = W_LEAD * signals["lead"] + W_BODY * signals["body"] + W_ENTITIES * signals["entities"]
    else:  # a report without extracted entities: no evidence either way, so the text signals carry the score
        signals = {"lead": _cosine(a.lead, b.lead), "body": _cosine(a.body, b.body)}
        score = (W_LEAD * signals["lead"] + W_BODY * signals["body"]) / (W_LEAD + W_BODY)
    if a.actors and b.actors:
        # a main actor of one report that the other never names: a different meeting, visit or verdict - unless
        # the two share an explicit date or a figure, concrete agreement that outweighs a name one report left out
        # (a quoted official, a counterpart) or one that entity linking missed (0: neither way)
        missing = any(not _names_actor(x, b.names) for x in a.actors) or any(
            not _names_actor(x, a.names) for x in b.actors
        )
        if missing and (a.dates & b.dates or a.figures & b.figures):
            signals["actors"] = 0.0
        else:
            signals["actors"] = -1.0 if missing else 1.0
            score += -W_ACTOR_CONFLICT if missing else W_AGREE
    for kind, x, y in (("figures", a.figures, b.figures), ("dates", a.dates, b.dates),
                       ("weekdays", a.weekdays, b.weekdays), ("series", a.series, b.series)):  # fmt: skip
        if x and y:
            bonus, penalty = SPECIFICS[kind]
            if x & y:
                signals[kind] = 1.0
                score += bonus
            elif kind != "figures" or min(len(x), len(y)) >= MIN_FIGURES_FOR_CONFLICT:
                signals[kind] = -1.0
                score -= penalty
    if days is not None:
        signals["days"] = round(days, 2)
        score -= W_DAY * max(0.0, days - 1.0)
    elif _named_dates_far(a, b) or _named_dates_far(b, a):
        signals["named_dates"] = -1.0
        score -= W_NAMED_DATES_FAR
    return Match(score, signals)


def _day_of_year(month_day: str) -> int:
    """A position on a 372-day month-day circle (31 per month): enough to tell "within days" from "weeks apart"."""
    month, day = month_day.split("-")
    return (int(month) - 1) * 31 + int(day)


def _named_dates_far(undated: EventFeatures, dated: EventFeatures) -> bool:
    """An undated report names dates, and none of them lies within the window of the other report's publication
    day (last month's rate decision, last year's summit): its text places it at another time. The year is not
    known, so only month and day count; a report naming the event's date next to older ones is not "far"."""
    if undated.published_at is not None or dated.published_at is None or not undated.dates:
        return False
    when = _day_of_year(dated.published_at.strftime("%m-%d"))
    limit = WINDOW.days + 1
    return all(min(abs(_day_of_year(d) - when), 372 - abs(_day_of_year(d) - when)) > limit for d in undated.dates)


def retrieval_keys(f: EventFeatures, terms: int = 12, entities: int = RETRIEVAL_ENTITIES) -> list[str]:
    """Keyword keys that find candidate reports in the index: the lead's rarest-weighted terms and the rarest
    entities (a long report names dozens; "Myanmar" in every story only makes the index score more documents)."""
    top = heapq.nsmallest(terms, f.lead.items(), key=lambda kv: (-kv[1], kv[0]))
    rare = heapq.nsmallest(entities, f.entities, key=lambda e: (-_entity_weight(e), e))
    return [f"t:{w}" for w, _ in top] + [f"e:{e}" for e in sorted(rare)]


def stored(f: EventFeatures) -> dict[str, Any]:
    """The compact JSON form kept on the article (`event_sig`), rounded so it stays small."""
    return {
        "lead": {w: round(v, 4) for w, v in f.lead.items()},
        "body": {w: round(v, 4) for w, v in f.body.items()},
        "entities": sorted(f.entities),
        "figures": sorted(f.figures),
        "dates": sorted(f.dates),
        "weekdays": sorted(f.weekdays),
        "series": sorted(f.series),
        "actors": sorted(f.actors),
        "names": sorted(f.names),
        "lang": f.lang,
    }


def from_stored(doc: Mapping[str, Any] | None, published_at: datetime | None = None) -> EventFeatures | None:
    """`EventFeatures` from `stored` output (None when the article has none, e.g. indexed by an older release)."""
    if not doc or "lead" not in doc:
        return None
    return EventFeatures(
        lead=dict(doc.get("lead") or {}),
        body=dict(doc.get("body") or {}),
        entities=frozenset(doc.get("entities") or ()),
        figures=frozenset(doc.get("figures") or ()),
        dates=frozenset(doc.get("dates") or ()),
        weekdays=frozenset(int(x) for x in doc.get("weekdays") or ()),
        series=frozenset(int(x) for x in doc.get("series") or ()),
        actors=frozenset(doc.get("actors") or ()),
        names=frozenset(doc.get("names") or ()),
        published_at=to_utc_opt(published_at),
        lang=str(doc.get("lang") or "en"),
    )
