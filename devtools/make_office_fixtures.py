"""Make tests/fixtures/office from the real reports and the seeds: .doc, .rtf, .xls, scans.

    python -m devtools.make_office_fixtures [--out tests/fixtures/office]

Needs LibreOffice (Writer and Calc) and poppler-utils. From each real report PDF: the core's
text and tables are written as a DOCX (paragraphs, tables with their runs of one text merged
as the PDF draws them), which LibreOffice saves as Word 97 .doc (and one as .rtf); its prose
and tables as an .xlsx (prose in the first sheet, one sheet per table, merged ranges), which
LibreOffice saves as Excel 97 .xls; and its pages rasterised by pdftoppm at 150 and 300 dpi
(greyscale, then black and white at Otsu's threshold) and put back into an image-only PDF
with Pillow. From each seed: a .doc and an .xls of its lines and tables, and a 300 dpi scan of
the .doc as LibreOffice prints it. LibreOffice cannot write Kingsoft .wps,
so there is no .wps fixture (WPS is sniffed and converted like .doc; see
tests/test_convert.py). Also a corrupt .doc and .xls, and two OCR bombs: a 10,000 × 10,000
px PNG and a PDF page that rasterises past it.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
OUT = FIXTURES / "office"
REAL = sorted((FIXTURES / "real-reports").glob("*.pdf"))
SEEDS = sorted((FIXTURES / "seeds").glob("*.txt"))
_SECTION_OF_TABLE = ("二、", "三、", "四、")  # the 2021 template's tables follow these headings


def main(argv: Sequence[str] | None = None) -> None:
    """Write every fixture into --out."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument(
        "--seeds-only", action="store_true", help="only the seeds' forms (the rest stay)"
    )
    options = parser.parse_args(argv)
    out = options.out
    out.mkdir(parents=True, exist_ok=True)
    if options.seeds_only:
        with tempfile.TemporaryDirectory() as name:
            _seed_forms(out, Path(name))
        return
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        for pdf in REAL:
            lines, tables = _document(pdf.read_bytes(), "application/pdf")
            docx = tmp / f"{pdf.stem}.docx"
            _write_docx(lines, tables, docx)
            _soffice(docx, "doc:MS Word 97", out)
            if pdf == REAL[0]:
                _soffice(docx, "rtf:Rich Text Format", out)
            xlsx = tmp / f"{pdf.stem}.xlsx"
            _write_xlsx(lines, tables, xlsx)
            _soffice(xlsx, "xls:MS Excel 97", out)
            if pdf == REAL[0]:
                shutil.copy(xlsx, out / xlsx.name)
            for dpi in (150, 300):
                _scan(pdf, dpi, out / f"{pdf.stem}.scan{dpi}.pdf", tmp)
        _seed_forms(out, tmp)
    _corrupt(out / f"{REAL[0].stem}.doc", out / "corrupt.doc")
    _corrupt(out / f"{REAL[0].stem}.xls", out / "corrupt.xls")
    _bombs(out)
    for path in sorted(out.iterdir()):
        print(f"{path.stat().st_size:>9} {path.relative_to(ROOT)}")


def _seed_forms(out: Path, tmp: Path) -> None:
    """Each seed as .doc, as .xls (its prose and tables) and scanned at 300 dpi (of its DOCX
    printed to PDF by LibreOffice, then rasterised as the real reports are)."""
    for seed in SEEDS:
        lines, tables = _document(seed.read_bytes(), "text/plain")
        docx = tmp / f"{seed.stem}.docx"
        _write_docx(lines, tables, docx)
        _soffice(docx, "doc:MS Word 97", out)
        xlsx = tmp / f"{seed.stem}.xlsx"
        _write_xlsx(lines, tables, xlsx)
        _soffice(xlsx, "xls:MS Excel 97", out)
        _soffice(docx, "pdf:writer_pdf_Export", tmp)
        _scan(tmp / f"{seed.stem}.pdf", 300, out / f"{seed.stem}.scan300.pdf", tmp)


def _document(body: bytes, content_type: str) -> tuple[list[str], list[list[list[str]]]]:
    """The core's text lines and table grids of an original."""
    from nianbao.core.extract import extract

    doc = extract(body, content_type)
    return doc.lines, [[list(row) for row in table.rows] for table in doc.tables]


