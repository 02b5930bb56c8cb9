"""`newsmon search`: turn the options into a `SearchRequest`, run it, print JSON or text, return the exit code.

Exit codes: 0 ok, 1 Elasticsearch failure (the message names the URL), 2 bad usage (a bad `--since`, date,
sort, size or `--after` token), checked before any network request.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime

from pipeline.core.settings import Settings
from pipeline.index import store
from pipeline.search.query import SearchError, SearchRequest, build_query, parse_date
from pipeline.search.render import render_text
from pipeline.search.service import search


def _err(msg: str) -> None:
    print(f"newsmon: {msg}", file=sys.stderr)


def run_search_cli(
    query: str,
    *,
    topic: list[str],
    entity: list[str],
    source: list[str],
    lang: list[str],
    since: str | None,
    date_from: str | None,
    date_to: str | None,
    sort: str,
    size: int,
    as_json: bool,
    now: datetime,
    after: str | None = None,
) -> int:
    """Body of `newsmon search`: 0 ok, 1 Elasticsearch failure (names the URL), 2 bad usage."""
    try:
        token = None
        if after:
            try:
                token = json.loads(after)
            except json.JSONDecodeError as exc:
                raise SearchError(f"invalid --after token {after!r}: not JSON") from exc
        req = SearchRequest(
            query=query or "",
            topics=list(topic or []),
            entities=list(entity or []),
            sources=list(source or []),
            languages=list(lang or []),
            since=since,
            date_from=parse_date(date_from) if date_from else None,
            date_to=parse_date(date_to, end_of_day=True) if date_to else None,
            sort=sort,
            size=size,
            search_after=token,
            language_analyzers=Settings.from_env().es_language_analyzers,
        )
        build_query(req, now)  # validate before touching the network
    except SearchError as exc:
        _err(str(exc))
        return 2
    settings = Settings.from_env()
    index = store.IndexNames(settings.index_prefix).articles
    try:
        with store.connect(settings, max_retries=1, request_timeout=20) as es:  # closed on the way out
            result = search(es, index, req, now)
    except SearchError as exc:
        _err(str(exc))
        return 2
    except store.StoreError as exc:
        msg = str(exc)
        if settings.es_url not in msg:
            msg = f"{msg} (NEWSMON_ES_URL={settings.es_url})"
        _err(msg)
        return 1
    if as_json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(render_text(result, color=sys.stdout.isatty()))
    return 0
