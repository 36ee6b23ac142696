"""Helpers shared by the readers: CJK-aware text joining, grids, page chrome. Pure functions."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from nianbao.core.document import Table
from nianbao.core.errors import PageRejected
from nianbao.core.text import clean_line

# Every reader builds its grids under the same caps. A colspan (HTML), gridSpan or gridBefore /
# gridAfter (DOCX) is clamped to MAX_SPAN columns; a table that still expands past MAX_CELLS
# grid cells is rejected (table_too_large). The 2021 申请 table has 175 numeric cells and a
# whole report a few hundred, so neither bound touches a real report.
MAX_SPAN = 100
MAX_CELLS = 50_000
_SPAN_DIGITS = re.compile(r"\s*\+?(\d+)")

# Ideographs, kana, CJK punctuation and full-width forms: text that is written without spaces.
_CJK_CLASS = (
    "\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u31c0-\u31ef\u3200-\u32ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
)
_CJK = re.compile(f"[{_CJK_CLASS}]")
# A space next to a CJK character goes, unless the other side is a Latin letter.
_SPACE_AFTER_CJK = re.compile(f"(?<=[{_CJK_CLASS}])\\s+(?=[^\\sA-Za-z])")
_SPACE_BEFORE_CJK = re.compile(f"(?<=[^\\sA-Za-z])\\s+(?=[{_CJK_CLASS}])")
_LATIN = re.compile("[A-Za-z]")
_PROSE_PUNCT = re.compile("[，。；,;]")
_NUMBER = re.compile(r"^[-+]?\d[\d,]*(?:\.\d+)?%?$")


def is_cjk(char: str) -> bool:
    """True for an ideograph, kana, CJK punctuation or full-width form."""
    return bool(_CJK.match(char))


def tight(left: str, right: str) -> bool:
    """True if no space belongs between these two characters (one is CJK, neither is Latin)."""
    if is_cjk(left):
        return not _LATIN.match(right)
    if is_cjk(right):
        return not _LATIN.match(left)
    return False


def squeeze(text: str) -> str:
    """Drop the spaces that layout put next to CJK text: "2024 年" → "2024年", "商业 企业"."""
    return _SPACE_BEFORE_CJK.sub("", _SPACE_AFTER_CJK.sub("", text))


def join_lines(lines: Iterable[str]) -> str:
    """Join wrapped pieces of one text: no space where either side is CJK, else one space."""
    out = ""
    for line in lines:
        if not line:
            continue
        if out and not tight(out[-1], line[0]):
            out += " "
        out += line
    return out


def cell_text(raw: str) -> str:
    """A table cell's text: lines NFKC-folded, joined without spaces inside CJK, squeezed."""
    return squeeze(join_lines(clean_line(line) for line in raw.split("\n")))


def is_number(text: str) -> bool:
    """True for a cell or token that is a plain number ("95", "7730.28", "-3", "12%")."""
    return bool(_NUMBER.match(text))


def is_label(text: str) -> bool:
    """True for a cell that reads as a label: it has CJK text and is not a number."""
    return bool(text) and bool(_CJK.search(text)) and not is_number(text)


def span_value(text: str | None, default: int = 1) -> int:
    """A span attribute as a count: the leading digits, at most MAX_SPAN * MAX_CELLS; else default.

    Never raises: "1e9", "abc", "-3" and a 5,000-digit number (past int()'s digit limit) are
    all read without error, the huge ones as something larger than any cap.
    """
    match = _SPAN_DIGITS.match(text or "")
    if match is None:
        return default
    digits = match.group(1).lstrip("0") or "0"
    if len(digits) > 9:
        return MAX_SPAN * MAX_CELLS
    return min(int(digits), MAX_SPAN * MAX_CELLS)


def check_cells(count: int) -> None:
    """Reject a table whose grid would have more than MAX_CELLS cells (table_too_large)."""
    if count > MAX_CELLS:
        raise PageRejected(
            "extract",
            "table_too_large",
            f"a table expands to more than {MAX_CELLS} cells (rows × columns, spans included); "
            "no annual report table is that large",
        )


def finish_grid(rows: Sequence[Sequence[str]]) -> Table | None:
    """Pad rows to one width and drop the rows that are entirely empty; None if nothing is left."""
    width = max((len(row) for row in rows), default=0)
    kept = tuple(
        tuple(row) + ("",) * (width - len(row)) for row in rows if any(cell for cell in row)
    )
    return Table(rows=kept) if kept and width else None


def is_prose(text: str) -> bool:
    """True for a cell that holds running text rather than a label or a value."""
    return len(text) >= 80 or (len(text) >= 40 and bool(_PROSE_PUNCT.search(text)))


def is_text_box(rows: Sequence[Sequence[str]]) -> bool:
    """True for a "table" that is really a frame around text: one column, or mostly prose."""
    if not rows or max(len(row) for row in rows) <= 1:
        return True
    cells = {cell for row in rows for cell in row if cell}
    if len(cells) <= 1:
        return True
    return sum(is_prose(cell) for cell in cells) * 2 >= len(cells)


# Lines that are page chrome wherever they appear (header, share bar, footer).
_CHROME_LINE = re.compile(
    r"^(?:[•·●▪]\s*)?(?:"
    # labels: chrome only when followed by a colon, a space or nothing
    r"(?:(?:发布|更新|成文)(?:时间|日期)|来源|信息来源|文章来源|作者|浏览次数|点击数|阅读次数|访问量|"
    r"字体|字号|分享到|打印|关闭|收藏|我要纠错|当前位置|您当前的位置|相关链接|相关文件|"
    r"主办单位|承办单位|技术支持|网站地图|联系我们)(?:\s*[:：]|\s*$|\s)"
    # phrases: chrome wherever the line goes on
    r"|扫一扫|上一篇|下一篇|返回顶部|关闭窗口|网站标识码|[^\s]{0,6}ICP备|[^\s]{0,6}公网安备"
    r"|[【\[](?:责任)?编辑\s*[:：]"
    r")",
)
_CHROME_ONLY = re.compile(
    r"^(?:[\[\]【】()（）\s|/]*(?:大|中|小|打印|关闭|收藏|首页|繁體版|简体版|ENGLISH|English|"
    r"无障碍|长者版|关怀版|微信|微博|QQ空间|[•·●])[\[\]【】()（）\s|/]*)+$"
)
_PUBLISHED = re.compile(
    r"(?:发布|成文|发文)(?:时间|日期)\s*[:：|]?\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})"
)
_SOURCE = re.compile(r"(?:信息来源|文章来源|来源)\s*[:：]\s*([^\s|]{2,40})")


def is_chrome_line(line: str) -> bool:
    """True for a line that is page chrome (share bar, breadcrumb, footer), not report text."""
    if len(line) > 80:
        return False
    return bool(_CHROME_LINE.match(line) or _CHROME_ONLY.match(line))


def find_published(text: str) -> str | None:
    """The publish date a page header states, as YYYY-MM-DD."""
    match = _PUBLISHED.search(text) or re.match(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    return f"{year:04d}-{month:02d}-{day:02d}"


def find_source(text: str) -> str | None:
    """The source (来源) a page header states."""
    match = _SOURCE.search(text)
    return match.group(1) if match else None
