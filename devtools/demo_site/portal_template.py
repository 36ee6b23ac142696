"""The "portal" page template (jcms-style CMS), used for the republication of seed 003.

Every line outside the content container differs from the agency template's lines.
"""

from __future__ import annotations

from devtools.demo_site.articles import _Article
from devtools.demo_site.markup import _esc, _paragraphs
from devtools.demo_site.site_map import (
    HOME_PATH,
    ICP,
    LISTING_PATH,
    NEWS_PATH,
    POLICE,
    PORTAL_NAME,
    SITE_ID_CODE,
    SITE_NAME,
    ZCJD_PATH,
    ZFXXGK_PATH,
)

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
