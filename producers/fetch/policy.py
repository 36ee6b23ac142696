"""What a fetch is given: one site's limits, and the validators of a conditional request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from ipaddress import IPv4Network, IPv6Network


@dataclass(frozen=True)
class TlsOptions:
    """How a site's certificates are verified: the system trust store, plus a CA bundle."""

    verify: bool = True  # False: no verification at all (a site option that warns every pass)
    ca_bundle: str | None = None  # PEM file of extra CAs or intermediates this site needs


@dataclass(frozen=True)
class Validators:
    """What a previous response said about a URL, for a conditional request."""

    etag: str | None = None
    last_modified: str | None = None
    url: str | None = None  # the URL that sent them; None: the requested one, before redirects


@dataclass(frozen=True)
class FetchPolicy:
    """Where a fetch may go and how it behaves: one site's limits."""

    allows_host: Callable[[str], bool]
    allowed_networks: tuple[IPv4Network | IPv6Network, ...] = ()
    timeout: float = 20
    max_body_bytes: int = 50_000_000
    max_redirects: int = 5
    max_retries: int = 2
    backoff_base: float = 1.0
    max_retry_after: float = 300
    user_agent: str = "nianbao"
    delay: float = 0
    concurrency: int = 1
    # time.monotonic() by which get() returns: it gives up (reason "deadline", retryable)
    # rather than wait for a host, sleep before a retry, or read a body past it.
    deadline: float | None = None
    proxy: str | None = None  # http://, https:// or socks5:// URL; the target is still guarded
    tls: TlsOptions = field(default_factory=TlsOptions)
    # The pass's cookie jar (listing -> detail pages); None: no cookie is kept or sent.
    cookies: CookieJar | None = field(default=None, compare=False)
