"""`newsmon classify` / `newsmon eval`: offline classification of JSON Lines articles (no ES, no network).

Input lines: {"id", "title", "text", "url"?, "published"?, "source"?, "lang"?, "labels"?}. Output, one line per input in
the same order: {"id", "lang", "topics": [{"name", "score", "evidence": [...]}], "entities": [{"text", "label",
"canonical"}], "story_id"}. `lang` is the line's own `lang` when it has one, else identified from its title and
text (`pipeline.ingest.langid`; null when unknown), and picks the language data of detection and extraction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

from pipeline.core.records import TopicMatch
from pipeline.ingest.langid import identify, primary_code


class InputError(ValueError):
    """A bad input line; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class InputRecord:
    id: str
    title: str
    text: str
    url: str | None = None
    published: datetime | None = None
    source: str | None = None
    labels: frozenset[str] | None = None
    lang: str | None = None  # ISO 639-1 code when the line declares it; picks the language data


def _parse_date(value: Any) -> datetime | None:
    if not value or not isinstance(value, str):
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def read_jsonl(stream: IO[str], name: str) -> Iterator[InputRecord]:
    """Parse JSON Lines, naming `name:line` on any malformed line or missing field."""
    for lineno, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{name}:{lineno}: invalid JSON: {exc.msg}") from None
        if not isinstance(obj, dict):
            raise InputError(f"{name}:{lineno}: expected a JSON object")
        if "id" not in obj:
            raise InputError(f"{name}:{lineno}: missing key 'id'")
        title, text = obj.get("title") or "", obj.get("text") or ""
        if not isinstance(title, str) or not isinstance(text, str):
            raise InputError(f"{name}:{lineno}: 'title' and 'text' must be strings")
        labels = obj.get("labels")
        if labels is not None and not (isinstance(labels, list) and all(isinstance(x, str) for x in labels)):
            raise InputError(f"{name}:{lineno}: 'labels' must be a list of strings")
        yield InputRecord(
            id=str(obj["id"]),
            title=title,
            text=text,
            url=obj.get("url") if isinstance(obj.get("url"), str) else None,
            published=_parse_date(obj.get("published")),
            source=obj.get("source") if isinstance(obj.get("source"), str) else None,
            labels=frozenset(labels) if labels is not None else None,
            lang=obj.get("lang") if isinstance(obj.get("lang"), str) else None,
        )


def topic_json(m: TopicMatch) -> dict[str, Any]:
    return {
        "name": m.name,
        "score": m.score,
        "evidence": [
            {"rule": e.rule, "term": e.term, "field": e.field, "start": e.start, "end": e.end,
             "weight": e.weight, "text": e.describe()}
            for e in m.evidence
        ],
    }


def record_language(rec: InputRecord) -> str | None:
    """The line's declared `lang` (primary subtag, lower-cased), else the language identified from its text."""
    declared = primary_code(rec.lang)
    if declared:
        return declared
    return identify(f"{rec.title}\n{rec.text}").code


def classify_records(records: Sequence[InputRecord], *, with_entities: bool = True,
                     batch_size: int = 64) -> Iterator[dict[str, Any]]:
    """Topics, entities and story ids for every record, in input order."""
    from pipeline.jobs.stages import Components
    from pipeline.stories.assign import group_stories

    comps = Components()
    detector = comps.detector
    langs = [record_language(r) for r in records]
    entities: list[list[Any]] = [[] for _ in records]
    if with_entities and records:
        entities = comps.extractor.extract_many((f"{r.title}\n\n{r.text}" for r in records), langs=langs)
    # one story per event: grouped with the same signals as ingestion (text, entities, figures, dates, time)
    stories = group_stories(records, entities if with_entities else None, langs)
    for rec, lang, ents in zip(records, langs, entities, strict=True):
        yield {
            "id": rec.id,
            "lang": lang,
            "topics": [topic_json(m) for m in detector.detect(rec.title, rec.text, lang=lang)],
            "entities": [
                {"text": e.text, "label": e.label, "canonical": e.canonical, "start": e.start, "end": e.end}
                for e in ents
            ],
            "story_id": stories[rec.id].story_id if rec.id in stories else rec.id,
            "story": stories[rec.id].explain() if rec.id in stories else {"joined": False},
        }


def per_language(records: Sequence[InputRecord], gold: Sequence[set[str]], predicted: Sequence[set[str]],
                 topics: Sequence[str]) -> dict[str, Any]:
    """Topic scores per language (`record_language` of each line; "und" when unknown), languages sorted by
    item count then code: code -> `EvalReport` (`pipeline.detect.evaluate`)."""
    from pipeline.detect.evaluate import evaluate

    groups: dict[str, list[int]] = {}
    for i, rec in enumerate(records):
        groups.setdefault(record_language(rec) or "und", []).append(i)
    order = sorted(groups, key=lambda code: (-len(groups[code]), code))
    return {code: evaluate([gold[i] for i in groups[code]], [predicted[i] for i in groups[code]], topics)
            for code in order}


def format_per_language(reports: dict[str, Any]) -> str:
    """One line per language and topic: F1 (tp/fp/fn) and the items, for `newsmon eval`."""
    lines = ["per language (F1, tp/fp/fn):"]
    for code, report in reports.items():
        cells = [f"{name} {s.f1:.3f} ({s.tp}/{s.fp}/{s.fn})" for name, s in report.topics.items()]
        lines.append(f"  {code:<4} items {report.items:>3}  " + "  ".join(cells))
    return "\n".join(lines)


def write_jsonl(rows: Iterable[dict[str, Any]], out: IO[str]) -> int:
    n = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        n += 1
    return n
