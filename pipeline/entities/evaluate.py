"""Measure entity extraction against a gold file: per-label precision/recall and variant collapse.

Gold file: JSON Lines `{"id", "text", "lang"?, "entities": [{"canonical", "label", "variants"?: [...]}]}` listing the
distinct entities of each text; `variants` are the surface forms used in the text when there are several
(e.g. "Sergey Lavrov" and "Lavrov"). Rows without `text` take it, and `lang`, from an articles file by id
(the multilingual dev set: entities as `{"text", "label", "canonical"}` per surface form); scores are then also
given per language. Why two measures: precision/recall say whether the right entities are
found with the right type; the collapse rate says whether facets keep one bucket per entity, within a story
(several spellings in one text) and across stories (different spellings in different texts).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline.core import metrics
from pipeline.core.records import Entity
from pipeline.entities.extractor import EntityExtractor
from pipeline.entities.gazetteer import match_key
from pipeline.lang.scripts import unspaced


def _read_jsonl(path: Path | str) -> list[tuple[int, dict[str, Any]]]:
    rows = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{n}: invalid JSON: {exc.msg}") from None
        if not isinstance(row, dict):
            raise ValueError(f"{path}:{n}: expected a JSON object")
        rows.append((n, row))
    return rows


def _by_variants(entities: list[Any]) -> list[dict[str, Any]]:
    """Mention lists (`{"text", "label", "canonical"}` per surface form) -> one entity per canonical name and
    label with its surface forms as `variants`; entity lists already in that form are returned unchanged."""
    if not any(isinstance(e, dict) and "text" in e and "variants" not in e for e in entities):
        return entities
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for e in entities:
        ent = out.setdefault((e["canonical"], e["label"]), {"canonical": e["canonical"], "label": e["label"]})
        if "text" in e and e["text"] not in ent.setdefault("variants", []):
            ent["variants"].append(e["text"])
    return list(out.values())


def read_gold(path: Path | str, articles: Path | str | None = None) -> list[dict[str, Any]]:
    """Rows of a gold JSONL file (blank lines skipped); errors name the line.

    A row without `text` takes `text` (and `lang`) from the articles file by `id` (`articles`, default the
    `articles.jsonl` next to the gold file): the multilingual dev set's form, whose entities list each surface
    form with its English canonical name."""
    pairs = _read_jsonl(path)
    texts: dict[str, dict[str, Any]] | None = None
    rows = []
    for n, row in pairs:
        if "text" not in row and "id" in row:
            if texts is None:
                source = Path(articles) if articles is not None else Path(path).with_name("articles.jsonl")
                if not source.exists():
                    raise ValueError(f"{path}:{n}: no 'text', and no articles file {source} to take it from")
                texts = {str(a.get("id")): a for _, a in _read_jsonl(source)}
            article = texts.get(str(row["id"]))
            if article is None:
                raise ValueError(f"{path}:{n}: id {row['id']!r} is not in the articles file")
            row = {**row, "text": article.get("text"), "lang": row.get("lang") or article.get("lang")}
        if not isinstance(row.get("text"), str) or not isinstance(row.get("entities"), list):
            raise ValueError(f"{path}:{n}: needs 'text' (string) and 'entities' (list)")
        rows.append({**row, "entities": _by_variants(row["entities"])})
    return rows


def _occurrences(text: str, form: str) -> list[tuple[int, int]]:
    if unspaced(form):  # Chinese, Japanese, Thai, Burmese: no word boundaries to go by
        return [(m.start(), m.end()) for m in re.finditer(re.escape(form), text)]
    return [(m.start(), m.end()) for m in re.finditer(rf"(?<!\w){re.escape(form)}(?!\w)", text)]


def _forms(ent: dict[str, Any], text: str) -> list[str]:
    """Surface forms of a gold entity: its variants, else its canonical name if the text uses it."""
    return list(ent.get("variants") or ([ent["canonical"]] if _occurrences(text, ent["canonical"]) else []))


def _canonicals_at(entities: Sequence[Entity], start: int, end: int) -> set[str]:
    return {match_key(e.canonical) for e in entities if e.start < end and start < e.end}


def score(rows: Sequence[dict[str, Any]], predictions: Sequence[Sequence[Entity]]) -> dict[str, Any]:
    """Compare predictions (one entity list per row) with the gold rows."""
    gold_labels = sorted({e["label"] for row in rows for e in row["entities"]})
    counts = {label: {"tp": 0, "fp": 0, "fn": 0} for label in gold_labels}
    errors: list[dict[str, Any]] = []
    # canonical key -> list of (surface form, set of predicted canonical keys at its occurrences or None)
    across: dict[str, list[tuple[str, frozenset[str] | None]]] = defaultdict(list)
    within_total = within_ok = 0
    split_within: list[dict[str, Any]] = []
    for row, pred in zip(rows, predictions, strict=True):
        text = row["text"]
        gold = {(match_key(e["canonical"]), e["label"]) for e in row["entities"]}
        got = {(match_key(e.canonical), e.label) for e in pred if e.label in counts}
        for label in gold_labels:
            g = {k for k, lab in gold if lab == label}
            p = {k for k, lab in got if lab == label}
            counts[label]["tp"] += len(g & p)
            counts[label]["fp"] += len(p - g)
            counts[label]["fn"] += len(g - p)
            if g != p:
                errors.append({"id": row.get("id"), "label": label, "missed": sorted(g - p), "spurious": sorted(p - g)})
        # occurrences of every gold surface form; one nested in a longer gold form ("Myanmar" inside
        # "Global New Light of Myanmar") belongs to the longer entity and is not counted for the shorter one
        all_forms = {f for ent in row["entities"] for f in _forms(ent, text)}
        spans = [span for f in all_forms for span in _occurrences(text, f)]
        for ent in row["entities"]:
            forms = _forms(ent, text)
            seen: set[str] = set()
            complete = True
            per_form: dict[str, list[str]] = {}
            for form in forms:
                occ = [
                    (s, e)
                    for s, e in _occurrences(text, form)
                    if not any(a <= s and e <= b and (a, b) != (s, e) for a, b in spans)
                ]
                found = [_canonicals_at(pred, s, e) for s, e in occ]
                per_form[form] = sorted(set().union(*found)) if found else []
                if not occ or any(not f for f in found):
                    complete = False
                    across[match_key(ent["canonical"])].append((form, None))
                    continue
                at = frozenset().union(*found)
                seen |= at
                across[match_key(ent["canonical"])].append((form, at))
            if len(set(forms)) > 1:
                within_total += 1
                within_ok += int(complete and len(seen) == 1)
                if not (complete and len(seen) == 1):
                    split_within.append({"id": row.get("id"), "canonical": ent["canonical"], "forms": per_form})
    per_label = {label: _rates(c) for label, c in counts.items()}
    across_total = across_ok = 0
    split: list[str] = []
    for key, seen_forms in across.items():
        if len({form for form, _ in seen_forms}) < 2:
            continue
        across_total += 1
        names: set[str] = set()
        ok = True
        for _form, hit in seen_forms:
            if hit is None:
                ok = False
            else:
                names |= hit
        if ok and len(names) == 1:
            across_ok += 1
        else:
            split.append(key)
    total = within_total + across_total
    micro = _rates({k: sum(c[k] for c in counts.values()) for k in ("tp", "fp", "fn")})
    return {
        "documents": len(rows),
        "per_label": per_label,
        "micro": micro,
        "per_language": _per_language(rows, predictions, gold_labels),
        "collapse": {
            "within_story": {
                "entities": within_total,
                "collapsed": within_ok,
                "share": round(within_ok / within_total, 4) if within_total else 1.0,
            },
            "across_stories": {
                "entities": across_total,
                "collapsed": across_ok,
                "share": round(across_ok / across_total, 4) if across_total else 1.0,
            },
            "share": round((within_ok + across_ok) / total, 4) if total else 1.0,
            "split_across_stories": sorted(split),
            "split_within_story": split_within,
        },
        "errors": errors,
    }


def _rates(c: dict[str, int]) -> dict[str, Any]:
    prec, rec = metrics.precision(c["tp"], c["fp"]), metrics.recall(c["tp"], c["fn"])
    return {**c, "precision": round(prec, 4), "recall": round(rec, 4)}


def _per_language(
    rows: Sequence[dict[str, Any]], predictions: Sequence[Sequence[Entity]], labels: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """Micro precision/recall of the distinct (canonical, label) pairs per document, by the rows' `lang`
    (empty when no row names its language)."""
    if not any(row.get("lang") for row in rows):
        return {}
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0, "documents": 0})
    for row, pred in zip(rows, predictions, strict=True):
        c = counts[str(row.get("lang") or "?")]
        gold = {(match_key(e["canonical"]), e["label"]) for e in row["entities"]}
        got = {(match_key(e.canonical), e.label) for e in pred if e.label in labels}
        c["tp"] += len(gold & got)
        c["fp"] += len(got - gold)
        c["fn"] += len(gold - got)
        c["documents"] += 1
    return {
        lang: {"documents": c["documents"], **_rates(c)}
        for lang, c in sorted(counts.items(), key=lambda kv: (-kv[1]["documents"], kv[0]))
    }


def evaluate_entities(
    gold_path: Path | str, extractor: EntityExtractor | None = None, articles: Path | str | None = None
) -> dict[str, Any]:
    """Run the extractor over a gold file (each text in its row's `lang`) and score it (see `score`)."""
    rows = read_gold(gold_path, articles)
    ex = extractor or EntityExtractor()
    return score(rows, ex.extract_many((row["text"] for row in rows), [row.get("lang") for row in rows]))


def format_report(result: dict[str, Any]) -> str:
    """A small plain-text table of the evaluation for terminals and docs."""
    lines = [f"{'label':<8}{'P':>8}{'R':>8}{'tp':>6}{'fp':>6}{'fn':>6}"]
    for label, c in result["per_label"].items():
        lines.append(f"{label:<8}{c['precision']:>8.3f}{c['recall']:>8.3f}{c['tp']:>6}{c['fp']:>6}{c['fn']:>6}")
    m = result.get("micro")
    if m:
        lines.append(f"{'all':<8}{m['precision']:>8.3f}{m['recall']:>8.3f}{m['tp']:>6}{m['fp']:>6}{m['fn']:>6}")
    if result.get("per_language"):
        lines.append("per language (all labels):")
        for lang, c in result["per_language"].items():
            lines.append(
                f"  {lang:<6}{c['precision']:>8.3f}{c['recall']:>8.3f}{c['tp']:>6}{c['fp']:>6}{c['fn']:>6}"
                f"  ({c['documents']} texts)"
            )
    col = result["collapse"]
    w, a = col["within_story"], col["across_stories"]
    lines.append(
        f"collapsed within story: {w['collapsed']}/{w['entities']}; across stories: "
        f"{a['collapsed']}/{a['entities']}; overall {col['share']:.3f}"
    )
    return "\n".join(lines)


def _tokens_overlap(a: str, b: str) -> bool:
    """Two name keys share a word run: one is inside the other ("light infantry division" / "77th ...")."""
    ta, tb = a.split(), b.split()
    short, long_ = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    n = len(short)
    return any(long_[i : i + n] == short for i in range(len(long_) - n + 1))


def error_classes(result: dict[str, Any]) -> dict[str, list[str]]:
    """The mistakes of a `score` result grouped by class, for an analyst deciding what to fix:

    * `wrong label`: the entity was found under another label ("Moldova" as ORG instead of GPE);
    * `partial name`: a predicted name of that label is inside or around the gold one (a boundary error,
      "Light Infantry Division" for "77th Light Infantry Division");
    * `missed <LABEL>`: not found at all; `spurious <LABEL>`: predicted but not in the gold;
    * `split within story`: one entity's surface forms got several canonical names, or a form was missed
      (each form with the names predicted at its occurrences); `split across stories`: the entity's canonical
      name differs between texts.
    """
    classes: dict[str, list[str]] = defaultdict(list)
    by_id: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for err in result["errors"]:
        by_id[err["id"]].append(err)
    for doc_id, errs in by_id.items():
        missed = {(k, e["label"]) for e in errs for k in e["missed"]}
        spurious = {(k, e["label"]) for e in errs for k in e["spurious"]}
        used: set[tuple[str, str]] = set()
        for key, label in sorted(missed):
            other = sorted(lab for k, lab in spurious if k == key and lab != label)
            if other:
                classes["wrong label"].append(f"{doc_id}: {key!r} gold {label}, predicted {other[0]}")
                used |= {(key, label), (key, other[0])}
                continue
            near = sorted(k for k, lab in spurious if lab == label and _tokens_overlap(k, key))
            if near:
                classes["partial name"].append(f"{doc_id}: {label} {key!r}, predicted {near[0]!r}")
                used |= {(key, label), (near[0], label)}
        for key, label in sorted(missed - used):
            classes[f"missed {label}"].append(f"{doc_id}: {key!r}")
        for key, label in sorted(spurious - used):
            classes[f"spurious {label}"].append(f"{doc_id}: {key!r}")
    collapse = result["collapse"]
    for split in collapse.get("split_within_story", []):
        forms = "; ".join(f"{form!r} -> {names or 'not found'}" for form, names in split["forms"].items())
        classes["split within story"].append(f"{split['id']}: {split['canonical']!r}: {forms}")
    for key in collapse["split_across_stories"]:
        classes["split across stories"].append(repr(key))
    return dict(classes)


def format_errors(result: dict[str, Any]) -> str:
    """`error_classes` as text: one block per class, largest first."""
    classes = error_classes(result)
    lines = []
    for name, items in sorted(classes.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        lines.append(f"{name} ({len(items)}):")
        lines.extend(f"  {item}" for item in items)
    return "\n".join(lines) if lines else "no errors"


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m pipeline.entities.evaluate [GOLD] [--articles ARTICLES] [--json] [--errors]`."""
    import sys

    args = list(sys.argv[1:] if argv is None else argv)
    articles = None
    if "--articles" in args:
        at = args.index("--articles")
        if at + 1 >= len(args):
            print("--articles needs a path", file=sys.stderr)
            return 2
        articles = args[at + 1]
        del args[at : at + 2]
    paths = [a for a in args if not a.startswith("--")]
    res = evaluate_entities(paths[0] if paths else "tests/fixtures/entities/gold.jsonl", articles=articles)
    if "--json" in args:
        if "--errors" in args:
            res["error_classes"] = error_classes(res)
        print(json.dumps(res, indent=2))
        return 0
    print(format_report(res))
    if "--errors" in args:
        print()
        print(format_errors(res))
    return 0


if __name__ == "__main__":  # pragma: no cover - manual use
    raise SystemExit(main())
