"""Raw page bodies in an object store, content-addressed by their sha256 (stored once)."""

from __future__ import annotations

import hashlib

from nianbao.storage.objects.base import ObjectStore


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
