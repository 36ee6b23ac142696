"""Statistics tables that reached us as plain text, read into the same indicators as HTML ones.

Pure. Shapes: markdown and pipe tables, one cell per line, tab-separated rows, HTML tables left
in OCR markdown, PDF text in row order (pdfplumber, pypdf: page numbers between rows, labels
wrapped around their values), and whole tables flattened into one line with their digit runs
glued together (the Pingtan archive). gbscan finds the national template's labels in the text
and the values after each, gbgrid lays them out as grids for gbtables; legacytext does the same
for the pre-2019 tables (统计指标/单位/统计数, 指标名称/计量单位/年度/历年累计) and hands them
to legacy.from_grid. Digit runs whose separators were lost, and rows whose blank cells were
lost, are read only where the table's identities leave one reading (digits.py); other cells
stay null with a ``table.ambiguous_digits`` warning. Every value is a substring of the source.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from nianbao.core import legacy
from nianbao.core.gbtables import parse_gb_tables
from nianbao.core.texttables import digits, gbgrid, gbscan, legacytext
from schemas.report import Indicator, ValidationWarning

MAX_CHARS = 200_000  # a page longer than this is scanned only this far for flattened tables
MAX_LINES = 5_000
_MARKDOWN_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
# a page number between two parts of a table in PDF text: "- 4 -", "— 4 —", "第4页 共9页"
_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-—–]\s*\d{1,4}\s*[-—–]|第\s*\d{1,4}\s*页(?:\s*共\s*\d{1,4}\s*页)?)\s*$"
)
_EMPHASIS = re.compile(r"\*\*|__")
_MARKDOWN_ROW = re.compile(r"^\s*\|(?=.*\|\s*$)")
_HTML_CELL = re.compile(r"<\s*t[dh]\b[^>]{0,200}>", re.IGNORECASE)
_HTML_ROW = re.compile(r"<\s*/?\s*tr\b[^>]{0,200}>", re.IGNORECASE)
_HTML_TAG = re.compile(r"<[^<>]{1,200}>")
# an exact count stated in the prose ("主动公开政府信息2069条"; not "7700余条", not a year)
_STATED = re.compile(r"(?<![\d.])(\d{3,})\s*(?:条|件|人次|次|个|篇|项|份|起|期)")


@dataclass(frozen=True)
class TextTables:
    """Cells read from flattened tables, the format era they show, and the rules they broke."""

    format: str | None = None
    indicators: list[Indicator] = field(default_factory=list)
    warnings: list[ValidationWarning] = field(default_factory=list)


def _normalised(lines: Sequence[str]) -> str:
    """One text, NFKC-folded, with pipes, tabs and HTML cells as cell boundaries; markdown's
    rule rows (|---|:---:|), emphasis (**), other HTML tags and PDF page numbers dropped."""
    # a markdown row's leading pipe only closes the row before: no empty cell between rows
    kept = [
        _MARKDOWN_ROW.sub("", line)
        for line in lines
        if not _MARKDOWN_RULE.match(line) and not _PAGE_NUMBER.match(line)
    ]
    text = unicodedata.normalize("NFKC", "\n".join(kept))[:MAX_CHARS]
    if "<t" in text or "<T" in text:  # an HTML table left in the text (OCR markdown)
        text = _HTML_ROW.sub("\n", _HTML_CELL.sub("|", text))
        text = _HTML_TAG.sub(" ", text).replace("&nbsp;", " ")
    return _EMPHASIS.sub("", text).replace("|", gbscan.SEP).replace("\t", gbscan.SEP)


def _stated(prose: str) -> frozenset[str]:
    """Counts of three or more digits that the prose states with a unit (…2069条)."""
    return frozenset(match.group(1) for match in _STATED.finditer(prose))


def _prefer(stated: frozenset[str]) -> Callable[[digits.Reading], int]:
    """A reading's score: how many of its cells the prose states."""
    return lambda reading: sum(1 for text in reading if text in stated)


def _ambiguous(unknown: dict[tuple[str, str], str], problems: list[str]) -> list[ValidationWarning]:
    """One warning for the cells whose digits had more than one reading."""
    found = []
    if unknown:
        shown = "; ".join(
            f"{row or '复议/诉讼'} / {col}: {run!r}" for (row, col), run in unknown.items()
        )
        found.append(
            ValidationWarning(
                rule="table.ambiguous_digits",
                message=f"flattened table cells whose digits have more than one split under "
                f"the table's sums; left null: {shown[:600]}",
            )
        )
    found += [
        ValidationWarning(rule="table.ambiguous_digits", message=problem) for problem in problems
    ]
    return found


def _key(indicator: Indicator) -> tuple[str, str]:
    """The (row, column) a flattened cell was laid out under (复议/诉讼: group/result)."""
    if indicator.table == "review_litigation":
        return ("", f"{indicator.row}/{indicator.column}")
    return (indicator.row, indicator.column or "")


def _without(indicators: list[Indicator], dropped: set[tuple[str, str]]) -> list[Indicator]:
    """The indicators but the cells the end of the text cut off."""
    return [ind for ind in indicators if _key(ind) not in dropped]


def _mark_unknown(
    indicators: list[Indicator], unknown: dict[tuple[str, str], str]
) -> list[Indicator]:
    """Ambiguous cells keep their run as raw text, so the record shows what was unreadable."""
    marked = []
    for ind in indicators:
        run = unknown.get(_key(ind))
        keep = run is None or ind.value is not None
        marked.append(ind if keep else ind.model_copy(update={"raw": run}))
    return marked


def _national(text: str) -> TextTables | None:
    """The 2019/2021 national-template tables flattened into the text."""
    found = gbscan.scan(text)
    if not found.found:
        return None
    grids = gbgrid.build(found, _prefer(_stated(text[: found.start])))
    gb = parse_gb_tables(grids.tables)
    indicators = _mark_unknown(_without(gb.indicators, grids.dropped), grids.unknown)
    return TextTables(
        gb.format, indicators, [*gb.warnings, *_ambiguous(grids.unknown, grids.problems)]
    )


def _legacy_rows(lines: Sequence[str]) -> TextTables | None:
    """A pre-2019 table written one row per line (pipes or tabs between its cells)."""
    rows = legacytext.grid_from_lines(
        [unicodedata.normalize("NFKC", line) for line in lines[:MAX_LINES]]
    )
    table = legacy.from_grid(rows) if rows is not None else None
    return TextTables("pre2019", table.indicators, table.warnings) if table else None


def _legacy_flat(text: str) -> TextTables | None:
    """A pre-2019 table flattened into a run of text (label, unit, values, label …)."""
    flat = legacytext.scan(text)
    if flat is None:
        return None
    grid, unknown, problems = legacytext.grid(flat, _prefer(_stated(text[: flat.start])))
    table = legacy.from_grid(grid)
    if table is None:
        return None
    indicators = _mark_unknown(table.indicators, unknown)
    return TextTables("pre2019", indicators, [*table.warnings, *_ambiguous(unknown, problems)])


def read_text_tables(lines: Sequence[str]) -> TextTables:
    """The statistics tables flattened into `lines`, read into canonical indicators: the
    national template's if the text holds them, else a pre-2019 table's."""
    text = _normalised(lines)
    found = _national(text)
    if found is not None and found.indicators:
        return found
    older = _legacy_rows(lines)
    if older is None or not older.indicators:
        older = _legacy_flat(text)
    if older is not None and older.indicators:
        return older
    return found or TextTables()


__all__ = ["TextTables", "read_text_tables"]
