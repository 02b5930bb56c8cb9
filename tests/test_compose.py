"""Static checks of the production stack: docker-compose.yml, Dockerfile, .env.example, docker/*.sh, docs.

There is no Docker engine here, so the stack is checked the way `docker compose config` would check it and
more: the Compose Specification JSON schema (vendored in tests/fixtures/compose/compose-spec.json), references
between services and volumes, variable interpolation against .env.example, pinned images, loopback-only
ports, the Dockerfile install path, and docs that name what the file defines. The helper scripts run for
real: gen-env.sh here, the Elasticsearch healthcheck and es-security-setup.sh against the local node.
"""

from __future__ import annotations

import base64
import copy
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_PATH = ROOT / "docker-compose.yml"
SCHEMA_PATH = ROOT / "tests" / "fixtures" / "compose" / "compose-spec.json"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERFILE = ROOT / "Dockerfile"
DEPLOY_DOC = ROOT / "docs" / "deploy.md"

AIRFLOW_SERVICES = (
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
    "airflow-init",
)
REQUIRED_SERVICES = (*AIRFLOW_SERVICES, "postgres", "redis", "elasticsearch", "kibana", "newsmon-setup")
ES_IMAGE = "docker.elastic.co/elasticsearch/elasticsearch:9.5.4"
KIBANA_IMAGE = "docker.elastic.co/kibana/kibana:9.5.4"

# ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err}, ${VAR?err}, ${VAR:+alt}, $VAR; `$$` is a literal `$`.
VAR_RE = re.compile(
    r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
    r"|\$(?P<bare>[A-Za-z_][A-Za-z0-9_]*)"
)


# ---------------------------------------------------------------------------------------------- helpers


def compose_text() -> str:
    return COMPOSE_PATH.read_text(encoding="utf-8")


def load_compose(text: str | None = None) -> dict[str, Any]:
    """The compose file as compose sees it before interpolation (YAML anchors and `<<` merges resolved)."""
    data = yaml.safe_load(compose_text() if text is None else text)
    assert isinstance(data, dict)
    return data


def parse_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of a compose .env file (comments and blanks skipped, one level of quotes removed)."""
    out: dict[str, str] = {}
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)", line)
        assert m, f"{path.name}:{lineno}: not KEY=VALUE: {raw!r}"
        key, value = m.groups()
        assert key not in out, f"{path.name}:{lineno}: {key} defined twice"
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        out[key] = value
    return out


def variable_refs(text: str) -> list[tuple[str, str | None, str]]:
    """(name, operator, argument) of every interpolation in `text`, ignoring `$$` escapes."""
    refs: list[tuple[str, str | None, str]] = []
    for m in VAR_RE.finditer(text.replace("$$", "")):
        if m.group("bare"):
            refs.append((m.group("bare"), None, ""))
        else:
            refs.append((m.group("name"), m.group("op"), m.group("arg") or ""))
    return refs


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose-style interpolation of `text` with `env` (raises KeyError for a required variable unset)."""

    def sub(m: re.Match[str]) -> str:
        if m.group(0) == "$$":
            return "$"
        name = m.group("name") or m.group("bare")
        op, arg = m.group("op"), m.group("arg") or ""
        value = env.get(name)
        if op in (":-", "-"):
            use_value = bool(value) if op == ":-" else value is not None
            return value if use_value and value is not None else arg
        if op in (":?", "?"):
            if value is None or (op == ":?" and value == ""):
                raise KeyError(f"{name}: {arg}")
            return value
        if op in (":+", "+"):
            return arg if (value if op == ":+" else value is not None) else ""
        return value or ""

    return re.sub(r"\$\$|" + VAR_RE.pattern, sub, text)


def interpolate_doc(node: Any, env: dict[str, str]) -> Any:
    """Interpolate every string value of a parsed compose file, as compose does after parsing the YAML."""
    if isinstance(node, dict):
        return {k: interpolate_doc(v, env) for k, v in node.items()}
    if isinstance(node, list):
        return [interpolate_doc(v, env) for v in node]
    return interpolate(node, env) if isinstance(node, str) else node


def services() -> dict[str, dict[str, Any]]:
    return load_compose()["services"]


def env_of(service: dict[str, Any]) -> dict[str, Any]:
    """A service's environment: its env_file(s) first, `environment` entries override (as compose does)."""
    merged: dict[str, Any] = {}
    files = service.get("env_file") or []
    for entry in [files] if isinstance(files, str) else files:
        merged.update(parse_env_file(ROOT / (entry if isinstance(entry, str) else entry["path"])))
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return {**merged, **env}


def test_compose_airflow_env_file_is_generated_from_the_local_stacks_settings() -> None:
    """One source: docker/airflow.env is AIRFLOW_SETTINGS of the distributed local stack, byte for byte."""
    from pipeline.devtools.distributed import AIRFLOW_SETTINGS, compose_env_text

    assert (ROOT / "docker" / "airflow.env").read_text(encoding="utf-8") == compose_env_text()
    for name in AIRFLOW_SERVICES:
        env = env_of(services()[name])
        assert {k: env[k] for k in AIRFLOW_SETTINGS} == AIRFLOW_SETTINGS, name


def depends_on(service: dict[str, Any]) -> dict[str, dict[str, Any]]:
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return {name: {"condition": "service_started"} for name in deps}
    return deps


