"""Readers on real and generated inputs: HTML tables, PDF (reportlab and real), DOCX, rejections."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from nianbao.core.document import Document, Table
from nianbao.core.errors import PageRejected
from nianbao.core.extract import extract

REAL = Path(__file__).parent / "fixtures" / "real-reports"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
NOTE_FOLDED = "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)"

# The 2021 申请 table (report-formats.md A.1.3): (group, subgroup rowspan, label) per data row.
APPLICATION_ROWS: list[tuple[str | None, str | None, str]] = [
    (None, None, "一、本年新收政府信息公开申请数量"),
    (None, None, "二、上年结转政府信息公开申请数量"),
    ("三、本年度办理结果", None, "（一）予以公开"),
    ("三、本年度办理结果", None, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    *[
        ("三、本年度办理结果", "（三）不予公开", label)
        for label in (
            "1.属于国家秘密",
            "2.其他法律行政法规禁止公开",
            "3.危及“三安全一稳定”",
            "4.保护第三方合法权益",
            "5.属于三类内部事务信息",
            "6.属于四类过程性信息",
            "7.属于行政执法案卷",
            "8.属于行政查询事项",
        )
    ],
    *[
        ("三、本年度办理结果", "（四）无法提供", label)
        for label in (
            "1.本机关不掌握相关政府信息",
            "2.没有现成信息需要另行制作",
            "3.补正后申请内容仍不明确",
        )
    ],
    *[
        ("三、本年度办理结果", "（五）不予处理", label)
        for label in (
            "1.信访举报投诉类申请",
            "2.重复申请",
            "3.要求提供公开出版物",
            "4.无正当理由大量反复申请",
            "5.要求行政机关确认或重新出具已获取信息",
        )
    ],
    *[
        ("三、本年度办理结果", "（六）其他处理", label)
        for label in (
            "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            "3.其他",
        )
    ],
    ("三、本年度办理结果", None, "（七）总计"),
    (None, None, "四、结转下年度继续办理"),
]

APPLICANT_COLUMNS = (
    "自然人",
    "商业企业",
    "科研机构",
    "社会公益组织",
    "法律服务机构",
    "其他",
    "总计",
)


def _numbers(i: int) -> list[str]:
    """Seven distinct values for data row i; the 科研机构 cell is blank (&nbsp;) on even rows."""
    values = [str(100 + i), str(i), "&nbsp;" if i % 2 == 0 else "0", "0", "0", "1", str(101 + i)]
    return [f"<td>{v}</td>" for v in values]


def application_table_html() -> str:
    """The 2021 申请 table with the official rowspan/colspan header and label nesting."""
    rows = [
        f'<tr><td colspan="3" rowspan="3">{NOTE}</td><td colspan="7">申请人情况</td></tr>',
        '<tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td>'
        '<td rowspan="2">总计</td></tr>',
        "<tr><td>商业<br/>企业</td><td>科研 机构</td><td>社会<br>公益<br>组织</td>"
        "<td>法律服务机构</td><td>其他</td></tr>",
    ]
    spans = {"三、本年度办理结果": 22, "（三）不予公开": 8, "（四）无法提供": 3}
    spans |= {"（五）不予处理": 5, "（六）其他处理": 3}
    opened: set[str] = set()
    for i, (group, sub, label) in enumerate(APPLICATION_ROWS):
        cells = ""
        if group is None:
            cells += f'<td colspan="3">{label}</td>'
        else:
            if group not in opened:
                opened.add(group)
                cells += f'<td rowspan="{spans[group]}">{group}</td>'
            if sub is None:
                cells += f'<td colspan="2">{label}</td>'
            else:
                if sub not in opened:
                    opened.add(sub)
                    cells += f'<td rowspan="{spans[sub]}">{sub}</td>'
                cells += f"<td>{label}</td>"
        rows.append(f"<tr>{cells}{''.join(_numbers(i))}</tr>")
    return "<table border='1'><tbody>" + "".join(rows) + "</tbody></table>"


def page(content: str, head: str = "") -> str:
    """A government-style page: chrome around a #zoom content container."""
    return (
        f"<html><head>{head}<title>测试区2024年政府信息公开工作年度报告_测试区人民政府</title>"
        "</head><body><div class='nav'>首页 | 政务公开</div>"
        "<div class='info'>发布时间：2025-01-20 来源：测试区人民政府办公室</div>"
        f"<div id='zoom'>{content}</div><div>扫一扫在手机打开当前页</div></body></html>"
    )


