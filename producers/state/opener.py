"""Which crawl state a process uses: Redis when one is configured, else the JSON file."""

from __future__ import annotations

from typing import TYPE_CHECKING

import redis

from producers.state.memory_backend import MemoryCrawlState
from producers.state.protocol import CrawlState
from producers.state.redis_backend import RedisCrawlState

if TYPE_CHECKING:
    from nianbao.settings import Settings


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
