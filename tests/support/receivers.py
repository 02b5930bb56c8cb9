"""Real local receivers for alert tests: a webhook HTTP server and an SMTP server, both on 127.0.0.1.

- `WebhookReceiver`: a threaded `http.server` that records every request (path, headers, JSON body) and answers
  from a programmable script, e.g. `receiver.fail_next(500, 500)` -> 500, 500, then 200 for everything after.
- `SmtpServer`: an aiosmtpd `Controller` capturing each message (envelope + parsed `EmailMessage`), with
  optional AUTH (`user`/`password`) so login can be checked.

Fixtures `webhook_receiver` and `smtp_server` start one per test and stop it afterwards.
"""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass(slots=True)
class Received:
    """One request the webhook receiver got, and what it answered."""

    path: str
    headers: dict[str, str]
    body: bytes
    status: int

    def json(self) -> Any:
        return json.loads(self.body)


class WebhookReceiver:
    """HTTP server on 127.0.0.1 recording POSTs; answers follow `script`, then `default_status`."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.script: list[int] = []
        self.default_status = 200
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver._lock:
                    status = receiver.script.pop(0) if receiver.script else receiver.default_status
                    receiver.requests.append(
                        Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body, status)
                    )
                payload = b'{"ok": true}' if status < 300 else b'{"error": "scripted failure"}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/hook/secret-token"

    def fail_next(self, *statuses: int) -> None:
        """Answer the next requests with these statuses (e.g. 500, 500), then `default_status` again."""
        with self._lock:
            self.script.extend(statuses)

    @property
    def accepted(self) -> list[Received]:
        """Requests answered with 2xx (what counts as delivered)."""
        return [r for r in self.requests if 200 <= r.status < 300]

    def start(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@dataclass(slots=True)
class CapturedMail:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    authenticated_as: str | None


@dataclass(slots=True)
class _Handler:
    messages: list[CapturedMail] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        auth = getattr(session, "auth_data", None)
        login = auth.login.decode() if isinstance(auth, LoginPassword) else None
        self.messages.append(CapturedMail(envelope.mail_from, list(envelope.rcpt_tos), msg, login))  # type: ignore[arg-type]
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SmtpServer:
    """aiosmtpd on 127.0.0.1 capturing messages; with `user`/`password` it offers AUTH (no TLS needed)."""

    def __init__(self, user: str | None = None, password: str | None = None) -> None:
        self.handler = _Handler()
        self.host = "127.0.0.1"
        self.port = _free_port()
        kwargs: dict[str, Any] = {}
        if user:
            def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
                ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user
                      and auth_data.password.decode() == password)
                return AuthResult(success=ok, handled=False, auth_data=auth_data)

            kwargs = {"authenticator": authenticator, "auth_require_tls": False}
        self._controller = Controller(self.handler, hostname=self.host, port=self.port, **kwargs)

    @property
    def messages(self) -> list[CapturedMail]:
        return self.handler.messages

    def env(self) -> dict[str, str]:
        """NEWSMON_SMTP_* values pointing at this server."""
        return {"NEWSMON_SMTP_HOST": self.host, "NEWSMON_SMTP_PORT": str(self.port)}

    def start(self) -> SmtpServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    """A fresh local webhook receiver (127.0.0.1, random port); `.url`, `.requests`, `.fail_next(...)`."""
    r = WebhookReceiver().start()
    yield r
    r.stop()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A fresh local SMTP server (127.0.0.1) capturing messages in `.messages`; `.env()` for NEWSMON_SMTP_*."""
    s = SmtpServer().start()
    yield s
    s.stop()
