"""Story-grouping scores: pairwise precision/recall/F1 against gold same-event clusters, "different event" pairs
kept apart, the error list with the deciding signals, and the gold file's parser."""

from __future__ import annotations

import json

import pytest

from pipeline.stories.evaluate import ClusterGold, pairwise_scores, parse_cluster_gold, score_clusters


def test_pairwise_scores_counts_pairs() -> None:
    gold = {"a": "x", "b": "x", "c": "x", "d": "y"}
    # predicted: {a,b} together, c alone, d joined with c -> 1 TP (a-b), 1 FP (c-d), 2 FN (a-c, b-c)
    pred = {"a": "1", "b": "1", "c": "2", "d": "2"}
    precision, recall = pairwise_scores(gold, pred)
    assert precision == pytest.approx(0.5)
    assert recall == pytest.approx(1 / 3)
    assert pairwise_scores(gold, gold) == (1.0, 1.0)
    assert pairwise_scores({"a": "x", "b": "y"}, {"a": "1", "b": "2"}) == (1.0, 1.0)


def test_parse_cluster_gold_reads_clusters_and_apart_pairs() -> None:
    lines = [
        json.dumps({"cluster": "vote", "ids": ["v1", "v2", "v3"]}),
        "",
        json.dumps({"ids": ["t1", "t2"]}),  # unnamed cluster: named by its line
        json.dumps({"not_duplicate": ["v1", "l1"]}),
        json.dumps({"not_duplicate": ["z9", "a1"]}),
    ]
    gold = parse_cluster_gold(lines, "gold.jsonl")
    assert gold.clusters == {"v1": "vote", "v2": "vote", "v3": "vote", "t1": "line3", "t2": "line3"}
    assert gold.apart == (("l1", "v1"), ("a1", "z9"))


@pytest.mark.parametrize(
    ("line", "message"),
    [
        pytest.param("{not json", "gold.jsonl:2: invalid JSON", id="bad-json"),
        pytest.param('{"cluster": "x"}', "gold.jsonl:2: expected", id="no-ids"),
        pytest.param('{"not_duplicate": ["a"]}', "gold.jsonl:2: expected", id="one-id-pair"),
        pytest.param("[1, 2]", "gold.jsonl:2: expected", id="not-an-object"),
    ],
)
def test_parse_cluster_gold_names_the_bad_line(line: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_cluster_gold([json.dumps({"cluster": "c", "ids": ["a", "b"]}), line], "gold.jsonl")


def test_score_clusters_counts_pairs_apart_pairs_and_lists_errors() -> None:
    gold = ClusterGold({"a": "x", "b": "x", "c": "x", "d": "y", "e": "y"}, (("a", "f"), ("d", "g")))
    # a+b right, c split off, d joined with c (false join), e alone (split), f merged with a, g apart from d
    pred = {"a": "s1", "b": "s1", "c": "s2", "d": "s2", "e": "s3", "f": "s1", "g": "s9"}
    seen: list[tuple[str, str]] = []

    def explain(x: str, y: str) -> dict[str, object]:
        seen.append((x, y))
        return {"score": 0.4, "signals": {"lead": 0.5}}

    s = score_clusters(gold, pred, explain)
    assert (s.tp, s.fp, s.fn) == (1, 1, 3)  # tp a-b; fp c-d; fn a-c, b-c, d-e
    assert (s.apart_kept, s.apart_total) == (1, 2)
    assert s.precision == pytest.approx(0.5) and s.recall == pytest.approx(0.25)
    assert s.f1 == pytest.approx(2 * 0.5 * 0.25 / 0.75)
    kinds = sorted((e["kind"], e["a"], e["b"]) for e in s.errors)
    assert kinds == [("false-join", "c", "d"), ("merged", "a", "f"), ("split", "a", "c"), ("split", "b", "c"),
                     ("split", "d", "e")]  # fmt: skip
    assert all(e["signals"] == {"lead": 0.5} for e in s.errors) and len(seen) == 5
    out = s.to_dict()
    assert out["f1"] == round(s.f1, 4) and out["apart_share"] == 0.5 and len(out["errors"]) == 5
    table = s.format_table()
    assert "precision 0.500" in table and "recall 0.250" in table and "1/2 (50.0%)" in table


def test_missing_predictions_are_singletons_and_perfect_is_perfect() -> None:
    gold = ClusterGold({"a": "x", "b": "x"}, (("a", "c"),))
    s = score_clusters(gold, {"a": "s"})  # b and c never predicted: alone
    assert (s.tp, s.fn, s.apart_kept) == (0, 1, 1) and s.errors == [{"kind": "split", "a": "a", "b": "b"}]
    best = score_clusters(gold, {"a": "s", "b": "s", "c": "t"})
    assert (best.precision, best.recall, best.f1, best.apart_share) == (1.0, 1.0, 1.0, 1.0) and not best.errors


def test_pairs_are_counted_per_language_and_per_kind() -> None:
    gold = ClusterGold({"a": "x", "b": "x", "c": "y", "d": "y"})
    langs = {"a": "ru", "b": "zh", "c": "en", "d": "en"}
    s = score_clusters(gold, {"a": "s", "b": "s", "c": "t", "d": "u"}, langs=langs)
    assert s.per_language["ru"] == {"tp": 1, "fp": 0, "fn": 0} == s.per_language["cross-language"]
    assert s.per_language["en"] == {"tp": 0, "fp": 0, "fn": 1} == s.per_language["same language"]
    assert "cross-language" in s.format_table() and s.to_dict()["per_language"]["zh"]["f1"] == 1.0
    assert score_clusters(gold, {}).per_language == {}
