"""The national-template tables, read cell by cell by row and column label, from real pages."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from nianbao.core.document import Table
from nianbao.core.gbtables import GbTables, parse_gb_tables
from schemas.report import Indicator

GB = Path(__file__).parent / "fixtures" / "gb"

APPLICANTS = ["natural_person", "commercial", "research", "social_welfare", "legal_service"]
COLUMNS = [*APPLICANTS, "other_org", "total"]
ROWS_COMMON_HEAD = [
    "new_received",
    "carried_over",
    "granted",
    "partially_granted",
    "denied_state_secret",
    "denied_prohibited_by_law",
    "denied_three_safeties_one_stability",
    "denied_third_party_rights",
    "denied_internal_affairs",
    "denied_process_info",
    "denied_law_enforcement_file",
    "denied_administrative_inquiry",
    "unable_not_held",
    "unable_needs_creation",
    "unable_unclear_after_correction",
    "not_processed_petition",
    "not_processed_repeat",
    "not_processed_publication",
    "not_processed_mass_repeat",
    "not_processed_confirmation",
]
ROWS_2021 = [
    *ROWS_COMMON_HEAD,
    "other_no_correction",
    "other_no_fee",
    "other_other",
    "total",
    "carried_forward",
]
ROWS_2019 = [*ROWS_COMMON_HEAD, "other_processing", "total", "carried_forward"]

# The 申请 table of gb2021_full.html, row by row in ROWS_2021 order, columns in COLUMNS order.
M21 = [
    [364, 55, 6, 2, 10, 5, 442],
    [14, 3, 0, 0, 1, 0, 18],
    [132, 18, 2, 1, 3, 1, 157],
    [41, 7, 1, 0, 2, 0, 51],
    [1, 0, 0, 0, 0, 0, 1],
    [3, 1, 0, 0, 0, 0, 4],
    [2, 0, 0, 0, 0, 0, 2],
    [6, 2, 0, 0, 1, 0, 9],
    [4, 0, 0, 0, 0, 1, 5],
    [9, 3, 0, 0, 0, 0, 12],
    [5, 1, 0, 0, 1, 0, 7],
    [11, 2, 0, 1, 0, 0, 14],
    [57, 9, 1, 0, 2, 1, 70],
    [8, 1, 0, 0, 0, 0, 9],
    [12, 1, 0, 0, 0, 0, 13],
    [15, 2, 0, 0, 0, 1, 18],
    [19, 3, 0, 0, 1, 0, 23],
    [4, 0, 0, 0, 0, 0, 4],
    [7, 0, 0, 0, 0, 0, 7],
    [3, 1, 0, 0, 0, 0, 4],
    [10, 2, 0, 0, 0, 0, 12],
    [1, 0, 0, 0, 0, 0, 1],
    [6, 1, 1, 0, 0, 0, 8],
    [356, 54, 5, 2, 10, 4, 431],
    [22, 4, 1, 0, 1, 1, 29],
]
# The 申请 table of gb2019_full.html (None: a blank cell), rows in ROWS_2019 order.
M19 = [
    [821, 30, 2, 1, 3, 2, 859],
    [18, None, None, None, None, None, 18],
    [258, 12, 1, None, 1, None, None],
    [41, 4, None, None, 1, None, 46],
    [2, None, None, None, None, None, 2],
    [5, None, None, None, None, None, 5],
    [1, None, None, None, None, None, 1],
    [9, 2, None, None, None, None, 11],
    [12, None, None, None, None, None, 12],
    [18, None, None, None, None, None, 18],
    [4, None, None, None, None, None, 4],
    [27, None, None, None, None, None, 27],
    [201, 6, 1, None, 1, None, 209],
    [22, 1, None, None, None, None, 23],
    [14, None, None, None, None, None, 14],
    [38, 1, None, None, None, 1, 40],
    [47, None, None, None, None, 1, 48],
    [3, None, None, None, None, None, 3],
    [None, None, None, None, None, None, None],
    [11, None, None, None, None, None, 11],
    [54, 4, None, 1, None, None, 59],
    [767, 30, 2, 1, 3, 2, 805],
    [72, None, None, None, None, None, 72],
]
REVIEW_ORDER = [
    (group, result)
    for group in ("review", "litigation_direct", "litigation_after_review")
    for result in ("upheld", "corrected", "other", "pending", "total")
]
REVIEW21 = [3, 1, 0, 1, 5, 2, 0, 1, 1, 4, 1, 0, 0, 0, 1]


# --- a tiny HTML table reader for the fixtures (the project's reader is tested elsewhere) -----


def _text(html: str) -> str:
    """Cell text as the project's readers give it: NFKC, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", html).split())


