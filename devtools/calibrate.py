"""Labelled pairs for calibrating and testing deduplication, built from the real seeds and PDFs.

Each pair is (first page, second page, the decision the second must get once the first is
stored). Variants are the republications seen in the wild: other chrome, other punctuation
width, traditional script on a mirror, a 来源 line added, a few sentences edited, a corrected
figure, and the look-alikes that must never merge (next year's report, another agency's).
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from devtools.datasets import REAL_REPORTS, SEEDS
from schemas.messages import FetchedPage, ParsedPage

ROOT = Path(__file__).resolve().parents[1]
REAL = REAL_REPORTS


@dataclass(frozen=True)
class Page:
    """A page as the pipeline receives it."""

    body: bytes
    content_type: str


@dataclass(frozen=True)
class Pair:
    """Two pages and what dedup must decide for the second."""

    name: str
    first: Page
    second: Page
    expected: str  # exact_duplicate | near_duplicate | new_version | new


def to_message(page: Page, url: str) -> ParsedPage:
    """What the pages stage would send to the store for this page, fetched at `url`."""
    from nianbao.core.pipeline import analyse

    result = analyse(page.body, content_type=page.content_type)
    sha = hashlib.sha256(page.body).hexdigest()
    fetched = FetchedPage(
        url=url, final_url=url, site_id="calibration", fetched_at=datetime.now(UTC),
        content_type=page.content_type, sha256=sha, size=len(page.body), body_ref=f"raw/{sha}",
    )  # fmt: skip
    return ParsedPage(
        page=fetched, record=result.record, fingerprint=result.fingerprint,
        text_length=result.text_length, signature=result.signature,
    )  # fmt: skip


def _seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def _text(text: str) -> Page:
    return Page(text.encode("utf-8"), "text/plain")


def _chrome(text: str, style: int) -> Page:
    """The text in one of two different government page templates."""
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line)
    if style == 0:
        page = (
            f"<html><head><meta charset='utf-8'><title>年报</title></head><body>"
            f"<div class='top'>首页 | 政务公开 | 政府信息公开年报</div>"
            f"<div>发布时间：2018-03-20 来源：市政府办公室 字体：[大 中 小] 分享到：微信</div>"
            f"<div class='TRS_Editor' id='zoom'>{paragraphs}</div>"
            f"<div>上一篇：无</div><div>主办单位：市人民政府办公室</div></body></html>"
        )
    else:
        page = (f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>"
                f"<nav>当前位置：首页 > 信息公开 > 年度报告</nav>"
                f"<table class='xxgk'><tr><td>索引号</td><td>0012-2018-001</td></tr></table>"
                f"<div id='ivs_content' class='article-content'>{paragraphs}</div>"
                f"<div>扫一扫在手机打开当前页</div><footer>网站标识码 3303000001</footer>"
                f"</body></html>")  # fmt: skip
    return Page(page.encode("utf-8"), "text/html")


def _fullwidth(text: str) -> str:
    return text.translate(str.maketrans(",:;()0123456789", "，：；（）０１２３４５６７８９"))


def _edit_sentences(text: str, count: int) -> str:
    """Reword `count` sentences the way a re-edit does (a clause added, a word changed)."""
    sentences = re.split(r"(?<=。)", text)
    long_ones = [i for i, s in enumerate(sentences) if len(s) > 40][1 : count + 1]
    for i in long_ones:
        sentences[i] = sentences[i].replace("。", "，进一步提升了工作水平。", 1)
    return "".join(sentences)


def _next_year(text: str, year: int) -> str:
    """The same agency's report for the next year: same template, new year, new figures."""
    shifted = re.sub(str(year), str(year + 1), text)
    return re.sub(r"(?<![\d年])(\d{1,4})(?=[条件次篇人个])",
                  lambda m: str(int(m.group(1)) + 7), shifted)  # fmt: skip


def pairs() -> list[Pair]:
    """The calibration set."""
    from opencc import OpenCC

    s003, s000, s004, s001 = _seed("003"), _seed("000"), _seed("004"), _seed("001")
    found = [
        Pair("chrome swap (HTML, two templates)", _chrome(s001, 0), _chrome(s001, 1),
             "exact_duplicate"),
        Pair("full-width punctuation and digits", _text(s000), _text(_fullwidth(s000)),
             "exact_duplicate"),
        Pair("traditional script on a mirror", _text(s004),
             _text(OpenCC("s2t").convert(s004)), "exact_duplicate"),
        Pair("printed twice on one page vs once", _text(s004),
             _text(s004[: s004.index("政府信息公开工作年度报告\n四川省")]), "exact_duplicate"),
        Pair("来源 line added", _text(s003),
             _text(s003.replace("\n", "\n来源：温州市人民政府办公室 2018-03-20\n", 1)),
             "exact_duplicate"),
        Pair("three sentences edited", _text(s003), _text(_edit_sentences(s003, 3)),
             "near_duplicate"),
        Pair("a corrected figure (republished correction)", _text(s003),
             _text(s003.replace("\t968\n", "\t986\n", 1)), "new_version"),
        Pair("next year's report, same template", _text(s003), _text(_next_year(s003, 2017)),
             "new"),
        Pair("another agency's template-like report", _text(s003),
             _text(s003.replace("温州市安全生产监督管理局", "台州市安全生产监督管理局")
                   .replace("温州", "台州")), "new"),
    ]  # fmt: skip
    pdfs = [REAL / "huaian-hongzequ-2023.pdf", REAL / "huaian-hongzequ-2024.pdf"]
    if all(p.exists() for p in pdfs):
        found.append(
            Pair(
                "one agency, 2023 and 2024 (real PDFs, ~90 % alike)",
                Page(pdfs[0].read_bytes(), "application/pdf"),
                Page(pdfs[1].read_bytes(), "application/pdf"),
                "new",
            )
        )
    return found
