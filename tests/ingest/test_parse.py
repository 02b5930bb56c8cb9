"""parse_feed: every feed format, encodings, HTML instead of XML, entity attacks, the hostile corpus, scale."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.ingest.normalise import clean_text
from pipeline.ingest.parse import parse_feed

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "feeds"
HOSTILE = FIXTURES / "hostile"
FEED_URL = "https://news.example.com/feeds/main.xml"


def parse_fixture(name: str, content_type: str | None = None, feed_url: str = FEED_URL):
    return parse_feed((FIXTURES / name).read_bytes(), feed_name="test", feed_url=feed_url, content_type=content_type)


@pytest.mark.parametrize(
    ("name", "version", "count", "first_title", "first_link"),
    [
        ("rss091.xml", "rss091n", 2, "ASEAN ministers meet in Kuala Lumpur",
         "https://wire.example.org/asean/ministers-meet?utm_source=rss"),
        ("rss092.xml", "rss092", 2, "Envoy visits Naypyitaw", "https://wire.example.org/envoy-visit"),
        ("rss10.rdf", "rss10", 2, "Lavrov holds talks with his Lao counterpart", "https://broadcaster.example.net/a/1"),
        ("rss20.xml", "rss20", 5, "Junta extends state of emergency &amp; curfew",
         "https://news.example.com/2026/03/junta-extends-emergency?utm_medium=rss&id=7#comments"),
        ("atom03.xml", "atom03", 1, "Russia and Myanmar sign nuclear energy memorandum",
         "https://old.example.org/entries/42"),
        ("atom10.xml", "atom10", 2, "Why the <em>five-point consensus</em> stalled",
         "https://policy.example.com/asia/analysis/five-point-consensus"),
    ],
)  # fmt: skip
def test_every_format_parses(name, version, count, first_title, first_link):
    result = parse_fixture(name)
    assert result.problems == []
    assert result.version == version
    assert len(result.items) == count
    assert result.items[0].title == first_title
    assert result.items[0].link == first_link
    assert all(item.feed_name == "test" and item.feed_url == FEED_URL for item in result.items)


def test_rss20_details():
    result = parse_fixture("rss20.xml")
    assert result.feed_title == "Example Myanmar Desk"
    assert result.feed_language == "en"
    first, no_date, future, guid_only, _dup = result.items
    # dates become timezone-aware UTC (+0630 is Myanmar time)
    assert first.published == datetime(2026, 3, 2, 4, 0, tzinfo=UTC)
    assert first.published.tzinfo is UTC
    assert first.author == "Staff Reporter"
    assert first.guid == "news-example-1001" and not first.guid_is_permalink
    # content stays raw HTML (never rendered); the text we store has scripts and markup removed
    stored = clean_text(first.content_html)
    assert "<script" not in stored and "alert(1)" not in stored
    assert "<" not in stored and stored
    assert first.summary_html == "Short summary."
    assert no_date.published is None and no_date.updated is None
    assert future.published == datetime(2100, 1, 1, tzinfo=UTC)
    # guid as permalink when there is no <link>: link stays None and the guid is flagged as the permalink
    assert guid_only.link is None
    assert guid_only.guid == "https://news.example.com/2026/03/guid-permalink" and guid_only.guid_is_permalink


def test_relative_links_resolve_against_feed_url():
    result = parse_fixture("rss20.xml", feed_url="https://mirror.example.net/x/feed.xml")
    assert (
        result.items[0].link
        == "https://mirror.example.net/2026/03/junta-extends-emergency?utm_medium=rss&id=7#comments"
    )


def test_atom_xml_base_and_text_constructs():
    result = parse_fixture("atom10.xml")
    first, second = result.items
    assert first.link == "https://policy.example.com/asia/analysis/five-point-consensus"
    assert first.published == datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
    assert first.updated == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    assert "<p>A long analysis paragraph" in first.content_html
    assert first.language == "en"
    # a text/plain title containing '<tag>' is carried as escaped HTML, not as markup
    assert second.title == "Plain text title with a &lt;tag&gt; in it"
    assert second.published is None and second.updated == datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def test_atom03_dates():
    (entry,) = parse_fixture("atom03.xml").items
    assert entry.published == datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    assert entry.guid == "tag:old.example.org,2026:42"


def test_windows_1252_bytes_declared_utf8_are_recovered_and_named():
    result = parse_fixture("cp1252_declared_utf8.xml")
    assert result.items[0].title == "\u201cQuoted\u201d talks cost \u20ac5m"
    assert result.items[0].summary_html == "Na\u00efve r\u00e9sum\u00e9"
    assert any(p.startswith("character encoding mismatch: declared utf-8") for p in result.problems)
    assert result.encoding == "windows-1252"


def test_latin1_declared_in_xml():
    result = parse_fixture("latin1_declared.xml")
    assert result.problems == []
    assert result.items[0].title == "Se\u00f1or Mu\u00f1oz visits"


@pytest.mark.parametrize("content_type", [None, "application/xml", "text/xml; charset=utf-16", "text/xml"])
def test_utf16_with_bom(content_type):
    result = parse_fixture("utf16_bom.xml", content_type=content_type)
    assert result.problems == []
    assert result.items[0].title == "\u1019\u103c\u1014\u103a\u1019\u102c Myanmar script"
    assert "\u041b\u0430\u0432\u0440\u043e\u0432" in result.items[0].summary_html


@pytest.mark.parametrize("content_type", [None, "text/xml", "application/rss+xml"])
def test_utf8_without_declaration_or_charset_is_utf8(content_type):
    # text/xml without charset must not fall back to US-ASCII, and no Content-Type must not mean Latin-1
    result = parse_fixture("utf8_no_declaration.xml", content_type=content_type)
    assert result.problems == []
    assert result.items[0].title == "\u0e01\u0e23\u0e38\u0e07\u0e40\u0e17\u0e1e Bangkok"


def test_http_charset_is_honoured():
    body = (
        '<rss version="2.0"><channel><title>t</title><link>https://x.example/</link><description>d</description>'
        "<item><title>Caf\u00e9 \u00e0 Yangon</title><link>https://x.example/1</link></item></channel></rss>"
    ).encode("iso-8859-1")
    result = parse_feed(body, feed_name="t", feed_url=FEED_URL, content_type="application/rss+xml; charset=ISO-8859-1")
    assert result.problems == []
    assert result.items[0].title == "Caf\u00e9 \u00e0 Yangon"


def test_html_page_instead_of_feed():
    result = parse_fixture("html_page.html", content_type="text/html; charset=utf-8")
    assert result.items == []
    assert result.problems == ["not a feed: got an HTML page (it advertises a feed at https://news.example.com/feed/)"]
    # the same bytes served with an XML content type are still recognised
    again = parse_fixture("html_page.html", content_type="application/rss+xml")
    assert again.problems[0].startswith("not a feed: got an HTML page")


def test_billion_laughs_is_cheap():
    body = (HOSTILE / "billion_laughs.xml").read_bytes()
    tracemalloc.start()
    started = time.perf_counter()
    result = parse_feed(body, feed_name="t", feed_url=FEED_URL)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 2.0
    assert peak < 20 * 1024 * 1024
    assert any("entity declarations removed" in p for p in result.problems)
    assert "lollol" not in result.items[0].title + result.items[0].summary_html


def test_entity_declaration_hidden_behind_quoted_bracket_is_still_removed():
    laughs = "".join(f'<!ENTITY e{i} "{f"&e{i - 1};" * 10 if i else "]>"}">' for i in range(9))
    body = (
        f'<?xml version="1.0"?><!DOCTYPE rss [{laughs}]><rss version="2.0"><channel><title>&e8;</title>'
        "<item><title>&e8;</title><link>https://x.example/1</link></item></channel></rss>"
    ).encode()
    started = time.perf_counter()
    result = parse_feed(body, feed_name="t", feed_url=FEED_URL)
    assert time.perf_counter() - started < 2.0
    assert "entity declarations removed (9)" in " ".join(result.problems)
    assert len(result.items) == 1 and len(result.items[0].title) < 100


def _hostile_cases():
    manifest = yaml.safe_load((HOSTILE / "expected.yaml").read_text())
    return [
        (name, manifest.get(name)) for name in sorted(p.name for p in HOSTILE.iterdir() if p.name != "expected.yaml")
    ]


def test_hostile_corpus_is_large_and_fully_described():
    cases = _hostile_cases()
    assert len(cases) >= 20
    assert [name for name, spec in cases if spec is None] == []


@pytest.mark.parametrize(("name", "spec"), _hostile_cases())
def test_hostile_corpus(name, spec):
    started = time.perf_counter()
    result = parse_feed(
        (HOSTILE / name).read_bytes(), feed_name="hostile", feed_url=FEED_URL, content_type=spec.get("content_type")
    )
    assert time.perf_counter() - started < 5.0
    if spec["problem"] is None:
        assert result.problems == []
    else:
        assert any(spec["problem"] in p for p in result.problems), result.problems
    if "items" in spec:
        assert len(result.items) == spec["items"]
    for item in result.items:
        # what is stored and shown: title, clean text of summary/content, link
        blob = f"{item.title}\n{clean_text(item.summary_html)}\n{clean_text(item.content_html)}\n{item.link}"
        for forbidden in spec.get("must_not_contain", []):
            assert forbidden not in blob


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=2000))
def test_never_raises_on_arbitrary_bytes(body):
    result = parse_feed(body, feed_name="fuzz", feed_url=FEED_URL)
    assert isinstance(result.problems, list)
    if not result.items:
        assert result.problems  # nothing parsed is always explained


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=300))
def test_never_raises_on_text_inside_a_feed(text):
    from xml.sax.saxutils import escape

    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>f</title>'
        f"<item><title>{text}</title><link>https://x.example/1</link><description>{escape(text)}</description>"
        "</item></channel></rss>"
    ).encode("utf-8", "surrogatepass")
    result = parse_feed(body, feed_name="fuzz", feed_url=FEED_URL)
    assert isinstance(result.items, list)


def test_ten_thousand_items_under_one_gigabyte():
    """Parses 10k items in a fresh interpreter and checks its peak RSS (the figure is printed)."""
    script = textwrap.dedent(
        """
        import resource, time
        from pipeline.ingest.parse import parse_feed
        items = "".join(
            f"<item><title>Story {i} &amp; more</title><link>https://big.example.org/{i}</link>"
            f"<pubDate>Mon, 02 Mar 2026 10:{i % 60:02d}:00 GMT</pubDate>"
            f"<description>&lt;p&gt;Paragraph {i}. " + "Filler words for the body. " * 15
            + "&lt;/p&gt;</description></item>"
            for i in range(10_000)
        )
        head = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Big</title>'
                '<link>https://big.example.org/</link><description>d</description>')
        body = (head + items + "</channel></rss>").encode()
        started = time.perf_counter()
        result = parse_feed(body, feed_name="big", feed_url="https://big.example.org/feed")
        elapsed = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        print(len(result.items), len(result.problems), peak, elapsed)
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=True)
    count, problems, peak, elapsed = out.stdout.split()
    print(f"10k items: peak RSS {int(peak) / 2**20:.0f} MB, parse {float(elapsed):.2f}s")
    assert int(count) == 10_000
    assert int(problems) == 0
    assert int(peak) < 1024**3


