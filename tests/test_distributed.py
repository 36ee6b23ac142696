"""The distributed setup on real components: Redis broker, PostgreSQL, real worker processes.

Faults are real: PostgreSQL is stopped under a running store task, a page's body disappears from
the object store, a task kills the worker process running it.
"""

from __future__ import annotations

import time

import pytest
from typer.testing import CliRunner

from nianbao import runtime
from nianbao.cli import app as cli
from producers.ingest import discover, ingest_file
from tests.conftest import SEEDS, unsent_page
from tests.services import PostgresCluster, wait_until

pytestmark = pytest.mark.services
runner = CliRunner()


def counts() -> dict[str, int]:
    return runtime.repository().counts()


def test_pages_flow_through_redis_to_postgres(distributed: dict, start_worker, tmp_path) -> None:
    start_worker(distributed)
    files = list(discover([SEEDS]))
    for path in files:
        ingest_file(path)
    copy = tmp_path / "republished.txt"  # the same report again, other URL, other spacing
    copy.write_text(files[3].read_text().replace("\n", "\n\n"), encoding="utf-8")
    ingest_file(copy)
    wait_until(lambda: counts()["sources"] == 6, timeout=60, message=f"stored: {counts()}")
    assert counts() == {"reports": 5, "sources": 6, "quarantined": 0, "dead_letters": 0}
    assert runtime.repository().engine.dialect.name == "postgresql"
    decisions = sorted(s.decision for r in runtime.repository().iter_reports() for s in r.sources)
    assert decisions == ["exact_duplicate"] + ["new"] * 5
    status = runner.invoke(cli, ["status"])
    assert status.exit_code == 0 and "pages" in status.output and "store" in status.output


def test_redelivered_message_stores_nothing_twice(distributed: dict, start_worker) -> None:
    worker = start_worker(distributed)
    from workers.tasks import process_page

    body = next(SEEDS.glob("004_*.txt")).read_bytes()
    page = unsent_page(body, "https://yjt.sc.gov.cn/nb/2019.html", store_body=True)
    message = page.model_dump(mode="json")
    for _ in range(3):  # what Redis does after a visibility timeout: the same message again
        process_page.apply_async(args=[message], task_id="delivered-thrice")
    wait_until(
        lambda: worker.output().count("'redelivery'") == 2,
        timeout=60,
        message=worker.output()[-3000:],
    )
    assert worker.output().count("'new'") == 1
    assert counts() == {"reports": 1, "sources": 1, "quarantined": 0, "dead_letters": 0}


def test_store_retries_while_postgres_is_down_and_lands_once(
    distributed: dict, start_worker, postgres: PostgresCluster
) -> None:
    worker = start_worker({**distributed, "NIANBAO_MAX_RETRIES": "10"})
    runtime.repository()  # schema in place before the fault
    postgres.stop()
    try:
        ingest_file(next(SEEDS.glob("001_*.txt")))
        wait_until(
            lambda: "retry 2/10" in worker.output(), timeout=30, message=worker.output()[-3000:]
        )
    finally:
        postgres.start()
    runtime.reset()
    wait_until(lambda: counts()["sources"] == 1, timeout=60, message=worker.output()[-3000:])
    time.sleep(2)
    assert counts() == {"reports": 1, "sources": 1, "quarantined": 0, "dead_letters": 0}
    assert "OperationalError" in worker.output()


def test_poison_page_is_dead_lettered_then_replayed(distributed: dict, start_worker) -> None:
    worker = start_worker(distributed)
    from workers.tasks import process_page

    body = next(SEEDS.glob("002_*.txt")).read_bytes()
    # its claim check points at an object that is not there
    page = unsent_page(body, "https://www.luozhuang.gov.cn/xxgk/nb/2018.html", store_body=False)
    process_page.apply_async(args=[page.model_dump(mode="json")], task_id="poison-1")
    wait_until(lambda: counts()["dead_letters"] == 1, timeout=60, message=worker.output()[-3000:])
    poison = runtime.repository().list_dead_letters()[0]
    assert poison.task_id == "poison-1"
    assert poison.attempts == 4  # 1 run + 3 retries
    assert "ObjectNotFound" in poison.error
    assert counts()["reports"] == 0
    listed = runner.invoke(cli, ["dlq", "list"])
    assert listed.exit_code == 0 and "ObjectNotFound" in listed.output

    runtime.object_store().put(page.body_ref, body)  # the operator restores it and replays
    replayed = runner.invoke(cli, ["dlq", "replay", str(poison.id)])
    assert replayed.exit_code == 0, replayed.output
    wait_until(lambda: counts()["reports"] == 1, timeout=60, message=worker.output()[-3000:])
    assert counts()["dead_letters"] == 0
    assert runtime.repository().list_dead_letters("replayed")[0].task_id == "poison-1"


