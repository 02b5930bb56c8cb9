"""Language identification: script first, the detector for Latin/Cyrillic/Arabic, the declared language when it
is consistent, Zawgyi Burmese converted, unknown flagged. Every sentence here is written for these tests."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pipeline.core.records import FeedItem
from pipeline.ingest import langid
from pipeline.ingest.feeds import FeedConfig
from pipeline.ingest.langid import (
    MIN_DECLARED_SHARE,
    LanguageGuess,
    detect,
    identify,
    primary_code,
    script_counts,
    shares,
)
from pipeline.ingest.normalise import normalise

# one or two sentences per desk language
SAMPLES = {
    "en": "The foreign minister arrived in Jakarta on Tuesday for talks with his counterparts from the region.",
    "ru": "Министр иностранных дел прибыл во вторник в Джакарту, где проведёт переговоры с коллегами из региона.",
    "zh": "外交部长星期二抵达雅加达，将与东南亚国家联盟各国同行举行会谈。",
    "ja": "外務大臣は火曜日にジャカルタに到着し、東南アジア諸国の外相と会談する予定です。",
    "my": "နိုင်ငံခြားရေးဝန်ကြီးသည် အင်္ဂါနေ့တွင် ဂျကာတာမြို့သို့ ရောက်ရှိပြီး ဒေသတွင်းနိုင်ငံများ၏ ဝန်ကြီးများနှင့် တွေ့ဆုံမည်။",
    "th": "รัฐมนตรีว่าการกระทรวงการต่างประเทศเดินทางถึงกรุงจาการ์ตาเมื่อวันอังคารเพื่อหารือกับรัฐมนตรีจากประเทศในภูมิภาค",
    "id": "Menteri Luar Negeri tiba di Jakarta pada hari Selasa untuk melakukan pembicaraan dengan para mitranya, "
          "karena pemerintah ingin memperkuat kerja sama kawasan.",
    "ms": "Menteri Luar Negeri tiba di Jakarta pada hari Selasa untuk mengadakan perbincangan dengan rakan sejawatnya, "
          "kerana kerajaan mahu mengukuhkan kerjasama serantau, kata beliau.",
    "vi": "Bộ trưởng Ngoại giao đã đến Jakarta vào thứ Ba để hội đàm với những người đồng cấp trong khu vực.",
    "fr": "Le ministre des Affaires étrangères est arrivé mardi à Jakarta pour des entretiens avec ses homologues.",
    "ar": "وصل وزير الخارجية إلى جاكرتا يوم الثلاثاء لإجراء محادثات مع نظرائه من دول المنطقة.",
    "ko": "외교부 장관은 화요일 자카르타에 도착해 지역 국가 장관들과 회담할 예정이다.",
}  # fmt: skip


@pytest.mark.parametrize("lang", sorted(SAMPLES))
def test_each_desk_language_is_identified(lang):
    guess = identify(SAMPLES[lang])
    assert guess.code == lang
    assert "language_unknown" not in guess.flags


@pytest.mark.parametrize(("lang", "script"), [("my", "Myanmar"), ("th", "Thai"), ("ja", "Kana"), ("zh", "Han"),
                                              ("ko", "Hangul")])  # fmt: skip
def test_scripts_of_one_language_decide_without_the_detector(lang, script):
    guess = identify(SAMPLES[lang])
    assert (guess.code, guess.source, guess.script) == (lang, "script", script)


def test_short_script_texts_are_still_decided():
    assert identify("မြန်မာ").code == "my"
    assert identify("ไทยแลนด์").code == "th"
    assert identify("ミャンマー").code == "ja"
    assert identify("缅甸地震").code == "zh"


def test_han_only_headline_declared_japanese_stays_japanese():
    assert identify("外務大臣会談", declared="ja").code == "ja"
    assert identify("外務大臣会談").code == "zh"


def test_cyrillic_is_ranked_among_cyrillic_languages_only():
    guess = identify(SAMPLES["ru"])
    assert (guess.code, guess.script, guess.source) == ("ru", "Cyrillic", "detector")
    uk = "Міністр закордонних справ прибув до Джакарти, де проведе переговори з колегами з регіону."
    assert identify(uk).code == "uk"


def test_declared_language_wins_when_consistent():
    assert identify(SAMPLES["fr"], declared="fr-FR").source == "declared"
    # Malay declared on an Indonesian-looking text: close siblings, the declaration stands
    guess = identify(SAMPLES["id"], declared="ms")
    assert (guess.code, guess.flags) == ("ms", ())


def test_declared_language_inconsistent_with_the_text_is_overridden_and_flagged():
    guess = identify(SAMPLES["ru"], declared="en")
    assert guess.code == "ru" and "language_mismatch" in guess.flags
    guess = identify(SAMPLES["th"], declared="en-us")
    assert guess.code == "th" and "language_mismatch" in guess.flags


def test_declaration_stands_when_the_detector_leans_elsewhere_without_ruling_it_out():
    # English with a run of words the detector reads as Shona: it leans to "sn" yet keeps English possible
    text = "Kaka ndiko wakati mokoto ruzivo neSagaing and Magway on Monday, the spokesman said."
    assert detect(text, "Latin")[0] == "sn" and shares(text, "Latin")["en"] >= MIN_DECLARED_SHARE
    guess = identify(text, declared="en")
    assert (guess.code, guess.source, guess.flags) == ("en", "declared", ())
    # undeclared: English's everyday words fill a quarter of it, so it is English without asking the detector
    assert (identify(text).code, identify(text).source) == ("en", "words")
    # a real French text leaves English no share at all: a wrong declaration is still overridden
    assert shares(SAMPLES["fr"], "Latin").get("en", 0.0) < MIN_DECLARED_SHARE
    assert identify(SAMPLES["fr"], declared="en").code == "fr"


def test_a_declared_language_whose_everyday_words_fill_the_text_stands_unchecked():
    english = "The foreign minister arrived in the capital on Monday for talks with his counterparts from the region."
    assert identify(english, declared="en") == LanguageGuess("en", "declared", 1.0, "Latin")
    # French declares no such share (its everyday words are Spanish ones too): a Spanish text is still detected
    spanish = ("El ministro de Asuntos Exteriores llegó a la capital para una reunión con sus homólogos de la "
               "región, según informó la agencia estatal.")
    guess = identify(spanish, declared="fr")
    assert (guess.code, guess.source) == ("es", "detector") and "language_mismatch" in guess.flags


def test_undeclared_text_full_of_a_languages_everyday_words_needs_no_detector():
    english = "The foreign minister arrived in the capital on Monday for talks with his counterparts from the region."
    assert identify(english) == LanguageGuess("en", "words", 1.0, "Latin")
    # other Latin-script languages leave English's everyday words far below the share: the detector decides
    for code in ("fr", "id", "vi"):
        guess = identify(SAMPLES[code])
        assert (guess.code, guess.source) == (code, "detector"), code


def test_too_little_text_falls_back_to_the_declaration_or_unknown():
    assert identify("OK 42", declared="vi").code == "vi"
    guess = identify("OK 42")
    assert guess.code is None and guess.flags == ("language_unknown",)
    assert identify("").code is None
    assert identify("   \n 2026-03-01 +++ ").flags == ("language_unknown",)


def test_unknown_script_is_flagged_never_raised():
    cherokee = "ᏣᎳᎩ ᎦᏬᏂᎯᏍᏗ ᎠᏂᏴᏫᏯ ᏓᏂᎸᎢᏍᏗ ᎤᎾᏓᏅᏖᏗ"
    guess = identify(cherokee)
    assert guess.code is None and "language_unknown" in guess.flags
    odd = identify("\ud800 \x00 \ufffd")  # odd input: no crash
    assert odd.code is None and odd.flags == ("language_unknown",)


def test_indonesian_and_malay_are_told_apart_by_marker_words():
    assert identify(SAMPLES["id"]).code == "id"
    assert identify(SAMPLES["ms"]).code == "ms"


def test_primary_code_normalises_tags():
    assert primary_code("en-US") == "en"
    assert primary_code("zh_TW") == "zh"
    assert primary_code("in") == "id"
    assert primary_code("rus") == "ru"
    assert primary_code("") is None and primary_code(None) is None and primary_code("x-klingon") is None


def test_script_counts_ignore_digits_and_punctuation():
    counts = script_counts("2026: Лавров — 缅甸, ミャンマー!")
    assert counts == {"Cyrillic": 6, "Han": 2, "Kana": 5}


# --- Zawgyi --------------------------------------------------------------------------------------------
UNICODE_MY = "မြန်မာနိုင်ငံ နိုင်ငံခြားရေးဝန်ကြီးဌာန ပြောရေးဆိုခွင့်ရှိသူက ပြောကြားသည်။"
# the same sentence in the legacy Zawgyi font encoding (code points as that font draws them)
ZAWGYI_MY = (
    "\u103b\u1019\u1014\u1039\u1019\u102c\u108f\u102d\u102f\u1004\u1039\u1004\u1036 \u108f\u102d"
    "\u102f\u1004\u1039\u1004\u1036\u103b\u1001\u102c\u1038\u1031\u101b\u1038\u101d\u1014\u1039\u1080"
    "\u1000\u102e\u1038\u100c\u102c\u1014 \u1031\u103b\u1015\u102c\u1031\u101b\u1038\u1006\u102d"
    "\u102f\u1001\u103c\u1004\u1037\u103a\u101b\u103d\u102d\u101e\u1030\u1000 \u1031\u103b\u1015"
    "\u102c\u107e\u1000\u102c\u1038\u101e\u100a\u1039\u104b"
)


def test_zawgyi_is_detected_and_converted_to_unicode():
    guess = identify(ZAWGYI_MY)
    assert guess.code == "my"
    assert guess.flags == ("zawgyi", "zawgyi_converted")
    assert guess.text == UNICODE_MY
    plain = identify(UNICODE_MY)
    assert plain.flags == () and plain.text is None


def test_normalise_converts_zawgyi_items_and_flags_them():
    item = FeedItem(feed_name="f", feed_url="https://my.example.org/feed", title=ZAWGYI_MY.split(" ")[0],
                    link="https://my.example.org/a", summary_html=f"<p>{ZAWGYI_MY}</p>")  # fmt: skip
    feed = FeedConfig(name="f", url="https://my.example.org/feed")
    article = normalise(item, fetched_at=datetime(2026, 3, 3, tzinfo=UTC), feed=feed)
    assert article.language == "my"
    assert article.text == UNICODE_MY
    assert article.title == UNICODE_MY.split(" ")[0]
    assert {"zawgyi", "zawgyi_converted"} <= set(article.flags)


def test_normalise_flags_a_feed_language_that_the_text_contradicts():
    feed = FeedConfig(name="f", url="https://ru.example.org/feed", language="en")
    item = FeedItem(feed_name="f", feed_url=feed.url, title="Лавров в Джакарте", link="https://ru.example.org/a",
                    summary_html=SAMPLES["ru"])  # fmt: skip
    article = normalise(item, fetched_at=datetime(2026, 3, 3, tzinfo=UTC), feed=feed)
    assert article.language == "ru" and "language_mismatch" in article.flags


def test_no_model_is_downloaded(monkeypatch):
    """The detectors load from files inside their wheels: with sockets refused, identification still works."""
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("network access during language identification")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(langid, "_IDENTIFIER", None)
    monkeypatch.setattr(langid, "_ZAWGYI", None)
    assert identify(SAMPLES["fr"]).code == "fr"
    assert identify(ZAWGYI_MY).code == "my"
