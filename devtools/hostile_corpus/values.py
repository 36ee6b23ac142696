"""Families of absurd numbers, dates and years inside otherwise good reports."""

from __future__ import annotations

# ruff: noqa: E501  (the corpus is a table of one-line input recipes; wrapping them hides it)
from .build_text import (
    TABLE_ROWS,
    html_table,
    report_html,
    report_text,
)
from .item import Add


def numbers_and_dates(add: Add, ci: bool) -> None:
    """Absurd numbers in cells and narrative, impossible dates and periods."""
    numbers = ["9" * 400, "1e400", "-0", "NaN", "inf", "1,2,3,4,5,6,7,8,9,0" * 100, "亿亿亿亿", "九" * 5000,
               "0." + "0" * 5000 + "1", "99999999999999999999万亿", "1" * 5000 + "%"]  # fmt: skip
    for i, number in enumerate(numbers):
        rows = [row[:] for row in TABLE_ROWS]
        rows[2][2] = rows[2][4] = number
        add(f"numbers/cell-{i}.html", "numbers", "record",
            lambda rows=rows: report_html(extra=html_table(rows)).encode())  # fmt: skip
        add(f"numbers/narrative-{i}.txt", "numbers", "record",
            lambda n=number: (report_text() + f"全年主动公开政府信息{n}条。\n").encode())  # fmt: skip
    for i, date in enumerate(("9999年13月45日", "0000-00-00", "2023年2月30日", "2023-02-29 25:61:61", "二〇二三年十三月三十二日", "1899年12月31日")):  # fmt: skip
        add(f"dates/date-{i}.html", "dates", "record",
            lambda d=date: report_html(head=f"<meta name=PubDate content='{d}'>", extra=f"<p>发布时间：{d}</p><p>{d}</p>").encode())  # fmt: skip
    for i, (start, end) in enumerate(
        (("9999", "9999"), ("0001", "0001"), ("2023", "1905"), ("1899", "1899"))
    ):
        add(f"dates/period-{i}.txt", "dates", "record",
            lambda s=start, e=end: report_text().replace("2023年1月1日起至2023年12月31日", f"{s}年1月1日起至{e}年12月31日").encode())  # fmt: skip


def years(add: Add, ci: bool) -> None:
    """Titles naming impossible years."""
    for year in ("9999", "1899", "1950", "1989", "2150", "0000", "二〇二三", "20233"):
        add(
            f"years/title-{year}.html",
            "years",
            "record",
            lambda y=year: report_html(year=y).encode(),
        )
        add(
            f"years/title-{year}.txt",
            "years",
            "record",
            lambda y=year: report_text(year=y).encode(),
        )