def test_atom_id_before_link_keeps_the_real_link():
    body = (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>a</title><id>urn:f</id>'
        b"<updated>2026-11-19T09:00:00Z</updated>"
        b'<entry><title>T</title><id>urn:x:1</id><link href="https://a.example/1"/>'
        b"<updated>2026-11-19T09:00:00Z</updated></entry>"
        b"<entry><title>U</title><id>https://b.example/2</id><updated>2026-11-19T09:00:00Z</updated></entry></feed>"
    )
    result = parse_feed(body, feed_name="x", feed_url="https://a.example/feed")
    first, second = result.items
    assert first.link == "https://a.example/1" and first.guid == "urn:x:1" and not first.guid_is_permalink
    assert second.link is None and second.guid == "https://b.example/2" and second.guid_is_permalink
    assert not result.problems


def test_problems_carry_a_typed_kind_that_survives_pickling() -> None:
    """The runner decides on `Problem.kind`, never on message text; worker processes get it intact."""
    import pickle

    from pipeline.core.records import ProblemKind

    html_page = parse_feed(b"<!doctype html><html><body>hi</body></html>", feed_name="f",
                           feed_url="https://example.org/", content_type="text/html")  # fmt: skip
    assert ProblemKind.NOT_A_FEED in [p.kind for p in html_page.problems]
    empty = parse_feed(b'<rss version="2.0"><channel><title>t</title></channel></rss>', feed_name="f",
                       feed_url="https://example.org/")  # fmt: skip
    assert [p.kind for p in empty.problems] == [ProblemKind.EMPTY]
    first = next(p for p in html_page.problems if p.kind is ProblemKind.NOT_A_FEED)
    copy = pickle.loads(pickle.dumps(first))
    assert copy == first and copy.kind is ProblemKind.NOT_A_FEED
