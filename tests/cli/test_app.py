"""The `newsmon` command contracts other tools rely on (design.md): classify, eval, run, feeds status,
reprocess; exit codes 0/1/2 with messages naming the file, line or key."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from elasticsearch import Elasticsearch

from pipeline.index import store
from tests.support.feedserver import FeedServer

ROOT = Path(__file__).resolve().parents[2]
LABELLED = ROOT / "tests" / "fixtures" / "topics" / "labelled.jsonl"

LAVROV = {
    "id": "a1",
    "title": "Lavrov visits Naypyidaw ahead of ASEAN meeting",
    "text": "Russian Foreign Minister Sergey Lavrov arrived in Nay Pyi Taw on Monday for talks with the junta "
            "leader Min Aung Hlaing before the ASEAN foreign ministers' meeting in Vientiane. Lavrov said Moscow "
            "supported ASEAN's five-point consensus on Myanmar, the Russian Foreign Ministry said.",
}
COPY = {**LAVROV, "id": "a2", "title": "Russia's Lavrov in Myanmar before ASEAN talks", "url": "https://b.example/x"}
OFF = {"id": "a3", "title": "Local bakery wins award", "text": "A bakery in the old town won a national prize."}


def newsmon(*args: str, stdin: str | None = None, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline.cli.app", *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, env={**os.environ, **(env or {})}, timeout=300)


def test_classify_contract_same_order_topics_entities_story_ids(tmp_path: Path):
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(x) for x in (LAVROV, OFF, COPY)) + "\n")
    out = tmp_path / "out.jsonl"
    proc = newsmon("classify", "--input", str(src), "--output", str(out))
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["a1", "a3", "a2"]
    assert set(rows[0]) == {"id", "lang", "topics", "entities", "story_id", "story"}
    assert {t["name"] for t in rows[0]["topics"]} == {"myanmar", "asean", "russian_diplomacy"}
    assert all(t["evidence"] and t["score"] > 0 for t in rows[0]["topics"])
    assert rows[1]["topics"] == []
    canon = {(e["canonical"], e["label"]) for e in rows[0]["entities"]}
    assert ("Sergey Lavrov", "PERSON") in canon and ("Naypyidaw", "GPE") in canon
    assert rows[0]["story_id"] == rows[2]["story_id"] != rows[1]["story_id"]


def test_classify_stdin_stdout_and_bad_line_is_exit_2_naming_the_line():
    ok = newsmon("classify", "--input", "-", "--output", "-", "--no-entities", stdin=json.dumps(OFF) + "\n")
    assert ok.returncode == 0 and json.loads(ok.stdout)["id"] == "a3"
    bad = newsmon("classify", "--input", "-", stdin=json.dumps(OFF) + "\n{not json\n")
    assert bad.returncode == 2
    assert "<stdin>:2" in bad.stderr and "invalid JSON" in bad.stderr


def test_eval_reports_per_topic_metrics_as_json():
    proc = newsmon("eval", "--input", str(LABELLED), "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert set(data["topics"]) == {"myanmar", "asean", "russian_diplomacy"}
    for m in data["topics"].values():
        assert {"precision", "recall", "f1", "tp", "fp", "fn", "tn"} <= set(m)
        assert m["f1"] >= 0.9
    table = newsmon("eval", "--input", str(LABELLED))
    assert "russian_diplomacy" in table.stdout and "f1" in table.stdout


def test_bad_config_is_exit_2_naming_file_and_key(tmp_path: Path):
    bad = tmp_path / "feeds.yaml"
    bad.write_text("feeds:\n  - name: x\n    url: ftp://nope\n")
    proc = newsmon("run", "--once", "--feeds", str(bad))
    assert proc.returncode == 2
    assert str(bad) in proc.stderr and "feeds[0].url" in proc.stderr


def test_es_down_is_exit_1_with_the_url(tmp_path: Path):
    proc = newsmon("feeds", "status", env={"NEWSMON_ES_URL": "http://127.0.0.1:9"})
    assert proc.returncode == 1
    assert "127.0.0.1:9" in proc.stderr and "Traceback" not in proc.stderr


def test_run_once_then_feeds_status_and_reprocess(es: Elasticsearch, index_names: store.IndexNames,
                                                 feed_server: FeedServer, tmp_path: Path):
    pub = "Thu, 26 Nov 2026 08:00:00 GMT"
    items = "".join(
        f"<item><title>{x['title']}</title><link>https://site.example/{x['id']}</link>"
        f"<description>{x['text']}</description><pubDate>{pub}</pubDate></item>" for x in (LAVROV, OFF))
    feed_server.add("/f.xml", body=(f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
                                    f"<link>https://site.example/</link>{items}</channel></rss>").encode())
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(f"feeds:\n  - name: site\n    url: {feed_server.url('/f.xml')}\n"
                     f"  - name: dead\n    url: http://127.0.0.1:9/x.xml\n")
    env = {"NEWSMON_INDEX_PREFIX": index_names.prefix}
    run = newsmon("run", "--once", "--feeds", str(feeds), "--json", env=env)
    assert run.returncode == 1, run.stderr  # one feed failed
    summary = json.loads(run.stdout)
    assert summary["totals"]["indexed"] == 1 and summary["totals"]["archived"] == 1
    assert summary["failed_feeds"] == 1

    status = newsmon("feeds", "status", "--feeds", str(feeds), "--json", env=env)
    assert status.returncode == 0, status.stderr
    rows = {r["feed"]: r for r in json.loads(status.stdout)}
    assert rows["site"]["health"] == "ok" and rows["site"]["items_24h"] == 2
    assert rows["dead"]["consecutive_failures"] == 1 and "127.0.0.1:9" in rows["dead"]["last_error"]

    # a stricter rules file: reprocess removes the story from the articles index without refetching
    strict = tmp_path / "config"
    strict.mkdir()
    for name in ("entities.yaml", "alerts.yaml", "feeds.yaml"):
        (strict / name).write_text((ROOT / "config" / name).read_text())
    topics = (ROOT / "config" / "topics.yaml").read_text()
    (strict / "topics.yaml").write_text(topics.replace("threshold:", "threshold: 1000 #", 99))
    rep = newsmon("reprocess", "--since", "30d", "--json", env={**env, "NEWSMON_CONFIG_DIR": str(strict)})
    assert rep.returncode == 0, rep.stderr
    counts = json.loads(rep.stdout)
    assert counts["items"] == 2 and counts["removed"] == 1 and counts["changed"] == 1
    es.indices.refresh(index=index_names.articles)
    assert es.count(index=index_names.articles)["count"] == 0
