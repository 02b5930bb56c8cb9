"""Rendering a message: plain text, HTML (escaped), Slack blocks within Slack's limits (pure, no network)."""

from __future__ import annotations

from pipeline.alerts import render
from pipeline.alerts.message import AlertMessage
from pipeline.core.vocab import FACET_KEYS
from tests.alerts.helpers import MSG, NOW, STORY


def test_text_and_html_carry_headline_outlets_time_evidence_entities_links():
    text = render.render_text(MSG)
    assert STORY.headline in text
    assert "3 outlets: Wire A, Daily B, Herald C" in text
    assert "Published: 2026-11-02 08:05 UTC" in text
    assert "asean (score 7.5)" in text and 'text: "junta" (myanmar.core, +2.0)' in text
    assert "People: Min Aung Hlaing" in text and "Places: Myanmar, Naypyidaw" in text
    assert "Daily B: https://daily-b.example/2" in text
    html = render.render_html(MSG)
    assert "&lt;Myanmar&gt; generals &amp; opposition" in html and "<Myanmar>" not in html
    assert 'href="https://daily-b.example/2"' in html


def test_slack_digest_stays_within_block_limits():
    many = AlertMessage("r", "digest", "d1", NOW, tuple(STORY for _ in range(60)))
    body = render.slack_payload(many)
    assert len(body["blocks"]) <= 50 and "20 more" in body["blocks"][-2]["text"]["text"]
    assert body["blocks"][0]["text"]["text"] == "60 new stories for r"


def test_every_facet_key_has_a_heading():
    assert set(render.FACET_HEADINGS) == set(FACET_KEYS)
