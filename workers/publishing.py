"""Wires the producers' publisher port to this worker system, at import.

A page's first message is opened in the page ledger (workers/ledger.py) before it is sent, under
a task id of its own, so the ledger can resend it if the broker ever loses it.
"""

from __future__ import annotations

import uuid
from typing import Any

from nianbao import runtime
from producers import publish
from workers import ledger
from workers.reliability import redis_client
from workers.tasks import process_page, save_rejection

_TASKS = {task.name: task for task in (process_page, save_rejection)}


def send(task_name: str, message: dict[str, Any]) -> None:
    """Send a page's first message to the named task, opened in the page ledger first."""
    task = _TASKS[task_name]
    task_id, args = str(uuid.uuid4()), [message]
    client = redis_client()
    if client is not None:
        ledger.open_page(client, task.name, task_id, args)
    task.apply_async(args=args, task_id=task_id)


publish.wire(runtime.object_store, send)