def _placed(lines: list[str], tables: list[list[list[str]]]) -> list[str | list[list[str]]]:
    """Lines with each table after its section heading (2021 template), else at the end."""
    blocks: list[str | list[list[str]]] = []
    waiting = list(tables)
    headings = list(_SECTION_OF_TABLE[: len(tables)])
    for line in lines:
        blocks.append(line)
        if headings and line.startswith(headings[0]) and waiting:
            headings.pop(0)
            blocks.append(waiting.pop(0))
    blocks.extend(waiting)
    return blocks


def _runs(row: list[str]) -> list[tuple[int, int]]:
    """(start, end) column ranges of equal, non-empty neighbouring cells (end exclusive)."""
    runs, start = [], 0
    for column in range(1, len(row) + 1):
        if column == len(row) or row[column] != row[start] or not row[start]:
            if column - start > 1 and row[start]:
                runs.append((start, column))
            start = column
    return runs


def _write_docx(lines: list[str], tables: list[list[list[str]]], path: Path) -> None:
    """A DOCX of the lines and tables, a run of one text in a row as one merged cell."""
    import docx

    document = docx.Document()
    for block in _placed(lines, tables):
        if isinstance(block, str):
            document.add_paragraph(block)
            continue
        table = document.add_table(rows=len(block), cols=len(block[0]))
        table.style = "Table Grid"
        for r, row in enumerate(block):
            for c, text in enumerate(row):
                table.cell(r, c).text = text
            for start, end in _runs(row):
                merged = table.cell(r, start).merge(table.cell(r, end - 1))
                merged.text = row[start]
    document.save(str(path))


def _write_xlsx(lines: list[str], tables: list[list[list[str]]], path: Path) -> None:
    """An .xlsx: the prose in sheet 报告 (one line a row), each table on a sheet of its own."""
    import openpyxl

    book = openpyxl.Workbook()
    prose = book.active
    prose.title = "报告"
    for line in lines:
        prose.append([line])
    for n, grid in enumerate(tables, 1):
        sheet = book.create_sheet(f"表{n}")
        for r, row in enumerate(grid, 1):
            for c, text in enumerate(row, 1):
                number = text.isdigit() and (text == "0" or not text.startswith("0"))
                sheet.cell(r, c, int(text) if number else text)
            for start, end in _runs(row):
                sheet.merge_cells(start_row=r, end_row=r, start_column=start + 1, end_column=end)
    book.save(str(path))


def _soffice(source: Path, target: str, out: Path) -> None:
    """LibreOffice converts `source` into `out` (extension from the filter spec)."""
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
             "--convert-to", target, "--outdir", str(out), str(source)],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip


def _scan(pdf: Path, dpi: int, target: Path, tmp: Path) -> None:
    """An image-only PDF of the pages rasterised at `dpi` in greyscale."""
    from PIL import Image

    prefix = tmp / f"{pdf.stem}-{dpi}"
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-gray", "-png", str(pdf), str(prefix)],
        check=True, timeout=300,
    )  # fmt: skip
    pages = [
        _bilevel(Image.open(path).convert("L")) for path in sorted(tmp.glob(f"{prefix.name}-*.png"))
    ]
    pages[0].save(target, save_all=True, append_images=pages[1:], resolution=dpi)


def _bilevel(image):
    """Black and white at Otsu's threshold, as stamped paper copies are scanned (CCITT G4 in
    the PDF keeps a 300 dpi page near 50 KB)."""
    import numpy as np

    pixels = np.asarray(image)
    counts = np.bincount(pixels.ravel(), minlength=256).astype(float)
    levels = np.arange(256)
    weight = np.cumsum(counts)
    mean = np.cumsum(counts * levels)
    total, total_mean = weight[-1], mean[-1]
    between = (total_mean * weight / total - mean) ** 2 / (weight * (total - weight) + 1e-9)
    threshold = int(np.argmax(between))
    return image.point(lambda v: 255 if v > threshold else 0).convert("1")


def _corrupt(source: Path, target: Path) -> None:
    """A file with its format's header and then bytes of nothing in particular."""
    head = source.read_bytes()[:1536]
    target.write_bytes(head + bytes((i * 7919) % 251 for i in range(30_000)))


def _bombs(out: Path) -> None:
    """A 10,000 × 10,000 px image (1 bit, compresses to a few KB) and a PDF page past it."""
    from PIL import Image

    image = Image.new("1", (10_000, 10_000), 1)
    image.save(out / "bomb-10000px.png", optimize=True)
    image.save(out / "bomb-10000px.pdf", resolution=72)  # 10,000 pt square: huge at 300 dpi


if __name__ == "__main__":
    main()
