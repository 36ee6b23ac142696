"""A wall-clock cap on parsing one page, so a pathological page cannot hang a worker."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from nianbao.core.errors import PageRejected


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise PageRejected(parse_timeout) when the block runs longer than `seconds`.

    Uses SIGALRM, so it only acts in the main thread (Celery's prefork children and the CLI);
    elsewhere the task's soft time limit is the backstop.
    """
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise PageRejected("parse", "parse_timeout", f"parsing took longer than {seconds:g}s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
