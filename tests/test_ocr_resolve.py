"""Figures read two ways: the identities choose a read only when exactly one combination fits.

Plain data, no OCR: the reads of `nianbao.convert.cells` and the core's records are stood in for.
"""

from __future__ import annotations

import json

from nianbao.convert import resolve, ruled
from nianbao.convert.verify import check_ocr
from nianbao.core.gbtables.maps import APPLICANTS as _APPLICANTS
from schemas.report import AnnualReport, Indicator, ValidationWarning

APPLICANTS = tuple(code for code, _ in _APPLICANTS)


def _balance(column: str, new: float, old: float, total: float, forward: float) -> dict:
    """An 申请 column's balance cells: 新收 + 上年结转 = 总计 + 结转下年度."""
    return {
        ("applications", "new_received", column): new,
        ("applications", "carried_over", column): old,
        ("applications", "total", column): total,
        ("applications", "carried_forward", column): forward,
    }


def test_the_only_read_the_balance_allows_is_chosen() -> None:
    values = _balance("natural_person", 99, 0, 95, 0)
    key = ("applications", "new_received", "natural_person")
    assert resolve.choose(values, {key: (99, 95)}, set()) == {key: 95}


def test_a_lost_digit_in_a_group_total_is_restored_by_its_parts() -> None:
    # a 总计 read "1" and "11"; its parts sum to 11
    parts = {("review_litigation", "review", c): v for c, v in
             (("upheld", 10), ("corrected", 1), ("other", 0), ("pending", 0))}  # fmt: skip
    key = ("review_litigation", "review", "total")
    assert resolve.choose(parts, {key: (1, 11)}, set()) == {key: 11}


def test_no_fitting_combination_leaves_the_cells_unresolved() -> None:
    values = _balance("natural_person", 99, 0, 95, 0)
    key = ("applications", "new_received", "natural_person")
    assert resolve.choose(values, {key: (99, 98)}, set()) == {key: None}


def test_two_fitting_combinations_leave_both_cells_unresolved() -> None:
    # 新收 and 总计 both ambiguous: (95, 95) and (99, 99) both balance, so neither is chosen
    values = _balance("natural_person", 0, 0, 0, 0)
    new = ("applications", "new_received", "natural_person")
    total = ("applications", "total", "natural_person")
    assert resolve.choose(values, {new: (95, 99), total: (95, 99)}, set()) == {
        new: None,
        total: None,
    }


def test_a_cell_without_an_identity_is_never_chosen() -> None:
    key = ("active_disclosure", "regulations", "made")
    assert resolve.choose({}, {key: (3, 8)}, set()) == {key: None}


def test_an_application_row_total_alone_does_not_choose() -> None:
    # a row's own total holds wherever the row is put: it ties no cell to its label
    values = {("applications", "granted", code): 0.0 for code in APPLICANTS}
    values[("applications", "granted", "natural_person")] = 11.0
    key = ("applications", "granted", "total")
    assert resolve.choose(values, {key: (1, 11)}, set()) == {key: None}


def test_too_many_combinations_are_not_searched() -> None:
    options = {("applications", "new_received", code): (1, 2, 3, 4, 5) for code in APPLICANTS}
    values = {("applications", "new_received", "total"): 6.0}
    assert set(resolve.choose(values, options, set()).values()) == {None}


def _indicator(key: tuple[str, str, str], value: float) -> Indicator:
    table, row, column = key
    return Indicator(table=table, row=row, row_code=row, column=column, column_code=column,
                     raw=str(int(value)), value=value, semantics="number")  # fmt: skip


def test_resolve_places_cells_through_the_core_and_writes_the_chosen_read() -> None:
    # a stand-in core: the grid's first row is a 复议 group's five figures
    codes = ("upheld", "corrected", "other", "pending", "total")

    def analyse(payload: bytes) -> AnnualReport:
        row = json.loads(payload)["tables"][0][0]
        return AnnualReport(
            is_report=True,
            indicators=[
                _indicator(("review_litigation", "review", code), float(text))
                for code, text in zip(codes, row, strict=True)
            ],
        )

    tables = [[["2", "1", "0", "0", "2"]]]
    reads = {(0, 0, 0): ("2", "1"), (0, 0, 4): ("2", "3")}  # 2+1=3 or 1+1=2: two fit
    out, unresolved = resolve.resolve("", tables, reads, analyse)
    assert out == tables and set(unresolved) == {
        ("review_litigation", "review", "upheld"),
        ("review_litigation", "review", "total"),
    }
    reads = {(0, 0, 4): ("2", "3")}  # only 3 fits 2 + 1
    out, unresolved = resolve.resolve("", tables, reads, analyse)
    assert out == [[["2", "1", "0", "0", "3"]]] and unresolved == {}


def test_check_ocr_treats_an_unresolved_cell_as_unread() -> None:
    codes = ("upheld", "corrected", "other", "pending", "total")
    cells = [_indicator(("review_litigation", "review", c), v)
             for c, v in zip(codes, (2, 1, 0, 0, 3), strict=True)]  # fmt: skip
    warning = resolve.warning({("review_litigation", "review", "total"): ("3", "8")})
    assert warning is not None
    record = AnnualReport(
        is_report=True,
        indicators=cells,
        warnings=[ValidationWarning(rule=warning[0], message=warning[1])],
    )
    # the group's identity holds, but its total was read two ways: nothing in it is vouched
    assert [i.value for i in check_ocr(record).indicators] == [None] * 5
    assert [i.value for i in check_ocr(record.model_copy(update={"warnings": []})).indicators] == [
        2,
        1,
        0,
        0,
        3,
    ]


def test_a_read_that_is_not_a_quantity_is_no_candidate() -> None:
    def analyse(payload: bytes) -> AnnualReport:
        row = json.loads(payload)["tables"][0][0]
        codes = ("upheld", "corrected", "other", "pending", "total")
        return AnnualReport(
            is_report=True,
            indicators=[
                _indicator(("review_litigation", "review", code), float(text))
                for code, text in zip(codes, row, strict=True)
                if text.isdigit()
            ],
        )

    # "x" is not a quantity: it neither counts as a blank 0 nor gets chosen; "3" fits 2 + 1
    tables = [[["2", "1", "0", "0", "3"]]]
    out, unresolved = resolve.resolve("", tables, {(0, 0, 4): ("3", "x")}, analyse)
    assert out == tables and unresolved == {}


def test_a_table_continued_on_the_next_page_keeps_its_cells_reads() -> None:
    first = ruled.PageTable([["a", "1"]], [0, 10, 20], {(0, 1): ("1", "7")})
    assert first.extend(ruled.PageTable([["b", "2"]], [0, 10, 20], {(0, 1): ("2", "3")}), 2)
    assert first.reads == {(0, 1): ("1", "7"), (1, 1): ("2", "3")}
    # a row of one cell spanning both columns: its reads go on both slots
    assert first.extend(ruled.PageTable([["4"]], [0, 21], {(0, 0): ("4", "9")}), 2)
    assert first.rows[2] == ["4", "4"]
    assert first.reads[(2, 0)] == first.reads[(2, 1)] == ("4", "9")
