"""Local PostgreSQL and Redis for the distributed stack (Airflow metadata DB and Celery broker), no containers.

Both come from the Debian packages (`postgresql`, `redis-server`; `.ci/run` installs them when missing), run
from a state dir of ours (a PostgreSQL cluster made with `initdb`, a Redis with append-only persistence),
listen on 127.0.0.1 only, require a password, and run as the unprivileged user of `esnode` when we are root
(PostgreSQL refuses root). Passwords are generated, kept in 0600 files, and reach the servers through files
(initdb's --pwfile, Redis's config file), never a command line. `stop` ends only the processes started here.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from pipeline.core import settings
from pipeline.devtools import esnode
from pipeline.devtools.cluster import write_secret


class ServiceError(Exception):
    """A service is not installed, cannot start or does not answer; the message says what to do."""


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _service_user() -> pwd.struct_passwd | None:
    if os.geteuid() != 0:
        return None
    return esnode.ensure_user(settings.value("NEWSMON_ES_USER"))


def _own(path: Path, user: pwd.struct_passwd | None) -> None:
    if user is not None:
        esnode.chown_tree(path, user.pw_uid, user.pw_gid)


def _prefix(user: pwd.struct_passwd | None) -> list[str]:
    return esnode.as_user(user) if user is not None else []


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not esnode.pid_alive(pid):
            return True
        time.sleep(0.2)
    return not esnode.pid_alive(pid)


def pg_bindir() -> Path:
    """Directory of PostgreSQL's server programs (initdb, pg_ctl): PATH, else the newest /usr/lib/postgresql/N."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: int(Path(d).parent.name or 0))
    if dirs and Path(dirs[-1], "initdb").is_file():
        return Path(dirs[-1])
    raise ServiceError("PostgreSQL is not installed (no pg_ctl/initdb): apt-get install postgresql")


@dataclass
class Postgres:
    """A private PostgreSQL cluster under `base` on 127.0.0.1:`port`, database and superuser `airflow`."""

    base: Path
    port: int
    db: str = "airflow"
    user_name: str = "airflow"

    @property
    def data(self) -> Path:
        return self.base / "pgdata"

    @property
    def secret(self) -> Path:
        return self.base / "secrets" / "postgres.password"

    def password(self) -> str:
        return self.secret.read_text(encoding="utf-8").strip()

    @property
    def url(self) -> str:
        """SQLAlchemy URL for Airflow (contains the password: goes into a 0600 env file or a process env)."""
        return f"postgresql+psycopg2://{self.user_name}:{self.password()}@127.0.0.1:{self.port}/{self.db}"

    def _pid(self) -> int | None:
        try:
            pid = int((self.data / "postmaster.pid").read_text().splitlines()[0])
        except (OSError, ValueError, IndexError):
            return None
        return pid if esnode.pid_alive(pid) else None

    def start(self) -> str:
        bindir = pg_bindir()
        user = _service_user()
        self.base.mkdir(parents=True, exist_ok=True)
        os.chmod(self.base, 0o755)
        if not self.secret.is_file():
            write_secret(self.secret, secrets.token_hex(16) + "\n")
        if not (self.data / "PG_VERSION").is_file():
            self.data.mkdir(parents=True, exist_ok=True)
            pwfile = self.base / "pwtmp" / "pw"  # its own 0700 dir, owned by the server's user
            write_secret(pwfile, self.password() + "\n")
            _own(self.data, user)
            _own(pwfile.parent, user)
            try:
                self._run([str(bindir / "initdb"), "-D", str(self.data), "-U", self.user_name, "-A", "scram-sha-256",
                           f"--pwfile={pwfile}", "-E", "UTF8", "--no-instructions"], user, "initdb")  # fmt: skip
            finally:
                shutil.rmtree(pwfile.parent, ignore_errors=True)
        sock = self.base / "sock"
        sock.mkdir(exist_ok=True)
        _own(sock, user)
        if self._pid() is None:
            opts = f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={sock} " \
                   f"-c max_connections=200 -c fsync=off"  # fmt: skip
            self._run([str(bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.data / "server.log"), "-w",
                       "-t", "60", "-o", opts, "start"], user, "pg_ctl start")  # fmt: skip
        env = {"PGPASSWORD": self.password(), "PATH": settings.environ().get("PATH", "")}
        psql = str(bindir / "psql") if (bindir / "psql").is_file() else (shutil.which("psql") or "psql")
        probe = subprocess.run([psql, "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user_name, "-d", "postgres",
                                "-tAc", f"SELECT 1 FROM pg_database WHERE datname='{self.db}'"],
                               env=env, capture_output=True, text=True, check=False)  # fmt: skip
        if probe.returncode != 0:
            raise ServiceError(f"PostgreSQL on 127.0.0.1:{self.port} does not answer: {probe.stderr.strip()}")
        if probe.stdout.strip() != "1":
            subprocess.run([psql, "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user_name, "-d", "postgres",
                            "-c", f"CREATE DATABASE {self.db}"], env=env, capture_output=True, check=True)  # fmt: skip
        return f"PostgreSQL ({bindir.parent.name}) on 127.0.0.1:{self.port}, database {self.db} (pid {self._pid()})"

    def _run(self, cmd: list[str], user: pwd.struct_passwd | None, what: str) -> None:
        proc = subprocess.run([*_prefix(user), *cmd], capture_output=True, text=True, check=False, timeout=120,
                              cwd=str(self.base))  # fmt: skip
        if proc.returncode != 0:
            raise ServiceError(f"{what} failed: {(proc.stdout + proc.stderr).strip()[-1500:]}")

    def stop(self) -> str:
        pid = self._pid()
        if pid is None:
            return "PostgreSQL: not running"
        os.kill(pid, signal.SIGINT)  # "fast" shutdown
        if not _wait_gone(pid, 30):
            os.kill(pid, signal.SIGKILL)
        return f"PostgreSQL (pid {pid}) stopped"


