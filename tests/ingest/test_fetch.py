"""fetch: real HTTP against the local feed server (no mocks), and the pure state transitions."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipeline.ingest.feeds import FeedConfig, FetchDefaults
from pipeline.ingest.fetch import (
    ERROR,
    FETCHED,
    MAX_BACKOFF,
    NOT_MODIFIED,
    FeedState,
    FetchResult,
    as_unparseable,
    due_feeds,
    failure_delay,
    fetch_all,
    fetch_feed,
    http_date,
    make_client,
    next_state,
    parse_retry_after,
)
from pipeline.ingest.parse import parse_feed
from tests.support.feedserver import FeedServer, Route, refused_port, running_feed_server, unresponsive_port

NOW = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)
RSS = (Path(__file__).resolve().parent.parent / "fixtures" / "feeds" / "rss20.xml").read_bytes()
LAST_MODIFIED = "Mon, 02 Mar 2026 10:00:00 GMT"


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """The real local feed server (tests/support/feedserver.py), one per test."""
    with running_feed_server() as server:
        yield server


class Sleeps(list):
    """Records the waits instead of sleeping (retries stay fast and observable)."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def feed_for(url: str, name: str = "test feed", interval: int = 10) -> FeedConfig:
    return FeedConfig(name=name, url=url, interval_minutes=interval)


def fetch(url: str, state: FeedState | None = None, defaults: FetchDefaults | None = None, sleeps=None,
          feed: FeedConfig | None = None) -> FetchResult:  # fmt: skip
    d = defaults or FetchDefaults(timeout_seconds=2, retries=2)
    with make_client(d) as client:
        return fetch_feed(client, feed or feed_for(url), state, NOW, sleep=sleeps if sleeps is not None else Sleeps(),
                          defaults=d)  # fmt: skip


# --- success and conditional GET ---------------------------------------------------------------------
def test_fetch_returns_body_validators_and_hash(feed_server: FeedServer):
    url = feed_server.add("/feed.xml", body=RSS, etag='"v1"', last_modified=LAST_MODIFIED)
    result = fetch(url)
    assert result.outcome == FETCHED and result.ok
    assert result.status == 200
    assert result.body == RSS
    assert result.etag == '"v1"' and result.last_modified == LAST_MODIFIED
    assert result.content_hash == hashlib.sha256(RSS).hexdigest()
    assert result.content_type == "application/rss+xml; charset=utf-8"
    assert result.fetched_at == NOW and result.attempts == 1 and result.elapsed_seconds >= 0
    (request,) = feed_server.requests_for("/feed.xml")
    assert request.headers["user-agent"] == "newsmon/0.1 (+https://github.com/newsmon)"
    assert "gzip" in request.headers["accept-encoding"]
    assert "application/rss+xml" in request.headers["accept"]
    assert "if-none-match" not in request.headers and "if-modified-since" not in request.headers


def test_conditional_get_sends_validators_and_handles_304(feed_server: FeedServer):
    url = feed_server.add("/feed.xml", body=RSS, etag='"v1"', last_modified=LAST_MODIFIED)
    first = fetch(url)
    state = next_state(FeedState.initial(feed_for(url)), first, NOW, item_count=5)
    second = fetch(url, state)
    assert second.outcome == NOT_MODIFIED and second.status == 304 and second.body is None
    last = feed_server.requests_for("/feed.xml")[-1]
    assert last.headers["if-none-match"] == '"v1"'
    assert last.headers["if-modified-since"] == LAST_MODIFIED
    after = next_state(state, second, NOW + timedelta(minutes=10), item_count=0)
    assert after.etag == '"v1"' and after.last_modified == LAST_MODIFIED and after.content_hash == first.content_hash
    assert after.last_outcome == NOT_MODIFIED and after.consecutive_failures == 0


