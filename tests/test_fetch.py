"""The guarded HTTP client and the SSRF guard, against real HTTP(S) servers on loopback."""

from __future__ import annotations

import datetime as dt
import gzip
import ipaddress
import socket
import ssl
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from producers.fetch import Fetcher, FetchError, FetchPolicy, Response, Validators
from producers.netguard import Blocked, Target, check_url, host_header, is_public

LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"),)
HTML = (
    "<!DOCTYPE html><html><head><title>2023年政府信息公开工作年度报告</title></head>"
    "<body>年报</body></html>"
)


# -- a loopback server whose routes each test writes -------------------------------------------


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    peer: tuple[str, int] = ("", 0)  # the client's address: one per TCP connection


Route = Callable[[BaseHTTPRequestHandler, int], None]  # (handler, nth request to this path)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        with self.server.lock:
            self.server.seen.append(
                Seen(
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    self.client_address[:2],
                )
            )
            nth = sum(1 for s in self.server.seen if s.path.split("?", 1)[0] == path)
        route = self.server.routes.get(path)
        if route is None:
            reply(self, 404, b"not found")
            return
        try:
            route(self, nth)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, Route] = {}
        self.seen: list[Seen] = []
        self.lock = threading.Lock()

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that gave up (timeouts) is expected here


@dataclass
class Site:
    """A running loopback server: add routes, read what it saw."""

    server: _Server
    scheme: str = "http"

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def url(self, path: str, host: str = "www.gov.test") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def route(self, path: str) -> Callable[[Route], Route]:
        def add(fn: Route) -> Route:
            self.server.routes[path] = fn
            return fn

        return add

    def static(self, path: str, body: bytes, **headers: str) -> None:
        self.server.routes[path] = lambda h, n: reply(h, 200, body, headers)

    def paths(self) -> list[str]:
        return [s.path for s in self.server.seen]


def reply(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    *,
    length: bool = True,
) -> None:
    handler.send_response(status)
    for name, value in (headers or {}).items():
        handler.send_header(name.replace("_", "-"), value)
    if length:
        handler.send_header("Content-Length", str(len(body)))
    else:  # delimited by closing the connection
        handler.send_header("Connection", "close")
        handler.close_connection = True
    handler.end_headers()
    handler.wfile.write(body)


@contextmanager
def serve(context: ssl.SSLContext | None = None) -> Iterator[Site]:
    server = _Server()
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield Site(server, "https" if context else "http")
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def site() -> Iterator[Site]:
    with serve() as running:
        yield running


# -- injected parts: a name table, a recording gate, a recording sleep -------------------------


@dataclass
class Names:
    """A resolver from a fixed table; records every lookup."""

    table: dict[str, list[str]]
    calls: list[tuple[str, int]] = field(default_factory=list)

    def __call__(self, host: str, port: int) -> list[str]:
        self.calls.append((host, port))
        if host not in self.table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return self.table[host]

    def hosts(self) -> list[str]:
        return [host for host, _ in self.calls]


@dataclass
class RecordingGate:
    """A HostGate that lets everything through and records what it was asked."""

    slots: list[tuple[str, float, int]] = field(default_factory=list)
    back_offs: list[tuple[str, float]] = field(default_factory=list)
    held: int = 0

    @contextmanager
    def slot(
        self, host: str, *, delay: float, concurrency: int, max_wait: float | None = None
    ) -> Iterator[None]:
        self.slots.append((host, delay, concurrency))
        self.held += 1
        try:
            yield
        finally:
            self.held -= 1

    def back_off(self, host: str, seconds: float) -> None:
        self.back_offs.append((host, seconds))


NAMES = {
    "www.gov.test": ["127.0.0.1"],
    "other.gov.test": ["127.0.0.1"],
    "evil.test": ["127.0.0.1"],
    "metadata.gov.test": ["169.254.169.254"],
    "intranet.gov.test": ["10.0.0.5"],
    "mixed.gov.test": ["127.0.0.1", "10.0.0.5"],
}


@pytest.fixture
def names() -> Names:
    return Names(dict(NAMES))


@pytest.fixture
def gate() -> RecordingGate:
    return RecordingGate()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def fetcher(gate: RecordingGate, names: Names, sleeps: list[float]) -> Iterator[Fetcher]:
    with Fetcher(gate, sleep=sleeps.append, resolve=names) as running:
        yield running


def gov_test(host: str) -> bool:
    return host == "gov.test" or host.endswith(".gov.test")


