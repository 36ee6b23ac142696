"""Dates as written in reports, and repair of dates and numbers that lost 年, 月, 〕 or "-"."""

from __future__ import annotations

import contextlib
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nianbao.core.dates import Repair, parse_date, recover_compact_date, repair_mangled

REPORT_DATES = st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31))
DATE_ALPHABET = "0123456789０１日月份号年〔[［】-/. \n\t：至"


def readings(digits: str) -> set[date]:
    """Every date a 年/月-less digit run could be, enumerated independently of the code."""
    year, rest = int(digits[:4]), digits[4:]
    found: set[date] = set()
    for cut in range(1, len(rest)):
        month, day = rest[:cut], rest[cut:]
        if len(month) > 2 or len(day) > 2:
            continue
        with contextlib.suppress(ValueError):
            found.add(date(year, int(month), int(day)))
    return found


# --- parse_date -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-01-20", date(2020, 1, 20)),
        ("2020-1-20", date(2020, 1, 20)),
        ("2020-1-20 09:08", date(2020, 1, 20)),
        ("2020-01-20 09:08:07", date(2020, 1, 20)),
        ("2020/01/20", date(2020, 1, 20)),
        ("2020.1.3", date(2020, 1, 3)),
        ("2020年1月20日", date(2020, 1, 20)),
        ("2020 年 1 月 20 日", date(2020, 1, 20)),
        ("２０２０年１月２０日", date(2020, 1, 20)),
        (" 2020-01-20 ", date(2020, 1, 20)),
        ("二〇二〇年一月二十日", date(2020, 1, 20)),
        ("二○一九年十二月三十一日", date(2019, 12, 31)),
        ("2020-02-29", date(2020, 2, 29)),
    ],
)
def test_parse_date(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2020",
        "2020-01",
        "2019-02-29",
        "2020-13-01",
        "2020-01/20",  # mixed separators
        "2020-1-20 25:00",
        "发布日期：2020-01-20",  # the text must be the date
        "202011",  # compact forms are recover_compact_date's job
        "1899-12-31",
        "2020年1月",
    ],
)
def test_parse_date_rejects(text: str) -> None:
    assert parse_date(text) is None


# --- recover_compact_date ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("digits", "expected"),
    [
        ("201911", date(2019, 1, 1)),
        ("20191231", date(2019, 12, 31)),
        ("2020120", date(2020, 1, 20)),
        ("2020131", date(2020, 1, 31)),  # 13-1 is no date
        ("20190105", date(2019, 1, 5)),
        ("２０２０１２０", date(2020, 1, 20)),
    ],
)
def test_recover_compact_date(digits: str, expected: date) -> None:
    assert recover_compact_date(digits) == expected


@pytest.mark.parametrize(
    "digits",
    [
        "2019111",  # 1-11 or 11-1
        "2019105",  # 1-05 or 10-5
        "20191",
        "201900",
        "20191332",
        "18991231",
        "123456",
        "2019-1-1",
        "",
        "201911111",
    ],
)
def test_recover_compact_date_refuses(digits: str) -> None:
    assert recover_compact_date(digits) is None


# --- repair_mangled ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fixed", "repairs"),
    [
        (
            "统计期限自201911日起至20191231日止",
            "统计期限自2019年1月1日起至2019年12月31日止",
            [
                Repair("201911日", "2019年1月1日", "date"),
                Repair("20191231日", "2019年12月31日", "date"),
            ],
        ),
        ("自2019111日起", "自2019111日起", [Repair("2019111日", None, "date")]),
        (
            "２０１９１１日",
            "２０１９年１月１日",
            [Repair("２０１９１１日", "２０１９年１月１日", "date")],
        ),
        ("〔201932号", "〔2019〕32号", [Repair("〔201932号", "〔2019〕32号", "doc_number")]),
        ("[20195号", "[2019]5号", [Repair("[20195号", "[2019]5号", "doc_number")]),
        ("［201912号", "［2019］12号", [Repair("［201912号", "［2019］12号", "doc_number")]),
        ("16月份", "1-6月份", [Repair("16月份", "1-6月份", "month_range")]),
        ("19月份", "1-9月份", [Repair("19月份", "1-9月份", "month_range")]),
        ("112月份", "1-12月份", [Repair("112月份", "1-12月份", "month_range")]),
        ("712月份", "7-12月份", [Repair("712月份", "7-12月份", "month_range")]),
        ("2019年16月份", "2019年1-6月份", [Repair("16月份", "1-6月份", "month_range")]),
        (
            "某某县人民政府办公室\n2020120\n",
            "某某县人民政府办公室\n2020年1月20日\n",
            [Repair("2020120", "2020年1月20日", "date")],
        ),
        (
            "局\n  20191231  ",
            "局\n  2019年12月31日  ",
            [Repair("20191231", "2019年12月31日", "date")],
        ),
        ("局\n2019111", "局\n2019111", [Repair("2019111", None, "date")]),
    ],
)
def test_repair_mangled(text: str, fixed: str, repairs: list[Repair]) -> None:
    assert repair_mangled(text) == (fixed, repairs)