def grids(html: str) -> list[Table]:
    """Every <table> of a page as a rectangular grid with rowspan/colspan expanded."""
    tree = LexborHTMLParser(re.sub(r"<br\s*/?>", " ", html, flags=re.IGNORECASE))
    tables: list[Table] = []
    for node in tree.css("table"):
        rows = node.css("tr")
        grid: dict[tuple[int, int], str] = {}
        for r, row in enumerate(rows):
            c = 0
            for cell in row.iter():
                if cell.tag not in ("td", "th"):
                    continue
                while (r, c) in grid:
                    c += 1
                rowspan = int(cell.attributes.get("rowspan") or 1)
                colspan = int(cell.attributes.get("colspan") or 1)
                for dr in range(rowspan):
                    for dc in range(colspan):
                        grid[(r + dr, c + dc)] = _text(cell.text())
                c += colspan
        width = max(col for _, col in grid) + 1
        tables.append(
            Table(
                tuple(tuple(grid.get((r, c), "") for c in range(width)) for r in range(len(rows)))
            )
        )
    return tables


def fixture(name: str) -> list[Table]:
    """The grids of one fixture page."""
    return grids((GB / name).read_text(encoding="utf-8"))


def cells(result: GbTables, table: str) -> dict[tuple[str | None, str | None], Indicator]:
    """One table's indicators by (row_code, column_code)."""
    found = [i for i in result.indicators if i.table == table]
    by_code = {(i.row_code, i.column_code): i for i in found}
    assert len(by_code) == len(found), "no (row, column) pair may be read twice"
    return by_code


def values(result: GbTables, table: str) -> dict[tuple[str | None, str | None], float | None]:
    """One table's values by (row_code, column_code)."""
    return {key: i.value for key, i in cells(result, table).items()}


def rules(result: GbTables) -> list[str]:
    """The warning rule ids, sorted."""
    return sorted(w.rule for w in result.warnings)


def matrix(rows: list[str], data: list[list[int | None]]) -> dict[tuple[str, str], float | None]:
    """Expected values by (row_code, column_code)."""
    return {
        (row, column): None if v is None else float(v)
        for row, line in zip(rows, data, strict=True)
        for column, v in zip(COLUMNS, line, strict=True)
    }


# --- gb2021 -------------------------------------------------------------------------------------


def test_full_2021_report_reads_all_200_cells_by_label() -> None:
    result = parse_gb_tables(fixture("gb2021_full.html"))
    assert result.format == "gb2021"
    assert result.warnings == []
    assert len(result.indicators) == 200
    assert [
        len(cells(result, t)) for t in ("active_disclosure", "applications", "review_litigation")
    ] == [
        10,
        175,
        15,
    ]
    assert values(result, "applications") == matrix(ROWS_2021, M21)
    assert values(result, "active_disclosure") == {
        ("regulations", "issued"): 2.0,
        ("regulations", "repealed"): 1.0,
        ("regulations", "in_force"): 15.0,
        ("normative_documents", "issued"): 12.0,
        ("normative_documents", "repealed"): 3.0,
        ("normative_documents", "in_force"): 87.0,
        ("administrative_licensing", "decisions"): 3521.0,
        ("administrative_punishment", "decisions"): 684.0,
        ("administrative_coercion", "decisions"): 37.0,
        ("administrative_fees", "fee_amount"): 125.36,
    }
    review = values(result, "review_litigation")
    assert [review[key] for key in REVIEW_ORDER] == [float(v) for v in REVIEW21]


