"""Shared fixtures: real Redis, PostgreSQL and S3 (moto server) on loopback, and settings."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

import workers.publishing  # noqa: F401  (tests publish as producers do: through the wired port)
from tests.services import PostgresCluster, RedisServer, S3Server, wait_until
from workers.app import worker_command

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = FIXTURES / "seeds"


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A Redis server for the whole session."""
    with RedisServer() as server:
        yield server


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """A throwaway PostgreSQL 15 cluster for the whole session."""
    with PostgresCluster() as cluster:
        yield cluster


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """moto in server mode, over HTTP on loopback."""
    with S3Server() as server:
        yield server


@pytest.fixture
def pg_url(postgres: PostgresCluster) -> Iterator[str]:
    """A fresh, empty database for one test."""
    if not postgres.is_running():
        postgres.start()
    name = f"t_{uuid.uuid4().hex[:10]}"
    postgres.create_database(name)
    yield postgres.url(name)
    if not postgres.is_running():
        postgres.start()
    postgres.drop_database(name)


def _clear_nianbao_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("NIANBAO_"):
            monkeypatch.delenv(key)


@pytest.fixture
def configure(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[object]:
    """Set NIANBAO_* variables for this process and re-read them: `configure(BROKER_URL=...)`."""
    from workers.app import reconfigure

    def apply(**env: str) -> dict[str, str]:
        _clear_nianbao_env(monkeypatch)
        full = {"DATA_DIR": str(tmp_path / "data"), **env}
        for key, value in full.items():
            monkeypatch.setenv(f"NIANBAO_{key}", value)
        reconfigure()
        return {f"NIANBAO_{k}": v for k, v in full.items()}

    yield apply
    monkeypatch.undo()
    reconfigure()


@pytest.fixture
def embedded(configure: object) -> dict[str, str]:
    """The embedded default: nothing configured but a temporary data directory."""
    return configure()  # type: ignore[operator]


class Worker:
    """A real `celery -A workers.app worker` process, killed at teardown."""

    def __init__(self, env: dict[str, str], log: Path, queues: str = "pages,store") -> None:
        self.log = log
        self.name = f"w{uuid.uuid4().hex[:6]}@localhost"
        clean = {k: v for k, v in os.environ.items() if not k.startswith("NIANBAO_")}
        self.proc = subprocess.Popen(
            worker_command(
                queues, 2, "-n", self.name, "--loglevel", "INFO", "-I", "tests.fault_tasks"
            ),
            cwd=ROOT,
            env={**clean, **env, "PYTHONPATH": str(ROOT)},
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until(
            lambda: "ready." in self.output() or self.proc.poll() is not None,
            timeout=60,
            message="worker did not start",
        )
        assert self.proc.poll() is None, self.output()

    def output(self) -> str:
        """Everything the worker logged so far."""
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        """Kill the worker and its pool processes."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        time.sleep(0.1)


@pytest.fixture
def distributed(
    configure: object, redis_server: RedisServer, pg_url: str, tmp_path: Path
) -> dict[str, str]:
    """Settings for Redis + PostgreSQL + local objects; this process sends to that broker."""
    redis_server.flushall()
    return configure(  # type: ignore[operator]
        BROKER_URL=redis_server.url,
        DATABASE_URL=pg_url,
        MAX_RETRIES="3",
        RETRY_BACKOFF_BASE="0.5",
        RETRY_BACKOFF_MAX="4",
    )


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[object]:
    """Start real worker processes with the given environment; all are stopped at teardown."""
    workers: list[Worker] = []

    def start(env: dict[str, str], queues: str = "pages,store") -> Worker:
        worker = Worker(env, tmp_path / f"worker{len(workers)}.log", queues)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def unsent_page(body: bytes, url: str, *, store_body: bool) -> object:
    """A FetchedPage for body, not enqueued; its raw object stored only if store_body."""
    import hashlib
    from datetime import UTC, datetime

    from nianbao import runtime
    from nianbao.storage.objects import put_raw, raw_key
    from schemas.messages import FetchedPage

    sha = hashlib.sha256(body).hexdigest()
    if store_body:
        put_raw(runtime.object_store(), body)
    return FetchedPage(
        url=url,
        final_url=url,
        site_id="test",
        fetched_at=datetime.now(UTC),
        http_status=200,
        content_type="text/plain",
        sha256=sha,
        size=len(body),
        body_ref=raw_key(sha),
    )
