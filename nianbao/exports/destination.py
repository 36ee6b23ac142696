"""Where an export goes: stdout, a local file (written whole or not at all), or S3.

A local file is written beside its final name and renamed into place when complete, so a reader
never sees half an export. S3: the file is written to a temporary file, then uploaded with
boto3's managed (multipart for large files) upload, through the project's S3 settings.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from nianbao.settings import Settings


@dataclass(frozen=True, slots=True)
class Destination:
    """One export target: `location` names it for people (a path, an s3:// URL, or stdout)."""

    location: str
    path: Path | None = None  # local file
    bucket: str | None = None  # S3
    key: str | None = None

    @property
    def is_stdout(self) -> bool:
        """True when the export goes to standard output."""
        return self.path is None and self.bucket is None


def resolve(target: str | None, default_name: str) -> Destination:
    """The destination `--out` names: nothing (stdout), s3://bucket/prefix, a directory, a file.

    An S3 URL whose key does not end with the format's extension is a prefix, and a local path
    that is a directory or ends with `/` a directory: the file in it is named `default_name`.
    """
    if target is None or target == "-":
        return Destination("stdout")
    extension = Path(default_name).suffix
    if target.startswith("s3://"):
        bucket, _, key = target[len("s3://") :].partition("/")
        if not bucket:
            raise ValueError(f"no bucket in {target!r}: s3://bucket/prefix")
        if not key.endswith(extension):
            key = f"{key.rstrip('/')}/{default_name}".lstrip("/")
        return Destination(f"s3://{bucket}/{key}", bucket=bucket, key=key)
    path = Path(target)
    if target.endswith(("/", os.sep)) or path.is_dir():
        path = path / default_name
    return Destination(str(path), path=path)


@contextlib.contextmanager
def opened(destination: Destination, settings: Settings) -> Iterator[BinaryIO]:
    """A binary stream onto the destination; the file appears only when the block succeeds."""
    if destination.is_stdout:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
    elif destination.path is not None:
        yield from _local(destination.path)
    else:
        yield from _s3(destination, settings)


def _local(path: Path) -> Iterator[BinaryIO]:
    """Write `path.part`, rename it to `path` when complete; remove it on failure."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    try:
        with part.open("wb") as stream:
            yield stream
        part.replace(path)
    finally:
        part.unlink(missing_ok=True)


def _s3(destination: Destination, settings: Settings) -> Iterator[BinaryIO]:
    """Spool to a temporary file, then upload it to the bucket and key."""
    from nianbao.storage.objects import S3ObjectStore

    store = S3ObjectStore(
        destination.bucket or "", endpoint_url=settings.s3_endpoint_url, region=settings.s3_region
    )
    with tempfile.TemporaryFile(prefix="nianbao-export-") as spool:
        yield spool  # type: ignore[misc]
        spool.seek(0)
        store.client.upload_fileobj(spool, destination.bucket, destination.key)
