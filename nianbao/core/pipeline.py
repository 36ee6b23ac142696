"""The pure core in one call: raw page bytes to a validated record and its fingerprint."""

from __future__ import annotations

from dataclasses import dataclass

from nianbao.core.errors import PageRejected
from nianbao.core.extract import extract
from nianbao.core.fingerprint import exact_key, folded_content
from nianbao.core.parse import parse
from nianbao.core.similarity import signature
from nianbao.core.validate import rejection, validate
from schemas.report import AnnualReport


@dataclass(frozen=True)
class Analysis:
    """An accepted page: its record and the key exact duplicates share."""

    record: AnnualReport
    fingerprint: str
    text_length: int
    signature: list[int]

    @property
    def rejection(self) -> PageRejected | None:
        """Why the page must be quarantined, or None when it is a storable report."""
        return rejection(self.record)


def analyse(
    body: bytes,
    *,
    content_type: str,
    encoding: str | None = None,
    link_text: str | None = None,
    max_bytes: int = 20_000_000,
) -> Analysis:
    """Extract, fingerprint, parse and validate one page.

    Raises PageRejected when the page has no usable text. A page that has text but is not a
    report still yields its record (``is_report`` false); `Analysis.rejection` says so.
    """
    if len(body) > max_bytes:
        raise PageRejected(
            "extract", "too_large", f"{len(body)} bytes is over the limit of {max_bytes}"
        )
    doc = extract(body, content_type, encoding)
    parsed = parse(doc, link_text)
    folded = folded_content(parsed.main_text, doc.tables)
    return Analysis(
        record=validate(parsed),
        fingerprint=exact_key(folded),
        text_length=len(folded),
        signature=signature(folded),
    )
