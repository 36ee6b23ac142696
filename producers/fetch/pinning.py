"""A request to a checked target: its host replaced by the pinned address, TLS for the name."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx

from producers.fetch.policy import FetchPolicy
from producers.netguard import Target


def pinned_url(target: Target) -> str:
    """The target's URL with its host replaced by the checked address it is pinned to."""
    parts = urlsplit(target.url)
    address = f"[{target.address}]" if ":" in target.address else target.address
    pinned = f"{parts.scheme.lower()}://{address}:{target.port}{parts.path or '/'}"
    return pinned + (f"?{parts.query}" if parts.query else "")


def server_name(target: Target) -> tuple[str, str] | None:
    """(address, host name) for the TLS handshake of an HTTPS target, None for plain HTTP."""
    if urlsplit(target.url).scheme.lower() != "https":
        return None
    return target.address, target.host


def request_args(
    target: Target, headers: dict[str, str], policy: FetchPolicy, method: str = "GET"
) -> dict[str, object]:
    """httpx.Client.stream's arguments for a request to the pinned target."""
    https = urlsplit(target.url).scheme.lower() == "https"
    return {
        "method": method,
        "url": pinned_url(target),
        "headers": headers,
        "timeout": httpx.Timeout(policy.timeout),
        "extensions": {"sni_hostname": target.host} if https else {},
    }
