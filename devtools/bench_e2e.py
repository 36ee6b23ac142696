"""`nianbao bench` end to end: pages/s through Redis, real worker processes and PostgreSQL.

The queue's own cost is the yardstick: a no-op task (a ReliableTask that only counts itself) is
run on the same broker and workers in the same run, and the figure to compare between machines
and commits is pages/s ÷ no-op tasks/s.

Each run sends every message first, then starts the workers, and times the steady state (from
the 5th percent of the work done to the last), so neither the sender nor the workers' start-up
is counted. CPU time is read per process from /proc (worker main process, its children, Redis,
PostgreSQL), so the per-page cost of each part is known even on a busy machine.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from devtools.services import wait_until

ROOT = Path(__file__).resolve().parents[1]
_CONTAINER = re.compile(r'(<div[^>]+id="(?:zoom|ivs_content)"[^>]*>)')
_START_FRACTION = 0.05  # work done before the clock starts (workers warm, caches loaded)
_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    """One timed run: its steady rate, and CPU ms per item of each kind of process."""

    kind: str
    items: int
    workers: int
    per_s: float
    cpu_ms: dict[str, float] = field(default_factory=dict)  # per item, by process kind
    peak_rss_mb: dict[str, float] = field(default_factory=dict)  # worker processes


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a live process (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _children(pid: int) -> list[int]:
    """Direct children of a process."""
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(child) for child in found]


def _peak_rss_mb(pid: int) -> float:
    """The process's peak resident set (VmHWM), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class Processes:
    """The processes whose CPU a run accounts for, by kind."""

    def __init__(self, worker: int, redis_pid: int | None, postgres_pid: int | None) -> None:
        self.worker, self.redis_pid, self.postgres_pid = worker, redis_pid, postgres_pid

    def by_kind(self) -> dict[str, list[int]]:
        """pids of the worker main process, its pool children, Redis and PostgreSQL."""
        kinds = {"worker main": [self.worker], "worker children": _children(self.worker)}
        if self.redis_pid:
            kinds["redis"] = [self.redis_pid]
        if self.postgres_pid:
            kinds["postgres"] = [self.postgres_pid, *_children(self.postgres_pid)]
        return kinds

    def cpu(self) -> dict[tuple[str, int], float]:
        """CPU seconds so far of each (kind, pid)."""
        return {(k, pid): _cpu_seconds(pid) for k, pids in self.by_kind().items() for pid in pids}


@dataclass
class Stack:
    """Redis and the database the runs share; the environment that points workers at them."""

    env: dict[str, str]
    redis_pid: int | None
    postgres_pid: int | None
    database: str


@contextmanager
def stack(tmp: Path) -> Iterator[Stack]:
    """A throwaway Redis, and PostgreSQL when its binaries are here (else SQLite), on loopback.

    PostgreSQL keeps its production defaults (fsync, synchronous commit): a store is timed as a
    deployment would pay for it.
    """
    from devtools.services import PostgresCluster, RedisServer
    from devtools.services.postgres import find_pg_bin

    redis = RedisServer(directory=tmp / "redis")
    redis.start()
    postgres = None
    env = {"NIANBAO_BROKER_URL": redis.url, "NIANBAO_DATA_DIR": str(tmp / "data")}
    try:
        bin_dir = find_pg_bin()
        if (bin_dir / "initdb").exists():
            postgres = PostgresCluster(durable=True)
            postgres.start()
            env["NIANBAO_DATABASE_URL"] = postgres.url()
        pg_pid = (
            int((postgres.data_dir / "postmaster.pid").read_text().split()[0]) if postgres else None
        )
        yield Stack(env, redis.pid, pg_pid, "postgresql" if postgres else "sqlite")
    finally:
        if postgres is not None:
            postgres.close()
        redis.close()


@contextmanager
def environment(env: dict[str, str]) -> Iterator[None]:
    """Point this process's settings and adapters at env; restore the old ones after."""
    from workers.app import reconfigure

    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    reconfigure()
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        reconfigure()


