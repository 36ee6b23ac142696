"""An absolute time limit on every socket operation of a request, not just on each read.

httpx's timeouts apply to each read on its own: a server that sends one byte just inside the
read timeout, for ever, holds the request for ever. This network backend gives every connect,
read and write of the current request at most the time left until the deadline set with
`deadline(...)`, so the request ends by it however the bytes trickle. It works inside the
calling thread (a contextvar), touching no other request's connection.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import httpcore
import httpx

_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "nianbao_request_deadline", default=None
)
# (pinned address, host name): a TLS handshake with the address verifies the name instead.
# httpcore's CONNECT tunnel verifies the URL's host, here the pinned address; it ignores the
# sni_hostname extension that direct connections honour.
_SERVER_NAME: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar(
    "nianbao_server_name", default=None
)


@contextmanager
def deadline(at: float, server_name: tuple[str, str] | None = None) -> Iterator[None]:
    """Within this block, socket operations end by `at` (a time.monotonic() value).

    server_name (address, host): a TLS handshake for the address verifies the host name.
    """
    token = _DEADLINE.set(at)
    name_token = _SERVER_NAME.set(server_name)
    try:
        yield
    finally:
        _SERVER_NAME.reset(name_token)
        _DEADLINE.reset(token)


def _bounded(timeout: float | None, error: type[Exception]) -> float | None:
    """The timeout shortened to the time left before the deadline; error when none is left."""
    at = _DEADLINE.get()
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise error("the request's deadline has passed")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    """A network stream whose every operation is bounded by the current deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        pinned = _SERVER_NAME.get()
        if pinned is not None and server_hostname == pinned[0]:
            server_hostname = pinned[1]
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, bounded))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's blocking backend with the deadline applied to connect, read and write."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.connect_tcp(host, port, bounded, local_address, socket_options))

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not used by the crawler")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def transport(verify: Any, proxy: str | None = None) -> httpx.HTTPTransport:
    """An httpx transport whose connections honour the deadline (a proxy only if given)."""
    transport = httpx.HTTPTransport(
        verify=verify, trust_env=False, proxy=httpx.Proxy(proxy) if proxy else None
    )
    # httpx 0.28 takes no network backend; its pool (pinned httpx <0.29) does.
    pool = transport._pool
    if not isinstance(pool, httpcore.ConnectionPool):
        raise RuntimeError("unexpected httpx transport internals; check the httpx version pin")
    pool._network_backend = DeadlineBackend()
    return transport
