"""A small local "government website" for ``nianbao demo``.

It serves the captured seed report texts as realistic government HTML pages on loopback, so a
crawler can be pointed at :attr:`DemoSite.listing_url`. Standard library only.

The annual-report column lists the five seed reports (an "agency" CMS template), one
republication of seed 003 under a second URL in a visibly different "portal" template, a
notice whose title looks like a report, a 解读 page and an unrelated news item. Each
:class:`DemoPage` says what a correct pipeline should do with it.
"""

import html
import socket
import socketserver
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, cast
from urllib.parse import urlsplit

__all__ = ["LISTING_PATH", "DemoPage", "DemoSite"]

SITE_NAME = "云溪市人民政府"
PORTAL_NAME = "云溪市人民政府门户网站"
SITE_ID_CODE = "9999000001"
ICP = "云ICP备05004215号-1"
POLICE = "云公网安备 53999902000101号"

HOME_PATH = "/"
ZFXXGK_PATH = "/zfxxgk/index.html"
LISTING_PATH = "/zfxxgk/zfxxgknb/index.html"
ZCJD_PATH = "/zfxxgk/zcjd/index.html"
NEWS_PATH = "/xwzx/bmdt/index.html"

NB_COLUMN = "政府信息公开年报"
ZCJD_COLUMN = "政策解读"
NEWS_COLUMN = "部门动态"

_HTML_TYPE = "text/html; charset=utf-8"
_TEXT_TYPE = "text/plain; charset=utf-8"


@dataclass(frozen=True)
class DemoPage:
    """One article linked from the annual-report listing, and what a pipeline should do."""

    path: str  # URL path, e.g. "/zfxxgk/zfxxgknb/201801/t20180115_1004.html"
    title: str  # the link/title text
    seed: str | None  # seed file name it renders, None for non-seed pages
    template: str  # "agency" | "portal"
    expected: str  # "report" | "duplicate" | "not_report" | "not_followed"


@dataclass(frozen=True)
class _Article:
    page: DemoPage
    date: str  # YYYY-MM-DD, shown in the listing, the PubDate meta and the info line
    source: str  # 来源 / ContentSource
    column: str  # ColumnName
    column_path: str
    lines: tuple[str, ...]  # body text, one <p> per non-empty line


@dataclass(frozen=True)
class _SeedSpec:
    prefix: str
    title: str
    date: str
    source: str
    path: str


# Titles come from the seed texts (001, 003 and 004 carry their own title lines; 000 and 002
# name the agency and year in their first paragraph). Dates are the seed's own where it has
# one (001 "发布日期:2014-12-25", 004 "发布时间: 2020-01-20"), otherwise plausible ones in the
# year after the report year (003 was 填报 2018.1.3).
_SEEDS: tuple[_SeedSpec, ...] = (
    _SeedSpec(
        "000",
        "贵州省安全生产监督管理局2017年政府信息公开工作年度报告",
        "2018-03-26",
        "贵州省安全生产监督管理局",
        "/zfxxgk/zfxxgknb/201803/t20180326_1001.html",
    ),
    _SeedSpec(
        "001",
        "伊春市安全生产监督管理局2014年政务公开工作年度报告",
        "2014-12-25",
        "伊春市应急管理局",
        "/zfxxgk/zfxxgknb/201412/t20141225_1002.html",
    ),
    _SeedSpec(
        "002",
        "罗庄区安全生产监督管理局2018年政府信息公开工作年度报告",
        "2019-03-22",
        "罗庄区安全生产监督管理局",
        "/zfxxgk/zfxxgknb/201903/t20190322_1003.html",
    ),
    _SeedSpec(
        "003",
        "温州市安全生产监督管理局2017年政府信息公开工作年度报告",
        "2018-01-15",
        "温州市安全生产监督管理局",
        "/zfxxgk/zfxxgknb/201801/t20180115_1004.html",
    ),
    _SeedSpec(
        "004",
        "四川省应急管理厅2019年政府信息公开工作年度报告",
        "2020-01-20",
        "四川省应急管理厅",
        "/zfxxgk/zfxxgknb/202001/t20200120_1005.html",
    ),
)

