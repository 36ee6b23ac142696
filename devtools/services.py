"""Real throwaway servers on loopback for integration tests and the soak (no mocks, no Docker).

* :class:`RedisServer` runs Debian's ``redis-server`` (optionally with an append-only file).
* :class:`PostgresCluster` runs a private PostgreSQL 15 cluster (``initdb`` + ``pg_ctl``); as root
  every PostgreSQL command runs as the ``postgres`` system user via ``runuser``.
* :class:`S3Server` runs moto in server mode (HTTP on loopback, in a thread of this process).

Every server is stopped at interpreter exit if a test forgot to, so no orphans stay behind
after a normal pytest run.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

__all__ = [
    "PostgresCluster",
    "RedisServer",
    "S3Server",
    "free_port",
    "wait_until",
]

T = TypeVar("T")

LOOPBACK = "127.0.0.1"
DEFAULT_PG_BIN = "/usr/lib/postgresql/15/bin"
_INSTALL_HINT_REDIS = (
    "run `make test` (it installs redis-server) or apt-get install -y redis-server"
)
_INSTALL_HINT_PG = "run `make test` (it installs postgresql) or apt-get install -y postgresql"
_START_ATTEMPTS = 3  # a free port can be grabbed by someone else before the server binds it

_live: set[Any] = set()  # strong refs: a forgotten server is still stopped at exit


@atexit.register
def _stop_all() -> None:
    """Stop every server still running when the interpreter exits."""
    for server in list(_live):
        with contextlib.suppress(Exception):
            server.close()


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def wait_until(
    predicate: Callable[[], T], timeout: float, interval: float = 0.1, message: str = ""
) -> T:
    """Poll ``predicate`` until truthy and return that; AssertionError(message) on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(message or f"condition not met within {timeout} s")
        time.sleep(interval)


def _tail(path: Path, lines: int = 30) -> str:
    """Last lines of a log file (or a note that it is missing)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return f"<no log at {path}: {exc}>"
    return "\n".join(text.splitlines()[-lines:])


class _Service:
    """Context-manager plumbing shared by the servers."""

    def start(self) -> None:
        """Start the server."""
        raise NotImplementedError

    def close(self) -> None:
        """Stop the server and release its resources."""
        raise NotImplementedError

    def __enter__(self) -> Self:
        """Start the server and return it."""
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server and clean up."""
        self.close()


# --------------------------------------------------------------------------------------- Redis


