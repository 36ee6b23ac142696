"""What the prose of a report states: statistics period, contact block, explicit figures. Pure.

Narrative figures are deliberately few and exact: only sentences that state one of the
canonical indicators with its number (主动公开…N条, 收到…申请N件, 行政复议…N件, 行政诉讼…N件,
信息处理费N元), so validation can compare them with the tables. Row codes:
active.total, requests.received, review.total, litigation.total, fees.collected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from nianbao.core.numbers import chinese_numeral
from schemas.report import Indicator

_PERIOD = re.compile(
    r"统计(?:期限|时限|时间段|时间|数据时限|数据的期限|数据)?\s*(?:为|是|自|从)?\s*"
    r"(?P<y1>\d{4})年(?P<m1>\d{1,2})月(?P<d1>\d{1,2})日\s*(?:起)?\s*[,，]?\s*(?:至|到|—|-|~)\s*"
    r"(?:(?P<y2>\d{4})年)?(?P<m2>\d{1,2})月(?P<d2>\d{1,2})日"
)


def statistics_period(text: str) -> tuple[date | None, date | None]:
    """Start and end of the statistics period, when the report states it."""
    match = _PERIOD.search(text)
    if not match:
        return None, None
    y1 = int(match.group("y1"))
    y2 = int(match.group("y2") or y1)
    return (
        _date(y1, int(match.group("m1")), int(match.group("d1"))),
        _date(y2, int(match.group("m2")), int(match.group("d2"))),
    )


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


@dataclass
class ContactInfo:
    """The contact block."""

    address: str | None = None
    postcode: str | None = None
    phones: list[str] = field(default_factory=list)
    fax: str | None = None
    email: str | None = None


_FIELD_END = r"(?=[;；,，)）。]|$|\s(?:邮编|邮政编码|电话|联系电话|传真|电子邮箱|邮箱))"
_ADDRESS = re.compile(
    r"(?:通信地址|办公地址|联系地址|地址)\s*[:：]\s*(?P<v>[^;；,，)）。]+?)" + _FIELD_END
)
_POSTCODE = re.compile(r"(?:邮编|邮政编码)\s*[:：]?\s*(?P<v>\d{6})")
_PHONE_FIELD = re.compile(r"(?:联系电话|电话)\s*[:：]\s*(?P<v>[\d\-—–－()（）\s、/]+\d)")
_FAX = re.compile(r"(?:传真号码|传真)\s*[:：]\s*(?P<v>[\d\-—–－()（）]+\d)")
# bounded quantifiers: a long run of letters with no @ must not cost quadratic time
_EMAIL = re.compile(r"(?P<v>[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9.\-]{1,253}\.[A-Za-z]{2,24})")
_PHONE = re.compile(r"(?:0\d{2,3}[\-—–－]{1,2})?\d{7,8}|1[3-9]\d{9}")


def contact(text: str) -> ContactInfo:
    """The first contact block: the sentence that gives 地址/邮编/电话/传真/邮箱."""
    block = _contact_block(text)
    if block is None:
        return ContactInfo()
    info = ContactInfo()
    if match := _ADDRESS.search(block):
        info.address = match.group("v").strip()
    if match := _POSTCODE.search(block):
        info.postcode = match.group("v")
    if match := _PHONE_FIELD.search(block):
        info.phones = [_phone(p) for p in _PHONE.findall(match.group("v"))]
    if match := _FAX.search(block):
        info.fax = _phone(match.group("v"))
    if match := _EMAIL.search(block):
        info.email = match.group("v")
    return info


def _contact_block(text: str) -> str | None:
    for sentence in re.split(r"(?<=[。])|\n", text):
        if re.search(r"(?:地址|邮编|电话|电子邮箱|传真)\s*[:：]", sentence):
            return sentence
    return None


def _phone(raw: str) -> str:
    return re.sub(r"[\-—–－]+", "-", raw.strip())


_NUMBER = r"(?P<n>\d{1,12}|[零〇一二两三四五六七八九十百千万]{1,12})(?!\d)"
FIGURES: list[tuple[str, re.Pattern[str], str]] = [
    ("active.total",
     re.compile(r"主动公开(?:政府)?信息(?:共|总数为|总计|合计)?" + _NUMBER + r"(?P<u>条)"), "条"),
    ("requests.received",
     re.compile(r"收到[^。，,；;\d]{0,14}?申请[^。，,；;\d]{0,4}?" + _NUMBER + r"(?P<u>件)"), "件"),
    ("review.total", re.compile(r"行政复议(?:的)?案件" + _NUMBER + r"(?P<u>件)"), "件"),
    ("litigation.total", re.compile(r"行政诉讼(?:的)?案件" + _NUMBER + r"(?P<u>件)"), "件"),
    ("fees.collected",
     re.compile(r"收取信息处理费(?:共计|合计|共)?" + _NUMBER + r"(?P<u>元|万元)"), "元"),
]  # fmt: skip


# Review and litigation counts in prose are often about the agency's work in general (cases it
# decided as the reviewing body, suits over enforcement): only a sentence about 信息公开 counts.
_NEEDS_CONTEXT = {"review.total", "litigation.total"}


def _sentence(text: str, start: int, end: int) -> str:
    left = max(text.rfind(mark, 0, start) for mark in "。；;\n")
    rights = [i for i in (text.find(mark, end) for mark in "。；;\n") if i != -1]
    return text[left + 1 : min(rights) if rights else len(text)]


def figures(text: str) -> list[Indicator]:
    """The canonical figures the prose states, first statement of each, in text order."""
    found: list[tuple[int, Indicator]] = []
    for code, pattern, _unit in FIGURES:
        match = next(
            (
                m for m in pattern.finditer(text)
                if code not in _NEEDS_CONTEXT or "信息公开" in _sentence(text, m.start(), m.end())
            ),
            None,
        )  # fmt: skip
        if not match:
            continue
        digits = match.group("n")
        value = int(digits) if digits.isdigit() else chinese_numeral(digits)
        if value is None:
            continue
        found.append(
            (
                match.start(),
                Indicator(
                    table="narrative",
                    row=match.group(0),
                    row_code=code,
                    column=None,
                    column_code=None,
                    unit=match.group("u"),
                    value=float(value),
                    raw=digits + match.group("u"),
                    semantics="zero" if value == 0 else "number",
                ),
            )
        )
    return [indicator for _, indicator in sorted(found, key=lambda pair: pair[0])]
