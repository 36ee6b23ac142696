"""Permanent input errors: the page is quarantined with the reason, never retried."""

from __future__ import annotations


class PageRejected(Exception):
    """A page that cannot become a record; ``reason`` is a stable machine-readable code."""

    def __init__(self, stage: str, reason: str, detail: str) -> None:
        super().__init__(f"{stage}/{reason}: {detail}")
        self.stage = stage
        self.reason = reason
        self.detail = detail
