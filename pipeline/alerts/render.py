"""Rendering an `AlertMessage`: plain text, HTML, the generic webhook JSON and Slack's Block Kit JSON.

Pure functions (no I/O): channels call them, and tests check them without a network.
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any

from pipeline.alerts.message import MAX_EVIDENCE_PER_TOPIC, AlertMessage, StorySummary, outlets_phrase

# Heading of each entity facet key (`pipeline.core.vocab.FACET_KEYS`); an unknown key shows as itself.
FACET_HEADINGS: dict[str, str] = {
    "person": "People",
    "org": "Organisations",
    "gpe": "Places",
    "loc": "Locations",
    "norp": "Groups",
    "event": "Events",
}
SLACK_MAX_STORIES = 40  # Slack allows 50 blocks per message


def when(iso_text: str | None) -> str:
    """`2026-11-02 08:05 UTC` from an ISO-8601 string (`unknown` when absent; unparsable text as is)."""
    if not iso_text:
        return "unknown"
    try:
        dt = datetime.fromisoformat(iso_text.replace("Z", "+00:00"))
    except ValueError:
        return iso_text
    return dt.strftime("%Y-%m-%d %H:%M %Z").strip() if dt.tzinfo else dt.strftime("%Y-%m-%d %H:%M")


def _entities_line(s: StorySummary) -> str:
    return "; ".join(f"{FACET_HEADINGS.get(k, k)}: {', '.join(v)}" for k, v in s.entities)


def _links(s: StorySummary) -> tuple[tuple[str, str], ...]:
    return s.links or ((s.outlets[0] if s.outlets else "link", s.url),)


def _story_lines(s: StorySummary) -> list[str]:
    lines = [
        s.headline,
        f"{outlets_phrase(s)}: {', '.join(s.outlets) or 'unknown'}",
        f"Published: {when(s.published_at)}",
    ]
    if s.topics:
        lines.append("Why it matched:")
        for t in s.topics:
            lines.append(f"  - {t.name} (score {t.score:.1f})")
            lines.extend(f"      {e}" for e in t.evidence)
    if s.entities:
        lines.append("Key entities: " + _entities_line(s))
    lines.append("Links:")
    lines.extend(f"  - {src}: {url}" for src, url in _links(s))
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
    out = [
        f'<html><body style="font-family:sans-serif"><p style="color:#555">newsmon alert &middot; rule '
        f"<b>{e(msg.rule)}</b>{' &middot; digest' if msg.mode == 'digest' else ''}"
        f"{' &middot; TEST MESSAGE' if msg.mode == 'test' else ''}</p>"
    ]
    for s in msg.stories:
        out.append(f'<h2><a href="{e(s.url, quote=True)}">{e(s.headline)}</a></h2>')
        out.append(
            f"<p><b>{e(outlets_phrase(s))}</b>: {e(', '.join(s.outlets))}<br>Published: {e(when(s.published_at))}</p>"
        )
        if s.topics:
            out.append("<p><b>Why it matched</b></p><ul>")
            for t in s.topics:
                ev = "".join(f"<li>{e(x)}</li>" for x in t.evidence)
                out.append(f"<li>{e(t.name)} (score {t.score:.1f})" + (f"<ul>{ev}</ul>" if ev else "") + "</li>")
            out.append("</ul>")
        if s.entities:
            out.append(
                "<p><b>Key entities</b>: "
                + "; ".join(f"{e(FACET_HEADINGS.get(k, k))}: {e(', '.join(v))}" for k, v in s.entities)
                + "</p>"
            )
        out.append(
            "<ul>"
            + "".join(f'<li>{e(src)}: <a href="{e(u, quote=True)}">{e(u)}</a></li>' for src, u in _links(s))
            + "</ul>"
        )
    out.append(f'<p style="color:#999;font-size:small">Alert key {e(msg.idempotency_key)}</p></body></html>')
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
        lines = [
            f"*<{s.url}|{_mrkdwn(s.headline)}>*",
            f"{outlets_phrase(s)}: {_mrkdwn(', '.join(s.outlets))} · published {when(s.published_at)}",
        ]
        for t in s.topics:
            ev = "; ".join(t.evidence[:MAX_EVIDENCE_PER_TOPIC])
            lines.append(f"• *{_mrkdwn(t.name)}* ({t.score:.1f})" + (f": {_mrkdwn(ev)}" if ev else ""))
        if s.entities:
            lines.append("Entities: " + _mrkdwn(_entities_line(s)))
        if len(s.links) > 1:
            lines.append("Also: " + ", ".join(f"<{u}|{_mrkdwn(src)}>" for src, u in s.links[1:]))
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)[:2900]}})
    if len(msg.stories) > SLACK_MAX_STORIES:
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": f"…and {len(msg.stories) - SLACK_MAX_STORIES} more"}}
        )
    blocks.append(
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": f"newsmon rule `{_mrkdwn(msg.rule)}` · key `{msg.idempotency_key}`"}
            ],
        }
    )
    return {"text": _mrkdwn(f"newsmon [{msg.rule}]: {msg.subject}"), "blocks": blocks}
