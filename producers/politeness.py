"""Politeness toward crawled hosts: a per-host gate (delay, concurrency, back-off) and robots.txt.

:class:`RedisHostGate` is shared by every crawler process (one atomic Lua script per attempt, the
Redis server clock, leases so a killed process frees its slot); :class:`LocalHostGate` gives the
same semantics to the threads of one process (the embedded default). :class:`Robots` answers
"may we fetch this URL" from robots.txt, cached in a shared :class:`RobotsCache` (the crawl state)
and briefly in-process.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from protego import Protego

if TYPE_CHECKING:
    import redis

__all__ = [
    "DISALLOW_ALL",
    "HostGate",
    "LocalHostGate",
    "MemoryRobotsCache",
    "RedisHostGate",
    "Robots",
    "RobotsCache",
    "robots_key",
]

log = logging.getLogger(__name__)

# A slot is leased, so a killed process frees it: longer than the longest request a fetch allows
# (producers.fetch caps a request at 6 × its timeout, and a site's timeout at 60 s).
LEASE = 400.0
IDLE_GRACE = 60.0  # seconds a host's gate state outlives its last lease/delay/back-off


class HostBusy(Exception):
    """A host cannot take a request within the caller's wait limit (a long back-off)."""

    def __init__(self, host: str, wait: float) -> None:
        super().__init__(f"{host} takes no request for another {wait:.1f}s")
        self.host = host
        self.wait = wait


class RobotsDeferred(Exception):
    """robots.txt could not be fetched in the time the caller had: decide later, cache nothing."""


class HostGate(Protocol):
    """Per-host admission: delay between request starts, requests in flight, back-off."""

    def slot(
        self, host: str, *, delay: float, concurrency: int, max_wait: float | None = None
    ) -> AbstractContextManager[None]:
        """Block until a request to host may start (delay, concurrency, back-off); hold it.

        Raises HostBusy instead of waiting when the wait would exceed `max_wait` seconds.
        """
        ...

    def back_off(self, host: str, seconds: float) -> None:
        """No request to host starts before now + seconds (an earlier back-off never shortens)."""
        ...


def _ms(seconds: float) -> int:
    return max(0, round(seconds * 1000))


def _ttl(lease: float, delay: float) -> float:
    return max(lease, delay) + IDLE_GRACE


# KEYS[1] host hash (fields: next = earliest start incl. back-off, last = last start), KEYS[2]
# slots zset (token -> lease expiry). ARGV: token, delay ms, lease ms, concurrency, poll ms, ttl ms.
# Returns 0 when the slot was taken, else the milliseconds to wait before trying again.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local delay = tonumber(ARGV[2])
local lease = tonumber(ARGV[3])
local concurrency = tonumber(ARGV[4])
local poll = tonumber(ARGV[5])
local ttl = tonumber(ARGV[6])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local nxt = tonumber(redis.call('HGET', KEYS[1], 'next') or '0')
local last = redis.call('HGET', KEYS[1], 'last')
local ready = nxt
if last then ready = math.max(ready, tonumber(last) + delay) end
if now < ready then return ready - now end
if redis.call('ZCARD', KEYS[2]) >= concurrency then
  local first = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  return math.max(1, math.min(poll, tonumber(first[2]) - now))
end
redis.call('ZADD', KEYS[2], now + lease, ARGV[1])
redis.call('HSET', KEYS[1], 'last', now, 'next', math.max(nxt, now + delay))
for i = 1, 2 do
  if redis.call('PTTL', KEYS[i]) < ttl then redis.call('PEXPIRE', KEYS[i], ttl) end
end
return 0
"""

# KEYS[1] host hash. ARGV: back-off ms, ttl ms. next = max(next, now + back-off).
_BACK_OFF = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local want = now + tonumber(ARGV[1])
local nxt = tonumber(redis.call('HGET', KEYS[1], 'next') or '0')
if want > nxt then redis.call('HSET', KEYS[1], 'next', want) end
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return want
"""


