"""How crawl state values are encoded: compact JSON, frontier item urls, status fields, ttls.

Shared by every backend so that Redis and the JSON file store the same values the same way.
"""

from __future__ import annotations

import json
from typing import Any

_FLOAT_MARKS = frozenset({"last_success", "last_attempt"})


def dumps(value: Any) -> str:
    """Compact JSON, non-ASCII kept as is."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def as_text(value: str | bytes) -> str:
    """value as str (a Redis reply may be bytes or str)."""
    return value.decode("utf-8") if isinstance(value, bytes) else value


def item_url(item: dict[str, Any]) -> str:
    """The "url" of a frontier item (ValueError if it has none)."""
    url = item.get("url") if isinstance(item, dict) else None
    if not isinstance(url, str) or not url:
        raise ValueError(f"frontier item needs a non-empty string 'url': {item!r}")
    return url


def mark_value(name: str, value: str | float) -> str | int | float:
    """A status field as stored: times as floats, the last error as text."""
    if name in _FLOAT_MARKS:
        return float(value)
    if name == "last_error":
        return str(value)
    return value


def millis(seconds: float) -> int:
    """A ttl in whole milliseconds, at least one."""
    return max(1, int(seconds * 1000))
