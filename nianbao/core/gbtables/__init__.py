"""Read the national-template tables (gb2019, gb2021) of a 政府信息公开工作年度报告. Pure, no I/O.

Every cell is found by its row label and its column label, never by its place in a sequence of
numbers, so a missing or extra row cannot shift the others. Labels are compared after
normalisation (NFKC, no whitespace, one form each of （）/(), “”/"", 、/，/, and 1./1．/1、).
The one exception: a 复议/诉讼 data row whose header does not line up with it (a PDF flattened to
one line of 15 values) is read in the template's fixed order, as that table has no row labels.
Units: 件 for counts, 万元 for fee_amount, a unit written in the cell itself wins ("251000元");
procurement_amount has no unit unless its label or cell gives one.

The codes of every table's rows and columns are listed in maps. One module a job: labels folds
labels, cells places values under headers, active / applications / review read the three tables,
formats, completeness and identities check them, parse ties it together.

Warning rules: applications.balance, applications.total, applications.row_total,
review_litigation.total, review_litigation.unreadable, table.row_missing, table.column_missing,
table.nonstandard_column, table.unknown_column, table.unreadable_cell, table.duplicate_cell,
format.conflict.
"""

from __future__ import annotations

from nianbao.core.gbtables.maps import ACTIVE, APPLICATIONS, COUNT_UNIT, REVIEW, GbFormat
from nianbao.core.gbtables.parse import GbTables, parse_gb_tables

__all__ = [
    "ACTIVE",
    "APPLICATIONS",
    "COUNT_UNIT",
    "REVIEW",
    "GbFormat",
    "GbTables",
    "parse_gb_tables",
]