def volume_entries(service: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    """(type, source, target, read_only) for each volume of a service (short and long syntax)."""
    out = []
    for v in service.get("volumes") or []:
        if isinstance(v, str):
            parts = v.split(":")
            source, target = parts[0], parts[1]
            mode = parts[2] if len(parts) > 2 else "rw"
            kind = "bind" if source.startswith((".", "/", "~", "$")) else "volume"
            out.append((kind, source, target, "ro" in mode.split(",")))
        else:
            out.append((v["type"], v.get("source", ""), v["target"], bool(v.get("read_only"))))
    return out


def published_ports(service: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(host_ip, published, target) of every published port; host_ip '' when none is given."""
    out = []
    for p in service.get("ports") or []:
        if isinstance(p, dict):
            out.append((str(p.get("host_ip", "")), str(p.get("published", "")), str(p["target"])))
            continue
        spec = str(p).split("/")[0]
        if spec.startswith("["):  # [::1]:8080:8080
            ip, rest = spec[1:].split("]:", 1)
            published, target = rest.split(":")
            out.append((ip, published, target))
            continue
        parts = spec.split(":")
        if len(parts) == 3:
            out.append((parts[0], parts[1], parts[2]))
        elif len(parts) == 2:
            out.append(("", parts[0], parts[1]))
        else:
            out.append(("", "", parts[0]))
    return out


def image_tag(image: str) -> str | None:
    """Tag of an image reference (None when there is none); digests count as pinned."""
    if "@sha256:" in image:
        return "@digest"
    last = image.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else None


def validator() -> jsonschema.Draft7Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema)


def schema_errors(doc: dict[str, Any]) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in validator().iter_errors(doc)]


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with line continuations joined and comments dropped."""
    lines: list[str] = []
    buf = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        if raw.strip().startswith("#") and not buf:
            continue
        if raw.rstrip().endswith("\\"):
            buf += raw.rstrip()[:-1] + " "
            continue
        buf += raw
        if buf.strip():
            lines.append(buf.strip())
        buf = ""
    out = []
    for line in lines:
        instr, _, args = line.partition(" ")
        out.append((instr.upper(), args.strip()))
    return out


def constraints_pin(name: str) -> str:
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        m = re.fullmatch(rf"(?i){re.escape(name)}==([^\s;#]+).*", line.strip())
        if m:
            return m.group(1)
    raise AssertionError(f"{name} is not pinned in constraints.txt")


def healthcheck_command(service: str) -> str:
    test = services()[service]["healthcheck"]["test"]
    if isinstance(test, str):
        return test
    assert test[0] in ("CMD", "CMD-SHELL"), test
    return test[1] if test[0] == "CMD-SHELL" else " ".join(test[1:])


# ---------------------------------------------------------------------------------------------- schema


def test_vendored_schema_is_the_compose_specification() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    assert schema["title"] == "Compose Specification"
    for key in ("service", "healthcheck", "volume", "network", "list_or_dict"):
        assert key in schema["definitions"]
    # the spec as published, with `profiles`, `depends_on.required` and `build.dockerfile`
    service_props = schema["definitions"]["service"]["properties"]
    assert {"profiles", "depends_on", "build", "healthcheck", "ports"} <= set(service_props)


def test_compose_file_validates_against_the_schema_before_and_after_interpolation() -> None:
    assert schema_errors(load_compose()) == []
    resolved = interpolate_doc(load_compose(), parse_env_file(ENV_EXAMPLE))
    assert schema_errors(resolved) == []


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda d: d["services"]["kibana"].update(ports="5601"), "is not of type 'array'"),
        (lambda d: d["services"]["redis"].update(restart_policy="always"), "'restart_policy' does not match"),
        (
            lambda d: d["services"]["kibana"]["depends_on"]["elasticsearch"].update(condition="healthy"),
            "is not valid under any of the given schemas",
        ),
        (lambda d: d.update(volume={"x": None}), "'volume' does not match"),
    ],
    ids=["ports-not-list", "unknown-service-key", "bad-depends-on-condition", "unknown-top-level-key"],
)
def test_the_schema_check_catches_broken_files(mutate: Any, expected: str) -> None:
    doc = copy.deepcopy(load_compose())
    mutate(doc)
    errors = schema_errors(doc)
    assert errors and any(expected in e for e in errors), errors


# ---------------------------------------------------------------------------------------------- references


def test_the_stack_has_every_service_the_design_requires() -> None:
    missing = [name for name in REQUIRED_SERVICES if name not in services()]
    assert not missing, f"docker-compose.yml lacks services: {missing}"


def test_every_depends_on_target_exists_and_its_condition_can_be_met() -> None:
    svcs = services()
    for name, svc in svcs.items():
        for dep, spec in depends_on(svc).items():
            assert dep in svcs, f"{name} depends on undefined service {dep}"
            assert dep != name, f"{name} depends on itself"
            cond = spec.get("condition", "service_started")
            if cond == "service_healthy":
                assert "healthcheck" in svcs[dep], f"{name} waits for {dep} to be healthy; {dep} has no healthcheck"
            if cond == "service_completed_successfully":
                assert svcs[dep].get("restart", "no") == "no", f"{dep} is one-shot but restarts"
            # a service started by default must not need one that only a profile starts
            if not svc.get("profiles") and spec.get("required", True):
                assert not svcs[dep].get("profiles"), f"{name} (default) depends on profile-only {dep}"


def test_dependency_graph_has_no_cycle() -> None:
    svcs = services()
    state: dict[str, int] = {}

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == 1:
            raise AssertionError("dependency cycle: " + " -> ".join([*path, name]))
        if state.get(name) == 2:
            return
        state[name] = 1
        for dep in depends_on(svcs[name]):
            visit(dep, [*path, name])
        state[name] = 2

    for name in svcs:
        visit(name, [])


def test_every_named_volume_is_declared_and_every_declared_volume_is_used() -> None:
    declared = set((load_compose().get("volumes") or {}).keys())
    used = set()
    for name, svc in services().items():
        for kind, source, _target, _ro in volume_entries(svc):
            if kind == "volume" and source:
                assert source in declared, f"{name} uses undeclared volume {source}"
                used.add(source)
    assert declared == used, f"declared but unused volumes: {sorted(declared - used)}"


def test_every_bind_mount_source_exists_in_the_repo_and_code_mounts_are_read_only() -> None:
    for name, svc in services().items():
        for kind, source, target, read_only in volume_entries(svc):
            if kind != "bind":
                continue
            assert source.startswith("./"), f"{name}: bind mount {source} must be relative to the repo"
            path = ROOT / source[2:]
            assert path.exists(), f"{name}: mounted host path {source} does not exist in the repo"
            assert read_only, f"{name}: {source} -> {target} must be mounted read-only"