INTRO = (
    "<p>本报告由测试区人民政府办公室根据《中华人民共和国政府信息公开条例》要求编制。"
    "报告中所列数据统计期限自2024年1月1日起至2024年12月31日止。</p>"
)


def row_by_label(table: Table, label: str) -> tuple[str, ...]:
    """The one row whose label columns hold this label."""
    found = [row for row in table.rows if label in row]
    assert len(found) == 1, (label, found)
    return found[0]


def table_with(doc: Document, label: str) -> Table:
    """The one table that has a cell with this text."""
    found = [t for t in doc.tables if any(label in row for row in t.rows)]
    assert len(found) == 1, (label, len(found))
    return found[0]


# -- HTML -------------------------------------------------------------------------------------


def test_html_application_table_expands_spans() -> None:
    """Rowspan/colspan expand so that every row and column reads by its labels."""
    html = page(INTRO + "<p>三、收到和处理政府信息公开申请情况</p>" + application_table_html())
    doc = extract(html.encode(), "text/html")
    assert doc.kind == "html" and len(doc.tables) == 1
    table = doc.tables[0]
    assert table.width == 10 and len(table.rows) == 3 + 25
    header = table.rows[2]
    assert header[:3] == (NOTE_FOLDED,) * 3
    assert header[3:] == APPLICANT_COLUMNS
    assert table.rows[1][3] == "自然人" and table.rows[1][4:9] == ("法人或其他组织",) * 5
    assert table.rows[0][3:] == ("申请人情况",) * 7
    natural, total = header.index("自然人"), header.index("总计")
    secret = row_by_label(table, "1.属于国家秘密")
    assert secret[:2] == ("三、本年度办理结果", "(三)不予公开")
    i = [label for _, _, label in APPLICATION_ROWS].index("1.属于国家秘密")
    assert (secret[natural], secret[total]) == (str(100 + i), str(101 + i))
    assert secret[header.index("科研机构")] == ""  # &nbsp; is blank, not "0"
    assert row_by_label(table, "一、本年新收政府信息公开申请数量")[:4] == (
        "一、本年新收政府信息公开申请数量",
        "一、本年新收政府信息公开申请数量",
        "一、本年新收政府信息公开申请数量",
        "100",
    )
    other = row_by_label(table, "3.其他")
    assert other[1] == "(六)其他处理" and other[0] == "三、本年度办理结果"
    assert row_by_label(table, "四、结转下年度继续办理")[natural] == str(100 + 24)
    # Table text stays out of the narrative text; the narrative and the metadata stay.
    assert "属于国家秘密" not in doc.text and "自然人" not in doc.text
    assert "三、收到和处理政府信息公开申请情况" in doc.lines
    assert doc.published == "2025-01-20" and doc.source == "测试区人民政府办公室"


def test_html_layout_table_is_read_as_text() -> None:
    """Frames holding the article give text; the data table inside stays a Table."""
    article = "（一）主动公开情况。" + "全区各部门依法主动公开政府信息，" * 12 + "取得明显成效。"
    data = (
        "<table><tr><td>信息内容</td><td>本年处理决定数量</td></tr>"
        "<tr><td>行政许可</td><td>9487</td></tr></table>"
    )
    html = (
        "<html><body><table width='100%'><tr><td class='nav'>首页</td><td>"
        "<table><tr><td>"  # a single-cell frame inside a two-column frame
        f"<p>测试区2024年政府信息公开工作年度报告</p><p>一、总体情况</p><p>{article}</p>"
        f"<p>二、主动公开政府信息情况</p>{data}<p>六、其他需要报告的事项</p><p>无。</p>"
        "</td></tr></table></td></tr></table></body></html>"
    )
    doc = extract(html.encode(), "text/html")
    assert doc.lines[:2] == [
        "测试区2024年政府信息公开工作年度报告",
        "一、总体情况",
    ]  # 首页 is chrome
    assert article.replace("（", "(").replace("）", ")").replace("，", ",") in doc.lines
    assert doc.lines[-3:] == ["二、主动公开政府信息情况", "六、其他需要报告的事项", "无。"]
    assert [t.rows for t in doc.tables] == [
        (("信息内容", "本年处理决定数量"), ("行政许可", "9487"))
    ]