_DUPLICATE_OF = "003"
_DUPLICATE_PATH = "/art/2018/3/20/art_1229_5566.html"
_DUPLICATE_TITLE = "市安监局2017年政府信息公开工作年度报告"
_DUPLICATE_DATE = "2018-03-20"
_DUPLICATE_SOURCE = "温州市安监局"

_NOTICE_TITLE = "关于做好2019年政府信息公开工作年度报告编制发布工作的通知"
_NOTICE_LINES = (
    "各县（市、区）人民政府，市政府各部门、各直属机构：",
    "根据《中华人民共和国政府信息公开条例》规定，行政机关应当在每年1月31日前向本级政府信息"
    "公开工作主管部门提交本行政机关上一年度政府信息公开工作年度报告并向社会公布。为做好2019年"
    "政府信息公开工作年度报告编制发布工作，现将有关事项通知如下：",
    "一、严格按照新格式编制。各单位要按照国务院办公厅政府信息与政务公开办公室印发的年度报告"
    "格式要求编写，如实反映本机关主动公开、依申请公开、行政复议和行政诉讼等情况，统计期限为"
    "2019年1月1日至2019年12月31日，确保数据真实准确、前后一致。",
    "二、按时公开发布。各单位应于2020年1月31日前在本单位政府网站“政府信息公开年报”栏目公开"
    "年度报告全文，同时将报告电子版报送市政府办公室政务公开科。逾期未发布的，将在全市政务公开"
    "工作考核中予以扣分。",
    "云溪市人民政府办公室",
    "2019年12月10日",
)

_JIEDU_TITLE = "《2019年政府信息公开工作年度报告》解读"
_JIEDU_LINES = (
    "《云溪市应急管理局2019年政府信息公开工作年度报告》已在本网站公开发布。为便于社会公众更好地"
    "了解报告内容，现解读如下：",
    "一、主动公开情况。2019年，我局通过政府网站、政务新媒体等渠道主动公开政府信息1236条，其中"
    "安全生产执法信息312条、事故调查报告6份，重点领域信息公开进一步加强。",
    "二、依申请公开情况。全年共受理政府信息公开申请9件，均在法定期限内答复，未发生因政府信息"
    "公开引起的行政复议和行政诉讼。",
    "三、下一步工作。我局将进一步完善信息发布审核机制，加大政策解读和回应关切力度，不断提升"
    "政务公开工作水平。",
)

_NEWS_TITLE = "市安委会召开全体会议"
_NEWS_LINES = (
    "5月15日下午，市安委会召开全体会议，传达学习全国、全省安全生产电视电话会议精神，通报今年"
    "以来全市安全生产形势，部署下一阶段安全生产重点工作。",
    "会议指出，今年以来全市安全生产形势总体平稳，但部分行业领域事故隐患依然突出，各地各部门"
    "要压紧压实安全生产责任，深入开展安全生产专项整治，坚决防范遏制重特大事故发生。",
    "会议要求，要扎实做好汛期和“安全生产月”各项工作，加强应急值守，确保全市安全生产形势持续"
    "稳定。市安委会各成员单位负责人参加会议。",
)


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def content_lines(text: str) -> list[str]:
    """The lines of a text that become ``<p>`` elements: every non-blank line, kept as-is."""
    return [line.rstrip("\r") for line in text.split("\n") if line.strip()]


def _paragraphs(lines: tuple[str, ...]) -> list[str]:
    return [f"<p>{_esc(line)}</p>" for line in lines]


def _find_seed(seeds_dir: Path, prefix: str) -> Path:
    found = sorted(seeds_dir.glob(f"{prefix}_*.txt"))
    if len(found) != 1:
        raise FileNotFoundError(
            f"expected exactly one seed file {prefix}_*.txt in {seeds_dir}, found {len(found)}"
        )
    return found[0]


# --------------------------------------------------------------------------------------------
# "agency" template (TRS-style CMS): used for the seed reports, the other articles and the
# column pages.

