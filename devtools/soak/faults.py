"""Real faults on a seeded schedule: processes killed, servers crashed or stopped, an endpoint
down or answering 5xx, disks full. Kills run beside the outages; outages never overlap."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from devtools.soak.stack import Stack

KILLS = ("kill_child", "kill_parent")
OUTAGES_S3 = ("redis_crash", "pg_stop", "pg_disk_full", "s3_down", "s3_5xx")
OUTAGES_LOCAL = ("redis_crash", "pg_stop", "pg_disk_full", "objects_full")
BALLAST = "ballast.soak"


@dataclass
class Fault:
    """One scheduled fault and, once injected, what happened."""

    kind: str
    at: float  # seconds after the schedule started
    duration: float = 0.0
    started: float | None = None  # seconds after the schedule started, when injected
    ended: float | None = None
    detail: str = ""
    notes: list[str] = field(default_factory=list)


def schedule(
    count: int, rng: random.Random, *, object_store: str, quick: bool, span: float
) -> list[Fault]:
    """``count`` faults: every kind once (if count allows), then more kills than outages.

    Outages are placed one after another with gaps; kills at random times over the whole span
    (at least ``span`` seconds, longer if the outages need it).
    """
    outage_kinds = OUTAGES_S3 if object_store == "s3" else OUTAGES_LOCAL
    kinds = list(KILLS + outage_kinds)
    rng.shuffle(kinds)
    picks = kinds[:count]
    while len(picks) < count:
        picks.append(rng.choice(KILLS) if rng.random() < 0.6 else rng.choice(outage_kinds))
    long_outage = 5.0 if quick else 30.0
    gap = (2.0, 5.0) if quick else (5.0, 15.0)
    outages, kills = [], []
    t = 3.0 if quick else 10.0
    for kind in picks:
        if kind in KILLS:
            kills.append(Fault(kind, 0.0))
            continue
        duration = (1.0 if quick else 3.0) if kind == "redis_crash" else long_outage
        outages.append(Fault(kind, t, duration))
        t += duration + rng.uniform(*gap)
    span = max(span, t)
    for fault in kills:
        fault.at = rng.uniform(1.0, span)
    return sorted(outages + kills, key=lambda f: f.at)


class Injector:
    """Runs a schedule against a stack in two threads (kills; outages) and records it."""

    def __init__(self, stack: Stack, faults: list[Fault], rng: random.Random) -> None:
        self.stack = stack
        self.faults = faults
        self.rng = rng
        self.t0 = 0.0
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()

    def now(self) -> float:
        return time.monotonic() - self.t0

    def start(self) -> None:
        self.t0 = time.monotonic()
        for group in (
            [f for f in self.faults if f.kind in KILLS],
            [f for f in self.faults if f.kind not in KILLS],
        ):
            thread = threading.Thread(target=self._run, args=(group,), daemon=True)
            thread.start()
            self._threads.append(thread)

    @property
    def done(self) -> bool:
        return all(not t.is_alive() for t in self._threads)

    def join(self) -> None:
        for thread in self._threads:
            thread.join()

    def _run(self, faults: list[Fault]) -> None:
        for fault in faults:
            while self.now() < fault.at and not self._stop.is_set():
                time.sleep(0.1)
            fault.started = self.now()
            try:
                getattr(self, fault.kind)(fault)
            except Exception as exc:  # a fault that could not be injected is reported, not fatal
                fault.notes.append(f"injection failed: {type(exc).__name__}: {exc}")
            fault.ended = self.now()

    def _sleep(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            time.sleep(0.1)

    # -- kills

    def kill_child(self, fault: Fault) -> None:
        """kill -9 one pool child of a random running worker (the parent requeues its task)."""
        candidates = [(slot, pid) for slot in self.stack.slots for pid in slot.pool()]
        if not candidates:
            fault.detail = "no pool child running"
            return
        slot, pid = self.rng.choice(candidates)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        fault.detail = f"kill -9 {pid} (pool child of worker {slot.index})"

    def kill_parent(self, fault: Fault) -> None:
        """kill -9 a worker's main process; the supervisor kills its orphans and restarts it."""
        running = [slot for slot in self.stack.slots if slot.pid]
        if not running:
            fault.detail = "no worker running"
            return
        slot = self.rng.choice(running)
        pid = slot.pid
        assert pid is not None
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        fault.detail = f"kill -9 {pid} (main process of worker {slot.index}; restarted)"

    # -- outages

    def redis_crash(self, fault: Fault) -> None:
        """kill -9 redis-server, restart it on the same port with the same AOF dir."""
        pid = self.stack.redis.pid
        self.stack.redis.kill()
        self._sleep(fault.duration)
        self.stack.redis.start()
        fault.detail = f"kill -9 redis-server {pid}; down {fault.duration:g}s; restarted from AOF"

    def pg_stop(self, fault: Fault) -> None:
        """pg_ctl stop -m fast|immediate, wait, start."""
        assert self.stack.postgres is not None
        mode = self.rng.choice(("fast", "immediate"))
        self.stack.postgres.stop(mode=mode)
        self._sleep(fault.duration)
        self.stack.postgres.start()
        fault.detail = f"pg_ctl stop -m {mode}; down {fault.duration:g}s; pg_ctl start"

    def s3_down(self, fault: Fault) -> None:
        """The S3 endpoint refuses connections for the duration."""
        assert self.stack.proxy is not None
        self.stack.proxy.set_mode("closed")
        self._sleep(fault.duration)
        self.stack.proxy.set_mode("pass")
        fault.detail = f"S3 endpoint closed (connection refused) for {fault.duration:g}s"

    def s3_5xx(self, fault: Fault) -> None:
        """The S3 endpoint answers 503 to every request for the duration."""
        assert self.stack.proxy is not None
        before = self.stack.proxy.requests["503"]
        self.stack.proxy.set_mode("503")
        self._sleep(fault.duration)
        self.stack.proxy.set_mode("pass")
        answered = self.stack.proxy.requests["503"] - before
        fault.detail = f"S3 answers 503 for {fault.duration:g}s ({answered} request(s) refused)"

    def pg_disk_full(self, fault: Fault) -> None:
        """Fill PostgreSQL's tmpfs with a ballast file, hold, remove; start PG if it died."""
        if not self.stack.pg_tmpfs:
            fault.detail = "skipped: no tmpfs for PostgreSQL's data dir"
            return
        size = _fill(self.stack.pg_dir / BALLAST)
        self._sleep(fault.duration)
        (self.stack.pg_dir / BALLAST).unlink(missing_ok=True)
        fault.detail = f"PostgreSQL's disk full ({size >> 20} MiB ballast) for {fault.duration:g}s"
        assert self.stack.postgres is not None
        if not self.stack.postgres.is_running():
            fault.notes.append("postgres had stopped under the full disk; started again")
            self.stack.postgres.start()

    def objects_full(self, fault: Fault) -> None:
        """Fill the local object store's tmpfs, hold, remove."""
        if not self.stack.objects_tmpfs:
            fault.detail = "skipped: no tmpfs for the local object store"
            return
        size = _fill(self.stack.objects_dir / BALLAST)
        self._sleep(fault.duration)
        (self.stack.objects_dir / BALLAST).unlink(missing_ok=True)
        fault.detail = (
            f"object store's disk full ({size >> 20} MiB ballast) for {fault.duration:g}s"
        )


def _fill(path: Path) -> int:
    """Write a file taking every free byte of its file system; returns its size."""
    written = 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        stat = os.statvfs(path.parent)
        free = stat.f_bavail * stat.f_frsize
        with contextlib.suppress(OSError):
            if free > 0:
                os.posix_fallocate(fd, 0, free)
                written = free
        os.lseek(fd, written, os.SEEK_SET)
        for size in (1 << 20, 4096, 1):  # whatever fallocate left (tmpfs rounds to pages)
            with contextlib.suppress(OSError):
                while True:
                    written += os.write(fd, b"\0" * size)
    finally:
        os.close(fd)
    return written
