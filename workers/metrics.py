"""Worker metrics from Celery's signals, in prometheus-client's multiprocess mode.

A prefork worker is a main process (it receives messages: ``task_received``, and the failures
it sees itself: a hard time limit, a lost child) and pool children forked from it (they run
tasks: ``task_prerun``, ``task_postrun``, ``task_retry``, ``task_failure``). Each process writes
its own counters to files in PROMETHEUS_MULTIPROC_DIR; the main process serves their sum.

`install()` must run in the main process before the pool forks and before any metric exists:
`nianbao worker --metrics-port N` calls it with a fresh directory per run.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
DECISIONS = ("new", "exact_duplicate", "near_duplicate", "new_version", "redelivery")
DECIDING_TASKS = ("nianbao.store.report", "nianbao.pages.process")  # return a store decision
REJECTION_TASK = "nianbao.store.rejection"  # returns the bare reason; the stage is in its message
QUARANTINED = "quarantined: "  # prefix of a pages task's result when it quarantined the page
# Tasks that return a string whenever they did their work: None means ReliableTask dead-lettered
# the message instead (its dead_letter path returns None).
STRING_RESULT_TASKS = ("nianbao.pages.process", "nianbao.store.report", REJECTION_TASK)
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)
_PID_FILE = re.compile(r"_(\d+)\.db$")


@dataclass(frozen=True)
class WorkerMetrics:
    """The metric families a worker process writes (names are what dashboards and alerts use)."""

    received: Any
    succeeded: Any
    failed: Any
    retried: Any
    dead_lettered: Any
    duration: Any
    active: Any
    decisions: Any
    quarantined: Any
    errors: Any


_metrics: WorkerMetrics | None = None
_started: dict[str, float] = {}  # task id -> monotonic start, in the child running it


def build(registry: Any = None) -> WorkerMetrics:
    """Create the metric families (in the default registry unless given; see `registry()`)."""
    from prometheus_client import REGISTRY
    from prometheus_client import Counter as _Counter
    from prometheus_client import Gauge as _Gauge
    from prometheus_client import Histogram as _Histogram

    reg = REGISTRY if registry is None else registry
    Counter = partial(_Counter, registry=reg)
    Gauge = partial(_Gauge, registry=reg)
    Histogram = partial(_Histogram, registry=reg)
    task = ["task", "queue"]
    return WorkerMetrics(
        received=Counter(
            "nianbao_tasks_received", "Task messages the worker took from the broker.", task
        ),
        succeeded=Counter(
            "nianbao_tasks_succeeded",
            "Task runs that ended with an outcome (not a dead letter).",
            task,
        ),
        failed=Counter(
            "nianbao_tasks_failed",
            "Task runs that ended in an exception Celery saw (hard time limit, lost child).",
            task,
        ),
        retried=Counter("nianbao_tasks_retried", "Task runs sent back for a retry.", task),
        dead_lettered=Counter(
            "nianbao_tasks_dead_lettered", "Task runs that dead-lettered their message.", task
        ),
        duration=Histogram(
            "nianbao_task_duration_seconds",
            "Wall-clock time of one task run, by task (the pipeline stage).",
            task,
            buckets=DURATION_BUCKETS,
        ),
        active=Gauge(
            "nianbao_tasks_active",
            "Tasks running now in the worker's pool processes.",
            task,
            multiprocess_mode="livesum",
        ),
        decisions=Counter(
            "nianbao_dedup_decisions",
            "Store decisions: new, exact_duplicate, near_duplicate, new_version, redelivery.",
            ["decision"],
        ),
        quarantined=Counter(
            "nianbao_quarantined",
            "Pages the workers quarantined, by reason and stage (unknown when stored inline).",
            ["reason", "stage"],
        ),
        errors=Counter(
            "nianbao_task_errors",
            "Exceptions that made a task retry or fail, by family "
            "(database, object_store, broker, other) and exception type.",
            [*task, "family", "exception"],
        ),
    )


def install(directory: Path | None = None) -> Path:
    """Turn worker metrics on for this process and every pool process it forks later.

    Sets PROMETHEUS_MULTIPROC_DIR (a fresh temporary directory unless given) before any metric
    is made, and connects the signal handlers. Returns the directory.
    """
    global _metrics
    from prometheus_client import values

    if directory is None:
        directory = Path(tempfile.mkdtemp(prefix="nianbao-metrics-"))
    directory.mkdir(parents=True, exist_ok=True)
    os.environ[MULTIPROC_ENV] = str(directory)
    values.ValueClass = values.get_value_class()  # in case prometheus_client was imported first
    if _metrics is None:
        _metrics = build()
        _connect()
    return directory


def registry() -> Any:
    """A registry that sums every process's files (the main process serves it)."""
    from prometheus_client import CollectorRegistry
    from prometheus_client.multiprocess import MultiProcessCollector

    reg = CollectorRegistry(auto_describe=False)
    reg.register(_SweepingCollector())
    MultiProcessCollector(reg)
    return reg


