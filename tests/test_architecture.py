"""House rules of the package layout (docs/architecture.md): import directions, module size, env access.

Parsed with `ast`, so imports inside functions count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "pipeline"
MAX_LINES = 600

# subpackage -> the subpackages it may import (besides itself). Lower layers never import higher ones.
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "lang": {"core"},
    "index": {"core"},
    "ingest": {"core", "lang", "index"},
    "detect": {"core", "lang"},
    "entities": {"core", "lang"},
    "stories": {"core", "lang", "index"},
    "search": {"core", "index"},
    "alerts": {"core", "index"},
    "kibana": {"core", "index"},
    "jobs": {"core", "lang", "index", "ingest", "detect", "entities", "stories", "alerts", "search"},
    "cli": {"core", "lang", "index", "ingest", "detect", "entities", "stories", "alerts", "search", "kibana",
            "jobs", "devtools"},
    "devtools": {"core", "lang", "index", "ingest", "detect", "entities", "stories", "alerts", "search",
                 "jobs"},
}


def modules() -> list[Path]:
    return sorted(p for p in PKG.rglob("*.py") if "__pycache__" not in p.parts)


def subpackage(path: Path) -> str | None:
    rel = path.relative_to(PKG).parts
    return rel[0] if len(rel) > 1 else None


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def pipeline_imports(tree: ast.AST) -> list[tuple[int, str, list[str]]]:
    """(line, module, imported names) for every absolute `pipeline.*` import."""
    out: list[tuple[int, str, list[str]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "pipeline" or node.module.startswith("pipeline."):
                out.append((node.lineno, node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("pipeline."):
                    out.append((node.lineno, alias.name, []))
    return out


def test_every_module_is_in_a_known_subpackage():
    unknown = {subpackage(p) for p in modules()} - set(ALLOWED) - {None}
    assert not unknown, f"add these subpackages to ALLOWED and docs/architecture.md: {unknown}"
    for sub in ALLOWED:
        init = PKG / sub / "__init__.py"
        assert init.exists(), f"{sub} has no __init__.py"
        assert ast.get_docstring(ast.parse(init.read_text())), f"pipeline/{sub}/__init__.py needs a docstring"


def test_import_directions():
    bad = []
    for path in modules():
        sub = subpackage(path)
        if sub is None:
            continue
        for line, mod, names in pipeline_imports(ast.parse(path.read_text())):
            targets = [mod.split(".")[1]] if mod != "pipeline" else names
            for target in targets:
                if target != sub and target not in ALLOWED[sub]:
                    bad.append(f"{path.relative_to(ROOT)}:{line} ({sub}) imports pipeline.{target}")
    assert not bad, "\n".join(bad)


def test_no_private_names_across_modules():
    bad = []
    for path in list(modules()) + sorted((ROOT / "dags").glob("*.py")):
        tree = ast.parse(path.read_text())
        own = module_name(path)
        aliases: dict[str, str] = {}
        for line, mod, names in pipeline_imports(tree):
            for name in names:
                if name.startswith("_") and mod != own:
                    bad.append(f"{path.relative_to(ROOT)}:{line} imports private {mod}.{name}")
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("pipeline"):
                for a in node.names:
                    aliases[a.asname or a.name] = f"{node.module}.{a.name}"
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in aliases and node.attr.startswith("_") and not node.attr.startswith("__")):
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno} uses private {aliases[node.value.id]}.{node.attr}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PKG)))
def test_module_size(path: Path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines (max {MAX_LINES}): split it"


def test_environment_is_read_only_in_settings():
    allowed = PKG / "core" / "settings.py"
    bad = []
    for path in list(modules()) + sorted((ROOT / "dags").glob("*.py")):
        if path == allowed:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "os" \
                    and node.attr in ("environ", "getenv", "putenv", "unsetenv"):
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno} os.{node.attr}")
    assert not bad, "read settings through pipeline.core.settings:\n" + "\n".join(bad)


ES_API = {"search", "msearch", "count", "get", "mget", "index", "create", "update", "delete", "bulk", "indices",
          "cluster", "cat", "open_point_in_time", "close_point_in_time", "delete_by_query", "update_by_query",
          "scroll", "clear_scroll", "options", "transport", "ping", "info", "exists"}


def test_only_the_store_calls_the_elasticsearch_client():
    """pipeline/index/store.py is the one Elasticsearch edge: elsewhere the client is only passed around (and
    typed); `elasticsearch` exceptions and helpers are imported only there."""
    edge = PKG / "index" / "store.py"
    bad = []
    for path in list(modules()) + sorted((ROOT / "dags").glob("*.py")) + sorted((ROOT / "scripts").glob("*.py")):
        if path == edge:
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "elasticsearch":
                extra = [a.name for a in node.names if a.name != "Elasticsearch"]
                if extra or node.module != "elasticsearch":
                    bad.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {node.module}: {extra}")
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in ("es", "client", "es_client") and node.attr in ES_API):
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value.id}.{node.attr}")
    assert not bad, "go through pipeline.index.store:\n" + "\n".join(bad)
