"""Scans to text: a PDF without a text layer, or a report published as an image, through OCR.

pdftoppm (poppler-utils) rasterises each page at NIANBAO_OCR_DPI into the temporary directory,
then tesseract with the ``chi_sim`` model reads it, one page per run so one run's time is
bounded by what is left of the conversion's. Before anything is decoded, every page's pixel
size at that resolution (pdfinfo) and every embedded image's (pdfimages -list), or the image's
own header, is checked against NIANBAO_OCR_MAX_PIXELS: a 10,000 × 10,000 px page is refused
(``ocr_failed``) without allocating a byte of it. The text goes to the core as plain text, where
the plain-text table reader reads its tables (see `nianbao.convert.verify` for the digits).
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import numpy as np

from nianbao.convert import cells, prose, resolve, ruled
from nianbao.convert.model import GRIDS_TYPE, ConvertedDocument
from nianbao.convert.run import (
    Budget,
    ConvertSettings,
    convert_settings,
    require,
    run_tool,
    workdir,
)
from nianbao.core.errors import PageRejected
from nianbao.core.pipeline import analyse
from schemas.report import AnnualReport

_PAGE_SIZE = re.compile(rb"^Page\s+(\d+)\s+size:\s+([\d.]+)\s+x\s+([\d.]+)\s+pts", re.M)
_PAGES = re.compile(rb"^Pages:\s+(\d+)", re.M)
_IMAGE_ROW = re.compile(rb"^\s*(\d+)\s+\d+\s+\w+\s+(\d+)\s+(\d+)\s", re.M)
OCR_WARNING = "ocr.text"
_FURNITURE_CHARS = 8  # "- 4 -", "第4页"
_RULE_INCHES = 0.35  # a run of dark pixels this long is a rule, not a stroke of a character


def ocr_pdf(
    body: bytes, budget: Budget, settings: ConvertSettings | None = None
) -> ConvertedDocument:
    """The text of a scanned PDF, page by page."""
    settings = settings or convert_settings()
    for binary in ("pdfinfo", "pdftoppm", "tesseract"):
        require(binary)
    with workdir() as tmp:
        source = tmp / "in.pdf"
        source.write_bytes(body)
        pages = _check_pdf(source, tmp, budget, settings)
        figures = _figures_language(budget, tmp, settings)
        blocks: list[str | ruled.PageTable] = []
        for page in range(1, pages + 1):
            prefix = tmp / f"p{page}"
            run_tool(
                ["pdftoppm", "-r", str(settings.ocr_dpi), "-gray", "-png", "-f", str(page),
                 "-l", str(page), "-singlefile", str(source), str(prefix)],
                budget, tmp, stage="extract", failure="ocr_failed",
            )  # fmt: skip
            image = prefix.with_suffix(".png")
            page_blocks = _read_page(image, settings.ocr_dpi, budget, tmp, settings, figures)
            _continue(blocks, page_blocks, settings.ocr_dpi)
            image.unlink()
    return _result(blocks, settings, pages)


def ocr_image(
    body: bytes, budget: Budget, settings: ConvertSettings | None = None
) -> ConvertedDocument:
    """The text of a report published as an image (PNG, JPEG, TIFF, ...)."""
    settings = settings or convert_settings()
    require("tesseract")
    width, height, frames = image_size(body)
    _check_pixels(width, height, settings, "the image")
    if frames > settings.ocr_max_pages:
        _refuse(f"the image has {frames} frames (at most {settings.ocr_max_pages} are OCR'd)")
    with workdir() as tmp:
        image = tmp / "in.img"
        image.write_bytes(body)
        dpi = _image_dpi(body) or settings.ocr_dpi
        figures = _figures_language(budget, tmp, settings)
        blocks = _read_page(image, dpi, budget, tmp, settings, figures)
    return _result(blocks, settings, frames)


def image_size(body: bytes) -> tuple[int, int, int]:
    """Width, height and frame count from the image's header, without decoding its pixels."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(body)) as image:
            return image.width, image.height, getattr(image, "n_frames", 1)
    except Image.DecompressionBombError as exc:  # Pillow's own check fires on the header
        raise PageRejected(
            "extract", "ocr_failed", f"the image is too large to OCR: {exc}"
        ) from exc
    except Exception as exc:  # Pillow raises many types on a broken header
        raise PageRejected(
            "extract", "ocr_failed", f"not a readable image: {type(exc).__name__}: {exc}"
        ) from exc


