"""The Kibana test double: a real HTTP server that answers the saved-objects import like Kibana does, and
what the tests compare uploads with (the committed asset files)."""

from __future__ import annotations

import email.parser
import email.policy
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from pipeline.kibana.assets import NDJSON_NAME, RULE_NAME

ASSETS = Path(__file__).resolve().parents[2] / "kibana"
NDJSON = ASSETS / NDJSON_NAME
RULE = ASSETS / RULE_NAME


def objects() -> list[dict[str, Any]]:
    """The committed saved objects."""
    return [json.loads(line) for line in NDJSON.read_text(encoding="utf-8").splitlines() if line.strip()]


@dataclass
class FakeKibana:
    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    answer: dict[str, Any] | None = None  # None: success with the number of objects received


@contextmanager
def running_fake_kibana() -> Iterator[FakeKibana]:
    """A real HTTP server on 127.0.0.1 that accepts the multipart import like Kibana does."""
    state = FakeKibana(url="")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            ctype = self.headers.get("Content-Type", "")
            msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + raw
            )
            files = {
                part.get_param("name", header="content-disposition"): (part.get_filename(), part.get_content())
                for part in (msg.iter_parts() if msg.is_multipart() else [])
            }
            split = urlsplit(self.path)
            state.requests.append(
                {"path": split.path, "query": parse_qs(split.query), "headers": dict(self.headers), "files": files}
            )
            if "file" in files:
                content = files["file"][1]
                lines = [
                    json.loads(x) for x in (content if isinstance(content, str) else content.decode()).splitlines()
                ]
            else:
                lines = []
            body = state.answer or {
                "success": True,
                "successCount": len(lines),
                "successResults": [{"type": o["type"], "id": o["id"]} for o in lines],
            }
            data = json.dumps(body).encode()
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def fake_kibana() -> Iterator[FakeKibana]:
    with running_fake_kibana() as state:
        yield state


def uploaded_objects(req: dict[str, Any]) -> list[dict[str, Any]]:
    filename, content = req["files"]["file"]
    assert filename.endswith(".ndjson")
    text = content if isinstance(content, str) else content.decode()
    return [json.loads(line) for line in text.splitlines()]