_AGENCY_STYLE = (
    "<style>",
    'body{margin:0;font:14px/1.8 "Microsoft YaHei",SimSun,sans-serif;color:#333;}',
    ".top-bar{background:#f2f2f2;font-size:12px;padding:0 20px;}",
    ".header{background:#b5121b;color:#fff;padding:20px;}",
    ".header .logo a{color:#fff;font-size:30px;text-decoration:none;}",
    ".nav{background:#8e0e15;}",
    ".nav li{display:inline-block;padding:0 18px;}",
    ".nav a{color:#fff;}",
    ".location{padding:8px 20px;border-bottom:1px solid #ddd;}",
    ".article{width:1000px;margin:0 auto;}",
    ".article h1{text-align:center;font-size:22px;color:#b5121b;}",
    ".info{text-align:center;color:#888;border-bottom:1px dashed #ccc;}",
    ".TRS_Editor p{text-indent:2em;}",
    ".list li span{float:right;color:#999;}",
    ".footer{background:#eee;text-align:center;font-size:12px;padding:10px;}",
    "</style>",
)

_AGENCY_SCRIPT = (
    "<script>",
    "function doZoom(size) {",
    '  var zoom = document.getElementById("zoom");',
    '  if (zoom) { zoom.style.fontSize = size + "px"; }',
    "}",
    "</script>",
)


def _agency_head(title: str, column: str, date: str | None, source: str | None) -> list[str]:
    lines = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta http-equiv="X-UA-Compatible" content="IE=edge">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_esc(title)}_{SITE_NAME}</title>",
        f'<meta name="SiteName" content="{SITE_NAME}">',
        f'<meta name="SiteIDCode" content="{SITE_ID_CODE}">',
        f'<meta name="ColumnName" content="{_esc(column)}">',
        f'<meta name="ColumnType" content="{_esc(column)}">',
    ]
    if date is not None:
        lines.append(f'<meta name="ArticleTitle" content="{_esc(title)}">')
        lines.append(f'<meta name="PubDate" content="{date}">')
    if source is not None:
        lines.append(f'<meta name="ContentSource" content="{_esc(source)}">')
    lines += [*_AGENCY_STYLE, *_AGENCY_SCRIPT, "</head>", "<body>"]
    return lines


def _agency_header() -> list[str]:
    return [
        '<div class="top-bar">',
        f'<span class="welcome">欢迎访问{SITE_NAME}网站</span>',
        '<span class="tools">无障碍浏览 | 长者模式 | 繁體版</span>',
        "</div>",
        '<div class="header">',
        f'<div class="logo"><a href="{HOME_PATH}">{SITE_NAME}</a></div>',
        '<div class="search"><input type="text" name="searchword" placeholder="请输入关键词">'
        '<button type="button">搜索</button></div>',
        "</div>",
        '<div class="nav">',
        "<ul>",
        f'<li><a href="{HOME_PATH}">首页</a></li>',
        f'<li><a href="{ZFXXGK_PATH}">政府信息公开</a></li>',
        f'<li><a href="{LISTING_PATH}">{NB_COLUMN}</a></li>',
        f'<li><a href="{ZCJD_PATH}">{ZCJD_COLUMN}</a></li>',
        f'<li><a href="{NEWS_PATH}">新闻动态</a></li>',
        "</ul>",
        "</div>",
    ]


def _agency_location(column: str, column_path: str) -> str:
    crumbs = [f'<a href="{HOME_PATH}">首页</a>']
    if column_path == NEWS_PATH:
        crumbs.append(f'<a href="{NEWS_PATH}">新闻动态</a>')
    elif column_path != ZFXXGK_PATH:
        crumbs.append(f'<a href="{ZFXXGK_PATH}">政府信息公开</a>')
    crumbs.append(f'<a href="{column_path}">{_esc(column)}</a>')
    return '<div class="location">当前位置：' + " &gt; ".join(crumbs) + "</div>"


