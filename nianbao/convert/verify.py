"""OCR'd figures are kept only where the table's own identities vouch for them.

OCR misreads digits (8 for 3, a lost 1) and a misread digit looks like any other figure. The
statistics tables check themselves: 新收 + 上年结转 = 总计 + 结转下年度 in every 申请 column, each
row's 总计 is the sum of its applicant columns, each 复议/诉讼 group's 总计 its results' sum, the
pre-2019 table's parts never exceed their whole. So on an OCR'd record a table's figures are
kept only when the table has such identities, they hold, and the table reader said nothing
about it (no unreadable cell, missing row or column); every other figure (the 主动公开 table and
the prose's figures have no identity) becomes null, its raw text kept, with an
``ocr.unverified`` warning. Never a value that was not vouched for.
"""

from __future__ import annotations

from schemas.report import AnnualReport, Indicator, ValidationWarning

# The tables whose identities the table readers check, and the words their warnings name them by.
CHECKED = {
    "applications": ("applications.", "申请"),
    "review_litigation": ("review_litigation.", "复议", "诉讼"),
    "legacy_stats": ("legacy.", "统计表"),
}


def vouched_tables(record: AnnualReport) -> set[str]:
    """The tables of the record whose identities hold and about which no reader complained."""
    tables = {indicator.table for indicator in record.indicators}
    vouched = set()
    for table, marks in CHECKED.items():
        if table not in tables:
            continue
        rule_prefix, *names = marks
        complaints = [
            w
            for w in record.warnings
            if w.rule.startswith(rule_prefix)
            or (w.rule.startswith("table.") and any(name in w.message for name in names))
        ]
        if not complaints:
            vouched.add(table)
    return vouched


def check_ocr(record: AnnualReport) -> AnnualReport:
    """The OCR'd record with every figure the identities do not vouch for set to null."""
    vouched = vouched_tables(record)
    indicators: list[Indicator] = []
    nulled: dict[str, int] = {}
    for indicator in record.indicators:
        if indicator.table not in vouched and indicator.value is not None:
            indicator = indicator.model_copy(update={"value": None})
            nulled[indicator.table] = nulled.get(indicator.table, 0) + 1
        indicators.append(indicator)
    if not nulled:
        return record
    warnings = [
        *record.warnings,
        *(
            ValidationWarning(
                rule="ocr.unverified",
                message=f"OCR'd {table} figures: no table identity vouches for them (none "
                f"exists or one fails), so {count} are left null (raw text kept)",
            )
            for table, count in sorted(nulled.items())
        ),
    ]
    return record.model_copy(update={"indicators": indicators, "warnings": warnings})
