"""OCR'd table labels put back to the national template's wording when the match is clear.

tesseract's chi_sim model misreads a character or two of a table label (不予公开 → 不了公开,
结转下年度 → 结转下年虔, brackets as 〈 〉), which is enough for the table readers not to
recognise a row or column, and then no identity can vouch for the table. A ruled table's label
cell is compared, folded (NFKC, no spaces or stray marks, one bracket form), with every label of
the 2019 and 2021 templates (`nianbao.core.gbtables.maps` and the reference's verbatim wording);
it takes the template's text only when one label is close (difflib's ratio) and clearly closer
than any other. Numbers are never touched here; what is not a close match stays as read.
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from functools import lru_cache

from nianbao.core.gbtables.maps import (
    ACTIVE_LABELS,
    APPLICANTS,
    REVIEW_GROUPS,
    REVIEW_RESULTS,
)

# The template's cell texts that are not in maps verbatim (the reference's A.1.2 to A.1.4).
_TEMPLATE = (
    "信息内容",
    "行政规范性文件",
    "规范性文件",
    "本年收费金额（单位：万元）",
    "第二十条第（一）项",
    "第二十条第（五）项",
    "第二十条第（六）项",
    "第二十条第（八）项",
    "第二十条第（九）项",
    "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
    "申请人情况",
    "法人或其他组织",
    "总计",
    "行政诉讼",
    "一、本年新收政府信息公开申请数量",
    "二、上年结转政府信息公开申请数量",
    "三、本年度办理结果",
    "（一）予以公开",
    "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "（三）不予公开",
    "1.属于国家秘密",
    "2.其他法律行政法规禁止公开",
    "3.危及“三安全一稳定”",
    "4.保护第三方合法权益",
    "5.属于三类内部事务信息",
    "6.属于四类过程性信息",
    "7.属于行政执法案卷",
    "8.属于行政查询事项",
    "（四）无法提供",
    "1.本机关不掌握相关政府信息",
    "2.没有现成信息需要另行制作",
    "3.补正后申请内容仍不明确",
    "（五）不予处理",
    "1.信访举报投诉类申请",
    "2.重复申请",
    "3.要求提供公开出版物",
    "4.无正当理由大量反复申请",
    "5.要求行政机关确认或重新出具已获取信息",
    "（六）其他处理",
    "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "3.其他",
    "（七）总计",
    "四、结转下年度继续办理",
)
_MAPPED = (
    *(label for label in ACTIVE_LABELS.values() if " / " not in label),
    *(label for _, label in APPLICANTS),
    *(label for _, label in REVIEW_GROUPS),
    *(label for _, label in REVIEW_RESULTS),
)
TEMPLATE_LABELS: tuple[str, ...] = tuple(dict.fromkeys((*_TEMPLATE, *_MAPPED)))

MIN_RATIO = 0.75  # how close a folded cell must be to a label
MIN_MARGIN = 0.12  # how much closer than the next label
_SHORT = 4  # a cell this short may be one character off a label, no more
_FOLD = str.maketrans(
    {
        "（": "(",
        "）": ")",
        "〈": "(",
        "〉": ")",
        "《": "(",
        "》": ")",
        "【": "(",
        "】": ")",
        "，": ",",
        "：": ":",
        "；": ":",
        ";": ":",
        "、": ".",
        "．": ".",
        "“": "",
        "”": "",
        '"': "",
        "'": "",
        "‘": "",
        "’": "",
        "_": "",
        "|": "",
        "`": "",
    }
)
_SPACE = re.compile(r"\s+")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def fold(text: str) -> str:
    """A label as compared: NFKC, no whitespace or quotes, one form of each bracket and mark."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text).translate(_FOLD))


@lru_cache(maxsize=1)
def _folded() -> tuple[tuple[str, str], ...]:
    """(folded, verbatim) for every template label."""
    return tuple((fold(label), label) for label in TEMPLATE_LABELS)


def template_label(text: str) -> str | None:
    """The template label an OCR'd cell text stands for, when one is close and unambiguous.

    A short cell (up to four characters) may differ from a label of three or more in one
    character only, and from no other label in one; a longer one must be close by difflib's
    ratio and clearly closer than the next label.
    """
    key = fold(text)
    if not key or not _CJK.search(key):
        return None
    folded = _folded()
    exact = next((label for fold_, label in folded if fold_ == key), None)
    if exact is not None or len(key) <= _SHORT:
        if exact is not None:
            return exact
        near = [label for fold_, label in folded if len(fold_) >= 3 and _one_off(key, fold_)]
        return near[0] if len(near) == 1 else None
    scores: list[tuple[float, str]] = []
    for fold_, label in folded:
        matcher = SequenceMatcher(None, key, fold_, autojunk=False)
        if matcher.real_quick_ratio() >= MIN_RATIO - MIN_MARGIN:
            scores.append((matcher.ratio(), label))
    if not scores:
        return None
    scores.sort(reverse=True)
    best, label = scores[0]
    runner_up = scores[1][0] if len(scores) > 1 else 0.0
    return label if best >= MIN_RATIO and best - runner_up >= MIN_MARGIN else None


def _one_off(a: str, b: str) -> bool:
    """Whether a and b differ in exactly one character (replaced, added or dropped)."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def correct(text: str) -> str:
    """The cell's text, or the template label it clearly stands for."""
    return template_label(text) or text
