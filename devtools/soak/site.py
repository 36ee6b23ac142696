"""The loopback "government site" the crawl passes visit: one annual-report column.

Its listing links the report pages released so far (``release`` adds more between passes, as a
site publishing its new reports); robots.txt allows everything. Standard library only.
"""

from __future__ import annotations

import html
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from devtools.soak.traffic import Page

LISTING_PATH = "/zfxxgk/zfxxgknb/index.html"
LOOPBACK = "127.0.0.1"


class SoakSite:
    """Serve ``pages`` (their URLs' paths) with a listing of the released ones."""

    def __init__(self, port: int = 0) -> None:
        self._pages: dict[str, Page] = {}
        self._released: list[str] = []
        self._lock = threading.Lock()
        self.hits = 0
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.hits += 1
                status, ctype, body = site.route(urlsplit(self.path).path)
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer((LOOPBACK, port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._serving = False

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def listing_url(self) -> str:
        """The annual-report column."""
        return self.base_url + LISTING_PATH

    def add(self, pages: list[Page]) -> None:
        """Know these pages (not yet listed)."""
        with self._lock:
            for page in pages:
                self._pages[urlsplit(page.url).path] = page

    def release(self, count: int) -> list[Page]:
        """List ``count`` more known pages; returns them."""
        with self._lock:
            waiting = [path for path in self._pages if path not in self._released]
            new = waiting[:count]
            self._released += new
            return [self._pages[path] for path in new]

    @property
    def released(self) -> list[Page]:
        """The pages listed so far."""
        with self._lock:
            return [self._pages[path] for path in self._released]

    def route(self, path: str) -> tuple[int, str, bytes]:
        """Status, content type and body for a path."""
        if path == "/robots.txt":
            return 200, "text/plain", b"User-agent: *\nAllow: /\n"
        if path == LISTING_PATH:
            return 200, "text/html; charset=utf-8", self._listing()
        with self._lock:
            page = self._pages.get(path) if path in self._released else None
        if page is None:
            return 404, "text/html; charset=utf-8", b"<html><body>404</body></html>"
        return 200, page.content_type, page.body

    def _listing(self) -> bytes:
        items = "\n".join(
            f'<li><a href="{html.escape(urlsplit(page.url).path)}">'
            f"{html.escape(page.meta.get('title', page.key))}</a><span>2024-01-15</span></li>"
            for page in self.released
        )
        return (
            '<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开年报</title>'
            f'</head><body><h2>政府信息公开年报</h2><ul class="list">{items}</ul></body></html>'
        ).encode()

    def start(self) -> SoakSite:
        """Serve in a thread."""
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self._serving = True
        return self

    def close(self) -> None:
        """Stop serving (shutdown() would wait forever for a loop that never started)."""
        if self._serving:
            self._serving = False
            self._server.shutdown()
        self._server.server_close()
