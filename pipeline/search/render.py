"""Text rendering of a search result for a terminal (rich): summary, a table of stories with highlighted
snippets, facet lists, the histogram's active buckets and the next-page token."""

from __future__ import annotations

import html
import io
import json
import re
from typing import Any

from pipeline.search.service import SearchResult


def _rich_snippet(snippet: str) -> Any:
    """HTML-escaped `<em>` snippet -> rich Text with the matches in bold."""
    from rich.text import Text

    text = Text()
    for i, part in enumerate(re.split(r"</?em>", snippet)):
        text.append(html.unescape(part), style="bold yellow" if i % 2 else "")
    return text


def render_text(result: SearchResult, *, color: bool = False, width: int = 120) -> str:
    """A readable rendering: summary line, a table of stories with snippets, then facet lists."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    buf = io.StringIO()
    console = Console(file=buf, force_terminal=color, no_color=not color, width=width, highlight=False)
    shown = f"{len(result.hits)} shown"
    console.print(
        f"{result.total_stories} stories ({result.total_articles} articles), {shown}, sorted by {result.sort}"
        + (" — query truncated" if result.truncated else "")
    )
    if result.hits:
        table = Table(show_lines=False, expand=False)
        table.add_column("#", justify="right")
        table.add_column("Published (UTC)", no_wrap=True)
        table.add_column("Source")
        table.add_column("Story")
        table.add_column("Topics")
        table.add_column("Outlets", justify="right")
        for n, hit in enumerate(result.hits, 1):
            cell = Text()
            title = hit.highlights.get("title", [])
            cell.append_text(_rich_snippet(title[0]) if title else Text(hit.title, style="bold"))
            for snip in hit.highlights.get("text", []):
                cell.append("\n… ")
                cell.append_text(_rich_snippet(snip))
                cell.append(" …")
            if hit.url:
                cell.append("\n" + hit.url, style="dim")
            published = (hit.published_at or "")[:16].replace("T", " ")
            table.add_row(str(n), published, hit.source, cell, ", ".join(hit.topics), str(hit.outlets))
        console.print(table)
    else:
        console.print("No matching stories.")
    for name, label in (
        ("topics", "Topics"),
        ("persons", "People"),
        ("orgs", "Organisations"),
        ("places", "Places"),
        ("sources", "Sources"),
        ("languages", "Languages"),
    ):
        values = result.facets.get(name) or []
        if values:
            console.print(f"{label}: " + ", ".join(f"{v} ({c})" for v, c in values))
    if result.histogram:
        active = [b for b in result.histogram if b.stories]
        if active:
            cut = 13 if result.interval == "hour" else 10
            console.print(f"By {result.interval}: " + ", ".join(f"{b.date[:cut]} ({b.stories})" for b in active[-14:]))
    if result.next_search_after is not None:
        console.print("More: --after '" + json.dumps(result.next_search_after) + "'")
    return buf.getvalue()
