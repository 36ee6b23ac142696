"""The object store: raw pages (content-addressed by sha256) and archived records.

Two backends behind one small protocol (`base`), one module each: a local directory (the
embedded default, `local`) and S3 through boto3 (AWS, MinIO, or any endpoint URL, `s3`).
"""

from __future__ import annotations

from nianbao.settings import Settings
from nianbao.storage.objects.base import ObjectNotFound, ObjectStore
from nianbao.storage.objects.local import LocalObjectStore
from nianbao.storage.objects.raw import put_raw, raw_key
from nianbao.storage.objects.s3 import S3ObjectStore

__all__ = [
    "LocalObjectStore",
    "ObjectNotFound",
    "ObjectStore",
    "S3ObjectStore",
    "open_store",
    "put_raw",
    "raw_key",
]


def open_store(settings: Settings) -> ObjectStore:
    """The object store the settings name."""
    if settings.object_store == "s3":
        store = S3ObjectStore(
            settings.s3_bucket,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            prefix=settings.s3_prefix,
        )
        return store
    return LocalObjectStore(settings.data_dir / "objects")
