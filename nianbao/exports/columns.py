"""The declared columns of each flat export (CSV, Parquet): name and kind, in order.

The kinds are the Parquet types (`parquet.SCHEMAS`); CSV writes the same columns as text. A
null stays null in every format: an empty CSV field, a Parquet null, never 0.
"""

from __future__ import annotations

from typing import Literal

Kind = Literal["int", "str", "float", "bool", "date", "timestamp", "json"]

_DIVISIONS: list[tuple[str, Kind]] = [
    ("province", "str"),
    ("city", "str"),
    ("county", "str"),
    ("division_code", "str"),
    ("province_code", "str"),
    ("city_code", "str"),
    ("county_code", "str"),
]

COLUMNS: dict[str, list[tuple[str, Kind]]] = {
    "reports": [
        ("id", "int"),
        ("year", "int"),
        ("format", "str"),
        ("level", "str"),
        ("agency", "str"),
        ("title", "str"),
        *_DIVISIONS,
        ("is_report", "bool"),
        ("published_on", "date"),
        ("current_version", "int"),
        ("repetition_vs_previous_year", "float"),
        ("previous_year_report_id", "int"),
        ("fingerprint", "str"),
        ("created_at", "timestamp"),
        ("updated_at", "timestamp"),
    ],
    "indicators": [
        ("id", "int"),
        ("report_id", "int"),
        ("year", "int"),
        ("format", "str"),
        ("agency", "str"),
        *_DIVISIONS,
        ("table", "str"),
        ("position", "int"),
        ("row", "str"),
        ("row_code", "str"),
        ("column", "str"),
        ("column_code", "str"),
        ("unit", "str"),
        ("value", "float"),
        ("raw", "str"),
        ("semantics", "str"),
    ],
    "sources": [
        ("id", "int"),
        ("report_id", "int"),
        ("version", "int"),
        ("url", "str"),
        ("final_url", "str"),
        ("site_id", "str"),
        ("page_sha256", "str"),
        ("raw_ref", "str"),
        ("decision", "str"),
        ("similarity", "float"),
        ("method", "str"),
        ("differences", "json"),
        ("first_seen", "timestamp"),
        ("last_seen", "timestamp"),
    ],
}
