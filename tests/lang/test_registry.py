"""The language registry: lookup by ISO 639-1 code with an English fallback, and English data in use."""

from __future__ import annotations

import dataclasses
import re

import pytest

from pipeline.detect import matcher, scoring
from pipeline.detect.rules import TopicsFile, compile_rules
from pipeline.entities import nlp, surface
from pipeline.lang import DEFAULT, ENGLISH, REGISTRY, LanguageData, for_language


@pytest.mark.parametrize("code", ["en", "EN", "en-GB", "en_US", " en "])
def test_english_codes_give_english(code: str) -> None:
    assert for_language(code) is ENGLISH


@pytest.mark.parametrize("code", [None, "", "xx", "km", "und"])
def test_unknown_or_missing_codes_fall_back_to_english(code: str | None) -> None:
    assert for_language(code) is DEFAULT is ENGLISH


def test_registry_is_keyed_by_each_languages_own_code() -> None:
    assert REGISTRY and all(code == data.code and len(code) == 2 for code, data in REGISTRY.items())


def test_english_data_is_complete() -> None:
    for f in dataclasses.fields(LanguageData):
        if f.name in ("clitic_prefixes", "case_endings", "lemma_endings", "cldr_locales", "model_ner_labels"):
            continue  # not needed by English (its spaCy model is the main path, not an addition)
        value = getattr(ENGLISH, f.name)
        assert value if not hasattr(value, "pattern") else value.pattern, f"en.{f.name} is empty"
    assert {"senior general", "foreign minister", "daw"} <= ENGLISH.titles
    assert {"kachin", "bangladeshi"} <= ENGLISH.demonyms and "president" in ENGLISH.junk_only
    assert "un" not in ENGLISH.junk_only  # a title word that is also a name
    assert ENGLISH.list_separator.fullmatch(", and the ") and ENGLISH.sentence_break.search("ends. Next")


def test_english_stop_words_are_spacys() -> None:
    """`en.STOP_WORDS` is a copy of spaCy's list (so that `pipeline.lang` does not import spaCy): keep in step."""
    from spacy.lang.en.stop_words import STOP_WORDS

    assert ENGLISH.stop_words == STOP_WORDS


def test_entities_use_the_language_data() -> None:
    """The entity rules read their word lists from the language data they are given."""
    plain = dataclasses.replace(ENGLISH, title_phrases=(), demonyms=frozenset(), acronym_stop_words=frozenset())
    assert surface.strip_titles("Foreign Minister Sergei Lavrov") == "Sergei Lavrov"
    assert surface.strip_titles("Foreign Minister Sergei Lavrov", plain) == "Foreign Minister Sergei Lavrov"
    assert surface.is_junk("President") and not surface.is_junk("President", plain)
    assert surface.is_demonym("Kachin") and not surface.is_demonym("Kachin", plain)
    assert surface.acronym_of("Bank of Thailand") == {"BT", "BOT"}
    assert surface.acronym_of("Bank of Thailand", plain) == {"BOT"}

    import spacy

    doc = spacy.blank("en")("The talks ended on Monday.")
    assert nlp.ner_segments(doc) == []  # a sentence-initial stop word and a day name: nothing for the NER
    no_stops = dataclasses.replace(ENGLISH, stop_words=frozenset())
    no_days = dataclasses.replace(ENGLISH, calendar_words=frozenset())
    assert nlp.ner_segments(doc, no_stops) == nlp.ner_segments(doc, no_days) == [(0, 6)]


def test_detect_uses_the_language_data() -> None:
    """List separators and sentence breaks come from the language data."""

    model = TopicsFile.model_validate(
        {
            "version": 1,
            "scoring": {"lead_words": 0, "lead_factor": 1},
            "topics": {
                "t": {
                    "threshold": 1,
                    "groups": {"core": {"weight": 2, "terms": ["widget"]}},
                    "lists": {"things": {"items": ["alpha", "beta", "gamma"]}},
                    "near": {"n": {"a": ["core"], "b": ["core"], "window": 10, "weight": 1}},
                }
            },
        }
    )
    topic = compile_rules(model).topics[0]
    rules = compile_rules(model)
    other = dataclasses.replace(ENGLISH, sentence_break=re.compile(r"\n"), list_separator=re.compile(r"\s*;\s*"))

    def rules_fired(text: str, lang: LanguageData = ENGLISH) -> list[tuple[str, float]]:
        fields = {"title": matcher.TextField("title", ""), "text": matcher.TextField("text", text)}
        raw = {name: matcher.scan(rules, fld)[0] for name, fld in fields.items()}
        return [(e.rule, e.weight) for e in scoring.score_topic(topic, fields, raw, lang).match.evidence]

    assert [r for r, _ in rules_fired("widget sprockets. Then widget")] == ["t.core", "t.core"]  # not across "."
    assert "t.n" in [r for r, _ in rules_fired("widget sprockets. Then widget", other)]
    assert ("t.things", 0.0) in rules_fired("alpha, beta and the gamma")  # a list: masked
    assert not any(r == "t.things" for r, _ in rules_fired("alpha, beta and the gamma", other))
    assert ("t.things", 0.0) in rules_fired("alpha; beta ; gamma", other)
