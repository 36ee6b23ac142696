"""Real report pages for timing the pure core: the seeds as the demo site serves them, and the
dev-set captures published the way a government site would publish them.

Built from tests/fixtures only, without network or sockets, so the same pages come out in CI
and on any machine. `core_ms_per_page` times our whole core against trafilatura on them.

The dev-set files are plain-text captures. Each becomes a TRS-style article page: head with
title and charset, a ~20-link navigation menu, breadcrumb, an info and share bar, the text as
``<p>`` paragraphs inside ``<div id="zoom">``, pager, QR code and footer. A run of lines written
as pipe rows (``| 规章 | 2 | 0 | 2 |``) becomes a real ``<table>``; tables flattened one cell per
line, or to digit runs, have lost their row boundaries and stay paragraphs, as the capture has
them (rebuilding those rows would mean guessing, with the parser under test).
"""

from __future__ import annotations

import html
import re
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from devtools.datasets import DEV_SET_RAW, SEEDS
from devtools.demo_site.articles import _build_articles
from devtools.demo_site.routes import _build_routes

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
DEV_SET = DEV_SET_RAW
LABELLED = FIXTURES / "labelled" / "raw"  # a checkout only (labelled=True)

SITE = "云溪市人民政府"
# A title line: short, not a sentence (no sentence punctuation, not a metadata "标题:" line).
_TITLE_LINE = re.compile(r"^[^，,。；;:：|]{6,60}$")
_TITLE_REST = re.compile(r"^(?:(?:19|20)\d{2}|信息公开).*报告$")  # the second line of a title
_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_YEAR = re.compile(r"_((?:19|20)\d{2})(?:_|\.)")
_COLUMNS = (
    "首页", "政府信息公开", "政府信息公开指南", "政府信息公开制度", "法定主动公开内容",
    "政府信息公开年报", "政策文件", "政策解读", "规划计划", "财政资金", "人事信息",
    "重点领域", "建议提案办理", "新闻动态", "部门动态", "通知公告", "政务服务", "互动交流",
    "领导信箱", "网上调查", "专题专栏",
)  # fmt: skip


def bench_pages(*, labelled: bool = False) -> list[tuple[str, bytes]]:
    """(name, HTML bytes) of the seed report pages and of every dev-set capture as a page.

    Seeds come first, as the demo site serves them (its republication of seed 003 included);
    ``labelled=True`` adds the labelled set after the dev set.
    """
    pages = seed_pages()
    sources = sorted(DEV_SET.glob("*.txt"))
    if labelled:
        sources += sorted(LABELLED.glob("*.txt"))
    for path in sources:
        pages.append((path.name, html_page(path.read_text(encoding="utf-8"), path.name)))
    return pages


def seed_pages() -> list[tuple[str, bytes]]:
    """(seed file name, body) of each report page of the demo site, rendered without serving."""
    articles = _build_articles(SEEDS)
    routes = _build_routes(articles)
    return [
        (f"{art.page.seed}@{art.page.template}", routes[art.page.path][2])
        for art in articles
        if art.page.expected in {"report", "duplicate"}
    ]


