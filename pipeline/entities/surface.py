"""Surface forms of mentions: titles and honorifics, edge junk, company suffixes, acronyms, demonyms.

Owns the string rules applied to one mention at a time (no document context): `strip_titles`, `clean_surface`,
`is_junk`, `acronym_of`. The word lists come from the language's `LanguageData` (English by default).
"""

from __future__ import annotations

import re

from pipeline.entities.gazetteer import APOS, APOSTROPHES, fold_diacritics, match_key
from pipeline.lang import ENGLISH, LanguageData

_NAME_TRAIL_RE = re.compile(rf"(?:\s*[{APOS}]s|(?<=s)[{APOS}]|\s+(?:of|the|and|for|in|on|at|de|-|–|—))$")
_EDGE_PUNCT = ' \t\r\n"“”«»()[]{}<>,;:!?*|/\\-–—_#' + APOS


def _token_norm(token: str) -> str:
    return fold_diacritics(token.translate(APOSTROPHES)).lower().rstrip(".").replace("-", " ")


def _title_len(words: list[str], i: int, lang: LanguageData) -> int:
    """Length (in words) of the longest title phrase starting at words[i], else 0."""
    titles = lang.titles
    for n in (4, 3, 2, 1):
        if i + n <= len(words) and " ".join(_token_norm(w) for w in words[i : i + n]) in titles:
            return n
    return 0


def _title_prefix_words(words: list[str], lang: LanguageData) -> int:
    """How many leading words of a person name are titles/honorifics/roles (see `strip_titles`)."""
    i = 0
    while i < len(words):
        n = _title_len(words, i, lang)
        if n == 0:
            # a qualifier ("Russian", "Myanmar's", "UN") directly followed by a title
            if (
                (lang.title_qualifier.match(words[i]) or words[i].lower() in lang.title_qualifier_words)
                and (_title_len(words, i + 1, lang))
            ) or (i == 0 and re.search(rf"\w[{APOS}]s$", words[i])):
                n = 1
            else:
                break
        remaining = len(words) - (i + n)
        phrase = " ".join(_token_norm(w) for w in words[i : i + n])
        if remaining < 1 or (phrase in lang.short_honorifics and remaining < 2):
            break
        i += n
    return i


def strip_titles(name: str, lang: LanguageData = ENGLISH) -> str:
    """Remove leading titles/honorifics/roles from a person name.

    `Russian Foreign Minister Sergei Lavrov` -> `Sergei Lavrov`; `Senior General Min Aung Hlaing` ->
    `Min Aung Hlaing`; `Daw Aung San Suu Kyi` -> `Aung San Suu Kyi`; `U Thant` stays (one word would remain).
    """
    words = list(re.finditer(r"\S+", name))
    k = _title_prefix_words([w.group() for w in words], lang)
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


def display_form(text: str) -> str:
    """A display form for a non-gazetteer name: single spaces, curly apostrophes straightened."""
    return " ".join(text.translate(APOSTROPHES).split())


def corporate_suffix_start(surface: str, lang: LanguageData = ENGLISH) -> int | None:
    """Where a company-form suffix (", Inc.", " Ltd") starts in an ORG name, if it has one after a real name."""
    m = lang.corporate_suffix.search(surface)
    return m.start() if m and m.start() > 1 else None


def is_junk(text: str, lang: LanguageData = ENGLISH) -> bool:
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
    if " ".join(_token_norm(w) for w in words) in lang.junk_only:
        return True
    return len(words) == 1 and len(t) < 2


def is_demonym(name: str, lang: LanguageData = ENGLISH) -> bool:
    """One word that names a people ("Bangladeshi", "Kachin")."""
    return " " not in name and match_key(name) in lang.demonyms


def acronym_of(name: str, lang: LanguageData = ENGLISH) -> set[str]:
    """Possible acronyms of a multi-word name: `Kachin Independence Army` -> {"KIA"}; stop words optional."""
    words = [w for w in re.split(r"[\s\-–/]+", name.translate(APOSTROPHES)) if w]
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
        if w.lower() not in lang.acronym_stop_words:
            strict += part
    return {a.upper() for a in (strict, loose) if len(a) >= 2}


def is_acronym(text: str) -> bool:
    """All capitals, 2-8 letters once dots are removed ("KIA", "U.N.")."""
    t = text.replace(".", "")
    return 2 <= len(t) <= 8 and t.isalpha() and t.isupper()
