"""A fake government website on loopback, for end-to-end tests of the monitoring crawler.

An annual-report column (政府信息公开年报) of three TRS-style listing pages that together hold
every case a polite, safe crawler must handle: validators and 304s, a GBK page, a flaky page,
redirects, attachments, robots.txt, 解读 pages, off-domain and private-address links, and pages
that must fail (slow, redirect loop, oversized, decompression bomb). Standard library only, except
python-docx to build the DOCX attachment. Tests assert against the site's own description
(:attr:`FakeGovSite.reports`, :attr:`FakeGovSite.FAILING`, :attr:`FakeGovSite.not_followed`, ...)
rather than re-typing paths.

Every request is logged as a :class:`Hit`; ``latency`` delays every response so tests can measure
how many requests a crawler has in flight at once.
"""

from __future__ import annotations

import contextlib
import html
import io
import socket
import socketserver
import sys
import threading
import time
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from email.utils import formatdate, parsedate_to_datetime
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar, TypedDict, cast
from urllib.parse import urljoin, urlsplit

__all__ = ["FakeGovSite", "Hit", "ReportFacts"]

FIXTURES = Path(__file__).parent / "fixtures"
SEEDS_DIR = FIXTURES / "seeds"
PDF_FILE = FIXTURES / "real-reports" / "huaian-hongzequ-2024.pdf"

AGENCY = "某市应急管理局"
SITE_ID_CODE = "9999000005"
ICP = "某ICP备12345678号-1"
COLUMN = "政府信息公开年报"

LISTING_PATH = "/zfxxgk/zfxxgknb/index.html"
LISTING_2_PATH = "/zfxxgk/zfxxgknb/index_1.html"
LISTING_3_PATH = "/zfxxgk/zfxxgknb/index_2.html"

INTRANET_HOST = "intranet.fake-gov.test"
INTRANET_PATH = "/art/report-2015.html"
OFF_DOMAIN_URL = "http://www.example.com/art/report-2022-copy.html"
JIEDU_PATH = "/art/2023/jiedu-2022.html"
PRIVATE_PATH = "/private/report-2017.html"

PDF_PATH = "/files/report-2022.pdf"
DOCX_PATH = "/files/report-2022.docx"
NOTICE_PATH = "/files/notice.txt"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

SLOW_PATH = "/art/slow.html"
LOOP_A_PATH = "/art/loop-a.html"
LOOP_B_PATH = "/art/loop-b.html"
BIG_PATH = "/art/big.html"
BOMB_PATH = "/art/bomb.html"
REDIRECT_PATH = "/art/redirect-2016.html"
FLAKY_PATH = "/art/2020/report-2019.html"

ROBOTS_TXT = "User-agent: *\nDisallow: /private/\n"

_CST = timezone(timedelta(hours=8))


def title_for(year: int) -> str:
    """The title of the agency's annual report for ``year``."""
    return f"{AGENCY}{year}年政府信息公开工作年度报告"


class ReportFacts(TypedDict):
    """What a correct crawler should find about one report page."""

    title: str
    encoding: str  # "utf-8" | "gbk": the encoding of the served body
    year: int  # the report year named in the title
    seed: str  # the seed file (tests/fixtures/seeds) whose text the page wraps
    link: str  # the path the listing links to (differs from the report path after a redirect)
    listing: str  # the path of the listing page that links it
    validators: tuple[str, ...]  # subset of ("etag", "last_modified") the page sends
    attachments: tuple[str, ...]  # attachment paths linked from the page


@dataclass
class Hit:
    """One request the site received: method, raw target, headers and monotonic times."""

    method: str
    path: str  # the request target as sent (path plus any query)
    headers: dict[str, str]  # header names lower-cased
    started: float  # time.monotonic() when the request had been read
    ended: float | None = None  # time.monotonic() as the response's last part went out; None before


@dataclass(frozen=True)
class _ReportSpec:
    path: str
    link: str  # href on the listing page
    year: int
    seed: str  # seed file prefix
    encoding: str
    etag: bool
    last_modified: bool
    published: str  # YYYY-MM-DD
    listing: str
    attachments: tuple[str, ...] = ()


