"""The demo's multilingual sample feed (demo/feeds/asia-desk-multilingual.xml, written for the demo): served by the
demo server code, every item parses and gets its language from its text (the feed declares none)."""

from __future__ import annotations

import importlib.util
import sys
from datetime import UTC, datetime
from pathlib import Path

from pipeline.ingest.feeds import FeedConfig
from pipeline.ingest.normalise import normalise_all
from pipeline.ingest.parse import parse_feed

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)


def _demo_feeds_module():
    spec = importlib.util.spec_from_file_location("demo_feeds", REPO / "scripts" / "demo_feeds.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_demo_multilingual_feed_items_get_their_languages():
    feeds = _demo_feeds_module().render_feeds(REPO / "demo" / "feeds", NOW)
    body = feeds["/asia-desk-multilingual.xml"]
    url = "http://127.0.0.1:1/asia-desk-multilingual.xml"
    parsed = parse_feed(body, feed_name="asia-desk-multilingual", feed_url=url,
                        content_type="application/rss+xml; charset=utf-8")  # fmt: skip
    assert parsed.problems == [] and parsed.feed_language is None
    articles, problems = normalise_all(parsed.items, fetched_at=NOW, feed=FeedConfig(name="asia", url=url))
    assert problems == []
    assert [a.language for a in articles] == ["ru", "zh", "ja", "th", "my", "fr", "ar", "id", "vi"]
    assert all(a.published_at <= NOW for a in articles)
    assert all("language_unknown" not in a.flags and "language_mismatch" not in a.flags for a in articles)