def test_a_task_that_kills_its_worker_is_dead_lettered_not_looped(
    distributed: dict, start_worker
) -> None:
    worker = start_worker(distributed)
    from tests.fault_tasks import kill_worker

    runtime.repository()
    kill_worker.apply_async(args=["boom"], task_id="killer-1")
    wait_until(lambda: counts()["dead_letters"] == 1, timeout=90, message=worker.output()[-4000:])
    letter = runtime.repository().list_dead_letters()[0]
    assert letter.task_id == "killer-1" and "WorkerLost" in letter.error
    # the worker survived its children dying and still processes pages
    ingest_file(next(SEEDS.glob("003_*.txt")))
    wait_until(lambda: counts()["reports"] == 1, timeout=60, message=worker.output()[-3000:])
    assert worker.proc.poll() is None


def test_each_stage_has_its_own_queue(distributed: dict, start_worker, redis_server) -> None:
    """A pages-only worker hands records to the store queue and nothing else consumes them."""
    start_worker(distributed, queues="pages")
    for path in discover([SEEDS]):
        ingest_file(path)
    client = redis_server.client()
    wait_until(lambda: client.llen("store") == 5, timeout=60, message="store queue depth")
    time.sleep(1)
    assert client.llen("pages") == 0 and client.llen("store") == 5
    assert counts()["reports"] == 0
    start_worker(distributed, queues="store")
    wait_until(lambda: counts()["reports"] == 5, timeout=60, message="store worker")
    assert client.llen("store") == 0


def test_two_copies_stored_at_once_make_one_report(distributed: dict) -> None:
    """The unique constraint decides, not a check-then-insert: 30 races, never two reports."""
    import threading

    from nianbao.core.pipeline import analyse
    from nianbao.storage.repository import Repository, make_engine
    from schemas.messages import ParsedPage

    body = next(SEEDS.glob("000_*.txt")).read_bytes()
    analysis = analyse(body, content_type="text/plain")
    repo = runtime.repository()
    repos = [Repository(make_engine(distributed["NIANBAO_DATABASE_URL"])) for _ in range(2)]
    for round_ in range(30):
        fingerprint = f"{round_:064x}"
        parsed = [
            ParsedPage(
                page=unsent_page(body, f"https://site{i}.gov.cn/{round_}.html", store_body=False),
                record=analysis.record,
                fingerprint=fingerprint,
                text_length=1,
            )
            for i in range(2)
        ]
        barrier = threading.Barrier(2)
        decisions: list[str] = []

        def store(i: int, parsed: list = parsed, barrier=barrier, decisions=decisions) -> None:
            barrier.wait()
            decisions.append(repos[i].save_report(parsed[i]).decision)

        threads = [threading.Thread(target=store, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(decisions) == ["exact_duplicate", "new"]
    assert repo.counts()["reports"] == 30 and repo.counts()["sources"] == 60


CITIES = ["台州市", "湖州市", "嘉兴市", "绍兴市", "金华市", "衢州市", "舟山市", "丽水市", "宁波市",
          "杭州市", "湛江市", "汕头市", "佛山市", "江门市", "肇庆市", "惠州市", "梅州市", "汕尾市",
          "河源市", "阳江市"]  # fmt: skip


def test_two_workers_storing_copies_at_once_keep_one_report(
    distributed: dict, start_worker, redis_server
) -> None:
    """20 reports, each arriving twice at the same instant on two worker processes."""
    from devtools.calibrate import _chrome, _edit_sentences
    from devtools.calibrate import to_message as parsed
    from workers.tasks import save_report

    start_worker(distributed, queues="store")
    start_worker(distributed, queues="store")
    base = next(SEEDS.glob("003_*.txt")).read_text(encoding="utf-8")
    messages = []
    for i, city in enumerate(CITIES):
        text = base.replace("温州市", city).replace("温州", city[:-1])
        second = _edit_sentences(text, 3) if i % 2 else text  # near copies and exact copies
        for n, body in enumerate((text, second)):
            page = _chrome(body, n)
            messages.append(parsed(page, f"https://site{n}.gov.cn/{i}.html"))
    for message in messages:
        save_report.apply_async(args=[message.model_dump(mode="json")])
    wait_until(lambda: counts()["sources"] == 40, timeout=120, message=f"stored: {counts()}")
    assert counts() == {"reports": 20, "sources": 40, "quarantined": 0, "dead_letters": 0}
    for report in runtime.repository().iter_reports():
        decisions = sorted(s.decision for s in report.sources)
        assert decisions in (["exact_duplicate", "new"], ["near_duplicate", "new"]), decisions