def policy(**overrides: object) -> FetchPolicy:
    settings: dict[str, object] = {
        "allows_host": gov_test,
        "allowed_networks": LOOPBACK,
        "timeout": 5.0,
        "max_retries": 0,
        "backoff_base": 0.5,
        "delay": 1.5,
        "concurrency": 2,
    }
    settings.update(overrides)
    return FetchPolicy(**settings)  # type: ignore[arg-type]


def fails(fetcher: Fetcher, url: str, pol: FetchPolicy | None = None, **kw: object) -> FetchError:
    with pytest.raises(FetchError) as caught:
        fetcher.get(url, pol or policy(), **kw)  # type: ignore[arg-type]
    return caught.value


# -- 200s: bodies, types, charsets, and the pinned connection ----------------------------------


def test_fetches_html_through_the_pinned_address_with_the_real_host(
    site: Site, fetcher: Fetcher, gate: RecordingGate, names: Names
) -> None:
    site.static("/report", HTML.encode(), content_type="text/html; charset=UTF-8")
    got = fetcher.get(site.url("/report?year=2023"), policy(user_agent="nianbao-test/1"))

    assert got == Response(
        url=site.url("/report?year=2023"),
        final_url=site.url("/report?year=2023"),
        status=200,
        content_type="text/html",
        encoding="utf-8",
        body=HTML.encode(),
        etag=None,
        last_modified=None,
        redirects=[],
    )
    # One lookup; the connection went to 127.0.0.1 (the name exists nowhere else) and the
    # server was told the real host name.
    assert names.calls == [("www.gov.test", site.port)]
    [seen] = site.server.seen
    assert seen.path == "/report?year=2023"
    assert seen.headers["host"] == f"www.gov.test:{site.port}"
    assert seen.headers["user-agent"] == "nianbao-test/1"
    assert seen.headers["accept-encoding"] == "gzip, deflate"
    assert "if-none-match" not in seen.headers
    assert gate.slots == [("www.gov.test", 1.5, 2)]
    assert gate.held == 0


GBK_PAGE = "<html><head>{meta}</head><body>政府信息公开工作年度报告</body></html>"


@pytest.mark.parametrize(
    ("content_type", "meta", "codec", "expected"),
    [
        ("text/html; charset=gbk", "", "gbk", "gb18030"),
        ("text/html", '<meta charset="gb2312">', "gbk", "gb18030"),
        (
            "text/html",
            '<meta http-equiv="Content-Type" content="text/html; charset=GBK">',
            "gbk",
            "gb18030",
        ),
        ("text/html", "", "gbk", "gb18030"),  # nothing declared, not UTF-8
        ("text/html", "", "utf-8", "utf-8"),  # nothing declared, valid UTF-8
        ("text/html; charset=utf-8", '<meta charset="gbk">', "utf-8", "utf-8"),  # header wins
    ],
)
def test_text_encoding(
    site: Site, fetcher: Fetcher, content_type: str, meta: str, codec: str, expected: str
) -> None:
    body = GBK_PAGE.format(meta=meta).encode(codec)
    site.static("/page", body, content_type=content_type)
    got = fetcher.get(site.url("/page"), policy())
    assert (got.content_type, got.encoding) == ("text/html", expected)
    assert "政府信息公开工作年度报告" in got.body.decode(got.encoding)


def test_cookies_are_neither_kept_nor_sent(site: Site, fetcher: Fetcher) -> None:
    site.static("/a", b"a", set_cookie="session=secret; Path=/")
    site.static("/b", b"b")
    fetcher.get(site.url("/a"), policy())
    fetcher.get(site.url("/b", "other.gov.test"), policy())
    fetcher.get(site.url("/b"), policy())
    assert [s.headers.get("cookie") for s in site.server.seen] == [None, None, None]


def test_pdf_served_as_octet_stream_is_sniffed(site: Site, fetcher: Fetcher) -> None:
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
    site.static("/download", pdf, content_type="application/octet-stream")
    got = fetcher.get(site.url("/download"), policy())
    assert (got.content_type, got.encoding, got.body) == ("application/pdf", None, pdf)


# -- conditional requests ----------------------------------------------------------------------


def etag_route(site: Site, path: str) -> None:
    """A page with ETag "v1" that answers 304 to If-None-Match: "v1"."""

    @site.route(path)
    def _(h: BaseHTTPRequestHandler, n: int) -> None:
        if h.headers.get("If-None-Match") == '"v1"':
            reply(h, 304, headers={"ETag": '"v1"'})
        else:
            reply(h, 200, HTML.encode(), {"ETag": '"v1"', "Content-Type": "text/html"})


