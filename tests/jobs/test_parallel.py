"""The whole ingest pass against real local feeds and the real Elasticsearch: idempotent, 304-aware,
bad feeds isolated and named, syndicated copies grouped into one story."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from elasticsearch import Elasticsearch

from pipeline.index import store
from pipeline.ingest.feeds import FeedConfig, FeedsFile
from pipeline.jobs import runner
from pipeline.jobs.parallel import run_once
from pipeline.jobs.stages import Components
from tests.support.feedserver import FeedServer, running_feed_server

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

JUNTA = (
    "Myanmar's military government extended emergency rule for another six months on Thursday, state media "
    "said, as fighting between the junta and resistance forces spread across Sagaing Region and Rakhine State. "
    "Senior General Min Aung Hlaing told the National Defence and Security Council in Naypyidaw that elections "
    "would go ahead once stability returned. The National Unity Government rejected the plan as a sham."
)
LAVROV = (
    "Russian Foreign Minister Sergei Lavrov held talks with his Lao counterpart in Vientiane on Friday ahead of "
    "the ASEAN foreign ministers' meeting, the Russian Foreign Ministry said. Lavrov said Moscow backed "
    "ASEAN's central role in regional security and discussed a visit by President Vladimir Putin next year."
)
WEATHER = "Heavy rain is expected across the coastal plains this weekend, forecasters said, with flood warnings."


def rss(items: list[tuple[str, str, str]]) -> bytes:
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link><description>{d}</description>"
        f"<pubDate>Thu, 19 Nov 2026 08:00:00 GMT</pubDate></item>"
        for t, link, d in items
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
            f"<link>https://example.org/</link>{body}</channel></rss>").encode()


def atom(entries: list[tuple[str, str, str]]) -> bytes:
    body = "".join(
        f'<entry><title>{t}</title><link href="{link}"/><id>{link}</id><updated>2026-11-19T09:00:00Z</updated>'
        f"<summary>{d}</summary></entry>"
        for t, link, d in entries
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>a</title>'
            f"<id>urn:x</id><updated>2026-11-19T09:00:00Z</updated>{body}</feed>").encode()


@pytest.fixture
def server() -> FeedServer:
    with running_feed_server() as s:
        yield s


def _feeds(server: FeedServer) -> FeedsFile:
    server.add("/wire.xml", body=rss([
        ("Myanmar junta extends emergency rule", "https://wire.example/myanmar-emergency?utm_source=rss", JUNTA),
        ("Lavrov meets Lao counterpart before ASEAN meeting", "https://wire.example/lavrov-vientiane", LAVROV),
        ("Weekend weather", "https://wire.example/weather", WEATHER),
    ]), etag='"w1"')
    server.add("/paper.xml", body=atom([
        ("Junta in Myanmar prolongs state of emergency", "https://paper.example/world/junta-emergency", JUNTA),
        ("Weekend weather", "https://wire.example/weather#top", WEATHER),
    ]), last_modified="Thu, 19 Nov 2026 09:00:00 GMT")
    server.add("/gone.xml", status=404, body=b"not here")
    server.add("/page.xml", body=b"<!DOCTYPE html><html><body><h1>Welcome</h1></body></html>",
               content_type="text/html; charset=utf-8")
    return FeedsFile(feeds=[
        FeedConfig(name="wire", url=server.url("/wire.xml")),
        FeedConfig(name="paper", url=server.url("/paper.xml")),
        FeedConfig(name="gone", url=server.url("/gone.xml")),
        FeedConfig(name="page", url=server.url("/page.xml")),
        FeedConfig(name="off", url=server.url("/off.xml"), enabled=False),
    ])


def test_run_once_indexes_once_and_isolates_bad_feeds(es: Elasticsearch, index_names: store.IndexNames,
                                                      server: FeedServer):
    feeds = _feeds(server)
    comps = Components()
    runs = {r.feed: r for r in run_once(feeds, es=es, names=index_names, comps=comps, now=NOW)}
    assert set(runs) == {"wire", "paper", "gone", "page"}
    assert runs["wire"].counts.counts.get("indexed") == 2
    assert runs["paper"].counts.counts.get("indexed") == 1
    assert runs["gone"].outcome == "error" and "404" in (runs["gone"].error or "")
    assert runs["page"].outcome == "error" and "not a feed" in (runs["page"].error or "")
    es.indices.refresh(index=f"{index_names.articles},{index_names.items}")
    assert es.count(index=index_names.articles)["count"] == 3
    # the weather item appears in two feeds with different URLs but the same canonical URL: archived once
    assert es.count(index=index_names.items)["count"] == 4
    states = store.mget_sources(es, index_names.feed_state, ["wire", "gone", "page"])
    assert "404" in states["gone"]["last_error"] and states["gone"]["consecutive_failures"] == 1
    assert "not a feed" in states["page"]["last_error"]
    assert states["wire"]["consecutive_failures"] == 0 and states["wire"]["etag"] == '"w1"'

    docs = {h["_source"]["url"]: h["_source"] for h in
            es.search(index=index_names.articles, size=10)["hits"]["hits"]}
    wire = docs["https://wire.example/myanmar-emergency"]
    paper = docs["https://paper.example/world/junta-emergency"]
    assert wire["story_id"] == paper["story_id"], "a syndicated copy must join the story"
    assert wire["topics"] == ["myanmar"]
    assert wire["evidence"] and all(e["text"] for e in wire["evidence"])
    assert "Min Aung Hlaing" in wire["entities"]["person"]
    lavrov = docs["https://wire.example/lavrov-vientiane"]
    assert "russian_diplomacy" in lavrov["topics"]
    assert "Sergey Lavrov" in lavrov["entities"]["person"]
    first_ingested = wire["ingested_at"]

    # second pass: validators sent, 304s counted, nothing new, first ingested_at kept
    later = NOW + timedelta(minutes=10)
    runs2 = {r.feed: r for r in run_once(feeds, es=es, names=index_names, comps=comps, now=later)}
    assert runs2["wire"].outcome == "not-modified"
    assert runs2["paper"].outcome == "not-modified"
    assert any("if-none-match" in r.headers for r in server.requests_for("/wire.xml")[1:])
    assert runs2["gone"].outcome == "error"
    es.indices.refresh(index=index_names.articles)
    assert es.count(index=index_names.articles)["count"] == 3
    again = es.get(index=index_names.articles, id=wire["id"])["_source"]
    assert again["ingested_at"] == first_ingested
    states2 = store.mget_sources(es, index_names.feed_state, ["gone"])
    assert states2["gone"]["consecutive_failures"] == 2


def test_changed_feed_body_with_same_items_counts_duplicates(es: Elasticsearch, index_names: store.IndexNames,
                                                             server: FeedServer):
    server.add("/a.xml", body=rss([("Myanmar junta extends emergency rule", "https://wire.example/a", JUNTA)]))
    feeds = FeedsFile(feeds=[FeedConfig(name="a", url=server.url("/a.xml"))])
    comps = Components()
    run_once(feeds, es=es, names=index_names, comps=comps, now=NOW)
    # same item, feed re-rendered with an extra off-topic item and no validators
    server.add("/a.xml", body=rss([("Myanmar junta extends emergency rule", "https://wire.example/a", JUNTA),
                                   ("Weekend weather", "https://wire.example/w", WEATHER)]))
    (run,) = run_once(feeds, es=es, names=index_names, comps=comps, now=NOW + timedelta(minutes=5))
    assert run.counts.counts.get("duplicate") == 1
    assert run.counts.counts.get("archived") == 1
    assert "indexed" not in run.counts.counts


def test_long_feed_is_processed_in_chunks_with_the_same_outcome(es: Elasticsearch, index_names: store.IndexNames,
                                                              server: FeedServer, monkeypatch: pytest.MonkeyPatch):
    """A feed longer than CHUNK_ITEMS is enriched and indexed chunk by chunk: duplicates across chunk borders are
    still duplicates, and a copy in a later chunk joins the story started in an earlier one."""
    monkeypatch.setattr(runner, "CHUNK_ITEMS", 2)
    server.add("/long.xml", body=rss([
        ("Myanmar junta extends emergency rule", "https://wire.example/m1", JUNTA),
        ("Weekend weather", "https://wire.example/w1", WEATHER),
        ("Weekend weather again", "https://wire.example/w1?utm_source=x", WEATHER),  # same canonical URL as w1
        ("Lavrov meets Lao counterpart", "https://wire.example/l1", LAVROV),
        ("Junta prolongs emergency in Myanmar", "https://paper.example/m1-copy", JUNTA),
    ]))
    feeds = FeedsFile(feeds=[FeedConfig(name="long", url=server.url("/long.xml"))])
    ticks = iter(range(100))

    def clock() -> datetime:  # each call one minute later
        return NOW + timedelta(minutes=next(ticks))

    (run,) = run_once(feeds, es=es, names=index_names, comps=Components(), now=NOW, clock=clock)
    counts = run.counts.counts
    assert counts.get("indexed") == 3 and counts.get("archived") == 1 and counts.get("duplicate-in-feed") == 1
    es.indices.refresh(index=index_names.articles)
    docs = {h["_id"]: h["_source"] for h in es.search(index=index_names.articles, size=10)["hits"]["hits"]}
    by_url = {d["url"]: d for d in docs.values()}
    assert by_url["https://wire.example/m1"]["story_id"] == by_url["https://paper.example/m1-copy"]["story_id"]
    assert by_url["https://wire.example/l1"]["story_id"] != by_url["https://wire.example/m1"]["story_id"]
    # each chunk is stamped when it is indexed (alert latency counts from there)
    stamps = [by_url[u]["ingested_at"] for u in ("https://wire.example/m1", "https://wire.example/l1",
                                                 "https://paper.example/m1-copy")]
    assert stamps == sorted(stamps) and len(set(stamps)) == 3


@pytest.mark.parametrize("cpu_workers", [1, 2])
def test_one_story_from_five_feeds_is_one_story_with_five_outlets(
    es: Elasticsearch, index_names: store.IndexNames, server: FeedServer, cpu_workers: int
):
    """Five outlets carry the same wire story (own URLs, own headlines, trimmed copies): one story_id, even when
    feeds are processed in parallel worker processes, and search shows it once with 5 outlets."""
    from pipeline.search.query import SearchRequest
    from pipeline.search.service import search

    headlines = ["Myanmar junta extends emergency rule", "Junta prolongs Myanmar state of emergency",
                 "Myanmar military extends emergency", "Emergency rule extended in Myanmar",
                 "Myanmar's generals extend emergency rule"]
    feeds = []
    for k, title in enumerate(headlines):
        text = JUNTA if k % 2 == 0 else JUNTA.rsplit(". ", 1)[0] + "."
        server.add(f"/o{k}.xml", body=rss([(title, f"https://outlet{k}.example/news/{k}", text)]))
        feeds.append(FeedConfig(name=f"outlet{k}", url=server.url(f"/o{k}.xml")))
    run_once(FeedsFile(feeds=feeds), es=es, names=index_names, comps=Components(), now=NOW,
                    cpu_workers=cpu_workers)
    es.indices.refresh(index=index_names.articles)
    hits = es.search(index=index_names.articles, size=10)["hits"]["hits"]
    assert len(hits) == 5
    assert len({h["_source"]["story_id"] for h in hits}) == 1
    result = search(es, index_names.articles, SearchRequest(query="emergency"), now=NOW)
    assert result.total_stories == 1 and len(result.hits) == 1
    assert result.hits[0].outlets == 5
