"""The spaCy side of extraction: model import, the gazetteer rulers, and selective NER.

Owns loading the language's spaCy model once per process (trimmed to what NER needs), building and caching one
pipeline per gazetteer (two `entity_ruler`s before "ner"), and the selective-NER helpers: `ner_segments` (the
sentences that may hold an entity the rulers did not mark) and `sub_docs` (copies of those token ranges for the
NER). spaCy is imported lazily: importing this module stays cheap.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from pipeline.entities.gazetteer import APOSTROPHES, Gazetteer, fold_diacritics
from pipeline.lang import ENGLISH, LanguageData

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

# Components of en_core_web_sm that NER does not need (its NER has its own tok2vec). Verified by
# benchmarks/bench_extract.py: same entities as the full pipeline, about twice as fast.
UNUSED_COMPONENTS: tuple[str, ...] = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter")
RULER_CI = "gazetteer_multiword"
RULER_CS = "gazetteer_oneword"
WEAK_PREFIX = "weak:"  # ruler id prefix of weak aliases, resolved against the document's context
FULL_NER_SHARE = 0.8  # when this share of a document's tokens needs NER, run it on the whole document


class ModelNotInstalledError(RuntimeError):
    """None of the language's spaCy model packages is importable (we never download at run time)."""


def import_model(lang: LanguageData = ENGLISH) -> Any:
    """The first importable package of `lang.spacy_models` (a spaCy model package exposes `load`)."""
    import importlib

    for name in lang.spacy_models:
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    raise ModelNotInstalledError(
        f"no spaCy {lang.name} model installed: install {lang.spacy_install} "
        "(newsmon never downloads models at run time)"
    )


@lru_cache(maxsize=4)
def load_base_model(trimmed: bool = True) -> Language:
    """The spaCy model, once per process; `trimmed` keeps only what NER needs."""
    module = import_model()
    return module.load(exclude=list(UNUSED_COMPONENTS) if trimmed else [])


def pattern_variants(form: str) -> list[str]:
    """Surface strings to match for one alias: as written, without leading "the", and diacritic-free."""
    base = re.sub(r"^(?:the|The|THE)\s+", "", form.strip())
    out = [base, fold_diacritics(base)]
    out += [s.translate(APOSTROPHES) for s in out]
    return list(dict.fromkeys(s for s in out if s))


def build_pipeline(gazetteer: Gazetteer, trimmed: bool = True) -> Language:
    """A fresh trimmed model with the gazetteer rulers added before "ner"."""
    import spacy

    module = import_model()
    nlp = module.load(exclude=list(UNUSED_COMPONENTS) if trimmed else [])
    multi: list[dict[str, Any]] = []
    single: list[dict[str, Any]] = []
    for entry in gazetteer.entries:
        forms = [(f, entry.canonical) for f in entry.surface_forms]
        forms += [(f, WEAK_PREFIX + entry.canonical) for f in entry.weak_aliases]
        for form, rule_id in forms:
            for variant in pattern_variants(form):
                tokens = [t.text for t in nlp.make_doc(variant)]
                rule = {"label": entry.type, "id": rule_id}
                if len(tokens) > 1:
                    multi.append(rule | {"pattern": variant})
                else:
                    single.append(rule | {"pattern": variant})
                    if len(variant) >= 4 and variant.upper() != variant:  # "MOSCOW" in datelines/headlines
                        single.append(rule | {"pattern": variant.upper()})
                    if len(variant) == 1:  # "on X." - the tokenizer keeps a capital letter and its dot together
                        single.append(rule | {"pattern": variant + "."})
    ci = nlp.add_pipe(
        "entity_ruler",
        name=RULER_CI,
        before="ner",
        config={"phrase_matcher_attr": "LOWER", "overwrite_ents": True, "validate": False},
    )
    ci.add_patterns(multi)  # type: ignore[attr-defined]
    cs = nlp.add_pipe(
        "entity_ruler",
        name=RULER_CS,
        after=RULER_CI,
        config={"phrase_matcher_attr": "ORTH", "overwrite_ents": False, "validate": False},
    )
    cs.add_patterns(single)  # type: ignore[attr-defined]
    assert isinstance(nlp, spacy.language.Language)
    return nlp


_PIPELINES: dict[tuple[Any, bool], Language] = {}


def get_pipeline(gazetteer: Gazetteer, trimmed: bool = True) -> Language:
    """The spaCy pipeline for this gazetteer, built once per process and reused."""
    key = (gazetteer.fingerprint(), trimmed)
    nlp = _PIPELINES.get(key)
    if nlp is None:
        nlp = _PIPELINES[key] = build_pipeline(gazetteer, trimmed)
    return nlp


# --------------------------------------------------------------------------------------------- selective NER

