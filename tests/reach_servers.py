"""Loopback servers that behave like the government sites issue 18 is about (tests only).

A forward proxy (CONNECT and plain absolute-form GET), a web site with programmable routes, an
HTTPS server that sends only its leaf certificate, and the test PKI (root → intermediate → leaf,
made with `cryptography` at test time, the leaf naming its issuer's URL through AIA or not).
Standard library and cryptography only; every server logs what it was asked.
"""

from __future__ import annotations

import datetime as dt
import select
import socket
import socketserver
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

Answer = tuple[int, dict[str, str], bytes]
Route = Callable[[BaseHTTPRequestHandler], Answer]


@dataclass
class Hit:
    """One request a server answered."""

    path: str
    cookie: str
    user_agent: str


class WebSite:
    """A threaded HTTP(S) server answering each path with a route; every request logged."""

    def __init__(self, context: ssl.SSLContext | None = None) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: list[Hit] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                site.hits.append(
                    Hit(
                        self.path,
                        self.headers.get("cookie", ""),
                        self.headers.get("user-agent", ""),
                    )
                )
                route = site.routes.get(path)
                status, headers, body = route(self) if route else (404, {}, b"not found")
                self.send_response(status)
                if not any(name.lower() == "content-type" for name in headers):
                    headers = {"Content-Type": "text/html; charset=utf-8", **headers}
                for name, value in headers.items():
                    for one in value.split("\n"):
                        self.send_header(name, one)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_HEAD = do_GET

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if context is not None:
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.scheme = "https" if context is not None else "http"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def page(self, path: str, body: str | bytes, status: int = 200, **headers: str) -> None:
        """Serve a fixed answer at path."""
        data = body.encode() if isinstance(body, str) else body
        self.routes[path] = lambda _h: (
            status,
            {k.replace("_", "-"): v for k, v in headers.items()},
            data,
        )

    def paths(self) -> list[str]:
        return [hit.path for hit in self.hits]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class ForwardProxy(socketserver.ThreadingTCPServer):
    """An HTTP forward proxy: CONNECT tunnels and absolute-form GETs; `requests` logs each."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.auth: list[str] = []
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def close(self) -> None:
        self.shutdown()
        self.server_close()


class _ProxyHandler(socketserver.StreamRequestHandler):
    server: ForwardProxy

    def handle(self) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.request.recv(65536)
            if not chunk:
                return
            head += chunk
        header, rest = head.split(b"\r\n\r\n", 1)
        lines = header.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        self.server.requests.append(f"{method} {target}")
        self.server.auth += [ln for ln in lines[1:] if ln.lower().startswith("proxy-authorization")]
        if method == "CONNECT":
            host, port = target.rsplit(":", 1)
            upstream = socket.create_connection((host, int(port)), timeout=10)
            self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            if rest:
                upstream.sendall(rest)
        else:
            without = target.split("://", 1)[1]
            netloc, _, path = without.partition("/")
            host, _, port = netloc.rpartition(":")
            upstream = socket.create_connection((host, int(port or 80)), timeout=10)
            kept = [ln for ln in lines[1:] if not ln.lower().startswith(("proxy-", "connection"))]
            request = [f"{method} /{path} HTTP/1.1", *kept, "Connection: close", "", ""]
            upstream.sendall("\r\n".join(request).encode("latin-1") + rest)
        _relay(self.request, upstream)


def _relay(a: socket.socket, b: socket.socket) -> None:
    sockets = [a, b]
    try:
        while True:
            ready, _, _ = select.select(sockets, [], [], 10)
            if not ready:
                return
            for sock in ready:
                data = sock.recv(65536)
                if not data:
                    return
                (b if sock is a else a).sendall(data)
    except OSError:
        return
    finally:
        b.close()


# -- the test PKI --------------------------------------------------------------------------------


@dataclass
class Pki:
    """A root, an intermediate and leaves for www.gov.test, as PEM files in a folder."""

    folder: Path
    root: x509.Certificate
    intermediate: x509.Certificate
    keys: dict[str, ec.EllipticCurvePrivateKey] = field(default_factory=dict)

    @property
    def root_pem(self) -> Path:
        return self.folder / "root.pem"

    @property
    def chain_pem(self) -> Path:
        """Root and intermediate: the bundle that fixes a chain without AIA."""
        return self.folder / "root-and-intermediate.pem"

    def intermediate_der(self) -> bytes:
        return self.intermediate.public_bytes(serialization.Encoding.DER)

    def server_context(self, name: str, issuer_url: str | None) -> ssl.SSLContext:
        """A server context sending only a leaf for name (AIA naming issuer_url, if given)."""
        key = ec.generate_private_key(ec.SECP256R1())
        leaf = _certificate(
            name,
            key,
            self.intermediate.subject,
            self.keys["intermediate"],
            ca=False,
            aia=issuer_url,
        )
        path = self.folder / f"leaf-{name}-{'aia' if issuer_url else 'plain'}.pem"
        path.write_bytes(
            leaf.public_bytes(serialization.Encoding.PEM)
            + key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(path)  # the leaf only: the intermediate is left out
        return context


def make_pki(folder: Path) -> Pki:
    """Generate root → intermediate, write root.pem and root-and-intermediate.pem."""
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = _certificate("nianbao test root", root_key, None, root_key, ca=True)
    int_key = ec.generate_private_key(ec.SECP256R1())
    intermediate = _certificate(
        "nianbao test intermediate", int_key, root.subject, root_key, ca=True
    )
    pem = serialization.Encoding.PEM
    (folder / "root.pem").write_bytes(root.public_bytes(pem))
    (folder / "root-and-intermediate.pem").write_bytes(
        root.public_bytes(pem) + intermediate.public_bytes(pem)
    )
    return Pki(folder, root, intermediate, {"root": root_key, "intermediate": int_key})


def _certificate(
    name: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: x509.Name | None,
    signer: ec.EllipticCurvePrivateKey,
    *,
    ca: bool,
    aia: str | None = None,
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer or subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()), critical=False
        )
    )
    if ca:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), True
        )
    else:
        builder = builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), False)
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False
        )
        if aia:
            access = x509.AccessDescription(
                AuthorityInformationAccessOID.CA_ISSUERS, x509.UniformResourceIdentifier(aia)
            )
            builder = builder.add_extension(x509.AuthorityInformationAccess([access]), False)
    return builder.sign(signer, hashes.SHA256())
