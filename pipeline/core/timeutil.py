"""Dates and durations: the one duration parser (same units in every command) and the UTC/ISO helpers.

Pure functions only: nothing here reads the clock (time is always an argument).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

UNITS: dict[str, str] = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$", re.IGNORECASE)
DURATION_HELP = "a positive number and a unit s, m, h, d or w (e.g. 30s, 15m, 24h, 7d, 2w)"


class DurationError(ValueError):
    """A duration string that is not `<positive number><unit>`; the message quotes it."""


def parse_duration(text: str) -> timedelta:
    """`"30s"`, `"15m"`, `"24h"`, `"7d"`, `"2w"` (any case) -> timedelta; `DurationError` otherwise."""
    m = _DURATION.match(text or "")
    if not m or int(m.group(1)) == 0:
        raise DurationError(f"invalid duration {text!r}: expected {DURATION_HELP}")
    return timedelta(**{UNITS[m.group(2).lower()]: int(m.group(1))})


def to_utc(dt: datetime) -> datetime:
    """An aware UTC datetime (naive values are taken as UTC)."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def to_utc_opt(dt: datetime | None) -> datetime | None:
    """`to_utc` that passes `None` through."""
    return None if dt is None else to_utc(dt)


def iso(dt: datetime | None) -> str | None:
    """ISO-8601 with its offset as given (Elasticsearch date fields), or `None`."""
    return dt.isoformat() if dt else None


def iso_utc(dt: datetime | None) -> str | None:
    """ISO-8601 in UTC (`+00:00`), or `None`."""
    return to_utc(dt).isoformat() if dt is not None else None


def iso_z(dt: datetime) -> str:
    """ISO-8601 in UTC with a `Z` suffix (query bounds, messages)."""
    return to_utc(dt).isoformat().replace("+00:00", "Z")


def parse_iso(value: Any) -> datetime | None:
    """An ISO-8601 string (`Z` allowed) or datetime -> aware UTC datetime; empty -> `None`."""
    if not value:
        return None
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return to_utc(parsed)
