"""Config files are data: YAML parsed into pydantic models, validated at load.

A bad file raises `ConfigError` naming the file and the key path at fault (e.g.
`config/feeds.yaml: feeds[3].url: Input should be a valid URL`); the CLI turns it into exit code 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

M = TypeVar("M", bound=BaseModel)


class StrictModel(BaseModel):
    """Base of every config-file model: unknown keys are errors (a typo must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid")


REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CONFIG_DIR = REPO_ROOT / "config"


class ConfigError(Exception):
    """An invalid or unreadable config file; the message names the file and the key path."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.path = str(path)
        self.problems = problems
        super().__init__("\n".join(f"{self.path}: {p}" for p in problems))


def _key_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def parse_model(data: Any, model: type[M], source: Path | str) -> M:
    """Validate already-parsed data against `model`, raising `ConfigError` that names `source` and keys."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = [f"{_key_path(tuple(e['loc']))}: {e['msg']}" for e in exc.errors()]
        raise ConfigError(source, problems) from None


def load_yaml(path: Path | str) -> Any:
    """Read one YAML file, raising `ConfigError` (with line and column) if it is missing or malformed."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(p, ["file not found"]) from None
    except OSError as exc:
        raise ConfigError(p, [f"cannot read: {exc.strerror}"]) from None
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise ConfigError(p, [f"{where}invalid YAML: {exc.problem}"]) from None
    except yaml.YAMLError as exc:
        raise ConfigError(p, [f"invalid YAML: {exc}"]) from None


def load_config(path: Path | str, model: type[M]) -> M:
    """Load and validate one config file into `model`."""
    return parse_model(load_yaml(path), model, path)


def config_path(name: str, override: Path | str | None = None) -> Path:
    """Path of a config file: an explicit override, else `$NEWSMON_CONFIG_DIR/name`, else `config/name`."""
    from pipeline.core import settings

    if override:
        return Path(override)
    base = settings.get("NEWSMON_CONFIG_DIR")
    return (Path(base) if base else DEFAULT_CONFIG_DIR) / name
