"""`newsmon kibana setup`: import the saved objects, print what Kibana reported, return the exit code.

Exit codes: 0 every object imported, 1 Kibana unreachable, answered an HTTP error, or reported import errors
(the message names the URL).
"""

from __future__ import annotations

import sys
from pathlib import Path

from pipeline.core.settings import Settings
from pipeline.kibana.assets import KibanaError, default_url, setup_kibana


def run_kibana_setup_cli(url: str | None = None, *, prefix: str | None = None, assets_dir: Path | None = None) -> int:
    """Body of `newsmon kibana setup [--url URL]` (default NEWSMON_KIBANA_URL): 0 all imported, 1 otherwise.
    Logs in to Kibana as NEWSMON_ES_USER_NAME / NEWSMON_ES_PASSWORD when both are set (security on)."""
    settings = Settings.from_env()
    auth = (settings.es_username, settings.es_password) if settings.es_username and settings.es_password else None
    try:
        report = setup_kibana(
            url or default_url(), prefix=prefix or settings.index_prefix, assets_dir=assets_dir, auth=auth
        )
    except KibanaError as exc:
        print(f"newsmon: {exc}", file=sys.stderr)
        return 1
    print(
        f"Kibana {report['url']}: imported {report['successCount']}/{report['objects']} saved objects "
        f"for {report['alias']}"
    )
    for err in report["errors"]:
        print(f"  error: {err['type']} {err['id']}: {err['error']}", file=sys.stderr)
    return 0 if report["success"] else 1