@dataclass
class Redis:
    """A private Redis on 127.0.0.1:`port` with a password and append-only persistence (survives restarts)."""

    base: Path
    port: int
    proc: subprocess.Popen[bytes] | None = None

    @property
    def secret(self) -> Path:
        return self.base / "secrets" / "redis.password"

    def password(self) -> str:
        return self.secret.read_text(encoding="utf-8").strip()

    @property
    def url(self) -> str:
        return f"redis://:{self.password()}@127.0.0.1:{self.port}/0"

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None and self.proc.poll() is None else None

    def start(self, timeout: float = 30.0) -> str:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not Path(binary).is_file():
            raise ServiceError("Redis is not installed (no redis-server): apt-get install redis-server")
        user = _service_user()
        data = self.base / "redis"
        data.mkdir(parents=True, exist_ok=True)
        os.chmod(self.base, 0o755)
        if not self.secret.is_file():
            write_secret(self.secret, secrets.token_hex(16) + "\n")
        conf = data / "redis.conf"
        write_secret(conf, "\n".join([
            "bind 127.0.0.1", f"port {self.port}", "protected-mode yes", f"requirepass {self.password()}",
            f"dir {data}", "appendonly yes", "appendfsync always", 'save ""', "daemonize no",
            f"logfile {data / 'redis.log'}", "",
        ]))  # fmt: skip
        _own(data, user)
        out_path = data / "redis.out"  # what redis-server prints before its log file is open (config, bind errors)
        deadline = time.monotonic() + timeout
        code: int | None = None
        while time.monotonic() < deadline:
            with open(out_path, "ab") as out:
                self.proc = subprocess.Popen([*_prefix(user), binary, str(conf)], stdin=subprocess.DEVNULL,
                                             stdout=out, stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
            while time.monotonic() < deadline and self.proc.poll() is None:
                if self.ping():
                    return f"Redis on 127.0.0.1:{self.port} (pid {self.proc.pid})"
                time.sleep(0.2)
            code = self.proc.poll()
            said = out_path.read_text(errors="replace") if out_path.is_file() else ""
            if code is None or "Address already in use" not in said[-400:]:
                break
            time.sleep(1)  # the port is briefly held (a closing socket): try again until the deadline
        log = data / "redis.log"
        tail = "\n".join(p.read_text(errors="replace")[-1200:] for p in (log, out_path) if p.is_file())
        self.stop()
        raise ServiceError(f"Redis did not answer on 127.0.0.1:{self.port} within {timeout:.0f}s "
                           f"({'exited with ' + str(code) if code is not None else 'still running'}):\n{tail}")

    def ping(self) -> bool:
        """PING with AUTH over a raw socket (no client library needed): True on +PONG."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                pw = self.password()
                s.sendall(f"*2\r\n$4\r\nAUTH\r\n${len(pw)}\r\n{pw}\r\n*1\r\n$4\r\nPING\r\n".encode())
                data = b""
                while b"PONG" not in data and len(data) < 200:
                    chunk = s.recv(200)
                    if not chunk:
                        break
                    data += chunk
                return b"+PONG" in data
        except OSError:
            return False

    def stop(self, timeout: float = 20.0) -> str:
        if self.proc is None or self.proc.poll() is not None:
            return "Redis: not running"
        pid = self.proc.pid
        self.proc.send_signal(signal.SIGTERM)  # Redis flushes its append-only file and exits
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
        return f"Redis (pid {pid}) stopped"

    def restart(self) -> str:
        self.stop()
        return self.start()