def _check_pdf(source: Path, tmp: Path, budget: Budget, settings: ConvertSettings) -> int:
    """The pages to OCR, after every page and embedded image is checked against the pixel cap."""
    info = run_tool(["pdfinfo", str(source)], budget, tmp, stage="extract", failure="ocr_failed")
    match = _PAGES.search(info)
    total = int(match.group(1)) if match else 0
    if total == 0:
        _refuse("the PDF has no pages")
    pages = min(total, settings.ocr_max_pages)
    sizes = run_tool(
        ["pdfinfo", "-f", "1", "-l", str(pages), str(source)],
        budget, tmp, stage="extract", failure="ocr_failed",
    )  # fmt: skip
    scale = settings.ocr_dpi / 72
    for number, width, height in _PAGE_SIZE.findall(sizes):
        _check_pixels(
            round(float(width) * scale), round(float(height) * scale), settings,
            f"page {int(number)} at {settings.ocr_dpi} dpi",
        )  # fmt: skip
    listing = run_tool(
        ["pdfimages", "-list", "-f", "1", "-l", str(pages), str(source)],
        budget, tmp, stage="extract", failure="ocr_failed",
    )  # fmt: skip
    for number, width, height in _IMAGE_ROW.findall(listing):
        _check_pixels(int(width), int(height), settings, f"an image on page {int(number)}")
    return pages


def _check_pixels(width: int, height: int, settings: ConvertSettings, what: str) -> None:
    """Refuse what would decode to more pixels than the cap."""
    if width * height > settings.ocr_max_pixels:
        _refuse(
            f"{what} is {width} × {height} px, over the limit of {settings.ocr_max_pixels:,} "
            "pixels (NIANBAO_OCR_MAX_PIXELS); not rasterised"
        )


def _refuse(detail: str) -> None:
    raise PageRejected("extract", "ocr_failed", detail)


def _image_dpi(body: bytes) -> int | None:
    """The resolution an image says it was scanned at, if it says so plausibly."""
    from PIL import Image

    with Image.open(io.BytesIO(body)) as image:
        dpi = image.info.get("dpi")
    if dpi and 100 <= float(dpi[0]) <= 1200:
        return int(float(dpi[0]))
    return None


def _read_page(
    image: Path, dpi: int, budget: Budget, tmp: Path, settings: ConvertSettings, figures: str
) -> list[str | ruled.PageTable]:
    """One page image as text lines and table grids.

    The ruled tables are found and their rules erased; the page outside them is read in one
    tesseract run, their cells one by one in montages (`cells`), figures in the `figures`
    language.
    """
    from PIL import Image

    with Image.open(image) as opened:
        pixels = np.asarray(opened.convert("L"))
    dark = pixels < ruled.DARK
    min_run = max(20, int(dpi * _RULE_INCHES))
    grids = ruled.find_grids(dark, min_run)
    clean = ruled.erase(pixels, dark, min_run)
    outside = clean.copy()  # the page with its tables blanked: read as lines of text
    for grid in grids:
        left, top, right, bottom = grid.box
        outside[max(0, top - 2) : bottom + 3, max(0, left - 2) : right + 3] = 255

    def read(montage: np.ndarray, languages: str) -> str:
        return _tesseract(montage, languages, dpi, budget, tmp)

    found = (
        cells.read_cells(clean, grids, dpi, read, figures, settings.ocr_languages)
        if grids
        else None
    )
    return ruled.layout(
        ruled.words(read(outside, settings.ocr_languages)),
        grids,
        found.texts if found else None,
        found.reads if found else None,
    )


