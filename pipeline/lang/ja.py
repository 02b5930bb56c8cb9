"""Japanese (Kanji, Hiragana, Katakana). No spaces between words: `standard` indexes Kanji one per token and
Katakana runs as words; `cjk` bigrams with NEWSMON_ES_LANGUAGE_ANALYZERS; terms match by substring.

Lexical data read by `entities/` and `detect/` (see `pipeline/lang/base.py`): titles and honorifics, demonyms,
company suffixes, stop words, calendar words, list separators and sentence breaks. Written for this project.
"""

from __future__ import annotations

import re

from pipeline.lang.base import LanguageData

STOP_WORDS = frozenset(
    """
    あっ あり ある い いう いる う および おり か から が き こと この これ さ さらに
    し しかし する ず せ その その他 その後 それ た たち ため たり だ だっ つ て で
    でき できる でも と という として な ない なお なかっ なく なっ など なら なり なる
    に において における について によって により による に関する の ので のみ は ば へ
    ます また まで も もの や よう より ら られ られる れ れる を ん
    """.split()
)

DATA = LanguageData(
    code="ja",
    name="Japanese",
    spacy_models=("ja_core_news_sm",),
    spacy_install="`ja_core_news_sm` (not bundled: the gazetteer finds known names)",
    title_phrases=(
        "氏",
        "さん",
        "様",
        "大統領",
        "首相",
        "外相",
        "外務大臣",
        "大臣",
        "大使",
        "報道官",
        "将軍",
        "総司令官",
        "国家顧問",
        "事務総長",
        "議長",
    ),
    short_honorifics=frozenset([]),
    title_qualifier=re.compile("^(?:ロシア|ミャンマー|中国|米国|日本)$"),
    title_qualifier_words=frozenset(["中", "米", "露"]),
    title_words_kept=frozenset(["国連", "外務省", "東南アジア諸国連合"]),
    function_words=frozenset(["が", "で", "と", "に", "の", "は", "も", "を"]),
    demonyms=frozenset(["アメリカ人", "タイ人", "ベトナム人", "ミャンマー人", "ロシア人", "中国人", "日本人"]),
    corporate_suffix=re.compile("(?:株式会社|有限会社)$"),
    acronym_stop_words=frozenset([]),
    calendar_words=frozenset(["土曜日", "日曜日", "月曜日", "木曜日", "水曜日", "火曜日", "金曜日"]),
    stop_words=STOP_WORDS,
    sentence_end=frozenset(["!", "?", "。", "！", "？"]),
    list_separator=re.compile("\\s*(?:[、，,;；/・]\\s*)?(?:(?:と|及び|および|や|並びに)\\s*)?", re.IGNORECASE),
    sentence_break=re.compile("[。！？!?]+[」』”’）)]*|\\n"),
    statistical_ner=False,
)