def _agency_footer() -> list[str]:
    return [
        '<div class="footer">',
        f"<p>主办单位：{SITE_NAME}办公室　承办单位：云溪市大数据发展管理局</p>",
        f"<p>ICP备案：{ICP}　{POLICE}　网站标识码：{SITE_ID_CODE}</p>",
        "<p>地址：云溪市人民路1号　邮编：999001　联系电话：0999-12345678</p>",
        "</div>",
        "</body>",
        "</html>",
    ]


def _pager_link(label: str, other: _Article | None) -> str:
    if other is None:
        return f"<p>{label}：没有了</p>"
    page = other.page
    return f'<p>{label}：<a href="{page.path}">{_esc(page.title)}</a></p>'


def _render_agency(art: _Article, prev: _Article | None, nxt: _Article | None) -> str:
    page = art.page
    lines = _agency_head(page.title, art.column, art.date, art.source)
    lines += _agency_header()
    lines.append(_agency_location(art.column, art.column_path))
    lines += [
        '<div class="article">',
        f"<h1>{_esc(page.title)}</h1>",
        f'<div class="info">发布时间：{art.date}　来源：{_esc(art.source)}　'
        '字体：[<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> '
        '<a href="javascript:doZoom(14)">小</a>]　<a href="javascript:window.print()">打印</a> '
        '<a href="javascript:window.close()">关闭</a>　分享到：'
        '<a href="javascript:void(0)" class="share-wx">微信</a> '
        '<a href="javascript:void(0)" class="share-wb">微博</a></div>',
        '<div class="TRS_Editor" id="zoom">',
        *_paragraphs(art.lines),
        "</div>",
        '<div class="pager">',
        _pager_link("上一篇", prev),
        _pager_link("下一篇", nxt),
        "</div>",
        '<div class="qrcode"><canvas id="qrcode" width="100" height="100"></canvas>'
        "<span>扫一扫在手机打开当前页</span></div>",
        "</div>",
    ]
    lines += _agency_footer()
    return "\n".join(lines) + "\n"


def _render_column(
    title: str,
    column_path: str,
    items: list[tuple[str, str, str | None]],
) -> str:
    """A column (list) page in the agency template; items are (path, text, date or None)."""
    lines = _agency_head(title, title, None, None)
    lines += _agency_header()
    lines.append(_agency_location(title, column_path))
    lines += ['<div class="list">', f'<div class="list-title">{_esc(title)}</div>', "<ul>"]
    for path, text, date in items:
        span = f"<span>{date}</span>" if date else ""
        lines.append(
            f'<li><a href="{path}" title="{_esc(text)}" target="_blank">{_esc(text)}</a>{span}</li>'
        )
    lines += [
        "</ul>",
        f'<div class="page">共{len(items)}条记录　第1页/共1页　首页　上一页　下一页　尾页</div>',
        "</div>",
    ]
    lines += _agency_footer()
    return "\n".join(lines) + "\n"


def _render_home(articles: list[_Article]) -> str:
    lines = _agency_head(SITE_NAME, "首页", None, None)
    lines += _agency_header()
    lines += ['<div class="list">', '<div class="list-title">最新信息</div>', "<ul>"]
    for art in articles:
        lines.append(
            f'<li><a href="{art.page.path}">{_esc(art.page.title)}</a><span>{art.date}</span></li>'
        )
    lines += [
        "</ul>",
        '<div class="list-title">栏目导航</div>',
        "<ul>",
        f'<li><a href="{ZFXXGK_PATH}">政府信息公开</a></li>',
        f'<li><a href="{LISTING_PATH}">{NB_COLUMN}</a></li>',
        f'<li><a href="{ZCJD_PATH}">{ZCJD_COLUMN}</a></li>',
        f'<li><a href="{NEWS_PATH}">新闻动态</a></li>',
        "</ul>",
        "</div>",
    ]
    lines += _agency_footer()
    return "\n".join(lines) + "\n"


def _render_not_found() -> str:
    lines = _agency_head("页面不存在", "404", None, None)
    lines += _agency_header()
    lines += [
        '<div class="notfound">',
        "<h1>404</h1>",
        "<p>抱歉，您访问的页面不存在或已被删除。</p>",
        f'<p><a href="{HOME_PATH}">返回首页</a></p>',
        "</div>",
    ]
    lines += _agency_footer()
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# "portal" template (jcms-style CMS): used for the republication of seed 003. Every line
# outside the content container differs from the agency template's lines.

