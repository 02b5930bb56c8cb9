"""Alert channels (the I/O edge of alerting): generic/Slack webhook, email over SMTP, and a log channel.

`pipeline.alerts.engine` decides WHAT to send and records it in the ledger; this module only renders an `AlertMessage`
(one story, or a digest of several) and sends it. Every channel raises `DeliveryError` on failure, naming the
channel and its target host, never a secret (webhook URLs and SMTP passwords come from the environment).

Rendering is pure (`render_text`, `render_html`, `webhook_payload`, `slack_payload`); sending is the only I/O.
"""

from __future__ import annotations

import html
import logging
import os
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime
from functools import cache
from typing import Annotated, Any, Literal, Protocol
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

log = logging.getLogger(__name__)
alert_log = logging.getLogger("newsmon.alerts")

ENTITY_LABELS = {
    "person": "People",
    "org": "Organisations",
    "gpe": "Places",
    "loc": "Locations",
    "norp": "Groups",
    "event": "Events",
}
MAX_EVIDENCE_PER_TOPIC = 4
MAX_ENTITIES_PER_TYPE = 5
MAX_LINKS = 5
SLACK_MAX_STORIES = 40  # Slack allows 50 blocks per message
# fold only really long headers (the stdlib folds an 80-char subject right after "Subject:")
_MAIL_POLICY = SMTP_POLICY.clone(max_line_length=200)
# Environment variables the channels read (name -> help), for the README's settings table.
ENV_VARS: dict[str, str] = {
    "NEWSMON_WEBHOOK_URL": "Webhook URL of the example `desk-webhook` alert channel (secret; rules skipped if unset).",
    "NEWSMON_SMTP_HOST": "SMTP server for email alert channels (email rules are skipped if unset).",
    "NEWSMON_SMTP_PORT": "SMTP port (default 25, or 587 with STARTTLS).",
    "NEWSMON_SMTP_USER": "SMTP login user (optional).",
    "NEWSMON_SMTP_PASSWORD": "SMTP login password (optional, secret).",
    "NEWSMON_SMTP_STARTTLS": "1/true to upgrade the SMTP connection with STARTTLS.",
}


class DeliveryError(Exception):
    """A channel could not deliver; the message names the channel and target host (never a secret)."""

    def __init__(self, channel: str, target: str, reason: str):
        self.channel = channel
        self.target = target
        self.reason = reason
        super().__init__(f"channel {channel!r} ({target}): {reason}")


# ---------------------------------------------------------------- channel config (validated with alerts.yaml)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class WebhookChannelConfig(_Strict):
    """JSON POST to a URL (`url`, or better `url_env` naming an env var); `slack: true` for Slack's shape."""

    type: Literal["webhook"]
    url: str | None = None
    url_env: str | None = None
    slack: bool = False
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)

    @field_validator("url")
    @classmethod
    def _http_url(cls, v: str | None) -> str | None:
        if v is not None and urlsplit(v).scheme not in ("http", "https"):
            raise ValueError("must be an http(s) URL")
        return v

    @model_validator(mode="after")
    def _one_target(self) -> WebhookChannelConfig:
        if bool(self.url) == bool(self.url_env):
            raise ValueError("give exactly one of `url` or `url_env`")
        return self


class EmailChannelConfig(_Strict):
    """Email over SMTP; server, port, user, password and STARTTLS come from NEWSMON_SMTP_* env vars."""

    type: Literal["email"]
    from_: str = Field(alias="from")
    to: list[str] = Field(min_length=1)
    subject_prefix: str = "[newsmon]"
    timeout_seconds: float = Field(default=20.0, gt=0, le=300)

    @field_validator("from_")
    @classmethod
    def _addr(cls, v: str) -> str:
        if "@" not in v:
            raise ValueError("must be an email address")
        return v

    @field_validator("to")
    @classmethod
    def _addrs(cls, v: list[str]) -> list[str]:
        bad = [a for a in v if "@" not in a]
        if bad:
            raise ValueError(f"not email addresses: {bad}")
        return v


class LogChannelConfig(_Strict):
    """Write the alert text to the `newsmon.alerts` logger (development, audits)."""

    type: Literal["log"]
    level: Literal["DEBUG", "INFO", "WARNING"] = "INFO"


ChannelConfig = Annotated[
    WebhookChannelConfig | EmailChannelConfig | LogChannelConfig, Field(discriminator="type")
]


