"""A 200's body read under one size cap, for the raw and the decoded bytes."""

from __future__ import annotations

import httpx

from producers.fetch.errors import FetchError
from producers.fetch.inflate import Inflater


def read_body(url: str, response: httpx.Response, cap: int) -> bytes:
    """The body, decoded, streamed under the cap: never more than cap + 1 bytes in memory."""
    coding = content_coding(url, response.headers.get("content-encoding"))
    length = response.headers.get("content-length", "")
    if length.strip().isdigit() and int(length) > cap:
        raise FetchError(url, "too_large", f"Content-Length {int(length)} is over {cap} bytes")
    inflater = Inflater(url, coding, cap) if coding else None
    raw = bytearray()
    for chunk in response.iter_raw():
        if inflater is not None:
            inflater.feed(chunk)
            continue
        if len(raw) + len(chunk) > cap:
            raise FetchError(url, "too_large", f"body over {cap} bytes")
        raw += chunk
    return inflater.finish() if inflater is not None else bytes(raw)


def content_coding(url: str, header: str | None) -> str | None:
    """The Content-Encoding to undo: gzip, deflate or None; FetchError for any other."""
    codings = [c.strip().lower() for c in (header or "").split(",")]
    codings = [c for c in codings if c and c != "identity"]
    if not codings:
        return None
    if len(codings) == 1 and codings[0] in ("gzip", "x-gzip"):
        return "gzip"
    if codings == ["deflate"]:
        return "deflate"
    raise FetchError(url, "bad_encoding", f"unsupported Content-Encoding {header!r}")
