"""Entity evaluation: the gold file, the score floors, and how a split entity is counted."""

from __future__ import annotations

from pipeline.core.records import Entity
from pipeline.entities.evaluate import evaluate_entities, format_report, score
from pipeline.entities.extractor import EntityExtractor
from tests.entities.conftest import GOLD


def test_gold_file_is_substantial() -> None:
    import json

    rows = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 30
    for row in rows:
        assert {"id", "text", "entities"} <= set(row)
        for ent in row["entities"]:
            for variant in ent.get("variants", []):
                assert variant in row["text"], (row["id"], variant)


def test_gold_scores(extractor: EntityExtractor) -> None:
    result = evaluate_entities(GOLD, extractor)
    report = format_report(result)
    for label in ("PERSON", "ORG", "GPE"):
        stats = result["per_label"][label]
        assert stats["recall"] >= 0.92, report
        assert stats["precision"] >= 0.90, report
    collapse = result["collapse"]
    assert collapse["within_story"]["entities"] >= 20 and collapse["across_stories"]["entities"] >= 20
    assert collapse["within_story"]["share"] >= 0.95, report
    assert collapse["across_stories"]["share"] >= 0.95, report


def test_score_counts_a_split_entity() -> None:
    rows = [
        {
            "id": "a",
            "text": "Sergei Lavrov spoke. Lavrov left.",
            "entities": [{"canonical": "Sergei Lavrov", "label": "PERSON", "variants": ["Sergei Lavrov", "Lavrov"]}],
        },
    ]
    split = [[Entity("Sergei Lavrov", "PERSON", "Sergei Lavrov", 0, 13), Entity("Lavrov", "PERSON", "Lavrov", 21, 27)]]
    res = score(rows, split)
    assert res["collapse"]["within_story"] == {"entities": 1, "collapsed": 0, "share": 0.0}
    assert res["per_label"]["PERSON"]["precision"] == 0.5 and res["per_label"]["PERSON"]["recall"] == 1.0