def test_etag_gives_304(site: Site, fetcher: Fetcher) -> None:
    etag_route(site, "/etag")

    first = fetcher.get(site.url("/etag"), policy())
    assert (first.status, first.etag) == (200, '"v1"')
    again = fetcher.get(site.url("/etag"), policy(), Validators(etag=first.etag))
    assert (again.status, again.body, again.etag, again.encoding) == (304, b"", '"v1"', None)
    assert site.server.seen[1].headers["if-none-match"] == '"v1"'


def test_last_modified_gives_304_and_echoes_the_validators(site: Site, fetcher: Fetcher) -> None:
    stamp = "Wed, 01 Mar 2023 08:00:00 GMT"

    @site.route("/lm")
    def _(h: BaseHTTPRequestHandler, n: int) -> None:
        if h.headers.get("If-Modified-Since") == stamp:
            reply(h, 304)  # no validators repeated: the request's are echoed
        else:
            reply(h, 200, HTML.encode(), {"Last-Modified": stamp, "Content-Type": "text/html"})

    first = fetcher.get(site.url("/lm"), policy())
    assert first.last_modified == stamp
    validators = Validators(etag='"old"', last_modified=stamp)
    again = fetcher.get(site.url("/lm"), policy(), validators)
    assert (again.status, again.body) == (304, b"")
    assert (again.etag, again.last_modified) == ('"old"', stamp)
    assert site.server.seen[1].headers["if-modified-since"] == stamp


# -- redirects ---------------------------------------------------------------------------------


def test_redirects_are_followed_rechecked_and_recorded(
    site: Site, fetcher: Fetcher, gate: RecordingGate, names: Names
) -> None:
    site.route("/old")(lambda h, n: reply(h, 301, headers={"Location": "/mid?x=1"}))
    site.route("/mid")(
        lambda h, n: reply(h, 302, headers={"Location": site.url("/new", "other.gov.test")})
    )
    site.static("/new", HTML.encode(), content_type="text/html")

    got = fetcher.get(site.url("/old"), policy())
    assert got.status == 200
    assert got.redirects == [site.url("/mid?x=1"), site.url("/new", "other.gov.test")]
    assert got.final_url == site.url("/new", "other.gov.test")
    assert got.url == site.url("/old")
    # Every hop resolved once, passed through the gate, and pinned with its own Host.
    assert names.hosts() == ["www.gov.test", "www.gov.test", "other.gov.test"]
    assert [host for host, _, _ in gate.slots] == names.hosts()
    assert [s.headers["host"] for s in site.server.seen] == [
        f"www.gov.test:{site.port}",
        f"www.gov.test:{site.port}",
        f"other.gov.test:{site.port}",
    ]


def test_redirect_loop(site: Site, fetcher: Fetcher) -> None:
    site.route("/a")(lambda h, n: reply(h, 302, headers={"Location": "/b"}))
    site.route("/b")(lambda h, n: reply(h, 302, headers={"Location": site.url("/a")}))
    error = fails(fetcher, site.url("/a"))
    assert (error.reason, error.retryable) == ("redirect_loop", False)
    assert site.paths() == ["/a", "/b"]


def test_too_many_redirects(site: Site, fetcher: Fetcher) -> None:
    for i in range(10):
        site.route(f"/hop{i}")(lambda h, n, i=i: reply(h, 307, headers={"Location": f"hop{i + 1}"}))
    error = fails(fetcher, site.url("/hop0"), policy(max_redirects=3))
    assert error.reason == "too_many_redirects"
    assert site.paths() == ["/hop0", "/hop1", "/hop2", "/hop3"]


def test_redirect_off_domain_is_refused_before_resolving(
    site: Site, fetcher: Fetcher, names: Names
) -> None:
    site.route("/out")(
        lambda h, n: reply(h, 302, headers={"Location": site.url("/x", "evil.test")})
    )
    error = fails(fetcher, site.url("/out"))
    assert (error.reason, error.url) == ("off_domain", site.url("/x", "evil.test"))
    assert "evil.test" not in names.hosts()
    assert site.paths() == ["/out"]


@pytest.mark.parametrize(
    ("location", "allows", "reason"),
    [
        ("http://metadata.gov.test:{port}/latest/meta-data/", gov_test, "blocked_address"),
        ("http://169.254.169.254:{port}/latest/meta-data/", lambda h: True, "blocked_address"),
        ("http://169.254.169.254/latest/meta-data/", gov_test, "off_domain"),
        ("http://[::ffff:169.254.169.254]:{port}/latest/", lambda h: True, "blocked_address"),
        ("http://2852039166:{port}/latest/", lambda h: True, "bad_url"),  # 169.254.169.254
    ],
)
def test_redirect_to_metadata_is_blocked_before_connecting(
    site: Site, fetcher: Fetcher, location: str, allows: Callable[[str], bool], reason: str
) -> None:
    site.route("/go")(
        lambda h, n: reply(h, 302, headers={"Location": location.format(port=site.port)})
    )
    # The loopback site itself is allowed by a network, not by the host check.
    error = fails(fetcher, site.url("/go", "www.gov.test"), policy(allows_host=allows))
    assert (error.reason, error.retryable) == (reason, False)
    assert site.paths() == ["/go"]


