"""The fetcher's pooled httpx clients, one per way of connecting (LRU-bounded).

A way of connecting is the scheme, the host name (HTTPS), the proxy and the site's TLS options:
plain HTTP pools by address (the Host header picks the site); HTTPS pools per host name, since
httpcore keys connections by the URL's host, here the address, so one shared pool would reuse a
TLS connection verified for another name.
"""

from __future__ import annotations

import ssl
import threading
from collections import OrderedDict
from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx

from producers import deadlines
from producers.fetch import proxy as proxies
from producers.fetch import tls as certs
from producers.fetch.policy import TlsOptions

TLS_CLIENTS = 32  # ways of connecting whose connection pools are kept (least recently used dropped)
Key = tuple[str, str, str, TlsOptions]


class ClientPool:
    """Pooled connections, safe to share between threads.

    `verify` is httpx's for sites with default TLS options: None (the system trust store), True
    (certifi), or an SSLContext (tests trust their own CA with it).
    """

    def __init__(self, verify: ssl.SSLContext | bool | None = None) -> None:
        """Clients that verify TLS with verify unless a site's options say otherwise."""
        self._lock = threading.Lock()
        self._verify = verify
        self._clients: OrderedDict[Key, httpx.Client] = OrderedDict()
        self._issuers: dict[str, str] = {}  # host -> PEM of intermediates found through AIA
        self._closed = False

    def get(
        self, scheme: str, host: str, proxy: str | None = None, tls: TlsOptions | None = None
    ) -> httpx.Client:
        """The client for a request to host over scheme (RuntimeError once closed)."""
        tls = tls or TlsOptions()
        key: Key = (scheme, host if scheme == "https" else "", proxy or "", tls)
        with self._lock:
            if self._closed:
                raise RuntimeError("Fetcher is closed")
            client = self._clients.pop(key, None)
            if client is None:
                client = new_client(self._context(host, tls) if scheme == "https" else True, proxy)
            self._clients[key] = client
            evicted = (
                self._clients.popitem(last=False)[1] if len(self._clients) > TLS_CLIENTS else None
            )
        if evicted is not None:
            evicted.close()
        return client

    def add_issuers(self, host: str, pem: str) -> None:
        """Trust host's chain with these intermediates too (AIA): its clients are rebuilt."""
        with self._lock:
            self._issuers[host] = self._issuers.get(host, "") + pem
            stale = [key for key in self._clients if key[0] == "https" and key[1] == host]
            dropped = [self._clients.pop(key) for key in stale]
        for client in dropped:
            client.close()

    def has_issuers(self, host: str) -> bool:
        """Whether intermediates were already added for host."""
        with self._lock:
            return host in self._issuers

    def _context(self, host: str, tls: TlsOptions) -> ssl.SSLContext | bool:
        extra = self._issuers.get(host, "")
        if tls == TlsOptions() and not extra and self._verify is not None:
            return self._verify
        if self._verify not in (None, True) and isinstance(self._verify, ssl.SSLContext):
            # A caller's own context (tests' CA) cannot be extended: build one from its CAs.
            cadata = "".join(
                ssl.DER_cert_to_PEM_cert(der) for der in self._verify.get_ca_certs(True)
            )
            extra = cadata + extra
        return certs.context(tls, extra)

    def close(self) -> None:
        """Close every pooled connection."""
        with self._lock:
            self._closed = True
            clients = list(self._clients.values())
            self._clients.clear()
        for client in clients:
            client.close()


def new_client(verify: ssl.SSLContext | bool, proxy: str | None = None) -> httpx.Client:
    """A client that follows no redirect, reads no proxy from the environment, keeps no cookie."""
    # trust_env=False: no proxy from the environment, so connections go where they were checked.
    # No cookies: requests go to an address, so a cookie jar would share one site's cookies
    # with every other site on the same address (a pass's jar is applied by the fetcher).
    no_cookies = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
    return httpx.Client(
        follow_redirects=False,
        trust_env=False,
        cookies=no_cookies,
        transport=deadlines.transport(verify, proxies.for_httpx(proxy) if proxy else None),
    )
