"""Alert channels, one module each: `webhook` (generic and Slack JSON), `email` (SMTP), `log`.

Each channel module holds its config model (a `type:` literal in alerts.yaml), its channel class, an
`unavailable_reason` (what the environment lacks) and a `build` function. Adding a channel is one module plus
one entry in `ChannelConfig` and `_MODULES` below. Secrets (webhook URLs, SMTP passwords) come from the
environment via `pipeline.core.settings`, never from alerts.yaml, and no error message carries them.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType
from typing import Annotated

from pydantic import Field

from pipeline.alerts.channels import email, log, webhook
from pipeline.alerts.channels.base import Channel, DeliveryError
from pipeline.alerts.channels.email import EmailChannel, EmailChannelConfig
from pipeline.alerts.channels.log import LogChannel, LogChannelConfig
from pipeline.alerts.channels.webhook import WebhookChannel, WebhookChannelConfig

__all__ = [
    "Channel",
    "ChannelConfig",
    "DeliveryError",
    "EmailChannel",
    "EmailChannelConfig",
    "LogChannel",
    "LogChannelConfig",
    "WebhookChannel",
    "WebhookChannelConfig",
    "make_channel",
    "unavailable_reason",
]

ChannelConfig = Annotated[WebhookChannelConfig | EmailChannelConfig | LogChannelConfig, Field(discriminator="type")]

_MODULES: dict[str, ModuleType] = {"webhook": webhook, "email": email, "log": log}


def unavailable_reason(name: str, cfg: ChannelConfig, env: Mapping[str, str] | None = None) -> str | None:
    """Why a channel cannot be built from this environment (a missing env var), or None when it can."""
    reason: str | None = _MODULES[cfg.type].unavailable_reason(name, cfg, env)
    return reason


def make_channel(name: str, cfg: ChannelConfig, env: Mapping[str, str] | None = None) -> Channel:
    """Build the channel `name` from its config and the environment (the default `channels_factory`)."""
    reason = unavailable_reason(name, cfg, env)
    if reason:
        raise DeliveryError(name, "not configured", reason)
    channel: Channel = _MODULES[cfg.type].build(name, cfg, env)
    return channel
