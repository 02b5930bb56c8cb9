"""`newsmon classify` emits `lang` on every line: the line's own `lang` when given, else identified from its text;
`newsmon eval` gives per-language scores for lines that carry `lang`. Texts written for this test."""

from __future__ import annotations

import io
import json

from pipeline.jobs.classify import classify_records, per_language, read_jsonl, record_language

LINES = [
    {"id": "a", "title": "Лавров прибыл в Джакарту", "text": "Министр иностранных дел России встретился с коллегами."},
    {"id": "b", "title": "缅甸外长会见东盟特使", "text": "双方讨论了人道主义援助问题。"},
    {"id": "c", "title": "ASEAN ministers meet", "text": "Foreign ministers of the bloc met in Jakarta on Tuesday."},
    {"id": "d", "title": "Short", "text": "", "lang": "th-TH"},
    {"id": "e", "title": "42", "text": ""},
]


def records():
    return list(read_jsonl(io.StringIO("\n".join(json.dumps(x, ensure_ascii=False) for x in LINES)), "t.jsonl"))


def test_lang_is_the_lines_own_else_identified():
    assert [record_language(r) for r in records()] == ["ru", "zh", "en", "th", None]


def test_classify_output_carries_lang_on_every_line():
    rows = list(classify_records(records(), with_entities=False))
    assert [row["id"] for row in rows] == ["a", "b", "c", "d", "e"]
    assert [row["lang"] for row in rows] == ["ru", "zh", "en", "th", None]
    assert all(set(row) >= {"id", "lang", "topics", "entities", "story_id"} for row in rows)


def test_per_language_reports_group_lines_by_language():
    recs = records()
    gold = [{"russian_diplomacy"}, {"myanmar"}, {"asean"}, set(), set()]
    pred = [{"russian_diplomacy"}, set(), {"asean"}, set(), {"asean"}]
    reports = per_language(recs, gold, pred, ["myanmar", "asean", "russian_diplomacy"])
    assert list(reports) == ["en", "ru", "th", "und", "zh"]
    assert reports["ru"].topics["russian_diplomacy"].tp == 1
    assert reports["zh"].topics["myanmar"].fn == 1
    assert reports["und"].topics["asean"].fp == 1
