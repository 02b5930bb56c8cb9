"""What every alert channel shares: the `Channel` protocol, `DeliveryError`, and the host/TLS helpers."""

from __future__ import annotations

import ssl
from functools import cache
from typing import Protocol
from urllib.parse import urlsplit

from pipeline.alerts.message import AlertMessage


class DeliveryError(Exception):
    """A channel could not deliver; the message names the channel and target host (never a secret)."""

    def __init__(self, channel: str, target: str, reason: str):
        self.channel = channel
        self.target = target
        self.reason = reason
        super().__init__(f"channel {channel!r} ({target}): {reason}")


class Channel(Protocol):
    """Something that delivers an `AlertMessage` or raises `DeliveryError`."""

    name: str

    def send(self, msg: AlertMessage) -> None: ...

    def describe(self) -> str: ...


def host_of(url: str) -> str:
    """`host:port` of a URL, for messages: the path and query of a webhook URL are secrets."""
    parts = urlsplit(url)
    return parts.hostname + (f":{parts.port}" if parts.port else "") if parts.hostname else "unknown host"


@cache
def tls_context() -> ssl.SSLContext:
    """One TLS context per process (building one costs ~60 ms)."""
    return ssl.create_default_context()