def test_airflow_mounts_our_dags_and_config_where_the_settings_point() -> None:
    for name in AIRFLOW_SERVICES:
        svc = services()[name]
        mounts = {source: target for _k, source, target, _ro in volume_entries(svc)}
        assert mounts.get("./dags") == "/opt/airflow/dags", name
        assert mounts.get("./config") == "/opt/newsmon/config", name
        assert env_of(svc)["NEWSMON_CONFIG_DIR"] == "/opt/newsmon/config", name
    setup = services()["newsmon-setup"]
    assert {s: t for _k, s, t, _ro in volume_entries(setup)}.get("./config") == env_of(setup)["NEWSMON_CONFIG_DIR"]


# ---------------------------------------------------------------------------------------------- variables


def test_every_variable_is_in_env_example_or_has_a_default() -> None:
    example = parse_env_file(ENV_EXAMPLE)
    missing = sorted(
        {name for name, op, _arg in variable_refs(compose_text()) if name not in example and op not in (":-", "-")}
    )
    assert not missing, f"variables used by docker-compose.yml without default and not in .env.example: {missing}"


def test_required_variables_have_a_value_in_env_example() -> None:
    """`${VAR:?}` aborts `docker compose up` when VAR is empty: `cp .env.example .env` must be enough."""
    example = parse_env_file(ENV_EXAMPLE)
    required = {name for name, op, _ in variable_refs(compose_text()) if op in (":?", "?")}
    assert required, "secrets are expected to be required variables"
    empty = sorted(name for name in required if not example.get(name))
    assert not empty, f"required variables empty in .env.example: {empty}"
    interpolate_doc(load_compose(), example)  # raises on any required variable left unset


def test_env_example_lists_only_variables_the_stack_reads() -> None:
    used = {name for name, _op, _arg in variable_refs(compose_text())}
    extra = sorted(k for k in parse_env_file(ENV_EXAMPLE) if k not in used and not k.startswith("COMPOSE_"))
    assert not extra, f".env.example variables that docker-compose.yml never reads: {extra}"


def test_env_example_names_the_alert_and_elastic_secrets() -> None:
    example = parse_env_file(ENV_EXAMPLE)
    for name in (
        "AIRFLOW_UID",
        "ELASTIC_PASSWORD",
        "KIBANA_PASSWORD",
        "NEWSMON_INDEX_PREFIX",
        "NEWSMON_ES_SHARDS",
        "NEWSMON_ES_REPLICAS",
        "NEWSMON_SMTP_HOST",
        "NEWSMON_SMTP_PORT",
        "NEWSMON_SMTP_USER",
        "NEWSMON_SMTP_PASSWORD",
        "NEWSMON_SMTP_STARTTLS",
        "NEWSMON_WEBHOOK_URL",
        "NEWSMON_SLACK_WEBHOOK_URL",
    ):
        assert name in example, name
    # the alert secrets reach the processes that deliver alerts
    for svc in ("airflow-worker", "airflow-scheduler"):
        env = env_of(services()[svc])
        for name in ("NEWSMON_SMTP_PASSWORD", "NEWSMON_WEBHOOK_URL", "NEWSMON_SLACK_WEBHOOK_URL"):
            assert env.get(name) == f"${{{name}:-}}", (svc, name)


def test_interpolation_helper_follows_compose_rules() -> None:
    env = {"A": "1", "E": ""}
    assert interpolate("${A:-x} ${E:-x} ${E-x} ${U-x} $$A ${A:+y} ${E:+y}", env) == "1 x  x $A y "
    with pytest.raises(KeyError):
        interpolate("${E:?must be set}", env)
    assert [r[0] for r in variable_refs("$$SKIP ${B:-1} $C")] == ["B", "C"]


# ---------------------------------------------------------------------------------------------- images, ports


def test_every_image_is_pinned() -> None:
    for name, svc in services().items():
        image = svc.get("image")
        assert image, f"{name} has no image (built services must name their image too)"
        assert "$" not in image, f"{name}: image must not come from a variable: {image}"
        tag = image_tag(image)
        assert tag and tag != "latest", f"{name}: image {image} is not pinned"
        assert re.search(r"\d", tag), f"{name}: tag {tag} names no version"
    assert services()["elasticsearch"]["image"] == ES_IMAGE
    assert services()["kibana"]["image"] == KIBANA_IMAGE
    assert image_tag(ES_IMAGE) == image_tag(KIBANA_IMAGE), "Kibana must run the same version as Elasticsearch"


def test_image_tag_helper() -> None:
    assert image_tag("postgres") is None
    assert image_tag("postgres:latest") == "latest"
    assert image_tag("localhost:5000/app") is None
    assert image_tag("localhost:5000/app:1.2") == "1.2"


def test_every_published_port_binds_loopback_only() -> None:
    seen: dict[str, str] = {}
    for name, svc in services().items():
        for host_ip, published, target in published_ports(svc):
            assert host_ip in ("127.0.0.1", "::1"), f"{name}: port {published}:{target} binds {host_ip or 'all'}"
            assert published, f"{name}: port {target} gets a random host port"
            assert published not in seen, f"{name} and {seen.get(published)} both publish {published}"
            seen[published] = name
    assert {"9200", "5601", "8080"} <= set(seen), seen


def test_port_parser_sees_unsafe_bindings() -> None:
    assert published_ports({"ports": ["8080:8080"]}) == [("", "8080", "8080")]
    assert published_ports({"ports": ["0.0.0.0:80:80/tcp"]}) == [("0.0.0.0", "80", "80")]
    assert published_ports({"ports": [{"target": 80, "published": 80}]}) == [("", "80", "80")]


def test_scalable_worker_has_no_fixed_name_or_host_port() -> None:
    worker = services()["airflow-worker"]
    assert "container_name" not in worker and not worker.get("ports")
    assert "hostname" not in worker, "scaled replicas would share one hostname (breaks Celery ping)"


