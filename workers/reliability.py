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

import hashlib
import json
import logging
import random
import time
import traceback as tb
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import redis
from billiard.exceptions import TimeLimitExceeded
from celery import Task
from celery.exceptions import Reject, Retry
from pydantic import ValidationError

from nianbao import runtime
from nianbao.settings import get_settings
from workers import ledger

log = logging.getLogger(__name__)

DEAD_LETTER_PREFIX = "dead-letters/"
FINAL_STAGE = "nianbao.store."  # a task of this stage that returns has stored the page's outcome
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


def finish_attempt(task_id: str, retries: int, outcome_of: Any | None = None) -> None:
    """This attempt has ended: forget its delivery counter and, when ``outcome_of`` (task args)
    carries a page whose outcome is now stored, close that page in the ledger; one round trip.
    """
    client = redis_client()
    if client is None:
        return
    page = ledger.page_of(outcome_of) if outcome_of is not None else None
    try:
        pipe = client.pipeline(transaction=False)
        pipe.delete(f"nianbao:deliveries:{task_id}:{retries}")  # else it expires on its own
        if page is not None:
            ledger.close_in(pipe, page)
        pipe.execute()
    except redis.RedisError as exc:
        if page is not None:
            log.warning("could not close the page in the ledger (%s); it may be sent again", exc)


def mark_timed_out(task_id: str) -> None:
    """Remember that a run of this task hit the hard time limit (its child was killed)."""
    client = redis_client()
    if client is None:
        return
    key = f"nianbao:timed-out:{task_id}"
    try:
        client.pipeline().incr(key).expire(key, _DELIVERY_TTL).execute()
    except redis.RedisError as exc:
        log.warning("could not record the time limit of %s: %s", task_id, exc)


def times_timed_out(task_id: str) -> int:
    """How many runs of this task the hard time limit killed (0 without Redis)."""
    client = redis_client()
    if client is None:
        return 0
    try:
        return int(client.get(f"nianbao:timed-out:{task_id}") or 0)
    except redis.RedisError:
        return 0


def close_in_ledger(args: Any) -> None:
    """The page in these args has an outcome; a ledger that cannot be told only costs a resend."""
    client = redis_client()
    if client is None:
        return
    try:
        ledger.close_page(client, args)
    except redis.RedisError as exc:
        log.warning("could not close the page in the ledger (%s); it may be sent again", exc)


def dead_letter(
    task: Task, task_id: str, args: Any, kwargs: Any, error: str, trace: str, attempts: int
) -> None:
    """Keep a failed message for replay: in the database, or the object store if that is down.

    If neither can take it, the message goes back to the queue (Reject with requeue): a dead
    letter that cannot be written must not become a lost message.
    """
    task.request.dead_lettered = True  # the run ends with this message kept, not done (metrics)
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
        close_in_ledger(args)
        return
    except Exception as db_error:
        log.error("database refused the dead letter (%s); writing it to the object store", db_error)
    try:
        put_orphan(record)
        close_in_ledger(args)
    except Exception as store_error:
        log.error("object store refused the dead letter too (%s); requeueing", store_error)
        if task.request.is_eager:
            raise
        # Back off before the requeue, or an idle queue hands it straight back (a hot loop
        # for as long as both are down).
        settings = get_settings()
        time.sleep(backoff_delay(min(attempts, 8), settings.retry_backoff_base, 60.0))
        raise Reject(store_error, requeue=True) from store_error


def put_orphan(record: dict[str, Any]) -> None:
    """A dead letter the database could not take, kept in the object store until collected."""
    key = hashlib.sha256(str(record["task_id"]).encode()).hexdigest()
    runtime.object_store().put(
        f"{DEAD_LETTER_PREFIX}{key}.json",
        json.dumps(record, ensure_ascii=False).encode(),
        "application/json",
    )


class ReliableTask(Task):
    """Base task: late acks, counted redeliveries, backoff retries, dead letters."""

    acks_late = True
    reject_on_worker_lost = True
    # The retry limit is NIANBAO_MAX_RETRIES, counted in __call__. Celery's own limit must
    # never apply: `retry(max_retries=None)` falls back to this attribute, whose Celery default
    # (3) re-raised the error on the fourth retry and the message was acknowledged and lost.
    max_retries = None
    # A run killed by the hard time limit is requeued, not acknowledged: the next delivery
    # decides (on_time_limit, or run again until max_deliveries dead-letters it).
    acks_on_timeout = False
    #: What a task does instead of running again after a run hit the hard time limit, e.g.
    #: quarantine the page. None: run again (counted as a delivery).
    on_time_limit: Callable[..., Any] | None = None

    def apply_async(self, *args: Any, **options: Any) -> Any:
        """Send with no time limits in the message: the consuming worker's settings decide.

        Celery otherwise writes the *sender's* task_time_limit into every message, and the
        worker obeys the message: a producer with other settings would set the workers' limits.
        """
        options.setdefault("time_limit", None)
        options.setdefault("soft_time_limit", None)
        return super().apply_async(*args, **options)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        settings = get_settings()
        request = self.request
        task_id = request.id or "local"
        retries = request.retries or 0
        deliveries = count_delivery(task_id, retries)
        timed_out = times_timed_out(task_id) if deliveries > 1 else 0
        work = self.run
        if timed_out and self.on_time_limit is not None:  # a bound hit is an outcome here
            work = self.on_time_limit
        if deliveries > settings.max_deliveries:
            error = (
                f"TimeLimitExceeded: {timed_out} of {deliveries - 1} runs hit the hard time limit"
                if timed_out
                else f"WorkerLost: the worker died {deliveries - 1} times while running this task"
            )
            dead_letter(self, task_id, args, kwargs, error, "", retries + deliveries - 1)
            return None
        while True:
            try:
                result = work(*args, **kwargs)
                # committed: the page has its outcome (a store task, or a task that stored it)
                stored = self.name.startswith(FINAL_STAGE) or getattr(
                    request, "outcome_stored", False
                )
                finish_attempt(task_id, retries, args if stored else None)
                return result
            except (Retry, Reject):
                raise
            except ValidationError as exc:
                error = f"malformed message: {exc}"
                dead_letter(self, task_id, args, kwargs, error, tb.format_exc(), retries + 1)
                return None
            except Exception as exc:
                if retries >= settings.max_retries:
                    error = f"{type(exc).__name__}: {exc}"
                    dead_letter(self, task_id, args, kwargs, error, tb.format_exc(), retries + 1)
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
                    self._retry_later(exc, delay)
                time.sleep(delay)  # in-process execution: nobody else to wait for us
                retries += 1

    def _retry_later(self, exc: Exception, delay: float) -> None:
        """Republish with a countdown; if that fails in any way, requeue the original.

        Only Retry (the copy is published) may leave here; anything else escaping a task is
        acknowledged by Celery and the message would be gone.
        """
        try:
            raise self.retry(exc=exc, countdown=delay) from exc
        except Retry:
            raise
        except Exception as failed:  # Celery rejects *without* requeue here: keep it
            raise Reject(failed, requeue=True) from exc

    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        """Hard time limit: the child was killed. Runs in the main process: only tell Redis.

        The message itself is requeued (acks_on_timeout is False), so nothing is lost even when
        this note cannot be written; the next delivery reads it.
        """
        if isinstance(exc, TimeLimitExceeded):
            log.error("%s[%s] hit the hard time limit; requeued", self.name, task_id)
            mark_timed_out(task_id)
