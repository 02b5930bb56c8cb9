"""The index schema (pure): mapping bodies from `mappings/*.json` and index templates built from settings.

The mapping JSON files are the single schema the code reads. Topic names in `topic_scores` come from
`config/topics.yaml` (`pipeline.core.vocab`), so adding a topic needs no mapping edit. Shards and replicas come from
`Settings` (`NEWSMON_ES_SHARDS`, `NEWSMON_ES_REPLICAS`).
"""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from typing import Any

from pipeline.core import vocab
from pipeline.core.settings import Settings
from pipeline.index import analysis
from pipeline.index.names import IndexNames


@cache
def _mapping_file(name: str) -> str:
    return resources.files("pipeline.index.mappings").joinpath(f"{name}.json").read_text(encoding="utf-8")


def mapping(name: str, settings: Settings | None = None) -> dict[str, Any]:
    """The settings+mappings body of one index (`articles`, `items`, ...), without the `_comment`.

    The articles mapping gets one `topic_scores.<topic>` float per topic of `config/topics.yaml`, and the
    per-language subfields of `title`/`text` when `settings.es_language_analyzers` (`index/analysis.py`).
    """
    body = json.loads(_mapping_file(name))
    body.pop("_comment", None)
    if name == "articles":
        props = body["mappings"]["properties"]
        props["topic_scores"] = {"properties": {t: {"type": "float"} for t in vocab.topic_names()}}
        enabled = bool(settings and settings.es_language_analyzers)
        body["mappings"]["properties"] = analysis.with_language_subfields(props, enabled)
    return body


def field_names(name: str = "articles") -> set[str]:
    """Every field path of a mapping (e.g. `entities.person`, `title.raw`), for checks against assets."""
    out: set[str] = set()

    def walk(props: dict[str, Any], path: str) -> None:
        for key, spec in props.items():
            full = f"{path}{key}"
            out.add(full)
            if "properties" in spec:
                walk(spec["properties"], full + ".")
            for sub in spec.get("fields", {}):
                out.add(f"{full}.{sub}")

    walk(mapping(name)["mappings"]["properties"], "")
    return out


def template_body(name: str, pattern: str, settings: Settings,
                  extra_aliases: dict[str, Any] | None = None) -> dict[str, Any]:
    """An index template for mapping `name` over `pattern`, with shards/replicas from `settings`."""
    body = mapping(name, settings)
    index_settings = copy.deepcopy(body.get("settings", {}))
    index_settings["number_of_shards"] = settings.es_shards
    index_settings["number_of_replicas"] = settings.es_replicas
    template: dict[str, Any] = {"settings": index_settings, "mappings": body["mappings"]}
    if extra_aliases:
        template["aliases"] = extra_aliases
    return {"index_patterns": [pattern], "template": template, "priority": 200 + len(pattern)}


def templates(names: IndexNames, settings: Settings) -> dict[str, dict[str, Any]]:
    """Template name -> body for every index of a prefix."""
    out = {names.articles: template_body("articles", f"{names.prefix}-articles-*", settings)}
    for key, index in names.plain_indices().items():
        out[index] = template_body(key, index, settings)
    return out