def test_names_resolving_to_private_addresses_are_blocked(site: Site, fetcher: Fetcher) -> None:
    site.static("/", b"hello")
    for host in ("intranet.gov.test", "mixed.gov.test"):
        error = fails(fetcher, site.url("/", host))
        assert error.reason == "blocked_address"
        assert "10.0.0.5" in error.detail
    assert fails(fetcher, site.url("/", "nowhere.gov.test")).reason == "unresolvable"
    assert site.paths() == []


def test_loopback_only_inside_allowed_networks(site: Site, fetcher: Fetcher) -> None:
    site.static("/", b"hello", content_type="text/plain")
    url = f"http://127.0.0.1:{site.port}/"
    anywhere = policy(allows_host=lambda h: True, allowed_networks=())
    assert fails(fetcher, url, anywhere).reason == "blocked_address"
    assert fails(fetcher, site.url("/"), policy(allowed_networks=())).reason == "blocked_address"
    assert site.paths() == []
    got = fetcher.get(url, policy(allows_host=lambda h: True))
    assert (got.body, got.encoding) == (b"hello", "utf-8")
    assert site.server.seen[0].headers["host"] == f"127.0.0.1:{site.port}"


# -- bodies: size caps and content codings -----------------------------------------------------


def test_body_over_the_cap(site: Site, fetcher: Fetcher) -> None:
    site.static("/exact", b"x" * 1000)
    site.static("/big", b"x" * 1001)
    site.route("/stream")(lambda h, n: reply(h, 200, b"x" * 300_000, length=False))
    assert len(fetcher.get(site.url("/exact"), policy(max_body_bytes=1000)).body) == 1000
    for path in ("/big", "/stream"):
        error = fails(fetcher, site.url(path), policy(max_body_bytes=1000))
        assert (error.reason, error.retryable) == ("too_large", False)