def test_last_modified_only_gets_304(feed_server: FeedServer):
    url = feed_server.add("/lm.xml", body=RSS, last_modified=LAST_MODIFIED)
    state = next_state(FeedState.initial(feed_for(url)), fetch(url), NOW, 5)
    assert state.etag is None
    result = fetch(url, state)
    assert result.outcome == NOT_MODIFIED and result.status == 304
    assert feed_server.requests_for("/lm.xml")[-1].headers["if-modified-since"] == LAST_MODIFIED


def test_unchanged_body_with_200_is_not_modified_by_hash(feed_server: FeedServer):
    url = feed_server.add("/nocache.xml", body=RSS)  # no validators at all
    state = next_state(FeedState.initial(feed_for(url)), fetch(url), NOW, 5)
    again = fetch(url, state)
    assert again.outcome == NOT_MODIFIED and again.status == 200 and again.body is None
    feed_server.add("/nocache.xml", body=RSS.replace(b"Short summary", b"Updated summary"))
    changed = fetch(url, state)
    assert changed.outcome == FETCHED and changed.content_hash != state.content_hash


def test_validators_of_another_url_are_not_sent(feed_server: FeedServer):
    url = feed_server.add("/new.xml", body=RSS, etag='"v1"')
    old_state = FeedState(feed_name="test feed", url="http://127.0.0.1:1/old.xml", etag='"v1"',
                          content_hash=hashlib.sha256(RSS).hexdigest())  # fmt: skip
    result = fetch(url, old_state)
    assert result.outcome == FETCHED
    assert "if-none-match" not in feed_server.requests_for("/new.xml")[0].headers
    state = next_state(old_state, result, NOW, 5)
    assert state.url == url


def test_gzip_body_is_decoded_and_hashed_decoded(feed_server: FeedServer):
    url = feed_server.add("/gz.xml", body=RSS, gzip=True)
    result = fetch(url)
    assert result.outcome == FETCHED and result.body == RSS
    assert result.content_hash == hashlib.sha256(RSS).hexdigest()
    assert len(parse_feed(result.body, feed_name="gz", feed_url=url, content_type=result.content_type).items) == 5


# --- redirects ---------------------------------------------------------------------------------------
def test_redirects_are_followed_and_permanent_ones_reported(feed_server: FeedServer):
    feed_server.add("/final.xml", body=RSS)
    feed_server.add("/hop.xml", redirect_to="/final.xml", status=302)
    url = feed_server.add("/moved.xml", redirect_to="/hop.xml", status=301)
    result = fetch(url)
    assert result.outcome == FETCHED and result.body == RSS
    assert result.final_url == feed_server.url("/final.xml")
    assert result.permanent_redirect is True


def test_redirect_loop_is_an_error_without_retry(feed_server: FeedServer):
    feed_server.add("/a.xml", redirect_to="/b.xml")
    feed_server.add("/b.xml", redirect_to="/a.xml")
    sleeps = Sleeps()
    result = fetch(feed_server.url("/a.xml"), defaults=FetchDefaults(max_redirects=3, retries=2), sleeps=sleeps)
    assert result.outcome == ERROR
    assert result.error == f"too many redirects (more than 3) from {feed_server.url('/a.xml')}"
    assert sleeps == [] and result.attempts == 1


def test_redirect_to_non_http_scheme_is_an_error(feed_server: FeedServer):
    url = feed_server.add("/evil.xml", redirect_to="file:///etc/passwd")
    result = fetch(url)
    assert result.outcome == ERROR and "unsupported redirect or URL scheme" in (result.error or "")


# --- HTTP errors and retries -------------------------------------------------------------------------
def test_404_is_named_and_not_retried(feed_server: FeedServer):
    url = feed_server.add("/gone.xml", status=404, body=b"no")
    sleeps = Sleeps()
    result = fetch(url, sleeps=sleeps)
    assert result.outcome == ERROR and result.status == 404
    assert result.error == f"HTTP 404 from {url}"
    assert len(feed_server.requests_for("/gone.xml")) == 1 and sleeps == []


@pytest.mark.parametrize("status", [400, 401, 403, 410, 451])
def test_other_4xx_are_not_retried(feed_server: FeedServer, status: int):
    url = feed_server.add("/x.xml", status=status)
    result = fetch(url)
    assert result.error == f"HTTP {status} from {url}" and not result.retryable
    assert len(feed_server.requests_for("/x.xml")) == 1


