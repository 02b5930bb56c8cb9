"""Event features and the similarity of two reports (pure): the specifics a report names, what agrees and what
conflicts, stemming, the time window, determinism across processes, and the stored form kept in the index."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from pipeline.stories.event import (
    THRESHOLD,
    WINDOW,
    EventFeatures,
    features,
    from_stored,
    retrieval_keys,
    similarity,
    stored,
    zipf,
)
from tests.stories.conftest import REPO, feats

T0 = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
MEETING = (
    "The foreign ministers of Laos and Cambodia met in Vientiane on Tuesday, 4 March, and agreed to reopen two border "
    "crossings, restart direct flights and build a 2,400-megawatt power line by 2028, officials said."
)


# ---------------------------------------------------------------- specifics: figures, dates, weekdays


def test_figures_keep_amounts_counts_and_rates_but_not_years_or_small_numbers() -> None:
    f = feats("Fine for mining firm", "The court on Thursday fined the firm $3.6 billion and ordered 1,250 workers "
              "rehired, a 12.5% rise on 2024, while 7 judges and 40 soldiers stood by.")  # fmt: skip
    assert f.figures == {"3.6", "1250", "12.5", "40"}


def test_dates_in_either_order_with_ordinals_and_abbreviations() -> None:
    f = feats("", "Talks ran from 12 March to March 14th; a second round is set for Sept. 3 and 5 Jan.")
    assert f.dates == {"03-12", "03-14", "09-03", "01-05"}
    assert feats("", "The 45th anniversary falls on day 99.").dates == frozenset()
    assert feats("", "They met on the 40 March.").dates == frozenset()  # not a day of a month


def test_cjk_month_day_dates_are_read_in_any_language() -> None:
    from pipeline.stories.event import features

    zh = features("", "外长7月13日在雅加达会见东盟同行。", lang="zh")
    ja = features("", "外相は7月13日、ジャカルタで会談した。", lang="ja")
    assert zh.dates == ja.dates == {"07-13"}
    assert features("", "第13月40日", lang="zh").dates == frozenset()  # not a month and day


def test_weekdays_are_numbered_from_monday() -> None:
    assert feats("", "Talks on Monday, a vote on Thursday and a rally on Sunday.").weekdays == {0, 3, 6}
    assert feats("", "Talks resumed after the holiday.").weekdays == frozenset()


# ---------------------------------------------------------------- agreement and conflict


def test_shared_specifics_agree_and_add_to_the_score() -> None:
    a = feats("Laos, Cambodia agree new border crossings", MEETING, T0)
    b = feats("Cambodia and Laos to reopen crossings",
              "Cambodia and Laos will reopen two crossings and fly direct again, their ministers said after meeting "
              "in Vientiane on Tuesday, 4 March, with a 2,400-megawatt line due by 2028.",
              T0 + timedelta(hours=3))  # fmt: skip
    m = similarity(a, b)
    assert m.signals["figures"] == 1.0 and m.signals["dates"] == 1.0 and m.signals["weekdays"] == 1.0
    bare = similarity(a, b.__class__(**{**_fields(b), "figures": frozenset(), "dates": frozenset(),
                                        "weekdays": frozenset()}))  # fmt: skip
    assert m.score > bare.score + 0.15
    assert m.score >= THRESHOLD


def test_different_dates_and_weekdays_conflict_and_lower_the_score() -> None:
    a = feats("Ministers meet in Vientiane", MEETING, T0)
    other_day = MEETING.replace("Tuesday, 4 March", "Friday, 7 March")
    b = feats("Ministers meet in Vientiane", other_day, T0)
    m = similarity(a, b)
    assert m.signals["dates"] == -1.0 and m.signals["weekdays"] == -1.0
    same = similarity(a, feats("Ministers meet in Vientiane", MEETING, T0))
    assert m.score < same.score - 0.3


def test_one_different_figure_is_no_conflict_but_two_are() -> None:
    a = feats("", "Floods killed 140 people and destroyed homes in the delta, officials said.")
    b = feats("", "Floods killed 152 people and destroyed homes in the delta, officials said.")
    assert "figures" not in similarity(a, b).signals  # independent reports often count differently
    c = feats("", "The bank raised its rate to 6.25% and reported reserves of 145.3 billion.")
    d = feats("", "The bank raised its rate to 6.50% and reported reserves of 139.8 billion.")
    assert similarity(c, d).signals["figures"] == -1.0


def test_a_main_actor_the_other_report_never_names_conflicts() -> None:
    text = "met in Jakarta on Thursday to discuss trade, security and the coming regional summit, officials said."
    a = feats("Lavrov meets counterpart", f"Sergei Lavrov and Retno Marsudi {text}", T0,
              [("PERSON", "Sergei Lavrov", 0), ("PERSON", "Retno Marsudi", 18)])  # fmt: skip
    b = feats("Lavrov meets counterpart", f"Sergei Lavrov and Wang Yi {text}", T0,
              [("PERSON", "Sergei Lavrov", 0), ("PERSON", "Wang Yi", 18)])  # fmt: skip
    c = feats("Russian minister meets counterpart", f"Lavrov and Marsudi {text}", T0,
              [("PERSON", "Lavrov", 0), ("PERSON", "Marsudi", 11)])  # fmt: skip
    apart, together = similarity(a, b), similarity(a, c)
    assert apart.signals["actors"] == -1.0
    assert together.signals["actors"] == 1.0  # "Marsudi" names the actor "Retno Marsudi"
    assert apart.score < together.score


def test_stemming_joins_inflections() -> None:
    a = feats("Court sentences journalists", "A military court sentenced two journalists in Yangon.")
    b = feats("Court sentenced journalist", "Military courts sentencing a journalist in Yangon.")
    assert similarity(a, b).signals["lead"] > 0.95
    c = feats("Court frees journalists", "A civilian tribunal released reporters in Mandalay.")
    assert similarity(a, c).signals["lead"] < 0.5


def test_rare_words_weigh_more_than_common_ones() -> None:
    base = feats("", "Officials said the government would announce new measures.")
    common = feats("", "Officials said the government would announce the plan.")
    rare = feats("", "Conscription draft lottery Naypyidaw.")
    assert max(base.lead.values()) < max(rare.lead.values()) or len(rare.lead) < len(base.lead)
    assert similarity(base, common).signals["lead"] > 0.5
    assert math.isclose(sum(v * v for v in rare.lead.values()), 1.0, rel_tol=1e-9)  # unit vector


# ---------------------------------------------------------------- time


def test_the_window_vetoes_and_the_day_gap_costs() -> None:
    a = feats("Ministers meet in Vientiane", MEETING, T0)
    same_day = similarity(a, feats("Ministers meet in Vientiane", MEETING, T0 + timedelta(hours=20)))
    two_days = similarity(a, feats("Ministers meet in Vientiane", MEETING, T0 + timedelta(days=2)))
    outside = similarity(a, feats("Ministers meet in Vientiane", MEETING, T0 + WINDOW + timedelta(minutes=1)))
    undated = similarity(a, feats("Ministers meet in Vientiane", MEETING, None))
    assert outside.score == 0.0 and outside.signals["outside_window"] == 1.0
    assert same_day.score > two_days.score > outside.score
    assert "days" not in undated.signals and undated.score >= same_day.score
    nine_days = feats("Ministers meet in Vientiane", MEETING, T0 + timedelta(days=9))
    wider = similarity(a, nine_days, window=timedelta(days=10))
    assert "outside_window" not in wider.signals and wider.signals["days"] == 9.0  # a wider window: no veto


def test_similarity_is_symmetric() -> None:
    a = feats("Laos, Cambodia agree new border crossings", MEETING, T0, [("GPE", "Laos", 0), ("GPE", "Cambodia", 6)])
    b = feats("Cambodian minister in Vientiane", "Cambodia's foreign minister held talks in Vientiane on Tuesday.",
              T0 + timedelta(hours=5), [("GPE", "Cambodia", 0), ("GPE", "Vientiane", 30)])  # fmt: skip
    assert similarity(a, b) == similarity(b, a)


def test_match_explain_rounds_for_people() -> None:
    m = similarity(feats("Ministers meet", MEETING, T0), feats("Ministers met", MEETING, T0 + timedelta(hours=1)))
    out = m.explain()
    assert set(out) == {"score", "signals"} and out["score"] == round(m.score, 3)
    assert all(v == round(v, 3) for v in out["signals"].values())
    json.dumps(out)


# ---------------------------------------------------------------- retrieval keys, stored form, determinism


def test_retrieval_keys_are_lead_terms_and_entities() -> None:
    ents = [("GPE", "Laos", 0), ("PERSON", "Hun Manet", 9)]
    f = feats("Laos, Cambodia agree new border crossings", MEETING, T0, ents)
    keys = retrieval_keys(f)
    terms = [k for k in keys if k.startswith("t:")]
    assert 0 < len(terms) <= 12 and "t:vientian" in terms
    assert [k for k in keys if k.startswith("e:")] == ["e:Hun Manet", "e:Laos"]
    assert retrieval_keys(f) == keys  # stable order


def test_stored_form_round_trips_and_scores_alike() -> None:
    a = feats("Laos, Cambodia agree new border crossings", MEETING, T0,
              [("GPE", "Laos", 0), ("PERSON", "Saleumxay Kommasith", 60)])  # fmt: skip
    b = feats("Cambodia and Laos to reopen crossings", MEETING.replace("restart", "resume"), T0 + timedelta(hours=2),
              [("GPE", "Cambodia", 0), ("PERSON", "Saleumxay Kommasith", 70)])  # fmt: skip
    doc = json.loads(json.dumps(stored(a)))  # as it comes back from the index's _source
    back = from_stored(doc, a.published_at)
    assert back is not None
    assert back.entities == a.entities and back.figures == a.figures and back.dates == a.dates
    assert back.weekdays == a.weekdays and back.actors == a.actors and back.names == a.names
    assert back.lead.keys() == a.lead.keys() and back.published_at == a.published_at
    assert similarity(back, b).score == pytest.approx(similarity(a, b).score, abs=1e-3)
    assert similarity(back, b).signals.keys() == similarity(a, b).signals.keys()
    assert from_stored(None) is None and from_stored({}) is None and from_stored({"entities": []}) is None


def test_features_are_bounded_for_long_texts() -> None:
    words = " ".join(f"word{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}" for i in range(400))
    f = feats("A long report", words * 3)
    assert len(f.body) <= 60 and len(f.lead) <= 60


def test_features_and_score_are_the_same_in_another_process() -> None:
    """Another worker (other hash seed) computes identical features and score: no process state in them."""
    code = (
        "import json, sys\n"
        "from datetime import datetime, UTC\n"
        "from pipeline.stories.event import features, similarity, stored\n"
        "t = datetime(2025, 3, 4, 9, tzinfo=UTC)\n"
        "m = sys.argv[1]\n"
        "a = features('Laos, Cambodia agree new border crossings', m, [('GPE', 'Laos', 0)], t, 'en')\n"
        "b = features('Cambodia and Laos to reopen crossings', m.replace('restart', 'resume'), [('GPE', 'Laos', 9)],"
        " t, 'en')\n"
        "print(json.dumps({'a': stored(a), 'score': similarity(a, b).score}, sort_keys=True))\n"
    )
    runs = []
    for seed in ("1", "4242"):
        proc = subprocess.run([sys.executable, "-c", code, MEETING], capture_output=True, text=True, cwd=REPO,
                              env={**os.environ, "PYTHONHASHSEED": seed}, timeout=120, check=True)  # fmt: skip
        runs.append(json.loads(proc.stdout))
    assert runs[0] == runs[1]
    a = feats("Laos, Cambodia agree new border crossings", MEETING, T0, [("GPE", "Laos", 0)])
    b = feats("Cambodia and Laos to reopen crossings", MEETING.replace("restart", "resume"), T0, [("GPE", "Laos", 9)])
    assert runs[0]["a"] == json.loads(json.dumps(stored(a)))
    assert runs[0]["score"] == similarity(a, b).score


def _fields(f: EventFeatures) -> dict[str, object]:
    return {name: getattr(f, name) for name in f.__dataclass_fields__}


def test_word_rarity_comes_from_wordfreqs_lists_streamed_per_language() -> None:
    """The streamed table gives wordfreq's own Zipf values for every kept word, in the article's language."""
    from wordfreq import zipf_frequency

    for word, code in (("the", "en"), ("minister", "en"), ("referendum", "en"), ("министр", "ru"), ("visite", "fr")):
        assert zipf(word, code) == pytest.approx(zipf_frequency(word, code), abs=0.011), (word, code)
    assert zipf("minister", "en") < zipf("the", "en")
    assert zipf("министр", "en") == 0.0  # a Russian word is unknown to English: weighs as the rarest
    assert zipf("qxzvbnrtl", "en") == 0.0
    assert zipf("the", "xx") == zipf("the", "en")  # a language wordfreq lacks reads English's list


def test_an_undated_report_naming_other_dates_is_placed_at_another_time() -> None:
    """An undated report (no feed date) that names 27 July only is not the report published on 14 September."""
    sept = datetime(2023, 9, 14, 15, tzinfo=UTC)
    dated = features("Central bank raises rates again", "The bank raised its deposit rate on Thursday.", [], sept)
    july = features("Central bank raises rates", "The bank raised its deposit rate on 27 July, its ninth rise.", [])
    same = features("Central bank raises rates", "The bank raised its deposit rate on 14 September.", [])
    older_and_same = features("Central bank raises rates", "After 27 July, it raised again on 14 September.", [])
    assert similarity(july, dated).signals.get("named_dates") == -1.0
    assert similarity(dated, july).signals.get("named_dates") == -1.0  # symmetric
    assert "named_dates" not in similarity(same, dated).signals
    assert "named_dates" not in similarity(older_and_same, dated).signals
    assert similarity(july, dated).score < similarity(same, dated).score


def test_a_shared_date_or_figure_outweighs_a_main_actor_one_report_left_out() -> None:
    """Two reports of one briefing: one names the spokesman in its lead, the other only the minister; both give
    the same date (or the same figure), so the missing name is no conflict. Without them, it is."""
    when = datetime(2024, 5, 14, 9, tzinfo=UTC)
    first = features("Minister opens port talks", "Foreign Minister Ana Ruiz opened the talks on 14 May.",
                     [("PERSON", "Ana Ruiz", 49)], when)
    second = features("Port talks open", "Spokesman Ben Ortiz said Ana Ruiz opened the talks on 14 May.",
                      [("PERSON", "Ben Ortiz", 26), ("PERSON", "Ana Ruiz", 41)], when)
    undated_twin = features("Port talks open", "Spokesman Ben Ortiz said Ana Ruiz opened the talks.",
                            [("PERSON", "Ben Ortiz", 26), ("PERSON", "Ana Ruiz", 41)], when)
    assert similarity(first, second).signals["actors"] == 0.0
    assert similarity(first, undated_twin).signals["actors"] == -1.0
    with_figure = features("Port talks open", "Spokesman Ben Ortiz said 4,500 workers await the talks.",
                           [("PERSON", "Ben Ortiz", 26)], when)
    first_figure = features("Minister opens port talks", "Ana Ruiz said 4,500 workers await the talks.",
                            [("PERSON", "Ana Ruiz", 34)], when)
    assert similarity(first_figure, with_figure).signals["actors"] == 0.0


def test_typographic_and_ascii_apostrophes_make_one_word() -> None:
    """One outlet writes "junta’s", another "junta's": the same term (Snowball drops the possessive)."""
    curly = features("The junta’s offensive", "The military’s commanders said the junta’s troops advanced.", [])
    ascii_ = features("The junta's offensive", "The military's commanders said the junta's troops advanced.", [])
    assert curly.body == ascii_.body and curly.lead == ascii_.lead


def test_weekday_and_month_names_are_specifics_not_wording() -> None:
    """They count once, as `weekdays`/`dates`, not again in the lexical vectors."""
    f = features("Talks on Thursday", "The talks open on Thursday, 14 March, in Vientiane.", [])
    assert not {"thursday", "march"} & set(f.body) and "vientian" in f.body
    assert f.weekdays == frozenset({3}) and f.dates == frozenset({"03-14"})


def test_places_in_a_series_tell_one_rise_from_the_next() -> None:
    """The ninth consecutive rate rise and the 10th straight one are two events with the same words and actors."""
    when = datetime(2023, 9, 14, 12, tzinfo=UTC)
    ninth = features("Bank raises rates again", "The central bank raised its key rate for the ninth consecutive time, "
                     "to 3.75 percent, citing stubborn inflation.", [("ORG", "Central Bank", 4)], when)
    tenth = features("Bank raises rates again", "The central bank raised its key rate for the 10th straight time, "
                     "to 4.00 percent, citing stubborn inflation.", [("ORG", "Central Bank", 4)], when)
    copy = features("Bank lifts rates", "For the ninth consecutive time the central bank raised its key rate.",
                    [("ORG", "Central Bank", 4)], when)
    assert ninth.series == copy.series == frozenset({9}) and tenth.series == frozenset({10})
    assert similarity(ninth, tenth).signals["series"] == -1.0
    assert similarity(ninth, copy).signals["series"] == 1.0
    twin = features("Bank raises rates again", "The central bank raised its key rate for the ninth straight time, "
                    "to 4.00 percent, citing stubborn inflation.", [("ORG", "Central Bank", 4)], when)
    # the same words with the same place agree (+0.10); with another place they conflict (-0.30)
    assert similarity(ninth, twin).score - similarity(ninth, tenth).score >= 0.38
    assert features("First day", "On the first day of talks, a second round was set.", []).series == frozenset()
    assert from_stored(stored(tenth)) is not None and from_stored(stored(tenth)).series == frozenset({10})  # type: ignore[union-attr]
