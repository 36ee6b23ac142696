"""Fault injection for worker tests: a task that kills the process running it, every time.

Loaded only by test workers (`-I tests.fault_tasks`); it runs on the real ReliableTask base, so
what the tests observe is the production redelivery counting, not a stand-in.
"""

from __future__ import annotations

import os
import signal

from workers.app import app
from workers.reliability import ReliableTask


@app.task(name="nianbao.pages.test_kill_worker", base=ReliableTask, bind=True)
def kill_worker(self: ReliableTask, marker: str) -> None:
    """Die like a segfault or the OOM killer would: SIGKILL, no cleanup."""
    os.kill(os.getpid(), signal.SIGKILL)
