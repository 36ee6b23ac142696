"""The object-store contract: the protocol every backend keeps, its error, and its key rule."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Protocol

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


def check_key(key: str) -> str:
    """The key itself if every backend can hold it; raises ValueError otherwise."""
    if not _KEY.fullmatch(key) or ".." in key.split("/"):
        raise ValueError(f"invalid object key {key!r}")
    return key
