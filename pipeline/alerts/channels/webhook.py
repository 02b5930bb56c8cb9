"""The webhook channel: a JSON POST with an `Idempotency-Key`, in the generic shape or Slack's (`slack: true`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

import httpx
from pydantic import Field, field_validator, model_validator

from pipeline.alerts.channels.base import DeliveryError, host_of, tls_context
from pipeline.alerts.message import AlertMessage
from pipeline.alerts.render import slack_payload, webhook_payload
from pipeline.core import settings
from pipeline.core.config import StrictModel


class WebhookChannelConfig(StrictModel):
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


@dataclass(slots=True)
class WebhookChannel:
    """POST JSON with an `Idempotency-Key` header; any non-2xx answer or transport error is a DeliveryError."""

    name: str
    url: str
    slack: bool = False
    timeout_seconds: float = 10.0
    _client: httpx.Client | None = field(default=None, repr=False)

    def describe(self) -> str:
        return f"{'slack ' if self.slack else ''}webhook {self.name!r} -> {host_of(self.url)}"

    def send(self, msg: AlertMessage) -> None:
        body = slack_payload(msg) if self.slack else webhook_payload(msg)
        headers = {"Idempotency-Key": msg.idempotency_key, "User-Agent": "newsmon-alerts/1"}
        target = f"webhook to {host_of(self.url)}"
        if self._client is None:  # one keep-alive client per channel per run
            self._client = httpx.Client(timeout=self.timeout_seconds, follow_redirects=False, verify=tls_context())
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


def unavailable_reason(name: str, cfg: WebhookChannelConfig, env: Mapping[str, str] | None) -> str | None:
    """Why the channel cannot be built: its `url_env` variable is not set."""
    if cfg.url_env and not settings.get(cfg.url_env, env):
        return f"channel {name!r} needs the environment variable {cfg.url_env}, which is not set"
    return None


def build(name: str, cfg: WebhookChannelConfig, env: Mapping[str, str] | None) -> WebhookChannel:
    """The channel, its URL from the config or from the environment variable `url_env`."""
    url = cfg.url or settings.get(str(cfg.url_env), env) or ""
    return WebhookChannel(name, url, slack=cfg.slack, timeout_seconds=cfg.timeout_seconds)
