"""The gazetteer: validation of config/entities.yaml, lookup by name key, and custom entries end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.core.config import ConfigError
from pipeline.entities.extractor import EntityExtractor
from pipeline.entities.gazetteer import Gazetteer, fold_diacritics, load_gazetteer, match_key, parse_gazetteer


def test_shipped_gazetteer_is_large_valid_and_unambiguous() -> None:
    gaz = load_gazetteer()
    assert len(gaz.entries) >= 200
    types = {e.type for e in gaz.entries}
    assert {"PERSON", "ORG", "GPE", "LOC"} <= types
    # every alias resolves back to its own entry (no alias silently shadowed by another entity)
    for entry in gaz.entries:
        for form in entry.surface_forms:
            assert gaz.lookup(form) is entry, form
    for name in ("Sergei Lavrov", "Sergey Lavrov", "Naypyitaw", "Nay Pyi Taw", "Burma", "Asean", "Rangoon"):
        assert gaz.lookup(name) is not None, name
    assert gaz.lookup("Association of South-East Asian Nations").canonical == "ASEAN"  # type: ignore[union-attr]


def test_duplicate_alias_across_entities_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "entities.yaml"
    path.write_text(
        "entities:\n"
        "  - {canonical: Yangon, type: GPE, aliases: [Rangoon]}\n"
        "  - {canonical: Rangoon Division, type: GPE, aliases: [rangoon]}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as err:
        load_gazetteer(path)
    msg = str(err.value)
    assert str(path) in msg and "entities[1].aliases[0]" in msg and "Yangon" in msg


@pytest.mark.parametrize(
    ("yaml_text", "key"),
    [
        ("entities:\n  - {canonical: X, type: PLACE}\n", "entities[0].type"),
        ("entities:\n  - {canonical: X, type: ORG, wikidata: '123'}\n", "entities[0].wikidata"),
        ("entities:\n  - {canonical: X, type: ORG, colour: red}\n", "entities[0].colour"),
        ("entities: []\n", "entities"),
    ],
)
def test_invalid_entries_name_the_key(tmp_path: Path, yaml_text: str, key: str) -> None:
    path = tmp_path / "entities.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_gazetteer(path)
    assert key in str(err.value) and str(path) in str(err.value)


def test_missing_gazetteer_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_gazetteer(tmp_path / "nope.yaml")


def test_keys_fold_case_diacritics_punctuation() -> None:
    assert fold_diacritics("Nguyễn Phú Trọng") == "Nguyen Phu Trong"
    assert fold_diacritics("Đà Nẵng") == "Da Nang"
    assert match_key("The Ta’ang  National-Liberation Army") == match_key("taang national liberation army")
    assert match_key("U.N.") == match_key("UN")
    assert match_key("Xanana Gusmão") == match_key("XANANA GUSMAO")


def test_custom_gazetteer_entries_are_matched() -> None:
    gaz = parse_gazetteer(
        {"entities": [{"canonical": "Zorvania", "type": "GPE", "aliases": ["Republic of Zorvania", "Zorvanya"]}]}
    )
    assert isinstance(gaz, Gazetteer)
    ents = EntityExtractor(gaz).extract("The republic of zorvania, also spelt Zorvanya, held a vote.")
    assert {(e.canonical, e.label) for e in ents} >= {("Zorvania", "GPE")}
    assert len([e for e in ents if e.canonical == "Zorvania"]) == 2
