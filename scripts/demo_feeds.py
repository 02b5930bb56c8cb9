"""Demo helpers for `make demo`: serve the bundled sample feeds and receive webhooks, both on 127.0.0.1.

The sample feeds in `demo/feeds/` are fictional items written for the demo. Their dates are templates
(`@@RFC822:-2h@@`, `@@ISO:-90m@@`) rendered relative to the moment the server starts, so the demo stories are
always "recent" whatever day it is run. `write_demo_config` builds a config dir (NEWSMON_CONFIG_DIR) from
`demo/config/` plus copies of the real topics/entities rules.

Also usable on its own: `python scripts/demo_feeds.py` serves the feeds and prints their URLs until Ctrl-C.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEMO_DIR = REPO / "demo"
FEEDS_DIR = DEMO_DIR / "feeds"
DEMO_CONFIG_DIR = DEMO_DIR / "config"
FEEDS_URL_PLACEHOLDER = "@@DEMO_FEEDS_URL@@"

_DATE_TOKEN = re.compile(r"@@(RFC822|ISO):-(\d+)([hm])@@")
_CONTENT_TYPES = {".xml": "application/rss+xml; charset=utf-8", ".atom": "application/atom+xml; charset=utf-8"}


def render_dates(text: str, now: datetime) -> str:
    """Replace `@@RFC822:-Nh@@` / `@@ISO:-Nm@@` tokens with the date N hours/minutes before `now` (UTC)."""

    def repl(m: re.Match[str]) -> str:
        amount = int(m.group(2))
        when = now - (timedelta(hours=amount) if m.group(3) == "h" else timedelta(minutes=amount))
        when = when.astimezone(UTC).replace(microsecond=0)
        return format_datetime(when, usegmt=True) if m.group(1) == "RFC822" else when.isoformat().replace("+00:00", "Z")

    return _DATE_TOKEN.sub(repl, text)


def render_feeds(feeds_dir: Path, now: datetime) -> dict[str, bytes]:
    """URL path -> rendered body for every feed file in `feeds_dir`."""
    out = {}
    for path in sorted(feeds_dir.iterdir()):
        if path.suffix in _CONTENT_TYPES:
            out[f"/{path.name}"] = render_dates(path.read_text(encoding="utf-8"), now).encode("utf-8")
    return out


class DemoFeedServer:
    """Serves rendered feeds with ETag validators (so the second poll is a 304, like a real publisher)."""

    def __init__(self, feeds: dict[str, bytes], host: str = "127.0.0.1", port: int = 0) -> None:
        self.feeds = feeds
        self.hits: dict[str, int] = {}
        etags = {p: '"' + hashlib.sha1(b).hexdigest()[:16] + '"' for p, b in feeds.items()}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                server.hits[path] = server.hits.get(path, 0) + 1
                body = server.feeds.get(path)
                if body is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if self.headers.get("If-None-Match") == etags[path]:
                    self.send_response(304)
                    self.send_header("ETag", etags[path])
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", _CONTENT_TYPES[Path(path).suffix])
                self.send_header("ETag", etags[path])
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._httpd = ThreadingHTTPServer((host, port), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="demo-feeds", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> DemoFeedServer:
        self._thread.start()
        return self

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@dataclass
class WebhookReceiver:
    """A local HTTP endpoint that records every JSON POST (the demo's alert target)."""

    host: str = "127.0.0.1"
    port: int = 0
    received: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        receiver = self
        self._lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    payload: Any = json.loads(raw or b"null")
                except ValueError:
                    payload = raw.decode("utf-8", "replace")
                with receiver._lock:
                    receiver.received.append({"path": self.path, "payload": payload, "at": time.time()})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "11")
                self.end_headers()
                self.wfile.write(b'{"ok":true}')

        self._httpd = ThreadingHTTPServer((self.host, self.port), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="demo-webhook", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/hook"

    def count(self) -> int:
        with self._lock:
            return len(self.received)

    def start(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def write_demo_config(dest: Path, feeds_base_url: str, rules_dir: Path | None = None) -> Path:
    """Fill `dest` with the demo feeds.yaml/alerts.yaml (feed URLs pointing at the server) and the real rules."""
    rules_dir = rules_dir or REPO / "config"
    dest.mkdir(parents=True, exist_ok=True)
    for src in sorted(DEMO_CONFIG_DIR.glob("*.yaml")):
        text = src.read_text(encoding="utf-8").replace(FEEDS_URL_PLACEHOLDER, feeds_base_url)
        (dest / src.name).write_text(text, encoding="utf-8")
    for name in ("topics.yaml", "entities.yaml"):  # always fresh copies: the rules may have changed
        shutil.copyfile(rules_dir / name, dest / name)
    return dest


def main() -> None:
    server = DemoFeedServer(render_feeds(FEEDS_DIR, datetime.now(UTC))).start()
    for path in server.feeds:
        print(server.base_url + path)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.close()


if __name__ == "__main__":
    main()
