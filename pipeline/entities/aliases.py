"""Names in any language and script -> the canonical English entity, without a statistical model.

For a language whose text the English spaCy model cannot read (`LanguageData.statistical_ner` False: Russian,
Chinese, Japanese, Burmese, Thai, Arabic, ...), extraction is this scan over the curated names: the gazetteer's
`names` in that language (and those written in a non-Latin script, in any language), country and city names from
CLDR (Babel: territory names and the time-zone exemplar cities, mapped to the gazetteer's GPE entries by their
English name), then the English canonical names and aliases (which Latin-script languages share: "ASEAN",
"Min Aung Hlaing"). The facet value is always the gazetteer's canonical name; `Entity.text` keeps the surface form.

How names are found:
- words of space-separated scripts by word, case-insensitively, a capitalised name only where the text has a
  capital; inflected languages list their case endings (`LanguageData.case_endings`): a text word matches a
  name's word when it is that word, or that word without its final vowel, plus one of the endings
  ("Лаврова", "Лаврову" ~ "Лавров"; "Мьянмы" ~ "Мьянма"); attached prefixes (`clitic_prefixes`) are tried off;
- names in scripts written without spaces (Chinese, Japanese, Thai, Burmese) as substrings, a space or a middle
  dot inside the name optional ("谢尔盖·拉夫罗夫" = "谢尔盖拉夫罗夫"); an all-Katakana name only as a whole
  Katakana run ("タイ" is Thailand, not the start of "タイトル");
- overlapping finds keep the longest.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from pipeline.core.records import Entity
from pipeline.entities.gazetteer import APOSTROPHES, Gazetteer, GazetteerEntry, fold_diacritics, match_key
from pipeline.lang import LanguageData
from pipeline.lang.scripts import UNSPACED_CLASS, unspaced

_WORD = re.compile(f"(?:(?![{UNSPACED_CLASS}])\\w)+")
_LATIN = re.compile(r"[A-Za-zÀ-ɏḀ-ỿ]")
_SEPARATORS = " ·•・‧."  # inside an unspaced name: optional in the text
_KATAKANA = re.compile(r"^[\u30a0-\u30ff]+$")
_KATAKANA_CHAR = re.compile(r"[\u30a0-\u30ff]")
_GAP_MAX = 3  # characters between two words of one name (space, hyphen, dash)
_GAP_BAD = frozenset(',;:()[]{}!?"“”«»\n\r\t|')
_MIN_STEM = 3  # a name's word loses its final vowel only when this much remains
LIST_MIN = 4  # places in a run this long are a list (passing mentions)


_CYRILLIC = re.compile("[\u0400-\u04ff]")


def _key(word: str) -> str:
    """Case- and accent-free form of a word; Cyrillic keeps its letters (NFKD would turn й into и) but ё is е."""
    if _CYRILLIC.search(word):
        return word.casefold().replace("ё", "е")
    return fold_diacritics(word.translate(APOSTROPHES)).casefold()


class AliasIndex:
    """The curated names of one language, ready to scan texts of that language (built once per process)."""

    def __init__(self, gazetteer: Gazetteer, lang: LanguageData):
        self.lang = lang
        self.endings = frozenset(lang.case_endings)
        self.max_ending = max((len(e) for e in self.endings), default=0)
        self.lemma_endings = sorted(lang.lemma_endings, key=len, reverse=True)
        self.titles = tuple(t for t in lang.title_phrases if unspaced(t))
        self.clitics = tuple(sorted(lang.clitic_prefixes, key=len, reverse=True))
        # first word stem -> [(word stems, entry, capitalised)], longest first
        self.words: dict[str, list[tuple[tuple[str, ...], GazetteerEntry, bool]]] = {}
        self.spans: dict[str, GazetteerEntry] = {}  # unspaced name without separators -> entry
        seen_words: set[tuple[str, ...]] = set()
        for entry, form in _forms(gazetteer, lang):
            if unspaced(form):
                self.spans.setdefault(_squeeze(form), entry)
                continue
            words = _WORD.findall(form)
            if not words:
                continue
            stems = tuple(self._stem(w) for w in words)
            if stems in seen_words:
                continue
            seen_words.add(stems)
            self.words.setdefault(stems[0], []).append((stems, entry, words[0][:1].isupper()))
        for options in self.words.values():
            options.sort(key=lambda o: -len(o[0]))
        self.pattern = None
        if self.spans:
            alternatives = sorted(self.spans, key=lambda s: (-len(s), s))
            sep = "[" + re.escape(_SEPARATORS) + "\\s]*"
            self.pattern = re.compile("|".join(sep.join(re.escape(ch) for ch in a) for a in alternatives))

    def _stem(self, word: str) -> str:
        """A name's word as it is compared: folded, and without a final one-letter ending when the language
        inflects (Мьянма -> мьянм, so Мьянмы/Мьянме match; acronyms stay whole)."""
        key = _key(word)
        if word.isupper():
            return key
        for ending in self.lemma_endings:  # longest first
            if key.endswith(ending) and len(key) - len(ending) >= _MIN_STEM:
                return key[: -len(ending)]
        return key

    def _candidates(self, word: str) -> set[str]:
        """The stems a text word may stand for: itself, minus a case ending, minus a clitic prefix."""
        key = _key(word)
        bases = {key}
        for clitic in self.clitics:
            if key.startswith(clitic) and len(key) - len(clitic) >= 2:
                bases.add(key[len(clitic) :])
        out = set(bases)
        for base in bases:
            for k in range(1, min(self.max_ending, len(base) - _MIN_STEM) + 1):
                if base[-k:] in self.endings:
                    out.add(base[:-k])
        return out

    def find(self, text: str) -> list[Entity]:
        """Every curated name in `text` as an `Entity` (canonical English name, surface form, offsets)."""
        found = list(self._find_words(text)) + list(self._find_spans(text))
        found.sort(key=lambda f: (-(f[1] - f[0]), f[0]))
        kept: list[tuple[int, int, GazetteerEntry]] = []
        for s, e, entry in found:
            if all(e <= a or s >= b for a, b, _ in kept):
                kept.append((s, e, entry))
        kept.sort(key=lambda f: (f[0], f[1]))
        kept = self._drop_qualifiers(text, self._drop_lists(text, kept))
        return [Entity(text[s:e], entry.type, entry.canonical, s, e) for s, e, entry in kept]

    def _drop_lists(
        self, text: str, found: list[tuple[int, int, GazetteerEntry]]
    ) -> list[tuple[int, int, GazetteerEntry]]:
        """Places named only inside a list ("Россия, Австралия, Индия, Китай, США и Япония"; `LIST_MIN` or more
        joined by the language's list separators) are passing mentions, as in topic detection: a place keeps its
        facet when the text also names it outside every list."""
        runs: list[list[int]] = []
        for i, (s, _e, entry) in enumerate(found):
            if entry.type not in ("GPE", "LOC"):
                continue
            prev = runs[-1][-1] if runs else None
            if prev is not None and prev == i - 1 and self.lang.list_separator.fullmatch(text, found[prev][1], s):
                runs[-1].append(i)
            else:
                runs.append([i])
        listed = {i for run in runs if len(run) >= LIST_MIN for i in run}
        if not listed:
            return found
        outside = {found[i][2].canonical for i in range(len(found)) if i not in listed}
        return [f for i, f in enumerate(found) if i not in listed or f[2].canonical in outside]

    def _drop_qualifiers(
        self, text: str, found: list[tuple[int, int, GazetteerEntry]]
    ) -> list[tuple[int, int, GazetteerEntry]]:
        """A country written against a title with no space ("印尼总统佐科": Indonesia + president + Jokowi) says
        whose president, as the English adjective in "Indonesian President Joko Widodo" does: not a mention of
        the country, unless the text also names it on its own."""
        titles = self.titles
        if not titles:
            return found
        qualifier = [
            f[2].type == "GPE" and f[1] < len(text) and unspaced(text[f[1]]) and text.startswith(titles, f[1])
            for f in found
        ]
        if not any(qualifier):
            return found
        alone = {f[2].canonical for f, q in zip(found, qualifier, strict=True) if not q}
        return [f for f, q in zip(found, qualifier, strict=True) if not q or f[2].canonical in alone]

    def _find_words(self, text: str) -> Iterator[tuple[int, int, GazetteerEntry]]:
        if not self.words:
            return
        matches = list(_WORD.finditer(text))
        cands = [self._candidates(m.group()) for m in matches]
        for i, m in enumerate(matches):
            options = [o for stem in cands[i] for o in self.words.get(stem, ())]
            if not options:
                continue
            options.sort(key=lambda o: -len(o[0]))
            for stems, entry, capital in options:
                j = i + len(stems) - 1
                if j >= len(matches) or (capital and not m.group()[:1].isupper()):
                    continue
                if all(stems[k] in cands[i + k] and self._gap_ok(text, matches[i + k - 1], matches[i + k])
                       for k in range(1, len(stems))):  # fmt: skip
                    yield m.start(), matches[j].end(), entry
                    break

    @staticmethod
    def _gap_ok(text: str, a: re.Match[str], b: re.Match[str]) -> bool:
        gap = text[a.end() : b.start()]
        return len(gap) <= _GAP_MAX and not any(c in _GAP_BAD for c in gap)

    def _find_spans(self, text: str) -> Iterator[tuple[int, int, GazetteerEntry]]:
        if self.pattern is None:
            return
        pos = 0
        while True:
            m = self.pattern.search(text, pos)
            if m is None:
                return
            s, e = m.span()
            key = _squeeze(m.group())
            entry = self.spans.get(key)
            if (
                entry is not None
                and _KATAKANA.match(key)
                and ((s > 0 and _KATAKANA_CHAR.match(text[s - 1])) or (e < len(text) and _KATAKANA_CHAR.match(text[e])))
            ):
                pos = s + 1  # inside a longer Katakana word: not this name
                continue
            if entry is not None:
                yield s, e, entry
            pos = e


def _squeeze(form: str) -> str:
    return "".join(ch for ch in form.casefold() if ch not in _SEPARATORS and not ch.isspace())


def _forms(gazetteer: Gazetteer, lang: LanguageData) -> Iterator[tuple[GazetteerEntry, str]]:
    """Names to look for in a text of language `lang`, most specific first (the first claim of a form wins)."""
    code = lang.code
    for entry in gazetteer.entries:
        for c, form in entry.names:
            if c == code:
                yield entry, form
    for entry in gazetteer.entries:
        for c, form in entry.names:
            if c != code and not _LATIN.search(form):
                yield entry, form
    for locale in lang.cldr_locales or (lang.code,):
        yield from cldr_names(gazetteer, locale)
    for entry in gazetteer.entries:
        for form in entry.surface_forms:
            yield entry, form


def cldr_names(gazetteer: Gazetteer, code: str) -> list[tuple[GazetteerEntry, str]]:
    """Country and city names in language `code` from CLDR (Babel), for the gazetteer's GPE entries: territory
    names ("Мьянма (Бирма)" -> Мьянма and Бирма) and time-zone exemplar cities ("Янгон")."""
    out: list[tuple[GazetteerEntry, str]] = []
    english, local = _locale_names("en"), _locale_names(code)
    if local is None or english is None:
        return out
    for kind in ("territories", "cities"):
        for ident, en_name in english[kind].items():
            entry = _gpe(gazetteer, en_name)
            name = local[kind].get(ident)
            if entry is None or not name:
                continue
            out.extend((entry, part) for part in _split_parenthesis(name))
    return out


def _gpe(gazetteer: Gazetteer, name: str) -> GazetteerEntry | None:
    for part in _split_parenthesis(name):
        entry = gazetteer.by_key.get(match_key(part))
        if entry is not None and entry.type == "GPE":
            return entry
    return None


def _split_parenthesis(name: str) -> list[str]:
    """ "Myanmar (Burma)" -> ["Myanmar", "Burma"]; "Yangon" -> ["Yangon"]."""
    m = re.fullmatch(r"\s*(.+?)\s*\((.+)\)\s*", name)
    return [m.group(1), m.group(2)] if m else [name.strip()]


@cache
def _locale_names(code: str) -> dict[str, dict[str, str]] | None:
    """CLDR territory names and exemplar city names of a language (None when Babel has no such locale)."""
    from babel import Locale, UnknownLocaleError

    try:
        locale = Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return None
    cities: dict[str, str] = {}
    zones: Any = locale.time_zones
    for zone, info in zones.items():
        city = info.get("city") if hasattr(info, "get") else None
        if isinstance(city, str):
            cities[zone] = city
    territories = {k: v for k, v in locale.territories.items() if isinstance(v, str) and k.isalpha()}
    return {"territories": territories, "cities": cities}


_INDEXES: dict[tuple[int, str], tuple[Gazetteer, AliasIndex]] = {}


def alias_index(gazetteer: Gazetteer, lang: LanguageData) -> AliasIndex:
    """The index of `gazetteer`'s names for `lang`, built once per process."""
    key = (id(gazetteer), lang.code)
    cached = _INDEXES.get(key)
    if cached is None or cached[0] is not gazetteer:
        cached = _INDEXES[key] = (gazetteer, AliasIndex(gazetteer, lang))
    return cached[1]
