"""Search analysis (pure): clusters of unspaced scripts, the query rewrite, and the optional language subfields."""

from __future__ import annotations

from pipeline.core.settings import Settings
from pipeline.index import analysis, schema
from pipeline.index.names import IndexNames
from pipeline.search.query import SearchRequest, build_query


def test_clusters_keep_marks_with_their_base():
    assert analysis.clusters("ไทย") == ["ไ", "ท", "ย"]
    assert analysis.clusters("ที่") == ["ที่"]  # base + vowel + tone mark
    assert analysis.clusters("မြန်") == ["မြ", "န်"]  # medial and asat stay on their consonant


def test_a_word_segments_the_same_alone_and_inside_a_run():
    word, run = "เมียนมา", "ความช่วยเหลือแก่เมียนมาและลาว"
    inner = " ".join(analysis.clusters(word))
    (segmented,) = analysis.segment_runs(run)
    assert f" {inner} " in f" {segmented} "


def test_search_text_only_holds_unspaced_scripts():
    assert analysis.search_text("Lavrov in Jakarta", "No Thai here. Лавров, 缅甸.") == []
    assert analysis.search_text("ข่าว Myanmar", "မြန်မာ news") == ["ข่ า ว", "မြ န် မာ"]


def test_segment_query_turns_runs_into_phrases_and_leaves_the_rest():
    assert analysis.segment_query("lavrov ไทย") == 'lavrov (ไทย | "ไ ท ย")'
    assert analysis.segment_query('"ภาษาไทย ok"') == '"ภ า ษ า ไ ท ย ok"'
    assert analysis.segment_query("-ไทย | ลาว") == '-(ไทย | "ไ ท ย") | (ลาว | "ล า ว")'
    assert analysis.segment_query("abcไทย") == 'abc (ไทย | "ไ ท ย")'
    assert analysis.segment_query("Лавров 缅甸") == "Лавров 缅甸"


def test_query_searches_search_text_and_language_subfields_only_when_enabled():
    body = build_query(SearchRequest(query="Лаврова"), now=_now())
    fields = body["query"]["bool"]["must"][0]["simple_query_string"]["fields"]
    assert fields == ["title^3", "text", "search_text"]
    body = build_query(SearchRequest(query="Лаврова", language_analyzers=True), now=_now())
    fields = body["query"]["bool"]["must"][0]["simple_query_string"]["fields"]
    assert "text.ru" in fields and "title.cjk^3" in fields


def test_language_subfields_in_the_template_follow_the_setting():
    names = IndexNames("t")
    plain = schema.templates(names, Settings())[names.articles]["template"]["mappings"]["properties"]
    assert set(plain["text"].get("fields", {})) == set()
    assert plain["search_text"]["analyzer"] == "standard"
    full = schema.templates(names, Settings(es_language_analyzers=True))[names.articles]["template"]["mappings"]
    text_fields = full["properties"]["text"]["fields"]
    assert {k: v["analyzer"] for k, v in text_fields.items()} == {
        "ru": "russian", "ar": "arabic", "fr": "french", "id": "indonesian", "cjk": "cjk"}  # fmt: skip
    assert full["properties"]["title"]["fields"]["raw"]["type"] == "keyword"  # existing subfield kept
    assert "ru" not in schema.mapping("articles")["mappings"]["properties"]["text"].get("fields", {})


def _now():
    from datetime import UTC, datetime

    return datetime(2026, 3, 4, tzinfo=UTC)
