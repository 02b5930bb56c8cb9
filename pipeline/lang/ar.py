"""Arabic (Arabic script, right to left, space-separated; the conjunction و and the article ال attach to the
next word; `arabic` normalisation and stemming with NEWSMON_ES_LANGUAGE_ANALYZERS).

Lexical data read by `entities/` and `detect/` (see `pipeline/lang/base.py`): titles and honorifics, demonyms,
company suffixes, stop words, calendar words, list separators and sentence breaks. Written for this project.
"""

from __future__ import annotations

import re

from pipeline.lang.base import LanguageData

STOP_WORDS = frozenset(
    """
    أن أو أي إلى إن التي الذي الذين بعد بين ثم حيث ذلك
    على عن عند في قبل قد كان كانت كل كما لا لم لن ما
    مع من هذا هذه هم هو هي و
    """.split()
)

DATA = LanguageData(
    code="ar",
    name="Arabic",
    spacy_models=(),
    spacy_install="no trained spaCy pipeline for Arabic is bundled (the gazetteer finds known names)",
    title_phrases=(
        "السيد",
        "السيدة",
        "وزير",
        "الوزير",
        "وزير الخارجية",
        "رئيس",
        "الرئيس",
        "رئيس الوزراء",
        "سفير",
        "السفير",
        "المتحدث",
        "الناطق",
        "الجنرال",
        "الأمين العام",
    ),
    short_honorifics=frozenset([]),
    title_qualifier=re.compile("^(?:الروسي|الروسية|الصيني|الصينية|[A-Z]{2,6})$"),
    title_qualifier_words=frozenset(["روسيا", "ميانمار"]),
    title_words_kept=frozenset(["آسيان", "الأمم", "المتحدة"]),
    function_words=frozenset(["إلى", "على", "عن", "في", "من", "و"]),
    demonyms=frozenset(["أمريكي", "الروس", "تايلاندي", "روسي", "صيني", "ميانماري"]),
    corporate_suffix=re.compile("\\s*(?:ش\\.م\\.م|ذ\\.م\\.م)$"),
    acronym_stop_words=frozenset([]),
    calendar_words=frozenset(
        [
            "أبريل",
            "أغسطس",
            "أكتوبر",
            "الأحد",
            "الأربعاء",
            "الاثنين",
            "الثلاثاء",
            "الجمعة",
            "الخميس",
            "السبت",
            "ديسمبر",
            "سبتمبر",
            "فبراير",
            "مارس",
            "مايو",
            "نوفمبر",
            "يناير",
            "يوليو",
            "يونيو",
        ]
    ),
    stop_words=STOP_WORDS,
    sentence_end=frozenset(["!", ".", "?", "؟", "…"]),
    list_separator=re.compile("\\s*(?:[,،;؛/]\\s*)?(?:(?:و|أو)\\s*)?", re.IGNORECASE),
    sentence_break=re.compile("[.!?؟…]+[\\\"'»”’)\\]]*\\s+|\\n"),
    snowball="arabic",
    # و "and", ف "so", ب "with/in", ل "to/for", ك "like", ال "the" and their combinations, longest first
    clitic_prefixes=("وبال", "وال", "بال", "فال", "كال", "ولل", "لل", "وب", "ول", "ال", "و", "ب", "ل", "ف", "ك"),
    statistical_ner=False,
    month_names={
        "يناير": 1,
        "فبراير": 2,
        "مارس": 3,
        "أبريل": 4,
        "ابريل": 4,
        "مايو": 5,
        "يونيو": 6,
        "يوليو": 7,
        "أغسطس": 8,
        "اغسطس": 8,
        "سبتمبر": 9,
        "أكتوبر": 10,
        "اكتوبر": 10,
        "نوفمبر": 11,
        "ديسمبر": 12,
    },
    weekday_names={
        "الاثنين": 0,
        "الإثنين": 0,
        "الثلاثاء": 1,
        "الأربعاء": 2,
        "الاربعاء": 2,
        "الخميس": 3,
        "الجمعة": 4,
        "السبت": 5,
        "الأحد": 6,
        "الاحد": 6,
    },
)
