"""JSON Lines: one object per line, UTF-8, nested values kept nested."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, BinaryIO


def _default(value: Any) -> Any:
    """Dates and timestamps as ISO 8601."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


class JsonlWriter:
    """Writes rows (dicts) as JSON lines onto a binary stream."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream

    def write(self, rows: list[dict[str, Any]]) -> None:
        """One line per row."""
        text = "".join(json.dumps(row, ensure_ascii=False, default=_default) + "\n" for row in rows)
        self._stream.write(text.encode("utf-8"))

    def close(self) -> None:
        """Nothing buffered: every batch is written as it comes."""
