"""One server answer read: its status judged, its body read (200) or drained, Retry-After parsed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from producers import challenge
from producers.fetch.body import read_body
from producers.fetch.errors import FetchError

REDIRECTS = frozenset({301, 302, 303, 307, 308})
# An error page is read this far to tell a firewall's JavaScript challenge from a plain error.
ERROR_BODY = 256_000
# A server may ask for any Retry-After; a host is backed off for a day at most.
MAX_RETRY_AFTER = 86400.0


@dataclass(frozen=True)
class Reply:
    """One answer of a server: a status, its headers, a body (200) or a Location (redirect)."""

    status: int
    headers: httpx.Headers
    body: bytes = b""
    location: str | None = None


def drain(response: httpx.Response, limit: int = 65536) -> None:
    """Read a small unwanted body to its end, so the connection goes back to the pool.

    Closing a response before its end closes the connection: every 304 and redirect would cost
    a new TCP (and TLS) handshake. A body over `limit` is not worth it: the close is cheaper.
    """
    size = 0
    for chunk in response.iter_raw():
        size += len(chunk)
        if size > limit:
            return


def read_reply(url: str, response: httpx.Response, cap: int, *, raw: bool = False) -> Reply:
    """What a response means: a redirect, a 304, a 200 with its body; else a FetchError.

    A firewall's challenge page (HTTP 412 and a script, ...) is FetchError "waf_challenge".
    raw: any status is a Reply with its body (a browser's request: it judges for itself).
    """
    status, headers = response.status_code, response.headers
    if raw:
        location = headers.get("location") if status in REDIRECTS else None
        return Reply(status, headers, read_body(url, response, cap), location=location)
    if status in REDIRECTS:
        location = headers.get("location")
        if not location:
            raise FetchError(url, "http_status", f"HTTP {status} without Location", status=status)
        drain(response)
        return Reply(status, headers, location=location)
    if status == 304:
        drain(response)
        return Reply(status, headers)
    if status == 200:  # other 2xx (202 challenge pages, 204, 206) are not a document
        return Reply(status, headers, read_body(url, response, cap))
    if status in challenge.STATUSES:
        _raise_if_challenge(url, response, status)
    if status == 429 or status >= 500:
        retry_after = (
            parse_retry_after(headers.get("retry-after")) if status in (429, 503) else None
        )
        raise FetchError(
            url,
            "http_status",
            f"HTTP {status}",
            retryable=True,
            status=status,
            retry_after=retry_after,
        )
    raise FetchError(url, "http_status", f"HTTP {status}", status=status)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date; None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value[:12]), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max(0.0, (when - datetime.now(UTC)).total_seconds()), MAX_RETRY_AFTER)


def _raise_if_challenge(url: str, response: httpx.Response, status: int) -> None:
    """FetchError "waf_challenge" if this error page is a firewall's JavaScript challenge."""
    try:
        body = read_body(url, response, ERROR_BODY)
    except FetchError:
        return  # too large or badly encoded for a challenge page: a plain error
    if why := challenge.detect(body, status):
        raise FetchError(url, "waf_challenge", why, status=status)