def test_html_split_active_disclosure_tables_stay_separate() -> None:
    """Four 主动公开 tables stay four Tables, in order."""
    blocks = [
        ("第二十条第（一）项", ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
         [["规章", "0", "0", "0"], ["行政规范性文件", "3", "0", "8"]]),
        ("第二十条第（五）项", ["信息内容", "本年处理决定数量"], [["行政许可", "9487"]]),
        ("第二十条第（六）项", ["信息内容", "本年处理决定数量"],
         [["行政处罚", "2776"], ["行政强制", "84"]]),
        ("第二十条第（八）项", ["信息内容", "本年收费金额（单位：万元）"],
         [["行政事业性收费", "7545"]]),
    ]  # fmt: skip
    tables = ""
    for title, header, rows in blocks:
        cells = "".join(f"<td colspan='{4 - len(header) + 1}'>{c}</td>" for c in header[1:])
        body = "".join(
            "<tr>" + "".join(f"<td>{c}</td>" for c in row[:1]) + "".join(
                f"<td colspan='{4 - len(row) + 1}'>{c}</td>" for c in row[1:]
            ) + "</tr>"
            for row in rows
        )  # fmt: skip
        tables += (
            f"<table><tr><td colspan='4'>{title}</td></tr>"
            f"<tr><td>信息内容</td>{cells}</tr>{body}<tr><td>&nbsp;</td><td></td></tr></table>"
        )
    doc = extract(page(INTRO + "<p>二、主动公开政府信息情况</p>" + tables).encode(), "text/html")
    assert [t.rows[0][0] for t in doc.tables] == [
        "第二十条第(一)项",
        "第二十条第(五)项",
        "第二十条第(六)项",
        "第二十条第(八)项",
    ]
    assert [len(t.rows) for t in doc.tables] == [4, 3, 4, 3]  # the empty last rows are dropped
    assert row_by_label(doc.tables[2], "行政处罚") == ("行政处罚", "2776", "2776", "2776")
    assert doc.tables[3].rows[1][1] == "本年收费金额(单位:万元)"
    assert "行政处罚" not in doc.text


def test_gbk_page_with_a_table() -> None:
    """A gb2312-declared page decodes, and its table cells are folded and joined."""
    html = page(
        INTRO + "<p>四、政府信息公开行政复议、行政诉讼情况</p>"
        "<table><tr><td colspan='5'>行政复议</td></tr>"
        "<tr><td>结果<br>维持</td><td>结果<br>纠正</td><td>其他<br>结果</td><td>尚未<br>审结</td>"
        "<td>总计</td></tr><tr><td>１</td><td>1</td><td>0</td><td>0</td><td>2</td></tr></table>",
        head="<meta http-equiv='Content-Type' content='text/html; charset=gb2312'>",
    )
    doc = extract(html.encode("gb18030"), "text/html")
    assert doc.encoding == "gb18030"
    assert doc.tables[0].rows == (
        ("行政复议",) * 5,
        ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计"),
        ("1", "1", "0", "0", "2"),  # the full-width １ is NFKC-folded
    )
    assert "四、政府信息公开行政复议、行政诉讼情况" in doc.lines


