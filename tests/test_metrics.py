"""Worker and queue metrics scraped over HTTP from real processes on Redis and PostgreSQL.

A `nianbao worker --metrics-port` runs a known workload and its scrape must say exactly what
happened; `nianbao exporter` must count what waits in Redis (every priority list) and what a
running worker holds in kombu's unacked hash, read under the key names a real worker uses.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

import workers.queue_metrics  # noqa: F401  (this process stamps what it sends, as producers do)
from tests.conftest import ROOT, SEEDS, unsent_page
from tests.services import wait_until
from workers.ledger import PRIORITY_SEP, UNACKED_KEY
from workers.reliability import redis_client

pytestmark = pytest.mark.services

NOT_A_REPORT = (
    "<html><head><title>通知</title></head><body><p>关于举办培训班的通知</p></body></html>"
)
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def scrape(port: int) -> Samples:
    """Every sample of a /metrics page, keyed by name and label set."""
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """One sample's value; 0 when the series does not exist (nothing counted yet)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def series(samples: Samples, name: str) -> dict[frozenset[tuple[str, str]], float]:
    return {labels: v for (n, labels), v in samples.items() if n == name}


class Nianbao:
    """A `nianbao ...` command running in its own process group, stopped at teardown."""

    def __init__(self, argv: list[str], env: dict[str, str], log: Path) -> None:
        clean = {k: v for k, v in os.environ.items() if not k.startswith("NIANBAO_")}
        self.log = log
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "nianbao.cli", *argv],
            cwd=ROOT,
            env={**clean, **env, "PYTHONPATH": str(ROOT)},
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_for(self, text: str) -> None:
        wait_until(
            lambda: text in self.output() or self.proc.poll() is not None,
            timeout=60,
            message=f"never printed {text!r}",
        )
        assert self.proc.poll() is None, self.output()

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


@pytest.fixture
def run_nianbao(tmp_path: Path) -> Iterator[object]:
    started: list[Nianbao] = []

    def run(argv: list[str], env: dict[str, str]) -> Nianbao:
        command = Nianbao(argv, env, tmp_path / f"nianbao{len(started)}.log")
        started.append(command)
        return command

    yield run
    for command in started:
        command.stop()


def send_page(body: bytes, url: str, *, store_body: bool = True, **options: object) -> None:
    from workers.tasks import process_page

    page = unsent_page(body, url, store_body=store_body)
    process_page.apply_async(args=[page.model_dump(mode="json")], **options)


def test_worker_scrape_after_a_known_workload(distributed: dict, run_nianbao) -> None:
    """20 pages: 17 reports (5 seeds, 12 copies), 2 not reports, 1 whose body is missing."""
    port = free_port()
    worker = run_nianbao(
        ["worker", "--queues", "pages,store", "--metrics-port", str(port)], distributed
    )
    worker.wait_for("ready.")
    seeds = sorted(SEEDS.glob("*.txt"))
    for index in range(17):
        send_page(seeds[index % 5].read_bytes(), f"https://example.gov.cn/nb/{index}.html")
    for index in range(2):
        send_page(NOT_A_REPORT.encode(), f"https://example.gov.cn/notice/{index}.html")
    send_page(b"never stored", "https://example.gov.cn/lost.html", store_body=False)
    process = {"task": "nianbao.pages.process", "queue": "pages"}

    def done() -> bool:
        samples = scrape(port)
        finished = value(samples, "nianbao_tasks_succeeded_total", **process) + value(
            samples, "nianbao_tasks_dead_lettered_total", **process
        )
        return finished == 20

    wait_until(done, timeout=120, message=worker.output()[-3000:])
    samples = scrape(port)
    assert value(samples, "nianbao_tasks_succeeded_total", **process) == 19
    assert value(samples, "nianbao_tasks_dead_lettered_total", **process) == 1
    assert value(samples, "nianbao_tasks_retried_total", **process) == 3  # MAX_RETRIES=3
    assert value(samples, "nianbao_tasks_received_total", **process) == 23  # 20 + 3 retries
    assert value(samples, "nianbao_tasks_failed_total", **process) == 0
    assert value(samples, "nianbao_task_duration_seconds_count", **process) == 23
    assert value(samples, "nianbao_tasks_active", **process) == 0
    assert series(samples, "nianbao_dedup_decisions_total") == {
        frozenset({("decision", "new")}): 5,
        frozenset({("decision", "exact_duplicate")}): 12,
    }
    assert series(samples, "nianbao_quarantined_total") == {
        frozenset({("reason", "not_a_report"), ("stage", "validate")}): 2  # stored inline
    }
    errors = series(samples, "nianbao_task_errors_total")
    assert errors == {
        frozenset({**process, "family": "object_store", "exception": "ObjectNotFound"}.items()): 3
    }
    # The queue collector reads the same outcomes from the database.
    exporter_port = free_port()
    exporter = run_nianbao(["exporter", "--port", str(exporter_port)], distributed)
    exporter.wait_for("queue metrics on")
    queues = scrape(exporter_port)
    assert value(queues, "nianbao_dead_letters_pending", task="nianbao.pages.process") == 1
    assert series(queues, "nianbao_quarantine_pages") == {
        frozenset({("reason", "not_a_report"), ("stage", "validate")}): 2
    }
    assert value(queues, "nianbao_queue_backlog", queue="pages") == 0
    assert value(queues, "nianbao_site_latest_report_year", site="test") > 2000
    assert value(queues, "nianbao_site_last_new_report_timestamp_seconds", site="test") > 0
    for text in (
        worker.output(),
        exporter.output(),
        httpx.get(f"http://127.0.0.1:{port}/metrics").text,
    ):
        assert distributed["NIANBAO_DATABASE_URL"] not in text