# ---------------------------------------------------------------------------------------------- Dockerfile


def test_dockerfile_base_image_is_pinned_and_matches_the_lock() -> None:
    froms = [args for instr, args in dockerfile_instructions() if instr == "FROM"]
    assert len(froms) == 1, froms
    image = froms[0].split()[0]
    assert image.startswith("apache/airflow:")
    tag = image_tag(image)
    assert tag and tag != "latest"
    m = re.fullmatch(r"(\d+\.\d+\.\d+)-python(\d+\.\d+)", tag)
    assert m, f"base image tag {tag} must be <airflow-version>-python<X.Y>"
    assert m.group(1) == constraints_pin("apache-airflow"), "image Airflow != apache-airflow in constraints.txt"
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["requires-python"]
    major_minor = m.group(2)
    assert f">={major_minor}" in requires.replace(" ", ""), f"python{major_minor} vs requires-python {requires}"


def test_dockerfile_installs_newsmon_from_the_lock_at_build_time() -> None:
    runs = [args for instr, args in dockerfile_instructions() if instr == "RUN"]
    installs = [r for r in runs if re.search(r"\bpip install\b", r)]
    assert len(installs) == 1, installs
    cmd = installs[0]
    assert re.search(r"pip install --no-cache-dir -c constraints\.txt \.(\s|$)", cmd), cmd
    assert "pip check" in cmd, "the build must fail when our pins break a package of the base image"
    assert not any("_PIP_ADDITIONAL_REQUIREMENTS" in args for _i, args in dockerfile_instructions())
    for name, svc in services().items():
        assert "_PIP_ADDITIONAL_REQUIREMENTS" not in env_of(svc), f"{name}: install at build time, not at start"


def test_dockerfile_copies_only_existing_paths_the_build_context_sends() -> None:
    copies = [args for instr, args in dockerfile_instructions() if instr == "COPY"]
    sources = []
    for args in copies:
        parts = [p for p in args.split() if not p.startswith("--")]
        sources += parts[:-1]
    assert {"pyproject.toml", "constraints.txt", "pipeline/"} <= set(sources), sources
    allowed = [
        line[1:].rstrip("/") for line in (ROOT / ".dockerignore").read_text().splitlines() if line.startswith("!")
    ]
    ignore_lines = [
        line for line in (ROOT / ".dockerignore").read_text().splitlines() if line and not line.startswith("#")
    ]
    assert ignore_lines[0] == "*", ".dockerignore must be an allowlist (keeps .venv, .git and .env out)"
    for src in sources:
        assert (ROOT / src).exists(), f"COPY source {src} does not exist"
        assert src.rstrip("/") in allowed, f"COPY source {src} is excluded by .dockerignore"


def test_built_image_is_shared_and_versioned_like_the_package() -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    built = {name: svc for name, svc in services().items() if "build" in svc}
    assert set(AIRFLOW_SERVICES) | {"newsmon-setup"} <= set(built)
    images = {svc["image"] for svc in built.values()}
    assert images == {f"newsmon-airflow:{version}"}, images
    for svc in built.values():
        build = svc["build"]
        ctx = build if isinstance(build, str) else build.get("context", ".")
        assert ctx == "."
        assert (ROOT / (build.get("dockerfile", "Dockerfile") if isinstance(build, dict) else "Dockerfile")).exists()


# ---------------------------------------------------------------------------------------------- Airflow


def test_airflow_runs_celery_with_shared_secrets_and_our_es_connection() -> None:
    svcs = services()
    shared = (
        "AIRFLOW__CORE__EXECUTOR",
        "AIRFLOW__API_AUTH__JWT_SECRET",
        "AIRFLOW__API__SECRET_KEY",
        "AIRFLOW__CORE__FERNET_KEY",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
        "AIRFLOW__CELERY__BROKER_URL",
        "AIRFLOW_CONN_NEWSMON_ES",
        "NEWSMON_ES_URL",
        "NEWSMON_INDEX_PREFIX",
        "NEWSMON_ES_USER_NAME",
        "NEWSMON_ES_PASSWORD",
        "NEWSMON_ES_SHARDS",
        "NEWSMON_ES_REPLICAS",
    )
    envs = {name: env_of(svcs[name]) for name in AIRFLOW_SERVICES}
    for key in shared:
        values = {name: env.get(key) for name, env in envs.items()}
        assert len(set(values.values())) == 1 and None not in values.values(), (key, values)
    env = envs["airflow-scheduler"]
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert env["AIRFLOW_CONN_NEWSMON_ES"] == "http://elasticsearch:9200"
    assert env["NEWSMON_ES_URL"] == "http://elasticsearch:9200"
    assert env["NEWSMON_INDEX_PREFIX"] == "${NEWSMON_INDEX_PREFIX:-newsmon}"
    assert env["NEWSMON_ES_SHARDS"].startswith("${NEWSMON_ES_SHARDS")
    assert env["NEWSMON_ES_REPLICAS"].startswith("${NEWSMON_ES_REPLICAS")
    # hosts in URLs are services of this file
    for key in (
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
        "AIRFLOW__CELERY__BROKER_URL",
        "NEWSMON_ES_URL",
        "NEWSMON_KIBANA_URL",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
    ):
        host = re.search(r"://(?:[^@/]*@)?([^:/]+)", str(env[key]))
        assert host and host.group(1) in svcs, (key, env[key])
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/"


def test_airflow_services_run_the_right_components() -> None:
    svcs = services()
    assert svcs["airflow-apiserver"]["command"] == "api-server"
    assert svcs["airflow-scheduler"]["command"] == "scheduler"
    assert svcs["airflow-dag-processor"]["command"] == "dag-processor"
    assert svcs["airflow-triggerer"]["command"] == "triggerer"
    assert svcs["airflow-worker"]["command"] == "celery worker"
    init = svcs["airflow-init"]
    assert env_of(init)["_AIRFLOW_DB_MIGRATE"] == "true" and env_of(init)["_AIRFLOW_WWW_USER_CREATE"] == "true"
    for name in AIRFLOW_SERVICES[:-1]:
        deps = depends_on(svcs[name])
        assert deps["airflow-init"]["condition"] == "service_completed_successfully", name
        assert deps["postgres"]["condition"] == "service_healthy", name
        assert deps["redis"]["condition"] == "service_healthy", name
        assert "healthcheck" in svcs[name], name
    assert svcs["postgres"]["image"].startswith("postgres:16")
    assert svcs["redis"]["image"].startswith("redis:7.2")