_REPORTS: tuple[_ReportSpec, ...] = (
    _ReportSpec(
        "/art/2023/report-2022.html",
        "../../art/2023/report-2022.html",
        2022,
        "004",
        "utf-8",
        True,
        True,
        "2023-01-20",
        LISTING_PATH,
        (PDF_PATH, DOCX_PATH),
    ),
    _ReportSpec(
        "/art/2022/report-2021.html",
        "/art/2022/report-2021.html",
        2021,
        "002",
        "gbk",
        False,
        True,
        "2022-01-25",
        LISTING_2_PATH,
    ),
    _ReportSpec(
        "/art/2021/report-2020.html",
        "../../art/2021/report-2020.html",
        2020,
        "000",
        "utf-8",
        False,
        False,
        "2021-01-28",
        LISTING_2_PATH,
    ),
    _ReportSpec(
        FLAKY_PATH, FLAKY_PATH, 2019, "003", "utf-8", True, True, "2020-01-20", LISTING_2_PATH
    ),
    _ReportSpec(
        "/art/2016/report-2016.html",
        REDIRECT_PATH,
        2016,
        "001",
        "utf-8",
        True,
        False,
        "2017-01-20",
        LISTING_2_PATH,
    ),
)

# Report-like pages that a correct crawler never asks for, and the years their titles name.
_PRIVATE_YEAR = 2017
_INTRANET_YEAR = 2015
# Listing page 3: report-like titles whose fetch must fail, with the year each title names.
_FAILING_YEARS = {SLOW_PATH: 2014, LOOP_A_PATH: 2013, BIG_PATH: 2012, BOMB_PATH: 2011}

_JIEDU_TITLE = f"《{title_for(2022)}》解读"
_JIEDU_LINES = (
    f"近日，《{title_for(2022)}》在本网站“{COLUMN}”栏目公开发布。为便于公众理解，现将报告"
    "主要内容解读如下。",
    "一、主动公开情况。2022年，我局通过门户网站、政务新媒体等渠道主动公开政府信息986条，"
    "其中行政执法信息214条，安全生产事故调查报告4份。",
    "二、依申请公开情况。全年收到政府信息公开申请7件，均在法定期限内办结，未发生因政府信息"
    "公开引起的行政复议和行政诉讼。",
    "三、下一步工作。我局将继续完善政务公开制度，加强政策解读和回应关切，提升公开质量。",
)
_NOTICE_TEXT = (
    "政府信息公开工作联系方式\n"
    f"受理机构：{AGENCY}办公室\n"
    "办公地址：某市人民路88号\n"
    "办公时间：工作日上午9:00-12:00，下午14:00-17:30\n"
    "联系电话：0999-87654321\n"
)


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _seed_text(prefix: str) -> tuple[str, str]:
    found = sorted(SEEDS_DIR.glob(f"{prefix}_*.txt"))
    if len(found) != 1:
        raise FileNotFoundError(f"expected one seed {prefix}_*.txt in {SEEDS_DIR}")
    return found[0].name, found[0].read_text(encoding="utf-8")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def _synthetic_report(year: int) -> list[str]:
    """A short, report-shaped text for pages a correct crawler never fetches."""
    return [
        f"本报告根据《中华人民共和国政府信息公开条例》要求，由{AGENCY}办公室编制。全文包括"
        "总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议"
        "和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。本报告所列数据的统计期限"
        f"自{year}年1月1日起至{year}年12月31日止。",
        "一、总体情况",
        f"{year}年，我局认真贯彻落实政务公开工作部署，围绕安全生产和应急管理中心工作，"
        "不断健全公开制度，拓宽公开渠道，政府信息公开工作取得新进展。",
        "二、主动公开政府信息情况",
        f"{year}年，我局通过门户网站主动公开政府信息512条，其中机构职能类信息18条，"
        "行政执法类信息203条，安全生产类信息291条。",
        "三、收到和处理政府信息公开申请情况",
        f"{year}年，我局共收到政府信息公开申请5件，均已按期答复。",
        "四、存在的主要问题及改进情况",
        "公开内容的深度和广度仍需拓展，下一步将进一步规范公开流程，加强队伍培训。",
    ]


def _epoch(day: str) -> int:
    """Unix seconds of 09:30 Beijing time on YYYY-MM-DD."""
    year, month, date = (int(part) for part in day.split("-"))
    return int(datetime(year, month, date, 9, 30, tzinfo=_CST).timestamp())


