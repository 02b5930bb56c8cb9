"""`newsmon search` (pipeline/cli/search_cmd.py): JSON and text output, paging token, exit codes and messages."""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from pipeline.cli.search_cmd import run_search_cli
from pipeline.index import store
from tests.search.conftest import NOW, seed_articles


@pytest.fixture
def seeded_env(es: Elasticsearch, index_names: store.IndexNames) -> str:
    """A seeded index under this test's NEWSMON_INDEX_PREFIX (the CLI reads the environment)."""
    return seed_articles(es, index_names)


def _cli(**kw: Any) -> int:
    args: dict[str, Any] = dict(
        topic=[],
        entity=[],
        source=[],
        lang=[],
        since=None,
        date_from=None,
        date_to=None,
        sort="relevance",
        size=20,
        as_json=True,
        now=NOW,
    )
    args.update(kw)
    query = args.pop("query", "")
    return run_search_cli(query, **args)


def test_cli_json(es: Elasticsearch, seeded_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    # the index_names fixture points NEWSMON_INDEX_PREFIX at this test's indices
    assert _cli(query="lavrov", topic=["asean"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [h["story_id"] for h in out["hits"]] == ["s-lavrov-npt"]


def test_cli_text_and_paging_token(es: Elasticsearch, seeded_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli(size=11, as_json=False) == 0
    out = capsys.readouterr().out
    assert "12 stories" in out and "More: --after" in out
    token = out.split("--after '")[1].split("'")[0]
    assert _cli(size=11, after=token) == 0
    assert len(json.loads(capsys.readouterr().out)["hits"]) == 1


def test_cli_bad_usage_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli(since="yesterday") == 2
    assert "since" in capsys.readouterr().err
    assert _cli(date_from="06/01/2025") == 2
    assert "invalid date" in capsys.readouterr().err
    assert _cli(date_from="2025-06-10", date_to="2025-06-01") == 2


def test_cli_es_down_names_url(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("NEWSMON_ES_URL", url)
    assert _cli(query="lavrov") == 1
    err = capsys.readouterr().err
    assert url in err and "unreachable" in err and "Traceback" not in err


def test_cli_missing_index_is_clear(
    monkeypatch: pytest.MonkeyPatch, es: Elasticsearch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEWSMON_INDEX_PREFIX", "test-search-no-such-prefix")
    assert _cli(query="x") == 1
    err = capsys.readouterr().err
    assert "test-search-no-such-prefix-articles" in err and "newsmon es setup" in err
