"""Search analysis for languages the `standard` analyzer cannot split, and the optional per-language subfields.

Pure (no I/O). Used at index time (`documents.article_doc` fills `search_text`) and at query time
(`pipeline.search.query` rewrites the user's words the same way), so both sides always agree.

**Scripts written without spaces between words** (Thai, Lao, Khmer, Myanmar): Elasticsearch's `standard`
tokenizer keeps a whole run of such text as one token, so no word inside it can be found. Instead of a
dictionary segmenter (large, slow to import, and still wrong on names), the text is cut into character
clusters (a base letter with its combining vowels, tone marks, medials, asat/virama) and indexed in
`search_text`; a query run of the same script becomes a *phrase* of its clusters, i.e. a substring match on
cluster boundaries, the way `standard` already indexes Chinese and Japanese one character at a time. This works on
every Elasticsearch distribution, with no plugin and no per-language model.

**Per-language analyzers** (`NEWSMON_ES_LANGUAGE_ANALYZERS=true`): the full Elasticsearch distribution ships
`russian`, `arabic`, `french`, `indonesian` and `cjk` (bigrams) in its analysis-common module; the test
distribution (`newsmon es node`) has only `standard`. With the knob on, `title` and `text` gain one subfield per
analyzer (`text.ru`, `text.cjk`, ...) and the query searches them too, so `Лаврова` finds `Лавров`. With it off (the
default) the index uses `standard` only and a query finds the word form it names.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# scripts without spaces between words (Thai, Lao, Myanmar incl. extensions, Khmer)
_UNSPACED = "\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\ua9e0-\ua9ff\uaa60-\uaa7f\u1780-\u17ff"
UNSPACED_RUN = re.compile(f"[{_UNSPACED}]+")
# subfield name -> built-in analyzer of the full distribution (analysis-common)
LANGUAGE_ANALYZERS: dict[str, str] = {
    "ru": "russian",
    "ar": "arabic",
    "fr": "french",
    "id": "indonesian",
    "cjk": "cjk",
}
ANALYZED_FIELDS = ("title", "text")


def clusters(run: str) -> list[str]:
    """A run of an unspaced script cut into clusters: each base character with the marks that follow it."""
    out: list[str] = []
    for ch in run:
        if out and unicodedata.category(ch) in ("Mn", "Mc", "Me"):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def segment_runs(text: str) -> list[str]:
    """Every run of an unspaced script in `text`, its clusters separated by spaces (the `search_text` values)."""
    return [" ".join(clusters(m.group(0))) for m in UNSPACED_RUN.finditer(text)]


def search_text(title: str, text: str) -> list[str]:
    """The `search_text` values of a document (empty when it has no unspaced-script text)."""
    return segment_runs(title) + segment_runs(text)


def segment_query(query: str) -> str:
    """Rewrite every unspaced-script run of a `simple_query_string` query so it also matches as a phrase of its
    clusters (in `search_text`).

    Outside quotes the run `R` becomes `(R | "c1 c2 c3")`: the run as typed still matches a title or text that
    has it as a whole token; inside a quoted phrase its clusters are just spaced out, so the phrase stays one
    phrase. Other text is left as typed.
    """
    if not UNSPACED_RUN.search(query):
        return query
    out: list[str] = []
    in_quotes = False
    pos = 0
    for m in UNSPACED_RUN.finditer(query):
        before = query[pos : m.start()]
        in_quotes ^= before.count('"') % 2 == 1
        out.append(before)
        spaced = " ".join(clusters(m.group(0)))
        if in_quotes:
            out.append(spaced)
        else:  # keep a leading operator (-, +, |, open bracket) attached; separate from glued letters
            lead = "" if not before or before[-1].isspace() or before[-1] in "-+|(" else " "
            out.append(f'{lead}({m.group(0)} | "{spaced}") ')
        pos = m.end()
    out.append(query[pos:])
    return " ".join("".join(out).split())


def language_subfields(enabled: bool) -> dict[str, dict[str, Any]]:
    """The `fields` to add to `title` and `text` (empty unless the server has the language analyzers)."""
    if not enabled:
        return {}
    return {name: {"type": "text", "analyzer": analyzer} for name, analyzer in LANGUAGE_ANALYZERS.items()}


def with_language_subfields(properties: dict[str, Any], enabled: bool) -> dict[str, Any]:
    """`properties` of the articles mapping with the per-language subfields added to `title` and `text`."""
    extra = language_subfields(enabled)
    if not extra:
        return properties
    out = dict(properties)
    for name in ANALYZED_FIELDS:
        spec = dict(out[name])
        spec["fields"] = {**spec.get("fields", {}), **extra}
        out[name] = spec
    return out


def query_fields(language_analyzers: bool) -> list[str]:
    """The fields a text query searches: title (boosted), text, the unspaced-script clusters, and the
    per-language subfields when the index has them."""
    fields = ["title^3", "text", "search_text"]
    if language_analyzers:
        fields += [f"title.{name}^3" for name in LANGUAGE_ANALYZERS]
        fields += [f"text.{name}" for name in LANGUAGE_ANALYZERS]
    return fields
