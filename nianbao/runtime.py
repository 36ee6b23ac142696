"""The process's adapters, built once from the settings: repository and object store.

Worker processes are forked from the Celery parent, so `reset()` runs after each fork:
a database connection pool must never be shared across processes.
"""

from __future__ import annotations

from functools import lru_cache

from nianbao.settings import get_settings
from nianbao.storage.migrate import upgrade
from nianbao.storage.objects import ObjectStore, S3ObjectStore, open_store
from nianbao.storage.repository import Repository, make_engine


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


def reset() -> None:
    """Forget the adapters (after a fork, or when tests change the settings)."""
    if repository.cache_info().currsize:
        repository().engine.dispose(close=False)
    repository.cache_clear()
    object_store.cache_clear()
