"""The curated gazetteer (`config/entities.yaml`) and the name keys it is looked up by.

Owns the config models, `Gazetteer` (lookup tables by `match_key`, built once and validated: one alias key may
belong to one entity only), and the text keys shared by the other entity modules: `match_key`,
`fold_diacritics` and the apostrophe variants. Pure; the only I/O is reading the YAML file.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field

from pipeline.core.config import ConfigError, StrictModel, config_path, load_yaml, parse_model

EntityType = Literal["PERSON", "ORG", "GPE", "LOC", "NORP", "EVENT"]

# Apostrophe-like characters; `APOSTROPHES` maps the curly and accent forms to a straight "'".
APOS = "'’‘ʼ`´′"
APOSTROPHES = str.maketrans({ch: "'" for ch in APOS[1:]})
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
    s = fold_diacritics(text.translate(APOSTROPHES)).casefold()
    s = re.sub(r"['.]", "", s)
    s = re.sub(r"[^\w+]+", " ", s).strip()
    s = re.sub(r"^the\s+", "", s)
    return s


class EntityEntryModel(StrictModel):
    """One curated entity in config/entities.yaml."""

    canonical: str = Field(min_length=1)
    type: EntityType
    aliases: list[str] = Field(default_factory=list)
    wikidata: str | None = Field(default=None, pattern=r"^Q[1-9][0-9]*$")
    # Ambiguous short forms ("AA", "PDF"): linked only when the text also has a strong alias or a context word.
    weak_aliases: list[str] = Field(default_factory=list)
    context: list[str] = Field(default_factory=list)
    # The country a place or body belongs to (a GPE entry's canonical name): "Yangon" -> Myanmar. Read by the
    # institution rules: "Embassy of Russia in Yangon" -> "Embassy of Russia in Myanmar", and a dateline city
    # establishes the story's country for a bare "Foreign Ministry".
    country: str | None = None
    # Names in other languages, by ISO 639-1 code ({ru: [Сергей Лавров, Лавров], zh: [拉夫罗夫]}): found in texts
    # of that language (and, when written in another script than Latin, in any language) by `aliases.py`; the
    # facet keeps the canonical English name. Country and city names come from CLDR too (not typed here).
    names: dict[Annotated[str, Field(pattern=r"^[a-z]{2}$")], list[str]] = Field(default_factory=dict)


class EntitiesFileModel(StrictModel):
    """The whole config/entities.yaml file."""

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
    country: str | None = None
    names: tuple[tuple[str, str], ...] = ()  # (language code, name) in other languages

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
        by_name: dict[tuple[str, str], tuple[int, GazetteerEntry]] = {}
        for i, entry in enumerate(entries):
            for j, (code, form) in enumerate(entry.names):
                name_key = (code, match_key(form))
                where = f"entities[{i}].names.{code}[{j}]"
                if not name_key[1]:
                    problems.append(f"{where}: name {form!r} is empty after normalisation")
                    continue
                seen_name = by_name.get(name_key)
                if seen_name is not None and seen_name[0] != i:
                    owner = f"entities[{seen_name[0]}] ({seen_name[1].canonical!r})"
                    problems.append(f"{where}: name {form!r} already belongs to {owner}")
                    continue
                by_name.setdefault(name_key, (i, entry))
        names = {e.canonical for e in entries if e.type == "GPE"}
        for i, entry in enumerate(entries):
            if entry.country is not None and entry.country not in names:
                problems.append(f"entities[{i}].country: {entry.country!r} is not the canonical name of a GPE entry")
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
            country=e.country.strip() if e.country else None,
            names=tuple(
                dict.fromkeys(
                    (code, " ".join(n.split())) for code, forms in e.names.items() for n in forms if n.strip()
                )
            ),
        )
        for e in model.entities
    ]
    return Gazetteer.from_entries(entries, source)


def load_gazetteer(path: Path | str | None = None) -> Gazetteer:
    """Load and validate `config/entities.yaml` (or `path`); raises ConfigError naming file and key."""
    p = config_path("entities.yaml", path)
    return parse_gazetteer(load_yaml(p), str(p))