def test_full_2021_labels_units_and_raw_text() -> None:
    result = parse_gb_tables(fixture("gb2021_full.html"))
    apps = cells(result, "applications")
    secret = apps[("denied_state_secret", "natural_person")]
    assert (secret.row, secret.column, secret.unit, secret.raw) == (
        "1.属于国家秘密",
        "自然人",
        "件",
        "1",
    )
    assert apps[("other_other", "research")].row == "3.其他"
    assert apps[("other_no_fee", "total")].row.startswith("2.申请人逾期未按收费通知要求缴纳费用")
    assert apps[("total", "commercial")].row == "(七)总计"
    assert apps[("carried_forward", "total")].column == "总计"
    assert {i.semantics for i in apps.values()} == {"number", "zero"}

    active = cells(result, "active_disclosure")
    fee = active[("administrative_fees", "fee_amount")]
    assert (fee.row, fee.column, fee.unit, fee.raw) == (
        "行政事业性收费",
        "本年收费金额(单位:万元)",
        "万元",
        "125.36",
    )
    issued = active[("normative_documents", "issued")]
    assert (issued.row, issued.column, issued.unit) == ("行政规范性文件", "本年制发件数", "件")

    review = cells(result, "review_litigation")
    direct = review[("litigation_direct", "pending")]
    assert (direct.row, direct.column, direct.value) == ("未经复议直接起诉", "尚未 审结", 1.0)
    assert review[("review", "total")].row == "行政复议"


def test_a_missing_row_shifts_nothing() -> None:
    result = parse_gb_tables(fixture("gb2021_row_missing.html"))
    assert result.format == "gb2021"
    expected = matrix(ROWS_2021, M21)
    lost = {key for key in expected if key[0] == "denied_three_safeties_one_stability"}
    assert values(result, "applications") == {k: v for k, v in expected.items() if k not in lost}
    assert len(result.indicators) == 168
    assert rules(result) == ["table.row_missing"]
    assert "三安全一稳定" in result.warnings[0].message


def test_active_table_split_into_four_grids() -> None:
    tables = fixture("gb2021_active_split.html")
    assert len(tables) == 5  # the 信息索引 box of the page, then the four sub-blocks
    result = parse_gb_tables(tables)
    assert result.format == "gb2021"
    assert result.warnings == []
    active = cells(result, "active_disclosure")
    assert len(result.indicators) == len(active) == 10
    assert {k: (i.value, i.semantics) for k, i in active.items()} == {
        ("regulations", "issued"): (0.0, "zero"),
        ("regulations", "repealed"): (0.0, "zero"),
        ("regulations", "in_force"): (0.0, "zero"),
        ("normative_documents", "issued"): (4.0, "number"),
        ("normative_documents", "repealed"): (1.0, "number"),
        ("normative_documents", "in_force"): (26.0, "number"),
        ("administrative_licensing", "decisions"): (812.0, "number"),
        ("administrative_punishment", "decisions"): (95.0, "number"),
        ("administrative_coercion", "decisions"): (None, "blank"),
        ("administrative_fees", "fee_amount"): (3.2, "number"),
    }
    docs = active[("normative_documents", "in_force")]
    assert (docs.row, docs.column) == ("行政规范性 文件", "现行有效 件数")


def test_blank_zero_slash_and_dash_stay_distinct() -> None:
    result = parse_gb_tables(fixture("gb2021_cell_semantics.html"))
    assert result.format == "gb2021"
    assert result.warnings == []
    apps = cells(result, "applications")
    assert len(apps) == 175
    granted = {column: apps[("granted", column)] for column in COLUMNS}
    assert {c: (i.raw, i.semantics, i.value) for c, i in granted.items()} == {
        "natural_person": ("5", "number", 5.0),
        "commercial": ("0", "zero", 0.0),
        "research": ("", "blank", None),
        "social_welfare": ("/", "not_applicable", None),
        "legal_service": ("—", "not_applicable", None),
        "other_org": ("无", "zero", 0.0),
        "total": ("5", "number", 5.0),
    }
    assert all(apps[("carried_over", c)].semantics == "blank" for c in COLUMNS)


