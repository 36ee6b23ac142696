"""Quantities as written in disclosure reports: table cells, narrative phrases, Chinese numerals.

Pure functions that accept any string and never raise. Where a reading is doubtful they return
None instead of a guess: downstream, a wrong number is worse than a missing one.

Money and multipliers: after 万/亿 the unit 元 stays with the multiplier and the value is not
scaled ("2万元" is 2.0 in "万元", as tables declare 万元 columns); any other unit, or none, scales
the value ("3万条" is 30000.0 in "条", "3.5万" is 35000.0).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Literal

Semantics = Literal["number", "zero", "blank", "not_applicable", "approximate"]


@dataclass(frozen=True)
class Quantity:
    """A quantity with its meaning and written unit, so 0, 无, "/" and "1500余" stay distinct."""

    value: float | None  # None for blank / not_applicable
    semantics: Semantics
    unit: str | None  # unit written with the number ("%", "元", "万元", "条"…); None if none


_BLANK = Quantity(None, "blank", None)
_NA = Quantity(None, "not_applicable", None)

_MAX_CHARS = 40  # longer digit or numeral runs are not quantities in a report

# --- Chinese numerals -------------------------------------------------------------------------

# Financial (大写), traditional and stand-in forms mapped to the everyday characters.
_CANONICAL = str.maketrans(
    {
        "〇": "零",
        "○": "零",
        "壹": "一",
        "贰": "二",
        "貳": "二",
        "兩": "两",
        "叁": "三",
        "肆": "四",
        "伍": "五",
        "陆": "六",
        "陸": "六",
        "柒": "七",
        "捌": "八",
        "玖": "九",
        "拾": "十",
        "佰": "百",
        "仟": "千",
        "萬": "万",
        "億": "亿",
    }
)
_DIGITS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUMERAL_CHARS = frozenset(_DIGITS) | frozenset(_SMALL_UNITS) | {"万", "亿"}
_POSITIONAL_CHARS = frozenset("十百千万亿")


def chinese_numeral(text: str) -> int | None:
    """Value of a Chinese numeral (零一…十百千万亿, 两, 〇/○, 壹贰… 拾佰仟); None if not one.

    Reads positional numerals ("一百零五", "十二", "三万五千", colloquial "一百五" = 150) and
    digit-by-digit strings ("二〇一九" = 2019); anything malformed ("五零", "一二百") is None.
    """
    s = unicodedata.normalize("NFKC", text).strip().translate(_CANONICAL)
    if not s or len(s) > _MAX_CHARS or not set(s) <= _NUMERAL_CHARS:
        return None
    if _POSITIONAL_CHARS.isdisjoint(s):
        if len(s) == 1:
            return _DIGITS[s]
        if "两" in s:  # 两 is never a digit in a digit-by-digit string
            return None
        return int("".join(str(_DIGITS[c]) for c in s))
    return _grouped(s, "亿", 10**8, _below_yi)


def _below_yi(s: str) -> int | None:
    """A numeral below 一亿 (may contain 万), or None."""
    return _grouped(s, "万", 10**4, _section)


def _grouped(s: str, mark: str, scale: int, lower: Callable[[str], int | None]) -> int | None:
    """Split a numeral at its 万 or 亿 mark and combine the two sides, or None if malformed."""
    if mark not in s:
        return lower(s)
    high_text, _, low_text = s.partition(mark)
    if not high_text or mark in low_text:
        return None
    high = lower(high_text)
    if not high:
        return None
    if not low_text:
        return high * scale
    if low_text.startswith("零"):
        low = lower(low_text[1:])
        if not low or low >= scale // 10:  # 零 marks a skipped place
            return None
    elif len(low_text) == 1 and low_text in _DIGITS:
        low = _DIGITS[low_text] * scale // 10  # colloquial "三万五" = 35000
        if not low:
            return None
    else:
        low = lower(low_text)
        if not low:
            return None
    return high * scale + low if low < scale else None


def _section(s: str) -> int | None:
    """A numeral below 一万 made of digits, 零 and 十百千, or None if malformed."""
    total = 0
    last_unit = 10_000
    pending: int | None = None
    after_zero = False
    for i, char in enumerate(s):
        if char == "零":
            if i == 0 or pending is not None or after_zero:
                return None
            after_zero = True
        elif char in _DIGITS:
            if pending is not None:
                return None
            pending = _DIGITS[char]
        elif char in _SMALL_UNITS:
            unit = _SMALL_UNITS[char]
            if unit >= last_unit:
                return None
            if pending is None:
                if i != 0 or unit != 10:  # only a leading 十 may stand alone ("十二")
                    return None
                pending = 1
            if after_zero and unit * 10 == last_unit:  # 零 with no skipped place
                return None
            total += pending * unit
            last_unit, pending, after_zero = unit, None, False
        else:
            return None
    if pending is None:
        return None if after_zero or not s else total
    if last_unit == 10_000:
        return total + pending
    if after_zero:
        return None if last_unit == 10 else total + pending
    return total + pending * last_unit // 10  # "二十五", and colloquial "一百五" = 150


# --- Arabic numbers, multipliers, units -------------------------------------------------------

_MULTIPLIERS = {"十": 10, "百": 100, "千": 1000, "万": 10**4, "亿": 10**8}
_UNITS = ("人次", "万元", "亿元", "条", "件", "个", "次", "人", "篇", "期", "场", "元", "项")
_UNITS += ("家", "份", "批", "起", "%")
# Cells also carry units prose readers do not need; dates (年, 月, 日) stay labels.
_CELL_UNITS = (*_UNITS, "个工作日", "工作日", "天", "小时", "个百分点", "块", "户", "页", "张")
_CELL_UNITS += ("名", "位", "宗", "例", "所", "套", "台", "部", "本", "册", "封")


def _alternatives(words: tuple[str, ...]) -> str:
    """A regex alternation trying longer words first, so 人次 wins over 人."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_NUMBER = r"(?:[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])|[0-9]+)(?:\.[0-9]+)?"
