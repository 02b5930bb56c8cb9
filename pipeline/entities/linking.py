"""Document-level normalisation: spaCy entities -> cleaned mentions -> linked, voted `Entity` records.

Owns the per-document rules (`normalise_doc`): map each entity to a gazetteer name or a cleaned display form,
resolve weak aliases against the document's context, link acronyms, partial names and ORG suffixes to their
full names, rescan for missed repeats, drop uncorroborated Title-Case headline fragments, and give each name one
label. Language-specific word lists come from `LanguageData`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING

from pipeline.core.records import Entity
from pipeline.core.vocab import ENTITY_LABELS
from pipeline.entities.gazetteer import Gazetteer, GazetteerEntry, match_key
from pipeline.entities.institutions import find_institutions
from pipeline.entities.mention import Mention
from pipeline.entities.nlp import WEAK_PREFIX
from pipeline.entities.resolve import (
    link_bare_heads,
    link_name_variants,
    link_regions,
    link_truncated,
    merge_institutions,
    resolve_bare_ministries,
    unify_case,
)
from pipeline.entities.surface import (
    acronym_of,
    clean_surface,
    corporate_suffix_start,
    display_form,
    is_acronym,
    is_demonym,
    is_junk,
    strip_titles,
)
from pipeline.lang import ENGLISH, LanguageData

if TYPE_CHECKING:
    from spacy.tokens import Doc

OUTPUT_LABELS: tuple[str, ...] = ENTITY_LABELS
LABEL_MAP: dict[str, str] = {label: label for label in OUTPUT_LABELS} | {"FAC": "LOC"}


def _context_ok(entry: GazetteerEntry, text_lower: str, doc_canonicals: set[str]) -> bool:
    if entry.canonical in doc_canonicals:
        return True
    return any(re.search(rf"\b{re.escape(c.lower())}\b", text_lower) for c in entry.context)


def mentions_from_doc(doc: Doc, gazetteer: Gazetteer, lang: LanguageData = ENGLISH) -> list[Mention]:
    """Clean, map and filter every spaCy entity of `doc` (ruler spans carry their canonical as ent_id)."""
    out: list[Mention] = []
    for ent in doc.ents:
        label = LABEL_MAP.get(ent.label_)
        if label is None:
            continue
        if ent.ent_id_.startswith(WEAK_PREFIX):
            weak = gazetteer.by_canonical.get(ent.ent_id_[len(WEAK_PREFIX) :])
            if weak is not None and len(match_key(ent.text)) < 2 and not _context_ok(weak, doc.text.lower(), set()):
                continue  # a one-letter weak alias ("X") without its context is no name at all
            if weak is not None:
                out.append(Mention(ent.text, weak.type, ent.text, ent.start_char, ent.end_char, False))
                continue
        if ent.ent_id_ and ent.ent_id_ in gazetteer.by_canonical:
            known = gazetteer.by_canonical[ent.ent_id_]
            out.append(Mention(ent.text, known.type, known.canonical, ent.start_char, ent.end_char, True))
            continue
        surface, s, e = clean_surface(ent.text)
        if not surface:
            continue
        start, end = ent.start_char + s, ent.start_char + e
        entry = gazetteer.lookup(surface)
        if entry is None:
            stripped = strip_titles(surface, lang)
            if stripped != surface:
                entry = gazetteer.lookup(stripped)
                # titles are removed from PERSON names, and from anything that then names a known entity
                if entry is not None or label == "PERSON":
                    start += len(surface) - len(stripped)
                    surface = stripped
        if entry is not None:
            out.append(Mention(surface, entry.type, entry.canonical, start, end, True))
            continue
        if label == "ORG":
            cut = corporate_suffix_start(surface, lang)
            if cut is not None:
                end -= len(surface) - cut
                surface = surface[:cut]
        canonical = display_form(surface)
        if is_junk(canonical, lang):
            continue
        out.append(Mention(surface, label, canonical, start, end, False))
    return out


def _apply_weak_aliases(mentions: list[Mention], gazetteer: Gazetteer, text: str) -> None:
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


def _link_acronyms(mentions: list[Mention], text: str, lang: LanguageData) -> None:
    """An all-caps ORG mention takes the canonical name of an expansion in the same text: either the
    expansion's initials match ("KIA" ~ "Kachin Independence Army") or the text defines it ("... (KIA)")."""
    defined: dict[str, Mention] = {}
    by_initials: dict[str, list[Mention]] = {}
    for m in mentions:
        if m.label not in ("ORG", "GPE", "LOC", "EVENT") or is_acronym(m.text):
            continue
        follow = _DEFINED_ACRONYM_RE.match(text[m.end : m.end + 16])
        if follow and is_acronym(follow.group(1)) and not m.text.isupper():  # "WASHINGTON (UPI)": a dateline
            defined.setdefault(follow.group(1).replace(".", ""), m)
        for name in {m.text, m.canonical}:
            for acr in acronym_of(name, lang):
                by_initials.setdefault(acr, []).append(m)
    for m in mentions:
        if not is_acronym(m.text) or m.label not in ("ORG", "GPE", "NORP", "PERSON", "LOC"):
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


