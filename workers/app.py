"""The Celery app, configured from nianbao's settings.

`celery -A workers.app worker -Q crawl,pages,store` and `nianbao worker` both run it. Every
reliability setting below is deliberate; README.md ("Reliability") explains each.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import kombu.pools
from celery import Celery
from celery.signals import before_task_publish, worker_process_init
from kombu import Exchange, Queue
from kombu.exceptions import ChannelError

from nianbao import runtime
from nianbao.settings import Settings, get_settings

PAGES_QUEUE = "pages"
STORE_QUEUE = "store"
CRAWL_QUEUE = "crawl"
QUEUES = (CRAWL_QUEUE, PAGES_QUEUE, STORE_QUEUE)


def celery_config(settings: Settings) -> dict[str, Any]:
    """Celery configuration for these settings."""
    return {
        "broker_url": settings.broker_url or "memory://",
        # Embedded default: the same tasks run in-process, synchronously.
        "task_always_eager": settings.embedded,
        "task_eager_propagates": True,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "task_ignore_result": True,
        "result_backend": None,
        # Acknowledge after the task ran, and requeue when the worker process dies under it;
        # ReliableTask counts those deliveries so a page that kills workers cannot loop forever.
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_acks_on_failure_or_timeout": True,
        "worker_prefetch_multiplier": settings.prefetch_multiplier,
        "task_time_limit": settings.task_time_limit,
        "task_soft_time_limit": max(1, int(settings.task_time_limit * 0.8)),
        "broker_transport_options": {"visibility_timeout": settings.visibility_timeout},
        "broker_connection_retry_on_startup": True,
        "worker_cancel_long_running_tasks_on_connection_loss": True,
        "task_default_queue": PAGES_QUEUE,
        # Each queue its own exchange and key: a bare Queue(name) would be bound to the default
        # exchange and key ("pages"), so store messages would land in both queues.
        "task_queues": [
            Queue(name, Exchange(name, type="direct"), routing_key=name) for name in QUEUES
        ],
        "task_routes": {
            "nianbao.pages.*": {"queue": PAGES_QUEUE},
            "nianbao.store.*": {"queue": STORE_QUEUE},
            "nianbao.crawl.*": {"queue": CRAWL_QUEUE},
        },
        "worker_hijack_root_logger": False,
    }


def create_app(settings: Settings | None = None) -> Celery:
    """A Celery app for the given (or the environment's) settings."""
    celery = Celery(
        "nianbao",
        include=[
            "workers.tasks",
            "workers.publishing",
            "workers.crawl",
            "workers.probe",
            "workers.upkeep",
        ],
    )
    celery.conf.update(celery_config(settings or get_settings()))
    return celery


def reconfigure() -> Settings:
    """Re-read the environment and point the app and adapters at it (tests, bench, demo)."""
    get_settings.cache_clear()
    settings = get_settings()
    kombu.pools.reset()  # close and forget connections to the old broker
    app._pool = None
    app.amqp._producer_pool = None
    app.conf.update(celery_config(settings))
    runtime.reset()
    return settings


@worker_process_init.connect
def _fresh_adapters(**_: Any) -> None:
    runtime.reset()


SENT_HEADER = "nianbao_sent"  # Unix time the message was published (its first send)


@before_task_publish.connect(weak=False, dispatch_uid="nianbao-sent-stamp")
def stamp_sent(headers: dict[str, Any] | None = None, **_: Any) -> None:
    """Write the publish time into every task message (Celery's messages carry none): every
    process that can send imports this module, so the queue collector can age every message."""
    if headers is not None:
        headers.setdefault(SENT_HEADER, time.time())


app = create_app()


def worker_command(queues: str, concurrency: int, *extra: str) -> list[str]:
    """argv of a standalone worker process (benchmarks and tests start real ones)."""
    return [
        sys.executable, "-m", "celery", "-A", "workers.app", "worker", "-Q", queues,
        "-c", str(concurrency), "--without-gossip", "--without-mingle", "--without-heartbeat",
        *extra,
    ]  # fmt: skip


def queue_depths() -> dict[str, int] | None:
    """Messages waiting in each queue; None in embedded mode (nothing ever waits)."""
    if get_settings().embedded:
        return None
    depths = {}
    with app.connection_for_read() as connection:
        channel = connection.default_channel
        for name in QUEUES:
            try:
                depths[name] = channel.queue_declare(name, passive=True).message_count
            except ChannelError:  # no worker has declared it yet: nothing can be waiting
                depths[name] = 0
    return depths


def in_flight() -> dict[str, int] | None:
    """Messages held unacknowledged by workers, and pages open in the ledger; None embedded."""
    from workers.ledger import LEDGER_KEY, UNACKED_KEY
    from workers.reliability import redis_client

    client = redis_client()
    if client is None:
        return None
    return {"unacked": int(client.hlen(UNACKED_KEY)), "ledger": int(client.hlen(LEDGER_KEY))}