# ---------------------------------------------------------------------------------------------- ES, Kibana, setup


def test_elasticsearch_is_single_node_with_heap_volume_and_health() -> None:
    es = services()["elasticsearch"]
    env = env_of(es)
    assert env["discovery.type"] == "single-node"
    assert re.fullmatch(r"-Xms(\S+) -Xmx\1", env["ES_JAVA_OPTS"]), env["ES_JAVA_OPTS"]
    assert any(t == "/usr/share/elasticsearch/data" for _k, _s, t, _ro in volume_entries(es))
    assert "_cluster/health" in healthcheck_command("elasticsearch")
    assert env["xpack.security.enabled"] == "${NEWSMON_ES_SECURITY:-true}", "security must be the default"
    kibana = services()["kibana"]
    assert "/api/status" in healthcheck_command("kibana")
    assert env_of(kibana)["ELASTICSEARCH_USERNAME"] == "kibana_system"
    assert env_of(kibana)["ELASTICSEARCH_HOSTS"] == '["http://elasticsearch:9200"]'


def test_newsmon_setup_runs_es_and_kibana_setup_once_es_and_kibana_are_healthy() -> None:
    svcs = services()
    setup = svcs["newsmon-setup"]
    deps = depends_on(setup)
    assert deps["elasticsearch"]["condition"] == "service_healthy"
    assert deps["kibana"]["condition"] == "service_healthy"
    assert setup.get("restart") == "no"
    assert setup["image"] == svcs["airflow-worker"]["image"]
    script = _mounted_script(setup)
    text = script.read_text(encoding="utf-8")
    assert re.search(r"^newsmon es setup$", text, re.M), text
    assert re.search(r"^newsmon kibana setup --url ", text, re.M), text
    assert "http://kibana:5601" in text and env_of(setup)["NEWSMON_KIBANA_URL"] == "http://kibana:5601"
    assert text.index("newsmon es setup") < text.index("newsmon kibana setup")


def test_secured_profile_sets_kibana_system_password_and_is_on_by_default() -> None:
    svcs = services()
    profiled = {name: svc["profiles"] for name, svc in svcs.items() if svc.get("profiles")}
    assert "secured" in profiled.get("es-security-setup", [])
    sec = svcs["es-security-setup"]
    assert depends_on(sec)["elasticsearch"]["condition"] == "service_healthy"
    assert sec["image"] == ES_IMAGE  # already pulled, has curl
    text = _mounted_script(sec).read_text(encoding="utf-8")
    assert "/_security/user/kibana_system/_password" in text
    assert "${KIBANA_PASSWORD}" in text
    # every core service runs without a profile (so `--insecure` can leave es-security-setup out) ...
    assert not set(REQUIRED_SERVICES) & set(profiled)
    # ... but the default .env turns the profile and security on
    example = parse_env_file(ENV_EXAMPLE)
    assert "secured" in example["COMPOSE_PROFILES"].split(",")
    assert example["NEWSMON_ES_SECURITY"] == "true" and example["NEWSMON_ES_USER_NAME"] == "newsmon"
    # what logs in as the newsmon user waits for the user to exist when the profile runs, and only then
    for name in ("newsmon-setup", "airflow-worker"):
        dep = depends_on(svcs[name])["es-security-setup"]
        assert dep == {"condition": "service_completed_successfully", "required": False}, (name, dep)


def test_default_env_gives_every_elasticsearch_client_its_credentials() -> None:
    """With .env.example (security on), each service that talks to Elasticsearch gets the login it needs."""
    example = parse_env_file(ENV_EXAMPLE)
    resolved = interpolate_doc(load_compose(), example)
    svcs = resolved["services"]
    assert svcs["elasticsearch"]["environment"]["xpack.security.enabled"] == "true"
    elastic = svcs["elasticsearch"]["environment"]["ELASTIC_PASSWORD"]
    assert elastic == example["ELASTIC_PASSWORD"] and elastic
    sec = svcs["es-security-setup"]["environment"]
    assert sec["ELASTIC_PASSWORD"] == elastic
    assert sec["KIBANA_PASSWORD"] == svcs["kibana"]["environment"]["ELASTICSEARCH_PASSWORD"] != ""
    assert svcs["kibana"]["environment"]["ELASTICSEARCH_USERNAME"] == "kibana_system"
    newsmon = (sec["NEWSMON_ES_USER_NAME"], sec["NEWSMON_ES_PASSWORD"])
    assert newsmon == (example["NEWSMON_ES_USER_NAME"], example["NEWSMON_ES_PASSWORD"]) and all(newsmon)
    for name in ("newsmon-setup", *AIRFLOW_SERVICES):
        env = svcs[name]["environment"]
        assert (env["NEWSMON_ES_USER_NAME"], env["NEWSMON_ES_PASSWORD"]) == newsmon, name
        assert env["NEWSMON_ES_URL"] == "http://elasticsearch:9200", name  # plain HTTP inside the network: no CA
    # a .env without the password is refused by compose instead of starting unauthenticated clients
    with pytest.raises(KeyError, match="NEWSMON_ES_PASSWORD"):
        interpolate_doc(load_compose(), {**example, "NEWSMON_ES_PASSWORD": ""})
    # a .env without the security settings still runs secured, as user newsmon
    bare = {k: v for k, v in example.items() if k not in ("NEWSMON_ES_SECURITY", "NEWSMON_ES_USER_NAME")}
    resolved = interpolate_doc(load_compose(), bare)
    assert resolved["services"]["elasticsearch"]["environment"]["xpack.security.enabled"] == "true"
    assert resolved["services"]["airflow-worker"]["environment"]["NEWSMON_ES_USER_NAME"] == "newsmon"