@pytest.mark.parametrize(
    "text",
    [
        "2019年1月1日",
        "2019年12月31日",
        "〔2019〕32号",
        "[2019]5号",
        "12月份",
        "6月份",
        "1-6月份",
        "31月份",  # not an ascending range
        "12345日",  # no plausible year
        "共受理2019111件",  # no 日
        "共计\n201911件\n",
        "〔123456号",
        "第20201日",  # 2020 + one digit: no month and day
    ],
)
def test_repair_mangled_leaves_well_formed_and_ordinary_text(text: str) -> None:
    assert repair_mangled(text) == (text, [])


def test_repair_mangled_bare_line_alone_is_a_signature() -> None:
    assert repair_mangled("201911") == ("2019年1月1日", [Repair("201911", "2019年1月1日", "date")])


def test_repair_mangled_bare_lines_only_near_the_end() -> None:
    text = "表格\n201911\n正文一\n正文二\n正文三\n某某局\n2020120"
    fixed, repairs = repair_mangled(text)
    assert fixed == "表格\n201911\n正文一\n正文二\n正文三\n某某局\n2020年1月20日"
    assert repairs == [Repair("2020120", "2020年1月20日", "date")]


def test_repair_mangled_keeps_line_endings() -> None:
    text = "统计自201911日起\r\n正文\r\n2020120\r\n"
    assert repair_mangled(text)[0] == "统计自2019年1月1日起\r\n正文\r\n2020年1月20日\r\n"


# --- properties -------------------------------------------------------------------------------


@given(REPORT_DATES)
def test_recover_compact_date_is_never_wrong(d: date) -> None:
    digits = f"{d.year}{d.month}{d.day}"
    found = recover_compact_date(digits)
    assert found in (d, None)
    if len(readings(digits)) == 1:
        assert found == d
    else:
        assert found is None


@given(REPORT_DATES)
def test_recover_compact_date_reads_padded_dates(d: date) -> None:
    assert recover_compact_date(f"{d.year}{d.month:02d}{d.day:02d}") == d


@given(REPORT_DATES)
def test_repair_mangled_date_is_never_wrong(d: date) -> None:
    digits = f"{d.year}{d.month}{d.day}"
    text = f"统计期限自{digits}日起"
    fixed, repairs = repair_mangled(text)
    assert f"{d.year}年{d.month}月{d.day}日" in fixed or fixed == text
    if fixed == text:
        assert repairs == [Repair(f"{digits}日", None, "date")]
    else:
        assert fixed == f"统计期限自{d.year}年{d.month}月{d.day}日起"
        assert len(readings(digits)) == 1


@given(REPORT_DATES)
def test_repair_mangled_signature_line_is_never_wrong(d: date) -> None:
    digits = f"{d.year}{d.month}{d.day}"
    if len(digits) < 6:
        return
    fixed, _ = repair_mangled(f"某某局\n{digits}\n")
    assert fixed in (f"某某局\n{d.year}年{d.month}月{d.day}日\n", f"某某局\n{digits}\n")


@given(st.text())
def test_never_raises_on_any_text(text: str) -> None:
    parse_date(text)
    recover_compact_date(text)
    fixed, repairs = repair_mangled(text)
    if all(r.replacement is None for r in repairs):
        assert fixed == text


@given(st.text(alphabet=DATE_ALPHABET, max_size=40))
def test_repairs_are_exactly_what_changed(text: str) -> None:
    fixed, repairs = repair_mangled(text)
    assert all(repair.original in text for repair in repairs)
    assert len(fixed) >= len(text)
    assert all(r.kind in ("date", "doc_number", "month_range") for r in repairs)
    parse_date(text)
    recover_compact_date(text)
