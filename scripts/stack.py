"""The main job, locally: Elasticsearch + Airflow standalone running the newsmon DAGs (`make run`, `make demo`).

    .venv/bin/python scripts/stack.py                 # make run: real feeds from config/, Ctrl-C stops everything
    .venv/bin/python scripts/stack.py --demo          # make demo: bundled sample feeds served on 127.0.0.1
    .venv/bin/python scripts/stack.py --demo --exit-when-done   # stop once stories are indexed and alerted
    .venv/bin/python scripts/stack.py --no-airflow    # same pipeline without Airflow (newsmon run --once loop)
    .venv/bin/python scripts/stack.py --distributed   # make run ARGS=--distributed: Celery, PostgreSQL, Redis, 3 nodes

What it does: starts the local Elasticsearch node unless one already answers at NEWSMON_ES_URL, creates the
indices, then runs `airflow standalone` (scheduler, dag-processor, triggerer, API server + UI on 127.0.0.1)
with AIRFLOW_HOME=.newsmon/airflow and the DAGs in dags/ unpaused. Airflow runs in its own process group; on
Ctrl-C or SIGTERM the whole group is stopped, then the Elasticsearch node if this script started it.

Demo mode additionally serves demo/feeds/ over HTTP, runs a webhook receiver, writes a config dir
(.newsmon/demo-config: demo feeds.yaml + alerts.yaml + copies of config/topics.yaml and entities.yaml), uses
the index prefix `newsmon-demo` (reset at start), triggers news_ingest and reports progress from Elasticsearch
until stories are indexed and an alert is delivered.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline.core.settings import Settings  # noqa: E402
from pipeline.devtools import esnode  # noqa: E402
from pipeline.devtools.distributed import group_alive  # noqa: E402
from pipeline.index import store  # noqa: E402

STATE_DIR = REPO / ".newsmon"
AIRFLOW_HOME = STATE_DIR / "airflow"  # `make run`: persistent metadata DB, logs, airflow.cfg
DEMO_AIRFLOW_HOME = STATE_DIR / "airflow-demo"  # `make demo`: its metadata DB is reset on every demo
DEMO_PREFIX = os.environ.get("NEWSMON_DEMO_INDEX_PREFIX", "newsmon-demo")
BIN = Path(sys.executable).parent


class Stop(Exception):
    """Raised by the SIGTERM/SIGINT handler to unwind into the shutdown path."""


class Clock:
    """Elapsed-time stamps for the progress lines and the final timing table."""

    def __init__(self) -> None:
        self.t0 = time.monotonic()
        self.marks: dict[str, float] = {}

    def now(self) -> float:
        return time.monotonic() - self.t0

    def mark(self, name: str) -> float:
        self.marks.setdefault(name, self.now())
        return self.marks[name]


CLOCK = Clock()


def say(msg: str) -> None:
    print(f"[newsmon {CLOCK.now():6.1f}s] {msg}", flush=True)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


# ---------------------------------------------------------------- Elasticsearch


def ensure_es(settings: Settings) -> bool:
    """Make sure ES answers at settings.es_url; return True if this script started the node."""
    if esnode.is_healthy(settings.es_url):
        say(f"Elasticsearch already running at {settings.es_url} (left running on exit)")
        return False
    if not esnode.is_local_url(settings.es_url):
        raise SystemExit(f"newsmon: Elasticsearch at {settings.es_url} (NEWSMON_ES_URL) is not reachable")
    say(f"starting the local Elasticsearch node at {settings.es_url} ...")
    try:
        say(esnode.start(esnode.NodeConfig.from_env(), progress=say))
    except esnode.NodeError as exc:
        raise SystemExit(f"newsmon: cannot start Elasticsearch: {exc}") from None
    return True


# ---------------------------------------------------------------- Airflow


def airflow_env(port: int, extra: dict[str, str], require_login: bool) -> dict[str, str]:
    """Environment for `airflow standalone` and the tasks it runs (AIRFLOW__SECTION__KEY overrides)."""
    env = dict(os.environ)
    env.update(extra)
    base = f"http://127.0.0.1:{port}"
    env.update(
        {
            "AIRFLOW_HOME": str(AIRFLOW_HOME),
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": env.get("AIRFLOW__CORE__PARALLELISM", "4"),
            "AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG": env.get("AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG", "4"),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(port),
            "AIRFLOW__API__BASE_URL": base,
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{base}/execution/",
            # local stack only (bound to 127.0.0.1): everyone is admin unless --login asks for passwords
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False" if require_login else "True",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "30",
            "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "True",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT": str(free_port()),
            # task-log servers default to 8793/8794: pick free ones so two stacks (or tests) never collide
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
            "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
            "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p),
        }
    )
    # the DAG tasks read ES from the Connection `newsmon_es`; define it from NEWSMON_ES_URL unless set
    env.setdefault("AIRFLOW_CONN_NEWSMON_ES", env.get("NEWSMON_ES_URL", "http://127.0.0.1:9200"))
    return env


class AirflowProcess:
    """`airflow standalone` in its own process group, output to a log file (and the console with --verbose)."""

    def __init__(self, env: dict[str, str], verbose: bool) -> None:
        AIRFLOW_HOME.mkdir(parents=True, exist_ok=True)
        self.log_path = AIRFLOW_HOME / "standalone.log"
        self._offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        self._ready = False
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.verbose = verbose
        self.proc = subprocess.Popen(
            [str(BIN / "airflow"), "standalone"],
            env=env,
            cwd=str(REPO),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if verbose else self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: Ctrl-C reaches us, we stop the whole group
        )
        if verbose:
            import threading

            threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._log.write(line)
            sys.stdout.write(line.decode("utf-8", "replace"))
            sys.stdout.flush()

    def alive(self) -> bool:
        """Still running, and no component reported a fatal startup error (e.g. its port taken)."""
        if self.proc.poll() is not None:
            return False
        fatal = self.fatal_error()
        if fatal:
            say(f"airflow: {fatal}")
            return False
        return True

    def fatal_error(self) -> str | None:
        """The first log line showing a component died at startup, if any (checked before the UI is up)."""
        if self._ready:
            return None
        try:
            with open(self.log_path, "rb") as f:
                f.seek(self._offset)
                lines = f.read().decode("utf-8", "replace").splitlines()
        except OSError:
            return None
        for line in lines:
            if "address already in use" in line:
                return line.strip()
        return None

    def ready(self) -> None:
        self._ready = True

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM the process group, wait, then SIGKILL whatever is left of it."""
        pgid = self.proc.pid
        for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, sig)
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                self.proc.poll()
                if not group_alive(pgid):
                    break
                time.sleep(0.3)
            else:
                continue
            break
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        self._log.close()

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