_MULTIPLIER = r"[十百千]?万?亿|[十百千]?万|千|百"
_PREFIX = r"超过|约|近|逾"
_TRAILING_APPROX = r"左右|上下|以上"

_CELL = re.compile(
    rf"(?P<pre>{_PREFIX})?(?P<sign>[+\-−])?(?P<num>{_NUMBER})(?P<s1>[余多])?"
    rf"(?P<mult>{_MULTIPLIER})?(?P<s1b>[余多])?(?P<unit>{_alternatives(_CELL_UNITS)})?"
    rf"(?P<s2>{_TRAILING_APPROX})?"
)
_NOT_APPLICABLE = re.compile(r"[-‐‑‒–—―─━]+|/+|\\+|×+|…+|\.{2,}|·{2,}|N/?A|不适用", re.IGNORECASE)
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff]")
_SPACED_DIGITS = re.compile(r"[0-9]\s+[0-9]")
_WHITESPACE = re.compile(r"\s+")


def _quantity(
    number: Decimal, multiplier: str, unit: str | None, approximate: bool
) -> Quantity | None:
    """Apply the multiplier (keeping 万元/亿元 unscaled) and classify; None if not finite."""
    if unit == "元" and multiplier and multiplier[-1] in "万亿":
        unit = multiplier[-1] + "元"
        multiplier = multiplier[:-1]
    for char in multiplier:
        number *= _MULTIPLIERS[char]
    value = float(number)
    if not math.isfinite(value):
        return None
    value += 0.0  # no negative zero
    if approximate:
        return Quantity(value, "approximate", unit)
    return Quantity(value, "zero" if value == 0 else "number", unit)


_CACHED_CELL = 40  # cells up to this length are remembered; a hostile long cell is not kept


def parse_cell(raw: str) -> Quantity | None:
    """The quantity a table cell states; short cells are remembered, as tables repeat them."""
    return _parse_short(raw) if len(raw) <= _CACHED_CELL else _parse_cell(raw)


