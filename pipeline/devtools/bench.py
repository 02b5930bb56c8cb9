"""`newsmon bench`: end-to-end throughput, per-stage time, alert latency and memory, vs a naive pipeline.

Generates N synthetic feed items (own generator in `synth.py`, median ~150 words, a share of them topical;
English, or a language mix with `langs`: each language in feeds of its own that declare it), serves them as K
local RSS feeds on 127.0.0.1, runs the real ingest path into the real Elasticsearch under a prefix of its own
while the alert rules run in a loop against a local webhook receiver (as the asset-triggered DAG would), then
runs a naive pipeline (full spaCy pipeline on every item, one index request per document) on a sample in the
same process and reports both. A smaller unmeasured warm-up pass runs first (a cold Elasticsearch JVM is slow).
"""

from __future__ import annotations

import json
import resource
import statistics
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from xml.sax.saxutils import escape

import psutil

from pipeline.devtools.synth import allocate_feeds, format_langs, generate, language_counts, synth_item

# ------------------------------------------------------------------ feeds (the corpus: synth.py)


def render_rss(name: str, items: list[dict[str, str]], base: datetime, language: str | None = None) -> bytes:
    """One RSS 2.0 feed; `language` becomes the channel's <language> (left out when None, as in the English run)."""
    lang = f"<language>{escape(language)}</language>" if language else ""
    out = [f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{escape(name)}</title>'
           f"<link>https://bench.example/</link><description>bench</description>{lang}"]
    for n, it in enumerate(items):
        pub = format_datetime(base - timedelta(minutes=n))
        out.append(f"<item><title>{escape(it['title'])}</title><link>{escape(it['link'])}</link>"
                   f"<guid>{escape(it['link'])}</guid><pubDate>{pub}</pubDate>"
                   f"<description>{escape(it['text'])}</description></item>")
    out.append("</channel></rss>")
    return "".join(out).encode("utf-8")


class _Server:
    """Serves path -> bytes (feeds) and counts POSTs (webhook receiver; `GET /_posts` reports the counts) on
    127.0.0.1."""

    def __init__(self, routes: dict[str, bytes]):
        self.routes = routes
        self.posts = 0  # webhook deliveries received (bodies are checked for JSON, not kept: memory stays flat)
        self.bad_posts = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, like real feed hosts and webhook endpoints

            def do_GET(self) -> None:
                if self.path == "/_posts":
                    stats = json.dumps({"posts": outer.posts, "bad_posts": outer.bad_posts}).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(stats)))
                    self.end_headers()
                    self.wfile.write(stats)
                    return
                body = outer.routes.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def do_POST(self) -> None:
                n = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(n)
                try:
                    json.loads(raw or b"{}")
                    outer.posts += 1
                except ValueError:
                    outer.bad_posts += 1
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return None

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def feed_routes(generated: list[dict[str, str]], feeds: int, base: datetime,
                langs: dict[str, float] | None = None) -> dict[str, bytes]:
    """path -> RSS bytes. English: item i in feed i mod `feeds`, as always. With a mix each language has feeds of
    its own (`allocate_feeds`) declaring it in <language>, its items spread over them round-robin."""
    if not langs:
        return {f"/feed{k}.xml": render_rss(f"bench{k}", generated[k::feeds], base) for k in range(feeds)}
    order = allocate_feeds(langs, feeds)
    by_lang: dict[str, list[dict[str, str]]] = {code: [] for code in langs}
    for it in generated:
        by_lang[it.get("lang", "en")].append(it)
    routes: dict[str, bytes] = {}
    for code, its in by_lang.items():
        slots = [k for k, c in enumerate(order) if c == code]
        for j, k in enumerate(slots):
            routes[f"/feed{k}.xml"] = render_rss(f"bench{k}", its[j::len(slots)], base, language=code)
    return routes


