"""The page ledger on a real Redis and real workers: a page popped and dropped is sent again.

The loss it closes is kombu's gap between BRPOP and recording the message as unacknowledged. The
tests leave Redis in exactly the state such a loss leaves it in: the message popped by a client
that then went away, the page open in the ledger, no outcome.
"""

from __future__ import annotations

import json
import time

import pytest

from nianbao import runtime
from producers.ingest import ingest_file
from tests.conftest import SEEDS
from tests.services import wait_until
from workers import ledger
from workers.app import QUEUES, app
from workers.reliability import redis_client

pytestmark = pytest.mark.services


def open_pages() -> dict[str, dict]:
    client = redis_client()
    assert client is not None
    return {k.decode(): json.loads(v) for k, v in client.hgetall(ledger.LEDGER_KEY).items()}


def counts() -> dict[str, int]:
    return runtime.repository().counts()


def test_a_page_is_open_from_send_to_outcome(distributed: dict, start_worker) -> None:
    ingest_file(next(SEEDS.glob("001_*.txt")))
    (entry,) = open_pages().values()
    assert entry["task"] == "nianbao.pages.process"
    page = ledger.page_of(entry["args"])
    assert page is not None and "001_" in page["url"]
    start_worker(distributed)
    wait_until(lambda: counts()["sources"] == 1, timeout=60)
    wait_until(lambda: not open_pages(), timeout=10, message=str(open_pages()))


def test_quarantined_and_dead_lettered_pages_are_closed(
    distributed: dict, start_worker, tmp_path
) -> None:
    from tests.conftest import unsent_page

    start_worker({**distributed, "NIANBAO_MAX_RETRIES": "0"})
    notice = tmp_path / "notice.txt"
    notice.write_text("关于做好春节期间值班工作的通知\n各单位：请按时值班。\n", encoding="utf-8")
    ingest_file(notice)
    client = redis_client()
    assert client is not None
    poison = unsent_page(b"gone", "https://example.gov.cn/gone.html", store_body=False)
    from workers.publishing import send
    from workers.tasks import process_page

    send(process_page.name, poison.model_dump(mode="json"))  # its body is missing: dead-lettered
    assert len(open_pages()) == 2
    wait_until(lambda: counts()["quarantined"] == 1, timeout=60)
    wait_until(lambda: counts()["dead_letters"] == 1, timeout=60)
    wait_until(lambda: not open_pages(), timeout=10, message=str(open_pages()))


def test_reconcile_leaves_pages_that_still_have_a_message(distributed: dict) -> None:
    client = redis_client()
    assert client is not None
    ingest_file(next(SEEDS.glob("002_*.txt")))  # no worker: it waits in the queue
    for _ in range(3):
        found = ledger.reconcile(client, app, QUEUES, grace=0)
        assert (found.open, found.overdue, found.in_broker, found.resent) == (1, 1, 1, 0)
    assert client.llen("pages") == 1


def test_a_page_lost_between_pop_and_unacked_is_sent_again(distributed: dict, start_worker) -> None:
    client = redis_client()
    assert client is not None
    ingest_file(next(SEEDS.glob("003_*.txt")))
    (pid,) = open_pages()
    popped = client.brpop(["pages"], timeout=5)  # a consumer took it and died before recording it
    assert popped is not None and client.llen("pages") == 0
    assert client.hlen(ledger.UNACKED_KEY) == 0

    first = ledger.reconcile(client, app, QUEUES, grace=0)
    assert (first.suspect, first.resent) == (1, 0)  # one miss could be the gap itself: wait
    again = ledger.reconcile(client, app, QUEUES, grace=0)
    assert (again.suspect, again.resent) == (1, 0)  # two looks close together prove nothing
    client.hset(ledger.SUSPECT_KEY, pid, time.time() - ledger.SECOND_LOOK - 1)
    second = ledger.reconcile(client, app, QUEUES, grace=0)
    assert second.resent == 1
    assert client.llen("pages") == 1
    assert open_pages()[pid]["task_id"] == json.loads(popped[1])["headers"]["id"]

    start_worker(distributed)
    wait_until(lambda: counts()["sources"] == 1, timeout=60)
    wait_until(lambda: not open_pages(), timeout=10)
    assert counts() == {"reports": 1, "sources": 1, "quarantined": 0, "dead_letters": 0}


def test_workers_reconcile_on_their_own(distributed: dict, start_worker) -> None:
    client = redis_client()
    assert client is not None
    ingest_file(next(SEEDS.glob("004_*.txt")))
    assert client.brpop(["pages"], timeout=5) is not None  # lost in the gap
    time.sleep(1.1)
    worker = start_worker(
        {**distributed, "NIANBAO_RECONCILE_INTERVAL": "1", "NIANBAO_RECONCILE_GRACE": "1"}
    )
    wait_until(lambda: counts()["sources"] == 1, timeout=60, message=worker.output()[-3000:])
    assert "sending nianbao.pages.process" in worker.output()
    wait_until(lambda: not open_pages(), timeout=10)


def test_status_and_reconcile_commands_show_the_ledger(distributed: dict) -> None:
    from typer.testing import CliRunner

    from nianbao.cli import app as cli

    runner = CliRunner()
    ingest_file(next(SEEDS.glob("000_*.txt")))  # no worker: open, and still in the queue
    status = runner.invoke(cli, ["status"])
    assert status.exit_code == 0, status.output
    assert any(
        "without an outcome" in line and line.rstrip(" │").endswith("1")
        for line in status.output.splitlines()
    ), status.output
    assert "archives owed" in status.output
    looked = runner.invoke(cli, ["reconcile", "--grace", "0"])
    assert looked.exit_code == 0, looked.output
    assert "sent again" in looked.output
    assert ledger.reconcile(redis_client(), app, QUEUES, grace=0).in_broker == 1  # type: ignore[arg-type]


def test_a_replayed_dead_letter_is_open_in_the_ledger_until_stored(
    distributed: dict, start_worker
) -> None:
    from tests.conftest import unsent_page
    from workers.dlq import pending, replay
    from workers.publishing import send
    from workers.tasks import process_page

    worker = start_worker({**distributed, "NIANBAO_MAX_RETRIES": "0"})
    body = next(SEEDS.glob("001_*.txt")).read_bytes()
    page = unsent_page(body, "https://example.gov.cn/nb/replayed.html", store_body=False)
    send(process_page.name, page.model_dump(mode="json"))
    wait_until(lambda: counts()["dead_letters"] == 1, timeout=60, message=worker.output()[-3000:])
    assert not open_pages()
    runtime.object_store().put(page.body_ref, body)  # the operator restores the body
    client = redis_client()
    assert client is not None
    worker.stop()
    assert len(replay(pending())) == 1
    (entry,) = open_pages().values()  # open before the replay was sent
    assert entry["task"] == "nianbao.pages.process"
    start_worker(distributed)
    wait_until(lambda: counts()["sources"] == 1, timeout=60)
    wait_until(lambda: not open_pages(), timeout=10)