# Per-token classes for `ner_segments`, decided by the token's string alone (cached per process and language
# data by orth id).
_T_NEUTRAL = 0  # no letters (punctuation, digits): leaves "sentence-initial" as it was
_T_LOWER = 1  # a lowercase word
_T_CASELESS = 2  # letters of a caseless script (Burmese, Thai, Chinese): always needs NER
_T_CALENDAR = 3  # a capitalised day or month name
_T_STOP = 4  # a capitalised stop word ("The", "But"): harmless only sentence-initially
_T_CAPITAL = 5  # any other capitalised word: needs NER unless a gazetteer entity covers it
_T_END = 8  # flag: the token ends a sentence (`lang.sentence_end` or whitespace holding a line break)
_TOKEN_CLASSES: dict[LanguageData, dict[int, int]] = {}  # language data (by identity) -> orth id -> class


def _token_class(text: str, lang: LanguageData) -> int:
    """The `_T_*` class of one token string (plus `_T_END` when it ends a sentence)."""
    end = _T_END if text in lang.sentence_end or (not text.strip() and "\n" in text) else 0
    lower = text.lower()
    if lower == text:  # no capital letter ("b52" too)
        if text.upper() == text:
            return end | (_T_CASELESS if any(ch.isalpha() for ch in text) else _T_NEUTRAL)
        return end | _T_LOWER
    if lower in lang.calendar_words:
        return end | _T_CALENDAR
    return end | (_T_STOP if lower in lang.stop_words else _T_CAPITAL)


def ner_segments(doc: Doc, lang: LanguageData = ENGLISH) -> list[tuple[int, int]]:
    """Token ranges of `doc` that need the statistical NER: runs of sentences that may hold an entity the
    gazetteer rulers did not already mark. Sentences end at `lang.sentence_end` tokens or a line break.

    Kept entity types (PERSON, ORG, GPE, LOC, NORP, EVENT) are written with a capital letter in English, so a
    sentence whose only capitalised words are gazetteer entities, day/month names or a sentence-initial stop
    word ("The", "But") cannot contain a new one. Caseless scripts always need NER (no capitals to go by).
    Works on the token id and IOB arrays (no Token objects): this runs on every topical article.
    """
    from spacy.attrs import ENT_IOB, ORTH

    n = len(doc)
    if n == 0:
        return []
    cols = doc.to_array([ORTH, ENT_IOB]).tolist()
    strings = doc.vocab.strings
    classes = _TOKEN_CLASSES.setdefault(lang, {})
    segments: list[tuple[int, int]] = []
    start = 0
    first = True
    needs = False
    for i, (orth, iob) in enumerate(cols):
        cls = classes.get(orth)
        if cls is None:
            cls = classes[orth] = _token_class(strings[orth], lang)
        kind = cls & 7
        if not needs and kind != _T_NEUTRAL:
            if kind == _T_CASELESS:
                needs = True
            elif kind >= _T_STOP and iob not in (1, 3) and not (first and kind == _T_STOP):
                needs = True  # a capitalised word no gazetteer entity covers (iob 3 = B, 1 = I)
            first = False
        if cls & _T_END or i == n - 1:
            if needs:
                if segments and segments[-1][1] == start:
                    segments[-1] = (segments[-1][0], i + 1)
                else:
                    segments.append((start, i + 1))
            start, first, needs = i + 1, True, False
    return segments


def sub_docs(doc: Doc, text: str, segments: list[tuple[int, int]]) -> list[Doc]:
    """Copies of `doc`'s token ranges for the NER, with the rulers' entities (label and canonical id) kept.

    Like `Span.as_doc` but cheaper (no vectors, tensor or per-call whole-document array); an entity cut by a
    range edge is marked missing so the NER may re-decide those tokens.
    """
    from spacy.attrs import ENT_ID, ENT_IOB, ENT_TYPE, IDX, NORM, SPACY
    from spacy.tokens import Doc

    attrs = [ENT_IOB, ENT_TYPE, ENT_ID, NORM]  # NORM: tokenizer exceptions set it per token ("Sept." -> "September")
    arr = doc.to_array(attrs)
    pos = doc.to_array([IDX, SPACY]).tolist()
    n = len(doc)
    bounds = [p[0] for p in pos] + [len(text)]
    words = [text[bounds[i] : bounds[i + 1] - pos[i][1]] for i in range(n)]
    spaces = [bool(p[1]) for p in pos]
    out: list[Doc] = []
    for s, e in segments:
        part = arr[s:e].copy()
        if part[0, 0] == 1:  # starts inside an entity: its head is outside the range
            j = 0
            while j < len(part) and part[j, 0] == 1:
                part[j, :3] = 0
                j += 1
        if e < n and arr[e, 0] == 1:  # the last entity runs past the range end
            j = len(part) - 1
            while j >= 0 and part[j, 0] in (1, 3):
                head = part[j, 0] == 3
                part[j, :3] = 0
                j -= 1
                if head:
                    break
        sub = Doc(doc.vocab, words=words[s:e], spaces=spaces[s:e])
        sub.from_array(attrs, part)  # type: ignore[arg-type]  # uint64 ids, as `to_array` gave them
        out.append(sub)
    return out
