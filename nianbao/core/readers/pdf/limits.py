"""The caps that bound what one PDF may cost: pages, characters, rules and inflated bytes."""

from __future__ import annotations

MAX_PAGES = 200
MAX_PAGE_CHARS = 100_000  # a dense A4 page has ~3,000 characters
MAX_RULES = 20_000  # drawn lines and boxes of one page considered as table borders
MAX_INTERSECTIONS = 4_000_000  # vertical × horizontal edges the table finder may cross
# Flate streams: what one may inflate to, and all of a file's together. A content stream is a
# few hundred KB, a full-page 600 dpi image 100 MB.
MAX_STREAM_BYTES = 128_000_000
MAX_INFLATED_BYTES = 512_000_000
