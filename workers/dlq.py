"""The dead-letter path for operators: list what failed, send it again."""

from __future__ import annotations

import json
from collections.abc import Iterable

from nianbao import runtime
from nianbao.storage.repository import DeadLetter
from workers.app import app
from workers.reliability import DEAD_LETTER_PREFIX


def collect_orphans() -> int:
    """Move dead letters written to the object store (database was down) into the database."""
    store, moved = runtime.object_store(), 0
    for key in list(store.keys(DEAD_LETTER_PREFIX)):
        record = json.loads(store.get(key))
        runtime.repository().add_dead_letter(**record)
        store.delete(key)
        moved += 1
    return moved


def pending() -> list[DeadLetter]:
    """Dead letters not yet replayed, oldest first."""
    collect_orphans()
    return runtime.repository().list_dead_letters("pending")


def replay(letters: Iterable[DeadLetter]) -> list[int]:
    """Send each dead letter's message to its task again; returns the ids replayed."""
    import workers.tasks  # noqa: F401  (registers the tasks on the app)

    replayed = []
    for letter in letters:
        task = app.tasks[letter.task_name]
        runtime.repository().mark_replayed(letter.id)
        task.apply_async(args=letter.args, kwargs=letter.kwargs)
        replayed.append(letter.id)
    return replayed
