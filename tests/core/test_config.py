"""Config loading: YAML parsed into validated models, errors that name the file and the key path."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from pipeline.core.config import ConfigError, load_config


class Inner(BaseModel):
    url: str
    interval: int = 10


class Outer(BaseModel):
    feeds: list[Inner]


def test_valid_file_loads(tmp_path: Path):
    p = tmp_path / "f.yaml"
    p.write_text("feeds:\n  - url: http://a\n  - url: http://b\n    interval: 5\n")
    cfg = load_config(p, Outer)
    assert [f.interval for f in cfg.feeds] == [10, 5]


def test_error_names_file_and_key_path(tmp_path: Path):
    p = tmp_path / "f.yaml"
    p.write_text("feeds:\n  - url: http://a\n  - interval: soon\n")
    with pytest.raises(ConfigError) as exc:
        load_config(p, Outer)
    msg = str(exc.value)
    assert str(p) in msg
    assert "feeds[1].url" in msg and "feeds[1].interval" in msg


def test_malformed_yaml_names_line(tmp_path: Path):
    p = tmp_path / "f.yaml"
    p.write_text("feeds:\n  - url: [unclosed\n")
    with pytest.raises(ConfigError) as exc:
        load_config(p, Outer)
    assert "line 3" in str(exc.value) or "line 2" in str(exc.value)


def test_missing_file(tmp_path: Path):
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.yaml", Outer)
