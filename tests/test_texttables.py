"""Statistics tables flattened into plain text, read into the same indicators as HTML tables."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from nianbao.core.texttables import TextTables, digits, read_text_tables
from schemas.report import Indicator

FIXTURES = Path(__file__).parent / "fixtures" / "texttables"


def _read(name: str) -> TextTables:
    lines = [line for line in (FIXTURES / name).read_text(encoding="utf-8").split("\n") if line]
    return read_text_tables(lines)


def _cells(found: TextTables) -> dict[tuple[str, str | None, str | None], Indicator]:
    return {(ind.table, ind.row_code, ind.column_code): ind for ind in found.indicators}


def _value(found: TextTables, table: str, row: str, column: str) -> float | None:
    return _cells(found)[(table, row, column)].value


def _rules(found: TextTables) -> set[str]:
    return {warning.rule for warning in found.warnings}


def _no_invented(found: TextTables, name: str) -> None:
    source = "".join((FIXTURES / name).read_text(encoding="utf-8").split())
    for ind in found.indicators:
        if ind.value is not None:
            assert ind.raw and "".join(ind.raw.split()) in source, ind


# --- digit runs --------------------------------------------------------------------------------


def test_readings_have_no_leading_zeros_and_respect_spaces() -> None:
    assert digits.readings(["00"], 2) == [("0", "0")]
    assert sorted(digits.readings(["230", "000023"], 7) or []) == [
        ("2", "30", "0", "0", "0", "0", "23"),
        ("23", "0", "0", "0", "0", "0", "23"),
        ("230", "0", "0", "0", "0", "2", "3"),
    ]
    assert digits.readings(["12"], 3) == []  # fewer digits than cells
    assert digits.readings(["12a"], 2) is None  # not a digit run


def test_solve_keeps_only_the_cells_every_reading_agrees_on() -> None:
    candidates = {0: digits.readings(["15130000154"], 7) or []}
    rules = [digits.SumRule(((0, 6),), tuple((0, c) for c in range(6)))]
    cells = digits.solve(candidates, rules).cells
    assert [cells[(0, c)] for c in range(7)] == ["151", "3", "0", "0", "0", "0", "154"]
    ambiguous = digits.solve({0: digits.readings(["898989"], 3) or []}, []).cells
    assert all(ambiguous[(0, c)] is None for c in range(3))


def test_solve_is_bounded() -> None:
    started = time.monotonic()
    assert digits.readings(["1" * 40], 15) is None  # too many readings: gives up
    many = {row: digits.readings(["123456789"], 5) or [] for row in range(40)}
    rule = digits.SumRule(((0, 0),), tuple((row, 1) for row in range(1, 40)))
    solution = digits.solve(many, [rule])
    assert solution.gave_up
    assert time.monotonic() - started < 5


# --- national template ------------------------------------------------------------------------


def test_pingtan_gb2021_digit_runs_split_by_the_template_identities() -> None:
    found = _read("pingtan_gb2021.txt")
    assert found.format == "gb2021"
    assert _value(found, "applications", "new_received", "natural_person") == 151
    assert _value(found, "applications", "new_received", "commercial") == 3
    assert _value(found, "applications", "new_received", "total") == 154
    assert _value(found, "applications", "unable_not_held", "total") == 50  # "4910000502." + 2.
    assert _value(found, "applications", "total", "total") == 148
    assert _value(found, "applications", "carried_forward", "commercial") == 2
    assert _value(found, "review_litigation", "review", "upheld") == 25
    assert _value(found, "review_litigation", "review", "total") == 36
    assert _value(found, "review_litigation", "litigation_direct", "total") == 6
    assert _value(found, "active_disclosure", "administrative_licensing", "decisions") == 2418
    assert _value(found, "active_disclosure", "administrative_fees", "fee_amount") == 4166.241619
    # '5845546' under three columns with no identity: null, with a warning
    cell = _cells(found)[("active_disclosure", "normative_documents", "issued")]
    assert cell.value is None and cell.raw == "5845546"
    assert "table.ambiguous_digits" in _rules(found)
    _no_invented(found, "pingtan_gb2021.txt")


def test_pingtan_gb2019_spaced_runs_and_unsplittable_active_rows() -> None:
    found = _read("pingtan_gb2019.txt")
    assert found.format == "gb2019"
    assert _value(found, "applications", "new_received", "natural_person") == 23  # '230 000023'
    assert _value(found, "applications", "new_received", "total") == 23
    assert _value(found, "applications", "total", "total") == 23  # '23 0 00 0 023'
    assert _value(found, "applications", "not_processed_repeat", "total") == 3
    assert _value(found, "review_litigation", "litigation_after_review", "upheld") == 0
    assert _value(found, "active_disclosure", "regulations", "new_made") == 0
    for row in ("normative_documents", "administrative_licensing", "government_procurement"):
        assert all(
            ind.value is None
            for ind in found.indicators
            if ind.table == "active_disclosure" and ind.row_code == row
        )
    _no_invented(found, "pingtan_gb2019.txt")


@pytest.mark.parametrize("name", ["pipe_cells.txt", "markdown.txt", "cell_per_line.txt"])
def test_pipe_markdown_and_cell_per_line_tables(name: str) -> None:
    found = _read(name)
    assert found.format == "gb2021"
    assert _value(found, "active_disclosure", "regulations", "repealed") == 0
    assert _value(found, "active_disclosure", "administrative_coercion", "decisions") == 0
    _no_invented(found, name)


def test_markdown_values_are_read_by_their_labels() -> None:
    found = _read("markdown.txt")
    assert _value(found, "active_disclosure", "regulations", "issued") == 2
    assert _value(found, "active_disclosure", "normative_documents", "in_force") == 2
    assert _value(found, "active_disclosure", "administrative_punishment", "decisions") == 9


def test_cell_per_line_applications_in_template_order() -> None:
    found = _read("cell_per_line.txt")
    assert _value(found, "active_disclosure", "administrative_fees", "fee_amount") == 0
    assert _value(found, "applications", "new_received", "natural_person") == 0
    assert _value(found, "applications", "denied_three_safeties_one_stability", "total") == 0


def test_empty_tables_give_blank_cells_never_zeros() -> None:
    found = _read("empty_tables.txt")
    assert found.format == "gb2019"
    assert found.indicators
    assert all(ind.value is None and ind.raw == "" for ind in found.indicators)
    rows = {ind.row_code for ind in found.indicators if ind.table == "applications"}
    assert {"granted", "partially_granted", "denied_administrative_inquiry"} <= rows


def test_tab_separated_rows_and_a_spaced_review_row() -> None:
    lines = [
        "二、主动公开政府信息情况",
        "第二十条第（一）项",
        "信息内容\t本年制发件数\t本年废止件数\t现行有效件数",
        "规章\t0\t0\t0",
        "行政规范性文件\t3\t1\t12",
        "四、政府信息公开行政复议、行政诉讼情况",
        "行政复议\t行政诉讼",
        "结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t未经复议直接起诉\t复议后起诉",
        "结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计",
        "1 0 0 1 2 0 0 0 0 0 0 0 0 0 0",
        "五、存在的主要问题及改进情况",
        "今年发生行政复议 3 件。",
    ]
    found = read_text_tables(lines)
    assert _value(found, "active_disclosure", "normative_documents", "in_force") == 12
    assert _value(found, "review_litigation", "review", "pending") == 1
    assert _value(found, "review_litigation", "review", "total") == 2


def test_values_in_block_order_are_not_placed() -> None:
    lines = ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数", "规章", "行政规范性文件"]
    found = read_text_tables([*lines, "0", "0", "0", "3", "1", "12"])
    assert not [ind for ind in found.indicators if ind.value is not None]
    assert "table.ambiguous_digits" in _rules(found)


def test_a_citation_of_article_20_in_prose_is_not_a_table() -> None:
    found = read_text_tables(["按照条例第二十条第（一）项规定，主动公开规章 3 件，其他 5 件。"])
    assert found == TextTables()


# --- provincial pre-2019 tables ---------------------------------------------------------------


def test_pingtan_2011_runs_split_by_the_其中_sums() -> None:
    found = read_text_tables(
        (FIXTURES / "pingtan_legacy_2011.txt").read_text(encoding="utf-8").split("\n")
    )
    assert found.format == "pre2019"
    got = {(ind.row, ind.column): ind.value for ind in found.indicators}
    assert got[("主动公开信息数", "2011年度")] == 425
    assert got[("主动公开信息数", "历年累计")] == 1516
    assert got[("其中:1.网站公开", "2011年度")] == 418
    assert got[("其中:1.网站公开", "历年累计")] == 1509
    assert got[("2.政府公报公开", "历年累计")] == 7  # its "2." was the end of the run before
    # labels are NFKC-folded, as grid cells are
    assert got[("行政申诉数", "历年累计")] == 0
    assert {ind.column_code for ind in found.indicators} == {"this_year", "cumulative"}
    _no_invented(found, "pingtan_legacy_2011.txt")


def test_pingtan_2018_split_confirmed_by_the_narrative() -> None:
    found = _read("pingtan_legacy_2018.txt")
    got = {(ind.row, ind.column): ind.value for ind in found.indicators}
    assert got[("主动公开文件数", "2018年度")] == 2069
    assert got[("主动公开文件数", "历年累计")] == 12106
    assert got[("其中:1.政府网站公开数", "2018年度")] == 2069


def test_the_same_run_without_the_narrative_is_left_null() -> None:
    text = (FIXTURES / "pingtan_legacy_2018.txt").read_text(encoding="utf-8")
    found = read_text_tables([text.split("。", 1)[1]])
    cell = next(ind for ind in found.indicators if ind.row == "主动公开文件数")
    assert cell.value is None and cell.raw == "206912106"
    assert "table.ambiguous_digits" in _rules(found)


def test_one_line_统计指标_table_with_its_headings() -> None:
    found = read_text_tables(
        [
            "统计指标 单位 统计数 一、主动公开情况 （一）主动公开政府信息数 条 425 "
            "其中：主动公开规范性文件数 条 12 三、依申请公开情况 （一）收到申请数 件 3 "
            "1.当面申请数 件 1 2.网络申请数 件 2 四、行政复议数量 件 0"
        ]
    )
    codes = {ind.row_code: ind.value for ind in found.indicators}
    assert codes["active.total"] == 425
    assert codes["active.normative_docs"] == 12
    assert codes["requests.received"] == 3
    assert codes["requests.online"] == 2
    assert codes["review.total"] == 0


LEGACY_MARKDOWN = [
    "附件：2013年政府信息公开情况统计表",
    "| 统计指标 | 单位 | 统计数 |",
    "|---|---|---|",
    "| 一、主动公开情况 | —— | —— |",
    "| （一）主动公开政府信息数（不同渠道和方式公开相同信息计1条） | 条 | 425 |",
    "| 其中：主动公开规范性文件数 | 条 | 12 |",
    "| 三、依申请公开情况 | —— | —— |",
    "| （一）收到申请数 | 件 | 3 |",
    "| 1.当面申请数 | 件 | 1 |",
    "| 四、行政复议数量 | 件 | 0 |",
    "单位负责人：张三",
]


@pytest.mark.parametrize(
    "lines",
    [
        LEGACY_MARKDOWN,
        [line.strip("| ").replace(" | ", "\t") for line in LEGACY_MARKDOWN if "---" not in line],
    ],
    ids=["markdown", "tabs"],
)
def test_统计指标_table_one_row_per_line(lines: list[str]) -> None:
    found = read_text_tables(lines)
    assert found.format == "pre2019"
    codes = {ind.row_code: ind for ind in found.indicators}
    assert codes["active.total"].value == 425
    assert codes["active.total"].unit == "条"
    assert codes["requests.in_person"].value == 1
    assert codes["review.total"].value == 0
    assert codes["active"].value is None  # a heading row: its —— is no number


def test_pingtan_2012_part_and_whole_when_the_sums_are_off() -> None:
    # 1795 + 0 != 2026 as written: the equality has no solution, the parts still never
    # exceed their whole, and the prose states 2026 and 1795
    found = _read("pingtan_legacy_2012.txt")
    got = {(ind.row, ind.column): ind.value for ind in found.indicators}
    assert got[("主动公开信息数", "2012年度")] == 2026
    assert got[("其中:1.网站公开", "历年累计")] == 3304
    assert got[("2.政府公报公开", "历年累计")] == 7
    assert got[("受理依申请公开信息总数", "2012年度")] == 21  # its group's sums do hold
    assert got[("其中:1.当面申请数", "历年累计")] == 18
    assert got[("其中:1.同意公开答复数", "2012年度")] == 17
    assert "table.ambiguous_digits" in _rules(found)  # the sums that do not hold are reported
    _no_invented(found, "pingtan_legacy_2012.txt")


def test_pipe_cells_keep_their_places_when_empty_cells_collapse() -> None:
    found = _read("pipe_collapsed.txt")
    assert _value(found, "active_disclosure", "normative_documents", "new_made") == 11
    assert _value(found, "active_disclosure", "normative_documents", "total_published") is None
    assert _value(found, "active_disclosure", "regulations", "new_made") is None


def test_a_header_cut_short_keeps_its_columns_places() -> None:
    found = _read("pipe_truncated_header.txt")  # 信息内容 | 本年新 | 本年新 | 对外公开总数量
    assert _value(found, "active_disclosure", "regulations", "total_published") == 0
    assert ("active_disclosure", "regulations", "new_made") not in _cells(found)
    assert "table.unknown_column" in _rules(found)


def test_row_labels_with_long_notes_in_brackets() -> None:
    found = _read("long_row_labels.txt")
    assert _value(found, "active_disclosure", "normative_documents", "new_made") == 34
    assert _value(found, "active_disclosure", "normative_documents", "total_published") == 47
    cell = _cells(found)[("active_disclosure", "other_active_documents", "total_published")]
    assert cell.value == 0 and cell.row.startswith("其他主动公开文件(")


def test_a_row_cut_off_by_the_end_of_the_text_keeps_only_what_it_shows() -> None:
    lines = [
        "第二十条第(五)项 | ||||",
        "信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量 |",
        "行政许可 | 0 | 0 | 0 |",
        "其他对外管理服务事项 | 4",
    ]
    found = read_text_tables(lines)
    assert _value(found, "active_disclosure", "administrative_licensing", "decisions") == 0
    assert (
        _value(found, "active_disclosure", "other_management_services", "previous_year_items") == 4
    )
    assert ("active_disclosure", "other_management_services", "change") not in _cells(found)
    found = read_text_tables([*lines[:3], "其他对外管理服务事项 |"])
    assert not [i for i in found.indicators if i.row_code == "other_management_services"]


def test_one_cell_per_line_a_lost_blank_cell_is_not_guessed() -> None:
    lines = ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量", "行政许可", "12", "5"]
    found = read_text_tables(lines)
    assert all(ind.value is None for ind in found.indicators)  # 12|5|·, 12|·|5 or ·|12|5
    assert "table.ambiguous_digits" in _rules(found)
    # tab-separated cells keep their places, the empty one blank
    found = read_text_tables(
        ["信息内容\t上一年项目数量\t本年增/减\t处理决定数量", "行政许可\t\t12\t5"]
    )
    assert _value(found, "active_disclosure", "administrative_licensing", "change") == 12
    assert (
        _value(found, "active_disclosure", "administrative_licensing", "previous_year_items")
        is None
    )


def test_the_prose_after_the_tables_is_not_read() -> None:
    lines = [
        "信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |",
        "规章 | 0 | 0 | 0 |",
        "下一步，我镇将继续做好规章清理工作，重复申请的处理更加规范，本年共办理重复申请3件，"
        "予以公开的信息进一步增加，行政许可事项公开更加及时，全年公开行政许可5件。",
        "行政许可 5",
    ]
    found = read_text_tables(lines)
    assert {ind.row_code for ind in found.indicators} == {"regulations"}


def test_long_prose_is_scanned_quickly() -> None:
    prose = "本机关依法公开政府信息，不断完善工作机制，规章制度健全。" * 4000
    started = time.monotonic()
    read_text_tables(["信息内容 本年制发件数", prose, "指标名称 计量单位 2011年度 历年累计", prose])
    assert time.monotonic() - started < 3


REVIEW_HEADER = [
    "四、政府信息公开行政复议、行政诉讼情况",
    "行政复议 行政诉讼",
    "结果维持 结果纠正 其他结果 尚未审结 总计 未经复议直接起诉 复议后起诉",
    "结果维持 结果纠正 其他结果 尚未审结 总计 结果维持 结果纠正 其他结果 尚未审结 总计",
]


def test_an_html_table_left_in_the_text() -> None:
    lines = [
        "二、主动公开政府信息情况",
        "<table><tr><td colspan=4>第二十条第(一)项</td></tr><tr><td>信息内容</td>"
        "<td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>"
        "<tr><td>规章</td><td>1</td><td></td><td>5</td></tr></table>",
    ]
    found = read_text_tables(lines)
    assert _value(found, "active_disclosure", "regulations", "issued") == 1
    assert _value(found, "active_disclosure", "regulations", "repealed") is None
    assert _value(found, "active_disclosure", "regulations", "in_force") == 5


def test_a_review_header_with_nothing_under_it_is_a_blank_row() -> None:
    found = read_text_tables([*REVIEW_HEADER, "五、存在的主要问题及改进情况"])
    review = [i for i in found.indicators if i.table == "review_litigation"]
    assert len(review) == 15 and all(i.value is None and i.raw == "" for i in review)
    # cut off by the end of the text instead: nothing is known
    assert not read_text_tables(REVIEW_HEADER).indicators


@pytest.mark.parametrize("digits_per_row", [14, 30])
def test_many_long_runs_give_up_quickly(digits_per_row: int) -> None:
    row = "一、本年新收政府信息公开申请数量" + "1" * digits_per_row
    started = time.monotonic()
    found = read_text_tables(["申请人情况", *[row] * 200])
    assert time.monotonic() - started < 2
    assert all(ind.value is None for ind in found.indicators)
    assert "table.ambiguous_digits" in _rules(found)


def test_pdf_text_统计指标_table_with_a_figure_in_a_row_note() -> None:
    line = (
        "统计指标 单位 统计数 一、主动公开情况 —— —— （一）主动公开政府信息数"
        "（不同渠道和方式公开相同信息计1条） 条 2866 其中：主动公开规范性文件数 条 32 "
        "三、依申请公开情况 —— —— （一）收到申请数 件 1203 1.当面申请数 件 20 "
        "2.网络申请数 件 1183 四、行政复议数量 件 12 单位负责人：李四"
    )
    found = read_text_tables([line])
    codes = {ind.row_code: ind for ind in found.indicators}
    assert codes["active.total"].value == 2866
    assert codes["active.total"].row.endswith("(不同渠道和方式公开相同信息计1条)")
    assert codes["active"].row == "一、主动公开情况"
    assert codes["requests.online"].value == 1183
    assert not _rules(found) & {"table.ambiguous_digits", "legacy.sum"}


def test_provincial_rows_as_written_are_kept_even_when_odd() -> None:
    found = read_text_tables(
        ["指标名称 计量单位 2015年度 历年累计 主动公开文件数 条 30 12 行政复议数 件 - 0 附件下载"]
    )
    got = {(ind.row, ind.column_code): ind for ind in found.indicators}
    assert got[("主动公开文件数", "this_year")].value == 30  # more than 历年累计, as written
    assert got[("主动公开文件数", "cumulative")].value == 12
    assert got[("行政复议数", "this_year")].semantics == "not_applicable"


def test_an_applications_table_with_legal_persons_in_one_column() -> None:
    lines = [
        "申请人情况 | 自然人 | 法人或其他组织 | 总计 |",
        "一、本年新收政府信息公开申请数量 | 3 | 1 | 4 |",
        "(一)予以公开 | 2 | 1 | 3 |",
    ]
    found = read_text_tables(lines)
    assert _value(found, "applications", "new_received", "natural_person") == 3
    assert _value(found, "applications", "new_received", "total") == 4
    assert ("applications", "new_received", "commercial") not in _cells(found)
    assert "table.nonstandard_column" in _rules(found)


def test_a_markdown_review_table_keeps_its_fifteen_places() -> None:
    results = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    lines = [
        "| 行政复议 | | | | | 行政诉讼 | | | | | | | | | |",
        "| " + " | ".join([*results, "未经复议直接起诉", "", "", "", "", "复议后起诉"]) + " |",
        "| " + " | ".join(["", "", "", "", "", *results, *results]) + " |",
        "| 1 | 0 | 0 | 1 | 2 | 0 | 0 | 0 | 0 | 0 | 3 | 0 | 0 | 0 | 3 |",
        "五、存在的主要问题及改进情况",
    ]
    found = read_text_tables(lines)
    assert _value(found, "review_litigation", "review", "pending") == 1
    assert _value(found, "review_litigation", "litigation_after_review", "upheld") == 3
    assert _value(found, "review_litigation", "litigation_after_review", "total") == 3


def test_spaced_whole_numbers_fewer_than_the_cells_lost_blanks_not_separators() -> None:
    lines = [
        "信息内容 本年制发件数 本年废止件数 现行有效件数",
        "规章 123",  # pypdf: one cell filled, two blank
        "行政规范性文件 3 1 12",
    ]
    found = read_text_tables(lines)
    assert all(
        ind.value is None for ind in found.indicators if ind.row_code == "regulations"
    )  # not 1|2|3
    assert _value(found, "active_disclosure", "normative_documents", "in_force") == 12
    # the same digits glued to their label are a run that lost its separators
    found = read_text_tables([lines[0], "规章123", lines[2]])
    assert _value(found, "active_disclosure", "regulations", "in_force") == 3


def test_provincial_row_spaced_with_a_lost_blank_is_not_split() -> None:
    found = read_text_tables(
        ["指标名称 计量单位 2015年度 历年累计 主动公开文件数 条 425 行政复议数 件 0 0 附件下载"]
    )
    cells = [ind for ind in found.indicators if ind.row == "主动公开文件数"]
    assert [ind.value for ind in cells] == [None, None]  # 425|blank or blank|425, not 4|25
    assert "table.ambiguous_digits" in _rules(found)


def test_pdf_text_of_a_city_report_pdfplumber_order() -> None:
    # labels wrapped around their values, page numbers between rows, header words in pieces
    found = _read("pdf_text_city.txt")
    assert found.format == "gb2021"
    assert _value(found, "active_disclosure", "normative_documents", "in_force") == 66
    assert _value(found, "applications", "new_received", "natural_person") == 3001
    assert _value(found, "applications", "new_received", "total") == 3119
    assert _value(found, "applications", "partially_granted", "total") == 454  # label wraps
    assert _value(found, "applications", "unable_not_held", "total") == 769  # before "- 4 -"
    assert _value(found, "applications", "other_no_correction", "total") == 71
    assert _value(found, "applications", "total", "total") == 3050
    assert _value(found, "review_litigation", "review", "total") == 351
    assert _value(found, "review_litigation", "litigation_after_review", "total") == 20
    _no_invented(found, "pdf_text_city.txt")


def test_pdf_text_values_set_before_their_wrapped_label() -> None:
    found = _read("pdf_text_district.txt")
    assert _value(found, "applications", "new_received", "total") == 21
    assert _value(found, "applications", "total", "total") == 21
    # "10 0 0 0 0 0 10" printed before "1.本机关不掌握相关政府信息": the sums cannot confirm it
    # (rows the text garbles are missing), so it is not placed; a row whose label is followed
    # by nothing in a table with values is unknown, never blank
    assert ("applications", "unable_not_held", "total") not in _cells(found)
    assert ("applications", "unable_needs_creation", "total") not in _cells(found)
    assert ("applications", "denied_state_secret", "total") not in _cells(found)
    _no_invented(found, "pdf_text_district.txt")


def test_pdfminer_text_labels_first_then_values_column_by_column() -> None:
    # each page prints its row labels, then the header, then the values column by column;
    # placed only because the counts match and every row and column adds up
    found = _read("pdfminer_text_city.txt")
    assert _value(found, "applications", "new_received", "natural_person") == 3001
    assert _value(found, "applications", "new_received", "other_org") == 4
    assert _value(found, "applications", "unable_not_held", "total") == 769
    assert _value(found, "applications", "unable_needs_creation", "total") == 11
    assert _value(found, "applications", "other_other", "total") == 110
    assert _value(found, "applications", "carried_forward", "total") == 103
    _no_invented(found, "pdfminer_text_city.txt")


def test_values_column_by_column_that_do_not_add_up_are_not_placed() -> None:
    lines = [
        "申请人情况 自然人 商业企业 科研机构 社会公益组织 法律服务机构 其他 总计",
        "一、本年新收政府信息公开申请数量",
        "二、上年结转政府信息公开申请数量",
        "其他 总计",
        # column by column: 自然人 5 1, four blank kinds 0 0, 其他 0 0, 总计 5 2 (row 2 is off)
        *map(str, (5, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 2)),
    ]
    found = read_text_tables(lines)
    assert not [ind for ind in found.indicators if ind.value is not None]
