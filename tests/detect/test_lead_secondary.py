"""A secondary topic stated in the lead: the `lead_secondary` rule, its evidence, its lead window and its
validation. Texts written for these tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.core.config import ConfigError
from pipeline.detect.detector import Detector
from pipeline.detect.rules import load_topic_rules
from tests.detect.conftest import names, write_rules

RULES = """
version: 1
scoring: {title_factor: 3, lead_factor: 1, lead_words: 8, lead_sentences: 2, repeat_decay: 0.5, max_hits: 4}
topics:
  bloc:
    threshold: 5
    lead_secondary: {groups: [bodies], weight: 3}
    groups:
      bodies: {weight: 3, terms: [Widget Council]}
      name: {weight: 1, terms: [widget]}
"""


@pytest.fixture()
def mini(tmp_path: Path) -> Detector:
    return Detector.from_config(write_rules(tmp_path, RULES))


def test_a_body_in_the_lead_adds_the_bonus_once_with_evidence(mini: Detector) -> None:
    text = "Envoys met in the capital on Monday and then flew on to the Widget Council, where the Widget Council sat."
    match = mini.detect("Envoys meet in the capital", text)[0]
    lead = [e for e in match.evidence if e.rule == "bloc.lead_secondary"]
    assert len(lead) == 1 and lead[0].term == "Widget Council" and lead[0].weight == 3
    assert text[lead[0].start : lead[0].end] == "Widget Council" and lead[0].field == "text"
    assert match.score == pytest.approx(sum(e.weight for e in match.evidence))


def test_the_lead_runs_to_the_end_of_its_sentences_not_past_them(mini: Detector) -> None:
    long_lead = "Envoys met in the capital on Monday, talked for hours and then flew on to the Widget Council."
    assert names(mini, "", long_lead) == ["bloc"]  # past lead_words (8) but inside the first sentences
    later = "Envoys met. They talked. Then they flew on to the Widget Council."
    assert names(mini, "", later) == []  # the third sentence is not the lead, though within lead_words: 3 < 5


def test_lead_sentences_zero_keeps_the_word_window(tmp_path: Path) -> None:
    det = Detector.from_config(write_rules(tmp_path, RULES.replace("lead_sentences: 2", "lead_sentences: 0")))
    assert names(det, "", "Envoys met in the capital on Monday and then flew on to the Widget Council.") == []


def test_secondary_topic_in_the_leads_second_half_with_the_shipped_rules() -> None:
    det = Detector.from_config()
    title = "Chinese envoy arrives in Naypyidaw for talks with the junta"
    text = (
        "China's special envoy arrived in Naypyidaw on Monday for talks with Myanmar's military leaders on the "
        "ceasefire in the north, and will then travel on to Kuala Lumpur for the ASEAN foreign ministers' meeting, "
        "where the bloc's Myanmar plan is on the agenda. The envoy met the junta's foreign minister."
    )
    found = det.detect(title, text)
    assert [m.name for m in found] == ["myanmar", "asean"]
    asean = next(m for m in found if m.name == "asean")
    assert any(e.rule == "asean.lead_secondary" for e in asean.evidence)


def test_a_mention_after_the_lead_is_not_a_secondary_topic() -> None:
    det = Detector.from_config()
    text = (
        "Myanmar's junta extended the state of emergency on Tuesday. Fighting continued in Sagaing. "
        "Analysts recalled that the ASEAN Secretariat had been told of the decision."
    )
    asean = det.score_all("Junta extends emergency rule", text)["asean"]
    assert not any(e.rule == "asean.lead_secondary" for e in asean.evidence)
    assert "asean" not in names(det, "Junta extends emergency rule", text)


def test_unknown_or_negative_groups_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"lead_secondary.groups: unknown group 'nope'"):
        load_topic_rules(write_rules(tmp_path, RULES.replace("groups: [bodies]", "groups: [nope]")))
    neg = RULES.replace("name: {weight: 1", "name: {weight: -1").replace("groups: [bodies]", "groups: [name]")
    with pytest.raises(ConfigError, match="needs a positive weight"):
        load_topic_rules(write_rules(tmp_path, neg))
