"""The soak's own servers and workers: Redis with an AOF, PostgreSQL on a small tmpfs, moto
behind a switchable proxy, the loopback site, and real worker processes under a supervisor."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from devtools.services import PostgresCluster, RedisServer, S3Server, wait_until
from devtools.soak.proxy import FaultProxy
from devtools.soak.site import SoakSite

ROOT = Path(__file__).resolve().parents[2]
BUCKET = "nianbao"
DATABASE = "nianbao"
QUEUES = "crawl,pages,store"


def mount_tmpfs(path: Path, size_mb: int) -> bool:
    """Mount a tmpfs of ``size_mb`` MiB on ``path``; False if this machine will not."""
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_mb}m,mode=0755", "tmpfs", str(path)],
        capture_output=True,
        text=True,
    )
    return done.returncode == 0


def umount(path: Path) -> None:
    """Unmount ``path`` (lazily, so a straggler cannot keep it)."""
    subprocess.run(["umount", "-l", str(path)], capture_output=True)


def children(pid: int) -> list[int]:
    """Direct child processes of ``pid`` (from /proc)."""
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError):
                text = Path(f"/proc/{pid}/task/{task}/children").read_text()
                found += [int(x) for x in text.split()]
    return found


class WorkerSlot:
    """One supervised worker: `celery -A workers.app worker` argv from workers.app, restarted
    (like systemd would, after killing what is left of its process group) when it dies."""

    def __init__(self, index: int, env: dict[str, str], log: Path, concurrency: int) -> None:
        self.index = index
        self.env = env
        self.log = log
        self.concurrency = concurrency
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        from workers.app import worker_command

        self.starts += 1
        name = f"soak{self.index}-{self.starts}@localhost"
        argv = worker_command(QUEUES, self.concurrency, "-n", name, "--loglevel", "INFO")
        with self.log.open("ab") as log:
            log.write(f"\n==== soak: start {self.starts} of worker {self.index}: {name}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(
                argv,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None and self.proc.poll() is None else None

    def pool(self) -> list[int]:
        """Pool child processes of the running parent."""
        return children(self.pid) if self.pid else []

    def reap_group(self) -> None:
        """Kill whatever is left of the (dead) parent's process group."""
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)

    def stop(self) -> None:
        """Warm shutdown (SIGTERM to the group), SIGKILL after 20 s."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.reap_group()
                self.proc.wait()
        self.reap_group()


class Stack:
    """Everything the soak runs against; ``start()`` then ``close()``."""

    def __init__(
        self,
        run_dir: Path,
        *,
        workers: int,
        concurrency: int = 2,
        object_store: str = "s3",
        appendfsync: str = "everysec",
        overrides: dict[str, str] | None = None,
        pg_disk_mb: int = 320,
        objects_disk_mb: int = 256,
    ) -> None:
        self.run_dir = run_dir
        self.object_store = object_store
        self.overrides = overrides or {}
        self.redis = RedisServer(
            appendonly=True, appendfsync=appendfsync, directory=run_dir / "redis"
        )
        # Its own temp dir: PostgreSQL runs as `postgres`, which cannot traverse a private run
        # dir (pytest's tmp_path is 0700).
        self.pg_dir = Path(tempfile.mkdtemp(prefix="nianbao-soak-pg-"))
        self.pg_dir.chmod(0o755)
        self.pg_tmpfs = False
        self.pg_disk_mb = pg_disk_mb
        self.objects_dir = run_dir / "data" / "objects"
        self.objects_tmpfs = False
        self.objects_disk_mb = objects_disk_mb
        self.postgres: PostgresCluster | None = None
        self.s3 = S3Server()
        self.proxy: FaultProxy | None = None
        self.site = SoakSite()
        self.slots: list[WorkerSlot] = []
        self.n_workers = workers
        self.concurrency = concurrency
        self.restarts = 0
        self._supervising = False
        self._supervisor: threading.Thread | None = None
        self.env: dict[str, str] = {}

    # -- lifecycle

    def start(self, say: callable = print) -> None:  # type: ignore[valid-type]
        (self.run_dir / "workers").mkdir(parents=True, exist_ok=True)
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self.redis.start()
        say(f"redis    {self.redis.url}  appendonly yes, appendfsync {self.redis.appendfsync}")
        self.pg_tmpfs = mount_tmpfs(self.pg_dir, self.pg_disk_mb)
        self.postgres = PostgresCluster(base_dir=self.pg_dir, durable=True)
        self.postgres.start()
        self.postgres.create_database(DATABASE)
        where = f"tmpfs {self.pg_disk_mb} MiB" if self.pg_tmpfs else "no tmpfs: disk faults off"
        say(
            f"postgres {self.postgres.url(DATABASE)}  data on {self.pg_dir} ({where}; "
            "durable: fsync and synchronous_commit on, as PostgreSQL's defaults)"
        )
        self.s3.start()
        self.s3.create_bucket(BUCKET)
        self.proxy = FaultProxy(("127.0.0.1", self.s3.port)).start()
        say(f"s3       moto {self.s3.endpoint_url} behind proxy {self.proxy.url}")
        if self.object_store == "local":
            self.objects_tmpfs = mount_tmpfs(self.objects_dir, self.objects_disk_mb)
            say(f"objects  local {self.objects_dir} (tmpfs: {self.objects_tmpfs})")
        self.site.start()
        say(f"site     {self.site.listing_url}")
        self.env = self._worker_env()
        self._apply_here()
        for index in range(self.n_workers):
            slot = WorkerSlot(
                index, self.env, self.run_dir / "workers" / f"worker{index}.log", self.concurrency
            )
            slot.start()
            self.slots.append(slot)
        for slot in self.slots:
            wait_until(
                lambda slot=slot: (
                    b"ready." in slot.log.read_bytes() or slot.proc.poll() is not None
                ),
                timeout=90,
                message=f"worker {slot.index} did not start (see {slot.log})",
            )
            if slot.proc is not None and slot.proc.poll() is not None:
                raise RuntimeError(f"worker {slot.index} exited at start; see {slot.log}")
        say(f"workers  {self.n_workers} × -c {self.concurrency} on {QUEUES}; logs in workers/")
        self._supervising = True
        self._supervisor = threading.Thread(target=self._supervise, daemon=True)
        self._supervisor.start()

    def settings(self) -> dict[str, str]:
        """The NIANBAO_* variables the workers get."""
        assert self.postgres is not None and self.proxy is not None
        env = {
            "NIANBAO_BROKER_URL": self.redis.url,
            "NIANBAO_DATABASE_URL": self.postgres.url(DATABASE),
            "NIANBAO_DATA_DIR": str(self.run_dir / "data"),
        }
        if self.object_store == "s3":
            env |= {
                "NIANBAO_OBJECT_STORE": "s3",
                "NIANBAO_S3_BUCKET": BUCKET,
                "NIANBAO_S3_ENDPOINT_URL": self.proxy.url,
            }
        return env | {f"NIANBAO_{k.upper()}": v for k, v in self.overrides.items()}

    def _worker_env(self) -> dict[str, str]:
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("NIANBAO_", "AWS_"))}
        return (
            clean
            | self.settings()
            | {
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_DEFAULT_REGION": "us-east-1",
                "PYTHONPATH": str(ROOT),
                "PYTHONUNBUFFERED": "1",
            }
        )

    def _apply_here(self) -> None:
        """Point this process (the publisher) at the same servers."""
        from workers.app import reconfigure

        for key in [k for k in os.environ if k.startswith("NIANBAO_")]:
            del os.environ[key]
        os.environ.update({k: v for k, v in self.env.items() if k.startswith(("NIANBAO_", "AWS_"))})
        reconfigure()

    def _supervise(self) -> None:
        while self._supervising:
            for slot in self.slots:
                if self._supervising and slot.proc is not None and slot.proc.poll() is not None:
                    slot.reap_group()
                    time.sleep(0.5)
                    if self._supervising:
                        slot.start()
                        self.restarts += 1
            time.sleep(0.3)

    def stop_workers(self) -> None:
        """Stop supervising and stop every worker."""
        self._supervising = False
        if self._supervisor is not None:
            self._supervisor.join(timeout=5)
        for slot in self.slots:
            slot.stop()

    def close(self) -> None:
        """Stop everything; keep logs and the AOF in the run dir."""
        with contextlib.suppress(Exception):
            self.stop_workers()
        with contextlib.suppress(Exception):
            self.site.close()
        if self.proxy is not None:
            with contextlib.suppress(Exception):
                self.proxy.close()
        with contextlib.suppress(Exception):
            self.s3.close()
        if self.postgres is not None:
            with contextlib.suppress(Exception):
                log = self.postgres.log_path
                if log.exists():
                    shutil.copy(log, self.run_dir / "postgres.log")
            with contextlib.suppress(Exception):
                self.postgres.close()
        if self.pg_tmpfs:
            umount(self.pg_dir)
        shutil.rmtree(self.pg_dir, ignore_errors=True)
        if self.objects_tmpfs:
            umount(self.objects_dir)
        with contextlib.suppress(Exception):
            self.redis.close()

    # -- views

    def redis_client(self):
        return self.redis.client(socket_timeout=5, socket_connect_timeout=2)

    def aof_files(self) -> list[Path]:
        """The append-only files (Redis 7 keeps several in appendonlydir)."""
        base = self.redis.directory
        return sorted(p for p in base.rglob("*.aof*") if p.is_file())
