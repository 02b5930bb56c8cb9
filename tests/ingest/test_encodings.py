"""Feeds in the legacy encodings of the desk's languages and in UTF-16/UTF-32, served by the real local feed server:
fetched, parsed and normalised with the right text and language (the texts are written for these tests)."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from pipeline.ingest.feeds import FeedConfig
from pipeline.ingest.fetch import FetchDefaults, fetch_feed, make_client
from pipeline.ingest.normalise import normalise_all
from pipeline.ingest.parse import parse_feed
from tests.support.feedserver import FeedServer, running_feed_server

NOW = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)

TEXTS = {
    "ru": ("Лавров прибыл в Джакарту",
           "Министр иностранных дел России прибыл в Джакарту на встречу с коллегами из стран АСЕАН."),
    "zh": ("缅甸外长会见东盟特使", "缅甸外交部长今天在内比都会见了东盟特使，双方讨论了人道主义援助问题。"),
    "zh-tw": ("緬甸外長會見東盟特使", "緬甸外交部長今天在內比都會見了東盟特使，雙方討論了人道主義援助問題。"),
    "ja": ("ミャンマー外相が特使と会談",
           "ミャンマーの外相は今日、ネピドーで東南アジア諸国連合の特使と会談し、人道支援について協議した。"),
    "th": ("รัฐมนตรีต่างประเทศถึงจาการ์ตา", "รัฐมนตรีว่าการกระทรวงการต่างประเทศของไทยเดินทางถึงกรุงจาการ์ตาเพื่อร่วมประชุมอาเซียน"),
}  # fmt: skip

# (encoding name as declared, text key, expected language)
LEGACY = [
    ("windows-1251", "ru", "ru"),
    ("KOI8-R", "ru", "ru"),
    ("GB18030", "zh", "zh"),
    ("GB2312", "zh", "zh"),
    ("Big5", "zh-tw", "zh"),
    ("Shift_JIS", "ja", "ja"),
    ("EUC-JP", "ja", "ja"),
    ("TIS-620", "th", "th"),
]


def rss(encoding: str, key: str, *, declare: bool = True) -> str:
    title, text = TEXTS[key]
    decl = f'<?xml version="1.0" encoding="{encoding}"?>\n' if declare else ""
    return (
        f'{decl}<rss version="2.0"><channel><title>{title}</title><link>https://desk.example.org/</link>'
        f"<item><title>{title}</title><link>https://desk.example.org/a/1</link>"
        f"<description>{text}</description><pubDate>Tue, 03 Mar 2026 09:00:00 GMT</pubDate></item>"
        f"<item><title>{title} (2)</title><link>https://desk.example.org/a/2</link>"
        f"<description>{text}</description></item></channel></rss>"
    )


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    with running_feed_server() as server:
        yield server


def fetch_parse_normalise(server: FeedServer, path: str, body: bytes, content_type: str | None):
    url = server.add(path, body=body, content_type=content_type)
    defaults = FetchDefaults(timeout_seconds=2, retries=0)
    feed = FeedConfig(name="desk", url=url)
    with make_client(defaults) as client:
        fetched = fetch_feed(client, feed, None, NOW, defaults=defaults)
    assert fetched.error is None and fetched.body is not None
    parsed = parse_feed(fetched.body, feed_name="desk", feed_url=url, content_type=fetched.content_type)
    articles, problems = normalise_all(parsed.items, fetched_at=NOW, feed=feed)
    assert problems == []
    return parsed, articles


@pytest.mark.parametrize(("encoding", "key", "lang"), LEGACY)
@pytest.mark.parametrize("charset_in", ["xml", "http", "both"])
def test_legacy_encodings_decode_and_identify(feed_server, encoding, key, lang, charset_in):
    body = rss(encoding, key, declare=charset_in in ("xml", "both")).encode(encoding)
    content_type = "application/rss+xml" + (f"; charset={encoding}" if charset_in in ("http", "both") else "")
    parsed, articles = fetch_parse_normalise(feed_server, f"/{encoding}-{charset_in}.xml", body, content_type)
    assert [p for p in parsed.problems if p.kind in ("encoding", "not-a-feed")] == []
    # GB2312 is decoded as its superset GB18030 (as browsers do), without a mismatch problem
    expected = "gb18030" if encoding == "GB2312" else encoding
    assert codecs.lookup(parsed.encoding or "").name == codecs.lookup(expected).name
    title, text = TEXTS[key]
    assert len(articles) == 2
    assert articles[0].title == title and articles[0].text == text
    assert articles[1].title == f"{title} (2)"
    assert {a.language for a in articles} == {lang}


WIDE = ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"]


@pytest.mark.parametrize("codec", WIDE)
@pytest.mark.parametrize("bom", [True, False])
@pytest.mark.parametrize("declare", [True, False])
def test_utf16_and_utf32_with_and_without_bom(feed_server, codec, bom, declare):
    """UTF-32 without a BOM used to be refused as "binary data"; every variant now parses."""
    declared = codec.replace("-le", "").replace("-be", "").upper() if declare else ""
    text = rss(declared, "ru", declare=declare)
    body = text.encode(codec)
    if bom:
        body = codecs.lookup(codec).encode("\ufeff")[0] + body
    parsed, articles = fetch_parse_normalise(feed_server, f"/{codec}-{bom}-{declare}.xml", body, "application/xml")
    assert not [p for p in parsed.problems if p.kind == "not-a-feed"]
    assert parsed.version == "rss20"
    assert [a.title for a in articles] == [TEXTS["ru"][0], TEXTS["ru"][0] + " (2)"]
    assert articles[0].language == "ru"


@pytest.mark.parametrize("codec", ["utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be"])
def test_wide_feed_starting_at_its_root_element(codec):
    """No XML declaration and no BOM: the document starts with `<rss` (or whitespace), not `<?`."""
    body = ("  \n" + rss("", "zh", declare=False)).encode(codec)
    parsed = parse_feed(body, feed_name="t", feed_url="https://desk.example.org/feed")
    assert [i.title for i in parsed.items] == [TEXTS["zh"][0], TEXTS["zh"][0] + " (2)"]


def test_binary_data_is_still_refused():
    body = bytes(range(256)) * 4
    parsed = parse_feed(body, feed_name="t", feed_url="https://desk.example.org/feed")
    assert parsed.items == [] and [str(p) for p in parsed.problems] == ["not a feed: binary data"]
