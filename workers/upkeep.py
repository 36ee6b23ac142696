"""What a worker's main process does besides running tasks: keep the broker's books honest.

Two loops in one background thread, started when the worker is ready:

* every few seconds: a heartbeat for this worker, and messages held by dead workers requeued
  (workers/holders.py);
* every NIANBAO_RECONCILE_INTERVAL: pages lost between the broker and a worker sent again
  (workers/ledger.py).

Each look is taken by one worker at a time (a Redis lock); a broker that is down only postpones it.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from celery.signals import task_received, worker_ready, worker_shutdown

from nianbao.settings import get_settings
from workers import holders
from workers.ledger import reconcile_once
from workers.reliability import redis_client

log = logging.getLogger(__name__)

_ORPHANS_LOCK = "nianbao:holders:lock"
_stop = threading.Event()
_token = holders.new_token()


@task_received.connect
def _note_holder(request: Any = None, **_: Any) -> None:
    """Note which worker holds the message just received (reserved, or waiting for its ETA)."""
    client = redis_client()
    tag = getattr(getattr(request, "message", None), "delivery_tag", None)
    if client is None or not tag:
        return
    try:
        holders.hold(client, _token, str(tag))
    except Exception as exc:  # unnoted, it is still restored after the visibility timeout
        log.warning("could not note the holder of %s: %s", tag, exc)


def _look_after(client: Any) -> None:
    from workers.app import QUEUES, app

    settings = get_settings()
    next_reconcile = time.monotonic() + settings.reconcile_interval
    while True:
        try:
            holders.beat(client, _token)
            if client.set(_ORPHANS_LOCK, "1", nx=True, ex=int(holders.BEAT_EVERY)):
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
        if _stop.wait(holders.BEAT_EVERY):
            return


@worker_ready.connect
def _start(**_: Any) -> None:
    client = redis_client()
    if client is None:
        return
    _stop.clear()
    holders.beat(client, _token)
    threading.Thread(target=_look_after, args=(client,), name="nianbao-upkeep", daemon=True).start()


@worker_shutdown.connect
def _shut(**_: Any) -> None:
    _stop.set()