def test_label_variants_nonstandard_subtotal_and_placeholder_row() -> None:
    result = parse_gb_tables(fixture("gb2021_variants.html"))
    assert result.format == "gb2021"
    assert rules(result) == ["table.nonstandard_column"]
    assert "法人或其他组织小计" in result.warnings[0].message
    assert values(result, "applications") == matrix(ROWS_2021, M21)
    apps = cells(result, "applications")
    assert apps[("total", "total")].row == "七、总计"
    assert apps[("carried_forward", "research")].row == "四、结转下一年度继续办理"
    assert apps[("denied_state_secret", "legal_service")].row == "1.属于国家秘密"
    assert apps[("denied_three_safeties_one_stability", "total")].row == '3、危及"三安全一稳定"'
    assert apps[("other_no_correction", "total")].row.endswith(
        "逾期不补正,行政机关不再处理其政府信息公开申请"
    )
    assert apps[("granted", "commercial")].column == "商业 企业"
    assert all(i.column != "法人或其他组织小计" for i in result.indicators)
    review = values(result, "review_litigation")
    assert [review[key] for key in REVIEW_ORDER] == [float(v) for v in REVIEW21]


def test_flattened_review_rows_are_read_in_template_order() -> None:
    tables = [
        t
        for t in fixture("gb_review_flattened.html")
        if any("结果维持" in c for r in t.rows for c in r)
    ]
    assert len(tables) == 2
    one_line, misaligned = (parse_gb_tables([t]) for t in tables)
    for result, expected in (
        (one_line, [2, 1, 0, 0, 3, 1, 0, 0, 1, 2, 0, 0, 0, 0, 0]),
        (misaligned, [4, 0, 1, 0, 5, 2, 1, 0, 0, 3, 0, 0, 1, 0, 1]),
    ):
        assert result.warnings == []
        assert result.format is None  # the 复议/诉讼 table is the same in both formats
        review = values(result, "review_litigation")
        assert len(review) == 15
        assert [review[key] for key in REVIEW_ORDER] == [float(v) for v in expected]
    first = cells(one_line, "review_litigation")[("litigation_after_review", "upheld")]
    assert (first.row, first.column, first.unit) == ("复议后起诉", "结果维持", "件")


def test_two_disagreeing_copies_keep_the_first() -> None:
    tables = [
        t
        for t in fixture("gb_review_flattened.html")
        if any("结果维持" in c for r in t.rows for c in r)
    ]
    result = parse_gb_tables(tables)
    assert values(result, "review_litigation")[("review", "upheld")] == 2.0
    assert rules(result) == ["table.duplicate_cell"]
    assert "and 5 more" in result.warnings[0].message  # 10 cells differ between the copies


# --- gb2019 -------------------------------------------------------------------------------------


