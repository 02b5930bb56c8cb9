"""The `newsmon` command line: every pipeline job runs from here without Airflow.

Exit codes: 0 success, 1 runtime failure, 2 bad usage or config (the message names the file, line or key).
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from pipeline.config import ConfigError

app = typer.Typer(
    name="newsmon",
    help="News monitoring for Myanmar, ASEAN and Russian diplomacy: feeds -> topics -> entities -> search -> alerts.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
es_app = typer.Typer(help="The local single-node Elasticsearch for development and tests.", no_args_is_help=True)
app.add_typer(es_app, name="es")


def _err(msg: str) -> None:
    typer.echo(f"newsmon: {msg}", err=True)


def _fail(msg: str, code: int = 1) -> typer.Exit:
    _err(msg)
    return typer.Exit(code)


# ---------------------------------------------------------------- es


@es_app.command("start")
def es_start() -> None:
    """Download (once), start and wait for the local node on 127.0.0.1; idempotent."""
    from pipeline import esnode

    try:
        typer.echo(esnode.start(esnode.NodeConfig.from_env(), progress=lambda m: typer.echo(m, err=True)))
    except esnode.NodeError as exc:
        raise _fail(str(exc)) from None


@es_app.command("stop")
def es_stop() -> None:
    """Stop the local node started by `newsmon es start`."""
    from pipeline import esnode

    typer.echo(esnode.stop(esnode.NodeConfig.from_env()))


@es_app.command("status")
def es_status(as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False) -> None:
    """Say whether the node answers; exit 1 if it does not."""
    from pipeline import esnode

    cfg = esnode.NodeConfig.from_env()
    running, text = esnode.status(cfg)
    if as_json:
        typer.echo(json.dumps({"running": running, "url": cfg.url, "status": text}))
    else:
        typer.echo(text)
    if not running:
        raise typer.Exit(1)


@es_app.command("fetch")
def es_fetch() -> None:
    """Download and unpack the pinned distribution into the cache (no start); prints its modules."""
    from pipeline import esnode

    cfg = esnode.NodeConfig.from_env()
    try:
        home = esnode.install(cfg, progress=lambda m: typer.echo(m, err=True))
    except esnode.NodeError as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"Elasticsearch {cfg.version} at {home}; modules: {', '.join(esnode.modules(cfg))}")


@es_app.command("setup")
def es_setup() -> None:
    """Create the index templates, indices and aliases for NEWSMON_INDEX_PREFIX (idempotent)."""
    from pipeline import store
    from pipeline.settings import Settings

    settings = Settings.from_env()
    es = store.connect(settings)
    try:
        store.ping(es)
        created = store.ensure_indices(es, store.IndexNames(settings.index_prefix))
    except store.StoreError as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"indices for prefix {settings.index_prefix!r}: " + (", ".join(created) or "already present"))


def main() -> None:
    """Console entry point: maps config errors to exit code 2."""
    try:
        app()
    except ConfigError as exc:
        _err(f"invalid config: {exc}")
        sys.exit(2)


if __name__ == "__main__":
    main()
