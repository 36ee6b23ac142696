"""The demo site's HTTP server: serves the prerendered routes on loopback in a thread."""

from __future__ import annotations

import socket
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, cast
from urllib.parse import urlsplit

from devtools.demo_site.agency_template import (
    _render_not_found,
)
from devtools.demo_site.articles import DemoPage, _build_articles
from devtools.demo_site.routes import _build_routes
from devtools.demo_site.site_map import (
    _HTML_TYPE,
    LISTING_PATH,
)


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

    def start(self) -> DemoSite:
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

    def __enter__(self) -> DemoSite:
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