@lru_cache(maxsize=8192)  # tables repeat their cells ("0", "/", "——"); Quantity is frozen
def _parse_short(raw: str) -> Quantity | None:
    return _parse_cell(raw)


def _parse_cell(raw: str) -> Quantity | None:
    """A statistics-table cell as written; None when the cell is not a quantity at all (a label).

    Blank → "blank"; 0 or 无 → "zero"; "/", "-", "—", "…", "×", "\\", "N/A", 不适用 →
    "not_applicable"; "1,234", "+1036", "34.7%", "251000元", "3.5万", "1500余" (余 多 近 约 逾
    超过 左右 上下 以上 → "approximate"). Chinese numerals are not read in cells ("一" is often a
    dash there), and digits separated by spaces ("1 500") are not guessed at: both give None.
    """
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", raw.replace("&nbsp;", " ")))
    if not text.strip():
        return _BLANK
    if _SPACED_DIGITS.search(text):
        return None
    text = _WHITESPACE.sub("", text)
    if text == "无":
        return Quantity(0.0, "zero", None)
    if _NOT_APPLICABLE.fullmatch(text):
        return _NA
    match = _CELL.fullmatch(text)
    if match is None or len(match["num"]) > _MAX_CHARS:
        return None
    if match["s1"] and match["s1b"] and not match["mult"]:
        return None  # "3余多"
    number = Decimal(match["num"].replace(",", ""))
    if match["sign"] in ("-", "−"):
        number = -number
    approximate = any(match[g] for g in ("pre", "s1", "s1b", "s2"))
    return _quantity(number, match["mult"] or "", match["unit"], approximate)


# --- Narrative text ---------------------------------------------------------------------------

_NARRATIVE_NUMERALS = "零〇一二两三四五六七八九十百千万亿"
_CORE = re.compile(rf"(?P<ar>{_NUMBER})|(?P<cn>[{_NARRATIVE_NUMERALS}]+)")
_TAIL = re.compile(
    rf"[ \t]*(?P<s1>[余多])?(?P<mult>{_MULTIPLIER})?(?P<s1b>[余多])?[ \t]*"
    rf"(?P<unit>{_alternatives(_UNITS)})?[ \t]*(?P<s2>{_TRAILING_APPROX})?"
)
_NUMERIC_CHARS = frozenset("0123456789" + _NARRATIVE_NUMERALS)
_JOINERS = frozenset("-~～至到—–/:")  # ranges, dates and times: "3-5人", "3至5件", "2020/1"
_DATE_PARTS = frozenset("年月日号时〕]】")
_NARRATIVE_PREFIXES = ("超过", "约", "近", "逾")
_NOT_APPROX_PREFIXES = ("最近", "附近", "临近")


def parse_number(text: str) -> Quantity | None:
    """First number phrase in prose ("1500余条", "近300人", "3.5万元", "十二次"); None if none.

    Returns the first phrase in the text that is a quantity, with its unit when it is one of
    条 件 个 次 人 人次 篇 期 场 元 万元 亿元 项 家 份 批 起 % (otherwise unit None). Skipped,
    rather than misread: ordinals (第3次), dates and document numbers (2019年, 32号), ranges
    (3-5人, 三至五件), digits split by spaces, and Chinese numerals not followed by a unit or
    余/多/左右… (so 一般, 一些, 一起 are not numbers). 无 is not read as zero in prose.
    """
    normal = unicodedata.normalize("NFKC", text.replace("，", "、"))  # 全角逗号 separates clauses
    normal = _INVISIBLE.sub("", normal)
    bounds = (len(normal) - len(normal.lstrip()), len(normal.rstrip()))
    for match in _CORE.finditer(normal):
        found = _narrative_candidate(normal, match, bounds)
        if found is not None:
            return found
    return None


def _skip_forward(text: str, pos: int) -> int:
    """Index of the first character at or after pos that is not a space or tab."""
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    return pos