def test_2019_report_keeps_2019_meanings() -> None:
    result = parse_gb_tables(fixture("gb2019_full.html"))
    assert result.format == "gb2019"
    assert [
        len(cells(result, t)) for t in ("active_disclosure", "applications", "review_litigation")
    ] == [
        22,
        161,
        15,
    ]
    assert values(result, "applications") == matrix(ROWS_2019, M19)
    active = cells(result, "active_disclosure")
    assert {k: (i.raw, i.value, i.unit) for k, i in active.items()} == {
        ("regulations", "new_made"): ("5", 5.0, "件"),
        ("regulations", "new_published"): ("5", 5.0, "件"),
        ("regulations", "total_published"): ("286", 286.0, "件"),
        ("normative_documents", "new_made"): ("23", 23.0, "件"),
        ("normative_documents", "new_published"): ("23", 23.0, "件"),
        ("normative_documents", "total_published"): ("1012", 1012.0, "件"),
        ("administrative_licensing", "previous_year_items"): ("3520", 3520.0, "件"),
        ("administrative_licensing", "change"): ("+1036", 1036.0, "件"),
        ("administrative_licensing", "decisions"): ("48211", 48211.0, "件"),
        ("other_management_services", "previous_year_items"): ("812", 812.0, "件"),
        ("other_management_services", "change"): ("-2", -2.0, "件"),
        ("other_management_services", "decisions"): ("9034", 9034.0, "件"),
        ("administrative_punishment", "previous_year_items"): ("1503", 1503.0, "件"),
        ("administrative_punishment", "change"): ("+12", 12.0, "件"),
        ("administrative_punishment", "decisions"): ("2270", 2270.0, "件"),
        ("administrative_coercion", "previous_year_items"): ("96", 96.0, "件"),
        ("administrative_coercion", "change"): ("0", 0.0, "件"),
        ("administrative_coercion", "decisions"): ("140", 140.0, "件"),
        ("administrative_fees", "previous_year_items"): ("18", 18.0, "件"),
        ("administrative_fees", "change"): ("-3", -3.0, "件"),
        ("government_procurement", "procurement_items"): ("42", 42.0, "件"),
        ("government_procurement", "procurement_amount"): ("251000元", 251000.0, "元"),
    }
    assert active[("administrative_licensing", "previous_year_items")].column == "上一年 项目数量"
    assert active[("normative_documents", "new_made")].row == "规范性文件"
    assert not any(i.column_code == "fee_amount" for i in result.indicators)

    apps = cells(result, "applications")
    other = apps[("other_processing", "social_welfare")]
    assert (other.row, other.value) == ("(六)其他处理", 1.0)
    assert not any(i.row_code and i.row_code.startswith("other_no") for i in result.indicators)
    blank_total = apps[("granted", "total")]
    assert (blank_total.raw, blank_total.value, blank_total.semantics) == ("", None, "blank")

    review = values(result, "review_litigation")
    assert [review[key] for key in REVIEW_ORDER] == [
        5.0, 1.0, 0.0, 1.0, 7.0, 3.0, 0.0, 1.0, 2.0, 6.0, 1.0, 0.0, 0.0, 0.0, 1.0
    ]  # fmt: skip


def test_2019_blank_total_cell_is_flagged_once_per_identity() -> None:
    result = parse_gb_tables(fixture("gb2019_full.html"))
    # Every column balances (自然人 821 + 18 == 767 + 72, 总计 859 + 18 == 805 + 72); the blank
    # 予以公开 总计 breaks the 予以公开 row total and the 总计 column's result sum, nothing else.
    assert rules(result) == ["applications.row_total", "applications.total"]
    by_rule = {w.rule: w.message for w in result.warnings}
    assert "(一)予以公开" in by_rule["applications.row_total"]
    assert "272" in by_rule["applications.row_total"]
    assert "总计" in by_rule["applications.total"]
    assert "805" in by_rule["applications.total"] and "533" in by_rule["applications.total"]


# --- identities, format decisions and edge cases on small grids -----------------------------------


def _replace(table: Table, row_label: str, column: int, text: str) -> Table:
    """A copy of a grid with one cell of the row whose label contains row_label replaced."""
    rows = []
    for row in table.rows:
        if any(row_label in cell for cell in row[:3]):
            row = (*row[:column], text, *row[column + 1 :])
        rows.append(row)
    return Table(tuple(rows))


def _apps_grid(name: str) -> Table:
    """The 申请 grid of a fixture."""
    return next(t for t in fixture(name) if any("自然人" in c for r in t.rows for c in r))


def test_broken_balance_is_a_warning_naming_column_and_numbers() -> None:
    grid = _replace(_apps_grid("gb2021_full.html"), "结转下年度", 3, "25")  # 自然人: 22 -> 25
    result = parse_gb_tables([grid])
    assert rules(result) == ["applications.balance", "applications.row_total"]
    balance = next(w for w in result.warnings if w.rule == "applications.balance")
    assert "自然人" in balance.message and "378" in balance.message and "381" in balance.message
    assert values(result, "applications")[("carried_forward", "natural_person")] == 25.0


def test_review_group_total_is_checked() -> None:
    header = [
        ("行政复议",) * 5 + ("行政诉讼",) * 10,
        ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
        + ("未经复议直接起诉",) * 5
        + ("复议后起诉",) * 5,
        ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计") * 3,
    ]
    data = ("1", "1", "0", "0", "3", "", "", "", "", "", "/", "/", "/", "/", "/")
    result = parse_gb_tables([Table((*header, data))])
    assert rules(result) == ["review_litigation.total"]
    assert "行政复议" in result.warnings[0].message and "3" in result.warnings[0].message
    semantics = {k: i.semantics for k, i in cells(result, "review_litigation").items()}
    assert semantics[("litigation_direct", "upheld")] == "blank"
    assert semantics[("litigation_after_review", "total")] == "not_applicable"