def _gzip_zeros(size: int) -> bytes:
    """gzip of `size` zero bytes, made without holding them."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    parts = [packer.compress(block) for _ in range(size >> 20)]
    return b"".join([*parts, packer.flush()])


def test_gzip_bomb_is_stopped_without_inflating_it(site: Site, fetcher: Fetcher) -> None:
    bomb = _gzip_zeros(50 << 20)
    assert len(bomb) < 100_000
    site.static("/bomb.pdf", bomb, content_encoding="gzip", content_type="application/pdf")
    tracemalloc.start()
    try:
        error = fails(fetcher, site.url("/bomb.pdf"), policy(max_body_bytes=1 << 20))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error.reason == "decompression_bomb"
    assert peak < 8 << 20  # a few copies of the 1 MB cap at most, never the 50 MB


@pytest.mark.parametrize(
    ("coding", "pack"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),  # zlib-wrapped, as the RFC says
        ("deflate", lambda b: zlib.compress(b, wbits=-zlib.MAX_WBITS)),  # raw, as some send
        ("gzip", lambda b: gzip.compress(b[:50]) + gzip.compress(b[50:])),  # two members
    ],
)
def test_compressed_bodies_are_decoded(
    site: Site, fetcher: Fetcher, coding: str, pack: Callable[[bytes], bytes]
) -> None:
    body = (HTML * 20).encode()
    site.static("/z", pack(body), content_encoding=coding, content_type="text/html")
    got = fetcher.get(site.url("/z"), policy())
    assert (got.body, got.content_type, got.encoding) == (body, "text/html", "utf-8")


@pytest.mark.parametrize(
    ("coding", "body"),
    [("br", b"\x0b\x02\x80hello\x03"), ("gzip, gzip", b""), ("gzip", b"\x1f\x8bnot really")],
)
def test_bad_content_encoding(site: Site, fetcher: Fetcher, coding: str, body: bytes) -> None:
    site.static("/z", body, content_encoding=coding)
    error = fails(fetcher, site.url("/z"))
    assert (error.reason, error.retryable) == ("bad_encoding", False)


# -- failures: retries, Retry-After, timeouts --------------------------------------------------


def test_retry_after_backs_the_host_off_then_retries(
    site: Site, fetcher: Fetcher, gate: RecordingGate, sleeps: list[float]
) -> None:
    @site.route("/busy")
    def _(h: BaseHTTPRequestHandler, n: int) -> None:
        if n == 1:
            reply(h, 503, b"busy", {"Retry-After": "1"})
        else:
            reply(h, 200, HTML.encode(), {"Content-Type": "text/html"})

    got = fetcher.get(site.url("/busy"), policy(max_retries=2))
    assert got.status == 200
    assert gate.back_offs == [("www.gov.test", 1.0)]
    assert sleeps == []  # the gate does the waiting
    assert len(gate.slots) == 2


def test_validators_go_only_to_the_url_that_sent_them(site: Site, fetcher: Fetcher) -> None:
    @site.route("/moved")
    def _(h: BaseHTTPRequestHandler, n: int) -> None:
        reply(h, 302, headers={"Location": "/new"})

    @site.route("/new")
    def _(h: BaseHTTPRequestHandler, n: int) -> None:
        reply(h, 200, HTML.encode(), {"Content-Type": "text/html", "ETag": '"new"'})

    old = Validators(etag='"old"', last_modified="Mon, 01 Jan 2024 00:00:00 GMT", url="x")
    fetcher.get(site.url("/moved"), policy(), old)  # they belonged to another final URL
    assert [s.headers.get("if-none-match") for s in site.server.seen] == [None, None]

    mine = Validators(etag='"new"', url=site.url("/new"))
    fetcher.get(site.url("/moved"), policy(), mine)
    assert [s.headers.get("if-none-match") for s in site.server.seen[2:]] == [None, '"new"']


def test_503_without_retry_after_backs_the_whole_host_off(
    site: Site, fetcher: Fetcher, gate: RecordingGate, sleeps: list[float]
) -> None:
    @site.route("/busy")
    def _(h: BaseHTTPRequestHandler, n: int) -> None:
        if n == 1:
            reply(h, 503, b"busy")
        else:
            reply(h, 200, HTML.encode(), {"Content-Type": "text/html"})

    assert fetcher.get(site.url("/busy"), policy(max_retries=1)).status == 200
    assert gate.back_offs == [("www.gov.test", 0.5)]  # the first backoff step, host-wide
    assert sleeps == []


def test_an_absurd_retry_after_is_capped_at_a_day(
    site: Site, fetcher: Fetcher, gate: RecordingGate
) -> None:
    @site.route("/busy")
    def _(h: BaseHTTPRequestHandler, n: int) -> None:
        reply(h, 429, b"slow down", {"Retry-After": "99999999999999999999"})

    with pytest.raises(FetchError) as caught:
        fetcher.get(site.url("/busy"), policy(max_retries=2))
    assert caught.value.retryable and caught.value.retry_after == 86400.0
    assert gate.back_offs == [("www.gov.test", 86400.0)]


def test_a_host_backed_off_too_long_fails_fast_instead_of_waiting(site: Site, names: Names) -> None:
    from producers.politeness import LocalHostGate

    gate = LocalHostGate()
    gate.back_off("www.gov.test", 600)
    site.static("/page", HTML.encode())
    with Fetcher(gate, resolve=names) as fetcher, pytest.raises(FetchError) as caught:
        fetcher.get(site.url("/page"), policy(max_retry_after=300))
    assert caught.value.reason == "deadline" and caught.value.retry_after > 500
    assert site.server.seen == []


def test_retry_after_without_a_gate_sleeps(site: Site, names: Names) -> None:
    site.route("/busy")(
        lambda h, n: reply(h, 429, headers={"Retry-After": "2"}) if n == 1 else reply(h, 200)
    )
    slept: list[float] = []
    with Fetcher(sleep=slept.append, resolve=names) as fetcher:
        assert fetcher.get(site.url("/busy"), policy(max_retries=1)).status == 200
    assert slept == [2.0]


def test_retry_after_too_long_fails_at_once(
    site: Site, fetcher: Fetcher, gate: RecordingGate
) -> None:
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    site.route("/closed")(
        lambda h, n: reply(h, 503, headers={"Retry-After": format_datetime(later, usegmt=True)})
    )
    error = fails(fetcher, site.url("/closed"), policy(max_retries=3, max_retry_after=300))
    assert (error.reason, error.status, error.retryable) == ("http_status", 503, True)
    [(host, seconds)] = gate.back_offs
    assert host == "www.gov.test" and 7000 < seconds <= 7200
    assert site.paths() == ["/closed"]


def test_server_errors_are_retried_with_backoff(
    site: Site, fetcher: Fetcher, sleeps: list[float]
) -> None:
    site.route("/flaky")(lambda h, n: reply(h, 500) if n <= 2 else reply(h, 200, b"ok"))
    got = fetcher.get(site.url("/flaky"), policy(max_retries=2, backoff_base=0.5))
    assert got.body == b"ok"
    assert len(sleeps) == 2
    assert 0 <= sleeps[0] <= 0.5 and 0 <= sleeps[1] <= 1.0  # full jitter under 0.5 * 2**n

    site.route("/down")(lambda h, n: reply(h, 502))
    error = fails(fetcher, site.url("/down"), policy(max_retries=1))
    assert (error.reason, error.status, error.retryable) == ("http_status", 502, True)
    assert site.paths().count("/down") == 2


def test_client_errors_are_not_retried(site: Site, fetcher: Fetcher, sleeps: list[float]) -> None:
    error = fails(fetcher, site.url("/missing"), policy(max_retries=3))
    assert (error.reason, error.status, error.retryable) == ("http_status", 404, False)
    site.route("/challenge")(lambda h, n: reply(h, 202, b"<script>challenge()</script>"))
    error = fails(fetcher, site.url("/challenge"), policy(max_retries=3))
    assert (error.reason, error.status, error.retryable) == ("http_status", 202, False)
    assert site.paths() == ["/missing", "/challenge"]
    assert sleeps == []


def test_slow_server_times_out_after_retries(
    site: Site, fetcher: Fetcher, gate: RecordingGate, sleeps: list[float]
) -> None:
    stop = threading.Event()
    site.route("/slow")(lambda h, n: stop.wait(5) or reply(h, 200, b"late"))
    try:
        error = fails(fetcher, site.url("/slow"), policy(timeout=0.2, max_retries=1))
    finally:
        stop.set()
    assert (error.reason, error.retryable) == ("timeout", True)
    assert len(gate.slots) == 2 and len(sleeps) == 1


def test_headers_trickled_under_the_read_timeout_are_cut_by_the_watchdog(
    site: Site, fetcher: Fetcher
) -> None:
    """One header line every 0.1 s never trips a 0.3 s read timeout; the whole-exchange cap does."""
    stop = threading.Event()

    @site.route("/trickle")
    def _(h: BaseHTTPRequestHandler, n: int) -> None:
        h.wfile.write(b"HTTP/1.1 200 OK\r\n")
        for i in range(200):
            if stop.wait(0.1):
                return
            try:
                h.wfile.write(f"X-Pad-{i}: x\r\n".encode())
                h.wfile.flush()
            except OSError:
                return

    began = time.monotonic()
    try:
        error = fails(fetcher, site.url("/trickle"), policy(timeout=0.3, max_retries=0))
    finally:
        stop.set()
    elapsed = time.monotonic() - began
    assert (error.reason, error.retryable) == ("timeout", True)
    assert "exchange took over" in error.detail
    assert elapsed < 0.3 * 6 + 1.5  # the cap (6 x timeout), not the server's 20 s
    site.static("/after", HTML.encode())
    assert fetcher.get(site.url("/after"), policy()).status == 200  # the fetcher still works


def test_a_body_trickled_under_the_read_timeout_is_cut_too(site: Site, fetcher: Fetcher) -> None:
    stop = threading.Event()

    @site.route("/drip")
    def _(h: BaseHTTPRequestHandler, n: int) -> None:
        h.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 9999\r\n\r\n")
        while not stop.wait(0.1):
            try:
                h.wfile.write(b"<")
                h.wfile.flush()
            except OSError:
                return

    began = time.monotonic()
    try:
        error = fails(fetcher, site.url("/drip"), policy(timeout=0.3, max_retries=0))
    finally:
        stop.set()
    assert (error.reason, error.retryable) == ("timeout", True)
    assert time.monotonic() - began < 0.3 * 6 + 1.5


def test_a_cut_exchange_leaves_other_requests_alone(site: Site, fetcher: Fetcher) -> None:
    """The limit is enforced inside the request's own socket operations, nowhere else."""
    stop = threading.Event()

    @site.route("/trickle")
    def _(h: BaseHTTPRequestHandler, n: int) -> None:
        h.wfile.write(b"HTTP/1.1 200 OK\r\n")
        while not stop.wait(0.05):
            try:
                h.wfile.write(b"X-Pad: x\r\n")
                h.wfile.flush()
            except OSError:
                return

    site.static("/ok", HTML.encode())
    results: list[int] = []
    errors: list[BaseException] = []

    def steady() -> None:
        try:
            for _ in range(40):
                got = fetcher.get(site.url("/ok", "other.gov.test"), policy(timeout=5))
                results.append(got.status)
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=steady) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(3):
            cut = fails(fetcher, site.url("/trickle"), policy(timeout=0.1, max_retries=0))
            assert cut.reason == "timeout"
    finally:
        for thread in threads:
            thread.join(30)
        stop.set()
    assert errors == [] and results == [200] * 120


