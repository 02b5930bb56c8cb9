"""Burmese (Myanmar script, Unicode; Zawgyi-encoded text is converted at ingest). No spaces between words
(spaces separate phrases): search indexes character clusters (`pipeline/index/analysis.py`); terms match by
substring.

Lexical data read by `entities/` and `detect/` (see `pipeline/lang/base.py`): titles and honorifics, demonyms,
company suffixes, stop words, calendar words, list separators and sentence breaks. Written for this project.
"""

from __future__ import annotations

import re

from pipeline.lang.base import LanguageData

STOP_WORDS = frozenset(
    """
    က ကို ကြောင်း တဲ့ တွင် ထို ဒီ နဲ့ နှင့် ပါ ပြီး
    ဖြစ် များ မှ ရှိ လည်း သည် သို့ သော အတွက် ၌ ၍ ၏
    """.split()
)

DATA = LanguageData(
    code="my",
    name="Burmese",
    spacy_models=(),
    spacy_install="no spaCy pipeline for Burmese exists (the gazetteer finds known names)",
    title_phrases=(
        "ဦး",
        "ဒေါ်",
        "ကို",
        "မ",
        "ဗိုလ်ချုပ်",
        "ဗိုလ်ချုပ်မှူးကြီး",
        "ဒုတိယဗိုလ်ချုပ်မှူးကြီး",
        "ဝန်ကြီး",
        "နိုင်ငံခြားရေးဝန်ကြီး",
        "သမ္မတ",
        "ဝန်ကြီးချုပ်",
        "သံအမတ်ကြီး",
        "ပြောရေးဆိုခွင့်ရှိသူ",
        "ဆရာတော်",
    ),
    short_honorifics=frozenset(["ကို", "ဒေါ်", "မ", "ဦး"]),
    title_qualifier=re.compile("^(?:ရုရှား|မြန်မာ|တရုတ်|ထိုင်း)$"),
    title_qualifier_words=frozenset(["မြန်မာ", "ရုရှား"]),
    title_words_kept=frozenset(["ကုလသမဂ္ဂ", "အာဆီယံ"]),
    function_words=frozenset(["က", "နှင့်", "သည်", "၏"]),
    demonyms=frozenset(["တရုတ်လူမျိုး", "ထိုင်းလူမျိုး", "မြန်မာလူမျိုး", "ရုရှားလူမျိုး"]),
    corporate_suffix=re.compile("\\s*(?:ကုမ္ပဏီလီမိတက်|လီမိတက်)$"),
    acronym_stop_words=frozenset([]),
    calendar_words=frozenset(
        [
            "ကြာသပတေး",
            "စက်တင်ဘာ",
            "စနေ",
            "ဇန်နဝါရီ",
            "ဇူလိုင်",
            "ဇွန်",
            "တနင်္ဂနွေ",
            "တနင်္လာ",
            "ဒီဇင်ဘာ",
            "နိုဝင်ဘာ",
            "ဖေဖော်ဝါရီ",
            "ဗုဒ္ဓဟူး",
            "မတ်",
            "မေ",
            "သောကြာ",
            "အင်္ဂါ",
            "အောက်တိုဘာ",
            "ဧပြီ",
            "ဩဂုတ်",
        ]
    ),
    stop_words=STOP_WORDS,
    sentence_end=frozenset(["!", "?", "။"]),
    list_separator=re.compile("\\s*(?:[၊,;/]\\s*)?(?:(?:နှင့်|နဲ့|သို့မဟုတ်)\\s*)?", re.IGNORECASE),
    sentence_break=re.compile("[။!?]+|\\n"),
    statistical_ner=False,
)
