"""A local secured Elasticsearch cluster of N nodes (`newsmon es start --nodes 3`), for the distributed mode.

Every node runs the pinned integration-test distribution (`esnode.install`) on 127.0.0.1 with its own HTTP
port (the port of NEWSMON_ES_URL upwards), transport port (HTTP + 100), config dir, data dir and 512 MB heap.
Security is on: TLS on transport and HTTP with a local CA and a node certificate made at setup by the
distribution's `bin/elasticsearch-certutil`, and users from the file realm written by `bin/elasticsearch-users`
(the test distribution lacks analysis-common, so it cannot create the `.security` index that native users and
the reserved realm's passwords live in; the reserved realm is therefore off and `elastic` and `kibana_system`
are file-realm users too):

- `elastic` (superuser): setup and operations only;
- `newsmon` (role `newsmon`: docker/newsmon-writer-role.json, i.e. all privileges on `PREFIX-*` only, cluster
  `monitor` + `manage_index_templates`): every newsmon process;
- `analyst` (role `newsmon_analyst`: docker/newsmon-analyst-role.json, read-only on `PREFIX-*`);
- `kibana_system` (built-in role `kibana_system`): what Kibana connects as.

Passwords are generated once (`secrets.token_hex(16)`), handed to `elasticsearch-users` on stdin, and kept in
files with mode 0600 under `<state>/secrets/`, plus `<state>/cluster.env` (0600): the NEWSMON_* settings of a
client of this cluster (all node URLs, user, password, CA file, 3 shards / 1 replica). Nothing secret is put on a
command line or printed. The state dir is `<cache>/cluster-<port>` unless given.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import time
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

from pipeline.core import settings
from pipeline.devtools import esnode
from pipeline.devtools.esnode import NodeError, Progress

REPO = Path(__file__).resolve().parents[2]
ROLE_FILES = {"newsmon": "newsmon-writer-role.json", "newsmon_analyst": "newsmon-analyst-role.json"}
USERS = {"elastic": "superuser", "newsmon": "newsmon,kibana_admin", "analyst": "newsmon_analyst",
         "kibana_system": "kibana_system"}  # fmt: skip
HEAP = "512m"


def _quiet(_: str) -> None:
    return None


@dataclass(frozen=True, slots=True)
class ClusterConfig:
    """Where an N-node cluster lives and on which ports it listens."""

    node: esnode.NodeConfig  # distribution, cache, host, base HTTP port, OS user, Java
    nodes: int = 3
    state_dir: Path | None = None
    index_prefix: str = settings.DEFAULT_PREFIX
    shards: int = 3
    replicas: int = 1
    extra: Mapping[str, Any] = field(default_factory=dict)  # more elasticsearch.yml settings (tests)

    @classmethod
    def from_env(cls, nodes: int = 3, **kw: Any) -> ClusterConfig:
        s = settings.Settings.from_env()
        return cls(node=esnode.NodeConfig.from_env(), nodes=nodes, index_prefix=s.index_prefix, **kw)

    @property
    def dir(self) -> Path:
        return self.state_dir or self.node.cache_dir / f"cluster-{self.node.port}"

    @property
    def http_ports(self) -> list[int]:
        return [self.node.port + i for i in range(self.nodes)]

    @property
    def transport_ports(self) -> list[int]:
        return [p + 100 for p in self.http_ports]

    @property
    def urls(self) -> list[str]:
        return [f"https://{self.node.host}:{p}" for p in self.http_ports]

    @property
    def ca_cert(self) -> Path:
        return self.dir / "ca" / "ca.crt"

    @property
    def env_file(self) -> Path:
        return self.dir / "cluster.env"

    def node_dir(self, i: int) -> Path:
        return self.dir / f"node-{i}"

    def pid_file(self, i: int) -> Path:
        return self.dir / "run" / f"node-{i}.pid"

    def secret_file(self, user: str) -> Path:
        return self.dir / "secrets" / f"{user}.password"

    def password(self, user: str) -> str:
        return self.secret_file(user).read_text(encoding="utf-8").strip()


def write_secret(path: Path, text: str) -> None:
    """Write a file readable by its owner only (0600 from the start: no window with wider permissions).
    Its directory keeps its mode (services running as another user may need to traverse it) unless it is a
    `secrets` dir, which becomes 0700."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.parent.name == "secrets":  # a dir of secrets is private too; other dirs keep their mode
        os.chmod(path.parent, 0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(path, 0o600)


def client_env(cfg: ClusterConfig) -> dict[str, str]:
    """The NEWSMON_* settings of a newsmon process using this cluster (contains the newsmon password)."""
    return {
        "NEWSMON_ES_URL": ",".join(cfg.urls),
        "NEWSMON_ES_USER_NAME": "newsmon",
        "NEWSMON_ES_PASSWORD": cfg.password("newsmon"),
        "NEWSMON_ES_CA_CERTS": str(cfg.ca_cert),
        "NEWSMON_ES_SHARDS": str(cfg.shards),
        "NEWSMON_ES_REPLICAS": str(cfg.replicas),
        "NEWSMON_INDEX_PREFIX": cfg.index_prefix,
    }


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines (the format of cluster.env, the distributed env file and docker compose's env_file)."""
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#") and "=" in line:
            key, _, val = line.partition("=")
            out[key.strip()] = val
    return out


def write_env_file(path: Path, values: Mapping[str, str]) -> None:
    write_secret(path, "".join(f"{k}={v}\n" for k, v in values.items()))


# ---------------------------------------------------------------- setup


def _tool_env(java: Path, conf: Path) -> dict[str, str]:
    env = {k: v for k, v in settings.environ().items() if not k.startswith(("ES_", "JAVA_"))}
    env.update(ES_JAVA_HOME=str(java), ES_PATH_CONF=str(conf))
    return env


def _run(cmd: list[str], env: dict[str, str], what: str, stdin: str | None = None) -> None:
    proc = subprocess.run(cmd, env=env, input=stdin, capture_output=True, text=True, check=False, timeout=300)
    if proc.returncode != 0:  # the tools never echo a password: stdout/stderr are safe to show
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-8:])
        raise NodeError(f"{what} failed (exit {proc.returncode}):\n{tail}")


def _role(name: str, prefix: str) -> dict[str, Any]:
    text = (REPO / "docker" / ROLE_FILES[name]).read_text(encoding="utf-8").replace("__INDEX_PREFIX__", prefix)
    return dict(yaml.safe_load(text))


def _node_yml(cfg: ClusterConfig, i: int) -> dict[str, Any]:
    nd = cfg.node_dir(i)
    tls = {"key": "certs/node.key", "certificate": "certs/node.crt", "certificate_authorities": ["certs/ca.crt"]}
    yml: dict[str, Any] = {
        "cluster.name": f"newsmon-cluster-{cfg.node.port}",
        "node.name": f"node-{i}",
        "network.host": cfg.node.host,
        "http.port": cfg.http_ports[i],
        "transport.port": cfg.transport_ports[i],
        "discovery.seed_hosts": [f"{cfg.node.host}:{p}" for p in cfg.transport_ports],
        "cluster.initial_master_nodes": [f"node-{j}" for j in range(cfg.nodes)],
        "path.data": str(nd / "data"),
        "path.logs": str(nd / "logs"),
        "cluster.routing.allocation.disk.threshold_enabled": False,
        "xpack.security.enabled": True,
        "xpack.security.authc.reserved_realm.enabled": False,
        "xpack.security.authc.realms.file.file1.order": 0,
        "xpack.security.transport.ssl.enabled": True,
        "xpack.security.transport.ssl.verification_mode": "certificate",
        "xpack.security.http.ssl.enabled": True,
    }
    for k, v in tls.items():
        yml[f"xpack.security.transport.ssl.{k}"] = list(v) if isinstance(v, list) else v
        yml[f"xpack.security.http.ssl.{k}"] = list(v) if isinstance(v, list) else v
    yml.update(cfg.extra)
    return yml


def setup(cfg: ClusterConfig, progress: Progress = _quiet) -> Path:
    """Create the CA, node certificate, users, roles and per-node config once; return the state dir."""
    home = esnode.install(cfg.node, progress)
    java = esnode.find_java(cfg.node.java_home)
    d = cfg.dir
    if (cfg.node_dir(cfg.nodes - 1) / "config" / "elasticsearch.yml").is_file() and cfg.env_file.is_file():
        return d
    progress(f"setting up a {cfg.nodes}-node secured cluster in {d} ...")
    d.mkdir(parents=True, exist_ok=True)
    tmpl = d / "config-template"
    shutil.rmtree(tmpl, ignore_errors=True)
    shutil.copytree(home / "config", tmpl)
    (tmpl / "elasticsearch.keystore").unlink(missing_ok=True)  # each node creates its own
    for fresh in ("users", "users_roles"):
        (tmpl / fresh).write_text("", encoding="utf-8")
    # the tools read this: with the reserved realm off, the file realm may hold `elastic` and `kibana_system`
    (tmpl / "elasticsearch.yml").write_text("xpack.security.authc.reserved_realm.enabled: false\n", encoding="utf-8")
    env = _tool_env(java, tmpl)
    certutil = str(home / "bin" / "elasticsearch-certutil")
    if not cfg.ca_cert.is_file():
        (d / "ca.zip").unlink(missing_ok=True)
        _run([certutil, "ca", "--silent", "--pem", "--out", str(d / "ca.zip")], env, "elasticsearch-certutil ca")
        with zipfile.ZipFile(d / "ca.zip") as zf:
            zf.extractall(d)  # ca/ca.crt, ca/ca.key
        (d / "ca.zip").unlink()
        os.chmod(d / "ca" / "ca.key", 0o600)
    (d / "node.zip").unlink(missing_ok=True)
    _run([certutil, "cert", "--silent", "--pem", "--ca-cert", str(cfg.ca_cert), "--ca-key", str(d / "ca" / "ca.key"),
          "--ip", "127.0.0.1", "--dns", "localhost", "--name", "node", "--out", str(d / "node.zip")],
         env, "elasticsearch-certutil cert")  # fmt: skip
    certs = tmpl / "certs"
    certs.mkdir()
    with zipfile.ZipFile(d / "node.zip") as zf:
        for name in ("node/node.crt", "node/node.key"):
            (certs / Path(name).name).write_bytes(zf.read(name))
    (d / "node.zip").unlink()
    shutil.copyfile(cfg.ca_cert, certs / "ca.crt")
    roles = {name: _role(name, cfg.index_prefix) for name in ROLE_FILES}
    (tmpl / "roles.yml").write_text(yaml.safe_dump(roles, sort_keys=True), encoding="utf-8")
    users = str(home / "bin" / "elasticsearch-users")
    for user, role_list in USERS.items():
        if not cfg.secret_file(user).is_file():
            write_secret(cfg.secret_file(user), secrets.token_hex(16) + "\n")
        pw = cfg.password(user)
        # no -p: the tool prompts twice and reads the answers from stdin, so the password never is an argument
        _run([users, "useradd", user, "-r", role_list], env, f"elasticsearch-users useradd {user}", f"{pw}\n{pw}\n")
    for i in range(cfg.nodes):
        nd = cfg.node_dir(i)
        shutil.rmtree(nd, ignore_errors=True)
        shutil.copytree(tmpl, nd / "config")
        (nd / "config" / "elasticsearch.yml").write_text(yaml.safe_dump(_node_yml(cfg, i)), encoding="utf-8")
        for sub in ("data", "logs"):
            (nd / sub).mkdir(parents=True)
        for p in (nd / "config" / "certs" / "node.key", nd / "config" / "users"):
            os.chmod(p, 0o600)
    shutil.rmtree(tmpl)
    (d / "run").mkdir(exist_ok=True)
    write_env_file(cfg.env_file, client_env(cfg))
    if os.geteuid() == 0:
        owner = esnode.ensure_user(cfg.node.user)
        os.chmod(d, 0o755)
        for i in range(cfg.nodes):
            esnode.chown_tree(cfg.node_dir(i), owner.pw_uid, owner.pw_gid)
        esnode.chown_tree(d / "run", owner.pw_uid, owner.pw_gid)
        esnode.chown_tree(home, owner.pw_uid, owner.pw_gid)
        os.chmod(d / "ca", 0o755)  # ca.crt is public; ca.key stays 0600 (root)
    return d


# ---------------------------------------------------------------- run


def http(cfg: ClusterConfig, user: str = "elastic", timeout: float = 5.0) -> httpx.Client:
    """An HTTP client trusting the cluster's CA, authenticated as `user` (password from its 0600 file)."""
    return httpx.Client(verify=str(cfg.ca_cert), auth=(user, cfg.password(user)), timeout=timeout)


def health(cfg: ClusterConfig, timeout: float = 3.0) -> dict[str, Any] | None:
    """`_cluster/health` from the first node that answers, or None."""
    if not cfg.secret_file("elastic").is_file():
        return None
    with http(cfg, timeout=timeout) as c:
        for url in cfg.urls:
            try:
                r = c.get(f"{url}/_cluster/health")
                if r.status_code == 200:
                    return dict(r.json())
            except httpx.HTTPError:
                continue
    return None


def nodes(cfg: ClusterConfig) -> list[dict[str, Any]]:
    """`_cat/nodes` rows (name, ip, http address, roles, master, heap), [] when no node answers."""
    with http(cfg) as c:
        for url in cfg.urls:
            try:
                r = c.get(f"{url}/_nodes/http,jvm")
                if r.status_code != 200:
                    continue
                master = c.get(f"{url}/_cat/master?format=json").json()[0]["node"]
                rows = []
                for n in r.json()["nodes"].values():
                    rows.append({"name": n["name"], "http": n.get("http", {}).get("publish_address", ""),
                                 "master": n["name"] == master, "roles": ",".join(n.get("roles", [])),
                                 "heap_max": n.get("jvm", {}).get("mem", {}).get("heap_max_in_bytes", 0)})  # fmt: skip
                return sorted(rows, key=lambda n: str(n["name"]))
            except (httpx.HTTPError, ValueError, KeyError, IndexError):
                continue
    return []


def node_pid(cfg: ClusterConfig, i: int) -> int | None:
    try:
        pid = int(cfg.pid_file(i).read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if esnode.pid_alive(pid) else None


def _log_tail(cfg: ClusterConfig, i: int, lines: int = 15) -> str:
    logs = cfg.node_dir(i) / "logs"
    files = sorted(logs.glob("*.log"), key=lambda p: p.stat().st_mtime) if logs.is_dir() else []
    out = cfg.dir / f"node-{i}.out"
    return "\n".join("\n".join(p.read_text(errors="replace").splitlines()[-lines:])
                     for p in [*files[-1:], out] if p.is_file())  # fmt: skip


def start_node(cfg: ClusterConfig, i: int) -> subprocess.Popen[bytes]:
    """Launch node i daemonized (returns the launcher process; the node's pid goes to its pid file)."""
    home = cfg.node.home
    java = esnode.find_java(cfg.node.java_home)
    env = _tool_env(java, cfg.node_dir(i) / "config")
    env["ES_JAVA_OPTS"] = f"-Xms{HEAP} -Xmx{HEAP}"
    prefix: list[str] = []
    if os.geteuid() == 0:
        prefix = esnode.as_user(esnode.ensure_user(cfg.node.user))
        env["HOME"] = str(cfg.node_dir(i))
    cfg.pid_file(i).unlink(missing_ok=True)
    out = open(cfg.dir / f"node-{i}.out", "wb")  # noqa: SIM115 - handed to the child, closed below
    try:
        return subprocess.Popen([*prefix, str(home / "bin" / "elasticsearch"), "-d", "-p", str(cfg.pid_file(i))],
                                env=env, stdout=out, stderr=subprocess.STDOUT, cwd=str(home))  # fmt: skip
    finally:
        out.close()


def wait_green(cfg: ClusterConfig, timeout: float = 240.0, nodes_expected: int | None = None) -> dict[str, Any]:
    want = cfg.nodes if nodes_expected is None else nodes_expected
    deadline = time.monotonic() + timeout
    last: dict[str, Any] | None = None
    while time.monotonic() < deadline:
        last = health(cfg)
        if last and last.get("status") == "green" and last.get("number_of_nodes") == want:
            return last
        time.sleep(1)
    raise NodeError(f"cluster not green with {want} nodes within {timeout:.0f}s (last health: {last})")


def start(cfg: ClusterConfig, progress: Progress = _quiet, timeout: float = 300.0) -> str:
    """Set up (once), start every node that is not running, wait for green with all nodes joined."""
    h = health(cfg)
    if h and h.get("status") == "green" and h.get("number_of_nodes") == cfg.nodes:
        return f"Elasticsearch cluster already running: {', '.join(cfg.urls)} ({h['status']})"
    for i, port in enumerate(cfg.http_ports):
        if node_pid(cfg, i) is None and (esnode.port_open(cfg.node.host, port)
                                         or esnode.port_open(cfg.node.host, cfg.transport_ports[i])):
            raise NodeError(f"port {port} or {cfg.transport_ports[i]} on {cfg.node.host} is in use; "
                            f"point NEWSMON_ES_URL at another base port")  # fmt: skip
    setup(cfg, progress)
    progress(f"starting {cfg.nodes} nodes on {', '.join(cfg.urls)} ...")
    launchers = {i: start_node(cfg, i) for i in range(cfg.nodes) if node_pid(cfg, i) is None}
    for i, proc in launchers.items():
        if proc.wait(timeout=timeout) != 0:
            stop(cfg)
            raise NodeError(f"node-{i} failed to start (exit {proc.returncode}):\n{_log_tail(cfg, i)}")
    try:
        h = wait_green(cfg, timeout)
    except NodeError:
        stop(cfg)
        raise
    return (f"Elasticsearch cluster {h.get('cluster_name')} green with {h.get('number_of_nodes')} nodes: "
            f"{', '.join(cfg.urls)}; client settings in {cfg.env_file} (mode 0600)")  # fmt: skip


def kill_node(cfg: ClusterConfig, i: int, sig: int = signal.SIGKILL) -> int:
    """Send `sig` to node i (the fault injection of the distributed test); return its pid."""
    pid = node_pid(cfg, i)
    if pid is None:
        raise NodeError(f"node-{i} is not running")
    os.kill(pid, sig)
    return pid


def stop(cfg: ClusterConfig, timeout: float = 60.0) -> str:
    """SIGTERM every node this cluster started, wait, SIGKILL leftovers."""
    pids = {i: pid for i in range(cfg.nodes) if (pid := node_pid(cfg, i)) is not None}
    for pid in pids.values():
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(esnode.pid_alive(p) for p in pids.values()):
        time.sleep(0.3)
    for pid in pids.values():
        if esnode.pid_alive(pid):
            os.kill(pid, signal.SIGKILL)
    for i in range(cfg.nodes):
        cfg.pid_file(i).unlink(missing_ok=True)
    return f"Elasticsearch cluster: {len(pids)} node(s) stopped" if pids else "Elasticsearch cluster: not running"


def status(cfg: ClusterConfig) -> tuple[bool, str]:
    h = health(cfg)
    if not h:
        running = [i for i in range(cfg.nodes) if node_pid(cfg, i)]
        return False, f"Elasticsearch cluster at {cfg.urls[0]}: not answering ({len(running)} node process(es))"
    lines = [f"Elasticsearch cluster {h.get('cluster_name')}: {h.get('status')}, {h.get('number_of_nodes')} "
             f"node(s), {h.get('active_shards')} shards"]  # fmt: skip
    for n in nodes(cfg):
        lines.append(f"  {n['name']:8} https://{n['http']:22} {'*' if n['master'] else ' '} roles={n['roles']} "
                     f"heap={int(n['heap_max']) // 2**20}MB")  # fmt: skip
    return True, "\n".join(lines)


def is_set_up(cfg: ClusterConfig) -> bool:
    return cfg.env_file.is_file()
