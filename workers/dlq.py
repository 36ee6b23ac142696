"""The dead-letter path for operators: list what failed, send it again."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterable

from nianbao import runtime
from nianbao.storage.repository import DeadLetter
from workers import ledger
from workers.app import app
from workers.reliability import DEAD_LETTER_PREFIX, redis_client

log = logging.getLogger(__name__)


def collect_orphans() -> int:
    """Move dead letters kept in the object store (database was down) into the database."""
    store, moved = runtime.object_store(), 0
    for key in list(store.keys(DEAD_LETTER_PREFIX)):
        try:
            runtime.repository().add_dead_letter(**json.loads(store.get(key)))
        except Exception as exc:  # one bad letter must not hide the others
            log.error("cannot collect dead letter %s: %s", key, exc)
            continue
        store.delete(key)
        moved += 1
    return moved


def pending() -> list[DeadLetter]:
    """Dead letters not yet replayed, oldest first."""
    collect_orphans()
    return runtime.repository().list_dead_letters("pending")


def replay(letters: Iterable[DeadLetter]) -> list[int]:
    """Send each dead letter's message to its task again; returns the ids replayed.

    Each letter is claimed first (pending → replayed, one winner if two operators replay at
    once) and released again if the broker does not take the message.
    """
    import workers.tasks  # noqa: F401  (registers the tasks on the app)

    repo, replayed = runtime.repository(), []
    for letter in letters:
        if not repo.claim_dead_letter(letter.id):
            continue
        try:
            task_id = str(uuid.uuid4())
            client = redis_client()
            if client is not None:  # open again: a replay lost in the broker is sent again
                ledger.open_page(client, letter.task_name, task_id, letter.args)
            app.tasks[letter.task_name].apply_async(
                args=letter.args, kwargs=letter.kwargs, task_id=task_id
            )
        except Exception:
            repo.release_dead_letter(letter.id)
            raise
        replayed.append(letter.id)
    return replayed