def _mounted_script(svc: dict[str, Any]) -> Path:
    """The repo file behind a service's `bash /path/script.sh` entrypoint (through its bind mounts)."""
    entry = svc["entrypoint"]
    path = entry[-1] if isinstance(entry, list) else entry.split()[-1]
    for kind, source, target, _ro in volume_entries(svc):
        if kind == "bind" and path.startswith(target.rstrip("/") + "/"):
            host = ROOT / source[2:] / path[len(target.rstrip("/")) + 1 :]
            assert host.is_file(), f"entrypoint {path} -> {host} missing"
            return host
    raise AssertionError(f"entrypoint {path} is not inside a bind mount")


def test_helper_scripts_are_valid_bash() -> None:
    scripts = sorted((ROOT / "docker").glob("*.sh"))
    assert len(scripts) >= 3, scripts
    for script in scripts:
        res = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True, check=False)
        assert res.returncode == 0, f"{script.name}: {res.stderr}"
        assert script.read_text(encoding="utf-8").startswith("#!/usr/bin/env bash\n"), script.name
        assert "set -euo pipefail" in script.read_text(encoding="utf-8"), script.name


# ---------------------------------------------------------------------------------------------- gen-env.sh


def _gen_env(*args: str) -> dict[str, str]:
    res = subprocess.run(
        ["bash", str(ROOT / "docker" / "gen-env.sh"), *args], capture_output=True, text=True, check=False, timeout=60
    )
    assert res.returncode == 0, res.stderr
    out = Path(os.environ.get("TMPDIR", "/tmp")) / f"newsmon-gen-env-{os.getpid()}.env"
    out.write_text(res.stdout, encoding="utf-8")
    try:
        return parse_env_file(out)
    finally:
        out.unlink()


SECRETS = (
    "_AIRFLOW_WWW_USER_PASSWORD",
    "AIRFLOW_DB_PASSWORD",
    "AIRFLOW_JWT_SECRET",
    "AIRFLOW_API_SECRET_KEY",
    "ELASTIC_PASSWORD",
    "KIBANA_PASSWORD",
    "NEWSMON_ES_PASSWORD",
)


def test_gen_env_generates_every_secret_and_keeps_the_rest() -> None:
    example = parse_env_file(ENV_EXAMPLE)
    first, second = _gen_env(), _gen_env()
    assert set(first) == set(example)
    for name in SECRETS:
        assert re.fullmatch(r"[0-9a-f]{32,64}", first[name]), (name, first[name])
        assert first[name] != second[name], f"{name} is not random"
        assert first[name] != example[name]
    from cryptography.fernet import Fernet

    key = first["AIRFLOW_FERNET_KEY"]
    assert len(base64.urlsafe_b64decode(key)) == 32
    assert Fernet(key.encode()).decrypt(Fernet(key.encode()).encrypt(b"x")) == b"x"
    for name, value in example.items():
        if name not in (*SECRETS, "AIRFLOW_FERNET_KEY"):
            assert first[name] == value, name
    interpolate_doc(load_compose(), first)


@pytest.mark.parametrize("args", [(), ("--secured",)], ids=["default", "secured-alias"])
def test_gen_env_turns_security_on_with_an_application_user_by_default(args: tuple[str, ...]) -> None:
    env = _gen_env(*args)
    assert env["COMPOSE_PROFILES"] == "secured"
    assert env["NEWSMON_ES_SECURITY"] == "true"
    assert env["NEWSMON_ES_USER_NAME"] == "newsmon"
    assert re.fullmatch(r"[0-9a-f]{32}", env["NEWSMON_ES_PASSWORD"])
    resolved = interpolate_doc(load_compose(), env)
    assert schema_errors(resolved) == []
    assert resolved["services"]["elasticsearch"]["environment"]["xpack.security.enabled"] == "true"
    for name in ("airflow-worker", "newsmon-setup", "es-security-setup"):
        assert resolved["services"][name]["environment"]["NEWSMON_ES_PASSWORD"] == env["NEWSMON_ES_PASSWORD"], name
    # the generated passwords pass es-security-setup's own checks (they reach the node check: port 9 is closed)
    res = _security_setup({k: env[k] for k in ("ELASTIC_PASSWORD", "KIBANA_PASSWORD", "NEWSMON_ES_PASSWORD")}
                          | {"ES_URL": "http://127.0.0.1:9"})
    assert res.returncode == 1 and "without credentials" in res.stderr, res.stderr


def test_gen_env_insecure_turns_security_and_the_secured_profile_off() -> None:
    env = _gen_env("--insecure")
    assert env["NEWSMON_ES_SECURITY"] == "false"
    assert "secured" not in env["COMPOSE_PROFILES"].split(",")
    for name in SECRETS:  # secrets are still generated: the stack is only insecure towards Elasticsearch
        assert re.fullmatch(r"[0-9a-f]{32,64}", env[name]), name
    resolved = interpolate_doc(load_compose(), env)
    assert schema_errors(resolved) == []
    assert resolved["services"]["elasticsearch"]["environment"]["xpack.security.enabled"] == "false"


def test_env_example_placeholders_are_refused_by_es_security_setup() -> None:
    """`cp .env.example .env` without replacing the change-me values cannot bring up a secured stack."""
    example = parse_env_file(ENV_EXAMPLE)
    keys = ("ELASTIC_PASSWORD", "KIBANA_PASSWORD", "NEWSMON_ES_PASSWORD", "NEWSMON_ES_USER_NAME")
    res = _security_setup({k: example[k] for k in keys} | {"ES_URL": "http://127.0.0.1:9"})
    assert res.returncode == 1 and ".env.example placeholder" in res.stderr, res.stderr


