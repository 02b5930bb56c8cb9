"""Docs stay in step with the code: every env var, command and config file is documented in the README."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from pipeline.cli.app import app
from pipeline.core.settings import KNOB_BY_ENV, markdown_table

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_settings_table_is_the_settings_module():
    """The table between the markers is exactly `pipeline.core.settings.markdown_table()` (regenerate it with
    `.venv/bin/python -m pipeline.core.settings`)."""
    m = re.search(r"<!-- settings-table:start -->\n(.*?)<!-- settings-table:end -->", README, re.S)
    assert m, "README lacks the settings-table markers"
    assert m.group(1).strip() == markdown_table().strip()


def test_every_env_var_named_in_the_code_is_a_knob():
    """Any `NEWSMON_*` name in code (plain strings, f-strings, docstrings) is declared in the settings module."""
    named: set[str] = set()
    for path in [*ROOT.glob("pipeline/**/*.py"), *ROOT.glob("dags/*.py"), *ROOT.glob("scripts/*.py")]:
        named |= set(re.findall(r"\b(NEWSMON_[A-Z0-9_]*[A-Z0-9])\b", path.read_text(encoding="utf-8")))
    unknown = sorted(v for v in named if v not in KNOB_BY_ENV)
    assert not unknown, f"declare these in pipeline/core/settings.py KNOBS (and regenerate the README table): {unknown}"


def _commands(group: typer.Typer, prefix: str = "") -> list[str]:
    click_group = typer.main.get_command(group)
    out = []

    def walk(cmd, path):  # type: ignore[no-untyped-def]
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, f"{path} {name}".strip())
        else:
            out.append(path)

    walk(click_group, prefix)
    return out


def test_every_cli_command_is_in_the_readme():
    missing = []
    for cmd in _commands(app):
        words = cmd.split()
        # `newsmon es start|stop` style rows count as documenting each subcommand
        if f"newsmon {cmd}" in README:
            continue
        if len(words) == 2 and re.search(rf"newsmon {words[0]} [^`]*\b{words[1]}\b", README):
            continue
        missing.append(cmd)
    assert not missing, f"README lacks commands: {missing}"


def test_readme_has_the_two_commands():
    assert "make run" in README and "make test" in README
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci
