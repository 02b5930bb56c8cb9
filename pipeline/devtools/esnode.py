"""The local single-node Elasticsearch for development and tests (`newsmon es start|stop|status`).

Downloads Elastic's integration-test distribution from Maven Central with `mvn` into a cache outside the repo
(once), unzips it (once), and runs it on 127.0.0.1 with security off and a 512 MB heap. Elasticsearch refuses to
run as root, so when we are root the node runs as an unprivileged system user (created once) that owns the
install, data and log directories. `start` is idempotent and returns when `GET /_cluster/health` is
yellow/green; `stop` terminates the recorded PID and waits for it to exit.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import httpx

from pipeline.core import settings

ES_VERSION = "9.5.4"  # newest 9.x integ-test-zip that resolves on Maven Central (9.5.5/9.5.6/9.6.0 do not)
ARTIFACT = "org.elasticsearch.distribution.integ-test-zip:elasticsearch:{version}:zip"
DEFAULT_USER = "newsmon-es"
MIN_JAVA = 21

Progress = Callable[[str], None]


class NodeError(Exception):
    """The local node cannot be downloaded, started or stopped; the message says what is missing."""


def _quiet(_: str) -> None:
    return None


@dataclass(frozen=True, slots=True)
class NodeConfig:
    """Where the node lives and how it runs."""

    version: str
    cache_dir: Path
    host: str
    port: int
    user: str
    java_home: str | None = None

    @classmethod
    def from_env(cls) -> NodeConfig:
        url = settings.Settings.from_env().es_url
        parsed = urlparse(url)
        default_cache = (
            Path("/var/cache/newsmon")
            if os.geteuid() == 0
            else Path(settings.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "newsmon"
        )
        return cls(
            version=settings.get("NEWSMON_ES_VERSION") or ES_VERSION,
            cache_dir=Path(settings.get("NEWSMON_CACHE_DIR") or default_cache),
            host="127.0.0.1",
            port=parsed.port or 9200,
            user=settings.get("NEWSMON_ES_USER") or DEFAULT_USER,
            java_home=settings.get("NEWSMON_ES_JAVA_HOME"),
        )

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def zip_path(self) -> Path:
        return self.cache_dir / "dist" / f"elasticsearch-{self.version}.zip"

    @property
    def home(self) -> Path:
        return self.cache_dir / f"elasticsearch-{self.version}"

    @property
    def data_dir(self) -> Path:
        return self.cache_dir / f"data-{self.version}-{self.port}"

    @property
    def logs_dir(self) -> Path:
        return self.cache_dir / f"logs-{self.port}"

    @property
    def pid_file(self) -> Path:
        return self.cache_dir / f"es-{self.port}.pid"


def is_local_url(url: str) -> bool:
    return (urlparse(url).hostname or "") in {"127.0.0.1", "localhost", "::1"}


def health(url: str, timeout: float = 2.0) -> dict[str, object] | None:
    """`GET /_cluster/health` as a dict, or None if nothing (or not Elasticsearch) answers."""
    try:
        resp = httpx.get(f"{url.rstrip('/')}/_cluster/health", timeout=timeout)
        if resp.status_code != 200:
            return None
        data = resp.json()
        return data if isinstance(data, dict) and "status" in data else None
    except (httpx.HTTPError, ValueError):
        return None


def is_healthy(url: str) -> bool:
    h = health(url)
    return bool(h and h.get("status") in ("green", "yellow"))


def port_open(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(1)
        return s.connect_ex((host, port)) == 0


def _java_major(java_home: Path) -> int | None:
    release = java_home / "release"
    if release.is_file():
        m = re.search(r'JAVA_VERSION="(\d+)', release.read_text(errors="replace"))
        if m:
            return int(m.group(1))
    java = java_home / "bin" / "java"
    if not java.exists():
        return None
    out = subprocess.run([str(java), "-version"], capture_output=True, text=True, check=False).stderr
    m = re.search(r'version "(\d+)', out)
    return int(m.group(1)) if m else None


def find_java(explicit: str | None = None, jvm_dirs: tuple[Path, ...] = (Path("/usr/lib/jvm"),)) -> Path:
    """A Java 21+ home: NEWSMON_ES_JAVA_HOME, ES_JAVA_HOME, JAVA_HOME, then the newest under /usr/lib/jvm."""
    tried: list[str] = []
    if explicit:  # an explicit choice that does not work is an error, not a hint
        major = _java_major(Path(explicit))
        if major and major >= MIN_JAVA:
            return Path(explicit)
        raise NodeError(
            f"NEWSMON_ES_JAVA_HOME={explicit} is not a Java {MIN_JAVA}+ JDK "
            f"({'no bin/java there' if major is None else f'Java {major}'})"
        )
    for cand in (settings.get("ES_JAVA_HOME"), settings.get("JAVA_HOME")):
        if cand:
            major = _java_major(Path(cand))
            if major and major >= MIN_JAVA:
                return Path(cand)
            tried.append(f"{cand} (Java {major or '?'})")
    found: list[tuple[int, Path]] = []
    for jvm in jvm_dirs:
        if not jvm.is_dir():
            continue
        for home in sorted(jvm.iterdir()):
            if home.is_dir() and not home.is_symlink():
                major = _java_major(home)
                if major:
                    tried.append(f"{home} (Java {major})")
                    if major >= MIN_JAVA:
                        found.append((major, home))
    if found:
        return max(found)[1]
    raise NodeError(
        f"no Java {MIN_JAVA}+ JDK found for Elasticsearch (tried: {', '.join(tried) or 'nothing'}); "
        f"install one (e.g. apt-get install openjdk-21-jdk-headless) or set NEWSMON_ES_JAVA_HOME"
    )


def download(cfg: NodeConfig, progress: Progress = _quiet) -> Path:
    """Fetch the distribution zip with `mvn dependency:copy` unless cached; return its path."""
    if cfg.zip_path.is_file() and zipfile.is_zipfile(cfg.zip_path):
        progress(f"using cached {cfg.zip_path}")
        return cfg.zip_path
    mvn = shutil.which("mvn")
    if not mvn:
        raise NodeError("Maven (`mvn`) is not installed; it downloads Elasticsearch (apt-get install maven)")
    cfg.zip_path.parent.mkdir(parents=True, exist_ok=True)
    artifact = ARTIFACT.format(version=cfg.version)
    progress(f"downloading {artifact} from Maven Central ...")
    proc = subprocess.run(
        [mvn, "-q", "-B", "dependency:copy", f"-Dartifact={artifact}", f"-DoutputDirectory={cfg.zip_path.parent}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0 or not cfg.zip_path.is_file():
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-5:])
        raise NodeError(f"mvn could not download {artifact}:\n{tail}")
    return cfg.zip_path


def install(cfg: NodeConfig, progress: Progress = _quiet) -> Path:
    """Download and unzip once; return the Elasticsearch home directory."""
    if (cfg.home / "bin" / "elasticsearch").is_file():
        return cfg.home
    zpath = download(cfg, progress)
    progress(f"unpacking {zpath.name} ...")
    tmp = cfg.cache_dir / f".unpack-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    with zipfile.ZipFile(zpath) as zf:
        zf.extractall(tmp)
        for info in zf.infolist():  # zipfile drops the exec bits; restore them
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                os.chmod(tmp / info.filename, mode)
    inner = tmp / f"elasticsearch-{cfg.version}"
    if not inner.is_dir():
        raise NodeError(f"unexpected layout in {zpath}: no elasticsearch-{cfg.version}/ inside")
    inner.rename(cfg.home)
    shutil.rmtree(tmp, ignore_errors=True)
    return cfg.home


def modules(cfg: NodeConfig) -> list[str]:
    """The modules the unpacked distribution ships (what the test node can do)."""
    mdir = cfg.home / "modules"
    return sorted(p.name for p in mdir.iterdir()) if mdir.is_dir() else []


def ensure_user(name: str) -> pwd.struct_passwd:
    """The unprivileged system user `name`, created (no home, no login shell) if missing; root only."""
    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    proc = subprocess.run(
        [useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0 and "already exists" not in proc.stderr:
        raise NodeError(f"cannot create the unprivileged user {name!r} to run Elasticsearch: {proc.stderr.strip()}")
    return pwd.getpwnam(name)


def chown_tree(path: Path, uid: int, gid: int) -> None:
    """chown -R (symlinks themselves, not their targets)."""
    for root, dirs, files in os.walk(path):
        os.chown(root, uid, gid)
        for n in dirs + files:
            os.lchown(os.path.join(root, n), uid, gid)


def as_user(user: pwd.struct_passwd) -> list[str]:
    """Command prefix that runs a program as `user` (setpriv, else runuser); empty when we are not root."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv:
        return [setpriv, f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--init-groups"]
    runuser = shutil.which("runuser")
    if not runuser:
        raise NodeError("running as root but neither `setpriv` nor `runuser` is available")
    return [runuser, "-u", user.pw_name, "--"]


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read_pid(cfg: NodeConfig) -> int | None:
    try:
        pid = int(cfg.pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid


def _log_tail(cfg: NodeConfig, lines: int = 15) -> str:
    logs = sorted(cfg.logs_dir.glob("*.log"), key=lambda p: p.stat().st_mtime) if cfg.logs_dir.is_dir() else []
    out = cfg.cache_dir / f"es-{cfg.port}.out"
    texts = []
    for p in [*logs[-1:], out]:
        if p.is_file():
            texts.append("\n".join(p.read_text(errors="replace").splitlines()[-lines:]))
    return "\n".join(texts)


def start(cfg: NodeConfig, progress: Progress = _quiet, timeout: float = 180.0) -> str:
    """Start the node unless it is already up; return a one-line status."""
    if is_healthy(cfg.url):
        pid = _read_pid(cfg)
        return f"Elasticsearch already running at {cfg.url}" + (f" (pid {pid})" if pid else "")
    if port_open(cfg.host, cfg.port):
        raise NodeError(
            f"port {cfg.port} on {cfg.host} is in use by something that is not a healthy Elasticsearch; "
            f"stop it or point NEWSMON_ES_URL at another port"
        )
    java = find_java(cfg.java_home)
    home = install(cfg, progress)
    for d in (cfg.data_dir, cfg.logs_dir):
        d.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in settings.environ().items() if not k.startswith(("ES_", "JAVA_"))}
    env.update(ES_JAVA_HOME=str(java), ES_JAVA_OPTS="-Xms512m -Xmx512m", ES_PATH_CONF=str(home / "config"))
    cmd = [
        str(home / "bin" / "elasticsearch"),
        "-d",
        "-p",
        str(cfg.pid_file),
        "-Ediscovery.type=single-node",
        f"-Enetwork.host={cfg.host}",
        f"-Ehttp.port={cfg.port}",
        f"-Etransport.port={cfg.port + 100}",
        "-Expack.security.enabled=false",
        f"-Epath.data={cfg.data_dir}",
        f"-Epath.logs={cfg.logs_dir}",
        "-Ecluster.routing.allocation.disk.threshold_enabled=false",
        "-Eaction.destructive_requires_name=false",
        f"-Ecluster.name=newsmon-{cfg.port}",
    ]
    if os.geteuid() == 0:
        user = ensure_user(cfg.user)
        # the cache dir itself stays root-owned but traversable; the node owns what it writes to
        os.chmod(cfg.cache_dir, 0o755)
        for d in (home, cfg.data_dir, cfg.logs_dir):
            chown_tree(d, user.pw_uid, user.pw_gid)
        cfg.pid_file.unlink(missing_ok=True)
        pid_dir_ok = cfg.cache_dir / "run"
        pid_dir_ok.mkdir(exist_ok=True)
        os.chown(pid_dir_ok, user.pw_uid, user.pw_gid)
        cmd[3] = str(pid_dir_ok / cfg.pid_file.name)
        setpriv = shutil.which("setpriv")
        if setpriv:
            cmd = [setpriv, f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--init-groups", *cmd]
        else:
            runuser = shutil.which("runuser")
            if not runuser:
                raise NodeError("running as root but neither `setpriv` nor `runuser` is available")
            cmd = [runuser, "-u", cfg.user, "--", *cmd]
        env["HOME"] = str(cfg.cache_dir)
    progress(f"starting Elasticsearch {cfg.version} on {cfg.url} (Java: {java}) ...")
    out_path = cfg.cache_dir / f"es-{cfg.port}.out"
    with open(out_path, "wb") as out:
        proc = subprocess.run(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, check=False, cwd=str(home))
    if os.geteuid() == 0:
        # link the node-owned pid file to where status/stop read it
        src = Path(cmd[cmd.index("-p") + 1])
        deadline = time.monotonic() + 10
        while not src.is_file() and time.monotonic() < deadline:
            time.sleep(0.2)
        if src.is_file():
            cfg.pid_file.write_text(src.read_text())
    if proc.returncode != 0:
        raise NodeError(f"Elasticsearch failed to start (exit {proc.returncode}):\n{_log_tail(cfg)}")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if is_healthy(cfg.url):
            pid = _read_pid(cfg)
            return f"Elasticsearch {cfg.version} ready at {cfg.url} (pid {pid})"
        if cfg.pid_file.is_file() and _read_pid(cfg) is None:
            raise NodeError(f"Elasticsearch exited during startup:\n{_log_tail(cfg)}")
        time.sleep(0.5)
    raise NodeError(f"Elasticsearch did not become healthy within {timeout:.0f}s:\n{_log_tail(cfg)}")


def stop(cfg: NodeConfig, timeout: float = 60.0) -> str:
    """Stop the node started by `start` (SIGTERM, then SIGKILL after `timeout`)."""
    pid = _read_pid(cfg)
    if pid is None:
        cfg.pid_file.unlink(missing_ok=True)
        if is_healthy(cfg.url):
            return f"an Elasticsearch at {cfg.url} was not started by newsmon (no pid file); left running"
        return f"Elasticsearch at {cfg.url} is not running"
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _read_pid(cfg) is None:
            break
        time.sleep(0.3)
    else:
        os.kill(pid, signal.SIGKILL)
        time.sleep(1)
    cfg.pid_file.unlink(missing_ok=True)
    return f"Elasticsearch (pid {pid}) stopped"


def status(cfg: NodeConfig) -> tuple[bool, str]:
    """(running, description) for `newsmon es status`."""
    h = health(cfg.url)
    pid = _read_pid(cfg)
    if not h:
        return False, f"Elasticsearch at {cfg.url}: not running" + (f" (stale pid {pid})" if pid else "")
    return True, (
        f"Elasticsearch at {cfg.url}: {h.get('status')} ({h.get('number_of_nodes')} node(s), "
        f"{h.get('active_shards')} shards)" + (f", pid {pid}" if pid else ", not started by newsmon")
    )
