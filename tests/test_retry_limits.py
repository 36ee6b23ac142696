"""Every documented retry setting keeps its promise on a real worker: retried, then kept.

Celery's own Task.max_retries (3) once overrode NIANBAO_MAX_RETRIES: the fourth retry re-raised,
the message was acknowledged and the page existed nowhere. These run real workers with limits
below, at and above Celery's default.
"""

from __future__ import annotations

import pytest

from nianbao import runtime
from producers.ingest import ingest_file
from tests.conftest import SEEDS, unsent_page
from tests.services import PostgresCluster, wait_until

pytestmark = pytest.mark.services

FAST_BACKOFF = {"NIANBAO_RETRY_BACKOFF_BASE": "0.1", "NIANBAO_RETRY_BACKOFF_MAX": "0.4"}


def counts() -> dict[str, int]:
    return runtime.repository().counts()


@pytest.mark.parametrize("max_retries", [0, 2, 3, 4, 7])
def test_a_failing_task_is_retried_max_retries_times_then_dead_lettered(
    distributed: dict, start_worker, max_retries: int
) -> None:
    env = {**distributed, **FAST_BACKOFF, "NIANBAO_MAX_RETRIES": str(max_retries)}
    worker = start_worker(env)
    from workers.tasks import process_page

    runtime.repository()
    body = next(SEEDS.glob("002_*.txt")).read_bytes()
    page = unsent_page(body, "https://example.gov.cn/nb/2018.html", store_body=False)
    process_page.apply_async(args=[page.model_dump(mode="json")], task_id=f"fails-{max_retries}")
    wait_until(lambda: counts()["dead_letters"] == 1, timeout=60, message=worker.output()[-3000:])
    letter = runtime.repository().list_dead_letters()[0]
    assert letter.attempts == max_retries + 1
    assert "ObjectNotFound" in letter.error
    log = worker.output()
    assert log.count(f"/{max_retries} in ") == max_retries  # "retry n/N in …s", n = 1..N
    assert "raised unexpected" not in log


def test_default_retries_outlast_a_database_outage_longer_than_celerys_default(
    configure, redis_server, pg_url: str, start_worker, postgres: PostgresCluster
) -> None:
    """The operator's case: default NIANBAO_MAX_RETRIES (5), PostgreSQL down past retry 4."""
    redis_server.flushall()
    env = configure(  # type: ignore[operator]
        BROKER_URL=redis_server.url,
        DATABASE_URL=pg_url,
        RETRY_BACKOFF_BASE="0.5",
        RETRY_BACKOFF_MAX="2",
    )
    worker = start_worker(env)
    runtime.repository()  # schema in place before the fault
    postgres.stop()
    try:
        ingest_file(next(SEEDS.glob("001_*.txt")))
        wait_until(
            lambda: "retry 4/5" in worker.output(), timeout=60, message=worker.output()[-3000:]
        )
    finally:
        postgres.start()
    runtime.reset()
    wait_until(lambda: counts()["sources"] == 1, timeout=60, message=worker.output()[-3000:])
    assert counts() == {"reports": 1, "sources": 1, "quarantined": 0, "dead_letters": 0}


def test_a_run_killed_by_the_hard_time_limit_is_requeued_then_dead_lettered(
    distributed: dict, start_worker
) -> None:
    worker = start_worker({**distributed, "NIANBAO_TASK_TIME_LIMIT": "5"})
    from tests.fault_tasks import hang

    runtime.repository()
    hang.apply_async(args=["forever"], task_id="hangs-1")
    wait_until(lambda: counts()["dead_letters"] == 1, timeout=90, message=worker.output()[-4000:])
    letter = runtime.repository().list_dead_letters()[0]
    assert letter.task_id == "hangs-1"
    assert letter.error.startswith("TimeLimitExceeded: 3 of 3 runs")
    assert worker.output().count("hit the hard time limit; requeued") == 3


def test_a_task_with_a_time_limit_outcome_gives_up_after_one_kill(
    distributed: dict, start_worker, redis_server
) -> None:
    worker = start_worker({**distributed, "NIANBAO_TASK_TIME_LIMIT": "5"})
    from tests.fault_tasks import hang_then_give_up

    runtime.repository()
    hang_then_give_up.apply_async(args=["once"], task_id="gives-up-1")
    client = redis_server.client()
    wait_until(
        lambda: client.get("nianbao:test:gave-up:once") is not None,
        timeout=60,
        message=worker.output()[-4000:],
    )
    assert worker.output().count("hit the hard time limit; requeued") == 1
    assert counts()["dead_letters"] == 0
