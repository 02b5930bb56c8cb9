"""`pipeline.lang.ar`: registered under its code, complete, and its patterns split this language's text."""

from __future__ import annotations

import dataclasses

from pipeline.lang import REGISTRY, for_language
from pipeline.lang.ar import DATA

SENTENCES = "وصل الوزير إلى جاكرتا. تبدأ المحادثات غدا."
LIST = "لاوس، تايلاند وفيتنام"


def test_registered_under_its_code() -> None:
    assert REGISTRY["ar"] is DATA
    assert for_language("AR-XX") is DATA


def test_word_lists_are_filled() -> None:
    for name in ("title_phrases", "stop_words", "sentence_end", "calendar_words", "function_words"):
        assert getattr(DATA, name), f"ar.{name} is empty"
    assert "في" in DATA.stop_words
    assert "الثلاثاء" in DATA.calendar_words
    assert all(isinstance(f.name, str) for f in dataclasses.fields(DATA))


def test_sentence_break_splits_two_sentences() -> None:
    breaks = list(DATA.sentence_break.finditer(SENTENCES))
    assert len(breaks) >= 1
    assert breaks[0].start() < len(SENTENCES) - 1


def test_list_separator_joins_list_items() -> None:
    between = LIST[4:6]
    assert DATA.list_separator.fullmatch(between), repr(between)
