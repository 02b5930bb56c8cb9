"""Story assignment: every outlet's report of one event shares one `story_id`.

A new article joins the recent story whose reports it resembles most on average (`event.similarity` over the
story's reports, at most `MAX_MEMBERS`), when that average reaches `THRESHOLD`; otherwise it starts a new story
whose id is its own article id, so reruns are deterministic. An article already known (same article id among the
candidates) keeps its story. Items of a batch are processed in (published_at, id) order, each against the
candidates and the earlier items, so input order never changes the result. Every decision is a `Decision` that
says why (score, the most similar report, the signals), stored on the article and shown by `newsmon classify`.

`decide`, `cluster_batch` and `group_stories` (used by `newsmon classify`) are pure; `assign_stories` is the
ingest step, which reads its candidates from Elasticsearch through `lookup`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pipeline.index.documents import Enriched
from pipeline.stories.candidate import (
    MAX_MEMBERS,
    NEARBY_STORIES,
    THRESHOLD,
    Candidate,
    parse_when,
    time_key,
    within_window,
)
from pipeline.stories.event import EventFeatures, Match, features, retrieval_keys, similarity, stored
from pipeline.stories.lookup import lookup_candidates_batch

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

__all__ = ["NEARBY_STORIES", "Decision", "assign_stories", "cluster_batch", "decide", "group_stories", "nearby",
           "story_score"]  # fmt: skip

COMMON_KEY_STORIES = 50  # a key held by more stories than this is too common to rank by (and costs O(stories))


@dataclass(frozen=True)
class Decision:
    """The story an article joined (or founded) and why: the story's average similarity, the most similar
    report in it and that pair's signals. `joined` False: a new story (the nearest story's score, if any)."""

    story_id: str
    joined: bool
    score: float | None = None
    matched: str | None = None
    signals: dict[str, float] = field(default_factory=dict)
    reports: int = 0  # reports of the story it was compared with

    def explain(self) -> dict[str, Any]:
        """JSON for the index (`story_reason`) and `newsmon classify`."""
        out: dict[str, Any] = {"joined": self.joined}
        if self.score is not None:
            out["score"] = round(self.score, 3)
        if self.matched is not None:
            out["matched"] = self.matched
            out["reports_compared"] = self.reports
            out["signals"] = {k: round(v, 3) for k, v in self.signals.items()}
        return out


def story_score(feats: EventFeatures, members: Sequence[Candidate]) -> tuple[float, Candidate, Match]:
    """Average similarity of an article to a story's reports (earliest `MAX_MEMBERS`), with the closest report."""
    ranked = sorted(members, key=lambda c: (time_key(c.published_at), c.article_id))[:MAX_MEMBERS]
    best: tuple[float, Candidate, Match] | None = None
    total = 0.0
    for cand in ranked:
        m = similarity(feats, cand.features)
        total += m.score
        if best is None or m.score > best[0]:
            best = (m.score, cand, m)
    assert best is not None
    return total / len(ranked), best[1], best[2]


def decide(article_id: str, feats: EventFeatures, stories: Mapping[str, Sequence[Candidate]],
           threshold: float = THRESHOLD) -> Decision:  # fmt: skip
    """The story for one article among candidate `stories` (story id -> its known reports)."""
    for sid, members in stories.items():
        if any(c.article_id == article_id for c in members):
            return Decision(sid, joined=sid != article_id)  # a known article keeps its story
    best: tuple[tuple[float, tuple[bool, datetime], str], Decision] | None = None
    for sid in sorted(stories):
        members = stories[sid]
        if not members:
            continue
        avg, closest, match = story_score(feats, members)
        first = min(time_key(c.published_at) for c in members)
        rank = (-avg, first, sid)  # highest average, then the earliest story, then the smaller id
        if best is None or rank < best[0]:
            best = (rank, Decision(sid, True, avg, closest.article_id, match.signals, min(len(members), MAX_MEMBERS)))
    if best is not None and best[1].score is not None and best[1].score >= threshold:
        return best[1]
    nearest = best[1] if best is not None else None
    if nearest is None:
        return Decision(article_id, False)
    return replace(nearest, story_id=article_id, joined=False)