def _tesseract(image: np.ndarray, languages: str, dpi: int, budget: Budget, tmp: Path) -> str:
    """tesseract's TSV of an image (one page, or a montage of table cells)."""
    from PIL import Image

    path = tmp / "read.png"
    Image.fromarray(image).save(path)
    tsv = run_tool(
        ["tesseract", str(path), "stdout", "-l", languages, "--psm", "6", "--dpi", str(dpi),
         "-c", "preserve_interword_spaces=1", "tsv"],
        budget, tmp, stage="extract", failure="ocr_failed",
    )  # fmt: skip
    path.unlink()
    return tsv.decode("utf-8", "replace")


def _figures_language(budget: Budget, tmp: Path, settings: ConvertSettings) -> str:
    """The model table figures are read with: eng where installed (Debian's tesseract-ocr
    pulls it in), which reads printed digits better than chi_sim; else the page's languages."""
    listing = run_tool(
        ["tesseract", "--list-langs"], budget, tmp, stage="extract", failure="ocr_failed"
    )
    return "eng" if "eng" in listing.decode("utf-8", "replace").split() else settings.ocr_languages


def _continue(
    blocks: list[str | ruled.PageTable], page: list[str | ruled.PageTable], dpi: int
) -> None:
    """Append a page's blocks; a table that goes on from the last page's joins its rows.

    It goes on when the last page ended in a table and this one starts with a table, with at
    most a page number or running header (a short line) before it.
    """
    first = next((i for i, block in enumerate(page) if not _is_furniture(block)), None)
    last = next((b for b in reversed(blocks) if not _is_furniture(b)), None)
    if (
        first is not None
        and isinstance(page[first], ruled.PageTable)
        and isinstance(last, ruled.PageTable)
    ):
        table = page[first]
        assert isinstance(table, ruled.PageTable)
        if last.extend(table, tolerance=max(4, dpi // 25)):
            page = page[:first] + page[first + 1 :]
    blocks.extend(page)


def _core(payload: bytes) -> AnnualReport:
    """The core's record of a grids payload (to place the cells `resolve` chooses between)."""
    return analyse(payload, content_type=GRIDS_TYPE).record


def _is_furniture(block: str | ruled.PageTable) -> bool:
    """A page number or running header line, which a table may run across."""
    return isinstance(block, str) and len(block) <= _FURNITURE_CHARS


def _result(
    blocks: list[str | ruled.PageTable], settings: ConvertSettings, pages: int
) -> ConvertedDocument:
    """The OCR'd lines and grids as a grids document, with the OCR warning."""
    lines = [block for block in blocks if isinstance(block, str)]
    tables = [block.rows for block in blocks if isinstance(block, ruled.PageTable)]
    if not lines and not any(any(cell for row in table for cell in row) for table in tables):
        raise PageRejected("extract", "ocr_failed", "OCR found no text on the scan")
    warning = (
        OCR_WARNING,
        f"the text was read by OCR (tesseract {settings.ocr_languages}, {settings.ocr_dpi} dpi): "
        "wording may differ from the scan; table figures are kept only where the table's "
        "identities hold",
    )
    text = prose.repair("\n".join(lines))
    reads = {
        (n, row, column): texts
        for n, block in enumerate(b for b in blocks if isinstance(b, ruled.PageTable))
        for (row, column), texts in block.reads.items()
    }
    tables, unresolved = resolve.resolve(text, tables, reads, _core)
    ambiguous = resolve.warning(unresolved)
    payload = json.dumps({"text": text, "tables": tables}, ensure_ascii=False)
    return ConvertedDocument(
        "ocr", payload.encode("utf-8"), GRIDS_TYPE, "tesseract",
        (warning, ambiguous) if ambiguous else (warning,), pages,
    )  # fmt: skip
