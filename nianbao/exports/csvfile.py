"""CSV: UTF-8 (optionally with a BOM so Excel reads it as UTF-8), a header row, RFC 4180 quoting.

Nulls are empty fields, booleans true/false, timestamps ISO 8601, JSON values as JSON text.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from datetime import date, datetime
from typing import Any, BinaryIO

from nianbao.exports.columns import Kind


def _text(value: Any) -> Any:
    """One value as CSV writes it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


class CsvWriter:
    """Writes rows (dicts) as CSV lines onto a binary stream, header first."""

    def __init__(
        self, stream: BinaryIO, columns: list[tuple[str, Kind]], bom: bool = False
    ) -> None:
        self._stream = stream
        self._names = [name for name, _ in columns]
        self._buffer = io.StringIO()
        self._csv = csv.writer(self._buffer, lineterminator="\r\n")
        if bom:
            stream.write(codecs.BOM_UTF8)
        self._csv.writerow(self._names)
        self._flush()

    def _flush(self) -> None:
        self._stream.write(self._buffer.getvalue().encode("utf-8"))
        self._buffer.seek(0)
        self._buffer.truncate()

    def write(self, rows: list[dict[str, Any]]) -> None:
        """One line per row, in the declared column order."""
        self._csv.writerows([_text(row.get(name)) for name in self._names] for row in rows)
        self._flush()

    def close(self) -> None:
        """Nothing buffered: every batch is written as it comes."""