def _skip_back(text: str, pos: int) -> int:
    """Index just after the last character before pos that is not a space or tab."""
    while pos > 0 and text[pos - 1] in " \t":
        pos -= 1
    return pos


def _next_char(text: str, pos: int) -> str:
    """The first character at or after pos that is not a space or tab ("" at the end)."""
    pos = _skip_forward(text, pos)
    return text[pos : pos + 1]


def _joined_after(text: str, pos: int) -> bool:
    """Whether a range, date or time joiner and another number follow pos."""
    pos = _skip_forward(text, pos)
    return text[pos : pos + 1] in _JOINERS and _next_char(text, pos + 1) in _NUMERIC_CHARS


def _narrative_candidate(
    text: str, match: re.Match[str], bounds: tuple[int, int]
) -> Quantity | None:
    """The quantity a core numeral match starts, or None if it is not a reliable one.

    bounds are the indexes of the text's first non-space character and the end of its last.
    """
    start, end = match.span()
    core = match.group()
    chinese = match.lastgroup == "cn"
    if len(core) > _MAX_CHARS:
        return None
    # what comes before: sign, prefix, and reasons to skip
    sign = ""
    before = start
    signed = start >= 1 and text[start - 1] in "+-−"
    if signed and not chinese and text[start - 2 : start - 1] not in _NUMERIC_CHARS:
        sign, before = text[start - 1], start - 1
    head = _skip_back(text, before)
    previous = text[head - 1 : head] if head else ""
    if (
        previous in _NUMERIC_CHARS
        or previous == "第"
        or (previous.isascii() and previous.isalpha())
    ):
        return None  # "1 500", ordinals, codes like "GB2312"
    if text[before - 1 : before] in (".", ",") and text[before - 2 : before - 1].isdigit():
        return None
    joined = _skip_back(text, head - 1) if head else 0
    if previous in _JOINERS and text[joined - 1 : joined] in _NUMERIC_CHARS and joined:
        return None
    near = text[max(0, head - 2) : head]
    prefix = next((p for p in _NARRATIVE_PREFIXES if near.endswith(p)), "")
    if prefix and near in _NOT_APPROX_PREFIXES:
        prefix = ""
    # what comes after
    following = text[end : end + 1]
    if following in (".", ",") and text[end + 1 : end + 2].isdigit():
        return None
    if following.isascii() and following.isalpha():
        return None
    tail = _TAIL.match(text, end)
    if tail is None:  # pragma: no cover - every part of the tail is optional
        return None
    multiplier = tail["mult"] or ""
    whole = head - len(prefix) <= bounds[0] and tail.end() >= bounds[1]
    if chinese:
        body = core.rstrip("万亿")
        if body != core:
            if multiplier:
                return None
            multiplier = core[len(body) :]
        value = chinese_numeral(body) if body else None
        if value is None or (len(body) > 1 and _POSITIONAL_CHARS.isdisjoint(body)):
            return None  # digit-by-digit runs in prose are idioms ("一一", "三五天") or years
        number = Decimal(value)
    else:
        number = Decimal(core.replace(",", ""))
        if sign in ("-", "−"):
            number = -number
    numeric_end = max(end, tail.end("s1"), tail.end("mult"), tail.end("s1b"))
    if _next_char(text, numeric_end) in _NUMERIC_CHARS:
        return None  # "3万5千", "1 500": numerals we do not guess at
    if _joined_after(text, numeric_end) or _joined_after(text, tail.end()):
        return None
    unit = tail["unit"]
    if unit is None and not tail["s2"] and _next_char(text, tail.end()) in _DATE_PARTS:
        return None
    if chinese:
        if not (unit or tail["s1"] or tail["s1b"] or tail["s2"] or whole):
            return None
        if body == "一" and unit == "起":
            return None  # 一起 = together
        if body in ("零", "〇") and (unit or not whole):
            return None  # 零件, 零星
    approximate = bool(prefix or tail["s1"] or tail["s1b"] or tail["s2"])
    return _quantity(number, multiplier, unit, approximate)
