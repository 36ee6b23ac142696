"""Retries, counted redeliveries and the dead-letter path, shared by every nianbao task.

Celery on Redis has no dead-letter queue and requeues a message whose worker process died for
as long as it keeps dying. ReliableTask closes both gaps:

* every attempt's deliveries are counted in Redis; past ``max_deliveries`` the message is
  dead-lettered instead of run again (a page that kills its worker cannot loop forever);
* any exception is retried with exponential backoff and jitter up to ``max_retries``, then the
  message is dead-lettered with its error, ready for ``nianbao dlq replay``;
* a malformed message (it fails its schema) is dead-lettered at once: retrying cannot fix it.
"""

from __future__ import annotations

import json
import logging
import random
import time
import traceback as tb
from functools import lru_cache
from typing import Any

import redis
from billiard.exceptions import TimeLimitExceeded
from celery import Task
from celery.exceptions import Retry
from pydantic import ValidationError

from nianbao import runtime
from nianbao.settings import get_settings

log = logging.getLogger(__name__)

DEAD_LETTER_PREFIX = "dead-letters/"
_DELIVERY_TTL = 7 * 24 * 3600


def backoff_delay(retries: int, base: float, cap: float) -> float:
    """Seconds before retry number ``retries + 1``: exponential, capped, with equal jitter."""
    ceiling = min(cap, base * (2**retries))
    return ceiling / 2 + random.uniform(0, ceiling / 2)


@lru_cache(maxsize=4)
def _redis(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)


def redis_client() -> redis.Redis | None:
    """A client of the Redis broker, or None when the broker is not Redis."""
    url = get_settings().broker_url
    if not url or not url.startswith(("redis://", "rediss://", "unix://")):
        return None
    return _redis(url)


def count_delivery(task_id: str, retries: int) -> int:
    """How many times this attempt of this task has been delivered, this one included.

    Only brokers on Redis can redeliver; in-process (eager) execution is always delivery 1.
    """
    client = redis_client()
    if client is None:
        return 1
    key = f"nianbao:deliveries:{task_id}:{retries}"
    try:
        pipe = client.pipeline()
        pipe.incr(key)
        pipe.expire(key, _DELIVERY_TTL)
        count, _ = pipe.execute()
        return int(count)
    except redis.RedisError as exc:  # counting must not stop the work itself
        log.warning("could not count deliveries of %s: %s", task_id, exc)
        return 1


def dead_letter(
    task: Task, task_id: str, args: Any, kwargs: Any, error: str, trace: str, attempts: int
) -> None:
    """Keep a failed message for replay: in the database, or the object store if that is down."""
    record = {
        "task_id": task_id,
        "task_name": task.name,
        "args": list(args or []),
        "kwargs": dict(kwargs or {}),
        "error": error,
        "traceback": trace,
        "attempts": attempts,
    }
    log.error("dead-lettering %s[%s] after %d attempts: %s", task.name, task_id, attempts, error)
    try:
        runtime.repository().add_dead_letter(**record)
    except Exception as db_error:
        log.error(
            "database unavailable for the dead letter (%s); writing it to the object store",
            db_error,
        )
        runtime.object_store().put(
            f"{DEAD_LETTER_PREFIX}{task_id}.json",
            json.dumps(record, ensure_ascii=False).encode(),
            "application/json",
        )


class ReliableTask(Task):
    """Base task: late acks, counted redeliveries, backoff retries, dead letters."""

    acks_late = True
    reject_on_worker_lost = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        settings = get_settings()
        request = self.request
        task_id = request.id or "local"
        retries = request.retries or 0
        deliveries = count_delivery(task_id, retries)
        if deliveries > settings.max_deliveries:
            dead_letter(
                self,
                task_id,
                args,
                kwargs,
                f"WorkerLost: the worker died {deliveries - 1} times while running this task",
                "",
                retries + deliveries - 1,
            )
            return None
        while True:
            try:
                return self.run(*args, **kwargs)
            except Retry:
                raise
            except ValidationError as exc:
                trace = tb.format_exc()
                dead_letter(
                    self, task_id, args, kwargs, f"malformed message: {exc}", trace, retries + 1
                )
                return None
            except Exception as exc:
                if retries >= settings.max_retries:
                    dead_letter(
                        self,
                        task_id,
                        args,
                        kwargs,
                        f"{type(exc).__name__}: {exc}",
                        tb.format_exc(),
                        retries + 1,
                    )
                    return None
                delay = backoff_delay(
                    retries, settings.retry_backoff_base, settings.retry_backoff_max
                )
                log.warning(
                    "%s[%s] failed (%s: %s); retry %d/%d in %.1fs",
                    self.name,
                    task_id,
                    type(exc).__name__,
                    exc,
                    retries + 1,
                    settings.max_retries,
                    delay,
                )
                if not request.is_eager:  # hand the wait to the broker, free the worker
                    raise self.retry(exc=exc, countdown=delay, max_retries=None) from exc
                time.sleep(delay)  # in-process execution: nobody else to wait for us
                retries += 1

    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        """Hard time limit: the process was killed, so __call__ could not dead-letter it."""
        if isinstance(exc, TimeLimitExceeded):
            dead_letter(
                self,
                task_id,
                args,
                kwargs,
                f"TimeLimitExceeded: {exc}",
                str(einfo),
                (self.request.retries or 0) + 1,
            )
