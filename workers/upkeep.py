"""What a worker's main process does besides running tasks: keep the broker's books honest.

Two background threads, started when the worker is ready:

* the heartbeat: every few seconds, say this worker's holder token is alive (workers/holders.py);
  nothing else runs in it, so a long look at the ledger cannot silence it;
* the upkeep: every few seconds, requeue messages held by dead workers; every
  NIANBAO_RECONCILE_INTERVAL, send again pages lost between the broker and a worker
  (workers/ledger.py). Each look is taken by one worker at a time (a Redis lock).

A new holder token is taken each time the worker's consumer (re)connects to the broker: on a
lost connection Celery forgets the messages it had reserved, so what the old token held must be
requeued by the others once its heartbeat stops. A broker that is down only postpones a look.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, ClassVar

from celery import bootsteps
from celery.signals import task_received, worker_ready, worker_shutdown

from nianbao.settings import get_settings
from workers import holders
from workers.app import QUEUES, app
from workers.ledger import reconcile_once
from workers.reliability import redis_client

log = logging.getLogger(__name__)

_ORPHANS_LOCK = "nianbao:holders:lock"
_stop = threading.Event()
_token = holders.new_token()


class FreshHolderToken(bootsteps.StartStopStep):
    """On every (re)connection of the consumer: a new holder token (see the module doc)."""

    requires: ClassVar[tuple[str, ...]] = ("celery.worker.consumer.connection:Connection",)

    def start(self, parent: Any) -> None:
        global _token
        _token = holders.new_token()
        client = redis_client()
        if client is not None:
            try:
                holders.beat(client, _token)
            except Exception as exc:  # the heartbeat thread beats again in a moment
                log.warning("first heartbeat of %s postponed (%s)", _token, exc)


app.steps["consumer"].add(FreshHolderToken)


@task_received.connect
def _note_holder(request: Any = None, **_: Any) -> None:
    """Note which worker holds the message just received (reserved, or waiting for its ETA)."""
    client = redis_client()
    tag = getattr(getattr(request, "message", None), "delivery_tag", None)
    if client is None or not tag:
        return
    try:
        holders.hold(client, _token, str(tag))
    except Exception as exc:  # unnoted, it is requeued after holders.UNNOTED_AFTER
        log.warning("could not note the holder of %s: %s", tag, exc)


def _heartbeat(client: Any) -> None:
    while True:
        try:
            holders.beat(client, _token)
        except Exception as exc:
            log.warning("heartbeat postponed (%s)", exc)
        if _stop.wait(holders.beat_every()):
            return


def _look_after(client: Any) -> None:
    settings = get_settings()
    next_reconcile = time.monotonic() + settings.reconcile_interval
    while not _stop.wait(holders.beat_every()):
        try:
            if client.set(_ORPHANS_LOCK, "1", nx=True, ex=max(1, int(holders.beat_every()))):
                with app.connection_for_write() as connection:
                    holders.restore_orphans(client, connection)
            if time.monotonic() >= next_reconcile:
                next_reconcile = time.monotonic() + settings.reconcile_interval
                found = reconcile_once(
                    client, app, QUEUES, settings.reconcile_grace, settings.reconcile_interval
                )
                if found and (found.resent or found.suspect):
                    log.warning("page ledger: %s", found)
        except Exception as exc:  # the broker is down: look again next time
            log.warning("broker upkeep postponed (%s)", exc)


@worker_ready.connect
def _start(**_: Any) -> None:
    client = redis_client()
    if client is None:
        return
    _stop.clear()
    for target, name in ((_heartbeat, "nianbao-heartbeat"), (_look_after, "nianbao-upkeep")):
        threading.Thread(target=target, args=(client,), name=name, daemon=True).start()


@worker_shutdown.connect
def _shut(**_: Any) -> None:
    _stop.set()