class RedisServer(_Service):
    """A ``redis-server`` on a free loopback port; no persistence unless ``appendonly``.

    With ``directory`` the server keeps its files (log, AOF) there and close() leaves them;
    otherwise a temp dir is made and removed.
    """

    def __init__(
        self,
        port: int | None = None,
        binary: str = "redis-server",
        *,
        appendonly: bool = False,
        appendfsync: str = "everysec",
        directory: str | os.PathLike[str] | None = None,
    ) -> None:
        """Prepare (not start) a server; ``port`` defaults to a free one chosen at start."""
        if appendfsync not in {"always", "everysec", "no"}:
            raise ValueError(f"appendfsync must be always, everysec or no, not {appendfsync!r}")
        self._binary = binary
        self._fixed_port = port is not None
        self._port = port
        self._proc: subprocess.Popen[bytes] | None = None
        self._own_dir = directory is None
        self._tmpdir: Path | None = None if directory is None else Path(directory)
        self.appendonly = appendonly
        self.appendfsync = appendfsync

    @property
    def pid(self) -> int | None:
        """The server's process id while it runs."""
        return self._proc.pid if self.is_running() and self._proc is not None else None

    @property
    def directory(self) -> Path:
        """Where the server keeps its log and append-only files."""
        if self._tmpdir is None:
            raise RuntimeError("RedisServer has no directory before start()")
        return self._tmpdir

    @property
    def port(self) -> int:
        """The TCP port (chosen on first start)."""
        if self._port is None:
            raise RuntimeError("RedisServer has no port before start()")
        return self._port

    @property
    def url(self) -> str:
        """``redis://127.0.0.1:PORT/0``."""
        return f"redis://{LOOPBACK}:{self.port}/0"

    @property
    def log_path(self) -> Path:
        """Where the server writes its log."""
        if self._tmpdir is None:
            raise RuntimeError("RedisServer has no log before start()")
        return self._tmpdir / "redis.log"

    def is_running(self) -> bool:
        """True if the server process is alive."""
        return self._proc is not None and self._proc.poll() is None

    def client(self, **kwargs: Any) -> Any:
        """A ``redis.Redis`` client for this server (caller closes it)."""
        import redis

        return redis.Redis.from_url(self.url, **kwargs)

    def start(self) -> None:
        """Start the server (no-op if running); waits until PING answers."""
        if self.is_running():
            return
        binary = shutil.which(self._binary)
        if binary is None:
            raise RuntimeError(f"{self._binary} not found on PATH: {_INSTALL_HINT_REDIS}")
        first_start = self._tmpdir is None or self not in _live
        if self._tmpdir is None:
            self._tmpdir = Path(tempfile.mkdtemp(prefix="nianbao-redis-"))
        self._tmpdir.mkdir(parents=True, exist_ok=True)
        _live.add(self)
        attempts = 1 if self._port is not None else _START_ATTEMPTS
        for attempt in range(attempts):
            if self._port is None or (attempt and not self._fixed_port):
                self._port = free_port()
            try:
                self._spawn(binary)
                return
            except BaseException as exc:
                retry = isinstance(exc, RuntimeError) and "Address already in use" in str(exc)
                if attempt + 1 >= attempts or not retry:
                    if first_start:
                        self.close()
                    raise

    def _spawn(self, binary: str) -> None:
        """Launch the process and wait for PING."""
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        assert self._tmpdir is not None
        cmd = [
            binary,
            "--port", str(self.port),
            "--bind", LOOPBACK,
            "--save", "",
            "--appendonly", "yes" if self.appendonly else "no",
            "--appendfsync", self.appendfsync,
            "--dir", str(self._tmpdir),
            "--daemonize", "no",
            "--protected-mode", "no",
        ]  # fmt: skip
        with open(self.log_path, "ab") as log:
            self._proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self._tmpdir,
                start_new_session=True,  # Ctrl-C in pytest must not kill it before teardown
            )
        deadline = time.monotonic() + 10
        client = redis.Redis(
            host=LOOPBACK,
            port=self.port,
            socket_timeout=1,
            socket_connect_timeout=1,
            retry=Retry(NoBackoff(), 0),
        )
        try:
            while True:
                try:
                    if client.ping():
                        return
                except redis.exceptions.RedisError:
                    pass
                if self._proc.poll() is not None:  # e.g. port taken by someone else
                    self._proc = None
                    raise RuntimeError(
                        f"redis-server exited during start on port {self.port}:\n"
                        f"{_tail(self.log_path)}"
                    )
                if time.monotonic() >= deadline:
                    self._terminate()
                    raise RuntimeError(
                        f"redis-server did not answer PING on port {self.port} within 10 s:\n"
                        f"{_tail(self.log_path)}"
                    )
                time.sleep(0.05)
        finally:
            client.close()

    def _terminate(self, timeout: float = 10) -> None:
        """SIGTERM, wait, SIGKILL if needed."""
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=timeout)

    def stop(self, timeout: float = 10) -> None:
        """Stop the server (SIGTERM, then SIGKILL after ``timeout``); keeps port and dir."""
        self._terminate(timeout)

    def kill(self) -> None:
        """SIGKILL the server (simulates a crash)."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)

    def restart(self) -> None:
        """Stop and start again on the same port (data is lost: no persistence)."""
        self.stop()
        self.start()

    def flushall(self) -> None:
        """Delete every key in every database."""
        client = self.client()
        try:
            client.flushall()
        finally:
            client.close()

    def close(self) -> None:
        """Stop the server and remove its temp dir (a directory given to it stays)."""
        self.stop()
        _live.discard(self)
        if self._tmpdir is not None and self._own_dir:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None


# ---------------------------------------------------------------------------------- PostgreSQL


class PostgresCluster(_Service):
    """A throwaway PostgreSQL 15 cluster on a free loopback port (trust auth, user ``postgres``).

    With ``base_dir`` (an empty directory, e.g. a small tmpfs) the cluster lives there and
    close() empties it instead of removing it; otherwise a temp dir is made and removed.
    """

    def __init__(
        self,
        port: int | None = None,
        bin_dir: str | os.PathLike[str] | None = None,
        *,
        base_dir: str | os.PathLike[str] | None = None,
        durable: bool = False,
    ) -> None:
        """Prepare (not start) a cluster; initdb happens on the first start().

        Tests run without fsync and with asynchronous commit (fast; a crash may lose commits
        already acknowledged). ``durable`` keeps PostgreSQL's defaults, for fault runs.
        """
        self.durable = durable
        self.bin_dir = Path(bin_dir or os.environ.get("NIANBAO_PG_BIN") or DEFAULT_PG_BIN)
        self._fixed_port = port is not None
        self._port = port
        self._given_base = None if base_dir is None else Path(base_dir)
        self._tmpdir: Path | None = None
        self._as_root = os.geteuid() == 0

    # -- paths and urls

    @property
    def port(self) -> int:
        """The TCP port (chosen on first start)."""
        if self._port is None:
            raise RuntimeError("PostgresCluster has no port before start()")
        return self._port

    @property
    def data_dir(self) -> Path:
        """The cluster's data directory."""
        return self._base / "data"

    @property
    def socket_dir(self) -> Path:
        """Directory holding the Unix socket."""
        return self._base / "run"

    @property
    def log_path(self) -> Path:
        """The server log written by pg_ctl."""
        return self._base / "run" / "postgres.log"

    @property
    def _base(self) -> Path:
        if self._tmpdir is None:
            raise RuntimeError("PostgresCluster has no directory before start()")
        return self._tmpdir

    def url(self, dbname: str = "postgres") -> str:
        """SQLAlchemy URL: ``postgresql+psycopg://postgres@127.0.0.1:PORT/DBNAME``."""
        return f"postgresql+psycopg://postgres@{LOOPBACK}:{self.port}/{dbname}"

    def dsn(self, dbname: str = "postgres") -> str:
        """libpq/psycopg DSN: ``postgresql://postgres@127.0.0.1:PORT/DBNAME``."""
        return f"postgresql://postgres@{LOOPBACK}:{self.port}/{dbname}"

    # -- running commands

    def _run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run a PostgreSQL binary (as ``postgres`` when we are root)."""
        cmd = [str(self.bin_dir / tool), *args]
        if self._as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C"
        proc = subprocess.run(
            cmd,
            cwd=self._base,  # postgres cannot chdir into e.g. /root
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
            start_new_session=True,
        )
        if check and proc.returncode != 0:
            raise RuntimeError(
                f"{tool} {' '.join(args)} failed (exit {proc.returncode}):\n"
                f"{proc.stdout}{proc.stderr}\n--- server log tail ---\n{_tail(self.log_path)}"
            )
        return proc

    def _init(self) -> None:
        """Create the temp dir and run initdb."""
        if not (self.bin_dir / "initdb").exists():
            raise RuntimeError(f"{self.bin_dir / 'initdb'} not found: {_INSTALL_HINT_PG}")
        if self._as_root and shutil.which("runuser") is None:
            raise RuntimeError("running as root needs `runuser` (util-linux) to drop to postgres")
        if self._given_base is not None:
            tmp = self._given_base
            tmp.mkdir(parents=True, exist_ok=True)
        else:
            tmp = Path(tempfile.mkdtemp(prefix="nianbao-pg-"))
        tmp.chmod(0o755)  # postgres must be able to traverse it
        self._tmpdir = tmp
        _live.add(self)
        (tmp / "run").mkdir()
        if self._as_root:
            try:
                shutil.chown(tmp, user="postgres", group="postgres")
                shutil.chown(tmp / "run", user="postgres", group="postgres")
            except LookupError as exc:
                self._remove(tmp)
                self._tmpdir = None
                raise RuntimeError(
                    f"running as root needs the `postgres` system user: {_INSTALL_HINT_PG}"
                ) from exc
        try:
            self._run(
                "initdb", "-D", str(self.data_dir), "-A", "trust", "-U", "postgres",
                "--encoding", "UTF8", "--locale", "C", "--no-sync",
            )  # fmt: skip
        except BaseException:
            self._remove(tmp)
            self._tmpdir = None
            raise

    def _remove(self, base: Path) -> None:
        """Remove the cluster's files: the temp dir itself, or the contents of a given one."""
        if self._given_base is None:
            shutil.rmtree(base, ignore_errors=True)
            return
        for child in base.iterdir() if base.exists() else ():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)

    # -- lifecycle

    def is_running(self) -> bool:
        """True if the postmaster is running (``pg_ctl status``)."""
        if self._tmpdir is None or not self.data_dir.exists():
            return False
        return self._run("pg_ctl", "status", "-D", str(self.data_dir), check=False).returncode == 0

    def start(self) -> None:
        """initdb on first use, then ``pg_ctl start -w`` (no-op if running)."""
        first_start = self._tmpdir is None
        if self._tmpdir is None:
            self._init()
        elif self.is_running():
            return
        attempts = 1 if self._fixed_port else _START_ATTEMPTS
        for attempt in range(attempts):
            if self._port is None or (attempt and not self._fixed_port):
                self._port = free_port()
            try:
                self._pg_ctl_start()
            except BaseException as exc:
                retry = isinstance(exc, RuntimeError) and "already in use" in str(exc)
                if attempt + 1 >= attempts or not retry:
                    if first_start:
                        self.close()
                    raise
            else:
                self._fixed_port = True  # restarts keep this port
                return

    def _pg_ctl_start(self) -> None:
        """One ``pg_ctl start`` attempt on ``self.port``."""
        options = f"-p {self.port} -k {self.socket_dir} -c listen_addresses={LOOPBACK}"
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(
            "pg_ctl", "-D", str(self.data_dir), "-l", str(self.log_path), "-w", "-t", "60",
            "-o", options, "start",
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        """``pg_ctl stop -m MODE -w`` (smart/fast/immediate); no-op if not running."""
        if not self.is_running():
            return
        self._run("pg_ctl", "-D", str(self.data_dir), "-m", mode, "-w", "-t", "60", "stop")

    def kill(self) -> None:
        """Immediate stop (no shutdown checkpoint; crash recovery on the next start)."""
        self.stop(mode="immediate")

    def restart(self) -> None:
        """Fast stop, then start on the same port."""
        self.stop()
        self.start()

    def close(self) -> None:
        """Stop the cluster (immediate if fast fails) and remove its temp dir."""
        _live.discard(self)
        if self._tmpdir is None:
            return
        try:
            self.stop()
        except Exception:
            with contextlib.suppress(Exception):
                self.stop(mode="immediate")
        self._remove(self._tmpdir)
        self._tmpdir = None

    # -- databases

    def connect(self, dbname: str = "postgres", **kwargs: Any) -> Any:
        """A psycopg connection to ``dbname`` (caller closes it)."""
        import psycopg

        kwargs.setdefault("connect_timeout", 5)
        return psycopg.connect(self.dsn(dbname), **kwargs)

    def create_database(self, name: str) -> None:
        """CREATE DATABASE ``name``."""
        from psycopg import sql

        with self.connect(autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def drop_database(self, name: str) -> None:
        """DROP DATABASE IF EXISTS ``name`` WITH (FORCE), disconnecting its sessions."""
        from psycopg import sql

        with self.connect(autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


# ------------------------------------------------------------------------------------------ S3


def _moto_server_class() -> type:
    """ThreadedMotoServer that reports bind errors instead of hanging start() forever."""
    from moto.server import ThreadedMotoServer

    class _Server(ThreadedMotoServer):  # type: ignore[misc]
        error: BaseException | None = None

        def _server_entry(self) -> None:
            try:
                super()._server_entry()
            except BaseException as exc:  # e.g. port in use: unblock start()
                self.error = exc
                self._server_ready_event.set()

    return _Server


class S3Server(_Service):
    """moto in server mode on a loopback port (a thread in this process, state is global)."""

    def __init__(self, port: int | None = None, region: str = "us-east-1") -> None:
        """Prepare (not start) a server; ``port`` defaults to a free one chosen at start."""
        self._port = port
        self.region = region
        self._server: Any = None

    @property
    def port(self) -> int:
        """The TCP port (chosen on first start)."""
        if self._port is None:
            raise RuntimeError("S3Server has no port before start()")
        return self._port

    @property
    def endpoint_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{LOOPBACK}:{self.port}"

    def is_running(self) -> bool:
        """True while the server thread serves requests."""
        return self._server is not None

    def start(self) -> None:
        """Start serving (no-op if running)."""
        if self._server is not None:
            return
        fixed = self._port is not None
        attempts = 1 if fixed else _START_ATTEMPTS
        for attempt in range(attempts):
            if self._port is None or (attempt and not fixed):
                self._port = free_port()
            server = _moto_server_class()(ip_address=LOOPBACK, port=self.port, verbose=False)
            server.start()
            if server.error is None:
                self._server = server
                _live.add(self)
                return
            if attempt + 1 >= attempts:
                raise RuntimeError(f"moto server could not start on port {self.port}") from (
                    server.error
                )

    def stop(self) -> None:
        """Stop serving and free the port (S3 state lives on in-process until reset())."""
        server, self._server = self._server, None
        if server is None:
            return
        server.stop()
        # ThreadedMotoServer.stop() only ends serve_forever(); close the listening socket
        # so the same port can be bound again by restart().
        if server._server is not None:
            server._server.server_close()

    def restart(self) -> None:
        """Stop and start on the same port."""
        self.stop()
        self.start()

    def close(self) -> None:
        """Stop serving."""
        _live.discard(self)
        self.stop()

    def client(self, service: str = "s3", **kwargs: Any) -> Any:
        """A boto3 client pointed at this server with dummy credentials."""
        import boto3
        from botocore.config import Config

        kwargs.setdefault("config", Config(s3={"addressing_style": "path"}))
        return boto3.client(
            service,
            endpoint_url=self.endpoint_url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            region_name=self.region,
            **kwargs,
        )

    def create_bucket(self, name: str) -> None:
        """Create an S3 bucket."""
        params: dict[str, Any] = {"Bucket": name}
        if self.region != "us-east-1":
            params["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
        self.client().create_bucket(**params)

    def reset(self) -> None:
        """Wipe all moto state (every service, every account) via ``/moto-api/reset``."""
        request = urllib.request.Request(
            f"{self.endpoint_url}/moto-api/reset", data=json.dumps({}).encode(), method="POST"
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
