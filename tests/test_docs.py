"""Docs stay in step with the code: every env var, command and config file is documented in the README."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from pipeline.cli.app import app
from pipeline.core.settings import ENV_VARS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_settings_env_var_is_in_the_readme():
    missing = [name for name in ENV_VARS if name not in README]
    assert not missing, f"README lacks env vars: {missing}"


def test_every_env_var_read_by_the_code_is_in_the_readme():
    used: set[str] = set()
    for path in [*ROOT.glob("pipeline/**/*.py"), *ROOT.glob("dags/*.py")]:
        used |= set(re.findall(r"\"(NEWSMON_[A-Z_]+)\"", path.read_text(encoding="utf-8")))
    missing = sorted(v for v in used if v not in README)
    assert not missing, f"README lacks env vars read by the code: {missing}"


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
