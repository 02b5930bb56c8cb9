"""A small real HTTP server on 127.0.0.1 for tests that fetch feeds (no mocks, no internet).

Register paths with a body, status, headers, validators (ETag / Last-Modified: matching conditional requests
get 304), redirects, delays, slow (dripped) bodies, gzip and missing Content-Length. Every request is logged
so tests can assert what was sent (e.g. If-None-Match). A path may hold a sequence of responses (the last one
repeats), e.g. `[Route(status=503), Route(body=...)]` for retry tests.

Use the `feed_server` fixture (import it into a conftest.py) or `with running_feed_server() as server:`;
`server.add("/a.xml", body=b"...")` returns the URL to fetch.
"""

from __future__ import annotations

import contextlib
import gzip as gzip_lib
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Route:
    """One canned response."""

    body: bytes = b""
    status: int = 200
    content_type: str | None = "application/rss+xml; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None  # sent, and If-None-Match matching it gets 304
    last_modified: str | None = None  # sent, and If-Modified-Since at or after it gets 304
    redirect_to: str | None = None  # path or absolute URL; status defaults to 302 unless a 3xx is given
    delay: float = 0.0  # seconds before the status line is sent
    chunk_delay: float = 0.0  # seconds between body chunks (a slow, dripping server)
    chunk_size: int = 16 * 1024
    gzip: bool = False  # gzip the body and send Content-Encoding: gzip
    send_content_length: bool = True  # False: no Content-Length, body ends when the connection closes


@dataclass
class RequestRecord:
    method: str
    path: str
    headers: dict[str, str]  # lowercased names


class FeedServer:
    """ThreadingHTTPServer in a background thread with a route table and a request log."""

    def __init__(self) -> None:
        self.routes: dict[str, list[Route]] = {}
        self.hits: dict[str, int] = {}
        self.requests: list[RequestRecord] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, format: str, *args: object) -> None:  # silence stderr
                pass

            def do_GET(self) -> None:
                server._handle(self)

            def do_HEAD(self) -> None:
                server._handle(self)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="feedserver", daemon=True
        )

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> FeedServer:
        self._thread.start()
        return self

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    # -- routes --------------------------------------------------------------------------------------
    def add(self, path: str, route: Route | list[Route] | None = None, **kwargs: object) -> str:
        """Register `path` (a Route, a list served in turn, or Route fields as kwargs); returns its URL."""
        if route is None:
            route = Route(**kwargs)  # type: ignore[arg-type]
        with self._lock:
            self.routes[path] = route if isinstance(route, list) else [route]
            self.hits[path] = 0
        return self.url(path)

    def requests_for(self, path: str) -> list[RequestRecord]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    # -- serving -------------------------------------------------------------------------------------
    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        headers = {k.lower(): v for k, v in h.headers.items()}
        with self._lock:
            self.requests.append(RequestRecord(h.command, h.path, headers))
            responses = self.routes.get(h.path)
            index = self.hits.get(h.path, 0)
            self.hits[h.path] = index + 1
        if not responses:
            self._send(h, 404, {"Content-Type": "text/plain"}, b"not found")
            return
        route = responses[min(index, len(responses) - 1)]
        if route.delay:
            time.sleep(route.delay)
        out: dict[str, str] = dict(route.headers)
        if route.etag:
            out["ETag"] = route.etag
        if route.last_modified:
            out["Last-Modified"] = route.last_modified
        if self._not_modified(route, headers):
            self._send(h, 304, out, b"")
            return
        if route.redirect_to is not None:
            target = route.redirect_to
            out["Location"] = target if "://" in target else self.url(target)
            status = route.status if 300 <= route.status < 400 else 302
            self._send(h, status, out, b"")
            return
        body = route.body
        if route.gzip:
            body = gzip_lib.compress(body)
            out["Content-Encoding"] = "gzip"
        if route.content_type:
            out["Content-Type"] = route.content_type
        self._send(h, route.status, out, body, route=route, head=h.command == "HEAD")

    @staticmethod
    def _not_modified(route: Route, headers: dict[str, str]) -> bool:
        inm = headers.get("if-none-match")
        if route.etag and inm is not None:
            return any(tag.strip() in (route.etag, "*") for tag in inm.split(","))
        ims = headers.get("if-modified-since")
        if route.last_modified and ims:
            try:
                return parsedate_to_datetime(ims) >= parsedate_to_datetime(route.last_modified)
            except (TypeError, ValueError):
                return False
        return False

    @staticmethod
    def _send(
        h: BaseHTTPRequestHandler,
        status: int,
        headers: dict[str, str],
        body: bytes,
        *,
        route: Route | None = None,
        head: bool = False,
    ) -> None:
        try:
            h.send_response(status)
            for name, value in headers.items():
                h.send_header(name, value)
            if route is None or route.send_content_length:
                h.send_header("Content-Length", str(len(body)))
            h.send_header("Connection", "close")
            h.end_headers()
            if head or status == 304:
                return
            if route is None or (not route.chunk_delay and route.chunk_size >= len(body)):
                h.wfile.write(body)
                return
            for start in range(0, len(body), route.chunk_size):
                h.wfile.write(body[start : start + route.chunk_size])
                h.wfile.flush()
                if route.chunk_delay:
                    time.sleep(route.chunk_delay)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (size cap, timeout): expected in tests


@contextlib.contextmanager
def running_feed_server() -> Iterator[FeedServer]:
    """A FeedServer running for the duration of the `with` block."""
    server = FeedServer().start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """A running FeedServer, stopped after the test (import this into a conftest.py to use it)."""
    with running_feed_server() as server:
        yield server


@contextlib.contextmanager
def refused_port() -> Iterator[str]:
    """A 127.0.0.1 URL on which nothing listens (connection refused)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    yield f"http://127.0.0.1:{port}/feed.xml"


@contextlib.contextmanager
def unresponsive_port() -> Iterator[str]:
    """A 127.0.0.1 URL whose listen queue is full, so a new connection attempt hangs (connect timeout)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    try:
        for _ in range(4):  # fill the accept queue; later SYNs are dropped by the kernel
            s = socket.socket()
            s.setblocking(False)
            with contextlib.suppress(BlockingIOError, OSError):
                s.connect(("127.0.0.1", port))
            fillers.append(s)
        time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/feed.xml"
    finally:
        for s in fillers:
            s.close()
        listener.close()