def test_content_type_parameters_and_rejections() -> None:
    """Content-Type parameters are understood; other formats are rejected."""
    html = page(INTRO).encode("gb18030")
    assert extract(html, "Text/HTML; charset=GBK").encoding == "gb18030"
    for content_type in ("application/msword", "application/vnd.ms-works", "image/png"):
        with pytest.raises(PageRejected) as info:
            extract(b"\xd0\xcf\x11\xe0 not supported", content_type)
        assert info.value.reason == "unsupported_content_type"
        assert "convert it to DOCX or PDF" in info.value.detail


# -- PDF generated with reportlab -------------------------------------------------------------


def _cjk_styles() -> dict[str, object]:
    """Paragraph styles in the built-in Chinese CID font."""
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("body", fontName="STSong-Light", fontSize=14, leading=24)
    body.wordWrap = "CJK"
    return {
        "title": ParagraphStyle("title", parent=body, fontSize=20, leading=30, alignment=TA_CENTER),
        "heading": ParagraphStyle("heading", parent=body, firstLineIndent=28),
        "body": ParagraphStyle("para", parent=body, firstLineIndent=28),
        "cell": ParagraphStyle("cell", parent=body, fontSize=10, leading=12),
    }


PDF_PARA_1 = (
    "本报告由测试区人民政府办公室根据《中华人民共和国政府信息公开条例》要求编制，"
    "报告中所列数据统计期限自 2024 年 1 月 1 日起至 2024 年 12 月 31 日止，"
    "全区在政府网站平台主动发布各类政府信息 2428 条，公开政府常务会议 7 期。"
)
BOXED_LINES = ["注：本报告中的数据来源于各部门报送的统计表，", "经区政府办公室汇总审核后形成。"]
PDF_PARA_2 = "针对存在问题，" + "下一步将进一步规范依申请公开工作流程，" * 6 + "提升答复质量。"


