"""Reports of one event in two languages join one story on language-independent signals (canonical entities from
extraction, figures, publication time); a report of another event by the same actors stays apart. Team-written
sentences (no publisher text)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pipeline.entities.extractor import EntityExtractor
from pipeline.stories.assign import group_stories
from pipeline.stories.event import THRESHOLD, features, similarity

QUAKE_RU = ("Землетрясение в Мьянме: 144 погибших",
            "Военное правительство Мьянмы сообщило о 144 погибших и 732 раненых после землетрясения магнитудой 7,7. "
            "Мин Аун Хлайн обратился за международной помощью; сильнее всего пострадали Мандалай и Нейпьидо.")
QUAKE_ZH = ("缅甸强震已致144人死亡",
            "缅甸军政府表示，7.7级地震已造成144人死亡、732人受伤。"
            "敏昂莱呼吁国际援助，曼德勒和内比都受灾严重。")
AFTERSHOCK_JA = ("ミャンマーで余震、2人死亡",
                 "ミャンマー中部マンダレー近郊でマグニチュード5.2の余震があり、"
                 "2人が死亡した。ミン・アウン・フライン総司令官が現地を視察した。")


@pytest.fixture(scope="module")
def ex() -> EntityExtractor:
    return EntityExtractor()


def _feats(ex: EntityExtractor, report: tuple[str, str], lang: str, when: datetime):  # type: ignore[no-untyped-def]
    title, text = report
    ents = ex.extract(f"{title}\n\n{text}", lang)
    return features(title, text, [(e.label, e.canonical, e.start) for e in ents], when, lang)


def test_one_event_in_russian_and_chinese_is_one_story(ex: EntityExtractor) -> None:
    t0 = datetime(2025, 3, 28, 12, tzinfo=UTC)
    ru = _feats(ex, QUAKE_RU, "ru", t0)
    zh = _feats(ex, QUAKE_ZH, "zh", t0.replace(hour=15))
    assert ru.entities & zh.entities >= {"Myanmar", "Min Aung Hlaing", "Mandalay", "Naypyidaw"}
    match = similarity(ru, zh)
    assert match.signals["cross_language"] == 1.0 and "lead" not in match.signals  # no words to compare
    assert match.score >= THRESHOLD and match.signals["figures"] == 1.0


def test_same_actors_another_event_stays_apart(ex: EntityExtractor) -> None:
    ru = _feats(ex, QUAKE_RU, "ru", datetime(2025, 3, 28, 12, tzinfo=UTC))
    ja = _feats(ex, AFTERSHOCK_JA, "ja", datetime(2025, 5, 17, 9, tzinfo=UTC))
    match = similarity(ru, ja)
    assert match.score < THRESHOLD and match.signals.get("outside_window") == 1.0  # seven weeks later


def test_group_stories_joins_the_two_languages(ex: EntityExtractor) -> None:
    records = [
        {"id": "ru", "title": QUAKE_RU[0], "text": QUAKE_RU[1], "published": "2025-03-28T12:00:00Z", "lang": "ru"},
        {"id": "zh", "title": QUAKE_ZH[0], "text": QUAKE_ZH[1], "published": "2025-03-28T15:00:00Z", "lang": "zh"},
        {"id": "ja", "title": AFTERSHOCK_JA[0], "text": AFTERSHOCK_JA[1], "published": "2025-05-17T09:00:00Z",
         "lang": "ja"},
    ]
    ents = ex.extract_many([f"{r['title']}\n\n{r['text']}" for r in records], [r["lang"] for r in records])
    decisions = group_stories(records, ents)
    assert decisions["ru"].story_id == decisions["zh"].story_id != decisions["ja"].story_id


def test_a_language_without_data_of_its_own_keeps_its_code_and_is_compared_across_languages() -> None:
    """German falls back to English word lists, but its report is not "English": the lexical sub-vectors of two
    languages mean nothing, so the pair is scored on the language-independent signals."""
    de = features("Außenminister treffen sich in Jakarta", "Die Außenminister der ASEAN trafen sich am Dienstag.",
                  [("ORG", "ASEAN", 40), ("GPE", "Jakarta", 30)], datetime(2023, 7, 11, tzinfo=UTC), "de-DE")
    en = features("ASEAN foreign ministers meet in Jakarta", "ASEAN foreign ministers met on Tuesday.",
                  [("ORG", "ASEAN", 0), ("GPE", "Jakarta", 32)], datetime(2023, 7, 11, tzinfo=UTC), "en")
    assert de.lang == "de" and en.lang == "en"
    assert similarity(de, en).signals.get("cross_language") == 1.0