def test_500_then_success_is_retried_with_backoff(feed_server: FeedServer):
    url = feed_server.add("/flaky.xml", [Route(status=500), Route(status=502), Route(body=RSS)])
    sleeps = Sleeps()
    result = fetch(url, sleeps=sleeps)
    assert result.outcome == FETCHED and result.attempts == 3
    assert sleeps == [1.0, 2.0]  # exponential: backoff_seconds * 2**n
    assert result.attempt_errors == [f"HTTP 500 from {url}", f"HTTP 502 from {url}"]  # flakiness stays visible


def test_persistent_503_gives_up_after_retries(feed_server: FeedServer):
    url = feed_server.add("/down.xml", status=503)
    sleeps = Sleeps()
    result = fetch(url, defaults=FetchDefaults(retries=3, backoff_seconds=0.5), sleeps=sleeps)
    assert result.outcome == ERROR and result.status == 503 and result.retryable
    assert result.error == f"HTTP 503 from {url}"
    assert sleeps == [0.5, 1.0, 2.0] and result.attempts == 4
    assert len(feed_server.requests_for("/down.xml")) == 4
    assert len(result.attempt_errors) == 4


@pytest.mark.parametrize("status", [408, 429])
def test_408_and_429_are_retried_honouring_retry_after(feed_server: FeedServer, status: int):
    url = feed_server.add("/busy.xml", [Route(status=status, headers={"Retry-After": "3"}), Route(body=RSS)])
    sleeps = Sleeps()
    result = fetch(url, sleeps=sleeps)
    assert result.outcome == FETCHED and sleeps == [3.0]


def test_long_retry_after_defers_to_next_poll(feed_server: FeedServer):
    url = feed_server.add("/limited.xml", status=429, headers={"Retry-After": "7200"})
    sleeps = Sleeps()
    result = fetch(url, sleeps=sleeps)
    assert result.outcome == ERROR and sleeps == [] and result.attempts == 1
    assert result.retry_after_seconds == 7200
    state = next_state(FeedState.initial(feed_for(url)), result, NOW, 0)
    assert state.next_poll_at == NOW + timedelta(hours=2)


def test_retry_after_http_date():
    assert parse_retry_after(http_date(NOW + timedelta(seconds=90)), NOW) == 90
    assert parse_retry_after("120", NOW) == 120
    assert parse_retry_after(http_date(NOW - timedelta(hours=1)), NOW) == 0
    assert parse_retry_after("soon", NOW) is None and parse_retry_after(None, NOW) is None


# --- network faults, slow and oversize responses -----------------------------------------------------
def test_read_timeout_is_named(feed_server: FeedServer):
    url = feed_server.add("/slow.xml", body=RSS, delay=2.0)
    started = time.monotonic()
    result = fetch(url, defaults=FetchDefaults(timeout_seconds=0.5, retries=0))
    assert time.monotonic() - started < 1.8
    assert result.outcome == ERROR and result.retryable
    assert result.error == f"timeout after 0.5s reading from {url}"


def test_connect_timeout_is_named():
    with unresponsive_port() as url:
        started = time.monotonic()
        result = fetch(url, defaults=FetchDefaults(timeout_seconds=0.5, retries=0))
        assert time.monotonic() - started < 3
    assert result.outcome == ERROR and result.error == f"timeout after 0.5s connecting to {url}"


def test_connection_refused_is_retried_then_named():
    with refused_port() as url:
        sleeps = Sleeps()
        result = fetch(url, defaults=FetchDefaults(retries=1), sleeps=sleeps)
    assert result.outcome == ERROR and result.error.startswith(f"cannot connect to {url}")
    assert sleeps == [1.0] and result.attempts == 2


def test_slow_but_acceptable_response_is_fetched(feed_server: FeedServer):
    url = feed_server.add("/slowish.xml", body=RSS, delay=0.3, chunk_size=512, chunk_delay=0.02)
    result = fetch(url, defaults=FetchDefaults(timeout_seconds=2))
    assert result.outcome == FETCHED and result.body == RSS and result.elapsed_seconds >= 0.3


