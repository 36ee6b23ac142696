"""The parser on every kind of input and era: real PDFs, gov-style HTML, mirrors, non-reports."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from nianbao.core.errors import PageRejected
from nianbao.core.pipeline import analyse
from nianbao.timeouts import time_limit
from producers.sniff import sniff
from tests.conftest import FIXTURES, SEEDS

REAL = FIXTURES / "real-reports"
GB = FIXTURES / "gb"


def record_of(path: Path):
    body = path.read_bytes()
    return analyse(body, content_type=sniff(body, name=path.name)).record


def cell(record, table: str, row: str, column: str | None):
    found = [
        i for i in record.indicators if (i.table, i.row_code, i.column_code) == (table, row, column)
    ]
    assert len(found) == 1, (table, row, column, found)
    return found[0]


def test_real_2024_city_report_pdf() -> None:
    record = record_of(REAL / "huaian-shi-2024.pdf")
    assert (record.agency.name, record.agency.level, record.agency.is_department) == (
        "淮安市人民政府",
        "city",
        False,
    )
    assert (record.year, record.format, str(record.period.start), str(record.period.end)) == (
        2024,
        "gb2021",
        "2024-01-01",
        "2024-12-31",
    )
    tables = [i.table for i in record.indicators]
    assert (
        tables.count("active_disclosure"),
        tables.count("applications"),
        tables.count("review_litigation"),
    ) == (10, 175, 15)
    assert record.warnings == []  # every identity holds in this report
    assert [s.number for s in record.sections] == ["一", "二", "三", "四", "五", "六"]
    assert record.contact.email == "hazwgkc@163.com"


def test_real_reports_of_two_years_are_two_records() -> None:
    """Same agency, ~90 % the same text: different years, different figures."""
    a, b = (
        record_of(REAL / "huaian-hongzequ-2023.pdf"),
        record_of(REAL / "huaian-hongzequ-2024.pdf"),
    )
    assert (a.year, b.year) == (2023, 2024)
    assert cell(b, "active_disclosure", "administrative_punishment", "decisions").value == 2776
    assert cell(a, "active_disclosure", "administrative_punishment", "decisions").value != 2776


def test_gb2021_page_with_rowspan_colspan_tables() -> None:
    record = record_of(GB / "gb2021_full.html")
    assert record.format == "gb2021" and record.year == 2021
    assert len([i for i in record.indicators if i.table != "narrative"]) == 200
    assert cell(record, "applications", "denied_state_secret", "natural_person").row == (
        "1.属于国家秘密"
    )
    fee = cell(record, "active_disclosure", "administrative_fees", "fee_amount")
    assert fee.unit == "万元"
    assert record.warnings == []


def test_gb2019_page_keeps_2019_meanings() -> None:
    record = record_of(GB / "gb2019_full.html")
    assert record.format == "gb2019"
    columns = {i.column_code for i in record.indicators if i.table == "active_disclosure"}
    assert "previous_year_items" in columns and "fee_amount" not in columns
    change = [i for i in record.indicators if i.column_code == "change" and i.raw.startswith("+")]
    assert change and change[0].value == float(change[0].raw.lstrip("+"))
    assert sorted(w.rule for w in record.warnings) == [
        "applications.row_total",
        "applications.total",
    ]


def test_a_missing_row_shifts_nothing() -> None:
    full, gap = record_of(GB / "gb2021_full.html"), record_of(GB / "gb2021_row_missing.html")
    missing = {(i.row_code, i.column_code) for i in full.indicators if i.table == "applications"}
    present = {
        (i.row_code, i.column_code): i.raw for i in gap.indicators if i.table == "applications"
    }
    assert len(present) == 168 and "table.row_missing" in {w.rule for w in gap.warnings}
    assert set(present) < missing
    assert all(
        raw == {(i.row_code, i.column_code): i.raw for i in full.indicators}[key]
        for key, raw in present.items()
    )


def _legacy_html(rows: list[tuple[str, str, str]]) -> bytes:
    cells = "".join(f"<tr><td>{a}</td><td>{b}</td><td>{c}</td></tr>" for a, b, c in rows)
    return (
        "<html><head><meta charset='utf-8'><title>温州市安全生产监督管理局2017年政府信息公开工作"
        "年度报告_温州市人民政府</title></head><body><div class='nav'>首页 | 政务公开</div>"
        "<div id='zoom'><p>本年度报告根据《中华人民共和国政府信息公开条例》要求编制。"
        "本年度报告中所列数据的统计时间为2017年1月1日至2017年12月31日。</p><p>一、基本概况</p><p>2017年，我局"
        "主动公开政府信息2219条。</p><p>附件</p><table border='1'><tr><td>统　计　指　标</td>"
        f"<td>单位</td><td>统计数</td></tr>{cells}</table></div>"
        "<div class='footer'>主办单位：温州市人民政府办公室</div></body></html>"
    ).encode()


def test_pre2019_page_with_a_real_table() -> None:
    rows = [
        ("一、主动公开情况", "——", "2219"),
        ("（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）", "条", "2219"),
        ("四、行政复议数量", "件", "3"),
        ("（一）维持具体行政行为数", "件", "2"),
        ("（二）被依法纠错数", "件", ""),
        ("（三）其他情形数", "件", "/"),
    ]
    record = analyse(_legacy_html(rows), content_type="text/html").record
    assert record.format == "pre2019"
    assert cell(record, "legacy_stats", "active.total", "value").value == 2219
    review = {
        i.row_code: (i.value, i.semantics)
        for i in record.indicators
        if i.table == "legacy_stats" and i.row_code and i.row_code.startswith("review")
    }
    assert review == {
        "review.total": (3.0, "number"),
        "review.upheld": (2.0, "number"),
        "review.corrected": (None, "blank"),
        "review.other": (None, "not_applicable"),
    }
    assert [w.rule for w in record.warnings] == ["legacy.sum"]  # 3 ≠ 2 + blank + "/"


def test_commentary_page_is_not_a_report() -> None:
    page = (
        "<html><head><meta name='ArticleTitle' content='图解：《2019年政府信息公开工作年度报告》'>"
        "</head><body><div id='zoom'>" + "<p>一图读懂我市政府信息公开工作年度报告。</p>" * 20
    ).encode()
    analysis = analyse(page, content_type="text/html")
    assert analysis.record.is_report is False and "图解" in (analysis.record.reason or "")
    assert analysis.rejection is not None and analysis.rejection.reason == "not_a_report"


def test_mirror_with_traditional_characters_and_pinyin_parses_the_same() -> None:
    from opencc import OpenCC

    original = next(SEEDS.glob("004_*.txt")).read_text(encoding="utf-8")
    mirror = OpenCC("s2t").convert(original).replace("政府", "政(zheng)府", 3)
    a = analyse(original.encode(), content_type="text/plain").record
    b = analyse(mirror.encode("utf-8"), content_type="text/plain").record
    assert (b.title, b.agency.name, b.year, b.format, b.period, b.signed_on) == (
        a.title,
        a.agency.name,
        a.year,
        a.format,
        a.period,
        a.signed_on,
    )
    assert [(i.row_code, i.value) for i in b.indicators] == [
        (i.row_code, i.value) for i in a.indicators
    ]


def test_image_only_pdf_is_rejected_with_no_text_layer(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    path = tmp_path / "scan.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.rect(50, 50, 400, 600, fill=1)
    pdf.save()
    with pytest.raises(PageRejected) as info:
        record_of(path)
    assert info.value.reason == "no_text_layer"


def test_parse_time_is_capped() -> None:
    start = time.monotonic()
    with pytest.raises(PageRejected) as info, time_limit(0.2):
        while True:
            pass
    assert info.value.reason == "parse_timeout"
    assert time.monotonic() - start < 2


def test_hostile_text_is_handled_quickly() -> None:
    """Long digit runs, a table value that looks like a compact date, a flood of headings."""
    start = time.monotonic()
    opening = "本报告统计期限为2019年1月1日至12月31日。主动公开信息"
    record = analyse((opening + "9" * 100_000 + "条").encode(), content_type="text/plain").record
    assert [i for i in record.indicators if i.table == "narrative"] == []
    flood = analyse(("一、" * 300_000).encode(), content_type="text/plain")
    assert flood.record.is_report is False
    assert time.monotonic() - start < 20


def test_a_table_value_is_never_rewritten_as_a_date() -> None:
    text = next(SEEDS.glob("000_*.txt")).read_text(encoding="utf-8")
    text = text.replace(
        "2.政府网站公开政府信息数 |\n条 |\n2152 |", "2.政府网站公开政府信息数 |\n条 |\n2010315 |"
    )
    record = analyse(text.encode(), content_type="text/plain").record
    cell = next(i for i in record.indicators if i.row_code == "active.website")
    assert (cell.raw, cell.value) == ("2010315", 2010315.0)


def test_a_span_bomb_is_rejected_fast() -> None:
    rows = "<tr><td rowspan=0 colspan=100>x</td></tr>" * 400
    page = f"<html><body><div id=zoom><p>{'本报告统计期限。' * 30}</p><table>{rows}</table></div>"
    start = time.monotonic()
    with pytest.raises(PageRejected) as info:
        analyse(page.encode(), content_type="text/html")
    assert info.value.reason == "table_too_large" and time.monotonic() - start < 5


def test_pre2019_grid_with_spanning_labels_reads_by_header() -> None:
    """统计指标 spans two columns; group labels are rowspanned down the first column."""
    table = (
        "<table border='1'><tr><td colspan='2'>统计指标</td><td>单位</td><td>统计数</td></tr>"
        "<tr><td colspan='2'>一、主动公开情况</td><td>——</td><td></td></tr>"
        "<tr><td rowspan='2'>一、主动公开情况</td><td>（一）主动公开政府信息数</td><td>条</td>"
        "<td>125</td></tr><tr><td>其中：主动公开规范性文件数</td><td>条</td><td>见附件</td></tr>"
        "<tr><td colspan='2'>四、行政复议数量</td><td>件</td><td>3</td></tr></table>"
    )
    page = ("<html><head><title>某县人民政府2017年政府信息公开工作年度报告</title></head><body>"
            f"<div id='zoom'><p>{'本报告统计期限为2017年1月1日至12月31日。' * 10}</p>{table}"
            "</div></body></html>")  # fmt: skip
    record = analyse(page.encode(), content_type="text/html").record
    cells = {i.row_code: (i.row, i.raw, i.value) for i in record.indicators}
    assert cells["active.total"] == ("(一)主动公开政府信息数", "125", 125.0)  # NFKC-folded
    assert cells["review.total"] == ("四、行政复议数量", "3", 3.0)
    assert cells["active.normative_docs"][1:] == ("见附件", None)
    assert "table.unreadable_cell" in {w.rule for w in record.warnings}


def test_a_report_flattened_onto_one_line_is_still_a_report() -> None:
    # a traditional mirror with pinyin after characters, the whole report on one line: its
    # first section heading runs straight into the text
    [page] = (FIXTURES / "labelled" / "raw").glob("135_*")
    record = analyse(page.read_bytes(), content_type="text/plain").record
    assert record.is_report and record.year == 2020
    assert record.format is not None and record.format.startswith("gb")
    assert record.indicators == []  # its tables were images: nothing is invented


def test_a_section_heading_inside_a_sentence_does_not_make_a_report() -> None:
    notice = "各单位：\n请按要求报送材料。一、总体情况 各单位要认真对待。\n特此通知。"
    assert not analyse(notice.encode(), content_type="text/plain").record.is_report


def test_the_year_of_the_work_the_opening_says_it_reports_on() -> None:
    # no title: the opening says "…等六个方面汇报我镇2023年政府信息公开工作"
    [page] = (FIXTURES / "labelled" / "raw").glob("154_*")
    assert analyse(page.read_bytes(), content_type="text/plain").record.year == 2023
    other = "一、总体情况\n我镇落实条例。回顾2019年以来，政府信息公开不断深化。\n二、主动公开\n" * 2
    assert analyse(other.encode(), content_type="text/plain").record.year is None
