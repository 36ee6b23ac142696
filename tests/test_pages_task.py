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
    assert "'quarantined: time_limit'" in worker.output()  # stored by the task that ran it
    (row,) = runtime.repository().list_quarantine()
    assert (row.stage, row.reason) == ("parse", "time_limit")


def test_workers_split_by_stage_hand_on_a_derived_task_id(distributed: dict, start_worker) -> None:
    from workers.tasks import process_page

    parser = start_worker(distributed, queues="pages")
    storer = start_worker(distributed, queues="store")
    body = next(SEEDS.glob("000_*.txt")).read_bytes()
    page = unsent_page(body, "https://example.gov.cn/nb/a.html", store_body=True)
    process_page.apply_async(args=[page.model_dump(mode="json")], task_id="page-1")
    wait_until(lambda: runtime.repository().counts()["sources"] == 1, timeout=60)
    assert "nianbao.pages.process[page-1] succeeded" in parser.output()
    assert "'parsed'" in parser.output()
    assert "nianbao.store.report[page-1:store] received" in storer.output()


def test_a_worker_on_both_queues_stores_in_the_parsing_task(
    distributed: dict, start_worker
) -> None:
    from producers.publish import publish
    from workers import publishing  # noqa: F401  (wires publish to the workers)
    from workers.ledger import LEDGER_KEY

    client = redis_client()
    assert client is not None
    worker = start_worker(distributed)  # pages and store
    body = next(SEEDS.glob("000_*.txt")).read_bytes()
    publish(body, url="https://example.gov.cn/nb/b.html", site_id="nb", content_type="text/html")
    assert client.hlen(LEDGER_KEY) == 1  # opened before it was sent
    wait_until(lambda: runtime.repository().counts()["sources"] == 1, timeout=60)
    wait_until(lambda: client.hlen(LEDGER_KEY) == 0, timeout=30, message="ledger not closed")
    assert "'new'" in worker.output()  # the pages task's own result: it stored the page
    assert "nianbao.store.report[" not in worker.output()  # no store task was sent


def test_store_inline_never_hands_on_even_on_both_queues(distributed: dict, start_worker) -> None:
    from workers.tasks import process_page

    worker = start_worker({**distributed, "NIANBAO_STORE_INLINE": "never"})
    body = next(SEEDS.glob("000_*.txt")).read_bytes()
    page = unsent_page(body, "https://example.gov.cn/nb/c.html", store_body=True)
    process_page.apply_async(args=[page.model_dump(mode="json")], task_id="page-3")
    wait_until(lambda: runtime.repository().counts()["sources"] == 1, timeout=60)
    assert "nianbao.store.report[page-3:store] received" in worker.output()
