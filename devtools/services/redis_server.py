"""RedisServer: Debian's ``redis-server`` on a free loopback port (optionally with an AOF)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from devtools.services.helpers import LOOPBACK, _tail, free_port
from devtools.services.lifecycle import _START_ATTEMPTS, _live, _Service

_INSTALL_HINT_REDIS = (
    "run `make test` (it installs redis-server) or apt-get install -y redis-server"
)


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