def unavailable_reason(name: str, cfg: ChannelConfig, env: Mapping[str, str] | None = None) -> str | None:
    """Why a channel cannot be built from this environment (a missing env var), or None when it can."""
    env = os.environ if env is None else env
    if isinstance(cfg, WebhookChannelConfig) and cfg.url_env and not env.get(cfg.url_env):
        return f"channel {name!r} needs the environment variable {cfg.url_env}, which is not set"
    if isinstance(cfg, EmailChannelConfig) and not env.get("NEWSMON_SMTP_HOST"):
        return f"channel {name!r} needs the environment variable NEWSMON_SMTP_HOST, which is not set"
    return None


# ---------------------------------------------------------------- messages


@dataclass(frozen=True, slots=True)
class TopicHit:
    """A topic the story matched, its score and readable evidence lines."""

    name: str
    score: float
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StorySummary:
    """What an analyst needs about one story: headline, outlets, time, topics with evidence, entities, links."""

    story_id: str
    headline: str
    url: str
    published_at: str | None  # ISO-8601
    outlets: tuple[str, ...]
    links: tuple[tuple[str, str], ...] = ()  # (outlet, url)
    topics: tuple[TopicHit, ...] = ()
    entities: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (facet key, canonical names)

    def to_dict(self) -> dict[str, Any]:
        return {
            "story_id": self.story_id,
            "headline": self.headline,
            "url": self.url,
            "published_at": self.published_at,
            "outlets_count": len(self.outlets),
            "outlets": list(self.outlets),
            "links": [{"source": s, "url": u} for s, u in self.links],
            "topics": [{"name": t.name, "score": t.score, "evidence": list(t.evidence)} for t in self.topics],
            "entities": {k: list(v) for k, v in self.entities},
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> StorySummary:
        return cls(
            story_id=str(d["story_id"]),
            headline=str(d.get("headline") or ""),
            url=str(d.get("url") or ""),
            published_at=d.get("published_at"),
            outlets=tuple(d.get("outlets") or ()),
            links=tuple((str(x["source"]), str(x["url"])) for x in d.get("links") or ()),
            topics=tuple(
                TopicHit(str(t["name"]), float(t.get("score") or 0.0), tuple(t.get("evidence") or ()))
                for t in d.get("topics") or ()
            ),
            entities=tuple((str(k), tuple(v)) for k, v in (d.get("entities") or {}).items() if v),
        )


@dataclass(frozen=True, slots=True)
class AlertMessage:
    """One delivery: a single story (`per_story`) or several (`digest`), keyed for idempotent receivers."""

    rule: str
    mode: str  # "per_story" | "digest" | "test"
    idempotency_key: str
    generated_at: datetime
    stories: tuple[StorySummary, ...]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def subject(self) -> str:
        if len(self.stories) == 1 and self.mode != "digest":
            s = self.stories[0]
            return f"{s.headline} ({_outlets_phrase(s)})"
        return f"{len(self.stories)} new stories for {self.rule}"


def _outlets_phrase(s: StorySummary) -> str:
    n = len(s.outlets)
    return f"{n} outlet" if n == 1 else f"{n} outlets"


def _when(iso_text: str | None) -> str:
    if not iso_text:
        return "unknown"
    try:
        dt = datetime.fromisoformat(iso_text.replace("Z", "+00:00"))
    except ValueError:
        return iso_text
    return dt.strftime("%Y-%m-%d %H:%M %Z").strip() if dt.tzinfo else dt.strftime("%Y-%m-%d %H:%M")


def _story_lines(s: StorySummary) -> list[str]:
    lines = [
        s.headline,
        f"{_outlets_phrase(s)}: {', '.join(s.outlets) or 'unknown'}",
        f"Published: {_when(s.published_at)}",
    ]
    if s.topics:
        lines.append("Why it matched:")
        for t in s.topics:
            lines.append(f"  - {t.name} (score {t.score:.1f})")
            lines.extend(f"      {e}" for e in t.evidence)
    if s.entities:
        lines.append("Key entities: " + "; ".join(f"{ENTITY_LABELS.get(k, k)}: {', '.join(v)}" for k, v in s.entities))
    links = s.links or ((s.outlets[0] if s.outlets else "link", s.url),)
    lines.append("Links:")
    lines.extend(f"  - {src}: {url}" for src, url in links)
    return lines


def render_text(msg: AlertMessage) -> str:
    """Plain-text body (email text part, log channel, Slack fallback)."""
    head = f"newsmon alert - rule {msg.rule}"
    if msg.mode == "digest":
        head += f" - digest of {len(msg.stories)} stories"
    if msg.mode == "test":
        head += " - TEST MESSAGE (sample story)"
    parts = [head, ""]
    for i, s in enumerate(msg.stories):
        if i:
            parts.append("")
        parts.extend(_story_lines(s))
    parts += ["", f"Alert key: {msg.idempotency_key}"]
    return "\n".join(parts) + "\n"


def render_html(msg: AlertMessage) -> str:
    """HTML body for email (escaped; inline styles only)."""
    e = html.escape
    out = [f"<html><body style=\"font-family:sans-serif\"><p style=\"color:#555\">newsmon alert &middot; rule "
           f"<b>{e(msg.rule)}</b>{' &middot; digest' if msg.mode == 'digest' else ''}"
           f"{' &middot; TEST MESSAGE' if msg.mode == 'test' else ''}</p>"]
    for s in msg.stories:
        out.append(f"<h2><a href=\"{e(s.url, quote=True)}\">{e(s.headline)}</a></h2>")
        out.append(f"<p><b>{e(_outlets_phrase(s))}</b>: {e(', '.join(s.outlets))}<br>"
                   f"Published: {e(_when(s.published_at))}</p>")
        if s.topics:
            out.append("<p><b>Why it matched</b></p><ul>")
            for t in s.topics:
                ev = "".join(f"<li>{e(x)}</li>" for x in t.evidence)
                out.append(f"<li>{e(t.name)} (score {t.score:.1f})" + (f"<ul>{ev}</ul>" if ev else "") + "</li>")
            out.append("</ul>")
        if s.entities:
            out.append("<p><b>Key entities</b>: " + "; ".join(
                f"{e(ENTITY_LABELS.get(k, k))}: {e(', '.join(v))}" for k, v in s.entities) + "</p>")
        links = s.links or ((s.outlets[0] if s.outlets else "link", s.url),)
        out.append("<ul>" + "".join(f"<li>{e(src)}: <a href=\"{e(u, quote=True)}\">{e(u)}</a></li>"
                                    for src, u in links) + "</ul>")
    out.append(f"<p style=\"color:#999;font-size:small\">Alert key {e(msg.idempotency_key)}</p></body></html>")
    return "\n".join(out)


def webhook_payload(msg: AlertMessage) -> dict[str, Any]:
    """The generic webhook JSON body (versioned; `stories` always a list)."""
    return {
        "type": "newsmon.alert",
        "version": 1,
        "rule": msg.rule,
        "mode": msg.mode,
        "idempotency_key": msg.idempotency_key,
        "generated_at": msg.generated_at.isoformat(),
        "subject": msg.subject,
        "text": render_text(msg),
        "stories": [s.to_dict() for s in msg.stories],
    }


def _mrkdwn(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(msg: AlertMessage) -> dict[str, Any]:
    """A Slack-compatible body: `text` (fallback/notification) plus Block Kit `blocks`."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": msg.subject[:150], "emoji": False}}
    ]
    for s in msg.stories[:SLACK_MAX_STORIES]:
        lines = [f"*<{s.url}|{_mrkdwn(s.headline)}>*",
                 f"{_outlets_phrase(s)}: {_mrkdwn(', '.join(s.outlets))} · published {_when(s.published_at)}"]
        for t in s.topics:
            ev = "; ".join(t.evidence[:MAX_EVIDENCE_PER_TOPIC])
            lines.append(f"• *{_mrkdwn(t.name)}* ({t.score:.1f})" + (f": {_mrkdwn(ev)}" if ev else ""))
        if s.entities:
            lines.append("Entities: " + _mrkdwn("; ".join(f"{ENTITY_LABELS.get(k, k)}: {', '.join(v)}"
                                                          for k, v in s.entities)))
        if len(s.links) > 1:
            lines.append("Also: " + ", ".join(f"<{u}|{_mrkdwn(src)}>" for src, u in s.links[1:]))
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)[:2900]}})
    if len(msg.stories) > SLACK_MAX_STORIES:
        blocks.append({"type": "section", "text": {"type": "mrkdwn",
                                                   "text": f"…and {len(msg.stories) - SLACK_MAX_STORIES} more"}})
    blocks.append({"type": "context", "elements": [
        {"type": "mrkdwn", "text": f"newsmon rule `{_mrkdwn(msg.rule)}` · key `{msg.idempotency_key}`"}]})
    return {"text": _mrkdwn(f"newsmon [{msg.rule}]: {msg.subject}"), "blocks": blocks}


# ---------------------------------------------------------------- channels


class Channel(Protocol):
    """Something that delivers an `AlertMessage` or raises `DeliveryError`."""

    name: str

    def send(self, msg: AlertMessage) -> None: ...

    def describe(self) -> str: ...


def _host_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.hostname + (f":{parts.port}" if parts.port else "") if parts.hostname else "unknown host"


@cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context per process (building one costs ~60 ms)."""
    return ssl.create_default_context()


@dataclass(slots=True)
class WebhookChannel:
    """POST JSON with an `Idempotency-Key` header; any non-2xx answer or transport error is a DeliveryError."""

    name: str
    url: str
    slack: bool = False
    timeout_seconds: float = 10.0
    _client: httpx.Client | None = field(default=None, repr=False)

    def describe(self) -> str:
        return f"{'slack ' if self.slack else ''}webhook {self.name!r} -> {_host_of(self.url)}"

    def send(self, msg: AlertMessage) -> None:
        body = slack_payload(msg) if self.slack else webhook_payload(msg)
        headers = {"Idempotency-Key": msg.idempotency_key, "User-Agent": "newsmon-alerts/1"}
        target = f"webhook to {_host_of(self.url)}"
        if self._client is None:  # one keep-alive client per channel per run
            self._client = httpx.Client(timeout=self.timeout_seconds, follow_redirects=False, verify=_tls_context())
        try:
            resp = self._client.post(self.url, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryError(self.name, target, f"{type(exc).__name__}: request failed") from None
        if not 200 <= resp.status_code < 300:
            raise DeliveryError(self.name, target, f"HTTP {resp.status_code}")

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


@dataclass(slots=True)
class EmailChannel:
    """Multipart (plain + HTML) email over SMTP with optional STARTTLS and login, settings from env."""

    name: str
    sender: str
    to: tuple[str, ...]
    host: str
    port: int = 25
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    subject_prefix: str = "[newsmon]"
    timeout_seconds: float = 20.0

    def describe(self) -> str:
        return f"email {self.name!r} -> smtp {self.host}:{self.port} ({len(self.to)} recipients)"

    def build(self, msg: AlertMessage) -> EmailMessage:
        em = EmailMessage(policy=_MAIL_POLICY)
        em["Subject"] = f"{self.subject_prefix} {msg.subject}".strip()
        em["From"] = self.sender
        em["To"] = ", ".join(self.to)
        em["Date"] = format_datetime(msg.generated_at)
        em["Message-ID"] = f"<{msg.idempotency_key}@newsmon.local>"  # stable across retries: clients dedupe
        em["X-Newsmon-Alert-Key"] = msg.idempotency_key
        em.set_content(render_text(msg))
        em.add_alternative(render_html(msg), subtype="html")
        return em

    def send(self, msg: AlertMessage) -> None:
        target = f"smtp {self.host}:{self.port}"
        em = self.build(msg)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout_seconds) as smtp:
                if self.starttls:
                    smtp.starttls(context=_tls_context())
                if self.user:
                    smtp.login(self.user, self.password or "")
                refused = smtp.send_message(em)
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(self.name, target, f"authentication failed ({exc.smtp_code})") from None
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(self.name, target, f"SMTP {exc.smtp_code}") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(self.name, target, f"{type(exc).__name__}: {exc}") from None
        if refused:
            raise DeliveryError(self.name, target, f"recipients refused: {sorted(refused)}")


@dataclass(slots=True)
class LogChannel:
    """Logs the plain-text alert on the `newsmon.alerts` logger."""

    name: str
    level: str = "INFO"

    def describe(self) -> str:
        return f"log {self.name!r}"

    def send(self, msg: AlertMessage) -> None:
        alert_log.log(logging.getLevelName(self.level), "%s", render_text(msg))


def _truthy(v: str | None) -> bool:
    return (v or "").strip().lower() in ("1", "true", "yes", "on")


def make_channel(name: str, cfg: ChannelConfig, env: Mapping[str, str] | None = None) -> Channel:
    """Build the channel `name` from its config and the environment (the default `channels_factory`)."""
    env = os.environ if env is None else env
    reason = unavailable_reason(name, cfg, env)
    if reason:
        raise DeliveryError(name, "not configured", reason)
    if isinstance(cfg, WebhookChannelConfig):
        url = cfg.url or env[str(cfg.url_env)]
        return WebhookChannel(name, url, slack=cfg.slack, timeout_seconds=cfg.timeout_seconds)
    if isinstance(cfg, EmailChannelConfig):
        starttls = _truthy(env.get("NEWSMON_SMTP_STARTTLS"))
        port_text = env.get("NEWSMON_SMTP_PORT") or ("587" if starttls else "25")
        try:
            port = int(port_text)
        except ValueError:
            raise DeliveryError(name, "smtp", f"NEWSMON_SMTP_PORT is not a number: {port_text!r}") from None
        return EmailChannel(
            name,
            sender=cfg.from_,
            to=tuple(cfg.to),
            host=env["NEWSMON_SMTP_HOST"],
            port=port,
            user=env.get("NEWSMON_SMTP_USER") or None,
            password=env.get("NEWSMON_SMTP_PASSWORD") or None,
            starttls=starttls,
            subject_prefix=cfg.subject_prefix,
            timeout_seconds=cfg.timeout_seconds,
        )
    return LogChannel(name, level=cfg.level)
