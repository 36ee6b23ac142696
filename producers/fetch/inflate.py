"""gzip/deflate decoding under a cap: a decompression bomb stops at cap + 1 bytes."""

from __future__ import annotations

import zlib
from collections.abc import Callable

from producers.fetch.errors import FetchError


class Inflater:
    """gzip/deflate decoding that never produces more than cap + 1 bytes."""

    def __init__(self, url: str, coding: str, cap: int) -> None:
        """Decode coding ("gzip" or "deflate") for url, up to cap bytes."""
        self.url = url
        self.coding = coding
        self.cap = cap
        self.raw_size = 0
        self.out = bytearray()
        self._pending = b""  # deflate: the first bytes, until the zlib header can be told
        self._gzip = coding == "gzip"
        self._obj: zlib._Decompress | None = None

    def feed(self, data: bytes) -> None:
        """Decode the next raw bytes (FetchError past the cap or on corrupt data)."""
        self.raw_size += len(data)
        if self.raw_size > self.cap:
            raise FetchError(self.url, "too_large", f"compressed body over {self.cap} bytes")
        if self._obj is None:
            data = self._pending + data
            if not self._gzip and len(data) < 2:
                self._pending = data
                return
            self._obj = zlib.decompressobj(self._wbits(data))
        self._inflate(data)

    def finish(self) -> bytes:
        """The decoded body: what decoded, even from a truncated stream."""
        if self._obj is None and self._pending:
            self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
            self._inflate(self._pending)
        if self._obj is not None and not self._obj.eof:
            # A truncated stream keeps what decoded, as browsers do.
            self._grow(self._call(self._obj.flush, self._room()))
        return bytes(self.out)

    def _wbits(self, head: bytes) -> int:
        if self._gzip:
            return 16 + zlib.MAX_WBITS
        # "deflate" is meant to be zlib-wrapped (RFC 9110) but some servers send it raw.
        cmf, flg = head[0], head[1]
        wrapped = cmf & 0x0F == 8 and cmf >> 4 <= 7 and (cmf << 8 | flg) % 31 == 0
        return zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS

    def _inflate(self, data: bytes) -> None:
        assert self._obj is not None
        while data:
            if self._obj.eof:
                # Another gzip member may follow; anything else after the end is ignored.
                if not (self._gzip and data.startswith(b"\x1f\x8b")):
                    return
                self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS)
            self._grow(self._call(self._obj.decompress, data, self._room()))
            data = self._obj.unused_data if self._obj.eof else self._obj.unconsumed_tail

    def _room(self) -> int:
        return self.cap + 1 - len(self.out)  # >= 1 (0 would mean "unlimited" to zlib)

    def _grow(self, piece: bytes) -> None:
        self.out += piece
        if len(self.out) > self.cap:
            raise FetchError(
                self.url,
                "decompression_bomb",
                f"decodes to over {self.cap} bytes from {self.raw_size} compressed",
            )

    def _call(self, method: Callable[..., bytes], *args: object) -> bytes:
        try:
            return method(*args)
        except zlib.error as exc:
            raise FetchError(self.url, "bad_encoding", f"corrupt {self.coding}: {exc}") from None