class AirflowAPI:
    """Minimal client for the Airflow 3 REST API (/api/v2) of the local API server."""

    def __init__(self, base: str, require_login: bool) -> None:
        self.base = base
        self.require_login = require_login
        self.http = httpx.Client(base_url=base, timeout=10.0)
        self._token: str | None = None

    def healthy(self) -> bool:
        try:
            r = self.http.get("/api/v2/monitor/health")
            body = r.json()
        except (httpx.HTTPError, ValueError):
            return False
        return r.status_code == 200 and body.get("scheduler", {}).get("status") == "healthy"

    def _headers(self) -> dict[str, str]:
        if self._token is None:
            if self.require_login:
                pw = _generated_password()
                r = self.http.post("/auth/token", json={"username": "admin", "password": pw})
            else:
                r = self.http.get("/auth/token")
            r.raise_for_status()
            self._token = r.json()["access_token"]
        return {"Authorization": f"Bearer {self._token}"}

    def get(self, path: str) -> httpx.Response:
        return self.http.get(path, headers=self._headers())

    def dag_exists(self, dag_id: str) -> bool:
        try:
            return self.get(f"/api/v2/dags/{dag_id}").status_code == 200
        except httpx.HTTPError:
            return False

    def import_errors(self) -> list[dict[str, Any]]:
        try:
            r = self.get("/api/v2/importErrors")
            return list(r.json().get("import_errors", [])) if r.status_code == 200 else []
        except (httpx.HTTPError, ValueError):
            return []

    def trigger(self, dag_id: str, note: str) -> str:
        r = self.http.post(
            f"/api/v2/dags/{dag_id}/dagRuns", headers=self._headers(), json={"logical_date": None, "note": note}
        )
        if r.status_code >= 400:
            raise RuntimeError(f"trigger {dag_id}: HTTP {r.status_code}: {r.text[:300]}")
        return str(r.json()["dag_run_id"])

    def troubled_tasks(self) -> list[dict[str, Any]]:
        """Task instances of any DAG run that failed or are waiting to retry."""
        try:
            r = self.get("/api/v2/dags/~/dagRuns/~/taskInstances?state=failed&state=up_for_retry&limit=50")
            return list(r.json().get("task_instances", [])) if r.status_code == 200 else []
        except (httpx.HTTPError, ValueError):
            return []

    def runs(self, dag_id: str) -> list[dict[str, Any]]:
        try:
            r = self.get(f"/api/v2/dags/{dag_id}/dagRuns?order_by=-start_date&limit=5")
            return list(r.json().get("dag_runs", [])) if r.status_code == 200 else []
        except (httpx.HTTPError, ValueError):
            return []


