"""Attachments the core cannot read (DOC, WPS, RTF, XLS, XLSX, scans) into what it can.

An adapter, not part of the core: `convert` sniffs the bytes and runs the converter of their
family in a bounded child process (`run`: wall clock, memory, temporary directory, no network;
every converter module is imported here, before any fork); `analyse_document` is what the
pages worker and `nianbao parse` call instead of
`nianbao.core.pipeline.analyse`: convert if needed, analyse, fall back to OCR for a PDF without
a text layer, and put ``text_source`` (and an OCR'd record's checks) on the record.
"""

from __future__ import annotations

from dataclasses import replace

from nianbao.convert.model import ConvertedDocument
from nianbao.convert.ocr import ocr_image, ocr_pdf
from nianbao.convert.run import Budget, ConvertSettings, convert_settings
from nianbao.convert.sheets import convert_sheets
from nianbao.convert.sniff import sniff_kind
from nianbao.convert.verify import check_ocr
from nianbao.convert.word import convert_word
from nianbao.core.errors import PageRejected
from nianbao.core.pipeline import Analysis, Hints, analyse
from nianbao.limits import Limits
from nianbao.timeouts import time_limit
from schemas.report import ValidationWarning

__all__ = [
    "ConvertSettings",
    "ConvertedDocument",
    "analyse_document",
    "bounded_limits",
    "convert",
    "is_document",
    "sniff_kind",
]

_WORD = frozenset({"doc", "wps", "rtf"})
_SHEETS = frozenset({"xls", "xlsx"})


def convert(
    body: bytes, content_type: str = "", budget: Budget | None = None
) -> ConvertedDocument | None:
    """The attachment converted for the core, or None when the core reads the bytes itself."""
    kind = sniff_kind(body, content_type)
    budget = budget or Budget.start()
    if kind in _WORD:
        return convert_word(body, kind, budget)
    if kind in _SHEETS:
        return convert_sheets(body, kind, budget)
    if kind == "image":
        return ocr_image(body, budget)
    return None


def is_document(body: bytes, content_type: str) -> bool:
    """Whether the body is a document (not a web page): parsed in a bounded child process."""
    return sniff_kind(body, content_type) is not None or not content_type.startswith("text/")


def bounded_limits(body: bytes, limits: Limits, content_type: str = "") -> Limits:
    """The bounded child's limits: the parse's, plus the conversion's time when one may run.

    A PDF may turn out to need OCR, so it gets the conversion's time too; the core's own part
    stays under the parse limit (`analyse_document`'s ``parse_seconds``).
    """
    if limits.seconds <= 0 or sniff_kind(body, content_type) in (None, "docx"):
        return limits
    return replace(limits, seconds=limits.seconds + convert_settings().convert_timeout)


def analyse_document(
    body: bytes,
    *,
    content_type: str,
    encoding: str | None = None,
    link_text: str | None = None,
    max_bytes: int = 20_000_000,
    hints: Hints | None = None,
    parse_seconds: float = 0,
) -> Analysis:
    """`analyse`, after converting an attachment and with OCR for a scanned PDF.

    The record gets ``text_source``; a converter's warnings (OCR's) go on it too, and OCR'd
    figures are kept only where the table identities hold (`verify.check_ocr`).
    """
    if len(body) > max_bytes:  # never handed to a converter
        return analyse(body, content_type=content_type, max_bytes=max_bytes)
    budget = Budget.start()

    def core(data: bytes, media: str, charset: str | None) -> Analysis:
        with time_limit(parse_seconds):
            return analyse(
                data, content_type=media, encoding=charset, link_text=link_text,
                max_bytes=max_bytes, hints=hints,
            )  # fmt: skip

    converted = convert(body, content_type, budget)
    if converted is None:
        try:
            analysis = core(body, content_type, encoding)
        except PageRejected as exc:
            if exc.reason != "no_text_layer":
                raise
            converted = ocr_pdf(body, budget)
        else:
            return _with_source(analysis, source_of(body, content_type), ())
    analysis = core(converted.body, converted.content_type, None)
    return _with_source(analysis, converted.text_source, converted.warnings)


def source_of(body: bytes, content_type: str) -> str:
    """Where a page the core reads itself got its text: html, text, pdf_text or docx."""
    kind = sniff_kind(body, content_type)
    if kind == "pdf":
        return "pdf_text"
    if kind == "docx":
        return "docx"
    media = content_type.split(";", 1)[0].strip().lower()
    return "text" if media == "text/plain" else "html"


def _with_source(
    analysis: Analysis, source: str, warnings: tuple[tuple[str, str], ...]
) -> Analysis:
    """The analysis with the record's text_source set and the converter's warnings added."""
    record = analysis.record
    update: dict[str, object] = {"text_source": source}
    if warnings and record.is_report:
        update["warnings"] = [
            *record.warnings,
            *(ValidationWarning(rule=rule, message=message) for rule, message in warnings),
        ]
    record = record.model_copy(update=update)
    if source == "ocr" and record.is_report:
        record = check_ocr(record)
    return replace(analysis, record=record)
