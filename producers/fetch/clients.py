"""The fetcher's pooled httpx clients: one for plain HTTP, one per HTTPS host (LRU-bounded)."""

from __future__ import annotations

import ssl
import threading
from collections import OrderedDict
from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx

from producers import deadlines

TLS_CLIENTS = 32  # HTTPS hosts whose connection pools are kept (least recently used dropped)


class ClientPool:
    """Pooled connections, safe to share between threads.

    Plain HTTP pools by address (the Host header picks the site). HTTPS pools per host name:
    httpcore keys connections by the URL's host, here the address, so one shared pool would
    reuse a TLS connection verified for another name.
    """

    def __init__(self, verify: ssl.SSLContext | bool) -> None:
        """Clients that verify TLS with verify (httpx's: True, or an SSLContext)."""
        self._lock = threading.Lock()
        self._verify = verify
        self._plain = new_client(verify)
        self._tls: OrderedDict[str, httpx.Client] = OrderedDict()
        self._closed = False

    def get(self, scheme: str, host: str) -> httpx.Client:
        """The client for a request to host over scheme (RuntimeError once closed)."""
        if scheme == "http":
            return self._plain
        with self._lock:
            if self._closed:
                raise RuntimeError("Fetcher is closed")
            client = self._tls.pop(host, None) or new_client(self._verify)
            self._tls[host] = client
            evicted = self._tls.popitem(last=False)[1] if len(self._tls) > TLS_CLIENTS else None
        if evicted is not None:
            evicted.close()
        return client

    def close(self) -> None:
        """Close every pooled connection."""
        with self._lock:
            self._closed = True
            clients = [self._plain, *self._tls.values()]
            self._tls.clear()
        for client in clients:
            client.close()


def new_client(verify: ssl.SSLContext | bool) -> httpx.Client:
    """A client that follows no redirect, reads no proxy from the environment, keeps no cookie."""
    # trust_env=False: no proxy from the environment, so connections go where they were checked.
    # No cookies: requests go to an address, so a cookie jar would share one site's cookies
    # with every other site on the same address.
    no_cookies = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
    return httpx.Client(
        follow_redirects=False,
        trust_env=False,
        cookies=no_cookies,
        transport=deadlines.transport(verify),
    )