class _SweepingCollector:
    """Before each scrape, forget the live gauges of pool processes that are gone (SIGKILL too)."""

    def collect(self) -> Iterator[Any]:
        """Sweep dead pids' gauge files; yields nothing itself."""
        sweep_dead()
        return iter(())


def sweep_dead(directory: str | None = None) -> list[int]:
    """`mark_process_dead` for every pid with files in the directory that no longer runs."""
    from prometheus_client import multiprocess

    path = directory or os.environ.get(MULTIPROC_ENV)
    if not path or not os.path.isdir(path):
        return []
    pids = {int(m.group(1)) for name in os.listdir(path) if (m := _PID_FILE.search(name))}
    dead = [pid for pid in sorted(pids) if not _alive(pid)]
    for pid in dead:
        multiprocess.mark_process_dead(pid, path)
    return dead


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove(directory: Path) -> None:
    """Delete a run's metrics directory (the worker has stopped)."""
    shutil.rmtree(directory, ignore_errors=True)


# --- classification ------------------------------------------------------------------------------


def queue_of(task_name: str, delivery_info: dict[str, Any] | None = None) -> str:
    """The queue a task came from: its delivery's routing key, else where the app routes it."""
    key = (delivery_info or {}).get("routing_key")
    if key:
        return str(key)
    from workers.app import app

    route = app.amqp.router.route({}, task_name)
    return route["queue"].name if route and route.get("queue") is not None else ""


def error_family(exc: BaseException | None) -> str:
    """database, object_store, broker or other: what kind of dependency an exception came from."""
    seen = 0
    while exc is not None and seen < 5:
        family = _family_of(exc)
        if family != "other":
            return family
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return "other"


def _family_of(exc: BaseException) -> str:
    names = {f"{cls.__module__}.{cls.__qualname__}" for cls in type(exc).__mro__}
    modules = {cls.__module__.split(".")[0] for cls in type(exc).__mro__}
    if "sqlalchemy.exc.SQLAlchemyError" in names or "psycopg" in modules or "sqlite3" in modules:
        return "database"
    if modules & {"botocore", "boto3"} or type(exc).__module__.startswith(
        "nianbao.storage.objects"
    ):
        return "object_store"
    if "redis" in modules or "kombu.exceptions.OperationalError" in names:
        return "broker"
    if isinstance(exc, OSError) and _raised_in(exc, "nianbao/storage/objects"):
        return "object_store"
    return "other"


def _raised_in(exc: BaseException, fragment: str) -> bool:
    trace = exc.__traceback__
    while trace is not None:
        if fragment in trace.tb_frame.f_code.co_filename.replace(os.sep, "/"):
            return True
        trace = trace.tb_next
    return False


# --- signal handlers -----------------------------------------------------------------------------