@pytest.mark.parametrize("args", [("--bogus",), ("--insecure", "--secured")], ids=["unknown", "two"])
def test_gen_env_rejects_unknown_arguments(args: tuple[str, ...]) -> None:
    res = subprocess.run(
        ["bash", str(ROOT / "docker" / "gen-env.sh"), *args], capture_output=True, text=True, check=False
    )
    assert res.returncode == 2 and "usage" in res.stderr and "--insecure" in res.stderr


# ---------------------------------------------------------------------------------------------- against real ES


def _run_healthcheck(command: str, env: dict[str, str], es_url: str) -> subprocess.CompletedProcess[str]:
    cmd = command.replace("http://localhost:9200", es_url.rstrip("/"))
    return subprocess.run(
        ["sh", "-c", cmd], capture_output=True, text=True, env={**os.environ, **env}, timeout=60, check=False
    )


@pytest.mark.es
def test_elasticsearch_healthcheck_passes_on_a_live_node_and_fails_without_one(es_node: Any) -> None:
    assert shutil.which("curl"), "curl is needed (the Elasticsearch image ships it too)"
    command = interpolate(healthcheck_command("elasticsearch"), {})  # `$$` -> `$`, as compose hands it over
    ok = _run_healthcheck(command, {"ELASTIC_PASSWORD": "any"}, es_node.es_url)
    assert ok.returncode == 0, ok.stderr
    down = _run_healthcheck(command, {"ELASTIC_PASSWORD": "any"}, "http://127.0.0.1:9")
    assert down.returncode != 0