def test_review_placeholder_row_before_the_data_row() -> None:
    header = [
        ("行政复议",) * 5 + ("行政诉讼",) * 10,
        ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
        + ("未经复议直接起诉",) * 5
        + ("复议后起诉",) * 5,
        ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计") * 3,
    ]
    placeholder = ("",) * 15
    data = tuple(str(v) for v in REVIEW21)
    result = parse_gb_tables([Table((*header, placeholder, data))])
    review = values(result, "review_litigation")
    assert [review[key] for key in REVIEW_ORDER] == [float(v) for v in REVIEW21]


def test_active_table_decides_the_format_when_tables_disagree() -> None:
    active_2019 = next(
        t for t in fixture("gb2019_full.html") if any("信息内容" in r for r in t.rows)
    )
    result = parse_gb_tables([active_2019, _apps_grid("gb2021_full.html")])
    assert result.format == "gb2019"
    assert "format.conflict" in rules(result)
    assert len(cells(result, "applications")) == 175  # read as written, never re-mapped


def test_a_2021_report_with_the_single_2019_other_row() -> None:
    # Seen in real 2023/2024 PDFs: gb2021 主动公开 columns, but one （六）其他处理 row.
    active_2021 = next(
        t for t in fixture("gb2021_full.html") if any("信息内容" in r for r in t.rows)
    )
    result = parse_gb_tables([active_2021, _apps_grid("gb2019_full.html")])
    assert result.format == "gb2021"
    assert rules(result) == ["applications.row_total", "applications.total", "format.conflict"]
    assert values(result, "applications")[("other_processing", "natural_person")] == 54.0


def test_no_gb_table() -> None:
    info = Table(
        (("索引号:", "001/2022-1", "主题分类:", "政务公开"), ("发布机构:", "某局", "", ""))
    )
    assert parse_gb_tables([info]) == GbTables(format=None, indicators=[], warnings=[])
    assert parse_gb_tables([]) == GbTables(format=None, indicators=[], warnings=[])