def _generated_password() -> str:
    import json

    path = AIRFLOW_HOME / "simple_auth_manager_passwords.json.generated"
    try:
        return str(json.loads(path.read_text())["admin"])
    except (OSError, ValueError, KeyError):
        return ""


def wait_until(cond: Callable[[], bool], timeout: float, what: str, alive: Callable[[], bool] | None = None,
               every: float = 1.0) -> None:  # fmt: skip
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        if alive is not None and not alive():
            raise RuntimeError(f"airflow exited while waiting for {what}")
        time.sleep(every)
    raise RuntimeError(f"timed out after {timeout:.0f}s waiting for {what}")


# ---------------------------------------------------------------- demo


@contextlib.contextmanager
def demo_services() -> Iterator[tuple[Any, Any, Path]]:
    """Demo feed server + webhook receiver + demo config dir, all local; closed on exit."""
    from datetime import UTC, datetime

    import demo_feeds  # scripts/ is on sys.path when this file runs as a script

    feeds = demo_feeds.DemoFeedServer(demo_feeds.render_feeds(demo_feeds.FEEDS_DIR, datetime.now(UTC))).start()
    hook = demo_feeds.WebhookReceiver().start()
    cfg = demo_feeds.write_demo_config(STATE_DIR / "demo-config", feeds.base_url)
    try:
        yield feeds, hook, cfg
    finally:
        feeds.close()
        hook.close()


def es_progress(es: Any, names: store.IndexNames) -> dict[str, int]:
    """Counts the demo waits for: articles (read alias), stories, items archived, alert ledger by status."""
    out = {"articles": 0, "stories": 0, "items": 0, "delivered": 0, "ledger": 0}
    with contextlib.suppress(Exception):
        store.refresh(es, f"{names.prefix}-*")
    with contextlib.suppress(Exception):
        r = store.search(es, names.articles, size=0, aggs={"s": {"cardinality": {"field": "story_id"}}})
        out["articles"] = int(r["hits"]["total"]["value"])
        out["stories"] = int(r["aggregations"]["s"]["value"])
    with contextlib.suppress(Exception):
        out["items"] = store.count(es, names.items)
    with contextlib.suppress(Exception):
        out["ledger"] = store.count(es, names.alerts)
        out["delivered"] = store.count(es, names.alerts, {"term": {"status": "delivered"}})
    return out


def task_error(ti: dict[str, Any]) -> str:
    """Where a failed task's log is, and the error it recorded (the last `exc_value` in it)."""
    import json
    import re

    d = AIRFLOW_HOME / "logs" / f"dag_id={ti.get('dag_id')}" / f"run_id={ti.get('dag_run_id')}"
    d = d / f"task_id={ti.get('task_id')}"
    if ti.get("map_index", -1) >= 0:
        d = d / f"map_index={ti['map_index']}"
    log_path = d / f"attempt={ti.get('try_number')}.log"
    error = ""
    with contextlib.suppress(OSError):
        found = re.findall(r'"exc_value":("(?:[^"\\]|\\.)*")', log_path.read_text(errors="replace"))
        if found:
            error = str(json.loads(found[-1])).splitlines()[0][:300]
    return f"{log_path}" + (f": {error}" if error else "")