def test_304s_and_redirects_keep_the_connection_for_the_next_request(
    site: Site, fetcher: Fetcher
) -> None:
    etag_route(site, "/etag")

    site.route("/moved")(lambda h, n: reply(h, 301, b"moved here", {"Location": "/etag"}))
    fetcher.get(site.url("/etag"), policy())
    for _ in range(3):
        fetcher.get(site.url("/etag"), policy(), Validators(etag='"v1"'))
    fetcher.get(site.url("/moved"), policy())
    assert len({seen.peer for seen in site.server.seen}) == 1  # one TCP connection for all


def test_a_304_to_an_unconditional_request_is_an_error(site: Site, fetcher: Fetcher) -> None:
    site.route("/odd")(lambda h, n: reply(h, 304, headers={"ETag": '"x"'}))
    error = fails(fetcher, site.url("/odd"))
    assert (error.reason, error.status, error.retryable) == ("http_status", 304, False)
    got = fetcher.get(site.url("/odd"), policy(), Validators(etag='"x"'))
    assert got.status == 304  # conditional: fine


def test_connection_refused_is_a_transient_transport_error(
    fetcher: Fetcher, sleeps: list[float]
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    error = fails(fetcher, f"http://www.gov.test:{port}/", policy(max_retries=2))
    assert (error.reason, error.retryable) == ("transport", True)
    assert len(sleeps) == 2


# -- HTTPS: pinned to the address, verified against the name ----------------------------------


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A throwaway CA and a certificate for www.gov.test: (server context, client context)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)

    def cert(
        subject: str, key: ec.EllipticCurvePrivateKey, issuer: x509.Name | None, signer: object
    ) -> x509.Certificate:
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
        builder = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(issuer or name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
        )
        if issuer is None:
            builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=0), True)
            builder = builder.add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False), True
            )
        else:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.DNSName(subject)]), False
            )
            builder = builder.add_extension(
                x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), False
            )
        return builder.sign(signer, hashes.SHA256())  # type: ignore[arg-type]

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = cert("nianbao test CA", ca_key, None, ca_key)
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf = cert("www.gov.test", leaf_key, ca.subject, ca_key)
    folder: Path = tmp_path_factory.mktemp("tls")
    pem = serialization.Encoding.PEM
    (folder / "leaf.pem").write_bytes(
        leaf.public_bytes(pem)
        + leaf_key.private_bytes(
            pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(folder / "leaf.pem")
    client = ssl.create_default_context(cadata=ca.public_bytes(pem).decode())
    return server, client


def test_https_is_pinned_and_verified_against_the_host_name(
    tls: tuple[ssl.SSLContext, ssl.SSLContext], names: Names
) -> None:
    server_context, client_context = tls
    with serve(server_context) as secure, Fetcher(resolve=names, verify=client_context) as f:
        secure.static("/", HTML.encode(), content_type="text/html")
        got = f.get(secure.url("/"), policy())
        assert (got.status, got.body) == (200, HTML.encode())
        assert secure.server.seen[0].headers["host"] == f"www.gov.test:{secure.port}"
        # Same address, a name the certificate does not cover: the pooled connection verified
        # for www.gov.test must not be reused, and the new handshake must fail.
        error = fails(f, secure.url("/", "other.gov.test"))
        assert (error.reason, error.retryable) == ("transport", False)
        assert "CERTIFICATE_VERIFY_FAILED" in error.detail
        assert len(secure.server.seen) == 1


# -- netguard: the guard on its own -------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "10.1.2.3",
        "172.16.0.1",
        "172.31.255.255",
        "192.168.1.1",
        "127.0.0.1",
        "127.255.0.9",
        "169.254.169.254",
        "100.64.0.1",
        "100.127.255.254",
        "0.0.0.0",
        "0.1.2.3",
        "224.0.0.1",
        "239.255.255.250",
        "240.0.0.1",
        "255.255.255.255",
        "192.0.2.10",
        "198.18.0.1",
        "203.0.113.7",
        "::",
        "::1",
        "fc00::1",
        "fd12:3456::1",
        "fd00:ec2::254",
        "fe80::1",
        "fec0::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "::127.0.0.1",  # IPv4-compatible
        "::a00:1",  # IPv4-compatible 10.0.0.1
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "2002:a9fe:a9fe::",  # 6to4 of 169.254.169.254
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b:1::1",  # local-use NAT64
        "2001:db8::1",  # documentation
        "100::1",  # discard
    ],
)
def test_non_public_addresses_are_blocked(address: str) -> None:
    assert not is_public(ipaddress.ip_address(address))
    with pytest.raises(Blocked) as caught:
        check_url("http://x.gov.test/", allows_host=gov_test, resolve=lambda h, p: [address])
    assert caught.value.reason == "blocked_address"


