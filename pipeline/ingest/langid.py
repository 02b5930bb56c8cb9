"""Language identification (ISO 639-1) of an item: the script decides where it can, a detector elsewhere.

Pure and offline: no clock, no I/O, no model download (py3langid's model is inside its wheel; myanmartools'
Zawgyi model and python-myanmar's converter tables are inside theirs).

`identify(text, declared=None) -> LanguageGuess`:

1. Letters are counted per script over the first `SAMPLE_CHARS` characters (digits, punctuation, URLs do not
   count). The dominant script decides alone when it belongs to one desk language: Myanmar -> `my`, Thai ->
   `th`, Hangul -> `ko`, any Kana among Han -> `ja`, Han alone -> `zh` (or a declared `ja`: kanji-only
   headlines exist), Greek, Hebrew, Georgian, Khmer, Lao, ... Burmese text in the legacy Zawgyi encoding is
   recognised (myanmartools) and converted to Unicode (`LanguageGuess.text`, flag `zawgyi_converted`).
2. Latin, Cyrillic and Arabic script: py3langid ranks the languages of that script only (Russian is never
   "Serbian in Latin"; a Chinese dialect label cannot win on Latin text). Indonesian and Malay, close enough to
   confuse any character model, are told apart by a few everyday words that differ (`ID_MS_MARKERS`).
3. The declared language (the feed's configured `language`, else what the feed itself says) wins when it is
   consistent with the text: same script, and its everyday words fill the text (the language's
   `declared_words_share`, English only: then the detector is not even asked; an undeclared text that passes it
   is that language too, source "words"), or the detector agrees, is unsure,
   names a close sibling (id/ms, hr/sr/bs, no/nn/da) or has not ruled the declared language out
   (`MIN_DECLARED_SHARE`). Otherwise the detected language wins and the item is flagged `language_mismatch`.
4. Too little text: the declared language when there is one, else `None`. Letters of no known script, or no
   usable guess: `None` with the flag `language_unknown`. Never raises.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import Any

from pipeline.lang import REGISTRY, primary

SAMPLE_CHARS = 400  # a lead paragraph is enough; the detector's cost grows with length
MIN_DETECT_LETTERS = 20  # fewer letters: the detector is not asked (the script may still decide)
MIN_SCRIPT_LETTERS = 4  # a script that decides alone needs this many letters
MIN_CONFIDENCE = 0.5  # below this (share among the script's candidates) the detector is "unsure"
MIN_DECLARED_SHARE = 0.01  # the declared language keeps at least this share: the detector has not ruled it out
ZAWGYI_PROBABILITY = 0.95  # myanmartools' probability above which Burmese text is taken as Zawgyi
ZAWGYI_SAMPLE_CHARS = 300

# Scripts by Unicode block: (first, last, script). Han covers CJK ideographs; Kana Hiragana and Katakana.
_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0041, 0x024F, "Latin"), (0x0370, 0x03FF, "Greek"), (0x0400, 0x052F, "Cyrillic"),
    (0x0530, 0x058F, "Armenian"), (0x0590, 0x05FF, "Hebrew"), (0x0600, 0x06FF, "Arabic"),
    (0x0750, 0x077F, "Arabic"), (0x0900, 0x097F, "Devanagari"), (0x0980, 0x09FF, "Bengali"),
    (0x0A80, 0x0AFF, "Gujarati"), (0x0B80, 0x0BFF, "Tamil"), (0x0C00, 0x0C7F, "Telugu"),
    (0x0C80, 0x0CFF, "Kannada"), (0x0D00, 0x0D7F, "Malayalam"), (0x0D80, 0x0DFF, "Sinhala"),
    (0x0E00, 0x0E7F, "Thai"), (0x0E80, 0x0EFF, "Lao"), (0x0F00, 0x0FFF, "Tibetan"),
    (0x1000, 0x109F, "Myanmar"), (0x10A0, 0x10FF, "Georgian"), (0x1100, 0x11FF, "Hangul"),
    (0x1200, 0x137F, "Ethiopic"), (0x1780, 0x17FF, "Khmer"), (0x1800, 0x18AF, "Mongolian"),
    (0x1E00, 0x1EFF, "Latin"), (0x2E80, 0x2FDF, "Han"), (0x3040, 0x30FF, "Kana"), (0x3100, 0x312F, "Han"),
    (0x3130, 0x318F, "Hangul"), (0x31F0, 0x31FF, "Kana"), (0x3400, 0x4DBF, "Han"), (0x4E00, 0x9FFF, "Han"),
    (0xA9E0, 0xA9FF, "Myanmar"), (0xAA60, 0xAA7F, "Myanmar"), (0xAC00, 0xD7AF, "Hangul"),
    (0xF900, 0xFAFF, "Han"), (0xFB50, 0xFDFF, "Arabic"), (0xFE70, 0xFEFF, "Arabic"), (0xFF66, 0xFF9F, "Kana"),
    (0x20000, 0x3134F, "Han"),
)  # fmt: skip
_STARTS = [r[0] for r in _RANGES]

# Scripts written by one language (of those a news desk meets): the script decides.
SINGLE_LANGUAGE_SCRIPTS: dict[str, str] = {
    "Myanmar": "my", "Thai": "th", "Hangul": "ko", "Kana": "ja", "Greek": "el", "Hebrew": "he",
    "Armenian": "hy", "Georgian": "ka", "Khmer": "km", "Lao": "lo", "Sinhala": "si", "Tamil": "ta",
    "Telugu": "te", "Kannada": "kn", "Malayalam": "ml", "Gujarati": "gu", "Tibetan": "bo", "Ethiopic": "am",
    "Bengali": "bn", "Devanagari": "hi", "Mongolian": "mn",
}  # fmt: skip
# Scripts shared by several languages: the detector ranks these candidates only.
CYRILLIC_LANGUAGES = frozenset({"ru", "uk", "be", "bg", "sr", "mk", "kk", "ky", "mn", "tg", "tt", "ba"})
ARABIC_LANGUAGES = frozenset({"ar", "fa", "ur", "ps", "ug", "ku"})
HAN_LANGUAGES = frozenset({"zh", "ja"})  # Han without Kana is Chinese unless declared Japanese
# detector labels that are not ISO 639-1 but name a variety of one: folded into it
LABEL_ALIASES = {"ary": "ar", "arz": "ar", "wuu": "zh", "yue": "zh", "uzs": "uz", "sdh": "ku"}
# declared codes seen in real feeds that are not (or no longer) ISO 639-1
DECLARED_ALIASES = {"in": "id", "iw": "he", "ji": "yi", "jp": "ja", "cn": "zh", "mm": "my", "bur": "my",
                    "mya": "my", "rus": "ru", "zho": "zh", "chi": "zh", "jpn": "ja", "tha": "th", "ind": "id",
                    "msa": "ms", "may": "ms", "vie": "vi", "fra": "fr", "fre": "fr", "ara": "ar", "eng": "en",
                    "deu": "de", "ger": "de", "spa": "es", "kor": "ko"}  # fmt: skip
# close siblings a character model confuses: a declared one of them is consistent with detecting another
SIBLINGS: tuple[frozenset[str], ...] = (
    frozenset({"id", "ms"}), frozenset({"hr", "sr", "bs"}), frozenset({"no", "nn", "da"}),
    frozenset({"cs", "sk"}), frozenset({"ru", "uk", "be"}), frozenset({"ar", "fa", "ur"}),
)  # fmt: skip
# everyday words whose form differs between Indonesian and Malay (lower-case, whole words)
ID_MS_MARKERS: dict[str, frozenset[str]] = {
    "id": frozenset(
        "bisa karena pemerintah mengatakan uang agustus juli juni kantor saja mobil bagaimana negeri harus "
        "sebesar usai sejumlah lewat internasional yaitu ungkap ujar tutur jelasnya senin jumat minggu kamis".split()
    ),
    "ms": frozenset(
        "boleh kerana kerajaan berkata wang ogos julai jun pejabat sahaja kereta beliau bagaimanapun mesti "
        "antarabangsa serantau daripada ialah iaitu isnin jumaat ahad khamis selepas".split()
    ),
}
_WORD = re.compile(r"\w+")
_ASCII_LETTERS = re.compile(r"[A-Za-z]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    """The language of an item and how it was decided."""

    code: str | None  # ISO 639-1, or None when unknown
    source: str  # "script" | "detector" | "declared" | "words" (its everyday words, undeclared) | "none"
    confidence: float = 0.0
    script: str | None = None  # the dominant script of the letters ("Latin", "Cyrillic", "Han", ...)
    flags: tuple[str, ...] = ()  # "language_mismatch", "language_unknown", "zawgyi", "zawgyi_converted"
    text: str | None = None  # the text converted to Unicode (Zawgyi Burmese), else None


def _script_of(ch: str) -> str | None:
    cp = ord(ch)
    lo, hi = 0, len(_STARTS)
    while lo < hi:  # bisect on range starts
        mid = (lo + hi) // 2
        if _STARTS[mid] <= cp:
            lo = mid + 1
        else:
            hi = mid
    if lo == 0:
        return None
    _first, last, script = _RANGES[lo - 1]
    if cp > last:
        return None
    if script == "Latin" and not ch.isalpha():
        return None
    return script


def script_counts(text: str) -> Counter[str]:
    """Letters per script ("Other" for letters of no listed script); marks, digits and symbols not counted."""
    counts: Counter[str] = Counter()
    ascii_letters = len(_ASCII_LETTERS.findall(text))
    if ascii_letters:
        counts["Latin"] = ascii_letters
    if text.isascii():
        return counts
    for ch in _NON_ASCII.findall(text):
        if not ch.isalpha() and unicodedata.category(ch) not in ("Mn", "Mc"):
            continue
        counts[_script_of(ch) or "Other"] += 1
    return counts


def primary_code(tag: str | None) -> str | None:
    """'en-US' -> 'en', 'in' -> 'id', 'zh_TW' -> 'zh', 'rus' -> 'ru'; None for empty or odd tags."""
    code = primary(tag)
    if code is None:
        return None
    code = DECLARED_ALIASES.get(code, code)
    return code if re.fullmatch(r"[a-z]{2}", code) else None


@cache
def script_of_language(code: str) -> str:
    """The script a language is written in, for the consistency check (Latin unless listed)."""
    if code in CYRILLIC_LANGUAGES:
        return "Cyrillic"
    if code in ARABIC_LANGUAGES:
        return "Arabic"
    if code == "zh":
        return "Han"
    for script, lang in SINGLE_LANGUAGE_SCRIPTS.items():
        if lang == code:
            return script
    return "Latin"


def _siblings(a: str, b: str) -> bool:
    return any(a in group and b in group for group in SIBLINGS)


_IDENTIFIER: Any = None
_ZAWGYI: Any = None
_LOCK = threading.Lock()


def _identifier() -> Any:
    global _IDENTIFIER
    if _IDENTIFIER is None:
        with _LOCK:
            if _IDENTIFIER is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                _IDENTIFIER = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return _IDENTIFIER


def _zawgyi_probability(text: str) -> float:
    global _ZAWGYI
    if _ZAWGYI is None:
        with _LOCK:
            if _ZAWGYI is None:
                from myanmartools import ZawgyiDetector

                _ZAWGYI = ZawgyiDetector()
    return float(_ZAWGYI.get_zawgyi_probability(text[:ZAWGYI_SAMPLE_CHARS]))


def zawgyi_to_unicode(text: str) -> str:
    """Burmese text in the Zawgyi font encoding re-encoded as standard Unicode (python-myanmar's tables)."""
    from myanmar import converter

    return str(converter.convert(text, "zawgyi", "unicode"))


def _candidates(script: str) -> frozenset[str] | None:
    if script == "Cyrillic":
        return CYRILLIC_LANGUAGES
    if script == "Arabic":
        return ARABIC_LANGUAGES
    return None  # Latin: every two-letter label not written in another script


@cache
def _allowed_code(label: str, script: str) -> str | None:
    """The desk's code for a detector label when the language is written in `script` (None: not a candidate)."""
    code = LABEL_ALIASES.get(label, label)
    if len(code) != 2 or code == "zx":
        return None
    allowed = _candidates(script)
    if allowed is not None:
        return code if code in allowed else None
    return code if script_of_language(code) == "Latin" else None


def shares(sample: str, script: str) -> dict[str, float]:
    """Each candidate language's share of py3langid's probability among the script's languages (sums to 1)."""
    scores: dict[str, float] = {}
    for label, prob in _identifier().rank(sample):
        code = _allowed_code(label, script)
        if code is not None:
            scores[code] = scores.get(code, 0.0) + float(prob)
    total = sum(scores.values())
    return {code: v / total for code, v in scores.items()} if total > 0 else {}


def detect(sample: str, script: str, scores: dict[str, float] | None = None) -> tuple[str | None, float]:
    """(language, confidence among the script's candidates) from py3langid, or (None, 0.0)."""
    scores = shares(sample, script) if scores is None else scores
    if not scores:
        return None, 0.0
    best = max(scores, key=scores.__getitem__)
    confidence = scores[best]
    if best in ("id", "ms"):
        best = _id_or_ms(sample, best)
    return best, confidence


# the languages with a `declared_words_share`, per script: an undeclared text is checked against them first
_WORD_CHECKED: dict[str, tuple[str, ...]] = {}
for _code, _data in sorted(REGISTRY.items()):
    if _data.declared_words_share is not None:
        _WORD_CHECKED.setdefault(script_of_language(_code), ())
        _WORD_CHECKED[script_of_language(_code)] += (_code,)


def _declared_by_its_words(sample: str, code: str) -> bool:
    """Whether the declared language's everyday (stop) words make up its `declared_words_share` of the text's
    words: then no other language is plausible and the detector (about 1 ms an item) is not asked."""
    data = REGISTRY.get(code)
    if data is None or data.declared_words_share is None or not data.stop_words:
        return False
    words = _WORD.findall(sample.lower())
    return bool(words) and sum(1 for w in words if w in data.stop_words) >= data.declared_words_share * len(words)


def _id_or_ms(sample: str, guess: str) -> str:
    """Indonesian vs Malay by marker words; the detector's guess stands on a tie."""
    words = Counter(w.lower() for w in _WORD.findall(sample))
    hits = {code: sum(n for w, n in words.items() if w in markers) for code, markers in ID_MS_MARKERS.items()}
    if hits["id"] > hits["ms"]:
        return "id"
    if hits["ms"] > hits["id"]:
        return "ms"
    return guess


def _dominant(counts: Counter[str]) -> tuple[str | None, int]:
    """The dominant script; Han and Kana together count as Japanese when Kana is a real share."""
    if not counts:
        return None, 0
    han, kana = counts.get("Han", 0), counts.get("Kana", 0)
    merged = Counter(counts)
    if kana and kana * 10 >= han + kana:  # kana is ~30-50 % of running Japanese; 10 % tolerates kanji-heavy titles
        merged["Kana"] = han + kana
        merged.pop("Han", None)
    script = merged.most_common(1)[0][0]
    return script, sum(merged.values())


def identify(text: str, declared: str | None = None) -> LanguageGuess:
    """The language of `text` (see the module doc); `declared` is the feed's language tag, if any."""
    want = primary_code(declared)
    sample = text.strip()[:SAMPLE_CHARS]
    counts = script_counts(sample)
    script, letters = _dominant(counts)
    if script is None or letters < MIN_SCRIPT_LETTERS:
        if want:
            return LanguageGuess(want, "declared", 0.0, script)
        return LanguageGuess(None, "none", 0.0, script, ("language_unknown",))
    if script == "Other":
        return LanguageGuess(want, "declared", 0.0, script) if want else LanguageGuess(
            None, "none", 0.0, script, ("language_unknown",))  # fmt: skip

    if script == "Myanmar":
        return _burmese(text, want)
    if script == "Han":
        code = want if want in HAN_LANGUAGES else "zh"
        return _scripted(code, script, want)
    if script in SINGLE_LANGUAGE_SCRIPTS:
        code = SINGLE_LANGUAGE_SCRIPTS[script]
        if script == "Devanagari" and want in ("hi", "mr", "ne", "sa"):
            code = want
        return _scripted(code, script, want)

    # Latin, Cyrillic, Arabic: the detector, among that script's languages
    if letters < MIN_DETECT_LETTERS:
        if want and script_of_language(want) == script:
            return LanguageGuess(want, "declared", 0.0, script)
        if script == "Arabic":
            return _scripted("ar", script, want)
        return LanguageGuess(None, "none", 0.0, script, ("language_unknown",))
    if want and script_of_language(want) == script and _declared_by_its_words(sample, want):
        return LanguageGuess(want, "declared", 1.0, script)  # the declared language's own everyday words: no doubt
    if not want:
        for code in _WORD_CHECKED.get(script, ()):
            if _declared_by_its_words(sample, code):  # undeclared, but unmistakably this language's everyday words
                return LanguageGuess(code, "words", 1.0, script)
    scores = shares(sample, script)
    detected, confidence = detect(sample, script, scores)
    # the declaration stands unless the detector is sure of another language and all but rules the declared one out
    consistent = (detected in (None, want) or confidence < MIN_CONFIDENCE or _siblings(detected or "", want or "")
                  or scores.get(want or "", 0.0) >= MIN_DECLARED_SHARE)  # fmt: skip
    if want and script_of_language(want) == script and consistent:
        return LanguageGuess(want, "declared", confidence, script)
    if detected is None:
        return LanguageGuess(want, "declared", 0.0, script) if want else LanguageGuess(
            None, "none", 0.0, script, ("language_unknown",))  # fmt: skip
    flags = ("language_mismatch",) if want and want != detected else ()
    return LanguageGuess(detected, "detector", confidence, script, flags)


def _scripted(code: str, script: str, want: str | None) -> LanguageGuess:
    if want and want != code:
        return LanguageGuess(code, "script", 1.0, script, ("language_mismatch",))
    return LanguageGuess(code, "declared" if want == code else "script", 1.0, script)


def _burmese(text: str, want: str | None) -> LanguageGuess:
    flags: list[str] = [] if want in (None, "my") else ["language_mismatch"]
    converted = None
    if _zawgyi_probability(text) >= ZAWGYI_PROBABILITY:
        flags.append("zawgyi")
        try:
            converted = zawgyi_to_unicode(text)
            flags.append("zawgyi_converted")
        except Exception:  # a converter failure leaves the text as it came, flagged
            converted = None
    source = "declared" if want == "my" else "script"
    return LanguageGuess("my", source, 1.0, "Myanmar", tuple(flags), converted)
