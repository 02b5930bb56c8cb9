"""Channels against real local servers: webhook (generic + Slack shape), email over SMTP, log; config checks."""

from __future__ import annotations

import logging
import socket

import pytest
from pydantic import TypeAdapter, ValidationError

from pipeline.alerts.channels import (
    ChannelConfig,
    DeliveryError,
    EmailChannel,
    WebhookChannel,
    make_channel,
    unavailable_reason,
)
from tests.alerts.helpers import MSG, STORY
from tests.support.receivers import SmtpServer, WebhookReceiver


def channel_cfg(data: dict[str, object]) -> ChannelConfig:
    return TypeAdapter(ChannelConfig).validate_python(data)


def test_webhook_posts_json_with_idempotency_key(webhook_receiver: WebhookReceiver):
    WebhookChannel("desk", webhook_receiver.url).send(MSG)
    (req,) = webhook_receiver.requests
    assert req.headers["idempotency-key"] == "key-123"
    assert req.headers["content-type"] == "application/json"
    body = req.json()
    assert body["type"] == "newsmon.alert" and body["version"] == 1 and body["idempotency_key"] == "key-123"
    story = body["stories"][0]
    assert story["outlets_count"] == 3 and story["topics"][0]["evidence"] == ['title: "ASEAN" (asean.org, +3.0)']
    assert story["entities"]["gpe"] == ["Myanmar", "Naypyidaw"]
    assert body["subject"] == f"{STORY.headline} (3 outlets)"


def test_slack_payload_shape(webhook_receiver: WebhookReceiver):
    WebhookChannel("slack", webhook_receiver.url, slack=True).send(MSG)
    body = webhook_receiver.requests[0].json()
    assert set(body) == {"text", "blocks"}
    assert body["text"].startswith("newsmon [asean-myanmar]: ASEAN envoy")
    kinds = [b["type"] for b in body["blocks"]]
    assert kinds == ["header", "section", "context"]
    assert body["blocks"][0]["text"]["type"] == "plain_text"
    section = body["blocks"][1]["text"]
    assert section["type"] == "mrkdwn"
    link = "<https://wire-a.example/news/1|ASEAN envoy meets &lt;Myanmar&gt; generals &amp; opposition>"
    assert link in section["text"]
    assert "3 outlets" in section["text"] and "<https://daily-b.example/2|Daily B>" in section["text"]
    assert webhook_receiver.requests[0].headers["idempotency-key"] == "key-123"


def test_webhook_failures_raise_delivery_error_naming_host_not_secret(webhook_receiver: WebhookReceiver):
    webhook_receiver.fail_next(500)
    with pytest.raises(DeliveryError) as err:
        WebhookChannel("desk", webhook_receiver.url).send(MSG)
    assert "'desk'" in str(err.value) and "127.0.0.1" in str(err.value) and "HTTP 500" in str(err.value)
    assert "secret-token" not in str(err.value)
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}/hook/secret-token"
    with pytest.raises(DeliveryError, match="ConnectError") as err2:
        WebhookChannel("desk", dead, timeout_seconds=2).send(MSG)
    assert "secret-token" not in str(err2.value)


def test_email_is_multipart_with_headline(smtp_server: SmtpServer):
    cfg = channel_cfg({"type": "email", "from": "newsmon@example.org", "to": ["desk@example.org"]})
    channel = make_channel("mail", cfg, smtp_server.env())
    assert isinstance(channel, EmailChannel) and channel.port == smtp_server.port
    channel.send(MSG)
    (mail,) = smtp_server.messages
    assert mail.mail_from == "newsmon@example.org" and mail.rcpt_tos == ["desk@example.org"]
    msg = mail.message
    assert msg.get_content_type() == "multipart/alternative"
    assert msg["Subject"] == f"[newsmon] {STORY.headline} (3 outlets)"
    plain, html = msg.get_body(("plain",)), msg.get_body(("html",))
    assert plain is not None and html is not None
    assert STORY.headline in plain.get_content() and "Why it matched" in plain.get_content()
    assert "<h2>" in html.get_content()
    assert msg["X-Newsmon-Alert-Key"] == "key-123" and msg["Message-ID"] == "<key-123@newsmon.local>"
    assert mail.authenticated_as is None


def test_email_logs_in_with_env_credentials():
    server = SmtpServer(user="alerts", password="s3cret").start()
    try:
        cfg = channel_cfg({"type": "email", "from": "newsmon@example.org", "to": ["desk@example.org"]})
        env = {**server.env(), "NEWSMON_SMTP_USER": "alerts", "NEWSMON_SMTP_PASSWORD": "s3cret"}
        make_channel("mail", cfg, env).send(MSG)
        assert [m.authenticated_as for m in server.messages] == ["alerts"]
        bad = {**env, "NEWSMON_SMTP_PASSWORD": "wrong"}
        with pytest.raises(DeliveryError, match="authentication failed") as err:
            make_channel("mail", cfg, bad).send(MSG)
        assert "wrong" not in str(err.value) and f"127.0.0.1:{server.port}" in str(err.value)
        assert len(server.messages) == 1
    finally:
        server.stop()


def test_email_to_dead_server_raises_delivery_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    channel = EmailChannel("mail", "a@example.org", ("b@example.org",), "127.0.0.1", port, timeout_seconds=2)
    with pytest.raises(DeliveryError, match=rf"'mail' \(smtp 127.0.0.1:{port}\)"):
        channel.send(MSG)


def test_log_channel_writes_the_text(caplog: pytest.LogCaptureFixture):
    with caplog.at_level(logging.INFO, logger="newsmon.alerts"):
        make_channel("log", channel_cfg({"type": "log"})).send(MSG)
    assert any(STORY.headline in r.getMessage() for r in caplog.records)


def test_channel_config_validation_and_missing_env():
    with pytest.raises(ValidationError, match="exactly one of"):
        channel_cfg({"type": "webhook", "url": "https://h.example/x", "url_env": "X"})
    with pytest.raises(ValidationError, match="http"):
        channel_cfg({"type": "webhook", "url": "ftp://h.example/x"})
    with pytest.raises(ValidationError, match="email address"):
        channel_cfg({"type": "email", "from": "nobody", "to": ["a@example.org"]})
    hook = channel_cfg({"type": "webhook", "url_env": "NEWSMON_WEBHOOK_URL"})
    assert "NEWSMON_WEBHOOK_URL" in (unavailable_reason("h", hook, {}) or "")
    with pytest.raises(DeliveryError, match="NEWSMON_WEBHOOK_URL"):
        make_channel("h", hook, {})
    mail = channel_cfg({"type": "email", "from": "a@example.org", "to": ["b@example.org"]})
    assert "NEWSMON_SMTP_HOST" in (unavailable_reason("m", mail, {}) or "")
    starttls = make_channel("m", mail, {"NEWSMON_SMTP_HOST": "mail.example", "NEWSMON_SMTP_STARTTLS": "true"})
    assert isinstance(starttls, EmailChannel) and starttls.starttls and starttls.port == 587
    assert "secret" not in make_channel("h", hook, {"NEWSMON_WEBHOOK_URL": "https://hooks.example/secret"}).describe()
