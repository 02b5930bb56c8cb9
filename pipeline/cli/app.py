"""The `newsmon` command line: every pipeline job runs from here without Airflow.

Exit codes: 0 success, 1 runtime failure, 2 bad usage or config (the message names the file, line or key).
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pipeline.core.config import ConfigError
from pipeline.index.names import IndexNames

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

    from pipeline.devtools.cluster import ClusterConfig

app = typer.Typer(
    name="newsmon",
    help="News monitoring for Myanmar, ASEAN and Russian diplomacy: feeds -> topics -> entities -> search -> alerts.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
es_app = typer.Typer(help="The local Elasticsearch (one node, or a secured cluster) for development and tests.",
                     no_args_is_help=True)
app.add_typer(es_app, name="es")


def _err(msg: str) -> None:
    typer.echo(f"newsmon: {msg}", err=True)


def _fail(msg: str, code: int = 1) -> typer.Exit:
    _err(msg)
    return typer.Exit(code)


# ---------------------------------------------------------------- es


NodesOpt = Annotated[int, typer.Option("--nodes", min=1, help="1: the plain single node; N>1: a secured N-node "
                                                                 "cluster (TLS, users, roles) on consecutive ports.")]


def _cluster(nodes: int) -> ClusterConfig:
    from pipeline.devtools import cluster

    return cluster.ClusterConfig.from_env(nodes=nodes)


def _cluster_nodes() -> int:
    """How many nodes the cluster set up for NEWSMON_ES_URL's port has (0 when none was set up)."""
    from pipeline.devtools import cluster

    cfg = cluster.ClusterConfig.from_env(nodes=1)
    return len(list(cfg.dir.glob("node-*/config"))) if cluster.is_set_up(cfg) else 0


@es_app.command("start")
def es_start(nodes: NodesOpt = 1) -> None:
    """Download (once), start and wait for the local node (or secured N-node cluster) on 127.0.0.1; idempotent."""
    from pipeline.devtools import esnode

    try:
        if nodes > 1:
            from pipeline.devtools import cluster

            typer.echo(cluster.start(_cluster(nodes), progress=lambda m: typer.echo(m, err=True)))
        else:
            typer.echo(esnode.start(esnode.NodeConfig.from_env(), progress=lambda m: typer.echo(m, err=True)))
    except esnode.NodeError as exc:
        raise _fail(str(exc)) from None


@es_app.command("stop")
def es_stop(nodes: Annotated[int, typer.Option("--nodes", help="Cluster size (default: what was set up).")] = 0,
            ) -> None:  # fmt: skip
    """Stop the local node, or every node of the local cluster, started by `newsmon es start`."""
    from pipeline.devtools import esnode

    n = nodes or _cluster_nodes()
    if n > 1:
        from pipeline.devtools import cluster

        typer.echo(cluster.stop(_cluster(n)))
    typer.echo(esnode.stop(esnode.NodeConfig.from_env()))


@es_app.command("status")
def es_status(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    nodes: Annotated[int, typer.Option("--nodes", help="Cluster size (default: what was set up).")] = 0,
) -> None:
    """Say whether the node (or the cluster, listing its nodes) answers; exit 1 if it does not."""
    from pipeline.devtools import esnode

    n = nodes or _cluster_nodes()
    if n > 1:
        from pipeline.devtools import cluster

        ccfg = _cluster(n)
        running, text = cluster.status(ccfg)
        url = ",".join(ccfg.urls)
    else:
        cfg = esnode.NodeConfig.from_env()
        running, text = esnode.status(cfg)
        url = cfg.url
    if as_json:
        typer.echo(json.dumps({"running": running, "url": url, "status": text}))
    else:
        typer.echo(text)
    if not running:
        raise typer.Exit(1)


@es_app.command("fetch")
def es_fetch() -> None:
    """Download and unpack the pinned distribution into the cache (no start); prints its modules."""
    from pipeline.devtools import esnode

    cfg = esnode.NodeConfig.from_env()
    try:
        home = esnode.install(cfg, progress=lambda m: typer.echo(m, err=True))
    except esnode.NodeError as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"Elasticsearch {cfg.version} at {home}; modules: {', '.join(esnode.modules(cfg))}")


