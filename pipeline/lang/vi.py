"""Vietnamese (Latin script with diacritics; spaces separate syllables, so a word is often a phrase of
syllables: search phrase-matches them with `standard`).

Lexical data read by `entities/` and `detect/` (see `pipeline/lang/base.py`): titles and honorifics, demonyms,
company suffixes, stop words, calendar words, list separators and sentence breaks. Written for this project.
"""

from __future__ import annotations

import re

from pipeline.lang.base import LanguageData

STOP_WORDS = frozenset(
    """
    cho các có cũng của khi không là lại một người
    nhiều như những này ra rất sẽ theo trong tại từ và
    vào về với đã được đến để
    """.split()
)

DATA = LanguageData(
    code="vi",
    name="Vietnamese",
    spacy_models=(),
    spacy_install="no trained spaCy pipeline for Vietnamese is bundled (the gazetteer finds known names)",
    title_phrases=(
        "ông",
        "bà",
        "bộ trưởng",
        "bộ trưởng ngoại giao",
        "thủ tướng",
        "chủ tịch",
        "chủ tịch nước",
        "tổng thống",
        "đại sứ",
        "người phát ngôn",
        "đại tướng",
        "thượng tướng",
        "tổng thư ký",
    ),
    short_honorifics=frozenset(["bà", "ông"]),
    title_qualifier=re.compile("^(?:Nga|Myanmar|Việt Nam|[A-Z]{2,6})$"),
    title_qualifier_words=frozenset(["myanmar", "nga"]),
    title_words_kept=frozenset(["asean", "hợp", "liên", "quốc"]),
    function_words=frozenset(["của", "là", "và", "ở"]),
    demonyms=frozenset(["myanmar", "nga", "người", "quốc", "trung", "việt"]),
    corporate_suffix=re.compile(",?\\s+(?:JSC|Co\\.,? Ltd)\\.?$"),
    acronym_stop_words=frozenset(["của", "và"]),
    calendar_words=frozenset(["ba", "bảy", "chủ", "hai", "nhật", "năm", "sáu", "thứ", "tư"]),
    stop_words=STOP_WORDS,
    sentence_end=frozenset(["!", ".", "?", "…"]),
    list_separator=re.compile("\\s*(?:[,;/]\\s*)?(?:(?:và|hoặc|cùng)\\s+)?", re.IGNORECASE),
    sentence_break=re.compile("[.!?…][\\\"'”’)\\]]*\\s+(?=[A-ZÀ-ÝĐƠƯẠ-Ỹ\\\"“‘'(])|\\n"),
    statistical_ner=False,
    month_names={
        "tháng 1": 1,
        "tháng một": 1,
        "tháng giêng": 1,
        "tháng 2": 2,
        "tháng hai": 2,
        "tháng 3": 3,
        "tháng ba": 3,
        "tháng 4": 4,
        "tháng tư": 4,
        "tháng 5": 5,
        "tháng năm": 5,
        "tháng 6": 6,
        "tháng sáu": 6,
        "tháng 7": 7,
        "tháng bảy": 7,
        "tháng 8": 8,
        "tháng tám": 8,
        "tháng 9": 9,
        "tháng chín": 9,
        "tháng 10": 10,
        "tháng mười": 10,
        "tháng 11": 11,
        "tháng mười một": 11,
        "tháng 12": 12,
        "tháng mười hai": 12,
    },
)
