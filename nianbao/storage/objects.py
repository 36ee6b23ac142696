"""The object store: raw pages (content-addressed by sha256) and archived records.

Two backends behind one small interface: a local directory (the embedded default) and S3
through boto3 (AWS, MinIO, or any endpoint URL).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from nianbao.settings import Settings

_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-/]{0,1000}$")


class ObjectNotFound(KeyError):
    """No object under that key."""


class ObjectStore(Protocol):
    """Where bytes live outside the database and the queue."""

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        """Store data under key, replacing what was there."""
        ...

    def get(self, key: str) -> bytes:
        """The bytes under key; raises ObjectNotFound."""
        ...

    def exists(self, key: str) -> bool:
        """Whether key holds an object."""
        ...

    def keys(self, prefix: str = "") -> Iterator[str]:
        """Every key that starts with prefix."""
        ...

    def delete(self, key: str) -> None:
        """Remove the object under key, if any."""
        ...

    def location(self, key: str = "") -> str:
        """Where a person finds the object (a path or an s3:// URL)."""
        ...


def _check_key(key: str) -> str:
    if not _KEY.fullmatch(key) or ".." in key.split("/"):
        raise ValueError(f"invalid object key {key!r}")
    return key


def raw_key(sha256: str) -> str:
    """Content-addressed key of a raw page body."""
    return f"raw/{sha256[:2]}/{sha256}"


def put_raw(store: ObjectStore, body: bytes) -> tuple[str, str]:
    """Store a raw body once under its sha256; returns (sha256, key)."""
    digest = hashlib.sha256(body).hexdigest()
    key = raw_key(digest)
    if not store.exists(key):
        store.put(key, body)
    return digest, key


class LocalObjectStore:
    """Objects as files under a directory; writes are atomic (temp file + rename)."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.root / _check_key(key)

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise ObjectNotFound(key) from None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def keys(self, prefix: str = "") -> Iterator[str]:
        folder = self.root / prefix.rsplit("/", 1)[0] if "/" in prefix else self.root
        if not folder.is_dir():
            return
        for path in sorted(folder.rglob("*")):
            key = path.relative_to(self.root).as_posix()
            if path.is_file() and not path.name.startswith(".tmp-") and key.startswith(prefix):
                yield key

    def location(self, key: str = "") -> str:
        return str(self.root / key) if key else str(self.root)


class S3ObjectStore:
    """Objects in an S3 bucket through boto3, with botocore's standard retry mode."""

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        prefix: str = "",
    ) -> None:
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            config=Config(
                retries={"max_attempts": 4, "mode": "standard"},
                connect_timeout=5,
                read_timeout=30,
            ),
        )

    def _key(self, key: str) -> str:
        return self.prefix + _check_key(key)

    def ensure_bucket(self) -> None:
        """Create the bucket if it does not exist (for MinIO and tests; AWS buckets pre-exist)."""
        from botocore.exceptions import ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError:
            self.client.create_bucket(Bucket=self.bucket)

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        self.client.put_object(
            Bucket=self.bucket, Key=self._key(key), Body=data, ContentType=content_type
        )

    def get(self, key: str) -> bytes:
        from botocore.exceptions import ClientError

        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                raise ObjectNotFound(key) from None
            raise
        return response["Body"].read()

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404", "NotFound"}:
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def keys(self, prefix: str = "") -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + prefix):
            for item in page.get("Contents", []):
                yield item["Key"][len(self.prefix) :]

    def location(self, key: str = "") -> str:
        return f"s3://{self.bucket}/{self.prefix}{key}"


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
