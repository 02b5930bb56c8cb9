"""Fetch feeds over HTTP (the I/O edge of ingest) and the pure per-feed state machine around it.

`fetch_feed` does one conditional GET (ETag / Last-Modified, plus a sha256 of the body so an unchanged body
served with 200 also counts as `not-modified`), streams the body under a size cap and a deadline, and retries
network errors, 5xx, 408 and 429 with exponential backoff honouring Retry-After (capped). It never raises
for a feed's fault: the outcome (`fetched` | `not-modified` | `error`) and a message naming the fault are on
the `FetchResult`. `next_state` is the pure transition from one `FeedState` to the next, scheduling the next
poll (normal interval, or exponential backoff after failures, never before a server's Retry-After).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

import httpx

from pipeline.core.records import FeedOutcome
from pipeline.core.timeutil import iso_utc, parse_iso
from pipeline.ingest.feeds import FeedConfig, FetchDefaults

FETCHED = FeedOutcome.FETCHED
NOT_MODIFIED = FeedOutcome.NOT_MODIFIED
ERROR = FeedOutcome.ERROR

MAX_BACKOFF = timedelta(hours=6)  # longest wait between polls of a failing feed
MAX_RETRY_AFTER = timedelta(hours=24)  # a server's Retry-After is honoured up to this
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5"
)
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524})

Sleep = Callable[[float], None]


@dataclass(slots=True)
class FeedState:
    """What we remember about one feed between polls (persisted by `pipeline.ingest.feedstate`)."""

    feed_name: str
    url: str
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None
    last_fetch_at: datetime | None = None
    last_success_at: datetime | None = None
    consecutive_failures: int = 0
    last_error: str | None = None
    last_status: int | None = None
    items_last_fetch: int = 0
    next_poll_at: datetime | None = None
    last_outcome: str | None = None

    _DATES = ("last_fetch_at", "last_success_at", "next_poll_at")

    def to_doc(self) -> dict[str, Any]:
        """A JSON-ready dict (datetimes as ISO 8601 UTC strings)."""
        doc = asdict(self)
        for key in self._DATES:
            doc[key] = iso_utc(doc[key])
        return doc

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> FeedState:
        """Inverse of `to_doc`; unknown keys are ignored, missing ones take defaults."""
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in doc.items() if k in known}
        for key in cls._DATES:
            if key in values:
                values[key] = parse_iso(values[key])
        values["consecutive_failures"] = int(values.get("consecutive_failures") or 0)
        values["items_last_fetch"] = int(values.get("items_last_fetch") or 0)
        return cls(**values)

    @classmethod
    def initial(cls, feed: FeedConfig) -> FeedState:
        """The state of a feed never fetched."""
        return cls(feed_name=feed.name, url=feed.url)


@dataclass(slots=True)
class FetchResult:
    """The outcome of fetching one feed once (after retries)."""

    feed_name: str
    url: str
    outcome: FeedOutcome
    status: int | None = None
    body: bytes | None = None  # only for `fetched`
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None
    error: str | None = None
    elapsed_seconds: float = 0.0
    attempts: int = 1
    retry_after_seconds: float | None = None  # server asked us to wait (429/503) longer than we retry for
    final_url: str | None = None  # where redirects ended, when different from `url`
    permanent_redirect: bool = False  # a 301/308 was followed: the config URL could be updated
    fetched_at: datetime | None = None
    interval_minutes: int = 10  # the feed's normal polling interval (used by `next_state`)
    retryable: bool = False  # the error is transient (network, 5xx, 408, 429)
    attempt_errors: list[str] = field(default_factory=list)  # errors of failed attempts (also when one succeeded)

    @property
    def ok(self) -> bool:
        return self.outcome != ERROR


def _human_bytes(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.3g} MB"
    if n >= 1024:
        return f"{n / 1024:.3g} KB"
    return f"{n} bytes"


def _seconds(value: float) -> str:
    return f"{value:g}s"


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def make_client(defaults: FetchDefaults | None = None) -> httpx.Client:
    """An httpx client for feeds: our User-Agent, timeouts, redirects capped, gzip/deflate.

    Thread-safe; share one across `fetch_all` workers. Close it when done (it is a context manager).
    """
    d = defaults or FetchDefaults()
    timeout = httpx.Timeout(d.timeout_seconds, connect=d.timeout_seconds, read=d.timeout_seconds)
    return httpx.Client(
        headers={"User-Agent": d.user_agent, "Accept": ACCEPT, "Accept-Encoding": "gzip, deflate"},
        timeout=timeout,
        follow_redirects=True,
        max_redirects=d.max_redirects,
        limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
        trust_env=False,
    )


@dataclass(slots=True)
class _Attempt:
    result: FetchResult
    retry_after: float | None = None


def _error(base: FetchResult, message: str, *, status: int | None = None, retryable: bool = False) -> FetchResult:
    return replace(base, outcome=ERROR, error=message, status=status, retryable=retryable, body=None)


def _attempt_once(
    client: httpx.Client, feed: FeedConfig, headers: dict[str, str], d: FetchDefaults, base: FetchResult,
    now: datetime, previous_hash: str | None,
) -> _Attempt:  # fmt: skip
    url = feed.url
    start = time.monotonic()
    try:
        with client.stream("GET", url, headers=headers) as resp:
            status = resp.status_code
            final_url = str(resp.url)
            result = replace(
                base,
                status=status,
                final_url=final_url if final_url != url else None,
                permanent_redirect=any(r.status_code in (301, 308) for r in resp.history),
                content_type=resp.headers.get("content-type"),
                etag=resp.headers.get("etag"),
                last_modified=resp.headers.get("last-modified"),
            )
            if status == 304:
                return _Attempt(replace(result, outcome=NOT_MODIFIED, content_hash=previous_hash))
            if status >= 400 or status < 200 or status >= 300:
                retry_after = parse_retry_after(resp.headers.get("retry-after"), now)
                where = f" from {url}" if final_url == url else f" from {final_url} (redirected from {url})"
                return _Attempt(
                    _error(result, f"HTTP {status}{where}", status=status,
                           retryable=status in RETRY_STATUSES or 500 <= status < 600),
                    retry_after=retry_after,
                )  # fmt: skip
            declared = resp.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > d.max_bytes:
                return _Attempt(
                    _error(result, f"body exceeds {_human_bytes(d.max_bytes)} limit "
                           f"(Content-Length {int(declared)}) from {url}", status=status)
                )  # fmt: skip
            buf = bytearray()
            for chunk in resp.iter_bytes():
                buf += chunk
                if len(buf) > d.max_bytes:
                    return _Attempt(
                        _error(result, f"body exceeds {_human_bytes(d.max_bytes)} limit from {url}", status=status)
                    )
                if time.monotonic() - start > d.total_timeout_seconds:
                    return _Attempt(
                        _error(result, f"timeout after {_seconds(d.total_timeout_seconds)} reading the body "
                               f"from {url} (too slow)", status=status, retryable=True)
                    )  # fmt: skip
    except httpx.ConnectTimeout:
        return _Attempt(
            _error(base, f"timeout after {_seconds(d.timeout_seconds)} connecting to {url}", retryable=True)
        )
    except httpx.ReadTimeout:
        return _Attempt(_error(base, f"timeout after {_seconds(d.timeout_seconds)} reading from {url}", retryable=True))
    except httpx.TimeoutException as exc:
        return _Attempt(_error(base, f"timeout ({type(exc).__name__}) fetching {url}", retryable=True))
    except httpx.TooManyRedirects:
        return _Attempt(_error(base, f"too many redirects (more than {d.max_redirects}) from {url}"))
    except httpx.DecodingError as exc:
        return _Attempt(_error(base, f"cannot decode the compressed body from {url}: {exc}"))
    except httpx.UnsupportedProtocol as exc:
        return _Attempt(_error(base, f"unsupported redirect or URL scheme from {url}: {exc}"))
    except httpx.ConnectError as exc:
        return _Attempt(_error(base, f"cannot connect to {url}: {exc or type(exc).__name__}", retryable=True))
    except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError, httpx.NetworkError) as exc:
        return _Attempt(_error(base, f"connection failed reading {url}: {exc or type(exc).__name__}", retryable=True))
    except httpx.HTTPError as exc:
        return _Attempt(_error(base, f"HTTP failure fetching {url}: {type(exc).__name__}: {exc}", retryable=True))
    except ValueError as exc:  # e.g. an invalid URL or header value
        return _Attempt(_error(base, f"invalid request for {url}: {exc}"))
    body = bytes(buf)
    digest = hashlib.sha256(body).hexdigest()
    if previous_hash is not None and digest == previous_hash:
        return _Attempt(replace(result, outcome=NOT_MODIFIED, content_hash=digest))
    return _Attempt(replace(result, outcome=FETCHED, body=body, content_hash=digest))


def conditional_headers(feed: FeedConfig, state: FeedState | None) -> dict[str, str]:
    """If-None-Match / If-Modified-Since from the stored validators (only when the URL is unchanged)."""
    headers: dict[str, str] = {}
    if state is None or state.url != feed.url:
        return headers
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    return headers


def fetch_feed(
    client: httpx.Client,
    feed: FeedConfig,
    state: FeedState | None,
    now: datetime,
    *,
    sleep: Sleep = time.sleep,
    defaults: FetchDefaults | None = None,
) -> FetchResult:
    """Fetch one feed (with retries). Never raises for the feed's fault; see the module doc."""
    d = defaults or FetchDefaults()
    same_url = state is not None and state.url == feed.url
    previous_hash = state.content_hash if same_url and state is not None else None
    headers = conditional_headers(feed, state)
    base = FetchResult(
        feed_name=feed.name, url=feed.url, outcome=ERROR, fetched_at=now, interval_minutes=feed.interval_minutes
    )
    started = time.monotonic()
    errors: list[str] = []
    attempt = _attempt_once(client, feed, headers, d, base, now, previous_hash)
    attempts = 1
    while attempt.result.outcome == ERROR and attempt.result.retryable and attempts <= d.retries:
        errors.append(attempt.result.error or "")
        wait = d.backoff_seconds * (2 ** (attempts - 1))
        if attempt.retry_after is not None:
            wait = max(wait, attempt.retry_after)
        if wait > d.max_retry_wait_seconds:
            break  # the server wants a longer pause than a poll should block: defer to the next poll
        sleep(wait)
        attempt = _attempt_once(client, feed, headers, d, base, now, previous_hash)
        attempts += 1
    result = attempt.result
    if result.outcome == ERROR and errors:
        errors.append(result.error or "")
    return replace(
        result,
        attempts=attempts,
        elapsed_seconds=round(time.monotonic() - started, 3),
        retry_after_seconds=attempt.retry_after,
        attempt_errors=errors,
    )