def _security_setup(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {
        "ELASTIC_PASSWORD": "a" * 32,
        "KIBANA_PASSWORD": "b" * 32,
        "NEWSMON_ES_USER_NAME": "newsmon",
        "NEWSMON_ES_PASSWORD": "c" * 32,
        "NEWSMON_INDEX_PREFIX": "newsmon",
    }
    return subprocess.run(
        ["bash", str(ROOT / "docker" / "es-security-setup.sh")],
        capture_output=True,
        text=True,
        env={**os.environ, **base, **env},
        timeout=60,
        check=False,
    )


@pytest.mark.es
def test_es_security_setup_refuses_a_node_with_security_off(es_node: Any) -> None:
    res = _security_setup({"ES_URL": es_node.es_url})
    assert res.returncode == 1
    assert "NEWSMON_ES_SECURITY=true" in res.stderr, res.stderr


@pytest.mark.parametrize(
    "env, message",
    [
        ({"KIBANA_PASSWORD": "change-me-kibana"}, "KIBANA_PASSWORD"),
        ({"ELASTIC_PASSWORD": "short"}, "shorter than 16"),
        ({"NEWSMON_ES_PASSWORD": ""}, "NEWSMON_ES_PASSWORD is empty"),
        ({"NEWSMON_ES_PASSWORD": "x" * 20 + '"}'}, "URL/JSON-safe"),
        ({"NEWSMON_ES_USER_NAME": ""}, "NEWSMON_ES_USER_NAME"),
    ],
)
def test_es_security_setup_refuses_weak_or_unsafe_settings(env: dict[str, str], message: str) -> None:
    res = _security_setup({"ES_URL": "http://127.0.0.1:9", **env})
    assert res.returncode == 1 and message in res.stderr, res.stderr


# ---------------------------------------------------------------------------------------------- secured node


def _free_port_pair() -> int:
    """A free port p on 127.0.0.1 with p + 100 free too (HTTP and transport)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port < 65000:
            with socket.socket() as s2:
                if s2.connect_ex(("127.0.0.1", port + 100)) != 0:
                    return port
    raise AssertionError("no free port pair")


@pytest.fixture(scope="module")
def secured_es(es_node: Any) -> Iterator[dict[str, str]]:
    """A throwaway Elasticsearch 9 node with security ON, as the `secured` profile runs it.

    `elastic` gets its password from the keystore (what ELASTIC_PASSWORD does in the image). The test
    distribution cannot create native users (its .security index needs analysis-common), so the newsmon user
    lives in the file realm with the role from docker/newsmon-writer-role.json.
    """
    from pipeline.devtools import esnode

    cfg = esnode.NodeConfig.from_env()
    java = esnode.find_java(cfg.java_home)
    home = esnode.install(cfg)
    port = _free_port_pair()
    prefix = f"dev-compose-{uuid.uuid4().hex[:8]}"
    secrets = {"elastic": "e" * 32, "newsmon": uuid.uuid4().hex}
    base = Path(tempfile.mkdtemp(prefix="newsmon-secured-es-"))
    conf = base / "config"
    shutil.copytree(home / "config", conf)
    (conf / "elasticsearch.keystore").unlink(missing_ok=True)
    role = json.loads((ROOT / "docker" / "newsmon-writer-role.json").read_text().replace("__INDEX_PREFIX__", prefix))
    (conf / "roles.yml").write_text(yaml.safe_dump({"newsmon_writer": role}), encoding="utf-8")
    for d in ("data", "logs"):
        (base / d).mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ES_", "JAVA_"))}
    env.update(ES_JAVA_HOME=str(java), ES_JAVA_OPTS="-Xms256m -Xmx256m", ES_PATH_CONF=str(conf), HOME=str(base))
    as_user: list[str] = []
    if os.geteuid() == 0:  # Elasticsearch refuses root: run as the user `newsmon es start` created
        user = pwd.getpwnam(cfg.user)
        os.chmod(base, 0o755)
        for path in [base, *base.rglob("*")]:
            os.chown(path, user.pw_uid, user.pw_gid)
        as_user = ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--init-groups"]
    tool = [*as_user, str(home / "bin" / "elasticsearch-keystore")]
    subprocess.run([*tool, "create"], env=env, check=True, capture_output=True, timeout=120)
    subprocess.run(
        [*tool, "add", "-x", "bootstrap.password"],
        env=env,
        input=secrets["elastic"].encode(),
        check=True,
        capture_output=True,
        timeout=120,
    )
    subprocess.run(
        [
            *as_user,
            str(home / "bin" / "elasticsearch-users"),
            "useradd",
            "newsmon",
            "-p",
            secrets["newsmon"],
            "-r",
            "newsmon_writer,kibana_admin",
        ],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    cmd = [
        *as_user,
        str(home / "bin" / "elasticsearch"),
        "-d",
        "-p",
        str(base / "es.pid"),
        "-Ediscovery.type=single-node",
        "-Enetwork.host=127.0.0.1",
        f"-Ehttp.port={port}",
        f"-Etransport.port={port + 100}",
        "-Expack.security.enabled=true",
        "-Expack.security.http.ssl.enabled=false",
        "-Expack.security.transport.ssl.enabled=false",
        f"-Epath.data={base / 'data'}",
        f"-Epath.logs={base / 'logs'}",
        "-Ecluster.routing.allocation.disk.threshold_enabled=false",
        f"-Ecluster.name=newsmon-secured-{port}",
    ]
    url = f"http://127.0.0.1:{port}"
    try:
        started = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=str(home), timeout=180, check=False)
        assert started.returncode == 0, started.stdout[-2000:] + started.stderr[-2000:]
        deadline = time.monotonic() + 240
        while True:
            try:
                if (
                    httpx.get(f"{url}/_cluster/health", auth=("elastic", secrets["elastic"]), timeout=2).status_code
                    == 200
                ):
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "secured Elasticsearch did not become ready"
            time.sleep(1)
        yield {"url": url, "prefix": prefix, "elastic": secrets["elastic"], "newsmon": secrets["newsmon"]}
    finally:
        pid_file = base / "es.pid"
        if pid_file.is_file():
            pid = int(pid_file.read_text().strip())
            os.kill(pid, signal.SIGTERM)
            for _ in range(60):
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.5)
        shutil.rmtree(base, ignore_errors=True)


def _newsmon_es_setup(url: str, prefix: str, user: str, password: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "NEWSMON_ES_URL": url,
        "NEWSMON_INDEX_PREFIX": prefix,
        "NEWSMON_ES_USER_NAME": user,
        "NEWSMON_ES_PASSWORD": password,
    }
    return subprocess.run(
        [str(Path(sys.executable).parent / "newsmon"), "es", "setup"],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=False,
    )


@pytest.mark.es
def test_secured_node_refuses_anonymous_and_healthcheck_uses_elastic_password(secured_es: dict[str, str]) -> None:
    url = secured_es["url"]
    assert httpx.get(f"{url}/_security/_authenticate", timeout=10).status_code == 401  # es-security-setup guard
    command = interpolate(healthcheck_command("elasticsearch"), {})
    ok = _run_healthcheck(command, {"ELASTIC_PASSWORD": secured_es["elastic"]}, url)
    assert ok.returncode == 0, ok.stderr
    wrong = _run_healthcheck(command, {"ELASTIC_PASSWORD": "f" * 32}, url)
    assert wrong.returncode != 0


@pytest.mark.es
def test_newsmon_writer_role_is_enough_for_es_setup_and_confined_to_the_prefix(secured_es: dict[str, str]) -> None:
    url, prefix = secured_es["url"], secured_es["prefix"]
    res = _newsmon_es_setup(url, prefix, "newsmon", secured_es["newsmon"])
    assert res.returncode == 0, res.stdout + res.stderr
    aliases = httpx.get(f"{url}/_alias", auth=("newsmon", secured_es["newsmon"]), timeout=10)
    assert aliases.status_code == 200 and any(name.startswith(f"{prefix}-") for name in aliases.json())
    # the same user cannot create indices outside NEWSMON_INDEX_PREFIX
    other = _newsmon_es_setup(url, f"other-{prefix}", "newsmon", secured_es["newsmon"])
    assert other.returncode != 0
    # and without credentials nothing works
    anon = _newsmon_es_setup(url, prefix, "", "")
    assert anon.returncode != 0


# ---------------------------------------------------------------------------------------------- docs


def _docs() -> dict[Path, str]:
    paths = [DEPLOY_DOC, *(p for p in [ROOT / "README.md"] if p.exists())]
    return {p: p.read_text(encoding="utf-8") for p in paths}


def test_deploy_doc_mentions_every_service_profile_and_setting() -> None:
    text = DEPLOY_DOC.read_text(encoding="utf-8")
    missing = [name for name in services() if f"`{name}`" not in text and name not in text]
    assert not missing, f"docs/deploy.md lacks services: {missing}"
    profiles = {p for svc in services().values() for p in svc.get("profiles") or []}
    assert all(p in text for p in profiles), profiles
    for needle in (
        "cp .env.example .env",
        "docker compose up -d",
        "--scale airflow-worker=",
        "http://127.0.0.1:8080",
        "http://127.0.0.1:5601",
        "NEWSMON_ES_SHARDS",
        "NEWSMON_ES_REPLICAS",
        "openssl rand -hex 16",
        "kibana_system",
        "newsmon es setup",
        "newsmon kibana setup",
    ):
        assert needle in text, needle
    for name in parse_env_file(ENV_EXAMPLE):
        assert name in text, f"docs/deploy.md does not explain {name}"


def test_compose_commands_in_the_docs_name_real_services_and_profiles() -> None:
    svcs = services()
    profiles = {p for svc in svcs.values() for p in svc.get("profiles") or []}
    checked = 0
    for path, text in _docs().items():
        for line in re.findall(r"docker compose[^\n`]*", text):
            for name in re.findall(r"--scale ([\w.-]+)=", line):
                assert name in svcs, f"{path.name}: {line}"
                checked += 1
            for name in re.findall(r"--profile ([\w.-]+)", line):
                assert name in profiles, f"{path.name}: {line}"
                checked += 1
            m = re.search(r"\b(?:run --rm|exec|logs(?: -f)?|restart|stop|start)\s+([a-z][\w.-]*)", line)
            if m and not m.group(1).startswith("-"):
                assert m.group(1) in svcs, f"{path.name}: unknown service in `{line}`"
                checked += 1
    assert checked >= 4, "the docs should show concrete compose commands"
