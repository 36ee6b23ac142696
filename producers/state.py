"""Crawl state: validators per URL, the frontier of a pass, the schedule, site locks, counters.

Two implementations of one :class:`CrawlState` protocol:

* :class:`RedisCrawlState` keeps everything in Redis, shared by every monitor and crawl worker;
  the operations that must not race (frontier dedup, claiming due sites, unlocking) are Lua
  scripts, so they are atomic across processes and hosts.
* :class:`MemoryCrawlState` is the embedded default: dicts under a lock in one process, saved to
  a JSON file after every change so that a restart resumes where it stopped. A corrupt file is an
  error naming the file (:class:`CrawlStateError`), never silently replaced: it holds the
  validators that keep the next pass cheap, and the user decides whether to fix or delete it.
  One process at a time may use the file: opening it takes an exclusive ``flock`` on
  ``FILE.lock`` (held until :meth:`~MemoryCrawlState.close`, garbage collection or exit), and a
  second process gets a :class:`CrawlStateError` saying what to do instead.

Frontier items are never lost to a crash: :meth:`~CrawlState.pop` moves the item to the site's
in-flight list (atomically), :meth:`~CrawlState.done` or :meth:`~CrawlState.requeue` takes it out
again, and :meth:`~CrawlState.begin_pass` puts whatever is still in flight (its visitor died) back
at the head of the frontier. Within a pass an item is identified by its ``"url"`` (the pass-seen
set makes URLs unique across frontier and in-flight), so ``done``/``requeue`` accept the popped
item even if the caller changed other keys (``{**item, "cut": 1}``) and work from any instance or
process, with no memory of the raw JSON that was popped.

Redis layout (``P`` is the prefix, ``nianbao:crawl`` by default)::

    P:site:SITE:urls      hash   url -> UrlState as JSON
    P:site:SITE:frontier  list   JSON items of the current pass, popped from the left (FIFO)
    P:site:SITE:inflight  list   JSON items popped and not yet done or requeued (pop order)
    P:site:SITE:seen      set    urls pushed during the current pass
    P:site:SITE:lock      string lock token (SET NX PX)
    P:site:SITE:counters  hash   counter -> JSON value (HINCRBY keeps integers valid JSON)
    P:sites               set    sites that have counters
    P:due                 zset   site -> next-due unix time
    P:robots:HOST         string robots.txt text (PX ttl)
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import tempfile
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import redis

if TYPE_CHECKING:
    from nianbao.settings import Settings

__all__ = [
    "COUNTER_FIELDS",
    "CrawlState",
    "CrawlStateError",
    "MemoryCrawlState",
    "RedisCrawlState",
    "StateRobotsCache",
    "UrlState",
    "open_state",
]

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
_FLOAT_MARKS = frozenset({"last_success", "last_attempt"})
_FILE_VERSION = 1


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
        return _dumps(asdict(self))

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


class StateRobotsCache:
    """A crawl state seen as the ``RobotsCache`` (``get``/``put``) of producers.politeness."""

    def __init__(self, state: CrawlState) -> None:
        """Wrap state."""
        self.state = state

    def get(self, host: str) -> str | None:
        """The cached robots.txt text of host, or None."""
        return self.state.robots_get(host)

    def put(self, host: str, text: str, ttl: float) -> None:
        """Cache the robots.txt text of host for ttl seconds."""
        self.state.robots_put(host, text, ttl)


# ------------------------------------------------------------------------------------ helpers


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _text(value: str | bytes) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def _item_url(item: dict[str, Any]) -> str:
    url = item.get("url") if isinstance(item, dict) else None
    if not isinstance(url, str) or not url:
        raise ValueError(f"frontier item needs a non-empty string 'url': {item!r}")
    return url


def _mark_value(name: str, value: str | float) -> str | int | float:
    if name in _FLOAT_MARKS:
        return float(value)
    if name == "last_error":
        return str(value)
    return value


def _millis(seconds: float) -> int:
    return max(1, int(seconds * 1000))


# -------------------------------------------------------------------------------------- Redis

# KEYS: seen, frontier; ARGV: url1, item1, url2, item2, ... -> 1-based indexes of items added
_PUSH = """
local added = {}
for i = 1, #ARGV, 2 do
  if redis.call('SADD', KEYS[1], ARGV[i]) == 1 then
    redis.call('RPUSH', KEYS[2], ARGV[i + 1])
    added[#added + 1] = (i + 1) / 2
  end
end
return added
"""

# KEYS: seen, frontier, inflight; ARGV: url/item pairs -> 1 if resumed, else 0.
# Resumed: items left in flight (their visitor died) go back to the head of the frontier, in
# the order they were popped; or the frontier is non-empty.
_BEGIN = """
local stranded = redis.call('LLEN', KEYS[3])
for i = 1, stranded do
  redis.call('RPOPLPUSH', KEYS[3], KEYS[2])
end
if stranded > 0 or redis.call('LLEN', KEYS[2]) > 0 then
  return 1
end
redis.call('DEL', KEYS[1])
for i = 1, #ARGV, 2 do
  if redis.call('SADD', KEYS[1], ARGV[i]) == 1 then
    redis.call('RPUSH', KEYS[2], ARGV[i + 1])
  end
end
return 0
"""

# KEYS: frontier, inflight -> the item moved from the frontier's head to in-flight, or nil
_POP = """
local raw = redis.call('LPOP', KEYS[1])
if raw then
  redis.call('RPUSH', KEYS[2], raw)
end
return raw
"""

# Removes from KEYS[1] (in-flight) the first item that is ARGV[2] exactly or whose url is ARGV[1].
_DROP_INFLIGHT = """
for _, raw in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  local match = raw == ARGV[2]
  if not match then
    local ok, item = pcall(cjson.decode, raw)
    match = ok and type(item) == 'table' and item['url'] == ARGV[1]
  end
  if match then
    redis.call('LREM', KEYS[1], 1, raw)
    break
  end
end
"""

# KEYS: inflight; ARGV: url, item
_DONE = _DROP_INFLIGHT

# KEYS: inflight, frontier; ARGV: url, item
_REQUEUE = _DROP_INFLIGHT + "redis.call('LPUSH', KEYS[2], ARGV[2])\n"

# KEYS: due zset; ARGV: now, site1, next1, site2, next2, ... -> sites claimed
_CLAIM = """
local now = tonumber(ARGV[1])
local claimed = {}
for i = 2, #ARGV, 2 do
  local score = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if (not score) or tonumber(score) <= now then
    redis.call('ZADD', KEYS[1], ARGV[i + 1], ARGV[i])
    claimed[#claimed + 1] = ARGV[i]
  end
end
return claimed
"""

# KEYS: lock; ARGV: token -> 1 if deleted
_UNLOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""

# KEYS: lock; ARGV: token, ttl in ms -> 1 if extended
_EXTEND = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""


class RedisCrawlState:
    """Crawl state in Redis, shared by every process; survives restarts as long as Redis does."""

    def __init__(
        self, client: redis.Redis, prefix: str = "nianbao:crawl", *, owns_client: bool = False
    ) -> None:
        """Use client (decode_responses either way) with keys under prefix; close it if owned."""
        self.client = client
        self.prefix = prefix
        self.owns_client = owns_client
        self._push = client.register_script(_PUSH)
        self._begin = client.register_script(_BEGIN)
        self._pop = client.register_script(_POP)
        self._done = client.register_script(_DONE)
        self._requeue = client.register_script(_REQUEUE)
        self._claim = client.register_script(_CLAIM)
        self._unlock = client.register_script(_UNLOCK)
        self._extend = client.register_script(_EXTEND)

    def _key(self, site: str, part: str) -> str:
        return f"{self.prefix}:site:{site}:{part}"

    @staticmethod
    def _pairs(items: list[dict[str, Any]]) -> list[str]:
        args: list[str] = []
        for item in items:
            args += [_item_url(item), _dumps(item)]
        return args

    def get_url(self, site: str, url: str) -> UrlState | None:
        """The stored state of url within site, or None if never fetched."""
        raw = self.client.hget(self._key(site, "urls"), url)
        return None if raw is None else UrlState.from_json(raw)

    def put_url(self, site: str, url: str, state: UrlState) -> None:
        """Store the state of url within site (replaces the previous one)."""
        self.client.hset(self._key(site, "urls"), url, state.to_json())

    def begin_pass(self, site: str, seeds: list[dict[str, Any]]) -> bool:
        """Start a pass with seeds; True = an interrupted pass resumed (seeds not re-added)."""
        keys = [self._key(site, "seen"), self._key(site, "frontier"), self._key(site, "inflight")]
        return bool(self._begin(keys=keys, args=self._pairs(seeds)))

    def push(self, site: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Add items whose "url" was not yet seen this pass; return the items added."""
        if not items:
            return []
        keys = [self._key(site, "seen"), self._key(site, "frontier")]
        added = self._push(keys=keys, args=self._pairs(items))
        return [items[int(index) - 1] for index in added]

    def pop(self, site: str) -> dict[str, Any] | None:
        """Move the next frontier item (FIFO) to in-flight and return it; None when empty."""
        raw = self._pop(keys=[self._key(site, "frontier"), self._key(site, "inflight")])
        return None if raw is None else json.loads(raw)

    def done(self, site: str, item: dict[str, Any]) -> None:
        """Drop the in-flight item with item's "url" (its visit is over); no-op if none."""
        self._done(keys=[self._key(site, "inflight")], args=[_item_url(item), _dumps(item)])

    def requeue(self, site: str, item: dict[str, Any]) -> None:
        """Put item at the head of the frontier, dropping the in-flight item with its "url"."""
        keys = [self._key(site, "inflight"), self._key(site, "frontier")]
        self._requeue(keys=keys, args=[_item_url(item), _dumps(item)])

    def end_pass(self, site: str) -> None:
        """Forget the frontier, the in-flight items and the pass-seen set of site."""
        self.client.delete(
            self._key(site, "frontier"), self._key(site, "inflight"), self._key(site, "seen")
        )

    def claim_due(self, intervals: dict[str, float], now: float | None = None) -> list[str]:
        """Atomically claim sites never scheduled or due (next-due <= now); reschedule them."""
        if not intervals:
            return []
        now = time.time() if now is None else now
        args: list[str] = [repr(float(now))]
        for site, interval in intervals.items():
            args += [site, repr(float(now + interval))]
        return [_text(site) for site in self._claim(keys=[f"{self.prefix}:due"], args=args)]

    def next_due(self, site: str) -> float | None:
        """When site is next due (unix time), or None if never scheduled."""
        score = self.client.zscore(f"{self.prefix}:due", site)
        return None if score is None else float(score)

    def set_next_due(self, site: str, when: float) -> None:
        """Schedule site for when (unix time)."""
        self.client.zadd(f"{self.prefix}:due", {site: float(when)})

    def lock_site(self, site: str, ttl: float) -> str | None:
        """Take the site's pass lock for ttl seconds: a token, or None if someone holds it."""
        token = secrets.token_hex(16)
        taken = self.client.set(self._key(site, "lock"), token, nx=True, px=_millis(ttl))
        return token if taken else None

    def unlock_site(self, site: str, token: str) -> None:
        """Release the site's lock, only if token still holds it."""
        self._unlock(keys=[self._key(site, "lock")], args=[token])

    def extend_lock(self, site: str, token: str, ttl: float) -> bool:
        """Make the site's lock expire ttl seconds from now if token holds it; False if lost."""
        return bool(self._extend(keys=[self._key(site, "lock")], args=[token, _millis(ttl)]))

    def count(self, site: str, **increments: int) -> None:
        """Add increments to the site's integer counters."""
        if not increments:
            return
        pipe = self.client.pipeline(transaction=True)
        for name, amount in increments.items():
            pipe.hincrby(self._key(site, "counters"), name, int(amount))
        pipe.sadd(f"{self.prefix}:sites", site)
        pipe.execute()

    def mark(self, site: str, **values: str | float) -> None:
        """Set the site's status fields (last_success, last_attempt, last_error, ...)."""
        if not values:
            return
        mapping = {name: _dumps(_mark_value(name, value)) for name, value in values.items()}
        pipe = self.client.pipeline(transaction=True)
        pipe.hset(self._key(site, "counters"), mapping=mapping)
        pipe.sadd(f"{self.prefix}:sites", site)
        pipe.execute()

    def counters(self, site: str | None = None) -> dict[str, dict[str, str | int | float]]:
        """Counters of one site ({site: {...}}, empty if none) or of every site with counters."""
        sites = (
            [site]
            if site is not None
            else sorted(_text(s) for s in self.client.smembers(f"{self.prefix}:sites"))
        )
        pipe = self.client.pipeline(transaction=False)
        for name in sites:
            pipe.hgetall(self._key(name, "counters"))
        result: dict[str, dict[str, str | int | float]] = {}
        for name, raw in zip(sites, pipe.execute(), strict=True):
            result[name] = {_text(k): json.loads(v) for k, v in raw.items()}
        return result

    def robots_get(self, host: str) -> str | None:
        """The cached robots.txt text of host, or None if absent or expired."""
        raw = self.client.get(f"{self.prefix}:robots:{host.lower()}")
        return None if raw is None else _text(raw)

    def robots_put(self, host: str, text: str, ttl: float) -> None:
        """Cache the robots.txt text of host for ttl seconds (ttl <= 0 drops the entry)."""
        key = f"{self.prefix}:robots:{host.lower()}"
        if ttl <= 0:
            self.client.delete(key)
        else:
            self.client.set(key, text, px=_millis(ttl))

    def close(self) -> None:
        """Close the client if this state opened it (:func:`open_state`); a given one stays open."""
        if self.owns_client:
            self.client.close()

    def __enter__(self) -> RedisCrawlState:
        """This state, closed on exit."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close this state."""
        self.close()


# ------------------------------------------------------------------------------------- memory

# The state files this process has locked: lock-file path -> [fd, instances using it, pid].
# flock belongs to an open file description, so a second open() of the lock file in this
# process would conflict with the first: instances of one process share one descriptor instead.
_file_locks: dict[str, list[int]] = {}
_file_locks_guard = threading.Lock()


def _lock_path(path: Path) -> Path:
    return path.with_suffix(path.suffix + ".lock")


def _acquire_file(path: Path) -> str:
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


def _release_file(key: str) -> None:
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
            key = _acquire_file(self.path)
            self._release = weakref.finalize(self, _release_file, key)
            with _file_locks_guard:
                fresh = _file_locks[key][1] == 1  # this process just took the file over
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
        hint = "fix it or delete it to start with an empty crawl state"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CrawlStateError(f"crawl state file {path} is unreadable ({exc}); {hint}") from exc
        if not isinstance(data, dict) or data.get("version") != _FILE_VERSION:
            raise CrawlStateError(
                f"crawl state file {path} is not a version-{_FILE_VERSION} nianbao crawl state; "
                + hint
            )
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
                f"crawl state file {path} is malformed ({type(exc).__name__}: {exc}); {hint}"
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
            "version": _FILE_VERSION,
            "urls": self._urls,
            "frontier": self._frontier,
            "inflight": self._inflight,
            "seen": {s: sorted(v) for s, v in self._seen.items()},
            "due": self._due,
            "locks": {s: list(v) for s, v in self._locks.items()},
            "counters": self._counters,
            "robots": {h: list(v) for h, v in self._robots.items()},
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out, ensure_ascii=False, separators=(",", ":"))
                out.flush()
                if force:
                    os.fsync(out.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    # urls

    def get_url(self, site: str, url: str) -> UrlState | None:
        """The stored state of url within site, or None if never fetched."""
        with self._lock:
            raw = self._urls.get(site, {}).get(url)
            return None if raw is None else UrlState.from_json(_dumps(raw))

    def put_url(self, site: str, url: str, state: UrlState) -> None:
        """Store the state of url within site (replaces the previous one)."""
        with self._lock:
            self._urls.setdefault(site, {})[url] = json.loads(state.to_json())
            self._save()

    # frontier

    def _add(self, site: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        pairs = [(_item_url(item), json.loads(_dumps(item))) for item in items]  # validate first
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
            return json.loads(_dumps(item))  # the caller's copy: in-flight keeps the original

    def done(self, site: str, item: dict[str, Any]) -> None:
        """Drop the in-flight item with item's "url" (its visit is over); no-op if none."""
        url = _item_url(item)
        with self._lock:
            if any(held.get("url") == url for held in self._inflight.get(site, [])):
                self._drop_inflight(site, url)
                self._save()

    def requeue(self, site: str, item: dict[str, Any]) -> None:
        """Put item at the head of the frontier, dropping the in-flight item with its "url"."""
        url, copy = _item_url(item), json.loads(_dumps(item))
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
            self._locks[site] = (token, now + _millis(ttl) / 1000)
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
            self._locks[site] = (token, now + _millis(ttl) / 1000)
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
                stored[name] = _mark_value(name, value)
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
                self._robots[host.lower()] = (text, now + _millis(ttl) / 1000)
            self._save()


# --------------------------------------------------------------------------------------- open


def open_state(settings: Settings, *, read_only: bool = False) -> CrawlState:
    """The crawl state the settings call for: Redis if configured, else the (locked) JSON file.

    read_only opens the JSON file without its lock, for readers (status, metrics) that run next
    to an embedded crawler; it changes nothing for Redis.
    """
    url = settings.crawl_state_url
    if (
        not url
        and settings.broker_url
        and settings.broker_url.startswith(("redis://", "rediss://"))
    ):
        url = settings.broker_url
    if url:
        client = redis.Redis.from_url(
            url, decode_responses=True, socket_timeout=30, socket_connect_timeout=10
        )
        return RedisCrawlState(client, owns_client=True)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return MemoryCrawlState(settings.data_dir / "crawl-state.json", read_only=read_only)
