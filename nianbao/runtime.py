"""The process's adapters, built once from the settings: repository and object store.

Worker processes are forked from the Celery parent, so `reset()` runs after each fork:
a database connection pool must never be shared across processes.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from nianbao.settings import get_settings
from nianbao.storage.migrate import upgrade
from nianbao.storage.objects import ObjectStore, S3ObjectStore, open_store
from nianbao.storage.repository import Repository, make_engine

if TYPE_CHECKING:
    from producers.crawler import SiteCrawler
    from producers.state import CrawlState


@lru_cache(maxsize=1)
def repository() -> Repository:
    """The repository on the configured database, migrated to the newest schema."""
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.effective_database_url)
    upgrade(engine)
    return Repository(engine)


@lru_cache(maxsize=1)
def object_store() -> ObjectStore:
    """The configured object store (its bucket created if missing)."""
    store = open_store(get_settings())
    if isinstance(store, S3ObjectStore):
        store.ensure_bucket()
    return store


@lru_cache(maxsize=1)
def crawl_state() -> CrawlState:
    """Crawl state: Redis when configured (shared by every crawler process), else a local file."""
    from producers.state import open_state

    return open_state(get_settings())


@lru_cache(maxsize=1)
def crawler() -> SiteCrawler:
    """The crawler: guarded fetcher, host gate shared through the crawl state's Redis if any."""
    from producers.crawler import CrawlDefaults, SiteCrawler
    from producers.fetch import Fetcher
    from producers.politeness import LocalHostGate, RedisHostGate
    from producers.publish import publish, quarantine_unfetchable
    from producers.state import RedisCrawlState

    settings = get_settings()
    state = crawl_state()
    gate = (
        RedisHostGate(state.client, prefix=state.prefix)
        if isinstance(state, RedisCrawlState)
        else LocalHostGate()
    )
    return SiteCrawler(
        state,
        Fetcher(gate),
        publish=publish,
        quarantine=quarantine_unfetchable,
        defaults=CrawlDefaults(
            user_agent=settings.crawl_user_agent, max_body_bytes=settings.max_body_bytes
        ),
    )


def reset() -> None:
    """Forget the adapters (after a fork, or when tests change the settings)."""
    if repository.cache_info().currsize:
        repository().engine.dispose(close=False)
    repository.cache_clear()
    object_store.cache_clear()
    if crawler.cache_info().currsize:
        crawler().fetcher.close()
    crawler.cache_clear()
    if crawl_state.cache_info().currsize:
        crawl_state().close()  # the embedded state file's lock, at once
    crawl_state.cache_clear()
