"""Topic rules: the shipped config, and config errors that name the file and the key at fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.core.config import ConfigError, StrictModel
from pipeline.detect.detector import Detector
from pipeline.detect.rules import RuleModel, TopicSpec, load_topic_rules
from tests.detect.conftest import MINI, write_rules


def test_default_config_has_the_three_topics_in_order(det: Detector) -> None:
    assert det.topics == ("myanmar", "asean", "russian_diplomacy")
    rules = load_topic_rules()
    assert rules.topic("asean").spec.threshold > 0


def test_bad_regex_names_file_and_key(tmp_path: Path) -> None:
    p = write_rules(tmp_path, MINI.replace("terms: [widget]", "regex: ['(?:unclosed']"))
    with pytest.raises(ConfigError) as exc:
        load_topic_rules(p)
    msg = str(exc.value)
    assert str(p) in msg and "topics.t.groups.core.regex[0]" in msg and "invalid regex" in msg


@pytest.mark.parametrize(
    ("pattern", "fragment"), [("(a|b)", "capturing group"), ("x?", "empty string"), ("", "empty regex")]
)
def test_regex_rules_that_would_break_matching_are_rejected(tmp_path: Path, pattern: str, fragment: str) -> None:
    p = write_rules(tmp_path, MINI.replace("terms: [widget]", f"regex: ['{pattern}']"))
    with pytest.raises(ConfigError, match=fragment):
        load_topic_rules(p)


def test_unknown_key_names_file_and_key(tmp_path: Path) -> None:
    p = write_rules(tmp_path, MINI.replace("weight: 2,", "weight: 2, wieght: 3,"))
    with pytest.raises(ConfigError) as exc:
        load_topic_rules(p)
    assert f"{p}: topics.t.groups.core.wieght: Extra inputs are not permitted" in str(exc.value)


def test_missing_threshold_names_file_and_key(tmp_path: Path) -> None:
    p = write_rules(tmp_path, MINI.replace("    threshold: 5\n", ""))
    with pytest.raises(ConfigError) as exc:
        load_topic_rules(p)
    assert f"{p}: topics.t.threshold: Field required" in str(exc.value)


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        ("    near:\n      n: {a: [core], b: [nope], window: 3, weight: 1}\n", "near.n.b: unknown group 'nope'"),
        ("    require_any: [ghost]\n", "require_any: unknown group or near rule 'ghost'"),
        ("    false_friends:\n      core: {terms: [x]}\n", "rule id 'core' is used in both groups and false_friends"),
    ],
)
def test_bad_references_are_reported(tmp_path: Path, extra: str, fragment: str) -> None:
    p = write_rules(tmp_path, MINI + extra)
    with pytest.raises(ConfigError) as exc:
        load_topic_rules(p)
    assert fragment in str(exc.value) and str(p) in str(exc.value)


def test_bad_wildcard_and_yaml_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"topics\.t\.groups\.core\.terms\[0\].*'\*' may only end a word"):
        load_topic_rules(write_rules(tmp_path, MINI.replace("[widget]", "['wid*get']")))
    with pytest.raises(ConfigError, match=r"line .*invalid YAML"):
        load_topic_rules(write_rules(tmp_path, "version: 1\ntopics: [unclosed\n"))
    with pytest.raises(ConfigError, match="file not found"):
        load_topic_rules(tmp_path / "missing.yaml")


def test_duplicate_terms_are_reported(tmp_path: Path) -> None:
    p = write_rules(tmp_path, MINI.replace("terms: [widget]", "terms: [Nay Pyi Taw, nay-pyi-taw]"))
    with pytest.raises(ConfigError, match=r"topics\.t\.groups\.core: Value error, duplicate term 'nay-pyi-taw'"):
        load_topic_rules(p)


def test_default_path_follows_newsmon_config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_rules(tmp_path, MINI)
    monkeypatch.setenv("NEWSMON_CONFIG_DIR", str(tmp_path))
    assert load_topic_rules().names == ("t",)


def test_rule_models_share_the_strict_base_and_are_read_only() -> None:
    """Every topics.yaml model derives from core's StrictModel (unknown keys rejected) and is frozen."""
    assert issubclass(RuleModel, StrictModel) and issubclass(TopicSpec, RuleModel)
    assert TopicSpec.model_config["extra"] == "forbid" and TopicSpec.model_config["frozen"] is True
