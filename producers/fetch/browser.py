"""A page through a headless Chromium, for sites whose firewall wants JavaScript run.

Playwright drives Debian's chromium (`NIANBAO_CRAWL_BROWSER`, /usr/bin/chromium) over CDP; it
downloads no browser. Chromium itself connects nowhere: it is started with a dead proxy and a
resolver that knows no name, and every request it makes is intercepted and fulfilled by the
guarded fetcher (`Fetcher.hop`), so the address guard and pinning, the host gate (politeness),
robots.txt, the size caps, the site's proxy and TLS options all hold for the scripts and the
reloads a challenge makes. Images, fonts, media and stylesheets are not fetched at all.

Each page gets its own browser process (started in ~0.5 s), so a crash or a hang is the page's
alone: a watchdog kills the process when the page's time is up, and the fetch fails
("browser", retryable) within that limit.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from producers import challenge
from producers.fetch import cookies as jars
from producers.fetch.errors import FetchError
from producers.fetch.policy import FetchPolicy
from producers.fetch.reply import Reply
from producers.fetch.response import Response, to_response

log = logging.getLogger(__name__)

SKIPPED = frozenset({"image", "media", "font", "stylesheet", "manifest", "other"})
DROPPED_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})
_DEVTOOLS = re.compile(r"DevTools listening on (ws://\S+)")
FLAGS = (
    "--headless=new",
    "--remote-debugging-port=0",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-extensions",
    "--disable-sync",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--metrics-recording-only",
    "--mute-audio",
    # Chromium reaches nothing by itself: every request is fulfilled by the guarded fetcher.
    "--proxy-server=http://127.0.0.1:9",
    "--host-resolver-rules=MAP * ~NOTFOUND",
)


class BrowserFetcher:
    """GET a page the way a browser sees it (scripts run), through the guarded fetcher."""

    def __init__(self, fetcher: Any, executable: Path | str, timeout: float = 45.0) -> None:
        """fetcher: a producers.fetch.Fetcher (its hop() fetches every request of the page)."""
        self.fetcher = fetcher
        self.executable = str(executable)
        self.timeout = timeout
        self.process: subprocess.Popen[bytes] | None = None  # the running page's browser

    def get(
        self, url: str, policy: FetchPolicy, allowed: Callable[[str], bool] | None = None
    ) -> Response:
        """The page at url after its scripts ran (a challenge passed); FetchError otherwise.

        allowed(url): may the page's own requests go there (robots.txt); the page is checked
        by the caller. The pass's cookie jar (policy.cookies) is given to the browser and gets
        back what the page set.
        """
        if not Path(self.executable).exists():
            raise FetchError(
                url,
                "browser",
                f"no browser at {self.executable}: install Debian's chromium package or set "
                "NIANBAO_CRAWL_BROWSER",
            )
        limit = self.timeout
        if policy.deadline is not None:
            limit = min(limit, policy.deadline - time.monotonic())
        if limit <= 1:
            raise FetchError(url, "deadline", "no time left for the browser", retryable=True)
        ends = time.monotonic() + limit
        page = _Page(self, url, replace(policy, deadline=ends, cookies=None), allowed)
        profile = tempfile.mkdtemp(prefix="nianbao-chromium-")
        watchdog: threading.Timer | None = None
        try:
            self.process = _launch(self.executable, profile)
            watchdog = threading.Timer(limit, self.process.kill)
            watchdog.daemon = True
            watchdog.start()
            ws = _devtools_url(self.process, ends)
            return page.load(ws, ends, policy)
        except FetchError:
            raise
        except Exception as exc:  # Playwright's errors: a crash, a kill, a timeout
            crashed = self.process is not None and self.process.poll() is not None
            why = "the browser ran out of time" if time.monotonic() >= ends else "browser error"
            if crashed and time.monotonic() < ends:
                why = "the browser crashed"
            raise FetchError(url, "browser", f"{why}: {_first_line(exc)}", retryable=True) from None
        finally:
            if watchdog is not None:
                watchdog.cancel()
            if self.process is not None:
                self.process.kill()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.process.wait(5)
            self.process = None
            shutil.rmtree(profile, ignore_errors=True)


class _Page:
    """One page load: the request handler and the wait for a non-challenge page."""

    def __init__(
        self,
        owner: BrowserFetcher,
        url: str,
        policy: FetchPolicy,
        allowed: Callable[[str], bool] | None,
    ) -> None:
        self.owner = owner
        self.url = url
        self.policy = policy
        self.allowed = allowed
        self.document: tuple[str, Reply] | None = None  # the main frame's last document
        self.failure: FetchError | None = None  # why the main document could not be fetched

    def load(self, ws: str, ends: float, policy: FetchPolicy) -> Response:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.connect_over_cdp(ws, timeout=_ms(ends))
            context = browser.new_context(
                user_agent=policy.user_agent, locale="zh-CN", service_workers="block"
            )
            if policy.cookies is not None:
                context.add_cookies(jars.as_dicts(policy.cookies))  # type: ignore[arg-type]
            context.route("**/*", self._handle)
            tab = context.new_page()
            try:
                tab.goto(self.url, wait_until="load", timeout=_ms(ends))
            except Exception:
                if self.failure is not None:
                    raise self.failure from None
                if self.document is None or self.document[1].status == 200:
                    raise
            html = self._settled(tab, ends)
            if policy.cookies is not None:
                jars.add_dicts(policy.cookies, context.cookies())  # type: ignore[arg-type]
            final_url = tab.url
            with contextlib.suppress(Exception):
                browser.close()
        return self._response(html, final_url, policy)

    def _settled(self, tab: Any, ends: float) -> str:
        """The page's HTML once it is no longer a challenge (its script reloads it)."""
        while True:
            html = ""
            with contextlib.suppress(Exception):  # navigating: the content is not there yet
                tab.wait_for_load_state("load", timeout=_ms(ends))
                html = tab.content()
            status = self.document[1].status if self.document else 200
            if html and not challenge.detect(b"", status, html):
                return html
            if self.failure is not None:
                raise self.failure
            if time.monotonic() >= ends - 0.3:
                raise FetchError(
                    self.url,
                    "waf_challenge",
                    f"still a challenge after {self.owner.timeout:g}s in the browser",
                    status=status,
                )
            tab.wait_for_timeout(200)

    def _response(self, html: str, final_url: str, policy: FetchPolicy) -> Response:
        if self.document is None:
            raise FetchError(self.url, "browser", "the browser loaded no document", retryable=True)
        url, reply = self.document
        if reply.status != 200:
            raise FetchError(url, "http_status", f"HTTP {reply.status}", status=reply.status)
        body = html.encode("utf-8")
        if len(body) > policy.max_body_bytes:
            raise FetchError(url, "too_large", f"rendered page over {policy.max_body_bytes} bytes")
        rendered = Reply(200, reply.headers.copy(), body)
        rendered.headers["content-type"] = "text/html; charset=utf-8"
        return to_response(self.url, final_url, rendered, [], None)

    def _handle(self, route: Any, request: Any) -> None:
        """Every request of the page: refused, or fetched by the guarded fetcher and fulfilled."""
        try:
            self._answer(route, request)
        except Exception as exc:  # never leave a request hanging: the page would never load
            log.warning("browser request %s failed: %s", request.url, _first_line(exc))
            with contextlib.suppress(Exception):
                route.abort("failed")

    def _answer(self, route: Any, request: Any) -> None:
        url = request.url
        main = request.is_navigation_request() and request.frame.parent_frame is None
        if request.method != "GET" or (request.resource_type in SKIPPED and not main):
            route.abort("blockedbyclient")
            return
        if not main and self.allowed is not None and not self.allowed(url):
            route.abort("blockedbyclient")  # robots.txt
            return
        headers = {
            name: value
            for name, value in request.headers.items()
            if name.lower() in ("cookie", "referer")
        }
        try:
            reply = self.owner.fetcher.hop(url, self.policy, headers)
        except FetchError as error:
            if main:
                self.failure = error
            log.info("browser request %s refused: %s", url, error)
            route.abort("blockedbyclient" if not error.retryable else "failed")
            return
        if main:
            self.document = (url, reply)
        fulfilled: dict[str, str] = {}
        for name, value in reply.headers.multi_items():
            if name.lower() in DROPPED_HEADERS:
                continue
            key = name.lower()
            if key == "set-cookie" and key in fulfilled:  # Playwright's way to send several
                value = f"{fulfilled[key]}\n{value}"
            fulfilled[key] = value
        route.fulfill(status=reply.status, headers=fulfilled, body=reply.body)


def _launch(executable: str, profile: str) -> subprocess.Popen[bytes]:
    flags = [*FLAGS, f"--user-data-dir={profile}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        flags.append("--no-sandbox")  # root (containers, CI): Chromium refuses its sandbox
    return subprocess.Popen(
        [executable, *flags, "about:blank"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _devtools_url(process: subprocess.Popen[bytes], ends: float) -> str:
    """The browser's CDP websocket address, read from what it prints when it starts."""
    assert process.stderr is not None
    found: list[str] = []

    def read() -> None:
        assert process.stderr is not None
        for raw in process.stderr:
            match = _DEVTOOLS.search(raw.decode("utf-8", "replace"))
            if match and not found:
                found.append(match.group(1))
        # keep draining until the process ends so it never blocks on a full pipe

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    while not found and time.monotonic() < ends and process.poll() is None:
        time.sleep(0.02)
    if not found:
        raise FetchError("browser", "browser", "the browser did not start", retryable=True)
    return found[0]


def _ms(ends: float) -> float:
    return max(1.0, (ends - time.monotonic()) * 1000)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__
