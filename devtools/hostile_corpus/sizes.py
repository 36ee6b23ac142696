"""Families that are too big, too deep, too wide, too long or repeated."""

from __future__ import annotations

# ruff: noqa: E501  (the corpus is a table of one-line input recipes; wrapping them hides it)
from collections.abc import Callable

from .build_pdf import report_pdf
from .build_text import (
    TABLE_ROWS,
    html_table,
    page,
    report_html,
    report_lines,
    report_text,
    title,
)
from .item import Add, scale_for


def big(add: Add, ci: bool) -> None:
    """Big bodies (25 and 50 MB only in the full corpus)."""
    for mb in (25, 50):
        add(f"big/{mb}mb.html", "big", "reject", lambda mb=mb: (report_html() + "<p>填充</p>" * (mb * 100_000)).encode()[: mb << 20], big=True)  # fmt: skip
        add(f"big/{mb}mb.txt", "big", "reject", lambda mb=mb: (report_text() * (mb * 2000)).encode()[: mb << 20], big=True)  # fmt: skip
        add(f"big/{mb}mb.pdf", "big", "reject", lambda mb=mb: report_pdf() + bytes(mb << 20), big=True)  # fmt: skip
    add(
        "big/19mb.html",
        "big",
        "any",
        lambda: page("<p>填充一行文字。</p>" * 700_000).encode(),
        big=True,
    )
    add("big/2mb.html", "big", "any", lambda: page("<p>填充一行文字。</p>" * 70_000).encode())
    add(
        "big/2mb-one-paragraph.txt", "big", "any", lambda: (report_text() + "字" * 700_000).encode()
    )


def nesting(add: Add, ci: bool) -> None:
    """Deeply nested and unbalanced tags."""
    for depth in (2_000, 10_000) if ci else (10_000, 100_000):
        for tag in ("div", "b", "table"):
            inner = "<tr><td>" if tag == "table" else ""
            add(f"nesting/{tag}-{depth}.html", "nesting", "any",
                lambda t=tag, d=depth, i=inner: page(f"<{t}>{i}" * d + title() + f"</{t}>" * d).encode())  # fmt: skip
    add(
        "nesting/unclosed-10000.html",
        "nesting",
        "any",
        lambda: page("<div><span><p>" * 10_000).encode(),
    )
    add(
        "nesting/closing-only.html",
        "nesting",
        "any",
        lambda: page("</div></table></p>" * 10_000).encode(),
    )


def tables(add: Add, ci: bool) -> None:
    """Wide and long tables."""
    scale = scale_for(ci)
    add("tables/5000-columns.html", "tables", "any",
        lambda: page(html_table([[str(i) for i in range(5000)]] * 3)).encode())  # fmt: skip
    add("tables/100000-rows.html", "tables", "reject",
        lambda: page(html_table([["行", "1"]] * (30_000 if ci else 100_000))).encode())  # fmt: skip
    add("tables/1000x100.html", "tables", "reject",
        lambda: page(html_table([["1"] * 100] * 1000)).encode())  # fmt: skip
    add("tables/100000-empty-rows.html", "tables", "any",
        lambda: page("<table>" + "<tr></tr>" * 100_000 + "<tr><td>1</td><td>2</td></tr></table>").encode())  # fmt: skip
    add("tables/100000-rows.txt", "tables", "any",
        lambda: (report_text() + "行 | 1 |\n" * (100_000 // scale)).encode())  # fmt: skip


def spans(add: Add, ci: bool) -> None:
    """Absurd rowspan and colspan values."""
    for value in (
        "1000000000",
        "0",
        "-1",
        "9" * 5000,
        "1e9",
        "  7abc",
        "4294967297",
        "99999999999999999999",
    ):
        for attribute in ("rowspan", "colspan"):
            label = value if len(value) < 30 else f"{len(value)}digits"
            add(f"spans/{attribute}-{label}.html", "spans", "any",
                lambda a=attribute, v=value: page(
                    f"<table><tr><td {a}=\"{v}\">x</td><td>y</td></tr><tr><td>1</td><td>2</td></tr></table>"
                ).encode())  # fmt: skip
    add("spans/both-1e9-many.html", "spans", "reject",
        lambda: page("<table>" + "<tr><td rowspan=1000000000 colspan=1000000000>x</td></tr>" * 100 + "</table>").encode())  # fmt: skip
    add("spans/rowspan0-400.html", "spans", "reject",
        lambda: page("<table>" + "<tr><td rowspan=0 colspan=100>x</td></tr>" * 400 + "</table>").encode())  # fmt: skip


def lines(add: Add, ci: bool) -> None:
    """Long lines and many short lines."""
    scale = scale_for(ci)
    for kind, unit in (
        ("cjk", "字"),
        ("latin", "a"),
        ("digits", "7"),
        ("spaces", " "),
        ("mixed", "一、2023年"),
    ):
        add(f"lines/200k-{kind}.txt", "lines", "any", lambda u=unit: (report_text() + u * (200_000 // len(u))).encode())  # fmt: skip
        add(f"lines/200k-{kind}.html", "lines", "any", lambda u=unit: page("<p>" + u * (200_000 // len(u)) + "</p>").encode())  # fmt: skip
    add("lines/200k-title.html", "lines", "any", lambda: page("", head="<meta name=ArticleTitle content='" + "标题" * 100_000 + "'>").encode())  # fmt: skip
    add("lines/1m-short-lines.txt", "lines", "any", lambda: (report_text() + "一、\n" * (1_000_000 // scale)).encode())  # fmt: skip


def attributes(add: Add, ci: bool) -> None:
    """Tags with 200,000 attributes and huge attribute values."""

    def attributes(n: int, form: str) -> Callable[[], bytes]:
        def make() -> bytes:
            pieces = {"distinct": lambda i: f" a{i}=x", "same": lambda i: " a=x", "quoted": lambda i: f'a{i}=""',
                      "slash": lambda i: f"/a{i}", "bare": lambda i: f" a{i}"}[form]  # fmt: skip
            return page(f"<div{''.join(pieces(i) for i in range(n))}>{title()}</div>").encode()

        return make

    for form in ("distinct", "same", "quoted", "slash", "bare"):
        add(f"attributes/200000-{form}.html", "attributes", "any", attributes(200_000, form))
    add("attributes/10000-distinct.html", "attributes", "any", attributes(10_000, "distinct"))
    add("attributes/long-value.html", "attributes", "any", lambda: page(f"<div title=\"{'x' * 2_000_000}\">{title()}</div>").encode())  # fmt: skip
    add("attributes/200000-on-td.html", "attributes", "any",
        lambda: page("<table><tr><td" + " a=1" * 200_000 + ">1</td><td>2</td></tr></table>").encode())  # fmt: skip


def copies(add: Add, ci: bool) -> None:
    """Thousands of copies of a report on one page."""
    scale = scale_for(ci)
    for copies in (2, 500, 5000 // (5 if ci else 1)):
        add(f"copies/{copies}-copies.html", "copies", "any",
            lambda n=copies: page("".join(f"<p>{line}</p>" for line in report_lines()) * n).encode())  # fmt: skip
    add(
        "copies/5000-tables.html",
        "copies",
        "any",
        lambda: page(html_table(TABLE_ROWS) * (5000 // scale)).encode(),
    )
    add("copies/1000-copies.txt", "copies", "any", lambda: (report_text() * 1000).encode())
