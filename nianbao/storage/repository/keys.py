"""How stored things are keyed: a URL's index key and a version's archive key."""

from __future__ import annotations

import hashlib


def url_key(url: str) -> str:
    """Bounded index key of a URL (URLs can be longer than a btree row allows)."""
    return hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()


def archive_key(fingerprint: str, figures: str | None = None) -> str:
    """Object-store key of a version's archived record.

    A version's exact key names it; a later version that shares the exact key with an earlier
    one (same text, other figures) adds its figures digest, so no key ever holds two records.
    """
    suffix = f".{figures}" if figures else ""
    return f"records/{fingerprint[:2]}/{fingerprint}{suffix}.json"
