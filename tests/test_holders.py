"""A worker killed with -9 gives its messages back within a minute, not the visibility timeout.

Real Redis, real workers, a real SIGKILL of a worker's whole process group while it holds a
message waiting for its countdown.
"""

from __future__ import annotations

import os
import signal
import time

import pytest

from nianbao import runtime
from tests.conftest import SEEDS, unsent_page
from tests.services import wait_until
from workers import holders
from workers.reliability import redis_client

pytestmark = pytest.mark.services
# a heartbeat a second (dead after 6 s, not 30 s): what a dead worker held comes back sooner
QUICK = {"NIANBAO_HOLDER_HEARTBEAT": "1"}


def test_a_killed_workers_messages_are_requeued_by_the_next_worker(
    distributed: dict, start_worker
) -> None:
    from workers.tasks import process_page

    client = redis_client()
    assert client is not None
    first = start_worker({**distributed, **QUICK})
    body = next(SEEDS.glob("001_*.txt")).read_bytes()
    page = unsent_page(body, "https://example.gov.cn/nb/2019.html", store_body=True)
    process_page.apply_async(args=[page.model_dump(mode="json")], countdown=8, task_id="held-1")
    wait_until(lambda: client.hlen(holders.HOLDERS_KEY) == 1, timeout=30, message=first.output())
    assert client.hlen("unacked") == 1  # held by the first worker, waiting for its countdown
    os.killpg(first.proc.pid, signal.SIGKILL)  # the whole worker, as the OOM killer would
    first.proc.wait()

    second = start_worker({**distributed, **QUICK})
    wait_until(
        lambda: runtime.repository().counts()["sources"] == 1,
        timeout=holders.beat_ttl() + 4 * holders.beat_every() + 30,
        message=second.output()[-3000:],
    )
    assert "requeued 1 message(s) held by workers that died" in second.output()
    assert runtime.repository().counts() == {
        "reports": 1,
        "sources": 1,
        "quarantined": 0,
        "dead_letters": 0,
    }
    wait_until(lambda: client.hlen(holders.HOLDERS_KEY) == 0, timeout=30)


def test_messages_of_live_workers_are_left_alone(distributed: dict, start_worker) -> None:
    from workers.app import app
    from workers.tasks import process_page

    client = redis_client()
    assert client is not None
    start_worker(distributed)
    body = next(SEEDS.glob("002_*.txt")).read_bytes()
    page = unsent_page(body, "https://example.gov.cn/nb/2018.html", store_body=True)
    process_page.apply_async(args=[page.model_dump(mode="json")], countdown=60)
    wait_until(lambda: client.hlen(holders.HOLDERS_KEY) == 1, timeout=30)
    with app.connection_for_write() as connection:
        assert holders.restore_orphans(client, connection) == 0
    assert client.hlen("unacked") == 1 and client.llen("pages") == 0


def test_a_message_no_holder_noted_is_requeued_once_it_is_old(distributed: dict) -> None:
    """The worker died between taking the message and noting it: unacked, with no holder."""
    from workers.app import app
    from workers.tasks import process_page

    client = redis_client()
    assert client is not None
    body = next(SEEDS.glob("003_*.txt")).read_bytes()
    page = unsent_page(body, "https://example.gov.cn/nb/2020.html", store_body=True)
    process_page.apply_async(args=[page.model_dump(mode="json")])
    with app.connection_for_write() as connection:
        taken = connection.default_channel.basic_get("pages", no_ack=False)  # kombu's own take
        assert taken is not None and client.llen("pages") == 0
        (tag,) = client.hkeys("unacked")
        assert holders.restore_orphans(client, connection) == 0  # just taken: leave it
        client.zadd("unacked_index", {tag: time.time() - holders.UNNOTED_AFTER - 1})
        assert holders.restore_orphans(client, connection) == 1
    assert client.llen("pages") == 1 and client.hlen("unacked") == 0


def test_messages_a_live_worker_held_come_back_after_a_redis_crash(
    configure, pg_url: str, start_worker, tmp_path
) -> None:
    """Redis killed -9 and restarted from its AOF while a worker holds a countdown message.

    Either the worker survives and reconnects under a new holder token, or kombu's restore on
    the lost connection ends its main process ("Unrecoverable error", a known kombu defect) and
    the supervisor starts another; either way the holders requeue what it held."""
    from tests.services import RedisServer
    from workers.tasks import process_page

    with RedisServer(appendonly=True, directory=tmp_path / "redis") as redis_server:
        env = configure(BROKER_URL=redis_server.url, DATABASE_URL=pg_url, HOLDER_HEARTBEAT="1")  # type: ignore[operator]
        worker = start_worker(env)
        client = redis_client()
        assert client is not None
        runtime.repository()
        body = next(SEEDS.glob("004_*.txt")).read_bytes()
        page = unsent_page(body, "https://example.gov.cn/nb/2017.html", store_body=True)
        process_page.apply_async(args=[page.model_dump(mode="json")], countdown=15)
        wait_until(lambda: client.hlen(holders.HOLDERS_KEY) == 1, timeout=30)
        redis_server.kill()
        time.sleep(1)
        redis_server.start()
        time.sleep(3)
        if worker.proc.poll() is not None:  # kombu's restore on the lost connection ended it
            assert "Unrecoverable error" in worker.output()
            worker = start_worker(env)  # what the supervisor (compose, Kubernetes) does
        wait_until(
            lambda: runtime.repository().counts()["sources"] == 1,
            timeout=holders.beat_ttl() + 6 * holders.beat_every() + 30,
            message=worker.output()[-3000:],
        )
        assert runtime.repository().counts()["reports"] == 1