def html_page(text: str, name: str) -> bytes:
    """A plain-text capture as a government CMS article page (UTF-8 bytes)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    title, lines = _title(lines)
    year = _YEAR.search(name)
    date = f"{int(year.group(1)) + 1}-01-20" if year else None
    head_title = f"{_esc(title)}_{SITE}" if title else SITE
    nav = "\n".join(
        f'<li><a href="/col/col{1000 + i}/index.html" target="_self">{column}</a></li>'
        for i, column in enumerate(_COLUMNS)
    )
    meta = [
        f'<meta name="SiteName" content="{SITE}">',
        '<meta name="SiteIDCode" content="9999000001">',
        '<meta name="ColumnName" content="政府信息公开年报">',
    ]
    if title:
        meta.append(f'<meta name="ArticleTitle" content="{_esc(title)}">')
    if date:
        meta.append(f'<meta name="PubDate" content="{date}">')
    info = f"发布时间：{date}　" if date else ""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta http-equiv="X-UA-Compatible" content="IE=edge">',
        f"<title>{head_title}</title>",
        *meta,
        '<link rel="stylesheet" href="/static/css/common.css">',
        '<script src="/static/js/jquery.min.js"></script>',
        "</head>",
        "<body>",
        '<div class="top-bar"><span>欢迎访问云溪市人民政府网站</span>',
        '<span class="tools"><a href="#">无障碍浏览</a> | <a href="#">长者模式</a> | '
        '<a href="#">繁體版</a></span></div>',
        '<div class="header"><div class="logo"><a href="/">云溪市人民政府</a></div>',
        '<form class="search" action="/search"><input type="text" name="q" '
        'placeholder="请输入关键词"><button type="submit">搜索</button></form></div>',
        f'<div class="nav"><ul>\n{nav}\n</ul></div>',
        '<div class="location">当前位置：<a href="/">首页</a> &gt; '
        '<a href="/zfxxgk/index.html">政府信息公开</a> &gt; '
        '<a href="/zfxxgk/zfxxgknb/index.html">政府信息公开年报</a></div>',
        '<div class="article">',
        f"<h1>{_esc(title)}</h1>" if title else "",
        f'<div class="info">{info}浏览次数：<span id="hits">1024</span>　'
        '字体：[<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> '
        '<a href="javascript:doZoom(14)">小</a>]　'
        '<a href="javascript:window.print()">打印</a></div>',
        '<div class="TRS_Editor" id="zoom">',
        *_body(lines),
        "</div>",
        '<div class="share">分享到：<a href="#" class="share-wx">微信</a> '
        '<a href="#" class="share-wb">微博</a> <a href="#" class="share-qq">QQ空间</a></div>',
        '<div class="pager"><p>上一篇：<a href="/zfxxgk/zfxxgknb/t1001.html">没有了</a></p>',
        '<p>下一篇：<a href="/zfxxgk/zfxxgknb/t1003.html">没有了</a></p></div>',
        '<div class="qrcode"><canvas id="qrcode" width="100" height="100"></canvas>'
        "<span>扫一扫在手机打开当前页</span></div>",
        '<div class="close"><a href="javascript:window.close()">关闭窗口</a></div>',
        "</div>",
        '<div class="footer">',
        "<p>主办单位：云溪市人民政府办公室　承办单位：云溪市大数据发展管理局</p>",
        "<p>云ICP备05004215号-1　云公网安备 53999902000101号　网站标识码：9999000001</p>",
        "<p>地址：云溪市人民路1号　邮编：999001　联系电话：0999-12345678</p>",
        "</div>",
        '<script>function doZoom(s){document.getElementById("zoom").style.fontSize=s+"px";}'
        "</script>",
        "</body>",
        "</html>",
    ]
    return ("\n".join(part for part in parts if part) + "\n").encode("utf-8")


def _title(lines: list[str]) -> tuple[str | None, list[str]]:
    """The capture's title line(s) and the rest: the CMS prints the title as the page heading.

    A title the capture broke over two lines ("XX街道办事处" / "2024年…年度报告") is joined.
    """
    heads = [line for line in lines[:2] if _TITLE_LINE.match(line)]
    if len(heads) == 2 and "报告" not in heads[0] and _TITLE_REST.match(heads[1]):
        return heads[0] + heads[1], lines[2:]
    if heads and heads[0] == lines[0]:
        return heads[0], lines[1:]
    return None, lines


def _body(lines: Sequence[str]) -> list[str]:
    """Paragraphs, with each run of pipe rows as a table."""
    out: list[str] = []
    rows: list[str] = []
    for line in [*lines, ""]:
        if _PIPE_ROW.match(line):
            rows.append(line)
            continue
        if rows:
            out.append(_table(rows))
            rows = []
        if line:
            out.append(f"<p>{_esc(line)}</p>")
    return out


def _table(rows: Sequence[str]) -> str:
    """Pipe rows as table markup: empty cells that end a row widen its last filled cell."""
    trs = []
    for row in rows:
        written = [cell.strip() for cell in row.strip()[1:-1].split("|")]  # one | each end
        cells = list(written)
        while len(cells) > 1 and not cells[-1]:
            cells.pop()
        span = len(written) - len(cells)
        tds = [f"<td>{_esc(cell)}</td>" for cell in cells]
        if span:
            tds[-1] = f'<td colspan="{span + 1}">{_esc(cells[-1])}</td>'
        trs.append("<tr>" + "".join(tds) + "</tr>")
    return '<table border="1" cellspacing="0" cellpadding="0">\n' + "\n".join(trs) + "\n</table>"


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _round_ms(func: Callable[[Any], object], inputs: Sequence[Any]) -> float:
    """ms per input of one pass over all inputs."""
    start = time.perf_counter()
    for item in inputs:
        func(item)
    return (time.perf_counter() - start) * 1000 / len(inputs)


def core_ms_per_page(pages: Sequence[tuple[str, bytes]], rounds: int) -> dict[str, float]:
    """Median ms/page of our whole core and of trafilatura on the same pages, in one run.

    ``analyse`` is extract, fingerprint (exact key and MinHash signature), parse and validate
    from the bytes; ``signature`` is the MinHash part of it alone, on each page's folded text.
    trafilatura gets the decoded page, default and ``fast=True``. Each round times them one
    after the other, so noise on a shared machine hits them alike. Without trafilatura
    installed (`pip install 'nianbao[bench]'`) only our own figures are returned.
    """
    try:
        import trafilatura
    except ImportError:
        trafilatura = None

    from nianbao.core.extract import extract
    from nianbao.core.fingerprint import folded_content
    from nianbao.core.parse import parse
    from nianbao.core.pipeline import analyse
    from nianbao.core.similarity import signature

    bodies = [body for _, body in pages]
    texts = [body.decode("utf-8") for body in bodies]
    docs = [extract(body, "text/html") for body in bodies]
    folded = [folded_content(parse(doc).main_text, doc.tables) for doc in docs]  # as analyse's
    measures: dict[str, tuple[Callable[[Any], object], Sequence[Any]]] = {
        "analyse": (lambda body: analyse(body, content_type="text/html"), bodies),
        "signature": (signature, folded),
    }
    if trafilatura is not None:
        measures["trafilatura_default"] = (trafilatura.extract, texts)
        measures["trafilatura_fast"] = (lambda text: trafilatura.extract(text, fast=True), texts)
    samples: dict[str, list[float]] = {name: [] for name in measures}
    for _ in range(rounds):
        for name, (func, inputs) in measures.items():
            samples[name].append(_round_ms(func, inputs))
    result = {f"{name}_ms": statistics.median(values) for name, values in samples.items()}
    result["pages"] = len(bodies)
    if trafilatura is not None:
        result["ratio_vs_fast"] = result["analyse_ms"] / result["trafilatura_fast_ms"]
    return result
