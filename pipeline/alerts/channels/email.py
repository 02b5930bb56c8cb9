"""The email channel: multipart (plain + HTML) mail over SMTP; server, port, login and STARTTLS from NEWSMON_SMTP_*."""

from __future__ import annotations

import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime
from typing import Literal

from pydantic import ConfigDict, Field, field_validator

from pipeline.alerts.channels.base import DeliveryError, tls_context
from pipeline.alerts.message import AlertMessage
from pipeline.alerts.render import render_html, render_text
from pipeline.core import settings
from pipeline.core.config import StrictModel

# fold only really long headers (the stdlib folds an 80-char subject right after "Subject:")
MAIL_POLICY = SMTP_POLICY.clone(max_line_length=200)


class EmailChannelConfig(StrictModel):
    """Email over SMTP; server, port, user, password and STARTTLS come from NEWSMON_SMTP_* env vars."""

    model_config = ConfigDict(populate_by_name=True)

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
        em = EmailMessage(policy=MAIL_POLICY)
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
                    smtp.starttls(context=tls_context())
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


def unavailable_reason(name: str, cfg: EmailChannelConfig, env: Mapping[str, str] | None) -> str | None:
    """Why the channel cannot be built: NEWSMON_SMTP_HOST is not set."""
    if not settings.get("NEWSMON_SMTP_HOST", env):
        return f"channel {name!r} needs the environment variable NEWSMON_SMTP_HOST, which is not set"
    return None


def build(name: str, cfg: EmailChannelConfig, env: Mapping[str, str] | None) -> EmailChannel:
    """The channel with its SMTP server and login from the environment (port 587 by default with STARTTLS)."""
    starttls = settings.bool_value("NEWSMON_SMTP_STARTTLS", env)
    port_text = settings.get("NEWSMON_SMTP_PORT", env) or ("587" if starttls else "25")
    try:
        port = int(port_text)
    except ValueError:
        raise DeliveryError(name, "smtp", f"NEWSMON_SMTP_PORT is not a number: {port_text!r}") from None
    return EmailChannel(
        name,
        sender=cfg.from_,
        to=tuple(cfg.to),
        host=settings.get("NEWSMON_SMTP_HOST", env) or "",
        port=port,
        user=settings.get("NEWSMON_SMTP_USER", env),
        password=settings.get("NEWSMON_SMTP_PASSWORD", env),
        starttls=starttls,
        subject_prefix=cfg.subject_prefix,
        timeout_seconds=cfg.timeout_seconds,
    )
