"""The "agency" page template (TRS-style CMS): seed reports, other articles, column pages."""

from __future__ import annotations

from devtools.demo_site.articles import _Article
from devtools.demo_site.markup import _esc, _paragraphs
from devtools.demo_site.site_map import (
    HOME_PATH,
    ICP,
    LISTING_PATH,
    NB_COLUMN,
    NEWS_PATH,
    POLICE,
    SITE_ID_CODE,
    SITE_NAME,
    ZCJD_COLUMN,
    ZCJD_PATH,
    ZFXXGK_PATH,
)

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
