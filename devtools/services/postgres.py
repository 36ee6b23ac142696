"""PostgresCluster: a private PostgreSQL cluster (``initdb`` + ``pg_ctl``) on loopback.

The server binaries are the newest Debian installs under /usr/lib/postgresql/N/bin (15 on
Debian 12, 17 on Debian 13), or NIANBAO_PG_BIN.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from devtools.services.helpers import LOOPBACK, _tail, free_port
from devtools.services.lifecycle import _START_ATTEMPTS, _live, _Service

PG_ROOT = Path("/usr/lib/postgresql")


def find_pg_bin() -> Path:
    """The server binaries' directory: NIANBAO_PG_BIN, else the newest installed major version.

    Falls back to where PostgreSQL 15 would be (the error then names the package to install).
    """
    if os.environ.get("NIANBAO_PG_BIN"):
        return Path(os.environ["NIANBAO_PG_BIN"])
    majors = [
        d for d in PG_ROOT.glob("*/bin") if (d / "initdb").exists() and d.parent.name.isdigit()
    ]
    if not majors:
        return PG_ROOT / "15" / "bin"
    return max(majors, key=lambda d: int(d.parent.name))


DEFAULT_PG_BIN = str(find_pg_bin())
_INSTALL_HINT_PG = "run `make test` (it installs postgresql) or apt-get install -y postgresql"


class PostgresCluster(_Service):
    """A throwaway PostgreSQL cluster on a free loopback port (trust auth, user ``postgres``).

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
        self.bin_dir = Path(bin_dir) if bin_dir else find_pg_bin()
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