def wait_for_demo_result(es: Any, names: store.IndexNames, hook: Any, timeout: float,
                         alive: Callable[[], bool],
                         troubled: Callable[[], list[dict[str, Any]]] = list) -> dict[str, int]:  # fmt: skip
    """Poll ES until articles are indexed and an alert is delivered; print changes and the milestones."""
    deadline = time.monotonic() + timeout
    last: dict[str, int] = {}
    stable_since = 0.0
    reported: set[tuple[Any, ...]] = set()
    polls = 0
    while time.monotonic() < deadline:
        polls += 1
        if polls % 5 == 1:  # surface task failures/retries at once instead of waiting for the timeout
            for ti in troubled():
                key = (ti.get("dag_run_id"), ti.get("task_id"), ti.get("map_index"), ti.get("try_number"))
                if key not in reported:
                    reported.add(key)
                    say(
                        f"task {ti.get('dag_id')}.{ti.get('task_id')}[{ti.get('map_index')}] {ti.get('state')} "
                        f"(try {ti.get('try_number')}); log {task_error(ti)}"
                    )
        if not alive():
            raise RuntimeError("the pipeline stopped before the demo finished")
        p = es_progress(es, names)
        p["webhook_hits"] = hook.count()
        if p != last:
            say("progress: " + ", ".join(f"{k}={v}" for k, v in p.items()))
            last, stable_since = p, time.monotonic()
        if p["items"]:
            CLOCK.mark("first items archived")
        if p["articles"]:
            CLOCK.mark("first stories indexed")
        if p["delivered"] or p["webhook_hits"]:
            CLOCK.mark("first alert delivered")
        # done: stories indexed, an alert delivered, and the counts settled for a few seconds
        if p["articles"] and (p["delivered"] and p["webhook_hits"]) and time.monotonic() - stable_since > 5:
            CLOCK.mark("done (counts stable)")
            return p
        time.sleep(1.0)
    raise RuntimeError(f"timed out after {timeout:.0f}s; last progress: {last}")


def print_demo_summary(es: Any, names: store.IndexNames, hook: Any) -> None:
    with contextlib.suppress(Exception):
        r = store.search(
            es,
            names.articles,
            size=20,
            source=["title", "topics", "story_id", "source.name"],
            sort=[{"published_at": "desc"}],
        )
        say("indexed stories (newest first):")
        for h in r["hits"]["hits"]:
            s = h["_source"]
            src = (s.get("source") or {}).get("name", "?")
            topics = ",".join(s.get("topics", []))
            print(f"    [{topics}] {s.get('title')}  ({src}; story {str(s.get('story_id'))[:10]})")
    if hook.received:
        payload = hook.received[0]["payload"]
        text = payload.get("text") if isinstance(payload, dict) else str(payload)
        say(f"webhook received {len(hook.received)} POST(s); first one starts: {str(text)[:160]!r}")


# ---------------------------------------------------------------- without Airflow


def run_without_airflow(env: dict[str, str], demo: bool, interval_minutes: float) -> None:
    """`newsmon run --once` then `newsmon alerts run`, once (demo) or every interval until Ctrl-C."""
    while True:
        for cmd in (["run", "--once"], ["alerts", "run"]):
            say(f"$ newsmon {' '.join(cmd)}")
            subprocess.run([str(BIN / "newsmon"), *cmd], env=env, cwd=str(REPO), check=False)
        if demo:
            return
        say(f"next pass in {interval_minutes:g} min (Ctrl-C stops)")
        time.sleep(interval_minutes * 60)


# ---------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--demo", action="store_true", help="bundled sample feeds on a local server, webhook receiver")
    p.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("NEWSMON_AIRFLOW_PORT", "8080")),
        help="Airflow API server/UI port on 127.0.0.1 (default 8080)",
    )
    p.add_argument(
        "--exit-when-done",
        action="store_true",
        help="demo: stop the stack once stories are indexed and an alert delivered",
    )
    p.add_argument("--timeout", type=float, default=600.0, help="demo: give up after this many seconds")
    p.add_argument(
        "--no-airflow", action="store_true", help="run `newsmon run --once` + `newsmon alerts run` instead of Airflow"
    )
    p.add_argument(
        "--login",
        action="store_true",
        help="require a password in the UI (user admin, generated password) instead of all-admins",
    )
    p.add_argument("--verbose", action="store_true", help="echo Airflow's own output to the console")
    p.add_argument("--distributed", action="store_true",
                   help="secured 3-node ES cluster + PostgreSQL + Redis + Airflow CeleryExecutor with two workers")
    return p.parse_args(argv)