def cluster_batch(items: Sequence[tuple[str, EventFeatures]], candidates: Sequence[Candidate] = (),
                  threshold: float = THRESHOLD) -> dict[str, Decision]:  # fmt: skip
    """Decisions for a batch of (article id, features): items may join the candidates' stories or each other.

    Items go in (published_at, id) order, each compared with the stories reachable through its retrieval keys
    (what `lookup` would find in the index), so the result does not depend on input order and equals
    processing the items one by one against an index holding the earlier ones.
    """
    stories: dict[str, list[Candidate]] = {}
    by_key: dict[str, set[str]] = {}
    known: dict[str, str] = {}

    def remember(cand: Candidate) -> None:
        stories.setdefault(cand.story_id, []).append(cand)
        known.setdefault(cand.article_id, cand.story_id)
        for key in retrieval_keys(cand.features):
            by_key.setdefault(key, set()).add(cand.story_id)

    for cand in candidates:
        remember(cand)
    out: dict[str, Decision] = {}
    for article_id, feats in sorted(items, key=lambda it: (time_key(it[1].published_at), it[0])):
        if article_id in out:
            continue  # the same article twice in one batch: one decision
        if article_id in known:
            sid = known[article_id]
            out[article_id] = Decision(sid, joined=sid != article_id)
            continue
        reachable = nearby(retrieval_keys(feats), by_key, keep=_in_window_of(feats.published_at, stories))
        decision = decide(article_id, feats, {sid: stories[sid] for sid in reachable}, threshold)
        out[article_id] = decision
        remember(Candidate(decision.story_id, article_id, feats.published_at, feats))
    return out


def nearby(keys: Iterable[str], by_key: Mapping[str, set[str]], limit: int = NEARBY_STORIES,
           keep: Callable[[str], bool] | None = None) -> list[str]:  # fmt: skip
    """The stories sharing the most of `keys` (at most `limit`; ties by story id): the in-memory twin of the
    index lookup, so a key every story has ("Myanmar") never makes an article compare with all of them.
    `keep`, when given, drops stories before ranking (the lookup's time filter)."""
    shared: dict[str, int] = {}
    for key in keys:
        holders = by_key.get(key, ())
        if len(holders) > COMMON_KEY_STORIES:
            continue  # a key most stories share ranks nothing (its idf in the index lookup is near zero)
        for sid in holders:
            shared[sid] = shared.get(sid, 0) + 1
    out: list[str] = []
    for sid in sorted(shared, key=lambda sid: (-shared[sid], sid)):
        if keep is None or keep(sid):  # tested in rank order, so only until `limit` stories pass
            out.append(sid)
            if len(out) == limit:
                break
    return out


def _in_window_of(when: datetime | None, stories: Mapping[str, Sequence[Candidate]]) -> Callable[[str], bool]:
    """Whether a story has a report within the window of `when`, as the index lookup filters (an older story
    sharing the same keys must not crowd a recent one out of the `NEARBY_STORIES`)."""
    return lambda sid: any(within_window(c.published_at, when) for c in stories[sid])


def _field(record: Any, *names: str) -> Any:
    for name in names:
        value = record.get(name) if isinstance(record, Mapping) else getattr(record, name, None)
        if value is not None:
            return value
    return None


def group_stories(records: Iterable[Any], entities: Sequence[Sequence[Any]] | None = None,
                  langs: Sequence[str | None] | None = None) -> dict[str, Decision]:
    """Group the reports of one event within one input (used by `newsmon classify`): id -> Decision.

    Records are mappings or objects with `id`, `title`, `text` and optionally `published` / `published_at`
    (datetime, date or ISO string; unparseable counts as undated) and `lang`. `entities`, when given, holds each
    record's extracted entities (objects with `label` and `canonical`) and `langs` each record's language (else
    the record's own `lang`). Undated records are compared with every record regardless of time.
    """
    items: list[tuple[str, EventFeatures]] = []
    for n, rec in enumerate(records):
        ents = [(e.label, e.canonical, e.start) for e in entities[n]] if entities is not None else []
        feats = features(str(_field(rec, "title") or ""), str(_field(rec, "text") or ""), ents,
                         parse_when(_field(rec, "published", "published_at")),
                         langs[n] if langs is not None else _field(rec, "lang", "language"))
        items.append((str(_field(rec, "id")), feats))
    return cluster_batch(items)


def article_features(e: Enriched) -> EventFeatures:
    """The event features of an enriched article (its extracted entities included)."""
    a = e.article
    return features(a.title, a.text, [(m.label, m.canonical, m.start) for m in e.entities], a.published_at,
                    a.language)


def assign_stories(es: Elasticsearch | None, index: str | None, items: list[Enriched]) -> list[Enriched]:
    """Give every topical item a story_id with its reason and stored event features, comparing with recent
    stories in Elasticsearch (when `es` and `index` are given) and with each other; other items pass through."""
    topical = [e for e in items if e.topical]
    if not topical:
        return items
    feats = {e.article.id: article_features(e) for e in topical}
    batch = list(feats.items())
    candidates = lookup_candidates_batch(es, index, batch) if es is not None and index else []
    decisions = cluster_batch(batch, candidates)
    out = []
    for e in items:
        if e.topical:
            f, d = feats[e.article.id], decisions[e.article.id]
            e = replace(e, story_id=d.story_id, story_reason=d.explain(), event_keys=tuple(retrieval_keys(f)),
                        event_sig=stored(f))  # fmt: skip
        out.append(e)
    return out