@pytest.mark.parametrize(
    "address",
    [
        "1.1.1.1",
        "8.8.8.8",
        "114.114.114.114",
        "223.5.5.5",
        "2400:3200::1",
        "2606:4700:4700::1111",
        "::ffff:8.8.8.8",
        "64:ff9b::808:808",  # NAT64 of 8.8.8.8
        "2002:808:808::1",  # 6to4 of 8.8.8.8
    ],
)
def test_public_addresses_pass(address: str) -> None:
    target = check_url(
        "https://www.gov.test/a?b=1", allows_host=gov_test, resolve=lambda h, p: [address]
    )
    mapped = ipaddress.ip_address(address)
    expected = getattr(mapped, "ipv4_mapped", None) or mapped
    assert target == Target("https://www.gov.test/a?b=1", "www.gov.test", 443, str(expected))


@pytest.mark.parametrize(
    "url",
    [
        "http://2130706433/",  # decimal 127.0.0.1
        "http://0x7f.1/",
        "http://0x7f000001/",
        "http://017700000001/",  # octal
        "http://0177.0.0.1/",
        "http://127.1/",
        "http://127.0.0.01/",
        "http://1.2.3.4.5/",
        "http://www.gov.test.123/",
        "ftp://www.gov.test/",
        "file:///etc/passwd",
        "gopher://www.gov.test:70/",
        "javascript:alert(1)",
        "http://user:pw@www.gov.test/",
        "http://@www.gov.test/",
        "http:///path",
        "http://www.gov.test:99999/",
        "http://www.gov.test:0/",
        "http://www.gov.test:80x/",
        "http://www gov.test/",
        "http://www.gov.test\n.evil/",
        "http://%31%32%37.0.0.1/",
        "http://[fe80::1%25eth0]/",
        "http://[::1/",
        "http://a..gov.test/",
    ],
)
def test_bad_urls(url: str) -> None:
    resolved: list[str] = []
    with pytest.raises(Blocked) as caught:
        check_url(url, allows_host=lambda h: True, resolve=lambda h, p: resolved.append(h) or [])
    assert caught.value.reason == "bad_url", caught.value
    assert resolved == []


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("http://127.0.0.1:8080/", "127.0.0.1"),
        ("http://[::1]/", "::1"),
        ("http://[::ffff:127.0.0.1]/", "127.0.0.1"),
        ("http://10.0.0.5/", "10.0.0.5"),
    ],
)
def test_ip_literals_are_checked_without_resolving(url: str, address: str) -> None:
    def never(host: str, port: int) -> list[str]:
        raise AssertionError("an IP literal must not be resolved")

    with pytest.raises(Blocked) as caught:
        check_url(url, allows_host=lambda h: True, resolve=never)
    assert caught.value.reason == "blocked_address"
    allowed = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))
    allowed += (ipaddress.ip_network("10.0.0.0/8"),)
    target = check_url(url, allows_host=lambda h: True, allowed_networks=allowed, resolve=never)
    assert target.address == address


