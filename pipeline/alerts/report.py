"""What an alert run did (`AlertRunReport`, per rule `RuleReport`) and the `newsmon alerts list` table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pipeline.core.timeutil import parse_iso


@dataclass(slots=True)
class RuleReport:
    """Counts for one rule in one run."""

    matched: int = 0  # stories matching in this window
    new: int = 0  # ledger entries created
    skipped_existing: int = 0  # stories already alerted or queued (409)
    delivered: int = 0  # ledger entries delivered this run
    failed: int = 0  # ledger entries whose delivery failed this run
    messages: int = 0  # messages sent (a digest is one message for many entries)
    window: tuple[str, str] | None = None
    skipped: str | None = None  # why the rule did not run (disabled, channel not configured)
    errors: list[str] = field(default_factory=list)


@dataclass(slots=True)
class AlertRunReport:
    """What one `run_alerts` did, per rule; `summary()` prints it, `exit_code` is 1 if a delivery failed."""

    now: datetime
    rules: dict[str, RuleReport] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def rule(self, name: str) -> RuleReport:
        return self.rules.setdefault(name, RuleReport())

    def total(self, key: str) -> int:
        return sum(int(getattr(r, key)) for r in self.rules.values())

    @property
    def failed(self) -> int:
        """Ledger entries whose delivery failed in this run (they are retried later)."""
        return self.total("failed")

    @property
    def exit_code(self) -> int:
        return 1 if self.total("failed") or any(r.errors for r in self.rules.values()) else 0

    def to_dict(self) -> dict[str, Any]:
        keys = ("matched", "new", "skipped_existing", "delivered", "failed", "messages")
        return {
            "now": self.now.isoformat(),
            "rules": {
                n: {
                    **{k: getattr(r, k) for k in keys},
                    "window": list(r.window) if r.window else None,
                    "skipped": r.skipped,
                    "errors": list(r.errors),
                }
                for n, r in self.rules.items()
            },
            "totals": {k: self.total(k) for k in keys},
            "warnings": list(self.warnings),
        }

    def summary(self) -> str:
        head = f"{'rule':<28} {'matched':>7} {'new':>5} {'existing':>8} {'delivered':>9} {'failed':>6}"
        lines = [f"alerts run at {self.now.isoformat()}", head]
        for name, r in self.rules.items():
            if r.skipped:
                lines.append(f"{name:<28} skipped: {r.skipped}")
                continue
            lines.append(f"{name:<28} {r.matched:>7} {r.new:>5} {r.skipped_existing:>8} {r.delivered:>9} {r.failed:>6}")
            lines.extend(f"{'':<28} error: {e}" for e in r.errors)
        lines.append(
            f"{'total':<28} {self.total('matched'):>7} {self.total('new'):>5} "
            f"{self.total('skipped_existing'):>8} {self.total('delivered'):>9} {self.total('failed'):>6}"
        )
        return "\n".join(lines)


def render_deliveries(rows: Sequence[Mapping[str, Any]]) -> str:
    """A compact table for `newsmon alerts list` (rows from `ledger.list_deliveries`)."""
    if not rows:
        return "no alerts recorded yet"
    lines = [f"{'status':<10} {'tries':>5} {'rule':<24} {'when (UTC)':<17} {'latency':>8}  title"]
    for r in rows:
        when = parse_iso(r.get("delivered_at") if r.get("status") == "delivered" else r.get("next_attempt_at"))
        lat = (r.get("timing") or {}).get("index_to_alert_s")
        lines.append(
            f"{r.get('status', '?'):<10} {r.get('attempts') or 0:>5} {str(r.get('rule'))[:24]:<24} "
            f"{when.astimezone(UTC).strftime('%Y-%m-%d %H:%M') if when else '-':<17} "
            f"{f'{lat:.0f}s' if isinstance(lat, int | float) else '-':>8}  {str(r.get('title') or '')[:70]}"
        )
        if r.get("status") != "delivered" and r.get("last_error"):
            lines.append(f"{'':<10} last error: {r['last_error']}")
    n_open = sum(1 for r in rows if r.get("status") != "delivered")
    lines.append(f"{n_open} pending/failed, {len(rows) - n_open} delivered shown")
    return "\n".join(lines)
