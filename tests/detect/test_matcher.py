"""Matching: spellings, case, wildcards and regexes, overlaps, false friends and lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.detect.detector import Detector
from tests.detect.conftest import MINI, names, write_rules


@pytest.mark.parametrize(
    ("title", "text"),
    [
        (
            "Families honour the dead of the Death Railway",
            "Relatives laid wreaths at the war cemetery in Kanchanaburi for prisoners of war who died building "
            "the Burma Railway during the Second World War. Many were buried along the Thai-Burma Railway.",
        ),
        (
            "Burmese python caught in Florida suburb",
            "Wildlife officials removed a 16-foot Burmese python from a garage. Burmese pythons are an invasive "
            "species in the Everglades.",
        ),
    ],
)
def test_historical_burma_and_burmese_python_are_not_myanmar(det: Detector, title: str, text: str) -> None:
    assert "myanmar" not in names(det, title, text)
    ignored = [e for e in det.score_all(title, text)["myanmar"].evidence if e.weight == 0]
    assert ignored, "the false friend should be shown as ignored evidence"


def test_asean_football_cup_is_not_asean(det: Detector) -> None:
    title = "Indonesia reach ASEAN Mitsubishi Electric Cup semi-final"
    text = (
        "Indonesia beat the Philippines 1-0 to reach the semi-finals of the ASEAN Mitsubishi Electric Cup. "
        "The coach praised his young squad. The ASEAN Championship final will be played over two legs."
    )
    assert names(det, title, text) == []


def test_other_regional_blocs_and_juntas_are_not_asean_or_myanmar(det: Detector) -> None:
    title = "West African bloc suspends Niger"
    text = (
        "The regional bloc ECOWAS suspended Niger after the coup, and leaders at an emergency summit threatened "
        "sanctions against the junta."
    )
    assert names(det, title, text) == []
    assert det.score_all(title, text)["asean"].score == 0


def test_bangladesh_camp_fire_is_not_myanmar(det: Detector) -> None:
    title = "Blaze guts hundreds of shelters in Rohingya camp"
    text = (
        "A fire destroyed hundreds of shelters in a Rohingya refugee camp in Cox's Bazar, Bangladesh, on "
        "Tuesday. Firefighters brought the blaze under control after two hours. About a million Rohingya "
        "live in the camps after fleeing Myanmar."
    )
    assert names(det, title, text) == []


def test_rohingya_repatriation_is_myanmar(det: Detector) -> None:
    title = "Rohingya delegation inspects Rakhine villages before repatriation"
    text = (
        "A group of Rohingya refugees visited Maungdaw in Myanmar's Rakhine state to see reception centres "
        "built for a pilot repatriation programme agreed with Bangladesh. They said they would not return "
        "without citizenship rights."
    )
    assert names(det, title, text) == ["myanmar"]


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("Russia raises key rate to 18%", "The Bank of Russia raised its key rate, citing inflation. The rouble fell."),
        (
            "Russian skaters barred from Olympics",
            "The IOC said Russian athletes would not compete at the Winter Olympics. Russian officials protested.",
        ),
        (
            "Russian troops advance in Donetsk",
            "Russian forces captured a village as their offensive continued, while Ukrainian troops reported "
            "heavy shelling along the front line.",
        ),
        (
            "Turnout high in Russian regional elections",
            "Voters cast ballots in regional elections, the Central Election Commission said. Opposition "
            "candidates were barred.",
        ),
    ],
)
def test_russian_markets_sport_battlefield_elections_are_not_diplomacy(det: Detector, title: str, text: str) -> None:
    assert "russian_diplomacy" not in names(det, title, text)


def test_country_in_a_list_of_member_states_does_not_count(det: Detector) -> None:
    text = (
        "The bloc's members are Brunei, Cambodia, Indonesia, Laos, Malaysia, Myanmar, the Philippines, "
        "Singapore, Thailand and Vietnam."
    )
    m = det.score_all("", text)["myanmar"]
    assert m.score == 0
    masks = [e for e in m.evidence if e.rule == "myanmar.countries"]
    assert len(masks) == 1 and masks[0].weight == 0
    assert masks[0].term.startswith("Brunei") and masks[0].term.endswith("Vietnam")


def test_two_countries_are_not_a_list(det: Detector) -> None:
    m = det.score_all("", "Thailand and Myanmar agreed to reopen the bridge.")["myanmar"]
    assert any(e.rule == "myanmar.country" and e.weight > 0 for e in m.evidence)


@pytest.mark.parametrize("capital", ["Naypyidaw", "Naypyitaw", "Nay Pyi Taw", "Nay-Pyi-Taw"])
def test_capital_spellings(det: Detector, capital: str) -> None:
    ev = det.score_all("", f"Officials in {capital} said so.")["myanmar"].evidence
    assert [e.term for e in ev if e.rule == "myanmar.capital_cities"] == [capital]


@pytest.mark.parametrize("name", ["Sergei Lavrov", "Sergey Lavrov", "Lavrov's"])
def test_lavrov_spellings(det: Detector, name: str) -> None:
    ev = det.score_all("", f"{name} remarks were reported.")["russian_diplomacy"].evidence
    assert any(e.rule == "russian_diplomacy.ru_diplomats" for e in ev)


def test_curly_apostrophe_and_possessive(det: Detector) -> None:
    ev = det.score_all("", "Fighters of the People’s Defence Force entered Myanmar’s second city.")["myanmar"].evidence
    terms = {(e.rule, e.term) for e in ev}
    assert ("myanmar.resistance", "People’s Defence Force") in terms
    assert ("myanmar.country", "Myanmar’s") in terms


def test_words_in_capitals_match_case_sensitively(tmp_path: Path) -> None:
    body = MINI.replace("terms: [widget]", "terms: [NUG, asean]")
    d = Detector.from_config(write_rules(tmp_path, body))
    assert [e.term for e in d.score_all("", "the NUG said")["t"].evidence] == ["NUG"]
    assert d.score_all("", "a nug of gold")["t"].evidence == ()
    assert [e.term for e in d.score_all("", "ASEAN and Asean")["t"].evidence] == ["ASEAN", "Asean"]


def test_prefix_wildcard_and_regex_terms(tmp_path: Path) -> None:
    body = """
version: 1
topics:
  t:
    threshold: 1
    groups:
      g: {weight: 1, terms: ["repatriat*"], regex: ['\\d+-member (?-i:Bloc)']}
"""
    d = Detector.from_config(write_rules(tmp_path, body))
    ev = d.score_all("", "Repatriation of refugees; the 10-member Bloc met; the 10-member bloc did not.")["t"].evidence
    assert [e.term for e in ev] == ["Repatriation", "10-member Bloc"]
    text = "Repatriation of refugees; the 10-member Bloc met"
    e = ev[1]
    assert text[e.start : e.end] == "10-member Bloc"


def test_longest_overlapping_term_wins(det: Detector) -> None:
    ev = det.score_all("", "The Russian Foreign Ministry said so.")["russian_diplomacy"].evidence
    rules = [e.rule for e in ev if e.weight]
    assert "russian_diplomacy.ru_foreign_ministry" in rules
    assert "russian_diplomacy.ru_actor" not in rules  # "Russian" is inside the longer phrase
