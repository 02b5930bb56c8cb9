"""Per-language lexical data: one module per ISO 639-1 code (`en.py` first), chosen by an article's language.

Owns `LanguageData` and the registry `for_language(code)`, which falls back to English for an unknown or
missing code. Adding a language is a data module plus one line in `REGISTRY`; the logic in `entities/` and
`detect/` stays language-neutral. May import: `pipeline.core` only.
"""

from __future__ import annotations

from pipeline.lang import ar, en, fr, ja, ms, my, ru, th, vi, zh
from pipeline.lang import id as id_
from pipeline.lang.base import LanguageData

ENGLISH: LanguageData = en.DATA
DEFAULT: LanguageData = ENGLISH
REGISTRY: dict[str, LanguageData] = {
    data.code: data
    for data in (en.DATA, ru.DATA, zh.DATA, ja.DATA, my.DATA, th.DATA, id_.DATA, ms.DATA, vi.DATA, fr.DATA, ar.DATA)
}

__all__ = ["DEFAULT", "ENGLISH", "REGISTRY", "LanguageData", "for_language", "primary", "reads"]


def primary(code: str | None) -> str | None:
    """The ISO 639-1 part of a language tag ("en-GB" -> "en", "EN" -> "en"); None when empty."""
    if not code or not code.strip():
        return None
    return code.strip().lower().replace("_", "-").split("-")[0]


def reads(code: str | None) -> bool:
    """Whether the desk has data of its own for `code` (False for a language that falls back to English's)."""
    return primary(code) in REGISTRY


def for_language(code: str | None) -> LanguageData:
    """The data of language `code` ("en", "en-GB", "EN"); English when the code is unknown or missing."""
    key = primary(code)
    return REGISTRY.get(key, DEFAULT) if key else DEFAULT
