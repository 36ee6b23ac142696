"""What a fetch is given: one site's limits, and the validators of a conditional request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network


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