@es_app.command("setup")
def es_setup() -> None:
    """Create the index templates, indices and aliases for NEWSMON_INDEX_PREFIX (idempotent)."""
    from pipeline.core.settings import Settings
    from pipeline.index import store

    settings = Settings.from_env()
    es = store.connect(settings)
    try:
        store.ping(es)
        created = store.ensure_indices(es, IndexNames(settings.index_prefix), settings)
    except store.StoreError as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"indices for prefix {settings.index_prefix!r}: " + (", ".join(created) or "already present"))


# ---------------------------------------------------------------- ingestion


FeedsOpt = Annotated[str | None, typer.Option("--feeds", help="Feeds file (default: config/feeds.yaml).")]


def _es_or_fail() -> tuple[Elasticsearch, IndexNames]:
    """A client for the configured cluster that answered a health check, and the prefix's names; exit 1 if not."""
    from pipeline.core.settings import Settings
    from pipeline.index import store

    settings = Settings.from_env()
    es = store.connect(settings)
    try:
        store.ping(es)
    except store.StoreError as exc:
        raise _fail(f"{exc} (set NEWSMON_ES_URL, or start the local node with `newsmon es start`)") from None
    return es, IndexNames(settings.index_prefix)


@app.command("run")
def run_cmd(
    once: Annotated[bool, typer.Option("--once", help="One full ingestion pass (no Airflow).")] = False,
    feeds: FeedsOpt = None,
    feed: Annotated[list[str] | None, typer.Option("--feed", help="Only this feed (repeatable).")] = None,
    workers: Annotated[int, typer.Option(help="Concurrent fetches.")] = 8,
    cpu_workers: Annotated[int, typer.Option("--cpu-workers", help="Processes for parse..index (1 = in-process).")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable summary.")] = False,
) -> None:
    """Fetch every enabled feed, detect, extract, cluster and index; print per-feed and per-status counts."""
    if not once:
        raise _fail("`newsmon run` needs --once (scheduled runs are the Airflow DAG: `make run`)", 2)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from pipeline.core.records import FeedOutcome, ItemOutcome
    from pipeline.index import store
    from pipeline.ingest.feeds import load_feeds
    from pipeline.jobs.parallel import run_once
    from pipeline.jobs.runner import totals
    from pipeline.jobs.stages import Components, FeedRun
    from pipeline.jobs.tasks import utcnow

    feeds_file = load_feeds(feeds)
    es, names = _es_or_fail()
    enabled = [f for f in feeds_file.enabled() if not feed or f.name in feed]
    if feed and len(enabled) != len(set(feed)):
        missing = sorted(set(feed) - {f.name for f in enabled})
        raise _fail(f"unknown or disabled feed(s): {', '.join(missing)}", 2)
    console = Console(stderr=True)
    runs: list[FeedRun] = []
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, disable=not console.is_terminal or as_json) as progress:
        task = progress.add_task("ingesting feeds", total=len(enabled))

        def on_feed(r: FeedRun) -> None:
            progress.update(task, advance=1, description=f"ingesting feeds ({r.feed}: {r.outcome})")

        try:
            runs = run_once(feeds_file, es=es, names=names, comps=Components(), now=utcnow(), max_workers=workers,
                            on_feed=on_feed, only=feed, cpu_workers=cpu_workers)
        except store.StoreError as exc:
            raise _fail(str(exc)) from None
    total = totals(runs)
    failed = [r for r in runs if r.outcome == FeedOutcome.ERROR]
    if as_json:
        typer.echo(json.dumps({"feeds": [r.summary() for r in runs], "totals": total.counts,
                               "failed_feeds": len(failed)}, indent=2))
    else:
        out = Console()
        table = Table(title=f"newsmon run --once: {len(runs)} feeds")
        shown = (ItemOutcome.INDEXED, ItemOutcome.UPDATED, ItemOutcome.DUPLICATE, ItemOutcome.ARCHIVED,
                 ItemOutcome.FAILED)
        for col in ("feed", "outcome", "items", *shown, "error"):
            table.add_column(str(col))
        for r in runs:
            c = r.counts.counts
            items = sum(c.get(k, 0) for k in shown)
            table.add_row(r.feed, str(r.outcome), str(items), *(str(c.get(k, 0)) for k in shown),
                          (r.error or "")[:80])
        out.print(table)
        out.print("totals: " + ", ".join(f"{k}={v}" for k, v in sorted(total.counts.items())))
    if failed:
        raise typer.Exit(1)


