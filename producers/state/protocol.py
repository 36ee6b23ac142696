"""The crawl state protocol: what a crawl remembers, whatever backend keeps it.

Frontier items are never lost to a crash: :meth:`~CrawlState.pop` moves the item to the site's
in-flight list (atomically), :meth:`~CrawlState.done` or :meth:`~CrawlState.requeue` takes it out
again, and :meth:`~CrawlState.begin_pass` puts whatever is still in flight (its visitor died) back
at the head of the frontier. Within a pass an item is identified by its ``"url"`` (the pass-seen
set makes URLs unique across frontier and in-flight), so ``done``/``requeue`` accept the popped
item even if the caller changed other keys (``{**item, "cut": 1}``) and work from any instance or
process, with no memory of the raw JSON that was popped.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from typing import Any, Protocol, runtime_checkable

from producers.state.codec import dumps

COUNTER_FIELDS = (
    "fetched",
    "not_modified",
    "unchanged",
    "new",
    "changed",
    "errors",
    "enqueued",
    "blocked",
    "robots_disallowed",
)


class CrawlStateError(RuntimeError):
    """The crawl state cannot be used as stored (for example a corrupt state file)."""


@dataclass
class UrlState:
    """What the last fetch of one URL left behind: validators, content hash, links found."""

    etag: str | None = None
    last_modified: str | None = None
    sha256: str | None = None
    links: list[dict[str, Any]] | None = None  # listing pages: the links found, reused on 304
    checked_at: float = 0.0
    final_url: str | None = None  # where redirects ended: the URL the validators belong to
    rules: str | None = None  # digest of the link rules the links were found with
    refused: str | None = None  # why the URL was refused last time (too_large, ...), if it was

    def to_json(self) -> str:
        """This state as compact JSON."""
        return dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str | bytes) -> UrlState:
        """A state from :meth:`to_json` output; unknown keys (newer versions) are ignored."""
        data = json.loads(text)
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


@runtime_checkable
class CrawlState(Protocol):
    """Everything a crawl remembers between requests, passes and restarts."""

    def get_url(self, site: str, url: str) -> UrlState | None:
        """The stored state of url within site, or None if never fetched."""
        ...

    def put_url(self, site: str, url: str, state: UrlState) -> None:
        """Store the state of url within site (replaces the previous one)."""
        ...

    def begin_pass(self, site: str, seeds: list[dict[str, Any]]) -> bool:
        """Start a pass with seeds; True = an interrupted pass resumed (seeds not re-added)."""
        ...

    def push(self, site: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Add items whose "url" was not yet seen this pass; return the items added."""
        ...

    def pop(self, site: str) -> dict[str, Any] | None:
        """Move the next frontier item (FIFO) to in-flight and return it; None when empty."""
        ...

    def done(self, site: str, item: dict[str, Any]) -> None:
        """Drop the in-flight item with item's "url" (its visit is over); no-op if none."""
        ...

    def requeue(self, site: str, item: dict[str, Any]) -> None:
        """Put item at the head of the frontier, dropping the in-flight item with its "url"."""
        ...

    def end_pass(self, site: str) -> None:
        """Forget the frontier, the in-flight items and the pass-seen set of site."""
        ...

    def claim_due(self, intervals: dict[str, float], now: float | None = None) -> list[str]:
        """Atomically claim sites never scheduled or due (next-due <= now); reschedule them."""
        ...

    def next_due(self, site: str) -> float | None:
        """When site is next due (unix time), or None if never scheduled."""
        ...

    def set_next_due(self, site: str, when: float) -> None:
        """Schedule site for when (unix time)."""
        ...

    def lock_site(self, site: str, ttl: float) -> str | None:
        """Take the site's pass lock for ttl seconds: a token, or None if someone holds it."""
        ...

    def unlock_site(self, site: str, token: str) -> None:
        """Release the site's lock, only if token still holds it."""
        ...

    def extend_lock(self, site: str, token: str, ttl: float) -> bool:
        """Make the site's lock expire ttl seconds from now if token holds it; False if lost."""
        ...

    def count(self, site: str, **increments: int) -> None:
        """Add increments to the site's integer counters."""
        ...

    def mark(self, site: str, **values: str | float) -> None:
        """Set the site's status fields (last_success, last_attempt, last_error, ...)."""
        ...

    def counters(self, site: str | None = None) -> dict[str, dict[str, str | int | float]]:
        """Counters of one site ({site: {...}}, empty if none) or of every site with counters."""
        ...

    def robots_get(self, host: str) -> str | None:
        """The cached robots.txt text of host, or None if absent or expired."""
        ...

    def robots_put(self, host: str, text: str, ttl: float) -> None:
        """Cache the robots.txt text of host for ttl seconds."""
        ...

    def close(self) -> None:
        """Release what this instance holds (the state file's lock); idempotent."""
        ...
