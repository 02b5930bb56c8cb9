"""Scoring: evidence, position factors and decay, proximity rules, and the pass conditions."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.detect.detector import Detector
from tests.detect.conftest import MINI, names, write_rules


def test_evidence_offsets_point_into_the_right_field_and_read_well(det: Detector) -> None:
    title = "Zakharova criticises sanctions"
    text = "Russian Foreign Ministry spokeswoman Maria Zakharova said Moscow would answer the new sanctions."
    match = det.detect(title, text)[0]
    assert match.name == "russian_diplomacy"
    fields = {"title": title, "text": text}
    rules = {e.rule for e in match.evidence}
    assert "russian_diplomacy.ru_diplomats" in rules
    assert "russian_diplomacy.ru_foreign_ministry" in rules
    for ev in match.evidence:
        span = fields[ev.field][ev.start : ev.end]
        if ev.term in span or " … " in ev.term:
            pass
        else:  # near evidence collapses whitespace; still both ends must be inside the span
            assert " ".join(span.split()) == ev.term
        assert ev.start < ev.end <= len(fields[ev.field])
        assert ev.describe().startswith(f'{ev.field}: "')
    title_ev = [e for e in match.evidence if e.field == "title" and e.term == "Zakharova"]
    assert title_ev and title_ev[0].start == 0


def test_scores_equal_sum_of_evidence(det: Detector) -> None:
    m = det.score_all("Myanmar junta", "The junta in Myanmar met ASEAN envoys in Naypyidaw.")["myanmar"]
    assert m.score == pytest.approx(sum(e.weight for e in m.evidence), abs=1e-3)


def test_title_counts_more_than_text(det: Detector) -> None:
    sentence = "Myanmar junta"
    in_title = det.score_all(sentence, "Officials said more details would follow.")["myanmar"].score
    in_text = det.score_all("Update", f"Officials said more details would follow. {sentence}.")["myanmar"].score
    assert in_title == pytest.approx(in_text * 2)  # title_factor 3 vs lead_factor 1.5


def test_lead_counts_more_than_later_text(tmp_path: Path) -> None:
    body = MINI.replace("lead_factor: 1, lead_words: 0", "lead_factor: 2, lead_words: 5")
    d = Detector.from_config(write_rules(tmp_path, body))
    early = d.score_all("", "widget one two three four five six seven")["t"].score
    late = d.score_all("", "one two three four five six seven widget")["t"].score
    assert early == 4.0 and late == 2.0


def test_repeated_hits_fade_and_stop_at_max_hits(tmp_path: Path) -> None:
    d = Detector.from_config(write_rules(tmp_path, MINI))
    assert d.score_all("", "widget")["t"].score == 2.0
    assert d.score_all("", "widget widget")["t"].score == 3.0  # 2 + 1
    # 2 + 1 + 0.5 + 0.25, the fifth and sixth hits add nothing
    assert d.score_all("", " ".join(["widget"] * 6))["t"].score == 3.75
    assert [m.name for m in d.detect("widget", "")] == ["t"]  # title: 2 * 3 = 6 >= 5


def test_passing_mention_in_a_long_story_is_not_enough(det: Detector) -> None:
    text = (
        "Thailand's central bank left interest rates unchanged on Wednesday, citing weak exports and soft "
        "tourism. Officials said the economy would grow about 2.5% this year. Exporters of rice and rubber "
        "complained about the strong baht, and some factories near the border with Myanmar cut shifts. "
        "Analysts expect a cut later in the year if inflation stays low."
    )
    assert names(det, "Thai central bank holds rates", text) == []


def test_russia_near_a_diplomatic_act_counts_but_far_apart_does_not(det: Detector) -> None:
    near_text = "Russia and Vietnam signed an intergovernmental agreement on nuclear energy, the Kremlin said."
    far_text = (
        "Russia reported strong wheat harvests this autumn. Farmers in the south praised the weather. "
        "In a separate development, Vietnam and Japan signed an intergovernmental agreement on energy."
    )
    near = det.score_all("", near_text)["russian_diplomacy"]
    far = det.score_all("", far_text)["russian_diplomacy"]
    assert any(e.rule == "russian_diplomacy.actor_diplomacy" for e in near.evidence)
    assert not any(e.rule == "russian_diplomacy.actor_diplomacy" for e in far.evidence)
    assert names(det, "", far_text) == []


def test_near_rule_stops_at_sentence_end(tmp_path: Path) -> None:
    body = """
version: 1
topics:
  t:
    threshold: 1
    groups:
      a: {weight: 0, terms: [alpha]}
      b: {weight: 0, terms: [beta]}
    near:
      ab: {a: [a], b: [b], window: 5, weight: 2}
      ab_loose: {a: [a], b: [b], window: 5, weight: 1, same_sentence: false}
"""
    d = Detector.from_config(write_rules(tmp_path, body))
    same = {e.rule for e in d.score_all("", "alpha and beta.")["t"].evidence}
    split = {e.rule for e in d.score_all("", "It was alpha. Then beta.")["t"].evidence}
    assert same == {"t.ab", "t.ab_loose"}
    assert split == {"t.ab_loose"}


def test_putin_visiting_a_russian_region_is_not_diplomacy(det: Detector) -> None:
    title = "Putin visits flood-hit region"
    text = "Vladimir Putin visited the Orenburg region on Friday and met the governor and rescue workers."
    assert names(det, title, text) == []


def test_putin_talks_with_a_foreign_leader_is_diplomacy(det: Detector) -> None:
    title = "Putin holds talks with Erdogan"
    text = "Vladimir Putin held talks with Turkish President Recep Tayyip Erdogan in Sochi on grain exports."
    assert names(det, title, text) == ["russian_diplomacy"]


def test_require_any_with_and_groups(tmp_path: Path) -> None:
    body = """
version: 1
topics:
  t:
    threshold: 1
    require_any: [solo, [left, right]]
    groups:
      solo: {weight: 1, terms: [solo]}
      left: {weight: 1, terms: [left]}
      right: {weight: 1, terms: [right]}
"""
    d = Detector.from_config(write_rules(tmp_path, body))
    assert d.detect("", "solo") != []
    assert d.detect("", "left only") == []
    assert d.detect("", "left and right") != []
    assert "no anchor fired" in d.explain("", "left only")


def test_min_signals_needs_distinct_words(tmp_path: Path) -> None:
    body = MINI.replace("threshold: 5", "threshold: 1\n    min_signals: 2").replace(
        "terms: [widget]", "terms: [widget, gadget]"
    )
    d = Detector.from_config(write_rules(tmp_path, body))
    assert d.detect("", "widget widget widget") == []
    assert [m.name for m in d.detect("", "widget and gadget")] == ["t"]


def test_only_if_any_gates_generic_words(det: Detector) -> None:
    # "junta" alone (Mali, Niger...) gives no Myanmar points; with a Myanmar anchor it does
    alone = det.score_all("Junta dissolves parties", "The junta in Bamako dissolved all parties.")["myanmar"]
    assert alone.score == 0
    with_anchor = det.score_all("", "The junta in Myanmar dissolved all parties.")["myanmar"]
    assert any(e.rule == "myanmar.junta" and e.weight > 0 for e in with_anchor.evidence)
