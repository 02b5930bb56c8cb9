"""`newsmon eval --clusters FILE --articles FILE`: story grouping scored against same-event clusters, as text and
JSON, the wrong pairs with their deciding signals (--errors), and exit 2 naming the file on bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_app import newsmon
from tests.stories.conftest import load_stories

ARTICLES = ["th-bj-orig", "th-bj-copy", "th-bj-short", "th-tk-1", "unsc-sd-orig", "unsc-sd-indep", "unsc-ly-1"]
GOLD = [
    {"cluster": "thai-beijing", "ids": ["th-bj-orig", "th-bj-copy"]},
    {"cluster": "sudan-vote", "ids": ["unsc-sd-orig", "unsc-sd-indep"]},
    # deliberately wrong gold: the short Beijing report listed with the Tokyo meeting
    {"cluster": "thai-tokyo", "ids": ["th-tk-1", "th-bj-short"]},
    {"not_duplicate": ["unsc-sd-orig", "unsc-ly-1"]},
    {"not_duplicate": ["th-bj-orig", "th-tk-1"]},
]


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    rows = {r["id"]: r for r in load_stories()}
    articles = tmp_path / "articles.jsonl"
    articles.write_text("".join(json.dumps({k: rows[i][k] for k in ("id", "title", "text", "published")}) + "\n"
                                for i in ARTICLES))  # fmt: skip
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps(g) + "\n" for g in GOLD))
    return gold, articles


def test_json_scores_and_errors_with_signals(files: tuple[Path, Path]) -> None:
    gold, articles = files
    proc = newsmon("eval", "--clusters", str(gold), "--articles", str(articles), "--json")
    assert proc.returncode == 0, proc.stderr
    out: dict[str, Any] = json.loads(proc.stdout)
    # right: the Beijing pair and the Sudan vote pair; wrong (because the gold is): the short Beijing report is
    # grouped with its event, so it is split from the Tokyo meeting and falsely joined with the Beijing pair
    assert (out["tp"], out["fp"], out["fn"]) == (2, 2, 1)
    assert out["precision"] == 0.5 and out["recall"] == pytest.approx(0.6667, abs=1e-4)
    assert (out["apart_kept"], out["apart_total"], out["apart_share"]) == (2, 2, 1.0)
    errors = {(e["kind"], e["a"], e["b"]): e for e in out["errors"]}
    assert set(errors) == {("split", "th-bj-short", "th-tk-1"), ("false-join", "th-bj-orig", "th-bj-short"),
                           ("false-join", "th-bj-copy", "th-bj-short")}  # fmt: skip
    split = errors[("split", "th-bj-short", "th-tk-1")]
    assert split["score"] < 0.45 and {"lead", "body", "entities", "days"} <= set(split["signals"])
    assert errors[("false-join", "th-bj-orig", "th-bj-short")]["score"] >= 0.45


def test_text_output_and_error_list(files: tuple[Path, Path]) -> None:
    gold, articles = files
    plain = newsmon("eval", "--clusters", str(gold), "--articles", str(articles))
    assert plain.returncode == 0, plain.stderr
    assert "precision 0.500  recall 0.667  F1 0.571  (tp 2, fp 2, fn 1)" in plain.stdout
    assert "different-event pairs kept apart: 2/2 (100.0%)" in plain.stdout
    assert "split" not in plain.stdout
    listed = newsmon("eval", "--clusters", str(gold), "--articles", str(articles), "--errors")
    assert listed.returncode == 0, listed.stderr
    line = next(x for x in listed.stdout.splitlines() if "th-bj-short ~ th-tk-1" in x)
    assert line.split()[0] == "split" and "score " in line and "lead +0." in line and "actors -1.00" in line
    assert sum("false-join" in x for x in listed.stdout.splitlines()) == 2


def test_bad_input_is_exit_2_naming_the_file(files: tuple[Path, Path], tmp_path: Path) -> None:
    gold, articles = files
    missing = tmp_path / "missing-id.jsonl"
    missing.write_text(json.dumps({"cluster": "x", "ids": ["th-bj-orig", "no-such-article"]}) + "\n")
    proc = newsmon("eval", "--clusters", str(missing), "--articles", str(articles))
    assert proc.returncode == 2 and "no-such-article" in proc.stderr and str(missing) in proc.stderr

    malformed = tmp_path / "malformed.jsonl"
    malformed.write_text(json.dumps(GOLD[0]) + "\n" + '{"cluster": "x", "ids": [\n')
    proc = newsmon("eval", "--clusters", str(malformed), "--articles", str(articles))
    assert proc.returncode == 2 and f"{malformed}:2" in proc.stderr and "invalid JSON" in proc.stderr

    wrong_shape = tmp_path / "shape.jsonl"
    wrong_shape.write_text(json.dumps({"not_duplicate": ["th-bj-orig"]}) + "\n")
    proc = newsmon("eval", "--clusters", str(wrong_shape), "--articles", str(articles))
    assert proc.returncode == 2 and f"{wrong_shape}:1" in proc.stderr

    bad_articles = tmp_path / "bad-articles.jsonl"
    bad_articles.write_text(articles.read_text() + "{oops\n")
    proc = newsmon("eval", "--clusters", str(gold), "--articles", str(bad_articles))
    assert proc.returncode == 2 and f"{bad_articles}:{len(ARTICLES) + 1}" in proc.stderr

    alone = newsmon("eval", "--clusters", str(gold))
    assert alone.returncode == 2 and "--clusters and --articles go together" in alone.stderr
    nothing = newsmon("eval")
    assert nothing.returncode == 2 and "--clusters" in nothing.stderr
