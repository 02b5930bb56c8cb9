"""The log channel: the plain-text alert on the `newsmon.alerts` logger (development, audits)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from pipeline.alerts.message import AlertMessage
from pipeline.alerts.render import render_text
from pipeline.core.config import StrictModel

alert_log = logging.getLogger("newsmon.alerts")


class LogChannelConfig(StrictModel):
    """Write the alert text to the `newsmon.alerts` logger (development, audits)."""

    type: Literal["log"]
    level: Literal["DEBUG", "INFO", "WARNING"] = "INFO"


@dataclass(slots=True)
class LogChannel:
    """Logs the plain-text alert on the `newsmon.alerts` logger."""

    name: str
    level: str = "INFO"

    def describe(self) -> str:
        return f"log {self.name!r}"

    def send(self, msg: AlertMessage) -> None:
        alert_log.log(logging.getLevelName(self.level), "%s", render_text(msg))


def unavailable_reason(name: str, cfg: LogChannelConfig, env: Mapping[str, str] | None) -> str | None:
    """Always available: the log channel needs nothing from the environment."""
    return None


def build(name: str, cfg: LogChannelConfig, env: Mapping[str, str] | None) -> LogChannel:
    return LogChannel(name, level=cfg.level)
