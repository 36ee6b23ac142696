"""Converter figures for `nianbao bench`: ms per page of each converter on the office fixtures.

    python -m devtools.bench_convert

Each converter runs as the pages worker runs it (`nianbao.convert`: a child process under its
bounds, a private temporary directory) on the fixtures made from the real report PDFs
(tests/fixtures/office), once per file; a page is a page of the original PDF. A converter whose
binary is missing is left out. `fidelity` gives the share of the original's table cells each
form's record has with the same value, the values it invented and the record fields that
differ, over the real reports and the seeds (as .doc, .xls and a 300 dpi scan).
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
SEEDS = sorted((ROOT / "tests" / "fixtures" / "seeds").glob("*.txt"))
FIELDS = ("agency", "year", "format", "period", "contact")  # the record fields


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
    fields: dict[tuple[str, str], list[str]] | None = None,
) -> dict[str, tuple[float, int]]:
    """Per converted form: (share of the originals' table cells matched, values invented).

    Over the real reports and the seeds that have the form. `per_report`, when given, gets
    (matched, cells, invented) for each (form, original); `fields` the record fields
    (agency, year, format, period, contact) where the form's record differs from the original's.
    """
    out: dict[str, tuple[float, int]] = {}
    forms = {
        "doc": ".doc",
        "xls": ".xls",
        "ocr_300dpi": ".scan300.pdf",
        "ocr_150dpi": ".scan150.pdf",
    }
    key = lambda i: (i.table, i.row_code or i.row, i.column_code or i.column)  # noqa: E731
    for form, suffix in forms.items():
        matched = total = invented = 0
        for source in [*REAL, *SEEDS]:
            fixture = OFFICE / f"{source.stem}{suffix}"
            if not fixture.exists():
                continue
            before = (matched, total, invented)
            kind = "application/pdf" if source.suffix == ".pdf" else "text/plain"
            want = analyse(source.read_bytes(), content_type=kind).record
            body = fixture.read_bytes()
            got = analyse_document(body, content_type="application/octet-stream").record
            have = {key(i): i.value for i in got.indicators if i.table != "narrative"}
            for indicator in want.indicators:
                if indicator.table == "narrative":
                    continue
                total += 1
                matched += have.get(key(indicator), object()) == indicator.value
            original = {key(i): i.value for i in want.indicators}
            invented += sum(1 for k, v in have.items() if v is not None and original.get(k) != v)
            if per_report is not None:
                per_report[(form, source.stem)] = (
                    matched - before[0],
                    total - before[1],
                    invented - before[2],
                )
            if fields is not None:
                fields[(form, source.stem)] = [
                    f for f in FIELDS if getattr(got, f) != getattr(want, f)
                ]
        out[form] = (round(matched / total, 3) if total else 0.0, invented)
    return out


if __name__ == "__main__":
    print(convert_ms_per_page())
    reports: dict[tuple[str, str], tuple[int, int, int]] = {}
    differing: dict[tuple[str, str], list[str]] = {}
    print(fidelity(reports, differing))
    for (form, stem), (matched, cells, invented) in reports.items():
        differ = ", ".join(differing[form, stem]) or "none"
        print(f"{form:11} {stem:24} {matched}/{cells} cells, {invented} invented; "
              f"fields that differ: {differ}")  # fmt: skip