class RedisHostGate:
    """The host gate shared by every crawler process, on any machine: state and clock in Redis."""

    def __init__(
        self,
        client: redis.Redis,
        *,
        prefix: str = "nianbao:crawl",
        lease: float = LEASE,
        sleep: Callable[[float], None] = time.sleep,
        poll: float = 0.05,
    ) -> None:
        """Gate on client's server; a slot never released is freed after lease seconds."""
        if lease <= 0 or poll <= 0:
            raise ValueError("lease and poll must be positive")
        self._client = client
        self._prefix = prefix
        self._lease = lease
        self._sleep = sleep
        self._poll = poll
        self._acquire = client.register_script(_ACQUIRE)
        self._back_off = client.register_script(_BACK_OFF)

    def _keys(self, host: str) -> list[str]:
        # the {host} hash tag keeps both keys in one Redis Cluster slot (one script touches both)
        base = f"{self._prefix}:host:{{{host.lower()}}}"
        return [base, f"{base}:slots"]

    def try_acquire(self, host: str, token: str, *, delay: float, concurrency: int) -> float:
        """One atomic attempt: 0.0 when token now holds a slot, else the seconds to wait."""
        args = [
            token,
            _ms(delay),
            _ms(self._lease),
            max(1, int(concurrency)),
            max(1, _ms(self._poll)),
            _ms(_ttl(self._lease, delay)),
        ]
        return int(self._acquire(keys=self._keys(host), args=args)) / 1000

    def release(self, host: str, token: str) -> None:
        """Give token's slot back."""
        self._client.zrem(self._keys(host)[1], token)

    @contextlib.contextmanager
    def slot(
        self, host: str, *, delay: float, concurrency: int, max_wait: float | None = None
    ) -> Iterator[None]:
        """Block until a request to host may start; hold a slot (a leased token) until exit."""
        token = uuid.uuid4().hex
        limit = None if max_wait is None else time.monotonic() + max_wait
        try:
            while wait := self.try_acquire(host, token, delay=delay, concurrency=concurrency):
                if limit is not None and time.monotonic() + wait > limit:
                    raise HostBusy(host, wait)
                self._sleep(max(wait, 0.001))
        except BaseException:
            # the script may have run although its reply was lost: free a possibly held slot
            with contextlib.suppress(Exception):
                self.release(host, token)
            raise
        try:
            yield
        finally:
            try:
                self.release(host, token)
            except Exception:  # the lease frees it; do not mask the caller's outcome
                log.warning("could not release slot for %s; its lease will expire", host)

    def back_off(self, host: str, seconds: float) -> None:
        """No request to host starts before now + seconds (Redis clock); never shortens."""
        ms = _ms(seconds)
        self._back_off(keys=self._keys(host)[:1], args=[ms, _ms(seconds + IDLE_GRACE)])


@dataclass
class _HostState:
    next: float = 0.0  # earliest start (delay of the last start, back-off)
    last: float | None = None  # last start
    slots: dict[str, float] = field(default_factory=dict)  # token -> lease expiry
    expires: float = 0.0  # forgotten after this when idle


