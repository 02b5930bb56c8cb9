"""normalise: canonical URLs (with properties), ids, clean text, language, dates, dedupe."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.core.records import FeedItem
from pipeline.ingest.feeds import FeedConfig
from pipeline.ingest.normalise import (
    NormaliseError,
    article_id,
    canonical_url,
    clean_text,
    dedupe,
    detect_language,
    is_tracking_param,
    normalise,
    normalise_all,
)
from pipeline.ingest.parse import parse_feed

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "feeds"
FETCHED = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)
FEED = FeedConfig(name="Example Desk", url="https://news.example.com/feed.xml", language="en")


# --- canonical_url ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTPS://WWW.Example.COM:443/Path/To?b=2&a=1#frag", "https://www.example.com/Path/To?a=1&b=2"),
        ("http://example.com:80", "http://example.com/"),
        ("http://example.com:8080/x", "http://example.com:8080/x"),
        ("https://example.com/a?utm_source=rss&utm_Medium=x&id=5", "https://example.com/a?id=5"),
        ("https://example.com/a?UTM_CAMPAIGN=x&FBCLID=1&gclid=2&mc_cid=3&mc_eid=4&ocid=5&cmpid=6&_ga=7&ref=8",
         "https://example.com/a"),
        ("https://example.com/a?", "https://example.com/a"),
        ("https://example.com/a?&&id=1&", "https://example.com/a?id=1"),
        ("https://user:pw@Example.com/a", "https://example.com/a"),
        ("  https://example.com/a b  ", "https://example.com/a b"),
        ("https://example.com/news?at_medium=RSS&at_campaign=rss&story=1", "https://example.com/news?story=1"),
        ("https://[2001:DB8::1]:443/x", "https://[2001:db8::1]/x"),
        ("https://example.com/a?q=%E9t%C3%A9&b=a+b", "https://example.com/a?b=a+b&q=%E9t%C3%A9"),
    ],
)  # fmt: skip
def test_canonical_url_examples(raw, expected):
    assert canonical_url(raw) == expected


def test_canonical_url_resolves_relative_against_base():
    assert canonical_url("../b/c?utm_source=x#top", base="https://Example.com/a/feed/") == "https://example.com/a/b/c"
    assert canonical_url("//cdn.example.org/x", base="https://example.com/") == "https://cdn.example.org/x"


@pytest.mark.parametrize("bad", ["", "mailto:x@example.com", "javascript:alert(1)", "ftp://example.com/a", "/only/path",
                                 "https:///nohost", "http://example.com:99999/"])  # fmt: skip
def test_canonical_url_rejects_non_http(bad):
    with pytest.raises(ValueError):
        canonical_url(bad)


_host = st.from_regex(r"[a-zA-Z0-9]([a-zA-Z0-9-]{0,10}[a-zA-Z0-9])?(\.[a-zA-Z]{2,6}){1,2}", fullmatch=True)
_path = st.lists(st.from_regex(r"[A-Za-z0-9._~%-]{0,8}", fullmatch=True), max_size=4).map(lambda s: "/" + "/".join(s))
_name = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.]{0,8}", fullmatch=True)
_value = st.from_regex(r"[A-Za-z0-9%+._-]{0,8}", fullmatch=True)
_tracking = st.sampled_from(["utm_source", "UTM_Medium", "utm_campaign", "fbclid", "GCLID", "mc_cid", "mc_eid",
                             "ocid", "cmpid", "_ga", "ref", "utm_anything"])  # fmt: skip


@st.composite
def urls(draw):
    scheme = draw(st.sampled_from(["http", "https", "HTTP", "Https"]))
    host = draw(_host)
    port = draw(st.sampled_from(["", ":80", ":443", ":8080"]))
    path = draw(_path)
    params = draw(st.lists(st.tuples(_name, _value), max_size=4))
    tracking = draw(st.lists(st.tuples(_tracking, _value), max_size=3))
    pairs = params + tracking
    pairs = draw(st.permutations(pairs))
    query = "&".join(f"{k}={v}" for k, v in pairs)
    fragment = draw(st.sampled_from(["", "#top", "#a=b"]))
    url = f"{scheme}://{host}{port}{path}" + (f"?{query}" if query or draw(st.booleans()) else "") + fragment
    return url, host, path, tracking, params


@settings(max_examples=300)
@given(urls())
def test_canonical_url_is_idempotent(case):
    url = case[0]
    once = canonical_url(url)
    assert canonical_url(once) == once


@settings(max_examples=300)
@given(urls())
def test_canonical_url_removes_tracking_params_only(case):
    url, params = case[0], case[4]
    out = urlsplit(canonical_url(url))
    names = [p.split("=", 1)[0] for p in out.query.split("&") if p]
    assert not any(is_tracking_param(n) for n in names)
    kept = sorted(f"{k}={v}" for k, v in params if not is_tracking_param(k))
    assert sorted(p for p in out.query.split("&") if p) == kept
    assert not out.query.endswith("&") and out.fragment == ""


@settings(max_examples=300)
@given(urls())
def test_canonical_url_never_changes_host_or_path(case):
    url, host, path = case[:3]
    out = urlsplit(canonical_url(url))
    assert out.hostname == host.lower()
    assert out.path == path
    assert out.scheme in ("http", "https")


def test_article_id_is_stable_sha256_prefix():
    url = "https://example.com/a?id=1"
    assert article_id(url) == article_id(url)
    assert re.fullmatch(r"[0-9a-f]{32}", article_id(url))
    assert article_id(url) == hashlib.sha256(url.encode()).hexdigest()[:32]
    assert article_id(url) != article_id(url + "&x=2")


# --- clean_text --------------------------------------------------------------------------------------
def test_clean_text_strips_markup_and_keeps_block_structure():
    html = (
        "<div><h2>Heading</h2><p>First &amp; foremost,&nbsp;the   junta&#8217;s  <b>statement</b>.</p>"
        "<script>var x = 'secret';</script><style>p {color: red}</style>"
        "<ul><li>one</li><li>two</li></ul>line<br>break<br/>again</div>"
    )
    assert clean_text(html) == "Heading\nFirst & foremost, the junta\u2019s statement.\none\ntwo\nline\nbreak\nagain"


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("", ""),
        ("plain   text\n\n\n with spaces ", "plain text\nwith spaces"),
        ("a < b and c > d", "a < b and c > d"),
        ("Tom &amp; Jerry &lt;3", "Tom & Jerry <3"),
        ("<p>zero\u200bwidth\u00adsoft</p>", "zerowidthsoft"),
        ("<noscript>enable js</noscript><iframe src=x>frame</iframe>kept", "kept"),
        ("<table><tr><td>a</td><td>b</td></tr></table>", "a\nb"),
    ],
)
def test_clean_text_cases(html, expected):
    assert clean_text(html) == expected


# --- detect_language ---------------------------------------------------------------------------------
def test_detect_language():
    assert detect_language("The foreign ministers met on Tuesday to discuss the crisis and humanitarian aid.") == "en"
    assert detect_language("Министр иностранных дел провёл переговоры с коллегой из Лаоса во вторник.") == "ru"
    assert detect_language("Ok") is None
    assert detect_language("   ") is None
    assert detect_language("2026-03-01 12:00 +++ 42") is None


# --- normalise ---------------------------------------------------------------------------------------
def _items(name: str = "rss20.xml", feed_url: str = FEED.url) -> list[FeedItem]:
    return parse_feed((FIXTURES / name).read_bytes(), feed_name=FEED.name, feed_url=feed_url).items


def test_normalise_rss20_items():
    first, no_date, future, guid_only, dup = (normalise(i, fetched_at=FETCHED, feed=FEED) for i in _items())
    assert first.url == "https://news.example.com/2026/03/junta-extends-emergency?id=7"
    assert first.id == article_id(first.url)
    assert first.original_url.endswith("?utm_medium=rss&id=7#comments")
    assert first.title == "Junta extends state of emergency & curfew"
    # content is longer than the summary, so it is the text; scripts never reach the text
    assert first.text.startswith("The military council said the measure would last six more months.\nOpposition")
    assert "alert" not in first.text
    assert first.published_at == datetime(2026, 3, 2, 4, 0, tzinfo=UTC)
    assert first.fetched_at == FETCHED
    assert first.source_name == "Example Desk"
    assert first.source_domain == "news.example.com"
    assert first.feed_name == "Example Desk"
    assert first.language == "en"
    assert first.flags == ()

    assert no_date.published_at == FETCHED and "date_missing" in no_date.flags
    assert no_date.text == "This item has no publication date."
    assert future.published_at == FETCHED and "date_future_clamped" in future.flags
    assert guid_only.url == "https://news.example.com/2026/03/guid-permalink"
    assert "link_from_guid" in guid_only.flags
    # the publisher listed the same story twice with different tracking parameters: same id
    assert dup.id == first.id


def test_normalise_prefers_summary_when_longer_and_uses_updated_date():
    item = FeedItem(
        feed_name="f", feed_url="https://x.example/feed", title="<b>Title</b>", link="https://x.example/a",
        summary_html="<p>A summary that is longer than the content.</p>", content_html="<p>Short.</p>",
        updated=datetime(2026, 3, 1, 10, 0, tzinfo=timezone(timedelta(hours=7))),
    )  # fmt: skip
    article = normalise(item, fetched_at=FETCHED, feed=FEED)
    assert article.title == "Title"
    assert article.text == "A summary that is longer than the content."
    assert article.published_at == datetime(2026, 3, 1, 3, 0, tzinfo=UTC)
    assert "date_from_updated" in article.flags


def test_future_tolerance_is_one_day():
    base = FeedItem(feed_name="f", feed_url="https://x.example/feed", title="t", link="https://x.example/a")
    almost = normalise(
        FeedItem(**{**_fields(base), "published": FETCHED + timedelta(hours=23)}), fetched_at=FETCHED, feed=FEED
    )
    assert almost.published_at == FETCHED + timedelta(hours=23) and almost.flags == ()
    beyond = normalise(
        FeedItem(**{**_fields(base), "published": FETCHED + timedelta(days=1, seconds=1)}),
        fetched_at=FETCHED,
        feed=FEED,
    )
    assert beyond.published_at == FETCHED and beyond.flags == ("date_future_clamped",)


def _fields(item: FeedItem) -> dict:
    return {name: getattr(item, name) for name in item.__slots__}


def test_naive_dates_are_taken_as_utc():
    item = FeedItem(feed_name="f", feed_url="https://x.example/feed", title="t", link="https://x.example/a",
                    published=datetime(2026, 3, 1, 10, 0))  # fmt: skip
    article = normalise(item, fetched_at=datetime(2026, 3, 3, 12, 0), feed=FEED)
    assert article.published_at == datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    assert article.fetched_at.tzinfo is not None


def test_language_falls_back_to_feed_config_then_item():
    item = FeedItem(feed_name="f", feed_url="https://x.example/feed", title="Hi", link="https://x.example/a",
                    language="my")  # fmt: skip
    assert normalise(item, fetched_at=FETCHED, feed=FEED).language == "en"
    no_lang_feed = FeedConfig(name="n", url="https://x.example/feed")
    assert normalise(item, fetched_at=FETCHED, feed=no_lang_feed).language == "my"


def test_items_without_usable_link_are_rejected_with_a_reason():
    no_link = FeedItem(feed_name="f", feed_url="https://x.example/feed", title="Orphan", link=None, guid="id-1")
    with pytest.raises(NormaliseError, match="no link"):
        normalise(no_link, fetched_at=FETCHED, feed=FEED)
    articles, problems = normalise_all(
        [no_link, FeedItem(feed_name="f", feed_url="https://x.example/feed", title="ok", link="https://x.example/a")],
        fetched_at=FETCHED,
        feed=FEED,
    )
    assert [a.url for a in articles] == ["https://x.example/a"]
    assert problems == ["item 'Orphan' has no link and no permalink guid"]


def test_source_domain_strips_www_only():
    item = FeedItem(
        feed_name="f", feed_url="https://x.example/feed", title="t", link="https://WWW.Irrawaddy.com/news/a"
    )
    assert normalise(item, fetched_at=FETCHED, feed=FEED).source_domain == "irrawaddy.com"
    item = FeedItem(feed_name="f", feed_url="https://x.example/feed", title="t", link="https://eng.mizzima.com/a")
    assert normalise(item, fetched_at=FETCHED, feed=FEED).source_domain == "eng.mizzima.com"


# --- dedupe ------------------------------------------------------------------------------------------
def test_dedupe_within_and_across_feeds_keeps_first():
    feed_a = FeedConfig(name="Wire A", url="https://a.example/feed")
    feed_b = FeedConfig(name="Wire B", url="https://b.example/rss")
    a_items = [
        FeedItem(feed_name="Wire A", feed_url=feed_a.url, title="Story", link="https://story.example/x?utm_source=a"),
        FeedItem(feed_name="Wire A", feed_url=feed_a.url, title="Story again", link="https://story.example/x#more"),
        FeedItem(feed_name="Wire A", feed_url=feed_a.url, title="Other", link="https://story.example/y"),
    ]
    b_items = [
        FeedItem(
            feed_name="Wire B", feed_url=feed_b.url, title="Story (B)", link="HTTPS://STORY.example:443/x?fbclid=z"
        ),
    ]
    articles = [normalise(i, fetched_at=FETCHED, feed=feed_a) for i in a_items]
    articles += [normalise(i, fetched_at=FETCHED, feed=feed_b) for i in b_items]
    unique = dedupe(articles)
    assert [(a.title, a.source_name) for a in unique] == [("Story", "Wire A"), ("Other", "Wire A")]
    assert dedupe([]) == []
