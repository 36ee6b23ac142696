"""A tiny loopback TCP reverse proxy in front of the S3 endpoint, switchable at run time.

* ``pass``: bytes go through to the upstream as they are;
* ``503``: every request is answered ``503 Service Unavailable`` (an S3 ``SlowDown``-style XML
  error, the answer of an overloaded gateway), the upstream never sees it;
* ``closed``: the listening socket is closed, so connections are refused (the endpoint is down).

Switching mode resets every open connection, so keep-alive connections see the change at once.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading

LOOPBACK = "127.0.0.1"
MODES = ("pass", "503", "closed")

_ERROR_BODY = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>ServiceUnavailable</Code>'
    b"<Message>soak: the endpoint answers 503</Message></Error>"
)


def _read_request(conn: socket.socket) -> bool:
    """Read one HTTP request (head and Content-Length body); False at end of stream."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return False
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip() or 0)
        if name.strip().lower() == b"expect" and b"100" in value:
            conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
    remaining = length - len(rest)
    while remaining > 0:
        chunk = conn.recv(min(65536, remaining))
        if not chunk:
            return False
        remaining -= len(chunk)
    return True


class FaultProxy:
    """Listen on ``port`` (a free one if 0) and forward to ``upstream`` according to the mode."""

    def __init__(self, upstream: tuple[str, int], port: int = 0) -> None:
        self.upstream = upstream
        self.port = port
        self.mode = "pass"
        self._listener: socket.socket | None = None
        self._conns: set[socket.socket] = set()
        self._lock = threading.Lock()
        self.requests = {"pass": 0, "503": 0}

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> FaultProxy:
        """Start listening (pass-through)."""
        self._listen()
        return self

    def set_mode(self, mode: str) -> None:
        """Switch to ``pass``, ``503`` or ``closed``; open connections are reset."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        with self._lock:
            self.mode = mode
            conns, self._conns = self._conns, set()
        for conn in conns:
            self._reset(conn)
        if mode == "closed":
            self._unlisten()
        elif self._listener is None:
            self._listen()

    def close(self) -> None:
        """Stop listening and reset every connection."""
        self.set_mode("closed")

    # -- internals

    def _listen(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((LOOPBACK, self.port))
        sock.listen(128)
        self.port = sock.getsockname()[1]
        self._listener = sock
        threading.Thread(target=self._accept, args=(sock,), daemon=True).start()

    def _unlisten(self) -> None:
        sock, self._listener = self._listener, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    @staticmethod
    def _reset(conn: socket.socket) -> None:
        with contextlib.suppress(OSError):
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        with contextlib.suppress(OSError):
            conn.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            conn.close()

    def _accept(self, sock: socket.socket) -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            with self._lock:
                mode = self.mode
                self._conns.add(conn)
            handler = self._answer_503 if mode == "503" else self._pipe
            threading.Thread(target=handler, args=(conn,), daemon=True).start()

    def _answer_503(self, conn: socket.socket) -> None:
        try:
            while _read_request(conn):
                self.requests["503"] += 1
                conn.sendall(
                    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/xml\r\n"
                    b"Retry-After: 1\r\nContent-Length: "
                    + str(len(_ERROR_BODY)).encode()
                    + b"\r\n\r\n"
                    + _ERROR_BODY
                )
        except OSError:
            pass
        finally:
            self._forget(conn)

    def _pipe(self, conn: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self.upstream, timeout=10)
        except OSError:
            self._forget(conn)
            return
        upstream.settimeout(None)
        with self._lock:
            self._conns.add(upstream)
        self.requests["pass"] += 1
        threading.Thread(target=self._copy, args=(upstream, conn), daemon=True).start()
        self._copy(conn, upstream)

    def _copy(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            self._forget(src)
            self._forget(dst)

    def _forget(self, conn: socket.socket) -> None:
        with self._lock:
            self._conns.discard(conn)
        with contextlib.suppress(OSError):
            conn.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            conn.close()