def _feed_host(items: int, feeds: int, topical_rate: float, seed: int, base_iso: str, conn: Any,
               langs: dict[str, float] | None = None) -> None:
    """Body of the feed-host process: generate the corpus, serve it as `feeds` RSS feeds and receive the alert
    webhooks, report the URL and the items per language on `conn`, then serve until terminated. A process of its
    own, like the remote sites it stands for, so neither the corpus nor the receiver counts towards the
    pipeline's memory or CPU."""
    generated = generate(items, topical_rate, seed, langs)
    counts = language_counts(generated)
    routes = feed_routes(generated, feeds, datetime.fromisoformat(base_iso), langs)
    del generated
    server = _Server(routes)
    conn.send({"url": server.url, "languages": counts})
    conn.close()
    threading.Event().wait()


class _FeedHost:
    """Runs `_feed_host` in a spawned process; `url` once it serves."""

    def __init__(self, items: int, feeds: int, topical_rate: float, seed: int, base: datetime,
                 langs: dict[str, float] | None = None):
        import multiprocessing

        if langs:
            allocate_feeds(langs, feeds)  # fails here, not in the host process, when feeds < languages
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe(duplex=False)
        self.process = ctx.Process(target=_feed_host, daemon=True, name="newsmon-bench-feeds",
                                   args=(items, feeds, topical_rate, seed, base.isoformat(), child, langs))
        self.process.start()
        child.close()
        if not parent.poll(600):
            self.close()
            raise RuntimeError("benchmark feed host did not start within 600 s")
        hello = parent.recv()
        self.url: str = hello["url"]
        self.languages: dict[str, int] = hello["languages"]  # generated items per language
        self.pid: int = self.process.pid or 0

    def webhook_posts(self) -> int:
        """Valid webhook deliveries the host received so far."""
        import urllib.request

        with urllib.request.urlopen(f"{self.url}/_posts", timeout=10) as resp:
            return int(json.loads(resp.read())["posts"])

    def close(self) -> None:
        self.process.terminate()
        self.process.join(10)


def _es_process(url: str) -> psutil.Process | None:
    """The local Elasticsearch process serving `url` (to report its CPU use), if it runs on this machine."""
    from urllib.parse import urlsplit

    port = urlsplit(url).port or 9200
    for proc in psutil.process_iter(["cmdline"]):
        cmd = " ".join(proc.info.get("cmdline") or [])
        if "org.elasticsearch" in cmd and (f"http.port={port}" in cmd or port == 9200):
            return proc
    return None


def _cpu(proc: psutil.Process | None) -> float | None:
    if proc is None:
        return None
    try:
        t = proc.cpu_times()
        return float(t.user + t.system)
    except psutil.Error:
        return None


class _RssSampler:
    """Samples the RSS of this process plus its worker processes every 0.25 s (peak and growth over the run);
    processes in `exclude` (the feed host) are not the pipeline and are left out."""

    def __init__(self, exclude: set[int] | None = None) -> None:
        self.samples: list[float] = []
        self.times: list[float] = []
        self.main_peak = 0.0
        self.workers_peak = 0.0
        self._exclude = exclude or set()
        self.cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._proc = psutil.Process()
        base = self._proc.cpu_times()
        self._cpu_base = base.user + base.system
        self._t = threading.Thread(target=self._loop, daemon=True)
        self._t.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            main = self._proc.memory_info().rss
            workers = 0
            for child in self._proc.children(recursive=True):
                if child.pid in self._exclude:
                    continue
                try:
                    workers += child.memory_info().rss
                except psutil.Error:
                    pass
            self._cpu_sample()
            self.main_peak = max(self.main_peak, main / 2**20)
            self.workers_peak = max(self.workers_peak, workers / 2**20)
            self.samples.append((main + workers) / 2**20)
            self.times.append(time.perf_counter())
            self._stop.wait(0.25)

    def _cpu_sample(self) -> None:
        """Remember each pipeline process's CPU seconds (workers' last value survives their exit)."""
        try:
            t = self._proc.cpu_times()
            self.cpu[self._proc.pid] = t.user + t.system - self._cpu_base
            for child in self._proc.children(recursive=True):
                if child.pid not in self._exclude:
                    ct = child.cpu_times()
                    self.cpu[child.pid] = ct.user + ct.system
        except psutil.Error:
            pass

    def cpu_seconds(self) -> dict[str, float]:
        """CPU seconds of the main process and of the worker processes since the sampler started."""
        main = self.cpu.get(self._proc.pid, 0.0)
        workers = sum(v for k, v in self.cpu.items() if k != self._proc.pid)
        return {"main": round(main, 1), "workers": round(workers, 1)}

    def growth(self, start: float, end: float) -> tuple[float | None, float | None, float | None]:
        """(peak MB in the 2nd quarter of [start, end], peak MB in its last quarter, growth %): steady state
        against steady state (the first quarter holds model loading and the first refreshes)."""
        span = end - start
        q2 = [m for t, m in zip(self.times, self.samples, strict=True) if start + span / 4 <= t < start + span / 2]
        q4 = [m for t, m in zip(self.times, self.samples, strict=True) if start + 3 * span / 4 <= t <= end]
        if not q2 or not q4:
            return None, None, None
        return round(max(q2), 1), round(max(q4), 1), round((max(q4) / max(q2) - 1) * 100, 1)

    def stop(self) -> None:
        self._stop.set()
        self._t.join()
        self._cpu_sample()


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return round(ordered[k], 3)