def _link_partial_names(mentions: list[Mention], lang: LanguageData) -> None:
    """A PERSON mention that is part of a longer PERSON name in the same text ("Lavrov" in "Sergei Lavrov",
    "Anwar" in "Anwar Ibrahim") takes that name's canonical form when exactly one person fits. Single-word
    ORG/GPE/LOC mentions equal to such a person's surname are relabelled PERSON (a common model error)."""
    people: dict[str, list[list[str]]] = {}
    for m in mentions:
        if m.label != "PERSON":
            continue
        forms = people.setdefault(m.canonical, [])
        for name in (m.text, m.canonical):
            toks = _name_tokens(strip_titles(name, lang))
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


def _link_org_suffixes(mentions: list[Mention]) -> None:
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


def _rescan(mentions: list[Mention], text: str) -> list[Mention]:
    """Document-level consistency: the model often tags a name once and misses it elsewhere. Add uncovered
    exact repeats of found names, and bare surnames (last word, >= 4 letters) of full PERSON names."""
    covered = [(m.start, m.end) for m in mentions]

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in covered)

    forms: dict[str, Mention] = {}
    surnames: dict[str, dict[str, Mention]] = {}
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
    added: list[Mention] = []
    for form, src in sorted(forms.items(), key=lambda kv: -len(kv[0])):
        for a, b in whole_word_hits(text, form):
            if free(a, b):
                added.append(Mention(form, src.label, src.canonical, a, b, src.from_gazetteer))
                covered.append((a, b))
    return mentions + added


def _wordish(ch: str) -> bool:
    return ch.isalnum() or ch in "_'’-"


def whole_word_hits(text: str, form: str) -> Iterator[tuple[int, int]]:
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


def _vote_labels(mentions: list[Mention]) -> None:
    """One label per canonical name in a document: gazetteer type if known, else the majority label."""
    votes: dict[str, Counter[str]] = {}
    fixed: dict[str, str] = {}
    for m in mentions:
        if m.from_gazetteer:
            fixed[m.canonical] = m.label
        votes.setdefault(m.canonical, Counter())[m.label] += 1
    for m in mentions:
        m.label = fixed.get(m.canonical) or votes[m.canonical].most_common(1)[0][0]


def _relabel_demonyms(mentions: list[Mention], lang: LanguageData) -> None:
    """`Bangladeshi`, `Kachin`, `Karen` on their own name a people: label NORP whatever the model said."""
    for m in mentions:
        if not m.from_gazetteer and is_demonym(m.canonical, lang):
            m.label = "NORP"


def _is_title_case_line(line: str) -> bool:
    if len(line.split()) > 24 or re.search(r"\w{3}[.!?]\s+[A-Z]", line):
        return False  # several sentences or a long line: prose, however many names it holds
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", line) if len(w) > 3]
    return len(words) >= 4 and sum(w[0].isupper() for w in words) >= 0.7 * len(words)


def _drop_uncorroborated_headline(mentions: list[Mention], text: str) -> list[Mention]:
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

    def in_prose(m: Mention) -> bool:
        return any(a <= m.start < b for a, b in spans)

    prose_canonicals = {m.canonical for m in mentions if in_prose(m)}
    return [m for m in mentions if m.from_gazetteer or in_prose(m) or m.text in body or m.canonical in prose_canonicals]


def normalise_doc(
    doc: Doc, gazetteer: Gazetteer, text: str | None = None, lang: LanguageData = ENGLISH
) -> list[Entity]:
    """All normalisation rules over one processed document -> Entity records in text order.

    `text` is `doc.text` when the caller has it (spaCy rebuilds `doc.text` from the tokens on every access);
    `lang` is the document's language data (titles, demonyms, acronym stop words).
    """
    text = doc.text if text is None else text
    mentions = mentions_from_doc(doc, gazetteer, lang)
    mentions = merge_institutions(mentions, find_institutions(text, gazetteer, lang), text, gazetteer)
    mentions = _drop_uncorroborated_headline(mentions, text)
    _relabel_demonyms(mentions, lang)
    _apply_weak_aliases(mentions, gazetteer, text)
    link_name_variants(mentions, gazetteer, lang)
    link_regions(mentions, text, gazetteer, lang)
    _link_acronyms(mentions, text, lang)
    _link_partial_names(mentions, lang)
    _link_org_suffixes(mentions)
    link_truncated(mentions)
    resolve_bare_ministries(mentions, text, gazetteer, lang)
    mentions = link_bare_heads(mentions, text, lang)
    unify_case(mentions, text)
    mentions = _rescan(mentions, text)
    _vote_labels(mentions)
    mentions.sort(key=lambda m: (m.start, m.end))
    return [Entity(text=m.text, label=m.label, canonical=m.canonical, start=m.start, end=m.end) for m in mentions]