def fresh_database(tmp: Path, base: Stack, name: str) -> dict[str, str]:
    """The stack's environment with a database of its own for one run (migrated, empty)."""
    from nianbao import runtime

    env = dict(base.env)
    if base.database == "postgresql":
        from sqlalchemy import create_engine, text

        admin = create_engine(env["NIANBAO_DATABASE_URL"], isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        env["NIANBAO_DATABASE_URL"] = env["NIANBAO_DATABASE_URL"].rsplit("/", 1)[0] + "/" + name
    else:
        env["NIANBAO_DATA_DIR"] = str(tmp / name)
    with environment(env):
        runtime.repository()  # migrated before a worker starts
    return env


def bench_bodies() -> list[bytes]:
    """The pages sent end to end: the bench page set (seeds and the HTML-ised dev set)."""
    from devtools.bench_pages import bench_pages

    return [body for _, body in bench_pages()]


def _send_pages(count: int, bodies: list[bytes]) -> None:
    """Publish count distinct pages (a marker in each one's main text, so none is a copy)."""
    from producers.publish import publish
    from workers import publishing  # noqa: F401  (wires publishing to the worker system)

    stamp = time.time_ns()
    texts = [body.decode("utf-8", "replace") for body in bodies]
    for i in range(count):
        text = texts[i % len(texts)]
        marked, found = _CONTAINER.subn(rf"\1<p>bench {stamp} {i}</p>", text, count=1)
        if not found:
            marked = text.replace("</body>", f"<p>bench {stamp} {i}</p></body>", 1)
        publish(
            marked.encode("utf-8"),
            url=f"https://bench.gov.cn/{stamp}/{i}.html",
            site_id="bench",
            content_type="text/html",
        )


@contextmanager
def _pages_to_parse_only() -> Iterator[None]:
    """Publish pages to the parse-only probe instead of the pages stage (and its ledger)."""
    from producers import publish as publishing
    from schemas.tasks import PROCESS_PAGE
    from workers import publishing as wired  # noqa: F401  (wires publishing to the workers)
    from workers.probe import parse_only

    port = publishing.port()

    def send(name: str, message: dict[str, object]) -> None:
        if name == PROCESS_PAGE:
            parse_only.apply_async(args=[message])
        else:
            port.send(name, message)

    publishing.wire(port.store, send)
    try:
        yield
    finally:
        publishing.wire(port.store, port.send)


def _send_noops(count: int, counter: str) -> None:
    from workers.probe import noop

    for _ in range(count):
        noop.delay(counter)


def timed_run(
    base: Stack, tmp: Path, kind: str, count: int, workers: int, bodies: list[bytes]
) -> Run:
    """Send count items (pages or no-ops), start the workers, and time the steady state."""
    from nianbao import runtime
    from workers.app import worker_command
    from workers.reliability import redis_client

    env = fresh_database(tmp, base, f"{kind}_{workers}_{time.time_ns()}")
    with environment(env):
        client = redis_client()
        assert client is not None
        client.flushdb()
        counter = "nianbao:bench:done"
        if kind == "noop":
            _send_noops(count, counter)

            def done() -> int:
                return int(client.get(counter) or 0)
        elif kind == "parse_only":
            from workers.probe import PARSED_COUNTER

            with _pages_to_parse_only():
                _send_pages(count, bodies)

            def done() -> int:
                return int(client.get(PARSED_COUNTER) or 0)
        else:
            _send_pages(count, bodies)
            repo = runtime.repository()

            def done() -> int:
                counts = repo.counts()
                return counts["sources"] + counts["quarantined"]

        log = tmp / f"worker-{kind}-{workers}.log"
        worker = subprocess.Popen(
            worker_command("pages,store", workers, "--loglevel", "WARNING"),
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        processes = Processes(worker.pid, base.redis_pid, base.postgres_pid)
        try:
            started = f"{kind} did not start"
            wait_until(lambda: done() >= count * _START_FRACTION, 300, 0.02, started)
            start, first = time.perf_counter(), done()
            before = processes.cpu()
            wait_until(lambda: done() >= count, 900, 0.02, f"{kind} did not finish")
            elapsed = time.perf_counter() - start
            after = processes.cpu()
            peaks = {f"child {i}": _peak_rss_mb(pid) for i, pid in enumerate(_children(worker.pid))}
            peaks["main"] = _peak_rss_mb(worker.pid)
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.kill()
        if worker.returncode not in (0, -15):
            sys.stderr.write(log.read_text(errors="replace")[-2000:])
    items = count - first
    cpu: dict[str, float] = {}
    for (process_kind, pid), seconds in after.items():
        used = seconds - before.get((process_kind, pid), 0.0)
        cpu[process_kind] = cpu.get(process_kind, 0.0) + used * 1000 / items
    return Run(kind, items, workers, items / elapsed, cpu, peaks)


def end_to_end(
    pages: int, workers: int, *, scale: bool = True, on_step: Callable[[str], None] | None = None
) -> dict[str, object]:
    """No-op tasks/s and pages/s with `workers` processes, and pages/s with one (the scaling)."""
    tmp = Path(tempfile.mkdtemp(prefix="nianbao-bench-"))
    bodies = bench_bodies()
    runs: list[Run] = []
    try:
        with stack(tmp) as base:
            plan = [
                ("noop", pages * 4, workers),
                ("pages", pages, workers),
                ("parse_only", pages, workers),
            ]
            if scale and workers != 1:
                plan.append(("pages", pages, 1))
            for kind, count, procs in plan:
                if on_step:
                    on_step(f"{kind}: {count} with {procs} worker process(es)")
                runs.append(timed_run(base, tmp, kind, count, procs, bodies))
            database = base.database
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    noop, paged, parsed = runs[0], runs[1], runs[2]
    result: dict[str, object] = {
        "database": database,
        "workers": workers,
        "e2e_pages_per_s": round(paged.per_s, 2),
        "noop_tasks_per_s": round(noop.per_s, 2),
        "e2e_ratio": round(paged.per_s / noop.per_s, 4),
        "e2e_ms_per_page": round(1000 / paged.per_s, 3),
        # the pages stage alone (no store): the most any store design could reach here
        "parse_only_pages_per_s": round(parsed.per_s, 2),
        "parse_only_ratio": round(parsed.per_s / noop.per_s, 4),
        "store_share_of_page": round(1 - paged.per_s / parsed.per_s, 4),
        "cpu_ms_per_page": {k: round(v, 3) for k, v in paged.cpu_ms.items()},
        "cpu_ms_per_parse_only": {k: round(v, 3) for k, v in parsed.cpu_ms.items()},
        "cpu_ms_per_noop": {k: round(v, 3) for k, v in noop.cpu_ms.items()},
        "peak_rss_mb": {k: round(v, 1) for k, v in paged.peak_rss_mb.items()},
    }
    if len(runs) > 3:
        result["pages_per_s_1_worker"] = round(runs[3].per_s, 2)
        result["scale_2_vs_1"] = round(paged.per_s / runs[3].per_s, 3)
    return result
