"""Numbers as written in reports: table cells, narrative phrases and Chinese numerals."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nianbao.core.numbers import Quantity, chinese_numeral, parse_cell, parse_number

FULL_WIDTH = str.maketrans("0123456789,.%+-", "０１２３４５６７８９，．％＋－")
CN_DIGITS = "零一二三四五六七八九"
FINANCIAL = str.maketrans("一二三四五六七八九十百千", "壹贰叁肆伍陆柒捌玖拾佰仟")

# Characters that exercise every branch of the parsers, for denser garbage than st.text().
NUMERIC_ALPHABET = (
    "0123456789０１,，.．%％+-－—/…×\\ \u00a0余多近约逾超过左右上下以上"
    "万亿元条件人次十百千零〇一二两三五第年月日号份〔]：至"
)


def q(value: float | None, semantics: str, unit: str | None = None) -> Quantity:
    """Shorthand for an expected Quantity."""
    return Quantity(value, semantics, unit)  # type: ignore[arg-type]


def _section(n: int) -> str:
    """Reference reading of 1 <= n < 10000, with 零 for skipped places ("一千零一十")."""
    out: list[str] = []
    started = zero_pending = False
    for digit, unit in zip(
        (n // 1000 % 10, n // 100 % 10, n // 10 % 10, n % 10), ("千", "百", "十", ""), strict=True
    ):
        if digit == 0:
            zero_pending = started
            continue
        if zero_pending:
            out.append("零")
            zero_pending = False
        out.append(CN_DIGITS[digit] + unit)
        started = True
    return "".join(out)


def to_chinese(n: int) -> str:
    """Reference standard reading of 0 <= n < 10**8 with 万 grouping, written independently."""
    if n == 0:
        return "零"
    high, low = divmod(n, 10_000)
    if not high:
        return _section(low)
    text = _section(high) + "万"
    if low:
        text += ("零" if low < 1000 else "") + _section(low)
    return text


def test_reference_converter_reads_as_usual() -> None:
    assert [to_chinese(n) for n in (0, 12, 105, 1010, 10_010, 35_000, 100_000)] == [
        "零",
        "一十二",
        "一百零五",
        "一千零一十",
        "一万零一十",
        "三万五千",
        "一十万",
    ]


# --- parse_cell -------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["", " ", "\u00a0", "\u3000", " \u00a0 ", "&nbsp;", "\u200b"])
def test_cell_blank(raw: str) -> None:
    assert parse_cell(raw) == q(None, "blank")


@pytest.mark.parametrize("raw", ["0", "0.0", "０", " 0 ", "-0", "0.00"])
def test_cell_zero(raw: str) -> None:
    assert parse_cell(raw) == q(0.0, "zero")


def test_cell_wu_is_zero() -> None:
    assert parse_cell("无") == q(0.0, "zero")


def test_cell_zero_keeps_unit() -> None:
    assert parse_cell("0%") == q(0.0, "zero", "%")
    assert parse_cell("0元") == q(0.0, "zero", "元")


@pytest.mark.parametrize(
    "raw", ["/", "／", "-", "—", "——", "--", "－", "…", "……", "...", "×", "\\", " / ", "N/A"]
)
def test_cell_not_applicable(raw: str) -> None:
    assert parse_cell(raw) == q(None, "not_applicable")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", q(1.0, "number")),
        ("1,234", q(1234.0, "number")),
        ("1，234", q(1234.0, "number")),
        ("１，２３４", q(1234.0, "number")),
        ("12,345,678.5", q(12_345_678.5, "number")),
        ("0.35", q(0.35, "number")),
        ("+1036", q(1036.0, "number")),
        ("＋1036", q(1036.0, "number")),
        ("-5", q(-5.0, "number")),
        ("－5", q(-5.0, "number")),
        ("34.7%", q(34.7, "number", "%")),
        ("34.7％", q(34.7, "number", "%")),
        ("３４．７％", q(34.7, "number", "%")),
        ("251000元", q(251_000.0, "number", "元")),
        (" 12 件 ", q(12.0, "number", "件")),
        ("5人次", q(5.0, "number", "人次")),
        ("15个工作日", q(15.0, "number", "个工作日")),
    ],
)
def test_cell_plain_numbers(raw: str, expected: Quantity) -> None:
    assert parse_cell(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("3.5万", q(35_000.0, "number")),
        ("1.2亿", q(120_000_000.0, "number")),
        ("2万元", q(2.0, "number", "万元")),
        ("1.2亿元", q(1.2, "number", "亿元")),
        ("3千万元", q(3000.0, "number", "万元")),
        ("3千元", q(3000.0, "number", "元")),
        ("3万块", q(30_000.0, "number", "块")),
        ("3万条", q(30_000.0, "number", "条")),
        ("3万人次", q(30_000.0, "number", "人次")),
    ],
)
def test_cell_multipliers_keep_money_units_as_written(raw: str, expected: Quantity) -> None:
    assert parse_cell(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1500余", q(1500.0, "approximate")),
        ("1500多", q(1500.0, "approximate")),
        ("近300", q(300.0, "approximate")),
        ("约300", q(300.0, "approximate")),
        ("逾300", q(300.0, "approximate")),
        ("超过300", q(300.0, "approximate")),
        ("300左右", q(300.0, "approximate")),
        ("300上下", q(300.0, "approximate")),
        ("300以上", q(300.0, "approximate")),
        ("20余万", q(200_000.0, "approximate")),
        ("1万余条", q(10_000.0, "approximate", "条")),
        ("20余万元", q(20.0, "approximate", "万元")),
        ("1500余件", q(1500.0, "approximate", "件")),
        ("300人左右", q(300.0, "approximate", "人")),
    ],
)
def test_cell_approximate(raw: str, expected: Quantity) -> None:
    assert parse_cell(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "行政许可",
        "信息内容",
        "合计",
        "一",  # often a dash in tables; never read as 1
        "十二",
        "1 500",  # digits split by a space are not guessed at
        "1、行政许可",
        "3.",
        "1,23",
        "1.2.3",
        "2019年",
        "12345政府信息公开申请",
        "3万5千",
        "+",
        "%",
    ],
)
def test_cell_labels_are_not_quantities(raw: str) -> None:
    assert parse_cell(raw) is None


# --- parse_number -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1500余条", q(1500.0, "approximate", "条")),
        ("近300人", q(300.0, "approximate", "人")),
        ("3.5万元", q(3.5, "number", "万元")),
        ("3万条", q(30_000.0, "number", "条")),
        ("20余万", q(200_000.0, "approximate")),
        ("十二次", q(12.0, "number", "次")),
        ("一百零五件", q(105.0, "number", "件")),
        ("两千人次", q(2000.0, "number", "人次")),
        ("二十余万人", q(200_000.0, "approximate", "人")),
        ("十二万余人", q(120_000.0, "approximate", "人")),
        ("三万元", q(3.0, "number", "万元")),
        ("300多人", q(300.0, "approximate", "人")),
        ("超过300人", q(300.0, "approximate", "人")),
        ("将近300人", q(300.0, "approximate", "人")),
        ("300人左右", q(300.0, "approximate", "人")),
        ("3件以上", q(3.0, "approximate", "件")),
        ("同比增长34.7%", q(34.7, "number", "%")),
        ("同比下降-5%", q(-5.0, "number", "%")),
        ("０件", q(0.0, "zero", "件")),
        ("１２３４篇", q(1234.0, "number", "篇")),
        ("共 1500 余件", q(1500.0, "approximate", "件")),
        ("全年共受理政府信息公开申请1500余件，其中", q(1500.0, "approximate", "件")),
        ("3.5", q(3.5, "number")),
        ("十二", q(12.0, "number")),
        ("最近3个月", q(3.0, "number", "个")),  # 最近 is "recent", not "nearly"
    ],
)
def test_number_phrases(text: str, expected: Quantity) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5天内答复", q(5.0, "number")),  # 天 is not a recognised unit
        ("3万块", q(30_000.0, "number")),
        ("3米", q(3.0, "number")),
    ],
)
def test_number_unknown_unit_is_none(text: str, expected: Quantity) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "无",
        "一般",
        "进一步加强",
        "一些",
        "一起研究",
        "零件",
        "统一规范",
        "一一回复",
        "三五天",
        "近三年",
        "约三成",
        "第3次",
        "第十二次会议",
        "3-5人",
        "三至五件",
        "1-6月",
        "2019年",
        "〔2019〕32号",
        "2020-01-20",
        "09:08",
        "受理1 500件",
        "3万5千人",
        "3万五千人",
        "1,23件",
        "千万不要",
        "百姓",
    ],
)
def test_number_skips_what_is_not_a_quantity(text: str) -> None:
    assert parse_number(text) is None


def test_number_takes_the_first_quantity() -> None:
    assert parse_number("2019年共受理3件，办结2件") == q(3.0, "number", "件")
    assert parse_number("第3次会议审议了12项") == q(12.0, "number", "项")


def test_number_full_width_comma_separates_clauses() -> None:
    assert parse_number("分别为12，345件") == q(12.0, "number")
    assert parse_number("共1,234件") == q(1234.0, "number", "件")


# --- chinese_numeral --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("零", 0),
        ("〇", 0),
        ("一", 1),
        ("两", 2),
        ("十", 10),
        ("十二", 12),
        ("一十二", 12),
        ("二十", 20),
        ("一百零五", 105),
        ("一百一十", 110),
        ("一千零一十", 1010),
        ("两千", 2000),
        ("三万五千", 35_000),
        ("十万", 100_000),
        ("一万零五", 10_005),
        ("一亿零五百万", 105_000_000),
        ("一万亿", 10**12),
        ("三万五", 35_000),
        ("一百五", 150),
        ("二〇一九", 2019),
        ("二○一九", 2019),
        ("二零二零", 2020),
        ("零五", 5),
        ("壹佰贰拾叁", 123),
        ("叁仟零伍", 3005),
        ("拾", 10),
        ("贰萬", 20_000),
        (" 十二 ", 12),
    ],
)
def test_chinese_numeral(text: str, expected: int) -> None:
    assert chinese_numeral(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "百",
        "千",
        "万",
        "亿",
        "十二次",
        "12",
        "一二百",
        "五五百",
        "一百零",
        "一百零五十",
        "一十零五",
        "百一",
        "一万万",
        "一亿亿",
        "两两",
        "一万零五千",
        "千万",
    ],
)
def test_chinese_numeral_rejects_malformed(text: str) -> None:
    assert chinese_numeral(text) is None


# --- properties -------------------------------------------------------------------------------


@given(st.integers(min_value=0, max_value=10**9 - 1))
def test_cell_reads_any_integer(n: int) -> None:
    expected = q(float(n), "zero" if n == 0 else "number")
    assert parse_cell(str(n)) == expected
    assert parse_cell(str(n).translate(FULL_WIDTH)) == expected
    assert parse_cell(f"{n:,}") == expected
    assert parse_cell(f"{n:,}".translate(FULL_WIDTH)) == expected


@given(st.integers(min_value=0, max_value=10**9 - 1))
def test_cell_reads_any_approximate_integer(n: int) -> None:
    expected = q(float(n), "approximate")
    assert parse_cell(f"{n}余") == expected
    assert parse_cell(f"{n}余".translate(FULL_WIDTH)) == expected


@given(st.integers(min_value=0, max_value=10**8 - 1))
def test_chinese_numeral_reads_reference_conversion(n: int) -> None:
    text = to_chinese(n)
    assert chinese_numeral(text) == n
    assert chinese_numeral(text.translate(FINANCIAL)) == n
    if text.startswith("一十"):
        assert chinese_numeral(text[1:]) == n


@given(st.integers(min_value=1, max_value=10**8 - 1))
def test_number_reads_chinese_counts(n: int) -> None:
    assert parse_number(f"共{to_chinese(n)}件。") == q(float(n), "number", "件")


@given(st.text())
def test_never_raises_on_any_text(text: str) -> None:
    parse_cell(text)
    parse_number(text)
    chinese_numeral(text)


@given(st.text(alphabet=NUMERIC_ALPHABET, max_size=30))
def test_never_raises_on_numeric_garbage(text: str) -> None:
    cell = parse_cell(text)
    number = parse_number(text)
    chinese_numeral(text)
    for found in (cell, number):
        if found is not None and found.value is None:
            assert found.semantics in ("blank", "not_applicable")