def test_dripping_body_hits_the_total_deadline(feed_server: FeedServer):
    url = feed_server.add("/drip.xml", body=b"x" * 400, chunk_size=10, chunk_delay=0.1)
    started = time.monotonic()
    result = fetch(url, defaults=FetchDefaults(timeout_seconds=1, total_timeout_seconds=0.5, retries=0))
    assert time.monotonic() - started < 2.5
    assert result.outcome == ERROR and result.error == f"timeout after 0.5s reading the body from {url} (too slow)"


def test_oversize_body_with_content_length_is_refused_before_reading(feed_server: FeedServer):
    url = feed_server.add("/big.xml", body=b"<rss>" + b"x" * (2 * 1024 * 1024))
    result = fetch(url, defaults=FetchDefaults(max_bytes=1024 * 1024))
    assert result.outcome == ERROR and result.body is None
    assert result.error.startswith("body exceeds 1 MB limit (Content-Length 2097157)")
    assert not result.retryable


def test_oversize_streamed_body_is_aborted_early(feed_server: FeedServer):
    # 64 chunks of 64 KB, one every 50 ms (>3 s to send it all) and no Content-Length: the fetch must stop
    # as soon as the cap is passed instead of reading the whole body
    url = feed_server.add("/stream.xml", body=b"y" * (64 * 65536), chunk_size=65536, chunk_delay=0.05,
                          send_content_length=False)  # fmt: skip
    started = time.monotonic()
    result = fetch(url, defaults=FetchDefaults(max_bytes=256 * 1024, retries=0))
    assert time.monotonic() - started < 1.5
    assert result.outcome == ERROR and result.error == f"body exceeds 256 KB limit from {url}"


def test_gzip_bomb_is_capped_on_decompressed_size(feed_server: FeedServer):
    url = feed_server.add("/bomb.xml", body=b"\0" * (20 * 1024 * 1024), gzip=True)
    result = fetch(url, defaults=FetchDefaults(max_bytes=5 * 1024 * 1024))
    assert result.outcome == ERROR and result.error == f"body exceeds 5 MB limit from {url}"


def test_html_served_instead_of_xml_is_fetched_then_named_by_parse(feed_server: FeedServer):
    page = (Path(__file__).resolve().parent.parent / "fixtures" / "feeds" / "html_page.html").read_bytes()
    url = feed_server.add("/page", body=page, content_type="text/html; charset=utf-8")
    result = fetch(url)
    assert result.outcome == FETCHED
    parsed = parse_feed(result.body, feed_name="x", feed_url=url, content_type=result.content_type)
    assert parsed.items == [] and parsed.problems[0].startswith("not a feed: got an HTML page")
    failed = as_unparseable(result, parsed.problems[0])
    assert failed.outcome == ERROR and failed.body is None and not failed.retryable
    assert failed.error == f"{parsed.problems[0]} (from {url})"
    state = next_state(FeedState.initial(feed_for(url)), failed, NOW, 0)
    assert state.consecutive_failures == 1 and state.last_error == failed.error and state.content_hash is None


# --- many feeds ----------------------------------------------------------------------------------------
def test_fetch_all_runs_concurrently_and_keeps_order(feed_server: FeedServer):
    feeds = []
    for i in range(6):
        url = feed_server.add(f"/f{i}.xml", body=RSS, delay=0.5)
        feeds.append(feed_for(url, name=f"feed {i}"))
    feeds.append(feed_for(feed_server.add("/missing-x.xml", status=404), name="broken"))
    started = time.monotonic()
    results = fetch_all(feeds, {}, NOW, max_workers=7, defaults=FetchDefaults(timeout_seconds=5))
    elapsed = time.monotonic() - started
    assert elapsed < 2.0  # sequentially it would take 3 s
    assert [r.feed_name for r in results] == [f.name for f in feeds]
    assert [r.outcome for r in results] == [FETCHED] * 6 + [ERROR]


