"""Fault injection for worker tests: a task that kills the process running it, every time.

Loaded only by test workers (`-I tests.fault_tasks`); it runs on the real ReliableTask base, so
what the tests observe is the production redelivery counting, not a stand-in.
"""

from __future__ import annotations

import os
import signal
import time

from workers.app import app
from workers.reliability import ReliableTask, redis_client


@app.task(name="nianbao.pages.test_kill_worker", base=ReliableTask, bind=True)
def kill_worker(self: ReliableTask, marker: str) -> None:
    """Die like a segfault or the OOM killer would: SIGKILL, no cleanup."""
    os.kill(os.getpid(), signal.SIGKILL)


def _hang_where_signals_cannot_reach() -> None:
    """Hang like C code that never returns to Python: the soft time limit cannot interrupt it."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})  # Celery's soft-limit signal
    while True:
        time.sleep(1)


@app.task(name="nianbao.pages.test_hang", base=ReliableTask, bind=True)
def hang(self: ReliableTask, marker: str) -> None:
    """Runs until the hard time limit kills its process, every time."""
    _hang_where_signals_cannot_reach()


def _note_gave_up(self: ReliableTask, marker: str) -> str:
    redis_client().set(f"nianbao:test:gave-up:{marker}", self.request.id or "")  # type: ignore[union-attr]
    return "gave up"


@app.task(
    name="nianbao.pages.test_hang_then_give_up",
    base=ReliableTask,
    bind=True,
    on_time_limit=_note_gave_up,
)
def hang_then_give_up(self: ReliableTask, marker: str) -> None:
    """Hangs; its time-limit outcome (a note in Redis) replaces a second run."""
    _hang_where_signals_cannot_reach()
