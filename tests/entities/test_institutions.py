"""Institution rules: one pattern per ORG class (ministries, embassies, missions, bodies, units), their canonical
names, and how the extractor uses them. Texts written for these tests."""

from __future__ import annotations

import dataclasses

import pytest

from pipeline.entities.extractor import EntityExtractor
from pipeline.entities.gazetteer import load_gazetteer
from pipeline.entities.institutions import Institution, find_institutions, ordinal
from pipeline.lang import ENGLISH
from tests.entities.conftest import canon

GAZ = load_gazetteer()


def found(text: str) -> list[tuple[str, str, str]]:
    return [(text[i.start : i.end], i.canonical, i.kind) for i in find_institutions(text, GAZ)]


def one(text: str) -> Institution:
    insts = find_institutions(text, GAZ)
    assert len(insts) == 1, found(text)
    return insts[0]


@pytest.mark.parametrize(
    ("text", "surface", "canonical"),
    [
        ("Laos' Foreign Ministry said on Friday", "Foreign Ministry", "Ministry of Foreign Affairs of Laos"),
        ("the Cambodian Defence Ministry denied it", "Cambodian Defence Ministry", "Ministry of Defence of Cambodia"),
        ("the Ministry of Foreign Affairs of Cambodia said", "Ministry of Foreign Affairs of Cambodia",
         "Ministry of Foreign Affairs of Cambodia"),
        ("Japan's Ministry of Economy, Trade", "Ministry of Economy", "Ministry of Economy of Japan"),
        ("the Vietnamese foreign ministry said", "Vietnamese foreign ministry",
         "Ministry of Foreign Affairs of Vietnam"),
        ("Brunei's defense ministry said", "defense ministry", "Ministry of Defence of Brunei"),
        ("the Philippine Department of Foreign Affairs said", "Philippine Department of Foreign Affairs",
         "Department of Foreign Affairs of the Philippines"),
    ],
)
def test_ministries_get_one_canonical_form(text: str, surface: str, canonical: str) -> None:
    inst = one(text)
    assert (text[inst.start : inst.end], inst.canonical, inst.kind) == (surface, canonical, "ministry")


def test_a_ministry_without_a_country_is_left_bare_for_the_resolver() -> None:
    inst = one("The Ministry of Information said the decree was final.")
    assert (inst.canonical, inst.country, inst.portfolio) == ("Ministry of Information", None, "Information")


def test_russian_ministry_variants_all_name_the_gazetteer_entry() -> None:
    for text in (
        "the Russian Foreign Ministry said",
        "Russia's Ministry of Foreign Affairs said",
        "the Ministry of Foreign Affairs of the Russian Federation said",
        "Russia's foreign ministry said",
    ):
        assert one(text).canonical == "Ministry of Foreign Affairs of Russia", text


def test_a_possessive_country_stays_a_place_of_its_own() -> None:
    text = "South Korea's Ministry of Unification said"
    inst = one(text)
    assert inst.canonical == "Ministry of Unification of South Korea"
    assert inst.owner is not None and text[inst.owner[0] : inst.owner[1]] == "South Korea"


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("the Embassy of Japan in Myanmar said", "Embassy of Japan in Myanmar"),
        ("the Chinese Embassy in Yangon said", "Embassy of China in Myanmar"),  # the host city's country
        ("India's Embassy in Moscow said", "Embassy of India in Russia"),
        ("the Embassy of Myanmar in Bangkok said", "Embassy of Myanmar in Thailand"),
        ("the US Embassy said", "Embassy of the United States"),
    ],
)
def test_embassies(text: str, canonical: str) -> None:
    inst = one(text)
    assert (inst.canonical, inst.kind) == (canonical, "embassy")


def test_embassy_needs_a_country() -> None:
    assert found("He walked down Embassy Row.") == []