def test_junk_rows_and_unreadable_cells() -> None:
    grid = Table(
        (
            ("二、主动公开政府信息情况", "二、主动公开政府信息情况"),
            ("第二十条第(五)项", "第二十条第(五)项"),
            ("信 息 内 容", "本年处理决定数量"),
            ("行政许可", "见附件"),
        )
    )
    result = parse_gb_tables([grid])
    assert result.indicators == []
    assert rules(result) == ["table.unreadable_cell"]


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("(三)不予公开", None),
        ("1、属于国家秘密", "denied_state_secret"),
        ("3.危及三安全一稳定", "denied_three_safeties_one_stability"),
        ("总计(7)", "total"),
        ("总计", "total"),
        ("4.无正当理由大量反复申请", "not_processed_mass_repeat"),
        ("2. 重复申请", "not_processed_repeat"),
        ("2.其他法律行政止公开", "denied_prohibited_by_law"),  # a typo in a real 2023 PDF
        ("5.要求行政机关确认或重 新出具 已获取信息", "not_processed_confirmation"),
        ("（六）其他处理", "other_processing"),
        ("三、本年度办理结果", None),
    ],
)
def test_application_row_label_variants(label: str, code: str | None) -> None:
    header = ("", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
    row = (label, "1", "", "", "", "", "", "1")
    result = parse_gb_tables([Table((header, row))])
    assert {i.row_code for i in result.indicators} == ({code} if code else set())


def test_application_table_split_at_a_page_break() -> None:
    grid = _apps_grid("gb2021_full.html")
    first, second = Table(grid.rows[:15]), Table(grid.rows[15:])  # the second part has no header
    result = parse_gb_tables([first, second])
    assert result.warnings == []
    assert values(result, "applications") == matrix(ROWS_2021, M21)


def test_a_missing_column_shifts_nothing() -> None:
    grid = _apps_grid("gb2021_full.html")
    research = grid.rows[2].index("科研机构")
    cut = Table(tuple((*row[:research], *row[research + 1 :]) for row in grid.rows))
    result = parse_gb_tables([cut])
    expected = {k: v for k, v in matrix(ROWS_2021, M21).items() if k[1] != "research"}
    assert values(result, "applications") == expected
    assert rules(result) == ["table.column_missing"]
    assert "科研机构" in result.warnings[0].message


def test_review_header_and_numbers_in_separate_grids() -> None:
    review = next(t for t in fixture("gb2021_full.html") if any("行政复议" in r for r in t.rows))
    result = parse_gb_tables([Table(review.rows[:3]), Table(review.rows[3:])])
    assert result.warnings == []
    found = values(result, "review_litigation")
    assert [found[key] for key in REVIEW_ORDER] == [float(v) for v in REVIEW21]


def test_review_title_alone_is_not_a_table() -> None:
    title = Table((("行政复议", "行政诉讼"), ("3", "1")))
    assert parse_gb_tables([title]) == GbTables(format=None, indicators=[], warnings=[])


def test_active_header_without_the_info_column_label() -> None:
    grid = Table(
        (
            ("", "本年新制发件数", "本年废止件数", "现行有效件数"),
            ("规章", "1", "0", "4"),
            ("行政规范性文件", "2", "1", "9"),
        )
    )
    result = parse_gb_tables([grid])
    assert result.format == "gb2021"
    assert values(result, "active_disclosure") == {
        ("regulations", "issued"): 1.0,
        ("regulations", "repealed"): 0.0,
        ("regulations", "in_force"): 4.0,
        ("normative_documents", "issued"): 2.0,
        ("normative_documents", "repealed"): 1.0,
        ("normative_documents", "in_force"): 9.0,
    }
    # the other four gb2021 rows are absent, and said to be
    assert rules(result) == ["table.row_missing"]


def test_public_code_lists() -> None:
    full = parse_gb_tables(fixture("gb2021_full.html"))
    old = parse_gb_tables(fixture("gb2019_full.html"))
    assert list(
        dict.fromkeys(i.row_code for i in full.indicators if i.table == "applications")
    ) == (ROWS_2021)
    assert list(dict.fromkeys(i.row_code for i in old.indicators if i.table == "applications")) == (
        ROWS_2019
    )
    assert {i.column_code for i in full.indicators if i.table == "applications"} == set(COLUMNS)
    assert {i.row_code for i in full.indicators if i.table == "active_disclosure"} == {
        "regulations",
        "normative_documents",
        "administrative_licensing",
        "administrative_punishment",
        "administrative_coercion",
        "administrative_fees",
    }
    assert {i.row_code for i in old.indicators if i.table == "active_disclosure"} == {
        "regulations",
        "normative_documents",
        "administrative_licensing",
        "other_management_services",
        "administrative_punishment",
        "administrative_coercion",
        "administrative_fees",
        "government_procurement",
    }
    assert {i.column_code for i in old.indicators if i.table == "active_disclosure"} == {
        "new_made",
        "new_published",
        "total_published",
        "previous_year_items",
        "change",
        "decisions",
        "procurement_items",
        "procurement_amount",
    }


def test_active_row_notes_in_brackets_and_the_extra_other_documents_row() -> None:
    grid = Table(
        (
            ("信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"),
            ("规章(设区的市、自治州人民政府应提供相关数据)", "0", "1", "2"),
            ("其他主动公开文件(含以本单位名义正式签发的主动公开文件)", "5", "6", "7"),
            ("第二十条第(九)项", "", "", ""),
            ("信息内容", "采购项目数", "采购总金额", ""),
            ("政府集中采购", "3", "12.5", ""),
        )
    )
    found = {(i.row_code, i.column_code): i for i in parse_gb_tables([grid]).indicators}
    assert found[("regulations", "total_published")].value == 2
    assert found[("regulations", "total_published")].row.startswith("规章(设区的市")
    assert found[("other_active_documents", "new_made")].value == 5
    assert found[("government_procurement", "procurement_items")].value == 3