def test_exporter_counts_what_waits_at_every_priority(distributed: dict, run_nianbao) -> None:
    from workers.app import app

    client = redis_client()
    assert client is not None
    body = next(SEEDS.glob("000_*.txt")).read_bytes()
    for index in range(3):
        send_page(body, f"https://example.gov.cn/w/{index}.html")
    for index in range(2):
        send_page(body, f"https://example.gov.cn/p/{index}.html", priority=6)
    for _ in range(4):
        app.send_task("nianbao.store.archive", time_limit=None, soft_time_limit=None)
    # the key names the collector reads are the ones kombu wrote
    assert client.llen("pages") == 3
    assert client.llen(f"pages{PRIORITY_SEP}6") == 2
    assert client.llen("store") == 4
    time.sleep(1.1)  # so the oldest message is measurably old
    port = free_port()
    exporter = run_nianbao(["exporter", "--port", str(port)], distributed)
    exporter.wait_for("queue metrics on")
    samples = scrape(port)
    for queue, expected in {"pages": 5, "store": 4, "crawl": 0}.items():
        assert value(samples, "nianbao_queue_waiting", queue=queue) == expected
        assert value(samples, "nianbao_queue_unacked", queue=queue) == 0
        assert value(samples, "nianbao_queue_backlog", queue=queue) == expected
    assert value(samples, "nianbao_queue_oldest_age_seconds", queue="pages") >= 1
    assert value(samples, "nianbao_queue_oldest_age_seconds", queue="crawl") == 0
    assert value(samples, "nianbao_ledger_open_pages") == 0  # sent directly, not published
    assert value(samples, "nianbao_exporter_source_up", source="redis") == 1
    assert value(samples, "nianbao_exporter_source_up", source="database") == 1
    from workers.queue_metrics import FAMILIES

    assert {name for name, _ in samples if not name.startswith("nianbao_crawl_")} <= set(FAMILIES)


def test_messages_a_worker_holds_are_counted_unacked(
    distributed: dict, start_worker, run_nianbao
) -> None:
    from workers.app import app

    client = redis_client()
    assert client is not None
    # two pool processes, prefetch 1: the worker holds two hanging tasks, the third waits
    start_worker({**distributed, "NIANBAO_TASK_TIME_LIMIT": "600"}, queues="pages")
    for index in range(3):
        app.send_task("nianbao.pages.test_hang", args=[f"m{index}"], time_limit=None)
    wait_until(lambda: client.hlen(UNACKED_KEY) == 2, timeout=60, message="never held two")
    assert client.llen("pages") == 1
    assert client.zcard(f"{UNACKED_KEY}_index") == 2  # kombu's delivery times, same naming
    port = free_port()
    exporter = run_nianbao(["exporter", "--port", str(port)], distributed)
    exporter.wait_for("queue metrics on")
    samples = scrape(port)
    assert value(samples, "nianbao_queue_waiting", queue="pages") == 1
    assert value(samples, "nianbao_queue_unacked", queue="pages") == 2
    assert value(samples, "nianbao_queue_backlog", queue="pages") == 3
    assert value(samples, "nianbao_queue_backlog", queue="store") == 0


def test_a_taken_metrics_port_is_one_line(distributed: dict) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        clean = {k: v for k, v in os.environ.items() if not k.startswith("NIANBAO_")}
        result = subprocess.run(
            [sys.executable, "-m", "nianbao.cli", "exporter", "--port", str(port)],
            cwd=ROOT,
            env={**clean, **distributed},
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"cannot serve metrics on port {port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_monitor_serves_the_queues_beside_the_crawl_counters(
    distributed: dict, run_nianbao
) -> None:
    """The monitor's endpoint counts the crawl messages it sent itself (stamped with their age)."""
    from producers.sites import load_sites

    sites_file = ROOT / "deploy" / "sites.example.toml"
    sites = len(load_sites(sites_file).sites)
    client = redis_client()
    assert client is not None
    port = free_port()
    monitor = run_nianbao(
        ["monitor", "--sites", str(sites_file), "--metrics-port", str(port)], distributed
    )
    monitor.wait_for(f"sent {sites} due site(s)")
    samples = scrape(port)
    assert value(samples, "nianbao_queue_waiting", queue="crawl") == client.llen("crawl") == sites
    assert value(samples, "nianbao_queue_backlog", queue="crawl") == sites
    assert ("nianbao_queue_oldest_age_seconds", frozenset({("queue", "crawl")})) in samples
