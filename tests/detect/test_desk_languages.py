"""Topic detection in every desk language, on sentences the team wrote (no publisher text): the country, the bloc
and Russia's diplomats in their own scripts, Russian case forms, terms inside unspaced Chinese/Japanese/Thai/Burmese
text, Arabic words with attached prefixes, and the negative contexts (markets, football) in those languages."""

from __future__ import annotations

import pytest

from pipeline.detect.detector import Detector, topic_names


@pytest.fixture(scope="module")
def det() -> Detector:
    return Detector.from_config()


CASES = [
    # (lang, title, text, expected topics)
    ("ru", "Лавров прибыл в Нейпьидо",
     "Министр иностранных дел России Сергей Лавров в четверг провёл переговоры с главой МИД Мьянмы. "
     "Стороны обсудили сотрудничество в рамках АСЕАН и визит делегации военного правительства в Москву.",
     {"myanmar", "russian_diplomacy"}),  # one passing АСЕАН is not an ASEAN story
    ("ru", "", "Глава российского МИДа встретился с коллегой из Индонезии на полях саммита АСЕАН в Джакарте. "
     "Лидеры стран АСЕАН обсудили на встрече ситуацию в регионе.", {"russian_diplomacy", "asean"}),
    ("zh", "拉夫罗夫抵达雅加达出席东盟系列会议",
     "俄罗斯外长拉夫罗夫周三抵达雅加达，将出席东亚峰会并与中国外长王毅举行会谈。", {"russian_diplomacy", "asean"}),
    ("zh", "緬甸軍政府宣布延長緊急狀態",
     "緬甸軍政府領導人敏昂萊在內比都表示，"
     "將在若開邦和實皆省繼續軍事行動。", {"myanmar"}),
    ("ja", "ミャンマー中部で強い地震",
     "ミャンマー中部のマンダレー近郊で強い地震があり、"
     "国軍は国際社会に支援を求めた。", {"myanmar"}),
    ("ja", "", "ラブロフ外相はASEAN関連外相会議に出席するためジャカルタに到着し、王毅外相と会談した。",
     {"russian_diplomacy", "asean"}),
    ("th", "ผู้นำอาเซียนประชุมสุดยอดที่จาการ์ตา",
     "การประชุมสุดยอดอาเซียนครั้งนี้ ผู้นำอาเซียนหารือเรื่องสถานการณ์ในเมียนมา และฉันทามติห้าข้อ", {"asean"}),
    ("my", "", "ရုရှားနိုင်ငံခြားရေးဝန်ကြီး လာဗရော့ဗ် သည် နေပြည်တော်သို့ ရောက်ရှိပြီး မြန်မာနိုင်ငံခြားရေးဝန်ကြီးနှင့် တွေ့ဆုံဆွေးနွေးခဲ့သည်။",
     {"russian_diplomacy", "myanmar"}),
    ("id", "Menlu Rusia Lavrov tiba di Jakarta",
     "Menteri Luar Negeri Rusia Sergey Lavrov tiba di Jakarta untuk menghadiri KTT ASEAN dan pertemuan dengan "
     "para menteri luar negeri ASEAN.", {"russian_diplomacy", "asean"}),
    ("ms", "", "Para pemimpin ASEAN berhimpun di Kuala Lumpur untuk Sidang Kemuncak ASEAN yang membincangkan "
     "krisis Myanmar dan Konsensus Lima Perkara.", {"asean"}),
    ("vi", "Hội nghị Bộ trưởng Ngoại giao ASEAN khai mạc",
     "Các Bộ trưởng Ngoại giao ASEAN nhóm họp tại Jakarta, thảo luận về tình hình Myanmar và quan hệ với các đối tác.",
     {"asean"}),
    ("fr", "Séisme en Birmanie : la junte demande de l'aide",
     "La junte birmane a lancé un appel à l'aide internationale après le séisme qui a frappé Mandalay et Naypyidaw.",
     {"myanmar"}),
    ("ar", "لافروف يصل إلى جاكرتا",
     "وصل وزير الخارجية الروسي سيرغي لافروف إلى جاكرتا للمشاركة في قمة شرق آسيا واجتماعات رابطة دول جنوب شرق آسيا، "
     "والتقى بلافروف نظيره الإندونيسي.", {"russian_diplomacy", "asean"}),
]


@pytest.mark.parametrize(("lang", "title", "text", "expected"), CASES, ids=[f"{c[0]}{i}" for i, c in enumerate(CASES)])
def test_every_desk_language_is_detected(det: Detector, lang: str, title: str, text: str, expected: set[str]) -> None:
    assert topic_names(det.detect(title, text, lang=lang)) == expected


@pytest.mark.parametrize("form", ["Лавров", "Лаврова", "Лаврову", "Лавровым"])
def test_russian_case_forms_of_a_diplomat_match(det: Detector, form: str) -> None:
    scores = det.score_all("", f"Сегодня {form} провёл переговоры в Пекине.", lang="ru")
    terms = {e.term for e in scores["russian_diplomacy"].evidence if e.rule.endswith("ru_diplomats")}
    assert terms == {form}


def test_chinese_terms_inside_a_run_each_count_and_keep_their_offsets(det: Detector) -> None:
    text = "俄罗斯外长拉夫罗夫在东盟峰会期间会见缅甸外长"
    ev = {e.rule: e for s in det.explain_scores("", text, "zh") for e in s.match.evidence}
    for rule, term in (("russian_diplomacy.ru_diplomats", "拉夫罗夫"), ("asean.asean_bodies", "东盟峰会"),
                       ("myanmar.country", "缅甸")):  # fmt: skip
        assert ev[rule].term == term and text[ev[rule].start : ev[rule].end] == term


def test_katakana_run_next_to_latin_letters_still_matches_latin_terms(det: Detector) -> None:
    scores = det.score_all("", "ASEAN首脳会議がジャカルタで開幕した。", lang="ja")
    assert {e.term for e in scores["asean"].evidence} >= {"ASEAN首脳会議"}


def test_arabic_attached_prefix_is_looked_up_without_it(det: Detector) -> None:
    scores = det.score_all("", "ورحب الجانب الإندونيسي بلافروف في جاكرتا.", lang="ar")
    assert "بلافروف" in {e.term for e in scores["russian_diplomacy"].evidence}
    # without the language the prefix stays on the word
    assert "بلافروف" not in {e.term for e in det.score_all("", "ورحب الجانب الإندونيسي بلافروف في جاكرتا.")[
        "russian_diplomacy"].evidence}  # fmt: skip


@pytest.mark.parametrize(
    ("lang", "text", "topic"),
    [
        ("ru", "Банк России сохранил ключевую ставку, сообщила Набиуллина; инфляция замедлилась, рубль укрепился.",
         "russian_diplomacy"),
        ("zh", "东盟女子足球锦标赛决赛，缅甸队以一比二负于越南队。", "asean"),
        ("id", "Timnas Indonesia lolos ke final Piala AFF setelah mengalahkan Vietnam dalam laga sepak bola.", "asean"),
    ],
)
def test_negative_contexts_in_desk_languages(det: Detector, lang: str, text: str, topic: str) -> None:
    assert topic not in topic_names(det.detect("", text, lang=lang))