def run_distributed(args: argparse.Namespace) -> int:
    """--distributed: the secured 3-node cluster, PostgreSQL, Redis and Airflow with the CeleryExecutor (api-server,
    scheduler, dag-processor, triggerer, two Celery workers); Ctrl-C stops everything this started."""
    from pipeline.devtools import cluster, distributed

    ccfg = cluster.ClusterConfig.from_env(nodes=3)
    started_es = False
    st: distributed.Stack | None = None
    try:
        h = cluster.health(ccfg)
        if not (h and h.get("number_of_nodes") == ccfg.nodes):
            say(cluster.start(ccfg, progress=say))
            started_es = True
        client = cluster.read_env_file(ccfg.env_file)
        settings = Settings.from_env(client)
        es = store.connect(settings)
        created = store.ensure_indices(es, store.IndexNames(settings.index_prefix), settings)
        say(f"indices ready under prefix '{settings.index_prefix}' ({settings.es_shards} shards, "
            f"{settings.es_replicas} replica)" + (f", created {len(created)}" if created else ""))  # fmt: skip
        if port_in_use(args.port):
            raise SystemExit(f"newsmon: port {args.port} on 127.0.0.1 is in use; pick another with --port")
        keep = {k: v for k, v in os.environ.items() if k.startswith("NEWSMON_") and k not in client}
        keep.setdefault("NEWSMON_CONFIG_DIR", str(REPO / "config"))
        keep["NEWSMON_CONFIG_DIR"] = str(Path(keep["NEWSMON_CONFIG_DIR"]).resolve())
        st = distributed.Stack(STATE_DIR / "distributed", ccfg, api_port=args.port, extra_env=keep)
        st.start(progress=say)
        say(f"Airflow UI: {st.base_url} (local all-admins mode); settings of every component: {st.env_file} (0600)")
        say("running; Ctrl-C stops the workers, Airflow, Redis, PostgreSQL" + (" and the cluster" * started_es))
        while all(p.poll() is None for p in st.procs.values()):
            time.sleep(1.0)
        dead = [n for n, p in st.procs.items() if p.poll() is not None]
        say(f"airflow {', '.join(dead)} exited; last log lines:\n{st.log_tail(dead[0])}")
        return 1
    except Stop as sig:
        say(f"{sig} received: shutting down")
        return 0
    except (RuntimeError, httpx.HTTPError, esnode.NodeError, OSError) as exc:
        say(f"error: {type(exc).__name__}: {exc}")
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if st is not None:
            say("stopping Airflow, the workers, Redis and PostgreSQL ...")
            st.stop()
        if started_es:
            say(cluster.stop(ccfg))
        say("stopped")


