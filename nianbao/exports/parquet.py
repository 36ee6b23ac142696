"""Parquet through pyarrow, with a declared schema, one row group per batch (memory stays flat)."""

from __future__ import annotations

import json
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from nianbao.exports.columns import COLUMNS, Kind

TYPES: dict[Kind, pa.DataType] = {
    "int": pa.int64(),
    "str": pa.string(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us", tz="UTC"),
    "json": pa.string(),  # JSON text
}


def schema(columns: list[tuple[str, Kind]]) -> pa.Schema:
    """The Parquet schema of these columns; every field nullable (a null stays null)."""
    return pa.schema([pa.field(name, TYPES[kind], nullable=True) for name, kind in columns])


SCHEMAS: dict[str, pa.Schema] = {table: schema(columns) for table, columns in COLUMNS.items()}


def _json_text(value: Any) -> str | None:
    """A JSON value as text; null stays null."""
    return None if value is None else json.dumps(value, ensure_ascii=False)


class ParquetExportWriter:
    """Writes batches of rows (dicts) as row groups of one Parquet file on a binary stream."""

    def __init__(self, stream: BinaryIO, columns: list[tuple[str, Kind]]) -> None:
        self._schema = schema(columns)
        self._json = [name for name, kind in columns if kind == "json"]
        self._writer = pq.ParquetWriter(stream, self._schema, compression="zstd")

    def write(self, rows: list[dict[str, Any]]) -> None:
        """One row group."""
        if not rows:
            return
        if self._json:
            rows = [{**row, **{k: _json_text(row.get(k)) for k in self._json}} for row in rows]
        self._writer.write_table(pa.Table.from_pylist(rows, schema=self._schema))

    def close(self) -> None:
        """Write the footer (a file with no rows still has the schema)."""
        self._writer.close()
