"""Malay (Latin script, space-separated). Told apart from Indonesian by marker words
(`pipeline.ingest.langid.ID_MS_MARKERS`); the `indonesian` analyzer suits it too.

Lexical data read by `entities/` and `detect/` (see `pipeline/lang/base.py`): titles and honorifics, demonyms,
company suffixes, stop words, calendar words, list separators and sentence breaks. Written for this project.
"""

from __future__ import annotations

import re

from pipeline.lang.base import LanguageData

STOP_WORDS = frozenset(
    """
    ada adalah akan antara atau bagi bahawa beliau boleh dalam dan dari dengan di dia hingga ia ini itu
    juga kami ke kerana kita lebih mereka oleh pada para saya sebagai secara serta sudah telah tersebut
    tidak untuk yang
    """.split()
)

DATA = LanguageData(
    code="ms",
    name="Malay",
    spacy_models=(),
    spacy_install="no trained spaCy pipeline for Malay exists (the gazetteer finds known names)",
    title_phrases=(
        "encik",
        "puan",
        "tuan",
        "menteri",
        "menteri luar negeri",
        "perdana menteri",
        "timbalan perdana menteri",
        "presiden",
        "duta besar",
        "jurucakap",
        "jeneral",
        "setiausaha agung",
        "pengerusi",
        "datuk",
        "dato",
        "tan sri",
        "datuk seri",
        "dato seri",
    ),
    short_honorifics=frozenset([]),
    title_qualifier=re.compile("^(?:Rusia|Myanmar|Malaysia|[A-Z]{2,6})$"),
    title_qualifier_words=frozenset(["myanmar", "rusia"]),
    title_words_kept=frozenset(["asean", "pbb", "putra", "wisma"]),
    function_words=frozenset(["dan", "dari", "di", "ke", "yang"]),
    demonyms=frozenset(["malaysia", "myanmar", "rakyat", "rusia", "warga"]),
    corporate_suffix=re.compile(",?\\s+(?:Sdn Bhd|Bhd|Berhad)\\.?$"),
    acronym_stop_words=frozenset(["dan", "dari", "di", "ke", "untuk"]),
    calendar_words=frozenset(
        [
            "ahad",
            "april",
            "disember",
            "februari",
            "isnin",
            "januari",
            "julai",
            "jumaat",
            "jun",
            "khamis",
            "mac",
            "mei",
            "november",
            "ogos",
            "oktober",
            "rabu",
            "sabtu",
            "selasa",
            "september",
        ]
    ),
    stop_words=STOP_WORDS,
    sentence_end=frozenset(["!", ".", "?", "…"]),
    list_separator=re.compile("\\s*(?:[,;/]\\s*)?(?:(?:dan|atau|serta)\\s+)?", re.IGNORECASE),
    sentence_break=re.compile("[.!?…][\\\"'”’)\\]]*\\s+(?=[A-Z\\\"“‘'(])|\\n"),
    snowball="indonesian",
    statistical_ner=False,
    month_names={
        "januari": 1,
        "jan": 1,
        "februari": 2,
        "feb": 2,
        "mac": 3,
        "april": 4,
        "apr": 4,
        "mei": 5,
        "jun": 6,
        "julai": 7,
        "jul": 7,
        "ogos": 8,
        "september": 9,
        "sep": 9,
        "oktober": 10,
        "okt": 10,
        "november": 11,
        "nov": 11,
        "disember": 12,
        "dis": 12,
    },
    weekday_names={"isnin": 0, "selasa": 1, "rabu": 2, "khamis": 3, "jumaat": 4, "sabtu": 5, "ahad": 6},
)