_PORTAL_STYLE = (
    "<style>.pt-body{margin:0;font-family:SimSun,serif;background:#f6f8fb;}"
    ".pt-top{background:#0b4a8b;color:#cfe0f3;font-size:12px;}"
    ".pt-banner{background:#1565c0;color:#fff;padding:24px 40px;}"
    ".pt-menu li{display:inline-block;padding:0 22px;}"
    ".pt-crumbs{padding:6px 40px;color:#555;}"
    ".pt-main{width:1100px;margin:0 auto;background:#fff;padding:20px 40px;}"
    ".pt-xxgk-meta{width:100%;border-collapse:collapse;}"
    ".pt-xxgk-meta th,.pt-xxgk-meta td{border:1px solid #c9d6e8;padding:4px 8px;}"
    ".article-content p{text-indent:2em;line-height:2;}"
    ".pt-bottom{background:#0b4a8b;color:#cfe0f3;text-align:center;}</style>"
)

_PORTAL_SCRIPT = (
    '<script type="text/javascript">window.jcms = {siteId: "1229", columnId: "5566"};</script>'
)


def _render_portal(art: _Article, prev: _Article | None, nxt: _Article | None) -> str:
    page = art.page
    title = _esc(page.title)

    def pn(label: str, other: _Article | None) -> str:
        if other is None:
            return f'<li class="pt-pn-item"><span>{label}</span>无</li>'
        return (
            f'<li class="pt-pn-item"><span>{label}</span>'
            f'<a href="{other.page.path}" title="{_esc(other.page.title)}">'
            f"{_esc(other.page.title)}</a></li>"
        )

    year, month, _day = art.date.split("-")
    lines = [
        "<!doctype html>",
        '<html lang="zh-cmn-Hans" class="pt-html">',
        '<head><meta charset="UTF-8" />',
        '<meta name="renderer" content="webkit" />',
        f"<title>{title} - {PORTAL_NAME}</title>",
        f'<meta name="SiteName" content="{PORTAL_NAME}" />',
        '<meta name="SiteIDCode" content="9999000001" data-site="jcms" />',
        '<meta name="ColumnName" content="年度报告" />',
        '<meta name="ColumnType" content="信息公开" />',
        f'<meta name="ArticleTitle" content="{title}" />',
        f'<meta name="PubDate" content="{art.date}" />',
        f'<meta name="ContentSource" content="{_esc(art.source)}" />',
        _PORTAL_STYLE,
        _PORTAL_SCRIPT,
        '</head><body class="pt-body">',
        '<div class="pt-top"><span class="pt-date">中国政府网 | 省政府门户网站</span>'
        '<span class="pt-login">登录 | 注册 | English</span></div><!-- /pt-top -->',
        f'<div class="pt-banner"><h2 class="pt-sitename"><a href="{HOME_PATH}" '
        f'title="{PORTAL_NAME}">{PORTAL_NAME}</a></h2></div><!-- /pt-banner -->',
        f'<ul class="pt-menu"><li><a href="{HOME_PATH}">网站首页</a></li>'
        f'<li><a href="{ZFXXGK_PATH}">信息公开</a></li>'
        f'<li><a href="{NEWS_PATH}">要闻动态</a></li>'
        f'<li><a href="{ZCJD_PATH}">解读回应</a></li></ul><!-- /pt-menu -->',
        f'<div class="pt-crumbs">您现在的位置：<a href="{HOME_PATH}">网站首页</a> &gt;&gt; '
        f'<a href="{ZFXXGK_PATH}">信息公开</a> &gt;&gt; <a href="{LISTING_PATH}">年度报告</a>'
        "</div><!-- /pt-crumbs -->",
        '<div class="pt-main">',
        '<table class="pt-xxgk-meta" summary="信息索引">',
        f"<tr><th>索引号：</th><td>001008003004/{year}-{month}0123</td>"
        f"<th>发布机构：</th><td>{_esc(art.source)}</td></tr>",
        f"<tr><th>文号：</th><td>无</td><th>发文日期：</th><td>{art.date}</td></tr>",
        f'<tr><th>名称：</th><td colspan="3">{title}</td></tr>',
        "</table><!-- /pt-xxgk-meta -->",
        f'<h1 class="pt-title">{title}</h1>',
        f'<div class="pt-source">信息来源：{_esc(art.source)}　发布日期：{art.date}　'
        '浏览次数：<span id="pt-hits">1024</span></div>',
        '<div class="pt-share">分享：<a href="javascript:;" class="pt-qzone">QQ空间</a> '
        '<a href="javascript:;" class="pt-tsina">新浪微博</a> '
        '<a href="javascript:;" class="pt-wxfriend">微信朋友圈</a></div><!-- /pt-share -->',
        '<div class="article-content" id="ivs_content">',
        *_paragraphs(art.lines),
        "</div>",
        '<div class="pt-tools"><a href="javascript:window.print();">【打印本页】</a> '
        '<a href="javascript:window.close();">【关闭窗口】</a></div><!-- /pt-tools -->',
        '<ul class="pt-pn">',
        pn("上一条：", prev),
        pn("下一条：", nxt),
        "</ul><!-- /pt-pn -->",
        '<div class="pt-qr">用手机扫描二维码，在手机上阅读本文</div><!-- /pt-qr -->',
        "</div><!-- /pt-main -->",
        '<div class="pt-bottom">',
        f"<p>{PORTAL_NAME} 版权所有 | 主办：{SITE_NAME}办公室 | 网站地图 | 联系我们</p>",
        f"<p>备案号：{ICP} | {POLICE} | 标识码：{SITE_ID_CODE}</p>",
        "</div><!-- /pt-bottom -->",
        "</body></html>",
    ]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# The site


