"""Which template era (gb2019 or gb2021) the labels of the tables point to."""

from __future__ import annotations

from nianbao.core.gbtables.cells import Cell
from nianbao.core.gbtables.labels import bare, label_key
from nianbao.core.gbtables.maps import (
    ACTIVE_2019_COLUMNS,
    ACTIVE_2019_ROWS,
    ACTIVE_2021_COLUMNS,
    OTHER_2021,
    GbFormat,
)


def format_of_active(cells: list[Cell]) -> tuple[GbFormat | None, bool]:
    """The format the 主动公开 labels point to, and whether they point both ways."""
    votes = {"gb2019": 0, "gb2021": 0}
    for cell in cells:
        if cell.column_code in ACTIVE_2021_COLUMNS:
            votes["gb2021"] += 1
        if cell.column_code in ACTIVE_2019_COLUMNS or cell.row_code in ACTIVE_2019_ROWS:
            votes["gb2019"] += 1
        if cell.row_code == "normative_documents" and bare(label_key(cell.row)).startswith("行政"):
            votes["gb2021"] += 1  # plain 规范性文件 is common in 2021 reports too: no evidence
    return _vote(votes)


def format_of_applications(cells: list[Cell]) -> tuple[GbFormat | None, bool]:
    """The format the 申请 rows point to: three （六） sub-rows (2021) or one row (2019)."""
    codes = {cell.row_code for cell in cells}
    votes = {"gb2021": len(codes & set(OTHER_2021)), "gb2019": int("other_processing" in codes)}
    return _vote(votes)


def _vote(votes: dict[str, int]) -> tuple[GbFormat | None, bool]:
    """The format with more evidence (None on a tie), and whether there was evidence for both."""
    mixed = votes["gb2019"] > 0 and votes["gb2021"] > 0
    if votes["gb2021"] > votes["gb2019"]:
        return "gb2021", mixed
    if votes["gb2019"] > votes["gb2021"]:
        return "gb2019", mixed
    return None, mixed
