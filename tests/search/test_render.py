"""Text rendering of a search result."""

from __future__ import annotations

from elasticsearch import Elasticsearch

from pipeline.search.render import render_text
from tests.search.conftest import run


def test_render_text(es: Elasticsearch, seeded: str) -> None:
    text = render_text(run(es, seeded, query="Sittwe"))
    assert "Arakan Army tightens grip around Sittwe" in text
    assert "<em>" not in text
    assert "Places:" in text and "Sittwe (1)" in text
    assert "1 stories (1 articles)" in text
