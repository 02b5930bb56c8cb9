"""Chinese (Han script, simplified and traditional). No spaces between words: Elasticsearch's `standard`
analyzer indexes one character per token (phrase-matched), `cjk` bigrams with NEWSMON_ES_LANGUAGE_ANALYZERS;
term matching is by substring (jieba is not needed for the desk's names).

Lexical data read by `entities/` and `detect/` (see `pipeline/lang/base.py`): titles and honorifics, demonyms,
company suffixes, stop words, calendar words, list separators and sentence breaks. Written for this project.
"""

from __future__ import annotations

import re

from pipeline.lang.base import LanguageData

STOP_WORDS = frozenset(
    """
    一个 与 並 为 之 也 了 于 从 他们 以 但 你们 其 及 向 和 在 她们 对 将 將 對
    就 已 并 從 我们 或 把 据 據 於 是 是否 没有 為 的 着 等 而 與 被 讓 让 这 這
    那 都
    """.split()
)

DATA = LanguageData(
    code="zh",
    name="Chinese",
    spacy_models=("zh_core_web_sm",),
    spacy_install="`zh_core_web_sm` (not bundled: the gazetteer finds known names)",
    title_phrases=(
        "先生",
        "女士",
        "总统",
        "總統",
        "总理",
        "總理",
        "主席",
        "外长",
        "外長",
        "部长",
        "部長",
        "大使",
        "发言人",
        "發言人",
        "将军",
        "將軍",
        "大将",
        "秘书长",
        "秘書長",
        "国务委员",
        "副总理",
        "首相",
    ),
    short_honorifics=frozenset([]),
    title_qualifier=re.compile("^(?:俄罗斯|俄羅斯|缅甸|緬甸|中国|中國|美国|美國)$"),
    title_qualifier_words=frozenset(["中", "俄", "缅"]),
    title_words_kept=frozenset(["东盟", "外交部", "東盟", "联合国", "聯合國"]),
    function_words=frozenset(["与", "了", "及", "和", "在", "的", "與"]),
    demonyms=frozenset(["中国人", "俄罗斯人", "印尼人", "日本人", "泰国人", "缅甸人", "美国人", "越南人"]),
    corporate_suffix=re.compile("(?:有限公司|股份有限公司|集团|集團)$"),
    acronym_stop_words=frozenset([]),
    calendar_words=frozenset(
        [
            "周一",
            "周三",
            "周二",
            "周五",
            "周六",
            "周四",
            "周日",
            "星期一",
            "星期三",
            "星期二",
            "星期五",
            "星期六",
            "星期四",
            "星期日",
        ]
    ),
    stop_words=STOP_WORDS,
    sentence_end=frozenset(["!", "?", "。", "！", "；", "？"]),
    list_separator=re.compile("\\s*(?:[、，,;；/]\\s*)?(?:(?:和|与|與|及|以及|同|跟)\\s*)?", re.IGNORECASE),
    sentence_break=re.compile("[。！？!?]+[」』”’）)]*|\\n"),
    statistical_ner=False,
    cldr_locales=("zh", "zh_Hant"),  # simplified and traditional names
)
