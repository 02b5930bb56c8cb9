"""Entity extraction: spaCy NER + a curated gazetteer + normalisation to canonical names.

Why: analysts facet stories by who/where/which organisation, so one person must land in one facet bucket
whatever the spelling ("Sergei Lavrov", "Sergey Lavrov", "Russian Foreign Minister Sergei Lavrov",
a later bare "Lavrov"). The pipeline is:

1. spaCy `en_core_web_sm` trimmed to its NER component (the sm model's NER has its own tok2vec, so the
   tagger/parser/lemmatizer are dead weight for us), loaded once per process (`nlp.py`).
2. Two `entity_ruler`s *before* "ner" built from `config/entities.yaml` (`gazetteer.py`): multi-word aliases
   matched on LOWER (case-insensitive), one-word aliases matched exactly (plus ALL-CAPS), each also in a
   diacritic-free form. The statistical NER then labels the rest of the text around these fixed spans.
3. Normalisation of every entity (gazetteer or not): labels outside PERSON/ORG/GPE/LOC/NORP/EVENT dropped
   (FAC -> LOC), leading "the", titles and honorifics ("Senior General", "Daw", "Russian Foreign Minister")
   and possessives stripped, gazetteer aliases mapped to the canonical name, junk fragments filtered
   (`surface.py`); then document-level linking (`linking.py`): a bare surname/partial name to the full PERSON
   name in the same text, ORG acronyms to their expansion, and one label per canonical name (majority vote).

This module owns the `EntityExtractor` facade and `facets`; it also re-exports the names other packages use.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from pipeline.core.records import Entity
from pipeline.core.vocab import FACET_KEYS
from pipeline.entities.aliases import alias_index
from pipeline.entities.gazetteer import Gazetteer, load_gazetteer
from pipeline.entities.langmodel import model_mentions
from pipeline.entities.linking import normalise_doc
from pipeline.entities.nlp import FULL_NER_SHARE, get_pipeline, load_base_model, ner_segments, sub_docs
from pipeline.lang import LanguageData, for_language, reads

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

__all__ = ["EntityExtractor", "facets", "load_base_model", "load_gazetteer"]


class EntityExtractor:
    """Extract normalised entities from article text (`title + "\\n\\n" + text`).

    The spaCy pipeline is built once per process per gazetteer and shared by all extractors. `selective`
    (default) runs the gazetteer rulers on the whole text but the statistical NER only on the sentences that
    can hold an entity (`ner_segments`): NER is the most expensive stage of ingestion, and its view of a
    token is local (a few tokens each side), so the entities found are the same (99.8 % of facet values on 347
    news and fixture texts, identical gold-set scores; the rest are boundary effects both ways). `n_process` > 1
    runs the whole-document pipeline in that many processes.

    Each text may name its language (ISO 639-1, `Article.language`); the language's word lists (titles,
    demonyms, stop words) are then used, English for an unknown or missing one.
    """

    def __init__(
        self,
        gazetteer: Gazetteer | None = None,
        *,
        batch_size: int = 64,
        n_process: int = 1,
        selective: bool = True,
    ):
        if batch_size < 1 or n_process < 1:
            raise ValueError("batch_size and n_process must be >= 1")
        self.gazetteer = gazetteer if gazetteer is not None else load_gazetteer()
        self.batch_size = batch_size
        self.n_process = n_process
        self.selective = selective
        self.nlp = get_pipeline(self.gazetteer)
        self.ner_tokens = 0  # tokens the statistical NER ran on (for benchmarks)
        self.all_tokens = 0

    def extract(self, text: str, lang: str | None = None) -> list[Entity]:
        """Entities of one text, with offsets into `text`."""
        return self.extract_many([text], [lang])[0]

    def extract_many(self, texts: Iterable[str], langs: Iterable[str | None] | None = None) -> list[list[Entity]]:
        """Entities of many texts (batched); same order as input. `langs`: each text's language code."""
        texts = list(texts)
        codes = list(langs) if langs is not None else [None] * len(texts)
        if len(codes) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(codes)} language codes")
        data = [for_language(code) for code in codes]
        # the English model reads English and text of unknown language; a language the desk has no data for
        # (German, Spanish) falls back to English word lists but must not go through the English model, which
        # reads its capitalised nouns as names ("Dienstag", "Beamtenebene")
        model = [lang.statistical_ner and (code is None or reads(code)) for code, lang in zip(codes, data, strict=True)]
        if all(model):
            return self._extract_model(texts, data)
        out: list[list[Entity] | None] = [None] * len(texts)
        for i, (text, lang) in enumerate(zip(texts, data, strict=True)):
            if not model[i]:  # the English model cannot read it: curated names (and the language's own model)
                curated = alias_index(self.gazetteer, lang).find(text)
                extra = model_mentions(text, lang, curated) if reads(codes[i]) else []
                out[i] = sorted(curated + extra, key=lambda m: (m.start, m.end)) if extra else curated
        todo = [i for i, r in enumerate(out) if r is None]
        if not todo:
            return [r or [] for r in out]
        for i, ents in zip(todo, self._extract_model([texts[i] for i in todo], [data[i] for i in todo]), strict=True):
            out[i] = ents
        return [r or [] for r in out]

    def _extract_model(self, texts: list[str], data: list[LanguageData]) -> list[list[Entity]]:
        """The spaCy path: rulers, (selective) NER and the normalisation rules."""
        if not self.selective or self.n_process > 1:  # several processes: the whole-document path
            docs = list(self.nlp.pipe(texts, batch_size=self.batch_size, n_process=self.n_process))
            for doc in docs:
                self.ner_tokens += len(doc)
                self.all_tokens += len(doc)
        else:
            docs = self._selective_docs(texts, data)
        return [
            normalise_doc(doc, self.gazetteer, text, lang) for doc, text, lang in zip(docs, texts, data, strict=True)
        ]

    def _selective_docs(self, texts: list[str], langs: list[LanguageData]) -> list[Doc]:
        from spacy.tokens import Span

        with self.nlp.select_pipes(disable=["ner"]):
            docs = list(self.nlp.pipe(texts, batch_size=self.batch_size))
        ner = self.nlp.get_pipe("ner")
        whole: list[Doc] = []
        parts: list[tuple[Doc, int, Doc]] = []  # (document, token offset, sub-document for NER)
        for doc, text, lang in zip(docs, texts, langs, strict=True):
            segments = ner_segments(doc, lang)
            covered = sum(e - s for s, e in segments)
            self.all_tokens += len(doc)
            self.ner_tokens += len(doc) if covered >= FULL_NER_SHARE * len(doc) else covered
            if covered >= FULL_NER_SHARE * len(doc):
                whole.append(doc)
            else:
                subs = sub_docs(doc, text, segments)
                parts.extend((doc, s, sub) for (s, _), sub in zip(segments, subs, strict=True))
        for _ in ner.pipe(whole, batch_size=self.batch_size):  # type: ignore[attr-defined]
            pass  # annotates in place
        found: dict[int, list[Span]] = {}
        subdocs = ner.pipe((sub for _, _, sub in parts), batch_size=self.batch_size)  # type: ignore[attr-defined]
        for (doc, offset, _), sub in zip(parts, subdocs, strict=True):
            found.setdefault(id(doc), []).extend(
                Span(doc, offset + ent.start, offset + ent.end, label=ent.label_, span_id=ent.id_) for ent in sub.ents
            )
        for doc in docs:
            spans = found.get(id(doc))
            if spans:  # the sub-documents' entities include the rulers' ones there; elsewhere the rulers' stay
                doc.set_ents(spans, default="unmodified")
        return docs


def facets(entities: Sequence[Entity]) -> dict[str, list[str]]:
    """Facet values for Elasticsearch: label -> distinct canonical names in order of first appearance.

    `{"person": [...], "org": [...], "gpe": [...], "loc": [...], "norp": [...], "event": [...]}`.
    """
    out: dict[str, list[str]] = {key: [] for key in FACET_KEYS}
    for ent in entities:
        key = ent.label.lower()
        if key in out and ent.canonical not in out[key]:
            out[key].append(ent.canonical)
    return out
