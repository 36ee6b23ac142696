"""Data files shipped with nianbao, read from the installed package (see README.md here)."""

from __future__ import annotations

import gzip
from functools import cache
from importlib import resources

DIVISIONS = "divisions.tsv.gz"


@cache
def divisions_text() -> str:
    """The gazetteer data file's text (read once: it is package data, never changed at run time)."""
    raw = resources.files(__name__).joinpath(DIVISIONS).read_bytes()
    return gzip.decompress(raw).decode("utf-8")