def _build_articles(seeds_dir: Path) -> list[_Article]:
    """All articles, newest first (the order of the annual-report listing)."""
    articles: list[_Article] = []
    by_prefix: dict[str, _Article] = {}
    for spec in _SEEDS:
        seed_file = _find_seed(seeds_dir, spec.prefix)
        text = seed_file.read_text(encoding="utf-8")
        art = _Article(
            DemoPage(spec.path, spec.title, seed_file.name, "agency", "report"),
            spec.date,
            spec.source,
            NB_COLUMN,
            LISTING_PATH,
            tuple(content_lines(text)),
        )
        articles.append(art)
        by_prefix[spec.prefix] = art
    original = by_prefix[_DUPLICATE_OF]
    articles.append(
        _Article(
            DemoPage(_DUPLICATE_PATH, _DUPLICATE_TITLE, original.page.seed, "portal", "duplicate"),
            _DUPLICATE_DATE,
            _DUPLICATE_SOURCE,
            NB_COLUMN,
            LISTING_PATH,
            original.lines,
        )
    )
    articles.append(
        _Article(
            DemoPage(
                "/zfxxgk/zfxxgknb/201912/t20191210_1006.html",
                _NOTICE_TITLE,
                None,
                "agency",
                "not_report",
            ),
            "2019-12-10",
            f"{SITE_NAME}办公室",
            NB_COLUMN,
            LISTING_PATH,
            _NOTICE_LINES,
        )
    )
    articles.append(
        _Article(
            DemoPage(
                "/zfxxgk/zcjd/202001/t20200122_2001.html",
                _JIEDU_TITLE,
                None,
                "agency",
                "not_followed",
            ),
            "2020-01-22",
            "云溪市应急管理局",
            ZCJD_COLUMN,
            ZCJD_PATH,
            _JIEDU_LINES,
        )
    )
    articles.append(
        _Article(
            DemoPage(
                "/xwzx/bmdt/201905/t20190516_3001.html",
                _NEWS_TITLE,
                None,
                "agency",
                "not_followed",
            ),
            "2019-05-16",
            "云溪市应急管理局",
            NEWS_COLUMN,
            NEWS_PATH,
            _NEWS_LINES,
        )
    )
    articles.sort(key=lambda a: a.date, reverse=True)
    return articles


