"""`LanguageData`: the lexical resources of one language that the logic modules (entities/, detect/) read.

Why a frozen record of plain data: the rules stay language-neutral code, and a language is added by writing one
data module (see `en.py`), never by editing `entities/` or `detect/`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
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

    @cached_property
    def titles(self) -> frozenset[str]:
        """`title_phrases` with hyphens as spaces (the form names are compared in)."""
        return frozenset(t.replace("-", " ") for t in self.title_phrases)

    @cached_property
    def junk_only(self) -> frozenset[str]:
        """Whole mentions that are never facet values: a bare title or function word ("President", "the")."""
        return (frozenset(self.title_phrases) | self.function_words) - self.title_words_kept
