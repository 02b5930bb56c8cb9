"""The local node manager: Java discovery, port conflicts, and a test session that FAILS when ES is missing."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pipeline.devtools import esnode


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_find_java_reports_what_it_tried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("ES_JAVA_HOME", raising=False)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    old = tmp_path / "jdk-17"
    old.mkdir()
    (old / "release").write_text('JAVA_VERSION="17.0.2"\n')
    with pytest.raises(esnode.NodeError, match=r"no Java 21\+ JDK found.*jdk-17 \(Java 17\)"):
        esnode.find_java(None, jvm_dirs=(tmp_path,))


def test_find_java_prefers_newest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("ES_JAVA_HOME", raising=False)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    for name, ver in (("a", "21.0.1"), ("b", "25"), ("c", "17")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "release").write_text(f'JAVA_VERSION="{ver}"\n')
    assert esnode.find_java(None, jvm_dirs=(tmp_path,)) == tmp_path / "b"


def test_explicit_bad_java_home_is_an_error(tmp_path: Path):
    with pytest.raises(esnode.NodeError, match=r"NEWSMON_ES_JAVA_HOME=.* is not a Java 21"):
        esnode.find_java(str(tmp_path))


def test_start_refuses_a_port_held_by_something_else(tmp_path: Path):
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        cfg = esnode.NodeConfig("9.5.4", tmp_path, "127.0.0.1", port, "nobody")
        with pytest.raises(esnode.NodeError, match=f"port {port} .* in use"):
            esnode.start(cfg)


def _run_inner_session(tmp_path: Path, env_extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    test_file = tmp_path / "test_needs_es.py"
    test_file.write_text(textwrap.dedent("""
        def test_needs_es(es):
            assert es is not None
    """))
    conftest = Path(__file__).resolve().parents[1] / "conftest.py"
    (tmp_path / "conftest.py").write_text(conftest.read_text())
    root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": root, **env_extra}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test_file)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )


def test_session_fails_not_skips_when_port_is_blocked(tmp_path: Path):
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        proc = _run_inner_session(tmp_path, {"NEWSMON_ES_URL": f"http://127.0.0.1:{port}"})
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "skipped" not in out
    assert f"port {port}" in out and "in use" in out


def test_session_fails_not_skips_when_java_is_missing(tmp_path: Path):
    proc = _run_inner_session(tmp_path, {"NEWSMON_ES_URL": f"http://127.0.0.1:{_free_port()}",
                                         "NEWSMON_ES_JAVA_HOME": str(tmp_path / "no-jdk")})
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "skipped" not in out
    assert "is not a Java 21+ JDK" in out
