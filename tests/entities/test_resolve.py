"""Document-level resolution: bare references, first-name transliterations, regions, ALL-CAPS and truncated
forms. Texts written for these tests."""

from __future__ import annotations

from pipeline.entities.extractor import EntityExtractor
from pipeline.lang import ENGLISH
from tests.entities.conftest import by_text, canon


def canonicals_of(ents: list, surface: str) -> set[str]:
    return {e.canonical for e in ents if e.text == surface}


def test_bare_ministry_takes_the_fuller_one_of_the_story(extractor: EntityExtractor) -> None:
    ents = extractor.extract(
        "Vietnam's Ministry of Foreign Affairs summoned the envoy. The Foreign Ministry said talks would follow."
    )
    assert canonicals_of(ents, "Foreign Ministry") == {"Ministry of Foreign Affairs of Vietnam"}


def test_bare_ministry_takes_the_country_of_the_storys_other_ministry(extractor: EntityExtractor) -> None:
    ents = extractor.extract(
        "Cambodia's Ministry of Foreign Affairs welcomed the deal. The Ministry of National Defence sent engineers."
    )
    assert "Ministry of National Defence of Cambodia" in canon(ents, "ORG")


def test_bare_ministry_takes_the_dateline_country(extractor: EntityExtractor) -> None:
    ents = extractor.extract(
        "HANOI (Reuters) - The Foreign Ministry said on Tuesday it would send observers to the vote in Laos and "
        "Cambodia."
    )
    assert "Ministry of Foreign Affairs of Vietnam" in canon(ents, "ORG")


def test_bare_ministry_takes_the_country_the_story_names_most(extractor: EntityExtractor) -> None:
    ents = extractor.extract(
        "Thailand will reopen the border crossing, the Foreign Ministry said. Thailand closed it in June after "
        "shelling; Thai traders have lost millions, and Laos has offered help."
    )
    assert "Ministry of Foreign Affairs of Thailand" in canon(ents, "ORG")


def test_bare_ministry_without_a_clear_country_stays_bare(extractor: EntityExtractor) -> None:
    ents = extractor.extract("Laos and Cambodia signed the deal, the Foreign Ministry said.")
    assert "Ministry of Foreign Affairs" in canon(ents, "ORG")


def test_bare_council_binds_to_the_storys_council(extractor: EntityExtractor) -> None:
    ents = extractor.extract(
        "The U.N. Security Council met on Myanmar on Friday. A Council diplomat said the Council would meet again."
    )
    names = {e.canonical for e in ents if e.text in ("Council", "U.N. Security Council")}
    assert names == {"United Nations Security Council"}
    assert sum(1 for e in ents if e.text == "Council") == 2


def test_unresolved_bare_heads_are_dropped(extractor: EntityExtractor) -> None:
    ents = extractor.extract("The Council said it would meet again after the Commission reported.")
    assert not {"Council", "Commission"} & canon(ents)


def test_two_councils_leave_a_bare_council_unbound(extractor: EntityExtractor) -> None:
    ents = extractor.extract(
        "The Chinland Council and the Federation Council exchanged letters. The Council said nothing more."
    )
    assert "Council" not in {e.text for e in ents}


def test_first_name_transliterations_reach_the_gazetteer_person(extractor: EntityExtractor) -> None:
    ents = extractor.extract("Nikolay Patrushev and Yury Ushakov met the delegation on Monday.")
    assert {"Nikolai Patrushev", "Yuri Ushakov"} <= canon(ents, "PERSON")


def test_first_name_transliterations_of_unknown_people_share_one_spelling(extractor: EntityExtractor) -> None:
    a = extractor.extract("Deputy minister Andrey Volkonsky arrived in Yangon on Monday.")
    b = extractor.extract("Deputy minister Andrei Volkonsky arrived in Yangon on Monday.")
    assert canon(a, "PERSON") == canon(b, "PERSON") == {"Andrei Volkonsky"}
    assert ENGLISH.first_name_forms["andrey"] == "Andrei"


def test_region_with_and_without_its_suffix(extractor: EntityExtractor) -> None:
    ents = extractor.extract("Fighting spread across Tanintharyi Region. Residents of Tanintharyi fled.")
    assert canonicals_of(ents, "Tanintharyi Region") == canonicals_of(ents, "Tanintharyi") == {"Tanintharyi"}
    ents = extractor.extract("Troops moved into northern Shan after the truce collapsed.")
    assert "Shan State" in canon(ents, "GPE")


def test_region_suffix_collapses_unknown_regions_within_a_story(extractor: EntityExtractor) -> None:
    ents = extractor.extract("Drones struck Belgorod Oblast overnight. Officials in Belgorod said two were hurt.")
    assert canonicals_of(ents, "Belgorod") <= {"Belgorod Oblast"}


def test_britain_and_the_united_kingdom_are_one(extractor: EntityExtractor) -> None:
    ents = extractor.extract("Britain and France backed the text; the United Kingdom also called for a vote. UK "
                             "diplomats agreed.")
    assert canonicals_of(ents, "Britain") == canonicals_of(ents, "United Kingdom") == {"United Kingdom"}


def test_all_caps_headline_names_collapse_with_the_prose(extractor: EntityExtractor) -> None:
    ents = extractor.extract("KHIN MAUNG SOE WINS SEAT\n\nKhin Maung Soe won the seat in the by-election on Sunday.")
    assert canonicals_of(ents, "KHIN MAUNG SOE") <= {"Khin Maung Soe"}
    assert "KHIN MAUNG SOE" not in canon(ents)


def test_acronyms_are_not_title_cased(extractor: EntityExtractor) -> None:
    ents = extractor.extract("The club's NFL MVP award was discussed in Yangon on Monday.")
    assert "Nfl Mvp" not in canon(ents)


def test_dateline_city_is_not_an_acronym_definition(extractor: EntityExtractor) -> None:
    ents = by_text(extractor.extract("WASHINGTON (UPI) - The State Department said Myanmar must free detainees."))
    assert ents["UPI"].canonical == "UPI" and ents["UPI"].label == "ORG"


def test_one_letter_platform_needs_its_context(extractor: EntityExtractor) -> None:
    assert "X" in canon(extractor.extract("The Arakan Army said in a post on X that the base had fallen."), "ORG")
    assert "X" not in canon(extractor.extract("Sales of the Model X rose in Bangkok, the company said."))
