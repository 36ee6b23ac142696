"""Decompression bombs: a PDF's Flate streams measured, never kept, before pdfplumber opens it."""

from __future__ import annotations

import re
import zlib

from nianbao.core.errors import PageRejected
from nianbao.core.readers.pdf.limits import MAX_INFLATED_BYTES, MAX_STREAM_BYTES

_CHUNK = 1 << 16
_STREAM_START = re.compile(rb"(?<![A-Za-z])stream(?:\r\n|\n|\r)")
_FLATE = re.compile(rb"/(?:FlateDecode|Fl)(?![A-Za-z])")


class _Inflated(Exception):
    """A stream inflated past a cap."""


def check_streams(body: bytes) -> None:
    """Reject a PDF whose Flate streams inflate past the caps (decompression_bomb).

    A linear pass: each ``stream`` keyword's data, up to the next ``endstream``, goes through
    as many chained zlib decoders as its dictionary names FlateDecode filters, a chunk at a
    time, counting what comes out and stopping at the cap; nothing is kept. Data that is not
    zlib is left to pdfminer. Never raises anything but PageRejected.
    """
    total = 0
    position = 0
    while match := _STREAM_START.search(body, position):
        start = match.end()
        end = body.find(b"endstream", start)
        end = len(body) if end < 0 else end
        position = max(end, start)
        head = body[max(0, match.start() - 2048) : match.start()]
        head = head[head.rfind(b"obj") + 1 :] if b"obj" in head else head
        layers = min(len(_FLATE.findall(head)), 8)
        if not layers:
            continue
        try:
            size = _inflated_size(memoryview(body)[start:end], layers, MAX_INFLATED_BYTES - total)
        except _Inflated:
            size = MAX_INFLATED_BYTES + 1
        if size > MAX_STREAM_BYTES or total + size > MAX_INFLATED_BYTES:
            cap = MAX_STREAM_BYTES if size > MAX_STREAM_BYTES else MAX_INFLATED_BYTES
            raise PageRejected(
                "extract",
                "decompression_bomb",
                f"a PDF stream at byte {match.start()} inflates past {cap} bytes",
            )
        total += size


def _inflated_size(data: memoryview, layers: int, budget: int) -> int:
    """Bytes the data inflates to through `layers` chained zlib decoders, stopping past budget."""
    decoders = [zlib.decompressobj() for _ in range(layers)]
    done = [False] * layers  # a decoder at its end, or fed something that is not zlib
    limit = min(budget, MAX_STREAM_BYTES) + 1
    produced = 0

    def feed(level: int, piece: bytes) -> None:
        nonlocal produced
        decoder = decoders[level]
        while not done[level]:
            try:
                out = decoder.decompress(piece, _CHUNK)
            except zlib.error:
                done[level] = True
                return
            done[level] = decoder.eof
            piece = decoder.unconsumed_tail
            if level + 1 < layers:
                if out:
                    feed(level + 1, out)
            else:
                produced += len(out)
                if produced > limit:
                    raise _Inflated
            if not piece and len(out) < _CHUNK:
                return

    for offset in range(0, len(data), _CHUNK):
        if done[0]:
            break
        feed(0, bytes(data[offset : offset + _CHUNK]))
    return produced