def fetch_all(
    feeds: Iterable[FeedConfig],
    states: Mapping[str, FeedState],
    now: datetime,
    max_workers: int = 8,
    *,
    defaults: FetchDefaults | None = None,
    client: httpx.Client | None = None,
    sleep: Sleep = time.sleep,
) -> list[FetchResult]:
    """Fetch many feeds concurrently on a bounded thread pool; results in the order of `feeds`."""
    feed_list = list(feeds)
    if not feed_list:
        return []
    own_client = client is None
    http = client or make_client(defaults)
    try:
        with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(feed_list)))) as pool:
            futures = [
                pool.submit(fetch_feed, http, feed, states.get(feed.name), now, sleep=sleep, defaults=defaults)
                for feed in feed_list
            ]
            results = []
            for feed, future in zip(feed_list, futures, strict=True):
                try:
                    results.append(future.result())
                except Exception as exc:  # a bug, not a feed fault: still never lose the other feeds
                    results.append(
                        FetchResult(feed_name=feed.name, url=feed.url, outcome=ERROR, fetched_at=now,
                                    error=f"internal error fetching {feed.url}: {type(exc).__name__}: {exc}",
                                    interval_minutes=feed.interval_minutes)
                    )  # fmt: skip
            return results
    finally:
        if own_client:
            http.close()