class LocalHostGate:
    """The host gate for the threads of one process (embedded default); same rules as Redis."""

    def __init__(
        self,
        *,
        lease: float = LEASE,
        poll: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Gate in this process; a slot never released is freed after lease seconds."""
        if lease <= 0 or poll <= 0:
            raise ValueError("lease and poll must be positive")
        self._lease = lease
        self._poll = poll
        self._clock = clock
        self._cond = threading.Condition()
        self._hosts: dict[str, _HostState] = {}

    def _state(self, host: str, now: float) -> _HostState:
        if len(self._hosts) > 1024:
            for name in [h for h, s in self._hosts.items() if not s.slots and s.expires < now]:
                del self._hosts[name]
        return self._hosts.setdefault(host, _HostState())

    def _try(self, host: str, token: str, delay: float, concurrency: int) -> float:
        now = self._clock()
        state = self._state(host, now)
        for held, until in list(state.slots.items()):
            if until <= now:
                del state.slots[held]
        ready = state.next if state.last is None else max(state.next, state.last + delay)
        if now < ready:
            return ready - now
        if len(state.slots) >= max(1, concurrency):
            return max(0.001, min(self._poll, min(state.slots.values()) - now))
        state.slots[token] = now + self._lease
        state.last = now
        state.next = max(state.next, now + delay)
        state.expires = max(state.expires, now + _ttl(self._lease, delay))
        return 0.0

    @contextlib.contextmanager
    def slot(
        self, host: str, *, delay: float, concurrency: int, max_wait: float | None = None
    ) -> Iterator[None]:
        """Block until a request to host may start; hold a slot until exit."""
        host = host.lower()
        token = uuid.uuid4().hex
        limit = None if max_wait is None else self._clock() + max_wait
        with self._cond:
            while wait := self._try(host, token, delay, concurrency):
                if limit is not None and self._clock() + wait > limit:
                    raise HostBusy(host, wait)
                self._cond.wait(wait)
        try:
            yield
        finally:
            with self._cond:
                self._hosts[host].slots.pop(token, None)
                self._cond.notify_all()

    def back_off(self, host: str, seconds: float) -> None:
        """No request to host starts before now + seconds; never shortens."""
        with self._cond:
            now = self._clock()
            state = self._state(host.lower(), now)
            state.next = max(state.next, now + max(0.0, seconds))
            state.expires = max(state.expires, now + seconds + IDLE_GRACE)


# ---------------------------------------------------------------------------------------------
# robots.txt

# What the cache holds when robots.txt forbids everything for now (401/403, 5xx, network error):
# a marker that is itself a valid robots.txt, so anyone reading the cache understands it.
DISALLOW_ALL = (
    "# nianbao: robots.txt unavailable or forbidden: disallow all\nUser-agent: *\nDisallow: /\n"
)
# robots.txt that could not be read (5xx, 429, network failure): RFC 9309 says assume complete
# disallow. Its own text, so a crawler can tell "forbidden" from "unreachable, try later".
UNREACHABLE = (
    "# nianbao: robots.txt unreachable (server error or network failure): disallow all for now\n"
    "User-agent: *\nDisallow: /\n"
)
MAX_ROBOTS_CHARS = 512 * 1024  # like Google: rules past 500 KiB are ignored
_DEFAULT_PORTS = {"http": 80, "https": 443}


class RobotsCache(Protocol):
    """Shared robots.txt texts by origin (the crawl state in producers/state/ implements it)."""

    def get(self, host: str) -> str | None:
        """The cached text for origin, or None if absent or expired."""
        ...

    def put(self, host: str, text: str, ttl: float) -> None:
        """Cache text for origin for ttl seconds."""
        ...


class MemoryRobotsCache:
    """A RobotsCache in a dict, for tests and one process."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        """An empty cache timed by clock."""
        self._clock = clock
        self._lock = threading.Lock()
        self._items: dict[str, tuple[str, float]] = {}

    def get(self, host: str) -> str | None:
        """The text for origin unless expired."""
        with self._lock:
            item = self._items.get(host)
            if item is None:
                return None
            if item[1] <= self._clock():
                del self._items[host]
                return None
            return item[0]

    def put(self, host: str, text: str, ttl: float) -> None:
        """Store text for origin for ttl seconds."""
        with self._lock:
            self._items[host] = (text, self._clock() + ttl)


def robots_key(url: str) -> tuple[str, str]:
    """(cache key "scheme://host:port", robots.txt URL) for url's origin."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if scheme not in _DEFAULT_PORTS or not host:
        raise ValueError(f"not an http(s) URL: {url!r}")
    port = parts.port or _DEFAULT_PORTS[scheme]
    name = f"[{host}]" if ":" in host else host
    netloc = name if port == _DEFAULT_PORTS[scheme] else f"{name}:{port}"
    return f"{scheme}://{name}:{port}", f"{scheme}://{netloc}/robots.txt"


class Robots:
    """May we fetch a URL? robots.txt per origin, from the shared cache or fetched once."""

    def __init__(
        self,
        cache: RobotsCache,
        fetch: Callable[[str], tuple[int, str]],
        *,
        ttl: float = 86400,
        error_ttl: float = 300,
        local_ttl: float = 60,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """fetch(robots_url) -> (status, text) must not consult robots itself; it may raise."""
        self._cache = cache
        self._fetch = fetch
        self._ttl = ttl
        self._error_ttl = error_ttl
        self._local_ttl = local_ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._key_locks: dict[str, threading.Lock] = {}
        self._parsed: dict[str, tuple[Protego, float]] = {}
        self._unreachable: set[str] = set()

    def allowed(self, url: str, user_agent: str) -> bool:
        """True if robots.txt lets user_agent fetch url (unreachable robots.txt: not for now)."""
        return bool(self.rules(url).can_fetch(url, user_agent))

    def unreachable(self, url: str) -> bool:
        """True if url's robots.txt could not be read just now (the disallow is provisional)."""
        key, _ = robots_key(url)
        self.rules(url)
        with self._lock:
            return key in self._unreachable

    def crawl_delay(self, url: str, user_agent: str) -> float | None:
        """The Crawl-delay robots.txt asks of user_agent on url's origin, if any."""
        delay = self.rules(url).crawl_delay(user_agent)
        return None if delay is None else float(delay)

    def rules(self, url: str) -> Protego:
        """The parsed robots.txt of url's origin (in-process, else shared cache, else fetched)."""
        key, robots_url = robots_key(url)
        if (hit := self._local(key)) is not None:
            return hit
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:  # one fetch per origin at a time; other origins proceed
            if (hit := self._local(key)) is not None:
                return hit
            text = self._cache.get(key)
            if text is None:
                text, ttl = self._download(robots_url)
                self._cache.put(key, text, ttl)
            else:
                ttl = self._local_ttl
            parsed = Protego.parse(text)
            now = self._clock()
            with self._lock:
                if text == UNREACHABLE:
                    self._unreachable.add(key)
                else:
                    self._unreachable.discard(key)
                if len(self._parsed) > 1024:
                    self._parsed = {k: v for k, v in self._parsed.items() if v[1] > now}
                self._parsed[key] = (parsed, now + min(ttl, self._local_ttl))
            return parsed

    def _local(self, key: str) -> Protego | None:
        with self._lock:
            item = self._parsed.get(key)
        return item[0] if item is not None and item[1] > self._clock() else None

    def _download(self, robots_url: str) -> tuple[str, float]:
        """(text to cache, its ttl) by the HTTP outcome of robots_url."""
        try:
            status, text = self._fetch(robots_url)
        except (OSError, ValueError, RuntimeError) as exc:  # not a task's time limit: that flies
            log.warning("robots.txt %s unreachable (%s): disallowing for now", robots_url, exc)
            return UNREACHABLE, self._error_ttl
        if 200 <= status < 300:
            return text[:MAX_ROBOTS_CHARS], self._ttl
        if status in (401, 403):
            return DISALLOW_ALL, self._ttl
        if 400 <= status < 500 and status != 429:
            return "", self._ttl
        log.warning("robots.txt %s answered %s: disallowing for now", robots_url, status)
        return UNREACHABLE, self._error_ttl
