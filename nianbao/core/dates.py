"""Dates as written in disclosure reports, and repair of text whose 年, 月, 〕 or "-" were lost.

Pure functions that accept any string and never raise. A mangled date or number is rewritten
only when exactly one reading is valid; otherwise it is left as is and reported, because a
wrong date is worse than a missing one.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from nianbao.core.numbers import chinese_numeral

_FIRST_YEAR, _LAST_YEAR = 1900, 2099  # a well-formed date outside these years is not a report's
_FIRST_MANGLED_YEAR, _LAST_MANGLED_YEAR = 1990, 2099  # a digit run must start with such a year
_SIGNATURE_LINES = 3  # a bare digit line is a date only among the last non-empty lines

_TIME = r"(?:(?:\s+|T)(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2}))?)?"
_SEPARATED = re.compile(
    rf"(?P<year>[0-9]{{4}})(?P<sep>[-/.])(?P<month>[0-9]{{1,2}})(?P=sep)(?P<day>[0-9]{{1,2}}){_TIME}"
)
_WRITTEN = re.compile(
    r"(?P<year>[0-9]{4})\s*年\s*(?P<month>[0-9]{1,2})\s*月\s*(?P<day>[0-9]{1,2})\s*[日号]" + _TIME
)
_WRITTEN_CHINESE = re.compile(
    r"(?P<year>[〇零○Oo一二三四五六七八九]{4})\s*年\s*(?P<month>[一二三四五六七八九十]{1,3})\s*月"
    r"\s*(?P<day>[一二三四五六七八九十]{1,3})\s*[日号]"
)


def _valid_date(year: int, month: int, day: int, first: int, last: int) -> date | None:
    """The date if it exists and its year is in [first, last], else None."""
    if not first <= year <= last:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_date(text: str) -> date | None:
    """A well-formed date: "2020-01-20", "2020-1-20 09:08", "2020/01/20", "2020.1.3", ….

    Also "2020年1月20日", "2020 年 1 月 20 日" and "二〇二〇年一月二十日". The whole text
    (after NFKC and trimming) must be the date, optionally followed by a time.
    Years outside 1900–2099 give None.
    """
    s = unicodedata.normalize("NFKC", text).strip()
    match = _SEPARATED.fullmatch(s) or _WRITTEN.fullmatch(s)
    if match is not None:
        hour, minute, second = match["hour"], match["minute"], match["second"]
        if hour is not None and (int(hour) > 23 or int(minute) > 59 or int(second or 0) > 59):
            return None
        return _valid_date(
            int(match["year"]), int(match["month"]), int(match["day"]), _FIRST_YEAR, _LAST_YEAR
        )
    match = _WRITTEN_CHINESE.fullmatch(s)
    if match is None:
        return None
    year = chinese_numeral(re.sub("[○Oo]", "〇", match["year"]))
    month, day = chinese_numeral(match["month"]), chinese_numeral(match["day"])
    if year is None or month is None or day is None:
        return None
    return _valid_date(year, month, day, _FIRST_YEAR, _LAST_YEAR)


def _compact_readings(digits: str) -> list[tuple[date, int, int]]:
    """Every valid (date, month length, day length) reading of digits whose 年/月 were lost."""
    year = int(digits[:4])
    rest = digits[4:]
    readings: list[tuple[date, int, int]] = []
    for month_len in (1, 2):
        day_len = len(rest) - month_len
        if not 1 <= day_len <= 2:
            continue
        found = _valid_date(
            year,
            int(rest[:month_len]),
            int(rest[month_len:]),
            _FIRST_MANGLED_YEAR,
            _LAST_MANGLED_YEAR,
        )
        if found is not None:
            readings.append((found, month_len, day_len))
    return readings


def recover_compact_date(digits: str) -> date | None:
    """A date whose 年/月 were lost, e.g. "201911" (2019-01-01), "20191231", "2020120" (01-20).

    None when ambiguous ("2019111" could be 1-11 or 11-1), invalid, or not 5–8 digits starting
    with a year in 1990–2099. Zero-padded parts count as readings too ("2019105" is ambiguous:
    1-05 or 10-5).
    """
    s = unicodedata.normalize("NFKC", digits).strip()
    if not re.fullmatch(r"[0-9]{5,8}", s):
        return None
    readings = _compact_readings(s)
    return readings[0][0] if len(readings) == 1 else None


@dataclass(frozen=True)
class Repair:
    """One rewrite made by repair_mangled, or one ambiguity it left alone (replacement None)."""

    original: str
    replacement: str | None  # None when ambiguous: left as is
    kind: str  # "date" | "doc_number" | "month_range"


_D = "[0-9０-９]"  # full-width digits are kept as written in the rewritten text
_INLINE = re.compile(
    r"(?=[0-9０-９〔\[［【])"  # most positions fail here at once, so a whole-text scan is cheap
    rf"(?:(?<![0-9０-９])(?P<date>{_D}{{5,8}})日"
    rf"|(?P<open>[〔\[［【])(?P<year>{_D}{{4}})(?P<serial>{_D}+)号"
    rf"|(?<![0-9０-９])(?P<months>{_D}{{2,3}})月份)"
)
_BARE_LINE = re.compile(rf"{_D}{{6,8}}")
_CLOSING = {"〔": "〕", "[": "]", "［": "］", "【": "】"}


def _digits(text: str) -> str:
    """ASCII digits for a run of ASCII or full-width digits (same length)."""
    return unicodedata.normalize("NFKC", text)


def _date_repair(written: str, suffix: str) -> Repair | None:
    """Repair for a digit run that lost its 年 and 月 (suffix is the 日 it kept, or "")."""
    readings = _compact_readings(_digits(written))
    if not readings:
        return None
    original = written + suffix
    if len(readings) > 1:
        return Repair(original, None, "date")
    _, month_len, _ = readings[0]
    year, month, day = written[:4], written[4 : 4 + month_len], written[4 + month_len :]
    return Repair(original, f"{year}年{month}月{day}日", "date")


def _doc_number_repair(bracket: str, year: str, serial: str) -> Repair | None:
    """Repair for a document number that lost its closing bracket: 〔201932号 → 〔2019〕32号."""
    if not _FIRST_MANGLED_YEAR <= int(_digits(year)) <= _LAST_MANGLED_YEAR:
        return None
    closing = _CLOSING[bracket]
    return Repair(f"{bracket}{year}{serial}号", f"{bracket}{year}{closing}{serial}号", "doc_number")


def _month_range_repair(written: str) -> Repair | None:
    """Repair for a month range that lost its "-": 16月份 → 1-6月份; a real month is left alone."""
    digits = _digits(written)
    if 1 <= int(digits) <= 12:
        return None
    splits = [
        i
        for i in range(1, len(digits))
        if digits[0] != "0" and digits[i] != "0" and 1 <= int(digits[:i]) < int(digits[i:]) <= 12
    ]
    if not splits:
        return None
    original = f"{written}月份"
    if len(splits) > 1:
        return Repair(original, None, "month_range")
    i = splits[0]
    return Repair(original, f"{written[:i]}-{written[i:]}月份", "month_range")


def _inline_repair(match: re.Match[str]) -> Repair | None:
    """The repair, or recorded ambiguity, for one inline pattern match."""
    if match["date"] is not None:
        return _date_repair(match["date"], "日")
    if match["open"] is not None:
        return _doc_number_repair(match["open"], match["year"], match["serial"])
    return _month_range_repair(match["months"])


def repair_mangled(text: str) -> tuple[str, list[Repair]]:
    """Rewrite unambiguous mangled dates and numbers in prose; list every repair and ambiguity.

    Inline: "201911日" → "2019年1月1日", "〔201932号" → "〔2019〕32号" (also [ ［ 【), "16月份" →
    "1-6月份". A line that is only 6–8 digits ("2020120", a signature date) becomes
    "2020年1月20日", but only among the last 3 non-empty lines, so table numbers stay. Digits
    keep their written form (zero padding, full width). Ambiguous runs are left unchanged and
    listed with replacement None; runs with no valid reading are neither changed nor listed.
    """
    repairs: list[Repair] = []

    def rewrite(match: re.Match[str]) -> str:
        repair = _inline_repair(match)
        if repair is None:
            return match.group()
        repairs.append(repair)
        return repair.replacement or match.group()

    lines = text.splitlines(keepends=True)
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    signature = set(nonblank[-_SIGNATURE_LINES:])
    out: list[str] = []
    pending: list[str] = []  # prose lines: one pass of the inline pattern (it never spans lines)
    for i, line in enumerate(lines):
        body = line.strip()
        if i in signature and _BARE_LINE.fullmatch(body):
            out.append(_INLINE.sub(rewrite, "".join(pending)))
            pending = []
            repair = _date_repair(body, "")
            if repair is not None:
                repairs.append(repair)
                if repair.replacement is not None:
                    start = line.index(body)
                    line = line[:start] + repair.replacement + line[start + len(body) :]
            out.append(line)
        else:
            pending.append(line)
    out.append(_INLINE.sub(rewrite, "".join(pending)))
    return "".join(out), repairs
