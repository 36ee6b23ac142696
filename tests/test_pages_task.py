"""The pages task's outcomes on a real worker: bounds hit become quarantine, stages chain by id."""

from __future__ import annotations

import pytest

from nianbao import runtime
from tests.conftest import SEEDS, unsent_page
from tests.services import wait_until
from workers.reliability import redis_client

pytestmark = pytest.mark.services


def test_a_page_whose_run_hit_the_hard_time_limit_is_quarantined(
    distributed: dict, start_worker
) -> None:
    from workers.tasks import process_page

    client = redis_client()
    assert client is not None
    body = next(SEEDS.glob("003_*.txt")).read_bytes()
    page = unsent_page(body, "https://example.gov.cn/nb/slow.html", store_body=True)
    # What Redis holds after the hard limit killed the first run: one delivery, one time-out.
    client.set("nianbao:deliveries:slow-1:0", 1)
    client.set("nianbao:timed-out:slow-1", 1)
    worker = start_worker(distributed)
    process_page.apply_async(args=[page.model_dump(mode="json")], task_id="slow-1")
    wait_until(
        lambda: runtime.repository().counts()["quarantined"] == 1,
        timeout=60,
        message=worker.output()[-3000:],
    )
    assert runtime.repository().counts()["reports"] == 0
    assert "nianbao.store.rejection[slow-1:store]" in worker.output()
    (row,) = runtime.repository().list_quarantine()
    assert (row.stage, row.reason) == ("parse", "time_limit")


def test_each_stage_hands_on_a_derived_task_id(distributed: dict, start_worker) -> None:
    from workers.tasks import process_page

    worker = start_worker(distributed)
    body = next(SEEDS.glob("000_*.txt")).read_bytes()
    page = unsent_page(body, "https://example.gov.cn/nb/a.html", store_body=True)
    process_page.apply_async(args=[page.model_dump(mode="json")], task_id="page-1")
    wait_until(lambda: runtime.repository().counts()["sources"] == 1, timeout=60)
    assert "nianbao.store.report[page-1:store] received" in worker.output()