WARMUP_ITEMS = 10000


def run_bench(*, items: int = 10000, feeds: int = 20, topical_rate: float = 0.2, naive_items: int = 500,
              progress: bool = True, seed: int = 7, cpu_workers: int = 2,
              warmup_items: int = WARMUP_ITEMS, langs: dict[str, float] | None = None) -> dict[str, Any]:
    """Run the benchmark and return every figure (see module docstring).

    `langs` is a language mix (`synth.parse_langs`: code -> share); None is the English-only corpus of every
    earlier run. The warm-up uses the same mix, so every language's models are loaded before the measured pass.

    `warmup_items` first go through the same path unmeasured (own corpus and index prefix, deleted after): a
    freshly started Elasticsearch runs its first minute of indexing and searching at half speed while the JVM
    compiles, and a production node has long been warm.
    """

    def say(msg: str) -> None:
        if progress:
            print(f"[bench] {msg}", flush=True)

    base = datetime.now(UTC).replace(microsecond=0)
    if warmup_items > 0:
        say(f"warm-up: {warmup_items} items through the same path, not measured ...")
        warm = _FeedHost(warmup_items, feeds, topical_rate, seed + 1, base, langs)
        try:
            _run(warm, items=warmup_items, feeds=feeds, topical_rate=topical_rate, naive_items=0, seed=seed + 1,
                 cpu_workers=cpu_workers, base=base, say=lambda msg: None, langs=langs)
        finally:
            warm.close()
    mix = f" ({format_langs(langs)})" if langs else ""
    say(f"generating {items} items{mix} in {feeds} feeds (feed host process) ...")
    host = _FeedHost(items, feeds, topical_rate, seed, base, langs)
    try:
        result = _run(host, items=items, feeds=feeds, topical_rate=topical_rate, naive_items=naive_items,
                      seed=seed, cpu_workers=cpu_workers, base=base, say=say, langs=langs)
        return {**result, "warmup_items": warmup_items}
    finally:
        host.close()