@pytest.mark.parametrize(
    "text",
    [
        "the Permanent Mission of Cambodia to the United Nations said",
        "Cambodia's Permanent Mission to the UN said",
        "Cambodia's UN Mission said",
    ],
)
def test_permanent_missions(text: str) -> None:
    inst = one(text)
    assert (inst.canonical, inst.kind) == ("Permanent Mission of Cambodia to the United Nations", "mission")


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("the Karen State Hluttaw met", "Karen State Hluttaw"),  # a regional parliament
        ("the Myanmar Customs Department said", "Myanmar Customs Department"),  # the country's own name stays
        ("the Thai Election Commission said", "Election Commission of Thailand"),  # an adjective moves to a tail
        ("Vietnam's Central Inspection Commission said", "Central Inspection Commission of Vietnam"),
        ("the Commission of Inquiry on Rakhine said", "Commission of Inquiry on Rakhine"),
        ("the Disaster and Emergency Management Authority said", "Disaster and Emergency Management Authority"),
        ("the ‘Commonwealth War Graves Commission’ said", "Commonwealth War Graves Commission"),
    ],
)
def test_commissions_councils_departments(text: str, canonical: str) -> None:
    inst = one(text)
    assert (inst.canonical, inst.kind) == (canonical, "body")


def test_bodies_stop_at_other_bodies_dates_and_sentence_ends() -> None:
    assert [c for _, c, _ in found("the Interior Ministry and Federal Security Service said")] == [
        "Ministry of Interior", "Federal Security Service"]
    assert found("the Committee of Permanent Representatives on Friday. The CPR")[0][0] == (
        "Committee of Permanent Representatives")
    assert found("a Security Council of Russia meeting")[0][1] == "Russian Security Council"  # the gazetteer's name
    assert found("The Council met.") == []  # a bare head word is for the resolver


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("troops of the 66th Light Infantry Division moved", "66th Light Infantry Division"),
        ("Light Infantry Division 66 moved", "66th Light Infantry Division"),
        ("LID 66 moved", "66th Light Infantry Division"),
        ("Infantry Battalion No. 12 moved", "12th Infantry Battalion"),
        ("LIB-102 moved", "102nd Light Infantry Battalion"),
        ("Military Operations Command 3 moved", "3rd Military Operations Command"),
        ("The 201st Brigade moved", "201st Brigade"),
    ],
)
def test_numbered_military_units(text: str, canonical: str) -> None:
    inst = one(text)
    assert (inst.canonical, inst.kind) == (canonical, "unit")


def test_ordinals() -> None:
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 111, 112)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "111th", "112th"]


def test_rules_come_from_the_language_data() -> None:
    bare = dataclasses.replace(ENGLISH, institution_heads=frozenset(), unit_heads=frozenset(),
                               unit_abbreviations={}, portfolios={})
    text = "Laos' Foreign Ministry and LID 66 and the 66th Light Infantry Division"
    assert find_institutions(text, GAZ) and find_institutions(text, GAZ, bare) == []


def test_extractor_finds_organisations_the_model_misses(extractor: EntityExtractor) -> None:
    text = (
        "VIENTIANE (Kyodo) - Laos' Foreign Ministry said the 66th Light Infantry Division had crossed the border, "
        "according to Cambodia's Permanent Mission to the UN. The Karen State Hluttaw condemned it on Telegram, "
        "and EFE-EPA and dpa carried the statement."
    )
    orgs = canon(extractor.extract(text), "ORG")
    assert {
        "Kyodo News",
        "Ministry of Foreign Affairs of Laos",
        "66th Light Infantry Division",
        "Permanent Mission of Cambodia to the United Nations",
        "Karen State Hluttaw",
        "Telegram",
        "EFE-EPA",
        "dpa",
    } <= orgs, orgs
    assert {"Laos", "Cambodia"} <= canon(extractor.extract(text), "GPE")  # the possessive owners stay places


def test_a_gazetteer_name_wins_over_a_rule_span(extractor: EntityExtractor) -> None:
    ents = extractor.extract("The Federation Council of the Federal Assembly voted on Wednesday.")
    assert "Federation Council" in canon(ents, "ORG")
