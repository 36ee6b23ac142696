"""The Redis crawl state: shared by every monitor and crawl worker, on any host.

Layout (``P`` is the prefix, ``nianbao:crawl`` by default)::

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

import json
import secrets
import time
from typing import Any

import redis

from producers.state.codec import as_text, dumps, item_url, mark_value, millis
from producers.state.protocol import UrlState
from producers.state.redis_scripts import BEGIN, CLAIM, DONE, EXTEND, POP, PUSH, REQUEUE, UNLOCK


class RedisCrawlState:
    """Crawl state in Redis, shared by every process; survives restarts as long as Redis does."""

    def __init__(
        self, client: redis.Redis, prefix: str = "nianbao:crawl", *, owns_client: bool = False
    ) -> None:
        """Use client (decode_responses either way) with keys under prefix; close it if owned."""
        self.client = client
        self.prefix = prefix
        self.owns_client = owns_client
        self._push = client.register_script(PUSH)
        self._begin = client.register_script(BEGIN)
        self._pop = client.register_script(POP)
        self._done = client.register_script(DONE)
        self._requeue = client.register_script(REQUEUE)
        self._claim = client.register_script(CLAIM)
        self._unlock = client.register_script(UNLOCK)
        self._extend = client.register_script(EXTEND)

    def _key(self, site: str, part: str) -> str:
        return f"{self.prefix}:site:{site}:{part}"

    @staticmethod
    def _pairs(items: list[dict[str, Any]]) -> list[str]:
        args: list[str] = []
        for item in items:
            args += [item_url(item), dumps(item)]
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
        self._done(keys=[self._key(site, "inflight")], args=[item_url(item), dumps(item)])

    def requeue(self, site: str, item: dict[str, Any]) -> None:
        """Put item at the head of the frontier, dropping the in-flight item with its "url"."""
        keys = [self._key(site, "inflight"), self._key(site, "frontier")]
        self._requeue(keys=keys, args=[item_url(item), dumps(item)])

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
        return [as_text(site) for site in self._claim(keys=[f"{self.prefix}:due"], args=args)]

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
        taken = self.client.set(self._key(site, "lock"), token, nx=True, px=millis(ttl))
        return token if taken else None

    def unlock_site(self, site: str, token: str) -> None:
        """Release the site's lock, only if token still holds it."""
        self._unlock(keys=[self._key(site, "lock")], args=[token])

    def extend_lock(self, site: str, token: str, ttl: float) -> bool:
        """Make the site's lock expire ttl seconds from now if token holds it; False if lost."""
        return bool(self._extend(keys=[self._key(site, "lock")], args=[token, millis(ttl)]))

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
        mapping = {name: dumps(mark_value(name, value)) for name, value in values.items()}
        pipe = self.client.pipeline(transaction=True)
        pipe.hset(self._key(site, "counters"), mapping=mapping)
        pipe.sadd(f"{self.prefix}:sites", site)
        pipe.execute()

    def counters(self, site: str | None = None) -> dict[str, dict[str, str | int | float]]:
        """Counters of one site ({site: {...}}, empty if none) or of every site with counters."""
        sites = (
            [site]
            if site is not None
            else sorted(as_text(s) for s in self.client.smembers(f"{self.prefix}:sites"))
        )
        pipe = self.client.pipeline(transaction=False)
        for name in sites:
            pipe.hgetall(self._key(name, "counters"))
        result: dict[str, dict[str, str | int | float]] = {}
        for name, raw in zip(sites, pipe.execute(), strict=True):
            result[name] = {as_text(k): json.loads(v) for k, v in raw.items()}
        return result

    def robots_get(self, host: str) -> str | None:
        """The cached robots.txt text of host, or None if absent or expired."""
        raw = self.client.get(f"{self.prefix}:robots:{host.lower()}")
        return None if raw is None else as_text(raw)

    def robots_put(self, host: str, text: str, ttl: float) -> None:
        """Cache the robots.txt text of host for ttl seconds (ttl <= 0 drops the entry)."""
        key = f"{self.prefix}:robots:{host.lower()}"
        if ttl <= 0:
            self.client.delete(key)
        else:
            self.client.set(key, text, px=millis(ttl))

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