def failure_delay(interval_minutes: int, consecutive_failures: int, retry_after_seconds: float | None) -> timedelta:
    """Wait before the next poll after `consecutive_failures` (>= 1) failures in a row.

    interval * 2^(failures-1), capped at MAX_BACKOFF; never shorter than the server's Retry-After
    (itself capped at MAX_RETRY_AFTER).
    """
    exponent = min(max(consecutive_failures, 1) - 1, 20)
    delay = min(timedelta(minutes=interval_minutes) * (2**exponent), MAX_BACKOFF)
    if retry_after_seconds:
        delay = max(delay, min(timedelta(seconds=retry_after_seconds), MAX_RETRY_AFTER))
    return delay


def next_state(state: FeedState, result: FetchResult, now: datetime, item_count: int) -> FeedState:
    """The feed's state after `result` (pure). `item_count` = items parsed from this fetch."""
    interval = timedelta(minutes=result.interval_minutes)
    url_changed = state.url != result.url
    common: dict[str, Any] = {
        "url": result.url,
        "last_fetch_at": now,
        "last_status": result.status,
        "last_outcome": result.outcome,
    }
    if result.outcome == ERROR:
        failures = state.consecutive_failures + 1
        failed = replace(
            state,
            **common,
            consecutive_failures=failures,
            last_error=result.error,
            items_last_fetch=0,
            next_poll_at=now + failure_delay(result.interval_minutes, failures, result.retry_after_seconds),
        )
        if url_changed:  # validators of the old URL mean nothing for the new one
            failed = replace(failed, etag=None, last_modified=None, content_hash=None)
        return failed
    if result.outcome == NOT_MODIFIED:
        etag = result.etag or (None if url_changed else state.etag)
        last_modified = result.last_modified or (None if url_changed else state.last_modified)
        content_hash = result.content_hash or (None if url_changed else state.content_hash)
    else:
        etag, last_modified, content_hash = result.etag, result.last_modified, result.content_hash
    return replace(
        state,
        **common,
        etag=etag,
        last_modified=last_modified,
        content_hash=content_hash,
        last_success_at=now,
        consecutive_failures=0,
        last_error=None,
        items_last_fetch=item_count,
        next_poll_at=now + interval,
    )


def as_unparseable(result: FetchResult, problem: str) -> FetchResult:
    """Turn a `fetched` result whose body is not a usable feed (e.g. parse says "not a feed: got an HTML
    page") into an error, so the feed's health shows it and `next_state` backs off. Not retryable."""
    return replace(result, outcome=ERROR, error=f"{problem} (from {result.url})", body=None, retryable=False)


def is_due(state: FeedState | None, now: datetime) -> bool:
    """Whether a feed should be polled at `now` (never fetched, or its next poll time has come)."""
    return state is None or state.next_poll_at is None or state.next_poll_at <= now


def due_feeds(feeds: Iterable[FeedConfig], states: Mapping[str, FeedState], now: datetime) -> list[FeedConfig]:
    """Enabled feeds whose next poll is due."""
    return [f for f in feeds if f.enabled and is_due(states.get(f.name), now)]


def http_date(value: datetime) -> str:
    """An RFC 7231 date (for Last-Modified style headers)."""
    return format_datetime(value.astimezone(UTC), usegmt=True)