# --------------------------------------------------------------------------------------------
# Page templates (TRS-style agency CMS)

CONTENT_END = "<!--/content-->"  # change() inserts its paragraph here

_STYLE = (
    "<style>body{margin:0;font:14px/1.8 'Microsoft YaHei',SimSun,sans-serif;color:#333;}"
    ".header{background:#1d5fa8;color:#fff;padding:18px;}.nav li{display:inline-block;}"
    ".article{width:1000px;margin:0 auto;}.article p{text-indent:2em;}"
    ".list li span{float:right;color:#999;}.footer{background:#eee;text-align:center;}</style>"
)


def _head(title: str, charset_meta: str, extra: tuple[str, ...] = ()) -> list[str]:
    return [
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        "<head>",
        charset_meta,
        f"<title>{_esc(title)}_{AGENCY}</title>",
        f'<meta name="SiteName" content="{AGENCY}">',
        f'<meta name="SiteIDCode" content="{SITE_ID_CODE}">',
        f'<meta name="ColumnName" content="{COLUMN}">',
        *extra,
        _STYLE,
        "</head>",
        "<body>",
        '<div class="header">',
        f'<div class="logo"><a href="/">{AGENCY}</a></div>',
        '<div class="search"><input type="text" name="searchword" placeholder="请输入关键词">'
        '<button type="button">搜索</button></div>',
        "</div>",
        '<div class="nav"><ul>',
        '<li><a href="/">首页</a></li>',
        '<li><a href="/zfxxgk/index.html">政府信息公开</a></li>',
        f'<li><a href="{LISTING_PATH}">{COLUMN}</a></li>',
        '<li><a href="/zfxxgk/zcjd/index.html">政策解读</a></li>',
        '<li><a href="/xwzx/index.html">新闻动态</a></li>',
        "</ul></div>",
        '<div class="location">当前位置：<a href="/">首页</a> &gt; '
        f'<a href="/zfxxgk/index.html">政府信息公开</a> &gt; <a href="{LISTING_PATH}">{COLUMN}</a>'
        "</div>",
    ]


def _foot() -> list[str]:
    return [
        CONTENT_END,
        '<div class="footer">',
        f"<p>主办单位：{AGENCY}　地址：某市人民路88号　联系电话：0999-87654321</p>",
        f"<p>ICP备案：{ICP}　网站标识码：{SITE_ID_CODE}</p>",
        "</div>",
        "</body>",
        "</html>",
    ]


def _utf8_meta() -> str:
    return '<meta charset="utf-8">'


def _http_equiv(charset: str) -> str:
    return f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'


def _render_article(
    title: str,
    lines: list[str],
    published: str,
    charset_meta: str,
    attachments: tuple[tuple[str, str], ...] = (),
) -> str:
    """A report (or other article) page; the text sits in <div class="article">."""
    out = _head(
        title,
        charset_meta,
        (
            f'<meta name="ArticleTitle" content="{_esc(title)}">',
            f'<meta name="PubDate" content="{published}">',
            f'<meta name="ContentSource" content="{AGENCY}办公室">',
        ),
    )
    out += [
        '<div class="main">',
        f"<h1>{_esc(title)}</h1>",
        f'<div class="info">发布时间：{published}　来源：{AGENCY}办公室　'
        '<a href="javascript:window.print()">打印</a> <a href="javascript:window.close()">关闭</a>'
        "</div>",
        '<div class="article">',
        *(f"<p>{_esc(line)}</p>" for line in lines),
        "</div>",
    ]
    if attachments:
        out.append('<div class="attachments"><p>相关附件：</p><ul>')
        out += [f'<li><a href="{href}">{_esc(text)}</a></li>' for href, text in attachments]
        out.append("</ul></div>")
    out.append("</div>")
    out += _foot()
    return "\n".join(out) + "\n"