feeds_app = typer.Typer(help="Feed configuration and health.", no_args_is_help=True)
app.add_typer(feeds_app, name="feeds")


@feeds_app.command("status")
def feeds_status(
    feeds: FeedsOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Every feed's health: last success, last error, consecutive failures, items in 24 h, next poll."""
    from pipeline.ingest import health
    from pipeline.ingest.feeds import load_feeds
    from pipeline.jobs.tasks import utcnow

    feeds_file = load_feeds(feeds)
    es, names = _es_or_fail()
    rows = health.feed_health(es, names, feeds_file, utcnow())
    if as_json:
        typer.echo(json.dumps(rows, indent=2, default=str))
    else:
        typer.echo(health.render(rows))


# ---------------------------------------------------------------- classification


@app.command("classify")
def classify_cmd(
    input_path: Annotated[str, typer.Option("--input", help="JSON Lines file of articles, or - for stdin.")],
    output_path: Annotated[str, typer.Option("--output", help="Where to write JSON Lines, or - for stdout.")] = "-",
    no_entities: Annotated[bool, typer.Option("--no-entities", help="Skip spaCy (faster).")] = False,
) -> None:
    """Topics (with evidence), entities and story ids for each input line; offline (no ES, no network)."""
    from pipeline.jobs.classify import InputError, classify_records, read_jsonl, write_jsonl

    try:
        records = _read_input(input_path, read_jsonl)
    except InputError as exc:
        raise _fail(str(exc), 2) from None
    rows = classify_records(records, with_entities=not no_entities)
    if output_path == "-":
        write_jsonl(rows, sys.stdout)
    else:
        with open(output_path, "w", encoding="utf-8") as out:
            n = write_jsonl(rows, out)
        typer.echo(f"classified {n} articles -> {output_path}", err=True)


def _read_input(path: str, reader: object) -> list:  # type: ignore[type-arg]
    from pipeline.jobs.classify import read_jsonl

    if path == "-":
        return list(read_jsonl(sys.stdin, "<stdin>"))
    try:
        with open(path, encoding="utf-8") as fh:
            return list(read_jsonl(fh, path))
    except FileNotFoundError:
        raise _fail(f"{path}: file not found", 2) from None
    except UnicodeDecodeError as exc:
        raise _fail(f"{path}: not UTF-8 text ({exc.reason})", 2) from None


@app.command("eval")
def eval_cmd(
    input_path: Annotated[str | None, typer.Option("--input", help="JSON Lines with 'labels' per line.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    show_errors: Annotated[bool, typer.Option("--errors", help="List the remaining mistakes.")] = False,
    topics_file: Annotated[str | None, typer.Option("--topics", help="Rules file (default topics.yaml).")] = None,
    clusters: Annotated[str | None, typer.Option(
        "--clusters", help="Same-event clusters and 'not_duplicate' pairs (JSON Lines): score story grouping.")] = None,
    articles: Annotated[str | None, typer.Option(
        "--articles", help="The articles the clusters name (JSON Lines, as for classify).")] = None,
) -> None:
    """Topic detection against labelled lines (--input), or story grouping against same-event clusters
    (--clusters with --articles): precision, recall, F1 and, with --errors, what it got wrong and why."""
    if clusters or articles:
        if not (clusters and articles):
            raise _fail("--clusters and --articles go together", 2)
        _eval_clusters(clusters, articles, as_json, show_errors)
        return
    if not input_path:
        raise _fail("give --input FILE (topics) or --clusters FILE --articles FILE (stories)", 2)
    from pipeline.detect.detector import Detector, topic_names
    from pipeline.detect.evaluate import errors, evaluate
    from pipeline.jobs.classify import read_jsonl

    records = _read_input(input_path, read_jsonl)
    unlabelled = [r.id for r in records if r.labels is None]
    if unlabelled:
        raise _fail(f"{input_path}: {len(unlabelled)} line(s) have no 'labels' (first id {unlabelled[0]})", 2)
    from pipeline.jobs.classify import format_per_language, per_language, record_language

    detector = Detector.from_config(topics_file)
    gold = [set(r.labels or ()) for r in records]
    pred = [topic_names(detector.detect(r.title, r.text, lang=record_language(r))) for r in records]
    report = evaluate(gold, pred, list(detector.topics))
    mistakes = errors([r.id for r in records], gold, pred)
    # per-language scores when the lines carry `lang` (a multilingual set)
    by_lang = per_language(records, gold, pred, list(detector.topics)) if any(r.lang for r in records) else {}
    if as_json:
        data = report.to_dict()
        data["errors"] = [{"id": i, "topic": t, "kind": k} for i, t, k in mistakes]
        if by_lang:
            data["languages"] = {code: rep.to_dict() for code, rep in by_lang.items()}
        typer.echo(json.dumps(data, indent=2))
    else:
        typer.echo(report.format_table())
        if by_lang:
            typer.echo(format_per_language(by_lang))
        if show_errors:
            for i, t, k in mistakes:
                typer.echo(f"  {k} {t}: {i}")


def _eval_clusters(clusters: str, articles: str, as_json: bool, show_errors: bool) -> None:
    """`newsmon eval --clusters`: group the articles as classify does and score against the gold clusters."""
    from pathlib import Path

    from pipeline.jobs.classify import InputError, classify_records, read_jsonl
    from pipeline.stories.evaluate import parse_cluster_gold, score_clusters

    try:
        records = _read_input(articles, read_jsonl)
    except InputError as exc:
        raise _fail(str(exc), 2) from None
    try:
        gold = parse_cluster_gold(Path(clusters).read_text(encoding="utf-8").splitlines(), clusters)
    except OSError as exc:
        raise _fail(f"{clusters}: cannot read: {exc.strerror}", 2) from None
    except ValueError as exc:
        raise _fail(str(exc), 2) from None
    missing = sorted((set(gold.clusters) | {i for p in gold.apart for i in p}) - {r.id for r in records})
    if missing:
        raise _fail(f"{clusters}: ids not in {articles}: {', '.join(missing[:5])}", 2)
    rows = {row["id"]: row for row in classify_records(records)}
    langs = {i: str(r.get("lang") or "") for i, r in rows.items()}
    score = score_clusters(gold, {i: r["story_id"] for i, r in rows.items()}, _pair_explainer(records, rows), langs)
    if as_json:
        typer.echo(json.dumps(score.to_dict(), indent=2))
        return
    typer.echo(score.format_table())
    if show_errors:
        for e in score.errors:
            signals = ", ".join(f"{k} {v:+.2f}" if isinstance(v, float) else f"{k} {v}"
                                for k, v in e.get("signals", {}).items())
            typer.echo(f"  {e['kind']:<10} {e['a']} ~ {e['b']}: score {e.get('score', 0):.3f} ({signals})")


def _pair_explainer(records: list[Any], rows: dict[str, dict[str, Any]]) -> Any:
    """The similarity and signals of any two input articles (for the error list)."""
    from pipeline.core.records import Entity
    from pipeline.stories.candidate import parse_when
    from pipeline.stories.event import features, similarity

    feats = {}
    for r in records:
        ents = [Entity(e["text"], e["label"], e["canonical"], e.get("start", 0)) for e in rows[r.id]["entities"]]
        feats[r.id] = features(r.title, r.text, [(e.label, e.canonical, e.start) for e in ents],
                               parse_when(r.published), rows[r.id].get("lang"))

    def explain(a: str, b: str) -> dict[str, Any]:
        return similarity(feats[a], feats[b]).explain()

    return explain


@app.command("explain")
def explain_cmd(
    title: Annotated[str, typer.Option("--title", help="Headline.")] = "",
    text: Annotated[str, typer.Option("--text", help="Body text.")] = "",
) -> None:
    """Show, per topic, the score, threshold, reasons and every piece of evidence for one text."""
    from pipeline.detect.detector import Detector

    typer.echo(Detector.from_config().explain(title, text))


@app.command("reprocess")
def reprocess_cmd(
    since: Annotated[str, typer.Option("--since", help="Only items ingested in this window (e.g. 30d, 12h).")] = "30d",
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable counts.")] = False,
) -> None:
    """Re-detect stored items with the current rules (no refetch) and update the articles index in bulk."""
    from pipeline.core.timeutil import DurationError, parse_duration
    from pipeline.index import store
    from pipeline.jobs import reprocess
    from pipeline.jobs.tasks import utcnow

    try:
        window = parse_duration(since)
    except DurationError as exc:
        raise _fail(f"--since: {exc}", 2) from None
    es, names = _es_or_fail()
    try:
        counts = reprocess.reprocess(es, names, since=utcnow() - window, now=utcnow(), progress=not as_json)
    except store.StoreError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        typer.echo(json.dumps(counts, indent=2))
    else:
        typer.echo("reprocess: " + ", ".join(f"{k}={v}" for k, v in counts.items()))


# ---------------------------------------------------------------- search, kibana


@app.command("search")
def search_cmd(
    query: Annotated[str, typer.Argument(help="Words, \"phrases\", -exclude, a|b, prefix*; empty = everything.")] = "",
    topic: Annotated[list[str] | None, typer.Option("--topic", help="Topic filter (repeatable).")] = None,
    entity: Annotated[list[str] | None, typer.Option("--entity", help="Canonical entity name (repeatable).")] = None,
    source: Annotated[list[str] | None, typer.Option("--source", help="Source name or domain (repeatable).")] = None,
    lang: Annotated[list[str] | None, typer.Option("--lang", help="Language code (repeatable).")] = None,
    since: Annotated[str | None, typer.Option("--since", help="Relative window, e.g. 7d, 24h.")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="Published on/after (ISO date).")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Published on/before (ISO date).")] = None,
    sort: Annotated[str, typer.Option("--sort", help="relevance or newest.")] = "relevance",
    size: Annotated[int, typer.Option("--size", help="Stories per page.")] = 20,
    after: Annotated[str | None, typer.Option("--after", help="Page token printed by the previous page.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Stable JSON output.")] = False,
) -> None:
    """Full-text search over monitored stories with facet counts, highlights and outlet counts."""
    from pipeline.cli.search_cmd import run_search_cli
    from pipeline.jobs.tasks import utcnow

    code = run_search_cli(query, topic=topic or [], entity=entity or [], source=source or [], lang=lang or [],
                          since=since, date_from=date_from, date_to=date_to, sort=sort, size=size,
                          as_json=as_json, now=utcnow(), after=after)
    raise typer.Exit(code)


kibana_app = typer.Typer(help="Kibana saved objects.", no_args_is_help=True)
app.add_typer(kibana_app, name="kibana")


@kibana_app.command("setup")
def kibana_setup(
    url: Annotated[str | None, typer.Option("--url", help="Kibana base URL (default NEWSMON_KIBANA_URL).")] = None,
) -> None:
    """Import data views, saved searches and the dashboard (overwrite: idempotent)."""
    from pipeline.cli.kibana_cmd import run_kibana_setup_cli

    raise typer.Exit(run_kibana_setup_cli(url))


# ---------------------------------------------------------------- alerts

alerts_app = typer.Typer(help="Alert rules: run, test, list deliveries.", no_args_is_help=True)
app.add_typer(alerts_app, name="alerts")
RulesOpt = Annotated[str | None, typer.Option("--rules", help="Rules file (default config/alerts.yaml).")]


@alerts_app.command("run")
def alerts_run(rules: RulesOpt = None) -> None:
    """Evaluate the rules over newly indexed stories and deliver, exactly once per (rule, story)."""
    from pipeline.alerts.deliver import run_alerts
    from pipeline.alerts.rules import load_alert_rules
    from pipeline.jobs.tasks import utcnow

    rules_file = load_alert_rules(rules)
    es, names = _es_or_fail()
    report = run_alerts(es, names, rules_file, utcnow())  # type: ignore[arg-type]
    typer.echo(report.summary())
    if report.failed:
        raise typer.Exit(1)


@alerts_app.command("test")
def alerts_test(rule: Annotated[str, typer.Argument(help="Rule name.")], rules: RulesOpt = None) -> None:
    """Send a sample message through the rule's channel."""
    from pipeline.alerts.channels import DeliveryError
    from pipeline.alerts.deliver import send_test
    from pipeline.alerts.rules import load_alert_rules
    from pipeline.jobs.tasks import utcnow

    rules_file = load_alert_rules(rules)
    try:
        typer.echo(send_test(rule, rules_file, utcnow()))
    except KeyError:
        raise _fail(f"no rule named {rule!r} in the rules file", 2) from None
    except DeliveryError as exc:
        raise _fail(str(exc)) from None


@alerts_app.command("list")
def alerts_list(
    limit: Annotated[int, typer.Option(help="How many entries.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Recent deliveries and pending ones."""
    from pipeline.alerts.ledger import list_deliveries
    from pipeline.alerts.report import render_deliveries

    es, names = _es_or_fail()
    rows = list_deliveries(es, names, limit=limit)  # type: ignore[arg-type]
    typer.echo(json.dumps(rows, indent=2, default=str) if as_json else render_deliveries(rows))


# ---------------------------------------------------------------- benchmark


@app.command("bench")
def bench_cmd(
    items: Annotated[int, typer.Option("--items", help="Synthetic feed items.")] = 10000,
    feeds: Annotated[int, typer.Option("--feeds", help="Local feeds to spread them over.")] = 20,
    topical_rate: Annotated[float, typer.Option("--topical-rate", help="Share of topical items.")] = 0.2,
    naive_items: Annotated[int, typer.Option("--naive-items", help="Items for the naive baseline.")] = 500,
    cpu_workers: Annotated[int, typer.Option("--cpu-workers", help="Processes for the CPU stages.")] = 2,
    warmup_items: Annotated[int, typer.Option(
        "--warmup-items", help="Unmeasured items run first so Elasticsearch's JVM is warm (0: none).")] = 10000,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object with all figures.")] = False,
    langs: Annotated[str | None, typer.Option(
        "--langs", help="Language mix, e.g. en=0.5,ru=0.1,zh=0.1 (shares are normalised), or 'desk' for the "
        "documented mix over the desk's languages. Default: English only.")] = None,
) -> None:
    """End-to-end throughput, per-stage time, alert latency and peak RSS, vs a naive pipeline."""
    from pipeline.devtools import bench, synth

    try:
        mix = synth.parse_langs(langs) if langs is not None else None
        if mix:
            synth.allocate_feeds(mix, feeds)
    except synth.LangsError as exc:
        raise typer.BadParameter(str(exc), param_hint="--langs") from None
    result = bench.run_bench(items=items, feeds=feeds, topical_rate=topical_rate, naive_items=naive_items,
                             progress=not as_json, cpu_workers=cpu_workers, warmup_items=warmup_items, langs=mix)
    typer.echo(json.dumps(result, indent=2) if as_json else bench.render(result))


def main() -> None:
    """Console entry point: config errors exit 2; Elasticsearch failures exit 1 with the URL, no traceback."""
    from pipeline.index.store import StoreError

    try:
        app()
    except ConfigError as exc:
        _err(f"invalid config: {exc}")
        sys.exit(2)
    except StoreError as exc:
        _err(str(exc))
        sys.exit(1)


if __name__ == "__main__":
    main()
