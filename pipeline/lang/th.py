"""Thai (Thai script). No spaces between words (spaces separate phrases): search indexes character clusters
(`pipeline/index/analysis.py`, no dictionary segmenter); terms match by substring.

Lexical data read by `entities/` and `detect/` (see `pipeline/lang/base.py`): titles and honorifics, demonyms,
company suffixes, stop words, calendar words, list separators and sentence breaks. Written for this project.
"""

from __future__ import annotations

import re

from pipeline.lang.base import LanguageData

STOP_WORDS = frozenset(
    """
    กับ การ ก็ ของ ความ จะ จาก ซึ่ง ตาม ถึง ทั้ง ที่
    นั้น นี้ มา มี ยัง ว่า หรือ อยู่ อย่าง เป็น เพื่อ
    เมื่อ แต่ และ แล้ว โดย ใน ให้ ได้ ไป ไม่
    """.split()
)

DATA = LanguageData(
    code="th",
    name="Thai",
    spacy_models=(),
    spacy_install="no spaCy pipeline for Thai exists (the gazetteer finds known names)",
    title_phrases=(
        "นาย",
        "นาง",
        "นางสาว",
        "พล.อ.",
        "พลเอก",
        "ดร.",
        "รัฐมนตรี",
        "รัฐมนตรีว่าการกระทรวงการต่างประเทศ",
        "นายกรัฐมนตรี",
        "ประธานาธิบดี",
        "เอกอัครราชทูต",
        "โฆษก",
    ),
    short_honorifics=frozenset([]),
    title_qualifier=re.compile("^(?:รัสเซีย|เมียนมา|พม่า|จีน|ไทย)$"),
    title_qualifier_words=frozenset(["รัสเซีย", "เมียนมา"]),
    title_words_kept=frozenset(["สหประชาชาติ", "อาเซียน"]),
    function_words=frozenset(["ของ", "ที่", "และ", "ใน"]),
    demonyms=frozenset(["คนไทย", "ชาวจีน", "ชาวพม่า", "ชาวรัสเซีย", "ชาวเมียนมา", "ชาวไทย"]),
    corporate_suffix=re.compile("\\s*(?:จำกัด|จำกัด \\(มหาชน\\))$"),
    acronym_stop_words=frozenset([]),
    calendar_words=frozenset(
        [
            "กรกฎาคม",
            "กันยายน",
            "กุมภาพันธ์",
            "ตุลาคม",
            "ธันวาคม",
            "พฤศจิกายน",
            "พฤษภาคม",
            "มกราคม",
            "มิถุนายน",
            "มีนาคม",
            "วันจันทร์",
            "วันพฤหัสบดี",
            "วันพุธ",
            "วันศุกร์",
            "วันอังคาร",
            "วันอาทิตย์",
            "วันเสาร์",
            "สิงหาคม",
            "เมษายน",
        ]
    ),
    stop_words=STOP_WORDS,
    sentence_end=frozenset(["!", ".", "?", "ฯ"]),
    list_separator=re.compile("\\s*(?:[,;/]\\s*)?(?:(?:และ|หรือ|กับ)\\s*)?", re.IGNORECASE),
    sentence_break=re.compile("[.!?](?=\\s)|\\n"),
    statistical_ner=False,
    # stories: explicit dates ("5 กันยายน", "5 ก.ย.2566")
    month_names={
        "มกราคม": 1,
        "ม.ค.": 1,
        "กุมภาพันธ์": 2,
        "ก.พ.": 2,
        "มีนาคม": 3,
        "มี.ค.": 3,
        "เมษายน": 4,
        "เม.ย.": 4,
        "พฤษภาคม": 5,
        "พ.ค.": 5,
        "มิถุนายน": 6,
        "มิ.ย.": 6,
        "กรกฎาคม": 7,
        "ก.ค.": 7,
        "สิงหาคม": 8,
        "ส.ค.": 8,
        "กันยายน": 9,
        "ก.ย.": 9,
        "ตุลาคม": 10,
        "ต.ค.": 10,
        "พฤศจิกายน": 11,
        "พ.ย.": 11,
        "ธันวาคม": 12,
        "ธ.ค.": 12,
    },
)
