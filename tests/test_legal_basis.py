"""The era a report's cited regulation implies, used when it gives no year and no table."""

from __future__ import annotations

import pytest

from nianbao.core.legal_basis import era_from_legal_basis
from nianbao.core.pipeline import analyse
from schemas.report import AnnualReport

REVISED = (
    "依据《中华人民共和国政府信息公开条例》(以下简称《政府信息公开条例》)第五十条规定,编制本报告。"
)
BODY = (
    "\n一、总体情况\n（一）主动公开。全年累计主动公开政府信息100余条。\n"
    "（二）依申请公开。全年共收到政府信息公开申请16件，均在法定时限内完成答复。\n"
    "二、存在的主要问题及改进情况\n信息公开的及时性有待加强。\n"
)


@pytest.mark.parametrize(
    ("text", "era"),
    [
        (REVISED, "gb_unknown"),
        ("根据《政府信息公开条例》（国务院令第711号）要求，编制本报告。", "gb_unknown"),
        ("根据《政府信息公开条例》（国务院令第492号）规定，编制本报告。", "pre2019"),
        ("按照《政府信息公开条例》第三十二条的规定，现将本年度报告如下。", "pre2019"),
        ("根据《中华人民共和国政府信息公开条例》要求，编制本报告。", None),  # no article, no decree
        ("第五十条。", None),  # an article of nothing named 条例
        ("《条例》第五十条 …… 国务院令第492号", None),  # both: no verdict
    ],
)
def test_era_from_the_cited_regulation(text: str, era: str | None) -> None:
    assert era_from_legal_basis(text) == era


def test_a_report_without_year_or_table_takes_the_era_of_its_regulation() -> None:
    record = read("某镇政府信息公开工作年度报告\n" + REVISED + BODY)
    assert record.is_report and record.year is None and record.format == "gb_unknown"
    dated = read("某镇2018年政府信息公开工作年度报告\n" + REVISED + BODY)
    assert dated.year == 2018 and dated.format == "pre2019"  # a stated year outranks the citation


def read(text: str) -> AnnualReport:
    return analyse(text.encode("utf-8"), content_type="text/plain").record
