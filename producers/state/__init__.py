"""Crawl state: validators per URL, the frontier of a pass, the schedule, site locks, counters.

Two implementations of one :class:`CrawlState` protocol (:mod:`.protocol`):

* :class:`RedisCrawlState` (:mod:`.redis_backend`) keeps everything in Redis, shared by every
  monitor and crawl worker; the operations that must not race (frontier dedup, claiming due
  sites, unlocking) are Lua scripts (:mod:`.redis_scripts`), atomic across processes and hosts.
* :class:`MemoryCrawlState` (:mod:`.memory_backend`) is the embedded default: dicts under a lock
  in one process, saved to a JSON file (:mod:`.state_file`) after every change so that a restart
  resumes where it stopped. A corrupt file is an error naming the file (:class:`CrawlStateError`),
  never silently replaced. One process at a time may use the file: opening it takes an exclusive
  ``flock`` on ``FILE.lock`` (:mod:`.file_lock`), and a second process gets a
  :class:`CrawlStateError` saying what to do instead.

:func:`open_state` (:mod:`.opener`) picks one from the settings; :class:`StateRobotsCache`
(:mod:`.robots_cache`) lends a state to producers.politeness as its robots.txt cache.
"""

from producers.state.memory_backend import MemoryCrawlState
from producers.state.opener import open_state
from producers.state.protocol import COUNTER_FIELDS, CrawlState, CrawlStateError, UrlState
from producers.state.redis_backend import RedisCrawlState
from producers.state.robots_cache import StateRobotsCache

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
