"""English data for the institution rules and the variant resolver: consistent with itself and the gazetteer."""

from __future__ import annotations

from pipeline.entities.gazetteer import load_gazetteer
from pipeline.lang import ENGLISH


def test_every_first_name_spelling_belongs_to_one_name() -> None:
    spellings = [v.lower() for group in ENGLISH.name_variants for v in group]
    assert len(spellings) == len(set(spellings))
    assert all(len(group) >= 2 for group in ENGLISH.name_variants)
    assert ENGLISH.first_name_forms["yury"] == ENGLISH.first_name_forms["yuri"] == "Yuri"
    assert ENGLISH.first_name_forms["sergey"] == "Sergei"


def test_country_adjectives_name_gazetteer_countries() -> None:
    gazetteer = load_gazetteer()
    for adjective, country in ENGLISH.country_adjectives.items():
        entry = gazetteer.lookup(country)
        assert entry is not None and entry.type == "GPE" and entry.canonical == country, adjective
    assert ENGLISH.countries_with_article >= {"Philippines", "United States", "United Kingdom"}


def test_institution_word_lists_fit_together() -> None:
    assert ENGLISH.ministry_heads | ENGLISH.embassy_heads | ENGLISH.mission_heads <= ENGLISH.institution_heads
    assert all(key == key.lower() for key in ENGLISH.portfolios)
    assert ENGLISH.portfolios["foreign"] == "Foreign Affairs" and ENGLISH.portfolios["defense"] == "Defence"
    for abbreviation, name in ENGLISH.unit_abbreviations.items():
        assert abbreviation.isupper() and name.split()[-1] in ENGLISH.unit_heads, abbreviation
    assert {"State", "Region", "Oblast"} <= ENGLISH.region_suffixes
