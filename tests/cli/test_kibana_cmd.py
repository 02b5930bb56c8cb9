"""`newsmon kibana setup` (pipeline/cli/kibana_cmd.py): output, exit codes, and the URL from settings."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from pipeline.cli.kibana_cmd import run_kibana_setup_cli
from pipeline.core.settings import DEFAULT_PREFIX
from pipeline.kibana import assets as kibana
from tests.kibana.conftest import ASSETS, FakeKibana, objects, running_fake_kibana, uploaded_objects


@pytest.fixture
def fake_kibana() -> Iterator[FakeKibana]:
    with running_fake_kibana() as state:
        yield state


def test_cli_success(fake_kibana: FakeKibana, capsys: pytest.CaptureFixture[str]) -> None:
    assert kibana.default_assets_dir() == ASSETS
    assert run_kibana_setup_cli(fake_kibana.url, prefix=DEFAULT_PREFIX) == 0
    assert f"imported {len(objects())}/{len(objects())}" in capsys.readouterr().out
    assert uploaded_objects(fake_kibana.requests[0]) == objects()


def test_cli_url_defaults_to_the_setting(
    fake_kibana: FakeKibana, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEWSMON_KIBANA_URL", fake_kibana.url)
    assert run_kibana_setup_cli(prefix=DEFAULT_PREFIX, assets_dir=ASSETS) == 0
    assert fake_kibana.url.rstrip("/") in capsys.readouterr().out
    assert len(fake_kibana.requests) == 1


def test_cli_reports_import_errors(fake_kibana: FakeKibana, capsys: pytest.CaptureFixture[str]) -> None:
    fake_kibana.answer = {
        "success": False,
        "successCount": 5,
        "errors": [{"type": "dashboard", "id": "newsmon-articles-overview", "error": {"type": "unknown"}}],
    }
    assert run_kibana_setup_cli(fake_kibana.url, prefix=DEFAULT_PREFIX, assets_dir=ASSETS) == 1
    assert "newsmon-articles-overview" in capsys.readouterr().err


def test_cli_unreachable_names_url(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    assert run_kibana_setup_cli(url, prefix=DEFAULT_PREFIX, assets_dir=ASSETS) == 1
    err = capsys.readouterr().err
    assert url in err and "unreachable" in err


def test_cli_logs_in_as_the_newsmon_user_when_security_is_on(
    fake_kibana: FakeKibana, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docker-compose runs Elasticsearch secured by default: the import must carry NEWSMON_ES_USER_NAME's login."""
    import base64

    monkeypatch.setenv("NEWSMON_ES_USER_NAME", "newsmon")
    monkeypatch.setenv("NEWSMON_ES_PASSWORD", "p" * 32)
    assert run_kibana_setup_cli(fake_kibana.url, prefix=DEFAULT_PREFIX, assets_dir=ASSETS) == 0
    headers = {k.lower(): v for k, v in fake_kibana.requests[0]["headers"].items()}
    assert headers["authorization"] == "Basic " + base64.b64encode(b"newsmon:" + b"p" * 32).decode()
    # without a password nothing is sent (security off)
    monkeypatch.setenv("NEWSMON_ES_PASSWORD", "")
    assert run_kibana_setup_cli(fake_kibana.url, prefix=DEFAULT_PREFIX, assets_dir=ASSETS) == 0
    assert "authorization" not in {k.lower() for k in fake_kibana.requests[1]["headers"]}
