"""Building blocks: a plausible report as HTML and text, tables, pages, seeded bytes."""

from __future__ import annotations

import random
from collections.abc import Callable

AGENCY = "某某市人民政府"
PARAGRAPHS = [
    "本报告由某某市人民政府办公室根据《中华人民共和国政府信息公开条例》要求编制。",
    "本报告统计期限自{year}年1月1日起至{year}年12月31日止。",
    "一、总体情况",
    "{year}年，我市认真贯彻落实政府信息公开工作要求，全年主动公开政府信息1136条。",
    "二、主动公开政府信息情况",
    "全年共收到政府信息公开申请95件，均已按期答复。",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "全年发生政府信息公开行政复议3件，行政诉讼1件。",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
    "联系地址：某某市人民路1号，邮编：100000，电话：010-12345678。",
]
TABLE_ROWS = [
    ["", "", "申请人情况", "", ""],
    ["", "", "自然人", "法人或其他组织", "总计"],
    ["一、本年新收政府信息公开申请数量", "", "95", "0", "95"],
    ["二、上年结转政府信息公开申请数量", "", "0", "0", "0"],
    ["三、本年度办理结果", "（一）予以公开", "50", "0", "50"],
]


def title(year: object = 2023) -> str:
    return f"{AGENCY}{year}年政府信息公开工作年度报告"


def report_lines(year: object = 2023) -> list[str]:
    return [
        title(year),
        *(p.format(year=year) for p in PARAGRAPHS),
        "某某市人民政府",
        "2024年1月20日",
    ]


def html_table(rows: list[list[str]]) -> str:
    return (
        "<table border=1>"
        + "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
        + "</table>"
    )


def report_html(
    year: object = 2023, extra: str = "", head: str = "", charset: str = "utf-8"
) -> str:
    body = "".join(f"<p>{line}</p>" for line in report_lines(year))
    return (
        f'<!DOCTYPE html><html><head><meta charset="{charset}">{head}'
        f"<title>{title(year)}</title></head><body><h1>{title(year)}</h1>"
        f'<div id="zoom">{body}{html_table(TABLE_ROWS)}{extra}</div></body></html>'
    )


def report_text(year: object = 2023) -> str:
    return "\n".join(report_lines(year)) + "\n"


def page(content: str, head: str = "") -> str:
    """A page around content, with enough report text to look like one."""
    intro = "".join(f"<p>{line}</p>" for line in report_lines()[:4])
    return (
        f'<html><head><meta charset="utf-8">{head}<title>{title()}</title></head><body>'
        f'<div id="zoom">{intro}{content}</div></body></html>'
    )


def utf8(text: str) -> Callable[[], bytes]:
    return lambda: text.encode("utf-8")


def lazy(fn: Callable[[], str]) -> Callable[[], bytes]:
    return lambda: fn().encode("utf-8")


def deterministic(seed: int, size: int) -> bytes:
    return random.Random(seed).randbytes(size)