def _on_signal(signum: int, _frame: Any) -> None:
    raise Stop(signal.Signals(signum).name)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    STATE_DIR.mkdir(exist_ok=True)
    if args.distributed:
        return run_distributed(args)
    settings = Settings.from_env()
    extra: dict[str, str] = {}
    global AIRFLOW_HOME
    if args.demo:
        AIRFLOW_HOME = DEMO_AIRFLOW_HOME
        for stale in ("airflow.db", "simple_auth_manager_passwords.json.generated"):
            (AIRFLOW_HOME / stale).unlink(missing_ok=True)  # fresh runs to match the fresh demo indices
        extra["NEWSMON_INDEX_PREFIX"] = DEMO_PREFIX
        settings = replace(settings, index_prefix=DEMO_PREFIX)
    started_es = False
    airflow: AirflowProcess | None = None
    code = 0
    stack = contextlib.ExitStack()
    try:
        started_es = ensure_es(settings)
        CLOCK.mark("elasticsearch ready")
        es = store.connect(settings)
        names = store.IndexNames(settings.index_prefix)
        hook = None
        if args.demo:
            feeds, hook, cfg_dir = stack.enter_context(demo_services())
            store.delete_indices(es, names)  # the demo starts from empty `newsmon-demo-*` indices
            extra.update(NEWSMON_CONFIG_DIR=str(cfg_dir), NEWSMON_WEBHOOK_URL=hook.url)
            # demo pace: poll every 5 min, alert fallback every 2 min (it also runs on each ingest Asset event)
            extra.setdefault("NEWSMON_INGEST_INTERVAL_MINUTES", os.environ.get("NEWSMON_INGEST_INTERVAL_MINUTES", "5"))
            extra.setdefault("NEWSMON_ALERTS_CRON", os.environ.get("NEWSMON_ALERTS_CRON", "*/2 * * * *"))
            say(f"demo feeds: {', '.join(feeds.base_url + p for p in feeds.feeds)}")
            say(f"demo webhook receiver: {hook.url}; demo config dir: {cfg_dir}")
            say(f"index prefix {DEMO_PREFIX} (reset for this demo)")
        os.environ.update(extra)
        created = store.ensure_indices(es, names, Settings.from_env())  # setup: the one place schema is created
        say(f"indices ready under prefix '{names.prefix}'" + (f" (created {len(created)})" if created else ""))

        if args.no_airflow:
            env = dict(os.environ)
            env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
            interval = float(os.environ.get("NEWSMON_INGEST_INTERVAL_MINUTES", "10"))
            run_without_airflow(env, args.demo, interval)
            if args.demo and hook is not None:
                p = wait_for_demo_result(es, names, hook, min(args.timeout, 30), lambda: True)
                print_demo_summary(es, names, hook)
                say(f"done: {p}")
            return 0

        if port_in_use(args.port):
            raise SystemExit(f"newsmon: port {args.port} on 127.0.0.1 is in use; pick another with --port")
        env = airflow_env(args.port, extra, args.login)
        say(f"starting Airflow standalone (AIRFLOW_HOME={AIRFLOW_HOME}, log: {AIRFLOW_HOME / 'standalone.log'}) ...")
        airflow = AirflowProcess(env, args.verbose)
        api = AirflowAPI(f"http://127.0.0.1:{args.port}", args.login)
        wait_until(api.healthy, 240, "the Airflow API server and scheduler", airflow.alive)
        CLOCK.mark("airflow api + scheduler up")
        airflow.ready()
        ui = f"http://127.0.0.1:{args.port}"
        if args.login:
            say(f"Airflow UI: {ui}  (user admin, password: {_generated_password() or 'see ' + str(AIRFLOW_HOME)})")
        else:
            say(f"Airflow UI: {ui}  (local all-admins mode: no login needed; --login to require a password)")
        wait_until(
            lambda: api.dag_exists("news_ingest") and api.dag_exists("news_alerts"),
            180,
            "the DAGs news_ingest and news_alerts to be parsed",
            airflow.alive,
        )
        CLOCK.mark("dags parsed")
        for err in api.import_errors():
            say(f"DAG import error in {err.get('filename')}: {str(err.get('stack_trace'))[-300:]}")
        say("DAGs news_ingest and news_alerts are loaded and unpaused")

        if args.demo:
            assert hook is not None
            active = [r for r in api.runs("news_ingest") if r.get("state") in ("queued", "running")]
            if active:  # unpausing already scheduled a run: no need for a second one
                say(f"news_ingest already started by the scheduler ({active[0].get('dag_run_id')})")
            else:
                say(f"triggered news_ingest ({api.trigger('news_ingest', 'newsmon demo')})")
            CLOCK.mark("news_ingest triggered")
            say("waiting for stories and an alert ...")
            p = wait_for_demo_result(es, names, hook, args.timeout, airflow.alive, api.troubled_tasks)
            print_demo_summary(es, names, hook)
            say(
                f"demo done: {p['articles']} articles in {p['stories']} stories, {p['items']} items archived, "
                f"{p['delivered']} alert deliveries, {p['webhook_hits']} webhook POSTs"
            )
            say("timings (seconds since start): " + ", ".join(f"{k}={v:.1f}" for k, v in CLOCK.marks.items()))
            say(f"try: NEWSMON_INDEX_PREFIX={DEMO_PREFIX} .venv/bin/newsmon search Lavrov")
            if args.exit_when_done:
                return 0
        say("running; Ctrl-C stops Airflow" + (" and Elasticsearch" if started_es else ""))
        while airflow.alive():
            time.sleep(1.0)
        say(f"airflow standalone exited with {airflow.proc.returncode}; last log lines:\n{airflow.log_tail()}")
        code = 1
    except Stop as sig:
        say(f"{sig} received: shutting down")
    except (RuntimeError, httpx.HTTPError) as exc:
        say(f"error: {type(exc).__name__}: {exc}")
        if airflow is not None:
            say(f"last lines of {airflow.log_path}:\n{airflow.log_tail()}")
        code = 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if airflow is not None:
            say("stopping Airflow (process group) ...")
            airflow.stop()
        stack.close()
        if started_es:
            say(esnode.stop(esnode.NodeConfig.from_env()))
        say("stopped")
    return code


if __name__ == "__main__":
    sys.exit(main())
