"""Writing systems: which scripts are written without spaces between words (shared by `detect/` and `entities/`).

Chinese, Japanese, Thai, Lao, Khmer and Burmese run words together; spaces, where there are any, separate phrases.
A term or a name in one of these scripts is found as a substring of the text, never on word tokens.
"""

from __future__ import annotations

import re

# Thai, Lao, Myanmar (and Extended-A/B), Khmer, Hiragana, Katakana (and its extension), CJK ideographs (and
# Extension A, compatibility ideographs), the CJK and halfwidth punctuation that joins names (・ ·)
UNSPACED_CLASS = (
    "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\uaa60-\uaa7f\ua9e0-\ua9ff"
)
UNSPACED_RE = re.compile(f"[{UNSPACED_CLASS}]")


def unspaced(text: str) -> bool:
    """Does `text` contain a letter of a script written without spaces between words?"""
    return UNSPACED_RE.search(text) is not None
