"""Permanent input errors: the page is quarantined with the reason, never retried."""

from __future__ import annotations


class PageRejected(Exception):
    """A page that cannot become a record; ``reason`` is a stable machine-readable code."""

    def __init__(self, stage: str, reason: str, detail: str) -> None:
        super().__init__(f"{stage}/{reason}: {detail}")
        self.stage = stage
        self.reason = reason
        self.detail = detail


# What a host raises into running code to stop it (Celery's soft and hard time limits, billiard's
# termination). Named, not imported: the core does not depend on Celery. Code that turns
# unexpected exceptions into rejections must let these through, or a task's time limit would be
# quarantined under the wrong reason or not act at all.
_HOST_INTERRUPTS = frozenset({"SoftTimeLimitExceeded", "TimeLimitExceeded", "Terminated"})


def is_host_interrupt(exc: BaseException) -> bool:
    """True for an exception the host raised to stop the work, which must reach the host."""
    return any(cls.__name__ in _HOST_INTERRUPTS for cls in type(exc).__mro__)


def unexpected(stage: str, reason: str, exc: Exception) -> PageRejected:
    """The rejection for an exception a reader or parser raised on hostile input.

    MemoryError becomes ``memory_limit``; anything else the given stable reason, with the
    exception's type and message as the detail. Host interrupts are re-raised unchanged.
    """
    if is_host_interrupt(exc):
        raise exc
    if isinstance(exc, MemoryError):
        return PageRejected(stage, "memory_limit", "parsing ran out of memory")
    message = str(exc)
    if len(message) > 300:
        message = message[:300] + "…"
    return PageRejected(stage, reason, f"{type(exc).__name__}: {message}")
