"""`LanguageData`: the lexical resources of one language that the logic modules (entities/, detect/) read.

Why a frozen record of plain data: the rules stay language-neutral code, and a language is added by writing one
data module (see `en.py`), never by editing `entities/` or `detect/`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property


@dataclass(frozen=True, eq=False)
class LanguageData:
    """Word lists and patterns of one language (compared by identity: one instance per language module)."""

    code: str  # ISO 639-1
    name: str  # in English, for messages ("English")
    # spaCy model packages to try, in order, and how to install one (named in the error when none is importable)
    spacy_models: tuple[str, ...]
    spacy_install: str
    # --- entities: person names
    # titles, roles and honorifics stripped from the front of PERSON names (case-insensitive, without dots)
    title_phrases: tuple[str, ...]
    # honorifics so short that they are stripped only when at least two name words remain ("U Thant" stays)
    short_honorifics: frozenset[str]
    # a word that may qualify a following title ("Russian Foreign Minister", "UN Secretary-General") ...
    title_qualifier: re.Pattern[str]
    # ... or one of these lower-cased words (place names with no adjective form in the pattern)
    title_qualifier_words: frozenset[str]
    # title words that are names on their own, hence never junk when they stand alone ("UN", "Kremlin")
    title_words_kept: frozenset[str]
    # words that alone are never a name ("the", "of"): with the titles, `junk_only`
    function_words: frozenset[str]
    # single words that name a people, not a person/organisation/place (labelled NORP)
    demonyms: frozenset[str]
    # a company-form suffix cut from ORG names ("Acme Ltd" -> "Acme")
    corporate_suffix: re.Pattern[str]
    # words that an acronym may skip ("Bank of Thailand" -> BOT or BT)
    acronym_stop_words: frozenset[str]
    # --- entities: selective NER
    calendar_words: frozenset[str]  # capitalised day and month names (never start a kept entity)
    stop_words: frozenset[str]  # lower-cased; a capitalised one is harmless sentence-initially ("The", "But")
    sentence_end: frozenset[str]  # tokens that end a sentence
    # --- detect
    list_separator: re.Pattern[str]  # between two items of a list ("Laos, Thailand and the Philippines")
    sentence_break: re.Pattern[str]  # the end of a sentence (near rules may not pair hits across it)
    # --- entities: institutions, units and name variants (optional: an empty value turns the rule off)
    # head words of state bodies ("Ministry", "Commission", "Hluttaw"): "Title Case words + head" is an ORG
    institution_heads: frozenset[str] = frozenset()
    # heads whose canonical form is "<Head> of <Portfolio> of <Country>" ("Foreign Ministry" -> "Ministry of
    # Foreign Affairs"); "Embassy"/"Mission" heads build "Embassy of X in Y" / "Permanent Mission of X to Y"
    ministry_heads: frozenset[str] = frozenset()
    embassy_heads: frozenset[str] = frozenset()
    mission_heads: frozenset[str] = frozenset()
    # portfolio words written before "Ministry" -> the name after "Ministry of" ("foreign" -> "Foreign Affairs")
    portfolios: dict[str, str] = field(default_factory=dict)
    # country adjectives and short forms -> the country's canonical name ("Russian" -> "Russia", "UK")
    country_adjectives: dict[str, str] = field(default_factory=dict)
    # country names written with "the" after "of"/"to" ("the Philippines")
    countries_with_article: frozenset[str] = frozenset()
    # military unit heads ("Division", "Battalion") and unit abbreviations ("LID" -> "Light Infantry Division")
    unit_heads: frozenset[str] = frozenset()
    unit_abbreviations: dict[str, str] = field(default_factory=dict)
    # first-name spelling variants (transliterations): each tuple is one name, its first item the canonical form
    name_variants: tuple[tuple[str, ...], ...] = ()
    # suffixes of region names dropped to find the bare name ("Sagaing Region" ~ "Sagaing")
    region_suffixes: frozenset[str] = frozenset()
    # --- ingest: language identification
    # when a feed declares this language and at least this share of an item's words are its `stop_words`, the
    # declaration stands without asking the detector (None: always ask; a language whose everyday words other
    # languages share, French "de la en que" in Spanish, should stay None)
    declared_words_share: float | None = None

    # --- stories: event signals (explicit dates and weekdays named in a report; empty: the signal is off)
    month_names: dict[str, int] = field(default_factory=dict)  # lower-cased month name or abbreviation -> 1..12
    weekday_names: dict[str, int] = field(default_factory=dict)  # lower-cased weekday name -> 0 (Monday) .. 6
    # a place in a series ("the ninth consecutive rise", "10th straight"): ordinal words -> n, and the words that
    # make an ordinal a series position; a numeric ordinal is a number plus one of `ordinal_suffixes`
    ordinal_words: dict[str, int] = field(default_factory=dict)
    ordinal_suffixes: tuple[str, ...] = ()
    series_words: frozenset[str] = frozenset()
    snowball: str = ""  # Snowball stemmer name ("english"); "" = compare words unstemmed
    # --- detect and entities: words with attached prefixes (Arabic و "and", ب "with", ل "to", ال "the"):
    # a word is also looked up without one of these (longest first); () = words are looked up as written
    clitic_prefixes: tuple[str, ...] = ()
    # --- entities: the statistical NER of `spacy_models` runs on this language's text (False: curated names,
    # found by `entities/aliases.py`, are the whole extraction: the English model reads other scripts badly)
    statistical_ner: bool = True
    # --- entities: labels of the language's own spaCy model (`spacy_models`, when installed) kept next to the
    # curated names, mapped to ours ({"PER": "PERSON"}); empty = the language's own model is not used
    model_ner_labels: dict[str, str] = field(default_factory=dict)
    # --- entities: case endings of an inflected language (Russian "а", "ы", "ой" ...): a name's word matches a
    # text word that adds one of them (after dropping the name's final vowel); empty = words match as written
    case_endings: frozenset[str] = frozenset()
    # ... and the endings of a name's dictionary form dropped before that (the longest first: "Российский" ->
    # "Российск", "Мьянма" -> "Мьянм"); a name's word without one of them is compared whole ("Лавров")
    lemma_endings: frozenset[str] = frozenset()
    # CLDR locales whose country and city names are this language's (Babel ids; () = the code itself)
    cldr_locales: tuple[str, ...] = ()

    @cached_property
    def first_name_forms(self) -> dict[str, str]:
        """Lower-cased first-name spelling -> its canonical spelling (`name_variants`)."""
        return {v.lower(): group[0] for group in self.name_variants for v in group}

    @cached_property
    def titles(self) -> frozenset[str]:
        """`title_phrases` with hyphens as spaces (the form names are compared in)."""
        return frozenset(t.replace("-", " ") for t in self.title_phrases)

    @cached_property
    def junk_only(self) -> frozenset[str]:
        """Whole mentions that are never facet values: a bare title or function word ("President", "the")."""
        return (frozenset(self.title_phrases) | self.function_words) - self.title_words_kept
