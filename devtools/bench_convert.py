"""Converter figures for `nianbao bench`: ms per page of each converter on the office fixtures.

    python -m devtools.bench_convert

Each converter runs as the pages worker runs it (`nianbao.convert`: a child process under its
bounds, a private temporary directory) on the fixtures made from the real report PDFs
(tests/fixtures/office), once per file; a page is a page of the original PDF. A converter whose
binary is missing is left out. `fidelity` gives the share of the original's table cells each
word converter's record has with the same value, and the values it invented.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

from nianbao.convert import analyse_document
from nianbao.convert.ocr import ocr_pdf
from nianbao.convert.run import Budget, ConvertSettings
from nianbao.convert.sheets import convert_sheets
from nianbao.convert.word import antiword, libreoffice
from nianbao.core.pipeline import analyse

ROOT = Path(__file__).resolve().parents[1]
OFFICE = ROOT / "tests" / "fixtures" / "office"
REAL = sorted((ROOT / "tests" / "fixtures" / "real-reports").glob("*.pdf"))


def _pages(pdf: Path) -> int:
    """Pages of an original report PDF."""
    import pdfplumber

    with pdfplumber.open(pdf) as document:
        return len(document.pages)


def _converters() -> dict[str, tuple[str, str | None, Callable[[bytes], object]]]:
    """name -> (fixture suffix, binary it needs, the call)."""
    ocr150 = ConvertSettings(ocr_dpi=150)
    ocr300 = ConvertSettings(ocr_dpi=300)
    return {
        "libreoffice_doc": (".doc", "soffice", lambda b: libreoffice(b, "doc", Budget.start())),
        "antiword_doc": (".doc", "antiword", lambda b: antiword(b, Budget.start())),
        "xlrd_xls": (".xls", None, lambda b: convert_sheets(b, "xls", Budget.start())),
        "ocr_150dpi": (".scan150.pdf", "tesseract", lambda b: ocr_pdf(b, Budget.start(), ocr150)),
        "ocr_300dpi": (".scan300.pdf", "tesseract", lambda b: ocr_pdf(b, Budget.start(), ocr300)),
    }


def convert_ms_per_page() -> dict[str, float]:
    """ms per page of each available converter over the fixtures of the real reports."""
    figures: dict[str, float] = {}
    for name, (suffix, binary, call) in _converters().items():
        if binary and shutil.which(binary) is None:
            continue
        seconds, pages = 0.0, 0
        for pdf in REAL:
            body = (OFFICE / f"{pdf.stem}{suffix}").read_bytes()
            started = time.perf_counter()
            call(body)
            seconds += time.perf_counter() - started
            pages += _pages(pdf)
        figures[name] = round(seconds * 1000 / pages, 1)
    return figures


def fidelity(
    per_report: dict[tuple[str, str], tuple[int, int, int]] | None = None,
) -> dict[str, tuple[float, int]]:
    """Per converted form: (share of the originals' table cells matched, values invented).

    `per_report`, when given, gets (matched, cells, invented) for each (form, report).
    """
    out: dict[str, tuple[float, int]] = {}
    forms = {
        "doc": ".doc",
        "xls": ".xls",
        "ocr_300dpi": ".scan300.pdf",
        "ocr_150dpi": ".scan150.pdf",
    }
    for form, suffix in forms.items():
        matched = total = invented = 0
        for pdf in REAL:
            before = (matched, total, invented)
            want = analyse(pdf.read_bytes(), content_type="application/pdf").record
            body = (OFFICE / f"{pdf.stem}{suffix}").read_bytes()
            got = analyse_document(body, content_type="application/octet-stream").record
            key = lambda i: (i.table, i.row_code or i.row, i.column_code or i.column)  # noqa: E731
            have = {key(i): i.value for i in got.indicators if i.table != "narrative"}
            for indicator in want.indicators:
                if indicator.table == "narrative":
                    continue
                total += 1
                matched += have.get(key(indicator), object()) == indicator.value
            original = {key(i): i.value for i in want.indicators}
            invented += sum(1 for k, v in have.items() if v is not None and original.get(k) != v)
            if per_report is not None:
                per_report[(form, pdf.stem)] = (
                    matched - before[0],
                    total - before[1],
                    invented - before[2],
                )
        out[form] = (round(matched / total, 3) if total else 0.0, invented)
    return out


if __name__ == "__main__":
    print(convert_ms_per_page())
    reports: dict[tuple[str, str], tuple[int, int, int]] = {}
    print(fidelity(reports))
    for (form, stem), (matched, cells, invented) in reports.items():
        print(f"{form:11} {stem:22} {matched}/{cells} cells, {invented} invented")
