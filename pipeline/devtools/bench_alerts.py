"""The benchmark's alert rules (`newsmon bench`): benchmark code kept out of `pipeline.alerts`."""

from __future__ import annotations

from pipeline.alerts.rules import AlertsFile, parse_alert_rules


def bench_rules(webhook_url: str) -> AlertsFile:
    """Every monitored story, per story, to a (local) webhook, with no settle delay."""
    return parse_alert_rules(
        {
            "settings": {"settle_seconds": 0, "overlap_minutes": 5},
            "channels": {"bench-hook": {"type": "webhook", "url": webhook_url}},
            "rules": [{"name": "bench-all", "channel": "bench-hook", "mode": "per_story"}],
        },
        "<bench>",
    )
