"""The one error a fetch raises: why it failed, and whether a later try may succeed."""

from __future__ import annotations


class FetchError(Exception):
    """A fetch that failed, with a machine-readable reason and whether a later try may succeed.

    Reasons: bad_url, off_domain, blocked_address, unresolvable, timeout, transport, http_status,
    too_large, decompression_bomb, too_many_redirects, redirect_loop, bad_encoding, robots.
    """

    def __init__(
        self,
        url: str,
        reason: str,
        detail: str = "",
        *,
        retryable: bool = False,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(f"{url}: {reason}" + (f": {detail}" if detail else ""))
        self.url = url
        self.reason = reason
        self.detail = detail
        self.retryable = retryable
        self.status = status
        self.retry_after = retry_after  # seconds the server asked us to wait (429/503)
