"""The extractor facade: acceptance examples, batching, processes, selective NER, languages and facets."""

from __future__ import annotations

import pytest

from pipeline.core.records import Entity
from pipeline.entities.extractor import EntityExtractor, facets
from tests.entities.conftest import canon, gold_texts


def test_bad_batch_options_rejected(extractor: EntityExtractor) -> None:
    with pytest.raises(ValueError):
        EntityExtractor(extractor.gazetteer, batch_size=0)


def test_lavrov_variants_are_one_person(extractor: EntityExtractor) -> None:
    text = (
        "Russian Foreign Minister Sergei Lavrov landed in Jakarta on Monday.\n\n"
        "Sergey Lavrov, as the ministry spells it, met his hosts. Lavrov later spoke to reporters."
    )
    ents = extractor.extract(text)
    people = [e for e in ents if e.label == "PERSON"]
    assert {e.text for e in people} == {"Sergei Lavrov", "Sergey Lavrov", "Lavrov"}
    assert canon(people) == {"Sergey Lavrov"}
    assert facets(ents)["person"] == ["Sergey Lavrov"]


def test_naypyidaw_variants_are_one_place(extractor: EntityExtractor) -> None:
    text = "Envoys flew to Naypyitaw. Officials in Nay Pyi Taw said Naypyidaw would host the talks."
    ents = [e for e in extractor.extract(text) if e.label == "GPE"]
    assert {e.text for e in ents} == {"Naypyitaw", "Nay Pyi Taw", "Naypyidaw"}
    assert canon(ents) == {"Naypyidaw"}


def test_asean_variants_are_one_organisation(extractor: EntityExtractor) -> None:
    text = (
        "Asean ministers met on Friday. The Association of Southeast Asian Nations said ASEAN would "
        "keep its five-point plan."
    )
    ents = [e for e in extractor.extract(text) if e.label == "ORG"]
    assert {e.text for e in ents} == {"Asean", "Association of Southeast Asian Nations", "ASEAN"}
    assert canon(ents) == {"ASEAN"}


def test_myanmar_people_with_honorifics(extractor: EntityExtractor) -> None:
    text = (
        "Daw Aung San Suu Kyi remains in prison. Senior General Min Aung Hlaing said Suu Kyi was well. "
        "Burma's generals deny abuses, and Myanmar's junta chief Min Aung Hlaing spoke again."
    )
    ents = extractor.extract(text)
    assert canon(ents, "PERSON") == {"Aung San Suu Kyi", "Min Aung Hlaing"}
    assert canon(ents, "GPE") == {"Myanmar"}
    assert "Daw" not in {e.text.split()[0] for e in ents}


def test_facets_shape_dedup_and_order() -> None:
    ents = [
        Entity("Lavrov", "PERSON", "Sergei Lavrov"),
        Entity("Myanmar", "GPE", "Myanmar"),
        Entity("Sergey Lavrov", "PERSON", "Sergei Lavrov"),
        Entity("Burma", "GPE", "Myanmar"),
        Entity("Yangon", "GPE", "Yangon"),
        Entity("Rohingya", "NORP", "Rohingya"),
    ]
    out = facets(ents)
    assert list(out) == ["person", "org", "gpe", "loc", "norp", "event"]
    assert out["person"] == ["Sergei Lavrov"] and out["gpe"] == ["Myanmar", "Yangon"]
    assert out["norp"] == ["Rohingya"] and out["org"] == []


def test_extract_many_matches_extract(extractor: EntityExtractor) -> None:
    texts = gold_texts()[:6]
    assert extractor.extract_many(texts) == [extractor.extract(t) for t in texts]
    assert extractor.extract_many([]) == []
    assert extractor.extract("") == []


def test_extract_many_multiprocess(extractor: EntityExtractor) -> None:
    texts = gold_texts()[:4]
    multi = EntityExtractor(extractor.gazetteer, batch_size=2, n_process=2)
    assert multi.extract_many(texts) == extractor.extract_many(texts)


def test_selective_ner_finds_what_whole_document_ner_finds(extractor: EntityExtractor) -> None:
    """Running NER only on the sentences that need it gives the same entities on the gold texts, and skips work."""
    texts = [
        *gold_texts(),
        "Lavrov arrives in Jakarta\n\nthe minister was expected to stay for two days. "
        "talks were said to be cordial, officials said. He later met Retno Marsudi.",
    ]
    selective = EntityExtractor(extractor.gazetteer)
    whole = EntityExtractor(extractor.gazetteer, selective=False)
    got, want = selective.extract_many(texts), whole.extract_many(texts)
    pairs = [
        ({(e.canonical, e.label) for e in g}, {(e.canonical, e.label) for e in w})
        for g, w in zip(got, want, strict=True)
    ]
    total = sum(len(w) for _, w in pairs)
    differ = sum(len(g ^ w) for g, w in pairs)
    assert total > 100 and differ <= 0.02 * total, [(sorted(g - w), sorted(w - g)) for g, w in pairs if g != w]
    assert got[-1] == want[-1] and {e.canonical for e in got[-1]} >= {"Sergey Lavrov", "Jakarta", "Retno Marsudi"}
    assert 0 < selective.ner_tokens < selective.all_tokens and whole.ner_tokens == whole.all_tokens


def test_language_codes_choose_the_language_data(extractor: EntityExtractor) -> None:
    """Each text may name its language; English and an unknown language (None) go through the English model."""
    texts = gold_texts()[:3]
    english = extractor.extract_many(texts)
    assert extractor.extract_many(texts, ["en", None, "EN-us"]) == english
    assert extractor.extract(texts[0], lang="en-GB") == english[0]
    with pytest.raises(ValueError, match="language codes"):
        extractor.extract_many(texts, ["en"])


def test_a_language_without_data_gets_curated_names_not_the_english_model(extractor: EntityExtractor) -> None:
    """German falls back to English word lists, but the English model would read its capitalised nouns as names."""
    german = ("Am Dienstag trafen sich die Außenminister der Beamtenebene im Shangrila Hotel in Jakarta; "
              "Retno Marsudi eröffnete die Konferenz.")
    found = {e.canonical for e in extractor.extract(german, lang="de")}
    assert {"Jakarta", "Retno Marsudi"} <= found
    assert not found & {"Dienstag", "Beamtenebene", "Außenminister"}
    assert "Dienstag" in {e.text for e in extractor.extract(german, lang="en")}  # what the model alone would add