def _build_routes(articles: list[_Article]) -> dict[str, tuple[int, str, bytes]]:
    pages: dict[str, str] = {}
    for art in articles:
        # 上一篇/下一篇 run through the same column and template, in listing order.
        peers = [
            a
            for a in articles
            if a.column_path == art.column_path and a.page.template == art.page.template
        ]
        i = peers.index(art)
        prev = peers[i - 1] if i > 0 else None
        nxt = peers[i + 1] if i + 1 < len(peers) else None
        render = _render_portal if art.page.template == "portal" else _render_agency
        pages[art.page.path] = render(art, prev, nxt)

    def items(column_path: str | None) -> list[tuple[str, str, str | None]]:
        return [
            (a.page.path, a.page.title, a.date)
            for a in articles
            if column_path is None or a.column_path == column_path
        ]

    listing = _render_column(NB_COLUMN, LISTING_PATH, items(None))
    pages[HOME_PATH] = pages["/index.html"] = _render_home(articles[:6])
    pages[ZFXXGK_PATH] = pages["/zfxxgk/"] = _render_column(
        "政府信息公开",
        ZFXXGK_PATH,
        [(LISTING_PATH, NB_COLUMN, None), (ZCJD_PATH, ZCJD_COLUMN, None)],
    )
    pages[LISTING_PATH] = pages["/zfxxgk/zfxxgknb/"] = listing
    pages[ZCJD_PATH] = pages["/zfxxgk/zcjd/"] = _render_column(
        ZCJD_COLUMN, ZCJD_PATH, items(ZCJD_PATH)
    )
    pages[NEWS_PATH] = pages["/xwzx/bmdt/"] = _render_column(
        NEWS_COLUMN, NEWS_PATH, items(NEWS_PATH)
    )
    routes = {path: (200, _HTML_TYPE, body.encode("utf-8")) for path, body in pages.items()}
    routes["/robots.txt"] = (200, _TEXT_TYPE, b"User-agent: *\nAllow: /\n")
    return routes


class _DemoServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], routes: dict[str, tuple[int, str, bytes]]) -> None:
        self.routes = routes
        self.not_found = _render_not_found().encode("utf-8")
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls socket.getfqdn(), which can stall on reverse DNS.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)


class _Handler(BaseHTTPRequestHandler):
    server_version = "nginx"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _respond(self, send_body: bool) -> None:
        server = cast(_DemoServer, self.server)
        path = urlsplit(self.path).path or "/"
        status, ctype, body = server.routes.get(path, (404, _HTML_TYPE, server.not_found))
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: the demo's output is the pipeline's, not an access log."""


class DemoSite:
    """A local demo government website serving the seed reports; see the module docstring."""

    def __init__(self, seeds_dir: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        """Read the seeds and render every page; nothing is bound until :meth:`start`."""
        self._host = host
        self._port = port
        self._articles = _build_articles(Path(seeds_dir))
        self._routes = _build_routes(self._articles)
        self._server: _DemoServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> "DemoSite":
        """Bind (a free port when ``port=0``) and serve in a daemon thread; returns self."""
        if self._server is not None:
            return self
        server = _DemoServer((self._host, self._port), self._routes)
        thread = threading.Thread(
            target=server.serve_forever, name="nianbao-demo-site", daemon=True
        )
        thread.start()
        self._server, self._thread = server, thread
        return self

    def stop(self) -> None:
        """Stop serving and release the port; safe to call more than once."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> "DemoSite":
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://HOST:PORT`` of the running site."""
        if self._server is None:
            raise RuntimeError("DemoSite is not started")
        port = self._server.server_port
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{port}"

    @property
    def listing_url(self) -> str:
        """The annual-report column listing page (政府信息公开年报)."""
        return self.base_url + LISTING_PATH

    @property
    def pages(self) -> list[DemoPage]:
        """The articles linked from the listing, in listing order (newest first)."""
        return [art.page for art in self._articles]