def reportlab_pdf() -> bytes:
    """Title, wrapped paragraphs, a spanned table that goes on over a page break, page numbers."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer
    from reportlab.platypus import Table as RLTable

    styles = _cjk_styles()
    font = "STSong-Light"
    data = [
        ["（本列数据的勾稽关系为：第一项加第二项之和）", "", "申请人情况", "", ""],
        ["", "", "自然人", "法人或其他组织", "总计"],
        ["一、本年新收政府信息公开申请数量", "", "95", "0", "95"],
        ["三、本年度办理结果", "（一）予以公开", "50", "0", "50"],
        ["", "（二）部分公开", "9", "0", "9"],
    ]
    data += [["三、本年度办理结果" if i == 0 else "", f"{i + 1}.其他情形", str(i), "0", str(i)]
             for i in range(40)]  # fmt: skip
    data[5][0] = ""
    table = RLTable(data, repeatRows=2, colWidths=[150, 110, 60, 90, 50])
    table.setStyle(
        [
            ("FONT", (0, 0), (-1, -1), font, 9),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("SPAN", (0, 0), (1, 1)),
            ("SPAN", (2, 0), (4, 0)),
            ("SPAN", (0, 2), (1, 2)),
            ("SPAN", (0, 3), (0, 4)),
        ]
    )

    def page_number(canvas: object, doc: object) -> None:
        """Draw the page number in the footer."""
        canvas.setFont(font, 10)  # type: ignore[attr-defined]
        canvas.drawCentredString(A4[0] / 2, 30, f"- {doc.page} -")  # type: ignore[attr-defined]

    box = RLTable([[line] for line in BOXED_LINES], colWidths=[440])
    box.setStyle(
        [("FONT", (0, 0), (-1, -1), font, 11), ("GRID", (0, 0), (-1, -1), 0.5, colors.grey)]
    )
    out = io.BytesIO()
    story = [
        Paragraph("测试区人民政府", styles["title"]),
        Paragraph("2024年政府信息公开工作年度报告", styles["title"]),
        Spacer(1, 12),
        Paragraph(PDF_PARA_1, styles["body"]),
        box,
        Paragraph("一、总体情况", styles["heading"]),
        Paragraph(PDF_PARA_2, styles["body"]),
        Paragraph("三、收到和处理政府信息公开申请情况", styles["heading"]),
        table,
        Paragraph("六、其他需要报告的事项", styles["heading"]),
        Paragraph("全年收取政府信息公开信息处理费 0 元。", styles["body"]),
    ]
    SimpleDocTemplate(out, pagesize=A4).build(
        story, onFirstPage=page_number, onLaterPages=page_number
    )
    return out.getvalue()


@pytest.fixture(scope="module")
def generated_pdf() -> Document:
    """The reportlab PDF, extracted once."""
    return extract(reportlab_pdf(), "application/pdf")


def test_pdf_paragraphs_are_rejoined_and_squeezed(generated_pdf: Document) -> None:
    """Wrapped lines become paragraphs; layout spaces next to CJK go."""
    doc = generated_pdf
    assert doc.kind == "pdf" and doc.encoding is None
    assert doc.lines[:2] == ["测试区人民政府", "2024年政府信息公开工作年度报告"]
    para_1 = PDF_PARA_1.replace(" ", "").replace("，", ",").replace("《", "《")
    assert para_1 in doc.lines
    assert "2024年1月1日" in doc.text and "公开政府常务会议7期" in doc.text
    assert PDF_PARA_2.replace("，", ",") in doc.lines
    assert "一、总体情况" in doc.lines and "六、其他需要报告的事项" in doc.lines
    assert not any(line.startswith("- ") for line in doc.lines)  # page numbers dropped
    assert "其他情形" not in doc.text and "自然人" not in doc.text  # table text only in tables


def test_pdf_text_box_is_text_not_a_table(generated_pdf: Document) -> None:
    """A one-column ruled box of prose is text, not a Table."""
    folded = [line.replace("：", ":").replace("，", ",") for line in BOXED_LINES]
    assert all(line in generated_pdf.lines for line in folded)  # short lines: not re-joined
    assert not any("统计表" in cell for t in generated_pdf.tables for r in t.rows for cell in r)


def test_pdf_table_spans_and_page_break(generated_pdf: Document) -> None:
    """Spans are filled and the two page parts become one grid."""
    assert int(generated_pdf.meta["pages"]) >= 2
    assert len(generated_pdf.tables) == 1  # the two page parts are one table
    table = generated_pdf.tables[0]
    assert table.width == 5
    assert table.rows[0] == ("(本列数据的勾稽关系为:第一项加第二项之和)",) * 2 + ("申请人情况",) * 3
    assert table.rows[1] == ("(本列数据的勾稽关系为:第一项加第二项之和)",) * 2 + (
        "自然人",
        "法人或其他组织",
        "总计",
    )
    assert len(table.rows) == 2 + 3 + 40  # the header repeated on page 2 is dropped
    assert row_by_label(table, "一、本年新收政府信息公开申请数量")[:3] == (
        "一、本年新收政府信息公开申请数量",
        "一、本年新收政府信息公开申请数量",
        "95",
    )
    assert row_by_label(table, "(二)部分公开") == (
        "三、本年度办理结果",
        "(二)部分公开",
        "9",
        "0",
        "9",
    )
    assert row_by_label(table, "40.其他情形") == ("", "40.其他情形", "39", "0", "39")


def test_image_only_pdf_has_no_text_layer() -> None:
    """A PDF without characters is rejected as needing OCR."""
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    pdf.rect(50, 50, 400, 600, fill=1)
    pdf.drawImage(ImageReader(Image.new("RGB", (40, 40), "gray")), 100, 100, 200, 200)
    pdf.showPage()
    pdf.save()
    with pytest.raises(PageRejected) as info:
        extract(out.getvalue(), "application/pdf")
    assert (info.value.stage, info.value.reason) == ("extract", "no_text_layer")
    assert "OCR" in info.value.detail


@pytest.mark.parametrize("body", [b"%PDF-1.7\n" + bytes(range(256)) * 20, b"not a pdf at all"])
def test_broken_pdf(body: bytes) -> None:
    """Bytes pdfplumber cannot read are rejected as broken_pdf."""
    with pytest.raises(PageRejected) as info:
        extract(body, "application/pdf")
    assert info.value.reason == "broken_pdf" and info.value.detail


def test_pdf_sent_as_octet_stream_is_read_as_pdf(generated_pdf: Document) -> None:
    """A generic attachment type is sniffed from the %PDF- magic."""
    doc = extract(reportlab_pdf(), "application/octet-stream")
    assert doc.kind == "pdf" and doc.tables == generated_pdf.tables


# -- real PDFs (淮安, 2021 national format, WPS exports) --------------------------------------


@pytest.fixture(scope="module")
def real_pdfs() -> dict[str, Document]:
    """The three real 淮安 reports, extracted once."""
    return {
        path.stem: extract(path.read_bytes(), "application/pdf")
        for path in sorted(REAL.glob("*.pdf"))
    }


def application_table(doc: Document, data_rows: int) -> Table:
    """The 申请 table: 10 columns, three header rows, then the data rows."""
    table = table_with(doc, "1.属于国家秘密")
    assert table.width == 10
    data = [row for row in table.rows if all(cell.isdigit() for cell in row[3:])]
    assert len(data) == data_rows and table.rows.index(data[0]) == 3  # three header rows above
    assert table.rows[2][3:] == APPLICANT_COLUMNS
    return table


EXPECTED = {
    # file: (申请 data rows, 新收 自然人, 新收 总计, （四）2.没有现成信息 自然人, 行政处罚,
    #        复议/诉讼 row). 洪泽 keeps the 2019 single （六）其他处理 row: 23 data rows, not 25.
    "huaian-hongzequ-2024": (23, "95", "95", "1", "2776", "1 1 0 0 2 1 0 0 0 1 2 0 1 0 3"),
    "huaian-hongzequ-2023": (23, "21", "21", "3", "4119", "10 1 0 0 0 0 0 0 0 0 5 0 0 0 0"),
    "huaian-shi-2024": (
        25,
        "3001",
        "3119",
        "11",
        "3985758",
        "72 64 178 37 351 13 4 8 1 26 12 1 1 6 20",
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_pdf_tables(real_pdfs: dict[str, Document], name: str) -> None:
    """The three national tables come out whole, across page breaks, with real values."""
    doc = real_pdfs[name]
    data_rows, new, new_total, not_made, penalties, review = EXPECTED[name]
    assert len(doc.tables) == 3
    active, applications, appeals = doc.tables
    assert active is table_with(doc, "行政处罚")
    assert row_by_label(active, "行政处罚")[1] == penalties
    assert row_by_label(active, "行政规范性文件")[0] == "行政规范性文件"
    assert [row[0] for row in active.rows if row[0].startswith("第二十条")] == [
        "第二十条第(一)项",
        "第二十条第(五)项",
        "第二十条第(六)项",
        "第二十条第(八)项",
    ]
    assert applications is application_table(doc, data_rows)
    header = applications.rows[2]
    received = row_by_label(applications, "一、本年新收政府信息公开申请数量")
    assert (received[header.index("自然人")], received[header.index("总计")]) == (new, new_total)
    # The row after the page break keeps its group labels.
    not_made_row = row_by_label(applications, "2.没有现成信息需要另行制作")
    assert not_made_row[:2] == ("三、本年度办理结果", "(四)无法提供")
    assert not_made_row[header.index("自然人")] == not_made
    assert row_by_label(applications, "1.属于国家秘密")[:2] == (
        "三、本年度办理结果",
        "(三)不予公开",
    )
    assert " ".join(appeals.rows[-1]) == review and appeals.width == 15
    assert appeals.rows[2][:5] == ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_pdf_text(real_pdfs: dict[str, Document], name: str) -> None:
    """Sections in order, paragraphs re-joined, no page numbers, no table text."""
    doc = real_pdfs[name]
    year = name[-4:]
    assert f"{year}年政府信息公开工作年度报告" in doc.lines[:3]
    sections = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况"]
    sections += ["四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况"]
    sections += ["六、其他需要报告的事项"]
    assert [line for line in doc.lines if line in sections] == sections
    assert f"{year}年1月1日" in doc.text
    assert not any(line.startswith("- ") or line.isdigit() for line in doc.lines)
    assert "属于国家秘密" not in doc.text and "本年制发件数" not in doc.text
    # Wrapped lines are one paragraph: no line ends mid-sentence before an unindented line.
    general = next(line for line in doc.lines if line.startswith(f"{year}年,") and "指导" in line)
    assert general.endswith("。") and len(general) > 100


def test_real_pdf_rejoined_sentence(real_pdfs: dict[str, Document]) -> None:
    """A sentence wrapped over three lines is one, digits next to CJK unspaced."""
    text = real_pdfs["huaian-hongzequ-2024"].text
    assert (
        "我区在政府网站平台主动发布各类政府信息2428条,公开政府常务会议7期,解读信息发布7条。" in text
    )


# -- DOCX -------------------------------------------------------------------------------------


def docx_bytes() -> bytes:
    """A DOCX with paragraphs and a table merged across and down."""
    import docx

    document = docx.Document()
    document.core_properties.title = "测试区2024年政府信息公开工作年度报告"
    document.add_paragraph("测试区2024年政府信息公开工作年度报告")
    document.add_paragraph("一、总体情况")
    document.add_paragraph("2024年，测试区持续推进政务公开。\n全年主动公开政府信息1136条。")
    table = document.add_table(rows=6, cols=5)
    note = table.cell(0, 0).merge(table.cell(1, 1))  # 2 × 2
    note.text = NOTE
    table.cell(0, 2).merge(table.cell(0, 4)).text = "申请人情况"
    for col, text in zip((2, 3, 4), ("自然人", "法人或其他\n组织", "总计"), strict=True):
        table.cell(1, col).text = text
    table.cell(2, 0).merge(table.cell(2, 1)).text = "一、本年新收政府信息公开申请数量"
    table.cell(3, 0).merge(table.cell(4, 0)).text = "三、本年度办理结果"
    for row, label, values in (
        (2, None, ("95", "0", "95")),
        (3, "（一）予以公开", ("50", "0", "50")),
        (4, "（二）部分公开", ("9", "", "9")),
    ):
        if label:
            table.cell(row, 1).text = label
        for col, value in zip((2, 3, 4), values, strict=True):
            table.cell(row, col).text = value
    document.add_paragraph("六、其他需要报告的事项")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_docx_paragraphs_and_merged_table() -> None:
    """Paragraph lines in order; merged cells repeat their text across and down."""
    doc = extract(docx_bytes(), DOCX)
    assert doc.kind == "docx" and doc.encoding is None
    assert doc.lines == [
        "测试区2024年政府信息公开工作年度报告",
        "一、总体情况",
        "2024年,测试区持续推进政务公开。",
        "全年主动公开政府信息1136条。",
        "六、其他需要报告的事项",
    ]
    assert doc.meta["title"] == "测试区2024年政府信息公开工作年度报告"
    (table,) = doc.tables
    assert table.rows == (
        (NOTE_FOLDED, NOTE_FOLDED, "申请人情况", "申请人情况", "申请人情况"),
        (NOTE_FOLDED, NOTE_FOLDED, "自然人", "法人或其他组织", "总计"),
        ("一、本年新收政府信息公开申请数量",) * 2 + ("95", "0", "95"),
        ("三、本年度办理结果", "(一)予以公开", "50", "0", "50"),
        ("三、本年度办理结果", "(二)部分公开", "9", "", "9"),  # vMerge repeats the label
    )  # the sixth row is empty and dropped


@pytest.mark.parametrize("body", [b"PK\x03\x04 broken zip", b"plain bytes", b""])
def test_broken_docx(body: bytes) -> None:
    """Bytes python-docx cannot open are rejected as broken_docx."""
    with pytest.raises(PageRejected) as info:
        extract(body, DOCX)
    assert info.value.reason == "broken_docx"


def test_zip_that_is_not_a_docx_is_broken() -> None:
    """A ZIP without a Word document in it is rejected as broken_docx."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(PageRejected) as info:
        extract(out.getvalue(), DOCX)
    assert info.value.reason == "broken_docx"
