"""The Detector facade: multi-label examples, detect vs score_all, explain, robustness, languages."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.detect.detector import Detector, load_topic_rules
from tests.detect.conftest import SHARED, names


def test_multi_label_lavrov_in_naypyidaw_before_asean_meeting(det: Detector) -> None:
    title = "Lavrov flies to Nay Pyi Taw ahead of Asean talks"
    text = (
        "Russian Foreign Minister Sergey Lavrov held talks with the head of Myanmar's military government in "
        "Nay Pyi Taw on Thursday, before joining ASEAN foreign ministers in Kuala Lumpur. The junta thanked "
        "Moscow for its support. Lavrov will also attend the East Asia Summit ministerial meeting, where the "
        "bloc's chair is expected to raise the crisis in Myanmar."
    )
    assert names(det, title, text) == ["myanmar", "asean", "russian_diplomacy"]


def test_detect_returns_only_passing_topics_and_score_all_returns_every_topic(det: Detector) -> None:
    title = "Junta troops retake border town from Arakan Army in Myanmar"
    text = "Myanmar's military said it had retaken the town in Rakhine state after weeks of fighting."
    found = det.detect(title, text)
    assert [m.name for m in found] == ["myanmar"]
    every = det.score_all(title, text)
    assert list(every) == ["myanmar", "asean", "russian_diplomacy"]
    assert every["myanmar"].score == found[0].score
    assert every["asean"].score < load_topic_rules().topic("asean").spec.threshold


def test_explain_is_readable(det: Detector) -> None:
    out = det.explain("Myanmar junta frees prisoners", "The military government in Naypyidaw freed 3,000 prisoners.")
    assert out.splitlines()[0].startswith("myanmar: MATCH (score ")
    assert 'title: "Myanmar" (myanmar.country, +' in out
    assert "asean: no match" in out


@settings(max_examples=150, deadline=None)
@given(title=st.text(max_size=80), text=st.text(max_size=600))
def test_never_crashes_and_offsets_stay_in_bounds(title: str, text: str) -> None:
    det = SHARED
    fields = {"title": title, "text": text}
    for m in det.score_all(title, text).values():
        for e in m.evidence:
            assert 0 <= e.start < e.end <= len(fields[e.field])


def test_throughput_smoke() -> None:
    """Loose guard against accidental quadratic behaviour (the real figure comes from benchmarks/)."""
    text = " ".join(["Officials in Yangon said the Russian embassy and ASEAN envoys met on Tuesday."] * 12)
    start = time.process_time()
    for _ in range(300):
        SHARED.detect("Myanmar junta meets ASEAN envoy", text)
    assert 300 / (time.process_time() - start) > 150


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        (  # German: inflected ministry, transliterated names, Kreml/Moskau
            "Lawrow reist nach Ankara",
            "Der russische Außenminister Sergej Lawrow wird am Donnerstag in Ankara seinen türkischen Amtskollegen "
            "treffen. Das Außenministerium in Moskau teilte mit, es gehe um Gespräche über eine Waffenruhe. "
            "Kremlsprecher Peskow sagte, Russland schätze die Vermittlung der Türkei.",
            {"russian_diplomacy"},
        ),
        (  # French
            "Moscou convoque l'ambassadeur d'Estonie",
            "Le ministère russe des Affaires étrangères a convoqué mardi l'ambassadeur d'Estonie pour protester "
            "contre la fermeture d'un consulat. La porte-parole de la diplomatie russe a promis une réponse.",
            {"russian_diplomacy"},
        ),
        (  # Spanish
            "",
            "El canciller ruso llegó a La Habana para reunirse con su homólogo cubano. La embajada rusa informó "
            "de que ambos países firmaron acuerdos de cooperación energética y hablaron de las sanciones.",
            {"russian_diplomacy"},
        ),
        (  # Indonesian
            "Menlu Rusia kunjungi Jakarta",
            "Menteri Luar Negeri Rusia dijadwalkan bertemu Menlu Indonesia di Jakarta pekan depan untuk membahas "
            "kerja sama energi. Duta Besar Rusia untuk Indonesia mengatakan kunjungan itu memperkuat hubungan.",
            {"russian_diplomacy"},
        ),
        (  # French Myanmar
            "Birmanie : la junte repousse encore les élections",
            "La junte militaire au pouvoir en Birmanie a prolongé l'état d'urgence. Le général Min Aung Hlaing "
            "invoque les combats dans l'État Rakhine et la région de Sagaing.",
            {"myanmar"},
        ),
        (  # Indonesian ASEAN
            "KTT ASEAN bahas Myanmar",
            "Para pemimpin negara anggota ASEAN berkumpul di Kuala Lumpur untuk KTT ASEAN. Sekretariat ASEAN "
            "menyebut pertemuan akan membahas konsensus lima poin.",
            {"asean"},
        ),
    ],
)
def test_non_english_forms_of_names_and_institutions(det: Detector, title: str, text: str, expected: set[str]) -> None:
    assert set(names(det, title, text)) == expected


@pytest.mark.parametrize(
    ("title", "text"),
    [
        (  # colonial history / literature
            "A new life of Orwell's Burmese years",
            "Eric Blair served in the Indian Imperial Police in colonial Burma, in Mandalay and Katha, before "
            "writing Burmese Days. This biography reads his letters from the years of British rule.",
        ),
        (  # gemstone named after the country
            "Burmese ruby fetches record price",
            "A Burmese ruby of 20 carats sold for a record sum at a Hong Kong auction on Tuesday. Dealers say "
            "rubies from Burma are prized for their colour; the buyer was not named.",
        ),
    ],
)
def test_history_and_products_named_after_burma_are_not_myanmar(det: Detector, title: str, text: str) -> None:
    assert "myanmar" not in names(det, title, text)


def test_asean_back_references_count_but_a_membership_aside_does_not(det: Detector) -> None:
    story = (
        "The Association of Southeast Asian Nations admitted Timor-Leste as its 11th member on Sunday. "
        "Leaders of the regional bloc raised the new flag in Kuala Lumpur, and the grouping's secretariat "
        "will help the new member meet the bloc's economic commitments."
    )
    assert "asean" in names(det, "Timor-Leste joins regional bloc", story)
    aside = (
        "Thailand's central bank held rates on Wednesday. Thailand, a member of ASEAN, has the bloc's "
        "second-largest economy; exports rose for a fifth month."
    )
    assert "asean" not in names(det, "Thai central bank holds rates", aside)


def test_language_codes_choose_the_language_data(det: Detector) -> None:
    """An item may name its language; unknown or missing codes use English. A known code brings its own sentence
    breaks: Burmese ends sentences with "။", so an English "." does not keep a near rule from pairing across it."""
    title = "Lavrov flies to Nay Pyi Taw"
    text = "Russian Foreign Minister Sergey Lavrov met ASEAN, Thai and Lao envoys. Myanmar's junta thanked Moscow."
    english = det.explain_scores(title, text)
    for code in ("en", "en-GB", "xx", None):
        assert det.explain_scores(title, text, lang=code) == english
        assert det.detect(title, text, lang=code) == det.detect(title, text)
    burmese = {s.match.name: s.match for s in det.explain_scores(title, text, lang="my")}
    rules = {e.rule for e in burmese["russian_diplomacy"].evidence}
    assert "russian_diplomacy.actor_diplomacy" in rules  # "envoys. Myanmar's junta thanked Moscow": one sentence
    english_rules = {e.rule for e in det.score_all(title, text)["russian_diplomacy"].evidence}
    assert "russian_diplomacy.actor_diplomacy" not in english_rules