def test_fetch_all_uses_states_for_conditional_requests(feed_server: FeedServer):
    url = feed_server.add("/c.xml", body=RSS, etag='"e"')
    feed = feed_for(url)
    (first,) = fetch_all([feed], {}, NOW)
    state = next_state(FeedState.initial(feed), first, NOW, 5)
    (second,) = fetch_all([feed], {feed.name: state}, NOW)
    assert second.outcome == NOT_MODIFIED
    assert fetch_all([], {}, NOW) == []


# --- pure state transitions ----------------------------------------------------------------------------
def _result(outcome: str, **kw) -> FetchResult:
    return FetchResult(feed_name="f", url="https://x.example/feed", outcome=outcome, interval_minutes=10, **kw)


def test_next_state_success_resets_failures_and_schedules_interval():
    state = FeedState(feed_name="f", url="https://x.example/feed", consecutive_failures=3, last_error="boom",
                      etag='"old"')  # fmt: skip
    new = next_state(state, _result(FETCHED, status=200, etag='"new"', last_modified=None, content_hash="h"), NOW, 7)
    assert new.consecutive_failures == 0 and new.last_error is None
    assert new.etag == '"new"' and new.last_modified is None and new.content_hash == "h"
    assert new.last_fetch_at == NOW and new.last_success_at == NOW and new.items_last_fetch == 7
    assert new.next_poll_at == NOW + timedelta(minutes=10)
    assert new.last_status == 200 and new.last_outcome == FETCHED
    assert state.consecutive_failures == 3  # pure: input untouched


def test_next_state_failures_back_off_exponentially_and_cap():
    state = FeedState(feed_name="f", url="https://x.example/feed", etag='"keep"', last_success_at=NOW)
    delays = []
    for _ in range(8):
        state = next_state(state, _result(ERROR, status=503, error="HTTP 503 from x"), NOW, 0)
        delays.append(state.next_poll_at - NOW)
    assert delays[:5] == [timedelta(minutes=m) for m in (10, 20, 40, 80, 160)]
    assert max(delays) == MAX_BACKOFF
    assert state.consecutive_failures == 8 and state.last_error == "HTTP 503 from x"
    assert state.etag == '"keep"' and state.last_success_at == NOW  # validators survive failures


def test_failure_delay_honours_retry_after():
    assert failure_delay(10, 1, 3600) == timedelta(hours=1)
    assert failure_delay(10, 1, 60) == timedelta(minutes=10)
    assert failure_delay(10, 1, 10**9) == timedelta(hours=24)


def test_feed_state_doc_round_trip():
    state = FeedState(feed_name="f", url="https://x.example/feed", etag='"e"', last_modified=LAST_MODIFIED,
                      content_hash="abc", last_fetch_at=NOW, last_success_at=NOW - timedelta(hours=1),
                      consecutive_failures=2, last_error="timeout", last_status=504, items_last_fetch=3,
                      next_poll_at=NOW + timedelta(minutes=20), last_outcome=ERROR)  # fmt: skip
    doc = state.to_doc()
    assert doc["last_fetch_at"] == "2026-03-03T12:00:00+00:00" and doc["feed_name"] == "f"
    assert FeedState.from_doc(doc) == state
    assert FeedState.from_doc({"feed_name": "f", "url": "u", "unknown": 1}) == FeedState(feed_name="f", url="u")


def test_due_feeds():
    a, b, c, d = (FeedConfig(name=n, url=f"https://x.example/{n}") for n in "abcd")
    disabled = FeedConfig(name="e", url="https://x.example/e", enabled=False)
    states = {
        "b": FeedState(feed_name="b", url=b.url, next_poll_at=NOW - timedelta(seconds=1)),
        "c": FeedState(feed_name="c", url=c.url, next_poll_at=NOW + timedelta(minutes=1)),
        "d": FeedState(feed_name="d", url=d.url),
    }
    assert [f.name for f in due_feeds([a, b, c, d, disabled], states, NOW)] == ["a", "b", "d"]