def _connect() -> None:
    from celery import signals

    signals.task_received.connect(_received, weak=False, dispatch_uid="nianbao-metrics-received")
    signals.task_prerun.connect(_prerun, weak=False, dispatch_uid="nianbao-metrics-prerun")
    signals.task_postrun.connect(_postrun, weak=False, dispatch_uid="nianbao-metrics-postrun")
    signals.task_retry.connect(_retry, weak=False, dispatch_uid="nianbao-metrics-retry")
    signals.task_failure.connect(_failure, weak=False, dispatch_uid="nianbao-metrics-failure")
    signals.worker_process_shutdown.connect(
        _child_exit, weak=False, dispatch_uid="nianbao-metrics-child-exit"
    )


def _received(request: Any = None, **_: Any) -> None:
    """Main process: a message was taken from the broker."""
    if _metrics is None or request is None:
        return
    name = request.name
    _metrics.received.labels(name, queue_of(name, request.delivery_info)).inc()


def _prerun(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    """Pool process: a run starts."""
    if _metrics is None or task is None:
        return
    _started[task_id or ""] = time.monotonic()
    _metrics.active.labels(task.name, queue_of(task.name, task.request.delivery_info)).inc()


def _postrun(
    task_id: str | None = None, task: Any = None, retval: Any = None, state: str = "", **kw: Any
) -> None:
    """Pool process: a run ended; count its outcome, duration, decision or quarantine."""
    if _metrics is None or task is None:
        return
    name = task.name
    request = task.request
    queue = queue_of(name, request.delivery_info)
    started = _started.pop(task_id or "", None)
    if started is not None:
        _metrics.duration.labels(name, queue).observe(time.monotonic() - started)
        _metrics.active.labels(name, queue).dec()
    if state != "SUCCESS":
        return  # RETRY, FAILURE: counted by their own signals
    if getattr(request, "dead_lettered", False) or (retval is None and name in STRING_RESULT_TASKS):
        _metrics.dead_lettered.labels(name, queue).inc()
        return
    _metrics.succeeded.labels(name, queue).inc()
    if not isinstance(retval, str):
        return
    if name in DECIDING_TASKS and retval in DECISIONS:
        _metrics.decisions.labels(retval).inc()
    elif name == REJECTION_TASK:
        _metrics.quarantined.labels(retval, _stage_of(kw.get("args"))).inc()
    elif retval.startswith(QUARANTINED) and getattr(request, "outcome_stored", False):
        # stored by this task itself; otherwise the rejection task it sent counts it
        stage = getattr(request, "quarantine_stage", None) or "unknown"
        _metrics.quarantined.labels(retval.removeprefix(QUARANTINED), stage).inc()


def _stage_of(args: Any) -> str:
    with contextlib.suppress(TypeError, IndexError, AttributeError):
        return str(args[0]["stage"])
    return "unknown"


def _retry(sender: Any = None, request: Any = None, reason: Any = None, **_: Any) -> None:
    """Pool process: a run was sent back for a retry (reason: Celery's Retry, or the error)."""
    if _metrics is None or sender is None:
        return
    name = sender.name
    queue = queue_of(name, getattr(request, "delivery_info", None))
    _metrics.retried.labels(name, queue).inc()
    exc = getattr(reason, "exc", None) or reason
    if isinstance(exc, BaseException):
        _count_error(name, queue, exc)


def _failure(sender: Any = None, exception: Any = None, **_: Any) -> None:
    """A run ended in an exception (in the pool process, or the main one for a killed child)."""
    if _metrics is None or sender is None:
        return
    name = sender.name
    queue = queue_of(name, getattr(sender.request, "delivery_info", None))
    _metrics.failed.labels(name, queue).inc()
    if isinstance(exception, BaseException):
        _count_error(name, queue, exception)


def _count_error(name: str, queue: str, exc: BaseException) -> None:
    assert _metrics is not None
    _metrics.errors.labels(name, queue, error_family(exc), type(exc).__name__).inc()


def _child_exit(**_: Any) -> None:
    """Pool process exiting cleanly: forget its live gauges (killed ones are swept at scrape)."""
    from prometheus_client import multiprocess

    path = os.environ.get(MULTIPROC_ENV)
    if path:
        with contextlib.suppress(OSError):
            multiprocess.mark_process_dead(os.getpid(), path)