def _render_listing(
    index: int, pages: int, charset_meta: str, items: list[tuple[str, str, str]]
) -> str:
    """Listing page ``index`` (0-based) of the column; items are (href, text, date)."""
    out = _head(COLUMN, charset_meta)
    out += ['<div class="list">', f'<div class="list-title">{COLUMN}</div>', "<ul>"]
    out += [
        f'<li><a href="{_esc(href)}" title="{_esc(text)}" target="_blank">{_esc(text)}</a>'
        f"<span>{date}</span></li>"
        for href, text, date in items
    ]
    out += ["</ul>", '<div class="page">']
    out.append(f'<script>createPageHTML({pages}, {index}, "index", "html");</script>')
    out.append('<a href="./index.html">首页</a>')
    if index > 0:
        prev = "./index.html" if index == 1 else f"./index_{index - 1}.html"
        out.append(f'<a href="{prev}">上一页</a>')
    else:
        out.append("<span>上一页</span>")
    if index + 1 < pages:
        out.append(f'<a href="./index_{index + 1}.html">下一页</a>')
    else:
        out.append("<span>下一页</span>")
    out.append(f'<a href="./index_{pages - 1}.html">尾页</a>')
    out += ["</div>", "</div>"]
    out += _foot()
    return "\n".join(out) + "\n"


def _render_not_found() -> str:
    out = _head("页面不存在", _utf8_meta())
    out += ['<div class="notfound"><h1>404</h1><p>您访问的页面不存在或已被删除。</p></div>']
    out += _foot()
    return "\n".join(out) + "\n"


def _render_simple(title: str, text: str) -> bytes:
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><h1>{title}</h1><p>{text}</p></body></html>\n"
    ).encode()


@lru_cache(maxsize=4)
def _gzip_zeros(size: int) -> bytes:
    """A gzip stream of ``size`` zero bytes (60 MB compress to ~60 KB); built once per size."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1 << 20)
    parts = []
    left = size
    while left > 0:
        piece = block if left >= len(block) else bytes(left)
        parts.append(compressor.compress(piece))
        left -= len(piece)
    parts.append(compressor.flush())
    return b"".join(parts)


@lru_cache(maxsize=1)
def _docx_bytes(title: str) -> bytes:
    """A small DOCX: the title and a statistics table, as python-docx writes it."""
    import docx  # python-docx, a project dependency; imported late so the module loads fast

    document = docx.Document()
    document.add_paragraph(title)
    document.add_paragraph("二、主动公开政府信息情况")
    rows = (
        ("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"),
        ("规章", "0", "0", "0"),
        ("行政规范性文件", "3", "1", "12"),
    )
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------
# Resources and the server


@dataclass
class _Page:
    """A static resource; mutable only under the site's lock (change())."""

    body: bytes
    content_type: str
    mtime: int
    with_etag: bool = False
    with_last_modified: bool = False
    encoding: str | None = None  # text pages: the body's encoding (for change())
    changes: int = 0

    def etag(self) -> str | None:
        """nginx-style strong ETag: hex mtime - hex length."""
        return f'"{self.mtime:x}-{len(self.body):x}"' if self.with_etag else None

    def last_modified(self) -> str | None:
        """The HTTP-date of mtime, if this page sends Last-Modified."""
        return formatdate(self.mtime, usegmt=True) if self.with_last_modified else None


@dataclass(frozen=True)
class _Snapshot:
    body: bytes
    content_type: str
    etag: str | None
    last_modified: str | None
    mtime: int


def _etags(header: str) -> list[str]:
    """Opaque tags of an If-None-Match list, weakness dropped (weak comparison, RFC 9110)."""
    tags = []
    for raw in header.split(","):
        tag = raw.strip()
        if tag.startswith("W/"):
            tag = tag[2:]
        if tag:
            tags.append(tag)
    return tags


