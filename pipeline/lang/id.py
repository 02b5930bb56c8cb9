"""Indonesian (Latin script, space-separated). Told apart from Malay by marker words
(`pipeline.ingest.langid.ID_MS_MARKERS`); `indonesian` stemming with NEWSMON_ES_LANGUAGE_ANALYZERS.

Lexical data read by `entities/` and `detect/` (see `pipeline/lang/base.py`): titles and honorifics, demonyms,
company suffixes, stop words, calendar words, list separators and sentence breaks. Written for this project.
"""

from __future__ import annotations

import re

from pipeline.lang.base import LanguageData

STOP_WORDS = frozenset(
    """
    ada adalah akan antara atau bagi bahwa dalam dan dapat dari dengan di dia hingga ia ini itu juga
    kami karena ke kita lebih mereka oleh pada para saya sebagai secara serta sudah telah tersebut tidak
    untuk yang
    """.split()
)

DATA = LanguageData(
    code="id",
    name="Indonesian",
    spacy_models=(),
    spacy_install="no trained spaCy pipeline for Indonesian exists (the gazetteer finds known names)",
    title_phrases=(
        "bapak",
        "ibu",
        "pak",
        "bu",
        "menteri",
        "menlu",
        "menteri luar negeri",
        "presiden",
        "wakil presiden",
        "perdana menteri",
        "duta besar",
        "dubes",
        "juru bicara",
        "jubir",
        "jenderal",
        "sekjen",
        "sekretaris jenderal",
        "ketua",
    ),
    short_honorifics=frozenset(["bu", "pak"]),
    title_qualifier=re.compile("^(?:Rusia|Myanmar|Indonesia|RI|[A-Z]{2,6})$"),
    title_qualifier_words=frozenset(["myanmar", "rusia"]),
    title_words_kept=frozenset(["asean", "kemlu", "pbb"]),
    function_words=frozenset(["dan", "dari", "di", "ke", "yang"]),
    demonyms=frozenset(["indonesia", "myanmar", "orang", "rusia", "warga"]),
    corporate_suffix=re.compile(",?\\s+(?:Tbk|PT)\\.?$"),
    acronym_stop_words=frozenset(["dan", "dari", "di", "ke", "untuk"]),
    calendar_words=frozenset(
        [
            "agustus",
            "april",
            "desember",
            "februari",
            "januari",
            "juli",
            "jumat",
            "juni",
            "kamis",
            "maret",
            "mei",
            "minggu",
            "november",
            "oktober",
            "rabu",
            "sabtu",
            "selasa",
            "senin",
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
        "maret": 3,
        "mar": 3,
        "april": 4,
        "apr": 4,
        "mei": 5,
        "juni": 6,
        "jun": 6,
        "juli": 7,
        "jul": 7,
        "agustus": 8,
        "agu": 8,
        "agt": 8,
        "september": 9,
        "sep": 9,
        "sept": 9,
        "oktober": 10,
        "okt": 10,
        "november": 11,
        "nov": 11,
        "desember": 12,
        "des": 12,
    },
    weekday_names={"senin": 0, "selasa": 1, "rabu": 2, "kamis": 3, "jumat": 4, "jum'at": 4, "sabtu": 5, "minggu": 6},
)
