"""The embedded crawl state: dicts under a lock in one process, optionally kept in a JSON file.

The file is saved after every change so that a restart resumes where it stopped; one process at
a time may use it (:mod:`producers.state.file_lock`), and how it is read and written is
:mod:`producers.state.state_file`.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

from producers.state.codec import dumps, item_url, mark_value, millis
from producers.state.file_lock import lock_file, lock_users, unlock_file
from producers.state.protocol import CrawlStateError, UrlState
from producers.state.state_file import FIX_HINT, read_state_file, write_state_file


class MemoryCrawlState:
    """Crawl state of one process (thread-safe), optionally kept in a JSON file across restarts.

    Only one process may use a given file at a time: opening it locks ``PATH.lock``
    (``flock``, released by :meth:`close`, garbage collection or the process's end) and another
    process that tries gets a :class:`CrawlStateError`. Instances within one process share that
    lock; keep to one live instance per file all the same, as each rewrites the whole file. With
    ``read_only=True`` the file is read without the lock (for status displays next to a running
    crawler) and any change raises CrawlStateError. The file is rewritten atomically (temporary
    file + rename) after every change, so a crash leaves either the old or the new state.
    """

    def __init__(self, path: Path | None = None, *, read_only: bool = False) -> None:
        """Start empty, or from path if that file exists (CrawlStateError if unreadable or busy)."""
        self.path = Path(path) if path is not None else None
        self.read_only = read_only
        self._closed = False
        self._lock = threading.Lock()
        self._urls: dict[str, dict[str, dict[str, Any]]] = {}
        self._frontier: dict[str, list[dict[str, Any]]] = {}
        self._inflight: dict[str, list[dict[str, Any]]] = {}
        self._seen: dict[str, set[str]] = {}
        self._due: dict[str, float] = {}
        self._locks: dict[str, tuple[str, float]] = {}  # site -> (token, expires at)
        self._counters: dict[str, dict[str, str | int | float]] = {}
        self._robots: dict[str, tuple[str, float]] = {}  # host -> (text, expires at)
        self._release: Callable[[], None] = lambda: None
        if self.path is None:
            return
        fresh = False
        if not read_only:
            key = lock_file(self.path)
            self._release = weakref.finalize(self, unlock_file, key)
            fresh = lock_users(key) == 1  # this process just took the file over
        try:
            if self.path.exists():
                self._load(self.path)
        except BaseException:
            self._release()
            raise
        if fresh:  # the file is ours alone now: site locks in it were left by a process gone
            self._locks = {}

    def close(self) -> None:
        """Release the state file's lock; later changes raise CrawlStateError. Idempotent."""
        with self._lock:
            self._closed = True
            self._release()

    def __enter__(self) -> MemoryCrawlState:
        """This state, closed on exit."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close this state."""
        self.close()

    # persistence

    def _load(self, path: Path) -> None:
        data = read_state_file(path)
        try:
            self._urls = {s: dict(u) for s, u in data["urls"].items()}
            self._frontier = {s: list(f) for s, f in data["frontier"].items()}
            self._inflight = {s: list(f) for s, f in data.get("inflight", {}).items()}
            self._seen = {s: set(v) for s, v in data["seen"].items()}
            self._due = {s: float(w) for s, w in data["due"].items()}
            self._locks = {s: (str(t), float(e)) for s, (t, e) in data["locks"].items()}
            self._counters = {s: dict(c) for s, c in data["counters"].items()}
            self._robots = {h: (str(t), float(e)) for h, (t, e) in data["robots"].items()}
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise CrawlStateError(
                f"crawl state file {path} is malformed ({type(exc).__name__}: {exc}); {FIX_HINT}"
            ) from exc

    def _save(self, force: bool = False) -> None:
        """Write the whole state atomically (caller holds the lock).

        Every change is written (a killed process loses nothing: the file is replaced whole);
        only pass boundaries and scheduling wait for fsync, which per step cost ~20x the crawl.
        A power cut between two fsyncs can leave the file truncated on some filesystems: the
        next start then stops with CrawlStateError naming the file (delete it to start afresh).
        """
        if self.path is None:
            return
        if self._closed or self.read_only:
            how = "closed" if self._closed else "opened read-only"
            raise CrawlStateError(f"crawl state file {self.path} was {how}; nothing is saved")
        data = {
            "urls": self._urls,
            "frontier": self._frontier,
            "inflight": self._inflight,
            "seen": {s: sorted(v) for s, v in self._seen.items()},
            "due": self._due,
            "locks": {s: list(v) for s, v in self._locks.items()},
            "counters": self._counters,
            "robots": {h: list(v) for h, v in self._robots.items()},
        }
        write_state_file(self.path, data, fsync=force)

    # urls

    def get_url(self, site: str, url: str) -> UrlState | None:
        """The stored state of url within site, or None if never fetched."""
        with self._lock:
            raw = self._urls.get(site, {}).get(url)
            return None if raw is None else UrlState.from_json(dumps(raw))

    def put_url(self, site: str, url: str, state: UrlState) -> None:
        """Store the state of url within site (replaces the previous one)."""
        with self._lock:
            self._urls.setdefault(site, {})[url] = json.loads(state.to_json())
            self._save()

    # frontier

    def _add(self, site: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        pairs = [(item_url(item), json.loads(dumps(item))) for item in items]  # validate first
        seen = self._seen.setdefault(site, set())
        frontier = self._frontier.setdefault(site, [])
        added: list[dict[str, Any]] = []
        for original, (url, copy) in zip(items, pairs, strict=True):
            if url not in seen:
                seen.add(url)
                frontier.append(copy)
                added.append(original)
        return added

    def _drop_inflight(self, site: str, url: str) -> None:
        inflight = self._inflight.get(site, [])
        for index, item in enumerate(inflight):
            if item.get("url") == url:
                del inflight[index]
                break
        if not inflight:
            self._inflight.pop(site, None)

    def begin_pass(self, site: str, seeds: list[dict[str, Any]]) -> bool:
        """Start a pass with seeds; True = an interrupted pass resumed (seeds not re-added)."""
        with self._lock:
            stranded = self._inflight.pop(site, None)
            if stranded:  # their visitor died: first in line again, in the order popped
                self._frontier[site] = stranded + self._frontier.get(site, [])
                self._save(force=True)
                return True
            if self._frontier.get(site):
                return True
            self._seen.pop(site, None)
            self._add(site, seeds)
            self._save(force=True)
            return False

    def push(self, site: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Add items whose "url" was not yet seen this pass; return the items added."""
        if not items:
            return []
        with self._lock:
            added = self._add(site, items)
            if added:
                self._save()
            return added

    def pop(self, site: str) -> dict[str, Any] | None:
        """Move the next frontier item (FIFO) to in-flight and return it; None when empty."""
        with self._lock:
            frontier = self._frontier.get(site)
            if not frontier:
                return None
            item = frontier.pop(0)
            self._inflight.setdefault(site, []).append(item)
            self._save()
            return json.loads(dumps(item))  # the caller's copy: in-flight keeps the original

    def done(self, site: str, item: dict[str, Any]) -> None:
        """Drop the in-flight item with item's "url" (its visit is over); no-op if none."""
        url = item_url(item)
        with self._lock:
            if any(held.get("url") == url for held in self._inflight.get(site, [])):
                self._drop_inflight(site, url)
                self._save()

    def requeue(self, site: str, item: dict[str, Any]) -> None:
        """Put item at the head of the frontier, dropping the in-flight item with its "url"."""
        url, copy = item_url(item), json.loads(dumps(item))
        with self._lock:
            self._drop_inflight(site, url)
            self._frontier.setdefault(site, []).insert(0, copy)
            self._save()

    def end_pass(self, site: str) -> None:
        """Forget the frontier, the in-flight items and the pass-seen set of site."""
        with self._lock:
            self._frontier.pop(site, None)
            self._inflight.pop(site, None)
            self._seen.pop(site, None)
            self._save(force=True)

    # schedule

    def claim_due(self, intervals: dict[str, float], now: float | None = None) -> list[str]:
        """Atomically claim sites never scheduled or due (next-due <= now); reschedule them."""
        now = time.time() if now is None else now
        with self._lock:
            claimed = []
            for site, interval in intervals.items():
                due = self._due.get(site)
                if due is None or due <= now:
                    self._due[site] = float(now + interval)
                    claimed.append(site)
            if claimed:
                self._save(force=True)
            return claimed

    def next_due(self, site: str) -> float | None:
        """When site is next due (unix time), or None if never scheduled."""
        with self._lock:
            return self._due.get(site)

    def set_next_due(self, site: str, when: float) -> None:
        """Schedule site for when (unix time)."""
        with self._lock:
            self._due[site] = float(when)
            self._save(force=True)

    # locks

    def lock_site(self, site: str, ttl: float) -> str | None:
        """Take the site's pass lock for ttl seconds: a token, or None if someone holds it."""
        now = time.time()
        with self._lock:
            held = self._locks.get(site)
            if held is not None and held[1] > now:
                return None
            token = secrets.token_hex(16)
            self._locks[site] = (token, now + millis(ttl) / 1000)
            self._save()
            return token

    def unlock_site(self, site: str, token: str) -> None:
        """Release the site's lock, only if token still holds it."""
        with self._lock:
            held = self._locks.get(site)
            if held is not None and held[0] == token:
                del self._locks[site]
                self._save(force=True)

    def extend_lock(self, site: str, token: str, ttl: float) -> bool:
        """Make the site's lock expire ttl seconds from now if token holds it; False if lost."""
        now = time.time()
        with self._lock:
            held = self._locks.get(site)
            if held is None or held[0] != token or held[1] <= now:
                return False
            self._locks[site] = (token, now + millis(ttl) / 1000)
            self._save()
            return True

    # counters

    def count(self, site: str, **increments: int) -> None:
        """Add increments to the site's integer counters."""
        if not increments:
            return
        with self._lock:
            values = self._counters.setdefault(site, {})
            for name, amount in increments.items():
                values[name] = int(values.get(name, 0)) + int(amount)
            self._save()

    def mark(self, site: str, **values: str | float) -> None:
        """Set the site's status fields (last_success, last_attempt, last_error, ...)."""
        if not values:
            return
        with self._lock:
            stored = self._counters.setdefault(site, {})
            for name, value in values.items():
                stored[name] = mark_value(name, value)
            self._save()

    def counters(self, site: str | None = None) -> dict[str, dict[str, str | int | float]]:
        """Counters of one site ({site: {...}}, empty if none) or of every site with counters."""
        with self._lock:
            sites = [site] if site is not None else sorted(self._counters)
            return {name: dict(self._counters.get(name, {})) for name in sites}

    # robots

    def robots_get(self, host: str) -> str | None:
        """The cached robots.txt text of host, or None if absent or expired."""
        with self._lock:
            entry = self._robots.get(host.lower())
            if entry is None or entry[1] <= time.time():
                return None
            return entry[0]

    def robots_put(self, host: str, text: str, ttl: float) -> None:
        """Cache the robots.txt text of host for ttl seconds (ttl <= 0 drops the entry)."""
        now = time.time()
        with self._lock:
            self._robots = {h: e for h, e in self._robots.items() if e[1] > now}  # prune expired
            if ttl <= 0:
                self._robots.pop(host.lower(), None)
            else:
                self._robots[host.lower()] = (text, now + millis(ttl) / 1000)
            self._save()