def _not_modified(
    page: _Snapshot, if_none_match: str | None, if_modified_since: str | None
) -> bool:
    """RFC 9110 §13.2.2 for GET/HEAD: If-None-Match wins; If-Modified-Since only without it."""
    if if_none_match is not None:
        tags = _etags(if_none_match)
        if "*" in tags:
            return True
        etag = page.etag
        return etag is not None and etag.removeprefix("W/") in tags
    if if_modified_since is None or page.last_modified is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError, IndexError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return page.mtime <= since.timestamp()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # server_close() must not wait for slow or idle keep-alive handlers

    def __init__(self, site: FakeGovSite) -> None:
        self.site = site
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls socket.getfqdn(), which can stall on reverse DNS.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def drop_connections(self) -> None:
        """Shut every open client socket so handler threads stop at once."""
        with self.connections_lock:
            open_now = list(self.connections)
        for sock in open_now:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients hanging up (timeouts, aborted downloads) are normal here; others are not."""
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server_version = "nginx"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    timeout = 30  # idle keep-alive connections end eventually

    def do_GET(self) -> None:
        self._handle(send_body=True)

    def do_HEAD(self) -> None:
        self._handle(send_body=False)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read FakeGovSite.requests, not an access log."""

    @property
    def site(self) -> FakeGovSite:
        return cast(_Server, self.server).site

    def _handle(self, send_body: bool) -> None:
        site = self.site
        self._hit = hit = Hit(
            self.command,
            self.path,
            {name.lower(): value for name, value in self.headers.items()},
            time.monotonic(),
        )
        site._record(hit)
        try:
            if site.latency > 0 and site._pause(site.latency):
                self.close_connection = True
                return
            self._route(urlsplit(self.path).path or "/", send_body)
        except OSError:  # the client went away
            self.close_connection = True
        finally:
            self._done()

    def _done(self) -> None:
        """Stamp the hit's end just before the response's last part goes out.

        Stamping before the write (not after) means a client that has read the whole response
        always sees ``ended`` set.
        """
        if self._hit.ended is None:
            self._hit.ended = time.monotonic()

    def _route(self, path: str, send_body: bool) -> None:
        site = self.site
        if path == SLOW_PATH:
            self._slow(send_body)
        elif path == LOOP_A_PATH:
            self._redirect(302, LOOP_B_PATH, send_body)
        elif path == LOOP_B_PATH:
            self._redirect(302, LOOP_A_PATH, send_body)
        elif path == REDIRECT_PATH:
            self._redirect(301, site.url(site.REDIRECTS[REDIRECT_PATH]), send_body)
        elif path == BIG_PATH:
            self._big(send_body)
        elif path == BOMB_PATH:
            body = _gzip_zeros(site.bomb_bytes)
            headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip")]
            self._send(200, headers, body, send_body)
        elif path == FLAKY_PATH and site._first_request(path):
            body = _render_simple("503 Service Temporarily Unavailable", "服务器繁忙，请稍后再试。")
            headers = [("Content-Type", "text/html; charset=utf-8"), ("Retry-After", "1")]
            self._send(503, headers, body, send_body)
        elif (page := site._snapshot(path)) is not None:
            self._page(page, send_body)
        else:
            headers = [("Content-Type", "text/html; charset=utf-8")]
            self._send(404, headers, site._not_found, send_body)

    def _send(
        self, status: int, headers: list[tuple[str, str]], body: bytes, send_body: bool
    ) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self._done()
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _page(self, page: _Snapshot, send_body: bool) -> None:
        validators = [("ETag", page.etag), ("Last-Modified", page.last_modified)]
        present = [(name, value) for name, value in validators if value is not None]
        if present and _not_modified(
            page, self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")
        ):
            self.send_response(304)
            for name, value in present:
                self.send_header(name, value)
            self._done()
            self.end_headers()
            return
        self._send(200, [("Content-Type", page.content_type), *present], page.body, send_body)

    def _redirect(self, status: int, location: str, send_body: bool) -> None:
        body = _render_simple(f"{status} Moved", f'<a href="{location}">{location}</a>')
        headers = [("Location", location), ("Content-Type", "text/html; charset=utf-8")]
        self._send(status, headers, body, send_body)

    def _slow(self, send_body: bool) -> None:
        site = self.site
        if site._pause(site.slow_seconds):
            self.close_connection = True
            return
        body = site._slow_body
        self._send(200, [("Content-Type", "text/html; charset=utf-8")], body, send_body)

    def _big(self, send_body: bool) -> None:
        """At least big_bytes of HTML, chunked, with no Content-Length."""
        site = self.site
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Transfer-Encoding", "chunked")
        if not send_body:
            self._done()
        self.end_headers()
        if not send_body:
            return
        head, filler, tail = site._big_parts
        for piece in (head, *[filler] * (site.big_bytes // len(filler) + 1), tail):
            if site._stop.is_set():
                self.close_connection = True
                return
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
        self._done()
        self.wfile.write(b"0\r\n\r\n")


class FakeGovSite:
    """A fake government annual-report column on 127.0.0.1; see the module docstring."""

    #: Listing pages in order, with the encoding of each body.
    LISTINGS: ClassVar[dict[str, str]] = {
        LISTING_PATH: "utf-8",
        LISTING_2_PATH: "gbk",
        LISTING_3_PATH: "utf-8",
    }
    #: Listed report-like paths whose fetch must fail, and the FetchError reason expected.
    FAILING: ClassVar[dict[str, str]] = {
        SLOW_PATH: "timeout",
        LOOP_A_PATH: "redirect_loop",
        BIG_PATH: "too_large",
        BOMB_PATH: "decompression_bomb",
    }
    #: Listed path -> where it redirects (301) to.
    REDIRECTS: ClassVar[dict[str, str]] = {REDIRECT_PATH: "/art/2016/report-2016.html"}
    #: Host name of the private-address link; tests resolve it to 10.0.0.5.
    INTRANET_HOST = INTRANET_HOST
    INTRANET_ADDRESS = "10.0.0.5"
    #: Paths served here that a correct crawler never requests (robots, 解读, private address).
    NEVER_REQUESTED: ClassVar[tuple[str, ...]] = (JIEDU_PATH, PRIVATE_PATH, INTRANET_PATH)
    ROBOTS_TXT = ROBOTS_TXT
    #: A path that answers 503 (Retry-After: 1) to its first request ever, then 200.
    FLAKY = FLAKY_PATH

    def __init__(
        self,
        *,
        latency: float = 0.0,
        slow_seconds: float = 3.0,
        big_bytes: int = 3_000_000,
        bomb_bytes: int = 60_000_000,
    ) -> None:
        """Prepare the fixed resources (DOCX, gzip bomb); nothing is bound until start()."""
        self.latency = latency
        self.slow_seconds = slow_seconds
        self.big_bytes = big_bytes
        self.bomb_bytes = bomb_bytes
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._log: list[Hit] = []
        self._seen: set[str] = set()
        self._pages: dict[str, _Page] = {}
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._not_found = _render_not_found().encode("utf-8")
        self._slow_body = _render_article(
            title_for(_FAILING_YEARS[SLOW_PATH]),
            _synthetic_report(_FAILING_YEARS[SLOW_PATH]),
            "2015-01-22",
            _utf8_meta(),
        ).encode("utf-8")
        self._big_parts = self._build_big_parts()
        self._seeds = {spec.path: _seed_text(spec.seed) for spec in _REPORTS}
        _docx_bytes(title_for(2022))
        _gzip_zeros(bomb_bytes)
        self.reports: dict[str, ReportFacts] = {
            spec.path: ReportFacts(
                title=title_for(spec.year),
                encoding=spec.encoding,
                year=spec.year,
                seed=self._seeds[spec.path][0],
                link=urljoin(spec.listing, spec.link),
                listing=spec.listing,
                validators=tuple(
                    name
                    for name, on in (("etag", spec.etag), ("last_modified", spec.last_modified))
                    if on
                ),
                attachments=spec.attachments,
            )
            for spec in _REPORTS
        }
        self.attachments: dict[str, str] = {PDF_PATH: "application/pdf", DOCX_PATH: DOCX_TYPE}

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> FakeGovSite:
        """Bind a free port on 127.0.0.1, render the pages and serve in a daemon thread."""
        if self._server is not None:
            return self
        self._stop.clear()
        server = _Server(self)
        self._server = server
        self._pages = self._build_pages()
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-gov-site",
            daemon=True,
        )
        thread.start()
        self._thread = thread
        return self

    def stop(self) -> None:
        """Stop serving, cut open connections (slow handlers end at once), release the port."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        self._stop.set()
        server.shutdown()
        server.drop_connections()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> FakeGovSite:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ---------------------------------------------------------------- addresses

    @property
    def port(self) -> int:
        """The bound port."""
        if self._server is None:
            raise RuntimeError("FakeGovSite is not started")
        return self._server.server_port

    @property
    def host(self) -> str:
        """``127.0.0.1:PORT``."""
        return f"127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{self.host}"

    def url(self, path: str) -> str:
        """The absolute URL of a path on this site."""
        return self.base_url + path

    @property
    def listing_url(self) -> str:
        """The first page of the annual-report column: the crawler's start URL."""
        return self.url(LISTING_PATH)

    @property
    def intranet_url(self) -> str:
        """The listed link to a host that resolves (in tests) to a private address."""
        return f"http://{INTRANET_HOST}:{self.port}{INTRANET_PATH}"

    @property
    def not_followed(self) -> dict[str, str]:
        """Listed URLs a correct crawler never fetches -> why (off_domain, excluded, ...)."""
        return {
            self.url(JIEDU_PATH): "excluded",
            OFF_DOMAIN_URL: "off_domain",
            self.url(PRIVATE_PATH): "robots",
            self.intranet_url: "blocked_address",
        }

    NOT_FOLLOWED = not_followed

    @property
    def listed(self) -> dict[str, str]:
        """Every item link on the three listing pages: absolute URL -> anchor text."""
        out: dict[str, str] = {}
        for listing, items in self._listing_items().items():
            for href, text, _date in items:
                out[urljoin(self.url(listing), href)] = text
        return out

    # ---------------------------------------------------------------- request log

    @property
    def requests(self) -> list[Hit]:
        """A snapshot of every request received so far (in-flight ones have ended=None)."""
        with self._lock:
            return list(self._log)

    def hits(self, path: str) -> list[Hit]:
        """Requests for ``path`` (matched with or without a query string)."""
        return [hit for hit in self.requests if hit.path == path or hit.path.split("?")[0] == path]

    def reset(self) -> None:
        """Clear the request log (the 503-once state is kept)."""
        with self._lock:
            self._log.clear()

    def peak_concurrency(self, prefix: str = "") -> int:
        """The most requests (whose path starts with prefix) that were in flight at once."""
        events: list[tuple[float, int]] = []
        for hit in self.requests:
            if hit.path.startswith(prefix):
                events.append((hit.started, 1))
                events.append((hit.ended if hit.ended is not None else float("inf"), -1))
        peak = current = 0
        for _when, delta in sorted(events):  # an end sorts before a start at the same instant
            current += delta
            peak = max(peak, current)
        return peak

    # ---------------------------------------------------------------- mutation

    def change(self, path: str) -> None:
        """Append a paragraph to an HTML page and give it new validators (for 'changed' tests)."""
        with self._lock:
            page = self._pages[path]
            if page.encoding is None:
                raise ValueError(f"{path} is not an HTML page")
            page.changes += 1
            note = (
                f'<p class="update">更正说明（第{page.changes}次）：经核对，本报告第二部分'
                f"主动公开数据有误，现予更正。</p>\n{CONTENT_END}"
            )
            page.body = page.body.replace(
                CONTENT_END.encode("ascii"), note.encode(page.encoding), 1
            )
            page.mtime = max(int(time.time()), page.mtime + 1)

    # ---------------------------------------------------------------- internals

    def _pause(self, seconds: float) -> bool:
        """Sleep at least ``seconds`` (by time.monotonic); True if the site stopped meanwhile."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if self._stop.wait(left):
                return True
        return self._stop.is_set()

    def _record(self, hit: Hit) -> None:
        with self._lock:
            self._log.append(hit)

    def _first_request(self, path: str) -> bool:
        with self._lock:
            if path in self._seen:
                return False
            self._seen.add(path)
            return True

    def _snapshot(self, path: str) -> _Snapshot | None:
        with self._lock:
            page = self._pages.get(path)
            if page is None:
                return None
            return _Snapshot(
                page.body, page.content_type, page.etag(), page.last_modified(), page.mtime
            )

    def _build_big_parts(self) -> tuple[bytes, bytes, bytes]:
        title = title_for(_FAILING_YEARS[BIG_PATH])
        head = "\n".join([*_head(title, _utf8_meta()), '<div class="article">']).encode()
        line = "<p>本年度我局主动公开政府信息，其中行政执法类信息若干条，安全生产类若干条。</p>\n"
        filler = (line * (65536 // len(line.encode()))).encode()
        tail = "\n".join(["</div>", *_foot()]).encode()
        return head, filler, tail

    def _listing_items(self) -> dict[str, list[tuple[str, str, str]]]:
        specs = {spec.path: spec for spec in _REPORTS}

        def report(path: str) -> tuple[str, str, str]:
            spec = specs[path]
            return spec.link, title_for(spec.year), spec.published

        return {
            LISTING_PATH: [
                (JIEDU_PATH, _JIEDU_TITLE, "2023-01-21"),
                report("/art/2023/report-2022.html"),
                (OFF_DOMAIN_URL, f"{title_for(2022)}（市政府门户网站转载）", "2023-01-20"),
                (self.intranet_url, title_for(_INTRANET_YEAR), "2016-01-26"),
            ],
            LISTING_2_PATH: [
                report("/art/2022/report-2021.html"),
                report("/art/2021/report-2020.html"),
                report(FLAKY_PATH),
                (PRIVATE_PATH, title_for(_PRIVATE_YEAR), "2018-01-30"),
                report("/art/2016/report-2016.html"),
            ],
            LISTING_3_PATH: [
                (path, title_for(year), f"{year + 1}-01-2{i}")
                for i, (path, year) in enumerate(_FAILING_YEARS.items())
            ],
        }

    def _build_pages(self) -> dict[str, _Page]:
        utf8_html = "text/html; charset=utf-8"
        pages: dict[str, _Page] = {}
        listing_meta = {
            LISTING_PATH: _utf8_meta(),
            LISTING_2_PATH: _http_equiv("gbk"),
            LISTING_3_PATH: _utf8_meta(),
        }
        items = self._listing_items()
        for index, (path, encoding) in enumerate(self.LISTINGS.items()):
            text = _render_listing(index, len(self.LISTINGS), listing_meta[path], items[path])
            pages[path] = _Page(
                text.encode(encoding),
                f"text/html; charset={encoding}",
                _epoch("2023-01-21"),
                with_etag=path == LISTING_PATH,
                encoding=encoding,
            )
        for spec in _REPORTS:
            attachments = tuple(
                (href, text)
                for href, text in (
                    (PDF_PATH, f"附件1：{title_for(spec.year)}.pdf"),
                    (
                        "../../files/report-2022.docx",
                        f"附件2：{title_for(spec.year)}（可编辑版）.docx",
                    ),
                    (NOTICE_PATH, "附件3：政府信息公开工作联系方式.txt"),
                )
                if spec.attachments
            )
            meta = _utf8_meta() if spec.encoding == "utf-8" else _http_equiv("gb2312")
            text = _render_article(
                title_for(spec.year),
                _lines(self._seeds[spec.path][1]),
                spec.published,
                meta,
                attachments,
            )
            pages[spec.path] = _Page(
                text.encode(spec.encoding),
                utf8_html if spec.encoding == "utf-8" else "text/html",
                _epoch(spec.published),
                with_etag=spec.etag,
                with_last_modified=spec.last_modified,
                encoding=spec.encoding,
            )
        extra = (
            (JIEDU_PATH, _JIEDU_TITLE, list(_JIEDU_LINES), "2023-01-21"),
            (
                PRIVATE_PATH,
                title_for(_PRIVATE_YEAR),
                _synthetic_report(_PRIVATE_YEAR),
                "2018-01-30",
            ),
            (
                INTRANET_PATH,
                title_for(_INTRANET_YEAR),
                _synthetic_report(_INTRANET_YEAR),
                "2016-01-26",
            ),
        )
        for path, title, lines, published in extra:
            text = _render_article(title, lines, published, _utf8_meta())
            pages[path] = _Page(text.encode(), utf8_html, _epoch(published), encoding="utf-8")
        pages[PDF_PATH] = _Page(
            PDF_FILE.read_bytes(),
            "application/pdf",
            _epoch("2023-01-20"),
            with_etag=True,
            with_last_modified=True,
        )
        pages[DOCX_PATH] = _Page(
            _docx_bytes(title_for(2022)),
            "application/octet-stream",
            _epoch("2023-01-20"),
            with_last_modified=True,
        )
        pages[NOTICE_PATH] = _Page(
            _NOTICE_TEXT.encode(), "text/plain; charset=utf-8", _epoch("2023-01-20")
        )
        pages["/robots.txt"] = _Page(
            ROBOTS_TXT.encode(), "text/plain; charset=utf-8", _epoch("2023-01-01")
        )
        return pages
