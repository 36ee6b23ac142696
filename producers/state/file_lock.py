"""The lock that gives one process at a time a crawl state file (``flock`` on ``FILE.lock``).

Instances of one process share one lock; a second process is refused with a CrawlStateError that
says what to do instead. A forked child does not inherit its parent's locks.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from pathlib import Path

from producers.state.protocol import CrawlStateError

# The state files this process has locked: lock-file path -> [fd, instances using it, pid].
# flock belongs to an open file description, so a second open() of the lock file in this
# process would conflict with the first: instances of one process share one descriptor instead.
_file_locks: dict[str, list[int]] = {}
_file_locks_guard = threading.Lock()


def _lock_path(path: Path) -> Path:
    """The lock file next to the state file path."""
    return path.with_suffix(path.suffix + ".lock")


def lock_file(path: Path) -> str:
    """Lock the sidecar of path for this process (CrawlStateError if another process has it)."""
    lock_path = _lock_path(path)
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    key = os.path.realpath(lock_path)
    with _file_locks_guard:
        held = _file_locks.get(key)
        if held is not None and held[2] == os.getpid():
            held[1] += 1
            return key
        try:
            fd = os.open(key, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise CrawlStateError(f"cannot open crawl state lock file {lock_path}: {exc}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = ""
            with contextlib.suppress(OSError, UnicodeDecodeError, ValueError):
                holder = f" (pid {int(os.pread(fd, 32, 0).decode('ascii'))})"
            os.close(fd)
            raise CrawlStateError(
                f"crawl state file {path} is in use by another nianbao process{holder} "
                "(embedded mode runs one crawler at a time); stop it, or set NIANBAO_BROKER_URL "
                "/ NIANBAO_CRAWL_STATE_URL to a Redis URL to share crawl state between processes"
            ) from exc
        with contextlib.suppress(OSError):  # who holds it, for the message above
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        _file_locks[key] = [fd, 1, os.getpid()]
        return key


def lock_users(key: str) -> int:
    """How many instances of this process use the lock under key (0 if it holds none)."""
    with _file_locks_guard:
        held = _file_locks.get(key)
        return held[1] if held is not None and held[2] == os.getpid() else 0


def unlock_file(key: str) -> None:
    """One instance of this process is done with the lock; the last one unlocks it."""
    with _file_locks_guard:
        held = _file_locks.get(key)
        if held is None or held[2] != os.getpid():
            return
        held[1] -= 1
        if held[1] <= 0:
            del _file_locks[key]
            os.close(held[0])  # closing the only descriptor releases the flock


def _forget_inherited_locks() -> None:
    """In a forked child: the parent's locks are not the child's (it must take its own)."""
    global _file_locks_guard
    _file_locks_guard = threading.Lock()
    for fd, _users, _pid in _file_locks.values():
        with contextlib.suppress(OSError):
            os.close(fd)  # the parent's descriptor stays open: its lock is unaffected
    _file_locks.clear()


os.register_at_fork(after_in_child=_forget_inherited_locks)
