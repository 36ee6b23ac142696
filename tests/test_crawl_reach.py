"""Getting through to government sites (issue 18), against loopback servers that behave like them.

A forward proxy (the target still guarded and pinned), an HTTPS server sending only its leaf
(AIA completion, or a tls_incomplete_chain error naming the fix), a listing whose detail pages
need its cookie, a JavaScript challenge (counted waf_challenge over HTTP, passed in a real
headless Chromium with render = "browser"), seasonal and cron schedules on a fake clock, and
failed passes tried again sooner.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from producers import netguard, recheck, schedule
from producers.crawler import CrawlDefaults, SiteCrawler
from producers.fetch import Fetcher, FetchError, FetchPolicy
from producers.fetch.browser import BrowserFetcher
from producers.fetch.policy import TlsOptions
from producers.fetch.proxy import redact
from producers.metrics import exposition
from producers.politeness import LocalHostGate
from producers.sites import Site, parse_sites
from producers.state import MemoryCrawlState
from tests.reach_servers import ForwardProxy, Pki, WebSite, make_pki
from tests.test_crawler import Outbox

LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"),)
CHROMIUM = Path("/usr/bin/chromium")
TITLE = "某市应急管理局2023年政府信息公开工作年度报告"
REPORT = (
    "<html><body><h1>" + TITLE + "</h1><p>一、总体情况。本年度共收到申请十件。</p></body></html>"
)
LISTING = (
    "<html><body><ul><li><a href='/art/report-2023.html'>" + TITLE + "</a></li></ul></body></html>"
)
# The challenge a WAF serves: no text, a script that computes a cookie and reloads.
CHALLENGE = (
    "<html><head><script>var v = 6 * 7; document.cookie = 'waf_ok=' + v + '; path=/';"
    " location.reload();</script></head><body></body></html>"
)


def resolve(host: str, port: int) -> list[str]:
    """The test names resolve to loopback; a metadata-looking name to the metadata address."""
    if host.endswith("gov.test"):
        return ["127.0.0.1"]
    if host == "metadata.test":
        return ["169.254.169.254"]
    return netguard.resolve(host, port)


def policy(**overrides: Any) -> FetchPolicy:
    values: dict[str, Any] = {
        "allows_host": lambda host: host.endswith("gov.test") or host == "127.0.0.1",
        "allowed_networks": LOOPBACK,
        "timeout": 5.0,
        "max_retries": 0,
    }
    return FetchPolicy(**{**values, **overrides})


@pytest.fixture
def web() -> Iterator[WebSite]:
    site = WebSite()
    yield site
    site.close()


@pytest.fixture
def proxy() -> Iterator[ForwardProxy]:
    server = ForwardProxy()
    yield server
    server.close()


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(LocalHostGate(), resolve=resolve) as f:
        yield f


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


# -- proxies --------------------------------------------------------------------------------------


def test_plain_http_goes_through_the_proxy_to_the_checked_address(
    web: WebSite, proxy: ForwardProxy, fetcher: Fetcher
) -> None:
    web.page("/nb/", LISTING)
    got = fetcher.get(web.url("/nb/", "www.gov.test"), policy(proxy=proxy.url))
    assert got.status == 200 and TITLE.encode() in got.body
    # The proxy is asked for the pinned address, with the site's name as Host.
    assert proxy.requests == [f"GET http://127.0.0.1:{web.port}/nb/"]


def test_https_tunnels_through_connect_and_verifies_the_host_name(
    pki: Pki, proxy: ForwardProxy, fetcher: Fetcher
) -> None:
    secure = WebSite(pki.server_context("www.gov.test", None))
    try:
        secure.page("/", REPORT)
        tls = TlsOptions(ca_bundle=str(pki.chain_pem))
        got = fetcher.get(secure.url("/", "www.gov.test"), policy(proxy=proxy.url, tls=tls))
        assert TITLE.encode() in got.body
        assert proxy.requests == [f"CONNECT 127.0.0.1:{secure.port}"]
        # A name the certificate does not cover fails, through the tunnel as directly.
        with pytest.raises(FetchError) as caught:
            fetcher.get(secure.url("/", "other.gov.test"), policy(proxy=proxy.url, tls=tls))
        assert "CERTIFICATE_VERIFY_FAILED" in caught.value.detail
    finally:
        secure.close()


def test_a_proxy_is_no_way_around_the_address_guard(
    web: WebSite, proxy: ForwardProxy, fetcher: Fetcher
) -> None:
    # Without allow_addresses a loopback target stays blocked: the proxy is never asked.
    with pytest.raises(FetchError) as caught:
        fetcher.get(web.url("/nb/", "www.gov.test"), policy(proxy=proxy.url, allowed_networks=()))
    assert caught.value.reason == "blocked_address"
    # A redirect to a metadata address is checked like any hop, before the proxy sees it.
    web.page("/hop", "", status=302, Location="http://metadata.test/latest/meta-data/")
    anywhere = policy(proxy=proxy.url, allows_host=lambda host: True)
    with pytest.raises(FetchError) as caught:
        fetcher.get(web.url("/hop", "www.gov.test"), anywhere)
    assert caught.value.reason == "blocked_address"
    assert "169.254.169.254" in caught.value.detail
    assert proxy.requests == [f"GET http://127.0.0.1:{web.port}/hop"]


def test_proxy_credentials_are_never_shown(
    web: WebSite, fetcher: Fetcher, caplog: pytest.LogCaptureFixture
) -> None:
    assert (
        redact("http://crawler:s3cret@proxy.example:3128")
        == "http://crawler:***@proxy.example:3128"
    )
    assert redact("socks5://proxy.example:1080") == "socks5://proxy.example:1080"
    dead = "http://crawler:s3cret@127.0.0.1:1"  # nothing listens there
    caplog.set_level(logging.DEBUG)
    with pytest.raises(FetchError) as caught:
        fetcher.get(web.url("/nb/", "www.gov.test"), policy(proxy=dead))
    assert "s3cret" not in str(caught.value) and "crawler:***@" in caught.value.detail
    assert "s3cret" not in caplog.text


def test_sites_file_proxy_and_its_errors() -> None:
    base = {"id": "a", "start_urls": ["https://www.gov.test/nb/"]}
    sites = parse_sites({"sites": [{**base, "proxy": "socks5://u:p@10.0.0.5:1080"}]}).sites
    assert sites[0].proxy == "socks5://u:p@10.0.0.5:1080"
    with pytest.raises(ValueError) as caught:
        parse_sites({"sites": [{**base, "proxy": "ftp://u:secret@10.0.0.5"}]})
    assert "must start with http://, https:// or socks5://" in str(caught.value)
    assert "secret" not in str(caught.value)


# -- TLS ------------------------------------------------------------------------------------------


def test_a_missing_intermediate_is_completed_from_aia(
    pki: Pki, web: WebSite, fetcher: Fetcher
) -> None:
    web.page("/ca/intermediate.cer", pki.intermediate_der(), content_type="application/pkix-cert")
    secure = WebSite(pki.server_context("www.gov.test", web.url("/ca/intermediate.cer")))
    try:
        secure.page("/", REPORT)
        tls = TlsOptions(ca_bundle=str(pki.root_pem))  # the root only, like a domestic CA
        got = fetcher.get(secure.url("/", "www.gov.test"), policy(tls=tls))
        assert TITLE.encode() in got.body
        assert web.paths() == ["/ca/intermediate.cer"]
        fetcher.get(secure.url("/", "www.gov.test"), policy(tls=tls))  # completed once, kept
        assert web.paths() == ["/ca/intermediate.cer"]
    finally:
        secure.close()


def test_an_incomplete_chain_without_aia_says_which_option_fixes_it(
    pki: Pki, fetcher: Fetcher
) -> None:
    secure = WebSite(pki.server_context("www.gov.test", None))
    try:
        secure.page("/", REPORT)
        url = secure.url("/", "www.gov.test")
        with pytest.raises(FetchError) as caught:
            fetcher.get(url, policy(tls=TlsOptions(ca_bundle=str(pki.root_pem))))
        assert caught.value.reason == "tls_incomplete_chain"
        assert "ca_bundle" in caught.value.detail and "verify = false" in caught.value.detail
        assert not caught.value.retryable
        # The fixes it names: a bundle with the intermediate, or no verification at all.
        bundle = TlsOptions(ca_bundle=str(pki.chain_pem))
        assert TITLE.encode() in fetcher.get(url, policy(tls=bundle)).body
        assert TITLE.encode() in fetcher.get(url, policy(tls=TlsOptions(verify=False))).body
    finally:
        secure.close()


def test_an_unknown_root_fails_without_a_bundle(pki: Pki, fetcher: Fetcher) -> None:
    secure = WebSite(pki.server_context("www.gov.test", None))
    try:
        secure.page("/", REPORT)
        with pytest.raises(FetchError) as caught:
            fetcher.get(secure.url("/", "www.gov.test"), policy())  # the system store only
        assert caught.value.reason == "tls_incomplete_chain"
    finally:
        secure.close()


def test_ca_bundle_is_read_beside_the_sites_file(pki: Pki, tmp_path: Path) -> None:
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "ca.pem").write_bytes(pki.chain_pem.read_bytes())
    site = {
        "id": "a",
        "start_urls": ["https://www.gov.test/"],
        "tls": {"ca_bundle": "certs/ca.pem"},
    }
    parsed = parse_sites({"sites": [site]}, base=tmp_path).sites[0]
    assert parsed.tls.ca_bundle == str((tmp_path / "certs" / "ca.pem").resolve())
    with pytest.raises(ValueError) as caught:
        parse_sites({"sites": [{**site, "tls": {"ca_bundle": "missing.pem"}}]}, base=tmp_path)
    assert "cannot read CA bundle" in str(caught.value)


# -- crawling: cookies and challenges ------------------------------------------------------------


def crawler(state: MemoryCrawlState, outbox: Outbox, browser_timeout: float = 20) -> SiteCrawler:
    return SiteCrawler(
        state,
        Fetcher(LocalHostGate(), resolve=resolve),
        outbox.publish,
        outbox.quarantine,
        CrawlDefaults(
            user_agent="nianbao-test",
            max_body_bytes=5_000_000,
            proxy=None,
            browser=CHROMIUM,
            browser_timeout=browser_timeout,
        ),
    )


def site_on(web: WebSite, **extra: Any) -> Site:
    return Site(
        id="reach",
        start_urls=[web.url("/nb/", "www.gov.test")],
        allow_addresses=["127.0.0.0/8"],
        politeness={"delay": 0, "timeout": 5, "max_retries": 0},
        **extra,
    )


def gated(cookie: str, body: str) -> Any:
    """A route that serves body only to a client sending cookie, else a 403."""

    def route(handler: Any) -> tuple[int, dict[str, str], bytes]:
        if cookie in handler.headers.get("cookie", ""):
            return 200, {}, body.encode()
        return 403, {}, b"<html><body>forbidden</body></html>"

    return route


def test_detail_pages_get_the_cookie_the_listing_set(web: WebSite) -> None:
    web.page("/nb/", LISTING, Set_Cookie="JSESSIONID=abc123; Path=/")
    web.routes["/art/report-2023.html"] = gated("JSESSIONID=abc123", REPORT)
    outbox, state = Outbox(), MemoryCrawlState()
    result = crawler(state, outbox).crawl(site_on(web))
    assert outbox.urls() == [web.url("/art/report-2023.html", "www.gov.test")]
    assert outbox.quarantined == {}
    assert result.counts["new"] == 1
    # A new pass starts with an empty jar: the listing sets the cookie again.
    outbox2 = Outbox()
    crawler(state, outbox2).crawl(site_on(web))
    assert [hit.cookie for hit in web.hits if hit.path == "/nb/"] == ["", ""]


def challenge_site(web: WebSite) -> None:
    """Every page behind a JavaScript challenge (412 + script), then a session cookie too."""

    def behind(body: str, **headers: str) -> Any:
        def route(handler: Any) -> tuple[int, dict[str, str], bytes]:
            if "waf_ok=42" not in handler.headers.get("cookie", ""):
                return 412, {}, CHALLENGE.encode()
            return 200, headers, body.encode()

        return route

    web.page("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    web.routes["/nb/"] = behind(LISTING, **{"Set-Cookie": "sid=s1; Path=/"})

    def report(handler: Any) -> tuple[int, dict[str, str], bytes]:
        cookie = handler.headers.get("cookie", "")
        if "waf_ok=42" not in cookie:
            return 412, {}, CHALLENGE.encode()
        return gated("sid=s1", REPORT)(handler)

    web.routes["/art/report-2023.html"] = report


def test_a_challenge_is_counted_not_parsed_or_quarantined(web: WebSite) -> None:
    challenge_site(web)
    outbox, state = Outbox(), MemoryCrawlState()
    site = site_on(web)
    schedule.send_due([site], state, lambda s: None)  # claimed now: due again in a day
    due = state.next_due(site.id)
    result = crawler(state, outbox).crawl(site)
    assert (outbox.published, outbox.quarantined) == ([], {})
    assert result.counts["waf_challenge"] == 1 and result.counts["listing_errors"] == 1
    assert 'render = "browser"' in result.errors[0]
    assert state.counters(site.id)[site.id]["waf_challenge"] == 1
    assert f'nianbao_crawl_waf_challenge_total{{site="{site.id}"}} 1.0' in exposition(state)
    # The failed pass is tried again sooner than the next regular check.
    assert due is not None and state.next_due(site.id) < due  # type: ignore[operator]


def test_a_200_challenge_page_is_not_published(web: WebSite) -> None:
    web.page("/nb/", LISTING)
    web.page("/art/report-2023.html", CHALLENGE)  # 200, no text, a cookie-setting script
    outbox = Outbox()
    result = crawler(MemoryCrawlState(), outbox).crawl(site_on(web))
    assert (outbox.published, outbox.quarantined) == ([], {})
    assert result.counts["waf_challenge"] == 1 and result.counts["listing_errors"] == 0


def test_render_browser_passes_the_challenge_in_headless_chromium(web: WebSite) -> None:
    challenge_site(web)
    web.page("/private/tracker.js", "document.title = 'tracked';")
    outbox = Outbox()
    result = crawler(MemoryCrawlState(), outbox).crawl(site_on(web, render="browser"))
    assert result.counts["waf_challenge"] == 0, result.errors
    assert outbox.urls() == [web.url("/art/report-2023.html", "www.gov.test")]
    assert "一、总体情况" in outbox.published[0]["body"].decode()
    # Every request the browser made went through the crawler's fetcher (its User-Agent).
    assert {hit.user_agent for hit in web.hits} == {"nianbao-test"}
    assert "/private/tracker.js" not in web.paths()


def test_the_browser_guards_the_pages_own_requests(web: WebSite, fetcher: Fetcher) -> None:
    web.page(
        "/page.html",
        "<html><body><p>" + "正文" * 30 + "</p>"
        "<script src='http://metadata.test/latest/x.js'></script>"
        "<script src='/ok.js'></script></body></html>",
    )
    web.page(
        "/ok.js", "document.body.setAttribute('data-ok', '1');", content_type="text/javascript"
    )
    browser = BrowserFetcher(fetcher, CHROMIUM, timeout=20)
    anywhere = policy(allows_host=lambda host: True)
    got = browser.get(web.url("/page.html", "www.gov.test"), anywhere)
    assert b'data-ok="1"' in got.body
    assert web.paths() == ["/page.html", "/ok.js"]


def test_a_hung_or_crashed_browser_ends_within_its_limit(web: WebSite, fetcher: Fetcher) -> None:
    release = threading.Event()

    def forever(handler: Any) -> tuple[int, dict[str, str], bytes]:
        release.wait(30)
        return 200, {}, b""

    web.page("/hang.html", "<html><body><script>while (true) {}</script></body></html>")
    web.page("/slow.html", "<html><body><script src='/slow.js'></script></body></html>")
    web.routes["/slow.js"] = forever
    browser = BrowserFetcher(fetcher, CHROMIUM, timeout=3)
    try:
        with pytest.raises(FetchError) as hung:
            browser.get(web.url("/hang.html", "www.gov.test"), policy())
        assert hung.value.reason == "browser" and hung.value.retryable
        slow = BrowserFetcher(fetcher, CHROMIUM, timeout=20)
        outcome: dict[str, FetchError] = {}

        def run() -> None:
            try:
                slow.get(web.url("/slow.html", "www.gov.test"), policy(timeout=30))
            except FetchError as error:
                outcome["error"] = error

        worker = threading.Thread(target=run)
        worker.start()
        while "/slow.js" not in web.paths():
            release.wait(0.05)
        assert slow.process is not None
        slow.process.kill()  # the browser crashes while the page waits for a script
        release.set()
        worker.join(30)
        assert not worker.is_alive()
        assert outcome["error"].reason == "browser"
    finally:
        release.set()


def test_verify_false_warns_on_every_pass(pki: Pki, web: WebSite) -> None:
    secure = WebSite(pki.server_context("www.gov.test", None))
    try:
        secure.page("/nb/", LISTING)
        secure.page("/art/report-2023.html", REPORT)
        site = Site(
            id="unverified",
            start_urls=[secure.url("/nb/", "www.gov.test")],
            allow_addresses=["127.0.0.0/8"],
            politeness={"delay": 0, "timeout": 5, "max_retries": 0},
            tls={"verify": False},
        )
        state, outbox = MemoryCrawlState(), Outbox()
        for _ in range(2):
            result = crawler(state, outbox).crawl(site)
            assert result.warnings == [
                "unverified: tls.verify = false: certificates are not checked on this site"
            ]
        assert len(outbox.published) == 1
    finally:
        secure.close()


# -- schedules ------------------------------------------------------------------------------------


def cst(text: str) -> float:
    return datetime.fromisoformat(text + "+08:00").timestamp()


SEASONAL = {
    "id": "s",
    "start_urls": ["https://www.gov.test/nb/"],
    "recheck": {"seasons": [{"from": "01-01", "to": "03-31", "every": "1d"}], "otherwise": "1w"},
}


def test_a_seasonal_site_is_checked_daily_in_season_and_weekly_otherwise() -> None:
    site = parse_sites({"sites": [SEASONAL]}).sites[0]
    assert recheck.next_check(site, cst("2025-01-20T10:00:00")) == cst("2025-01-21T10:00:00")
    assert recheck.next_check(site, cst("2025-06-01T10:00:00")) == cst("2025-06-08T10:00:00")
    # A week after 28 December would miss 1-4 January: the season's first day comes first.
    assert recheck.next_check(site, cst("2025-12-28T10:00:00")) == cst("2026-01-01T00:00:00")


def test_the_monitor_follows_the_season_on_a_fake_clock() -> None:
    site = parse_sites({"sites": [SEASONAL]}).sites[0]
    state, sent = MemoryCrawlState(), []
    now = cst("2025-03-29T08:00:00")
    end = cst("2025-04-20T08:00:00")
    while now < end:  # the monitor looks every hour
        for _site_id in schedule.send_due([site], state, lambda s: None, now=now):
            sent.append(datetime.fromtimestamp(now, recheck.CST).strftime("%m-%d"))
        now += 3600
    assert sent == ["03-29", "03-30", "03-31", "04-01", "04-08", "04-15"]


def test_cron_schedules_and_their_errors() -> None:
    cron = {"id": "c", "start_urls": ["https://www.gov.test/"], "recheck": {"cron": "0 9 * 1-3 *"}}
    site = parse_sites({"sites": [cron]}).sites[0]
    assert recheck.next_check(site, cst("2025-02-10T10:00:00")) == cst("2025-02-11T09:00:00")
    assert recheck.next_check(site, cst("2025-03-31T10:00:00")) == cst("2026-01-01T09:00:00")
    with pytest.raises(ValueError) as caught:
        parse_sites({"sites": [{**cron, "recheck": {"cron": "every day"}}]})
    assert "is not a cron expression" in str(caught.value)
    with pytest.raises(ValueError) as caught:
        parse_sites({"sites": [{**cron, "recheck": {}}]})
    assert "either seasons" in str(caught.value)


def test_a_failed_pass_is_retried_sooner_with_back_off() -> None:
    site = parse_sites({"sites": [{**SEASONAL, "recheck": None}]}).sites[0]  # daily
    state = MemoryCrawlState()
    now = 1_700_000_000.0
    waits = []
    for _ in range(8):
        schedule.send_due([site], state, lambda s: None, now=now)
        schedule.after_pass(state, site, failed=True, now=now)
        due = state.next_due(site.id)
        assert due is not None
        waits.append(due - now)
        now = due
    assert waits == [900, 1800, 3600, 7200, 14400, 28800, 57600, 86400]
    schedule.send_due([site], state, lambda s: None, now=now)
    schedule.after_pass(state, site, failed=False, now=now)
    assert state.counters(site.id)[site.id]["failed_passes"] == 0
    assert state.next_due(site.id) == now + 86400


# -- probe ----------------------------------------------------------------------------------------


def test_sites_check_probe_says_what_the_rules_find(web: WebSite, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from nianbao.cli import app

    web.page(
        "/good/",
        "<html><body><ul>"
        "<li><a href='/art/2024.html'>某局2023年政府信息公开工作年度报告</a></li>"
        "<li><a href='/art/2023.html'>某局2022年政府信息公开工作年度报告</a></li>"
        "<li><a href='/files/2021.pdf'>某局2021年政府信息公开工作年度报告</a></li>"
        "<li><a href='/art/jd.html'>2023年政府信息公开工作年度报告解读</a></li>"
        "</ul><a href='index_1.html'>下一页</a></body></html>",
    )
    web.page(
        "/odd/",
        "<html><body><a href='/a/1.html'>某局2023年度政府信息公开工作报告</a>"
        "<a href='/a/2.html'>某局2022年度政府信息公开工作报告</a></body></html>",
    )
    web.page("/waf/", CHALLENGE, status=412)
    entries = [
        f'[[sites]]\nid = "{name}"\nstart_urls = ["{web.url(f"/{name}/")}"]\n'
        f'allow_addresses = ["127.0.0.0/8"]\npoliteness = {{ delay = 0, max_retries = 0 }}\n'
        for name in ("good", "odd", "waf", "skipped")
    ]
    sites = tmp_path / "sites.toml"
    sites.write_text("\n".join(entries), "utf-8")

    result = CliRunner().invoke(
        app, ["sites", "check", str(sites), "--probe", "good", "odd", "waf"], terminal_width=300
    )

    assert result.exit_code == 0, result.output
    rows = {line.split("│")[1].strip(): line for line in result.output.splitlines() if "│" in line}
    assert "2023:1 2022:1 2021:1" in rows["good"]
    assert [cell.strip() for cell in rows["good"].split("│")[4:6]] == ["1", "1"]
    assert "none" in rows["odd"] and "none" in rows["waf"]
    assert 'links = { include = ["政府信息公开工作报告"] }' in result.output
    assert "waf_challenge: HTTP 412 with a script" in result.output
    assert 'render = "browser"' in result.output
    assert "/skipped/" not in web.paths()