def test_host_names_are_normalised_before_the_domain_check() -> None:
    asked: list[str] = []

    def allows(host: str) -> bool:
        asked.append(host)
        return host.endswith("gov.cn")

    public = lambda h, p: ["1.2.3.4"]  # noqa: E731
    target = check_url("HTTP://WWW.Example.GOV.CN.:8443/x", allows_host=allows, resolve=public)
    assert (target.host, target.port, target.address) == ("www.example.gov.cn", 8443, "1.2.3.4")
    assert host_header(target) == "www.example.gov.cn:8443"
    idn = check_url("https://政府.gov.cn/", allows_host=allows, resolve=public)
    assert idn.host == "xn--mxtq1m.gov.cn" and host_header(idn) == "xn--mxtq1m.gov.cn"
    with pytest.raises(Blocked) as caught:
        check_url("http://www.gov.cn.evil.com/", allows_host=allows, resolve=public)
    assert caught.value.reason == "off_domain"
    assert asked == ["www.example.gov.cn", "xn--mxtq1m.gov.cn", "www.gov.cn.evil.com"]


def test_unresolvable_and_empty_answers() -> None:
    def broken(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    for resolver in (broken, lambda h, p: []):
        with pytest.raises(Blocked) as caught:
            check_url("http://www.gov.test/", allows_host=gov_test, resolve=resolver)
        assert caught.value.reason == "unresolvable"