def _run(host: _FeedHost, *, items: int, feeds: int, topical_rate: float, naive_items: int, seed: int,
         cpu_workers: int, base: datetime, say: Any, langs: dict[str, float] | None = None) -> dict[str, Any]:
    from pipeline.alerts import deliver as alert
    from pipeline.core.settings import Settings
    from pipeline.devtools.bench_alerts import bench_rules
    from pipeline.index import store
    from pipeline.ingest.feeds import FeedConfig, FeedsFile
    from pipeline.jobs.parallel import run_once
    from pipeline.jobs.runner import totals as run_totals
    from pipeline.jobs.stages import Components, FeedRun

    settings = Settings.from_env()
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    names = store.IndexNames(prefix)
    es = store.connect(settings)
    store.ping(es)
    store.ensure_indices(es, names, settings)
    feed_cfgs = [FeedConfig(name=f"bench{k}", url=f"{host.url}/feed{k}.xml") for k in range(feeds)]
    feeds_file = FeedsFile(feeds=feed_cfgs)
    rules = bench_rules(f"{host.url}/hook")  # the receiver lives in the feed-host process
    comps = Components()
    say(f"{items} items in {feeds} feeds at {host.url}; prefix {prefix}; warming up models")
    comps.detector.detect("warm up", "Myanmar")
    if cpu_workers <= 1:
        comps.extractor.extract_many(["Sergei Lavrov met ASEAN ministers in Jakarta."])
    alert.run_alerts(es, names, rules, datetime.now(UTC))  # creates the rule cursors at "now"
    stop_alerts = threading.Event()
    alert_runs = 0

    alert_cpu = 0.0

    def alert_loop() -> None:
        nonlocal alert_runs, alert_cpu
        client = store.connect(settings)
        while not stop_alerts.is_set():
            c0 = time.thread_time()
            alert.run_alerts(client, names, rules, datetime.now(UTC))
            alert_cpu += time.thread_time() - c0
            alert_runs += 1
            stop_alerts.wait(2.0)

    es_proc = _es_process(settings.es_url)
    es_cpu0 = _cpu(es_proc)
    sampler = _RssSampler(exclude={host.pid})
    done = 0

    def on_feed(r: FeedRun) -> None:
        nonlocal done
        done += 1
        if (done % max(1, feeds // 10) == 0 or done == feeds):
            say(f"  {done}/{feeds} feeds ingested ({time.perf_counter() - t0:.1f}s)")

    alert_thread = threading.Thread(target=alert_loop, daemon=True)
    t0 = time.perf_counter()
    alert_thread.start()
    runs = run_once(feeds_file, es=es, names=names, comps=comps, now=datetime.now(UTC), on_feed=on_feed,
                    clock=lambda: datetime.now(UTC), cpu_workers=cpu_workers, settings=settings)
    ingest_s = time.perf_counter() - t0
    # let the alert loop catch up with the last indexed stories
    store.refresh(es, names.articles)
    deadline = time.time() + 120
    expected = _matching_hint(es, names)
    while time.time() < deadline and _delivered(es, names) < min(expected, _matching_hint(es, names)):
        time.sleep(1)
    stop_alerts.set()
    alert_thread.join()
    sampler.stop()
    cpu_seconds: dict[str, float | None] = {**sampler.cpu_seconds(), "elasticsearch": None}
    es_cpu1 = _cpu(es_proc)
    if es_cpu0 is not None and es_cpu1 is not None:
        cpu_seconds["elasticsearch"] = round(es_cpu1 - es_cpu0, 1)
    latencies = _latencies(es, names)
    es_ms = _es_index_times(es, names)
    es_store = _es_store(es, names)
    totals = run_totals(runs).counts
    stages: dict[str, float] = {}
    for r in runs:
        for k, v in r.seconds.items():
            stages[k] = round(stages.get(k, 0.0) + v, 3)
    samples = sampler.samples
    q2_peak, q4_peak, growth = sampler.growth(t0, t0 + ingest_s)
    webhook_posts = host.webhook_posts()
    languages = _languages(es, names, langs, host.languages) if langs else None
    say("naive baseline ...")
    host.close()
    naive = _naive(es, names, generate(min(naive_items, items), topical_rate, seed, langs), comps)
    result = {
        "items": items,
        "feeds": feeds,
        "topical_rate": topical_rate,
        "cpu_workers": cpu_workers,
        "ingest_seconds": round(ingest_s, 2),
        "items_per_second": round(items / ingest_s, 1),
        "naive_items": naive["items"],
        "naive_items_per_second": naive["items_per_second"],
        "speedup": round((items / ingest_s) / naive["items_per_second"], 1) if naive["items_per_second"] else None,
        "stages": stages,
        "cpu_seconds": {**cpu_seconds, "alert_thread": round(alert_cpu, 1)},
        "es_time_ms": es_ms,
        "es_store": es_store,
        "stage_items_per_second": {k: round(items / v, 1) for k, v in stages.items() if v > 0},
        "counts": totals,
        "alerts_delivered": _delivered(es, names),
        "alert_runs": alert_runs,
        "webhook_posts": webhook_posts,
        "publication_to_index_p50_s": latencies["pub_p50"],
        "publication_to_index_p95_s": latencies["pub_p95"],
        "index_to_alert_p50_s": latencies["p50"],
        "index_to_alert_p95_s": latencies["p95"],
        "peak_rss_mb": round(max(samples) if samples else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                             1),
        "rss_second_quarter_mb": q2_peak,
        "rss_last_quarter_mb": q4_peak,
        "rss_growth_pct": growth,
        "peak_rss_main_mb": round(sampler.main_peak, 1),
        "peak_rss_workers_mb": round(sampler.workers_peak, 1),
        "machine": {"cpus": psutil.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1)},
        "date": base.date().isoformat(),
        "langs": languages,
    }
    store.delete_indices(es, names)
    return result


_ES_TIMES = {
    "index": ("indexing", "index_time_in_millis"),
    "query": ("search", "query_time_in_millis"),
    "fetch": ("search", "fetch_time_in_millis"),
    "get": ("get", "time_in_millis"),
    "refresh": ("refresh", "total_time_in_millis"),
    "merge": ("merges", "total_time_in_millis"),
}


def _es_index_times(es: Any, names: Any) -> dict[str, dict[str, int]]:
    """Where Elasticsearch spent its time, per bench index (from index stats; the alias prefix is dropped)."""
    from pipeline.index import store

    stats = store.index_stats(es, f"{names.prefix}-*")
    out: dict[str, dict[str, int]] = {}
    for index, body in sorted(stats.items()):
        total = body["total"]
        times = {k: int(total.get(sec, {}).get(key, 0)) for k, (sec, key) in _ES_TIMES.items()}
        if any(times.values()):
            out[index.removeprefix(names.prefix + "-")] = times
    return out


def _es_store(es: Any, names: Any) -> dict[str, dict[str, int]]:
    """Documents and primary-store bytes per bench index (index stats, after a refresh): the disk side of the
    capacity model in docs/deploy.md (bytes per article = primary bytes / docs; replicas multiply it)."""
    from pipeline.index import store

    store.refresh(es, f"{names.prefix}-*")
    out: dict[str, dict[str, int]] = {}
    for index, body in sorted(store.index_stats(es, f"{names.prefix}-*").items()):
        prim = body["primaries"]
        out[index.removeprefix(names.prefix + "-")] = {
            "docs": int(prim.get("docs", {}).get("count", 0)),
            "primary_bytes": int(prim.get("store", {}).get("size_in_bytes", 0)),
        }
    return out


def _delivered(es: Any, names: Any) -> int:
    from pipeline.index import store

    store.refresh(es, names.alerts)
    return store.count(es, names.alerts, {"term": {"status": "delivered"}})


def _matching_hint(es: Any, names: Any) -> int:
    """Stories the bench rules can match (every topical story, one rule per story at least)."""
    from pipeline.index import store

    resp = store.search(es, names.articles, size=0, aggs={"s": {"cardinality": {"field": "story_id"}}})
    return int(resp["aggregations"]["s"]["value"])


def _latencies(es: Any, names: Any) -> dict[str, float | None]:
    from pipeline.index import store

    idx_to_alert: list[float] = []
    pub_to_idx: list[float] = []
    for hit in store.scan_all(es, names.alerts, query={"term": {"status": "delivered"}}):
        t = hit["_source"].get("timing") or {}
        if t.get("index_to_alert_s") is not None:
            idx_to_alert.append(float(t["index_to_alert_s"]))
        if t.get("ingested_at") and t.get("published_at"):
            d = datetime.fromisoformat(t["ingested_at"]) - datetime.fromisoformat(t["published_at"])
            pub_to_idx.append(d.total_seconds())
    return {"p50": _pct(idx_to_alert, 0.5), "p95": _pct(idx_to_alert, 0.95),
            "pub_p50": _pct(pub_to_idx, 0.5), "pub_p95": _pct(pub_to_idx, 0.95)}


def _languages(es: Any, names: Any, langs: dict[str, float], generated: dict[str, int]) -> dict[str, Any]:
    """The mix and, per language: items generated, items the pipeline identified as that language (items
    archive), and topical articles indexed in it (articles index)."""
    from pipeline.index import store

    store.refresh(es, f"{names.prefix}-*")

    def per_language(index: str) -> dict[str, int]:
        resp = store.search(es, index, size=0, aggs={"l": {"terms": {"field": "language", "size": 100,
                                                                       "missing": "none"}}})
        return {b["key"]: int(b["doc_count"]) for b in resp["aggregations"]["l"]["buckets"]}

    identified, indexed = per_language(names.items), per_language(names.articles)
    codes = [*langs, *sorted(set(identified) - set(langs))]
    return {"mix": {code: round(share, 4) for code, share in langs.items()},
            "per_language": {code: {"items": generated.get(code, 0), "identified": identified.get(code, 0),
                                    "indexed": indexed.get(code, 0)} for code in codes}}


def _naive(es: Any, names: Any, sample: list[dict[str, str]], comps: Any) -> dict[str, Any]:
    """Same items, naive: full spaCy pipeline per item (no batching), one index request per document."""
    from pipeline.entities.extractor import load_base_model
    from pipeline.index import store

    nlp = load_base_model(trimmed=False)
    t0 = time.perf_counter()
    for n, it in enumerate(sample):
        matches = comps.detector.detect(it["title"], it["text"], lang=it.get("lang"))
        doc = nlp(f"{it['title']}\n\n{it['text']}")
        ents = [{"text": e.text, "label": e.label_} for e in doc.ents]
        store.put_doc(es, names.items, f"naive-{n}", {
            "id": f"naive-{n}", "url": it["link"], "title": it["title"], "text": it["text"],
            "topics": [m.name for m in matches]})
        del ents
    secs = time.perf_counter() - t0
    return {"items": len(sample), "seconds": round(secs, 2),
            "items_per_second": round(len(sample) / secs, 1) if secs else None}


def render(r: dict[str, Any]) -> str:
    """Human-readable summary."""
    lines = [
        f"newsmon bench — {r['items']} items in {r['feeds']} feeds ({r['topical_rate']:.0%} topical), "
        f"{r['machine']['cpus']} CPUs, {r['date']}",
        f"  end-to-end: {r['items_per_second']} items/s ({r['ingest_seconds']} s)",
        f"  naive:      {r['naive_items_per_second']} items/s on {r['naive_items']} items -> speedup {r['speedup']}x",
        "  stages (s): " + ", ".join(f"{k} {v}" for k, v in r["stages"].items()),
        f"  alerts delivered: {r['alerts_delivered']} in {r['alert_runs']} alert runs; index->alert p50 "
        f"{r['index_to_alert_p50_s']} s, p95 {r['index_to_alert_p95_s']} s",
        f"  peak RSS {r['peak_rss_mb']} MB (ingest pass: 2nd quarter {r['rss_second_quarter_mb']} MB, last quarter "
        f"{r['rss_last_quarter_mb']} MB, growth {r['rss_growth_pct']}%; peaks: main process "
        f"{r['peak_rss_main_mb']} MB, workers {r['peak_rss_workers_mb']} MB)",
        f"  counts: {json.dumps(r['counts'])}",
    ]
    if r.get("langs"):
        per = r["langs"]["per_language"]
        lines.append(f"  language mix: {format_langs(r['langs']['mix'])}")
        lines.append("  per language (items / identified / indexed): " + ", ".join(
            f"{code} {v['items']}/{v['identified']}/{v['indexed']}" for code, v in per.items()))
    cpu = r.get("cpu_seconds") or {}
    lines.append("  CPU seconds during ingest: " + ", ".join(f"{k} {v}" for k, v in cpu.items() if v is not None))
    lines.append("  stage seconds are wall time inside each worker, summed over worker processes")
    return "\n".join(lines)


__all__ = ["render", "run_bench", "statistics", "synth_item"]
