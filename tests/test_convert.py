"""Attachments through nianbao.convert: .doc / .rtf / .xls / .xlsx / scans against the originals.

The fixtures (tests/fixtures/office, made by devtools/make_office_fixtures.py) are the real
report PDFs and the seeds converted with LibreOffice, openpyxl and pdftoppm. A test that needs
a converter binary skips, naming the Debian package, only when the binary is missing; CI runs
`make test`, which installs them.
"""

from __future__ import annotations

import functools
import shutil
from pathlib import Path

import pytest

from nianbao.convert import analyse_document, convert, sniff_kind
from nianbao.convert.run import Budget, ConvertSettings
from nianbao.convert.verify import check_ocr
from nianbao.core.errors import PageRejected
from nianbao.core.pipeline import analyse
from schemas.report import AnnualReport, Indicator, ValidationWarning
from tests.conftest import FIXTURES

OFFICE = FIXTURES / "office"
REAL = sorted((FIXTURES / "real-reports").glob("*.pdf"))
# OCR costs ~20 s a scan: the suite's per-report checks read one real report's scan, and the
# aggregate check all three (each once a session); `nianbao bench --convert` the 150 dpi scans too
OCR_SAMPLE = [path for path in REAL if path.stem == "huaian-hongzequ-2023"]
SEEDS = sorted((FIXTURES / "seeds").glob("*.txt"))
FIELDS = ("agency", "year", "format", "period", "contact")


def needs(*binaries: str) -> pytest.MarkDecorator:
    """Skip when a converter binary is missing (its Debian package named), never otherwise."""
    packages = {"soffice": "libreoffice-writer-nogui", "tesseract": "tesseract-ocr-chi-sim"}
    missing = [b for b in binaries if shutil.which(b) is None]
    return pytest.mark.skipif(
        bool(missing),
        reason=f"{', '.join(missing)} not installed (apt-get install "
        f"{' '.join(packages.get(b, 'poppler-utils') for b in missing)})",
    )


@functools.cache  # each fixture is read once per session (an OCR'd scan takes ~15 s)
def original(path: Path) -> AnnualReport:
    """The record of an original: a real report PDF or a seed capture."""
    kind = "application/pdf" if path.suffix == ".pdf" else "text/plain"
    return analyse(path.read_bytes(), content_type=kind).record


@functools.cache
def converted(name: str, content_type: str = "application/octet-stream") -> AnnualReport:
    """The record of an office fixture through the adapter and the core."""
    if name.endswith(".scan300.pdf") and content_type == "application/pdf":
        return _scans()[name]
    return analyse_document((OFFICE / name).read_bytes(), content_type=content_type).record


@functools.cache
def _scans() -> dict[str, AnnualReport]:
    """The real reports' 300 dpi scans, OCR'd once a session, two at a time (tesseract runs
    as a child process, so two threads keep both cores busy: ~45 s of OCR becomes ~25 s)."""
    from concurrent.futures import ThreadPoolExecutor

    names = [f"{pdf.stem}.scan300.pdf" for pdf in REAL]

    def read(name: str) -> AnnualReport:
        body = (OFFICE / name).read_bytes()
        return analyse_document(body, content_type="application/pdf").record

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(names, pool.map(read, names), strict=True))


def _key(indicator: Indicator) -> tuple[str, str, str | None]:
    return (
        indicator.table,
        indicator.row_code or indicator.row,
        indicator.column_code or indicator.column,
    )


def cells(a: AnnualReport, b: AnnualReport) -> tuple[float, int]:
    """Share of a's table cells b has with the same value, and b's values a has not (invented)."""
    want = {_key(i): i.value for i in a.indicators if i.table != "narrative"}
    got = {_key(i): i.value for i in b.indicators if i.table != "narrative"}
    same = sum(1 for key, value in want.items() if key in got and got[key] == value)
    invented = sum(
        1 for key, value in got.items() if value is not None and want.get(key, value + 1) != value
    )
    return (same / len(want) if want else 1.0), invented


def test_sniffing_reads_bytes_not_names() -> None:
    assert sniff_kind((OFFICE / "huaian-shi-2024.doc").read_bytes()) == "doc"
    assert sniff_kind((OFFICE / "huaian-shi-2024.doc").read_bytes(), "application/kswps") == "wps"
    assert sniff_kind((OFFICE / "huaian-shi-2024.xls").read_bytes(), "application/msword") == "xls"
    assert sniff_kind((OFFICE / "huaian-hongzequ-2023.xlsx").read_bytes()) == "xlsx"
    assert sniff_kind((OFFICE / "huaian-hongzequ-2023.rtf").read_bytes()) == "rtf"
    assert sniff_kind((OFFICE / "bomb-10000px.png").read_bytes(), "text/html") == "image"
    assert sniff_kind(REAL[0].read_bytes()) == "pdf"
    assert sniff_kind(b"<html><body>report</body></html>") is None
    assert convert(b"<html></html>", "text/html") is None  # the core reads it itself


@needs("soffice")
@pytest.mark.parametrize("source", REAL + SEEDS, ids=lambda p: p.stem)
def test_doc_record_equals_the_originals(source: Path) -> None:
    want, got = original(source), converted(f"{source.stem}.doc", "application/msword")
    assert got.text_source == "doc"
    assert [getattr(got, f) for f in FIELDS] == [getattr(want, f) for f in FIELDS]
    share, invented = cells(want, got)
    assert share >= 0.99 and invented == 0, (share, invented)


@pytest.mark.parametrize("source", REAL + SEEDS, ids=lambda p: p.stem)
def test_xls_record_equals_the_originals(source: Path) -> None:
    want, got = original(source), converted(f"{source.stem}.xls")
    assert got.text_source == "xls"
    assert [getattr(got, f) for f in FIELDS] == [getattr(want, f) for f in FIELDS]
    share, invented = cells(want, got)
    assert share >= 0.99 and invented == 0, (share, invented)


def test_xlsx_and_rtf_records_equal_the_originals() -> None:
    want = original(REAL[0])
    for name, source in (
        ("huaian-hongzequ-2023.xlsx", "xlsx"),
        ("huaian-hongzequ-2023.rtf", "rtf"),
    ):
        if source == "rtf" and shutil.which("soffice") is None:
            continue
        got = converted(name)
        assert got.text_source == source
        assert [getattr(got, f) for f in FIELDS] == [getattr(want, f) for f in FIELDS]
        assert cells(want, got) == (1.0, 0)


@needs("tesseract", "pdftoppm")
@pytest.mark.parametrize("source", OCR_SAMPLE, ids=lambda p: p.stem)
def test_scan_at_300_dpi_is_read_by_ocr_and_invents_nothing(source: Path) -> None:
    want, got = original(source), converted(f"{source.stem}.scan300.pdf", "application/pdf")
    assert got.text_source == "ocr" and got.is_report
    assert any(w.rule == "ocr.text" for w in got.warnings)
    assert (got.year, got.format) == (want.year, want.format)
    assert got.contact.phones == want.contact.phones
    _, invented = cells(want, got)
    assert invented == 0
    assert all(i.value is None for i in got.indicators if i.table not in ("applications",
               "review_litigation", "legacy_stats"))  # fmt: skip


@needs("tesseract", "pdftoppm")
@pytest.mark.parametrize("source", OCR_SAMPLE, ids=lambda p: p.stem)
def test_scan_at_300_dpi_matches_the_original(source: Path) -> None:
    want, got = original(source), converted(f"{source.stem}.scan300.pdf", "application/pdf")
    assert [getattr(got, f) for f in FIELDS] == [getattr(want, f) for f in FIELDS]
    # every figure the identities can vouch for (the original's, as check_ocr keeps them) is
    # read, and nothing is invented
    share, _ = cells(check_ocr(want), got)
    assert share >= 0.99 and cells(want, got)[1] == 0, share


@needs("tesseract", "pdftoppm")
@pytest.mark.xfail(
    reason="issue 17's 90 % of all cells cannot be vouched for on this report: its 10 主动公开 "
    "figures have no identity, and the original's own 行政复议 and 复议后起诉 totals fail (0 for "
    "11 and 5), so 166 of its 186 cells (89.2 %) are the most the identities allow",
    strict=True,
)
@pytest.mark.parametrize("source", OCR_SAMPLE, ids=lambda p: p.stem)
def test_scan_at_300_dpi_has_90_percent_of_the_originals_cells(source: Path) -> None:
    want, got = original(source), converted(f"{source.stem}.scan300.pdf", "application/pdf")
    share, invented = cells(want, got)
    assert share >= 0.90 and invented == 0, (share, invented)


@needs("tesseract", "pdftoppm")
def test_scans_at_300_dpi_have_90_percent_of_all_the_originals_cells() -> None:
    # issue 17's target over the three real reports (~20 s of OCR a scan, each read once a
    # session through `converted`): figures misread one way are recovered where the identities
    # choose between two reads (nianbao.convert.resolve)
    same = total = 0
    for source in REAL:
        want, got = original(source), converted(f"{source.stem}.scan300.pdf", "application/pdf")
        share, invented = cells(want, got)
        assert invented == 0, source.stem
        count = len({_key(i) for i in want.indicators if i.table != "narrative"})
        same, total = same + round(share * count), total + count
    assert same / total >= 0.90, (same, total)


def _review(group: str, values: list[int]) -> list[Indicator]:
    """A 复议/诉讼 group's five cells (结果维持, 结果纠正, 其他结果, 尚未审结, 总计)."""
    codes = ("upheld", "corrected", "other", "pending", "total")
    return [
        Indicator(table="review_litigation", row=group, row_code=group, column=code,
                  column_code=code, raw=str(value), value=value, semantics="number")
        for code, value in zip(codes, values, strict=True)
    ]  # fmt: skip


def test_ocr_figures_are_kept_only_where_identities_hold() -> None:
    active = Indicator(table="active_disclosure", row="y", raw="7", value=7, semantics="number")
    holds, fails = _review("review", [1, 1, 0, 0, 2]), _review("litigation_direct", [3, 0, 0, 0, 8])
    record = AnnualReport(is_report=True, indicators=[*holds, *fails, active])
    kept = check_ocr(record)
    # the group whose total is its parts' sum is kept; the one that fails and 主动公开 (no
    # identity) are null, their raw text kept
    assert [i.value for i in kept.indicators] == [1, 1, 0, 0, 2, *[None] * 5, None]
    assert [i.raw for i in kept.indicators][5:] == ["3", "0", "0", "0", "8", "7"]
    assert any(w.rule == "ocr.unverified" for w in kept.warnings)
    unread = record.model_copy(
        update={"warnings": [ValidationWarning(rule="review_litigation.unreadable", message="")]}
    )
    assert all(i.value is None for i in check_ocr(unread).indicators)


def test_an_application_row_is_vouched_only_by_its_column_identities() -> None:
    def cell(row: str, column: str, value: int) -> Indicator:
        return Indicator(
            table="applications", row=row, row_code=row, column=column, column_code=column,
            raw=str(value), value=value, semantics="number",
        )  # fmt: skip

    # a row whose own total holds, with no column identity to place it, is not vouched
    row = [cell("granted", "natural_person", 2), cell("granted", "total", 2)]
    assert all(
        i.value is None for i in check_ocr(AnnualReport(is_report=True, indicators=row)).indicators
    )
    balance = [cell(r, "total", v) for r, v in (("new_received", 5), ("carried_over", 1),
                                                 ("total", 4), ("carried_forward", 2))]  # fmt: skip
    assert [
        i.value for i in check_ocr(AnnualReport(is_report=True, indicators=balance)).indicators
    ] == [5, 1, 4, 2]


@needs("soffice")
def test_corrupt_doc_is_quarantined_as_convert_failed() -> None:
    with pytest.raises(PageRejected) as info:
        converted("corrupt.doc", "application/msword")
    assert (info.value.stage, info.value.reason) == ("extract", "convert_failed")


def test_corrupt_xls_is_quarantined_as_convert_failed() -> None:
    with pytest.raises(PageRejected) as info:
        converted("corrupt.xls", "application/vnd.ms-excel")
    assert (info.value.stage, info.value.reason) == ("extract", "convert_failed")


@needs("tesseract", "pdftoppm")
@pytest.mark.parametrize("name", ["bomb-10000px.png", "bomb-10000px.pdf"])
def test_ocr_bomb_is_refused_before_any_pixel_is_decoded(name: str) -> None:
    with pytest.raises(PageRejected) as info:
        converted(name)
    assert (info.value.stage, info.value.reason) == ("extract", "ocr_failed")
    assert "over the limit" in info.value.detail and "not rasterised" in info.value.detail


@needs("soffice")
def test_a_converter_over_its_time_is_killed_as_convert_timeout() -> None:
    from nianbao.convert.word import libreoffice

    budget = Budget(Budget.start().deadline - 119.9, 2 << 30)  # 0.1 s left of 120
    with pytest.raises(PageRejected) as info:
        libreoffice((OFFICE / "huaian-shi-2024.doc").read_bytes(), "doc", budget)
    assert info.value.reason == "convert_timeout"


def test_a_missing_converter_names_its_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(PageRejected) as info:  # not the cached record: this PATH has no tools
        converted.__wrapped__("huaian-shi-2024.doc", "application/msword")
    assert info.value.reason == "converter_missing"
    assert "libreoffice-writer-nogui" in info.value.detail


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NIANBAO_OCR_MAX_PIXELS", "1000")
    assert ConvertSettings().ocr_max_pixels == 1000


def test_old_records_without_text_source_still_validate() -> None:
    data = AnnualReport(is_report=True).model_dump(mode="json")
    del data["text_source"]
    assert AnnualReport.model_validate(data).text_source is None


@pytest.mark.services
@needs("soffice")
def test_worker_stores_a_doc_and_quarantines_a_converter_failure(
    distributed: dict, start_worker
) -> None:
    from nianbao import runtime
    from producers.ingest import ingest_file
    from tests.services import wait_until

    worker = start_worker(distributed)
    ingest_file(OFFICE / "huaian-shi-2024.doc")
    ingest_file(OFFICE / "corrupt.doc")

    def settled() -> bool:
        counts = runtime.repository().counts()
        return counts["sources"] + counts["quarantined"] >= 2

    wait_until(settled, timeout=300, message=worker.output()[-3000:])
    reasons = {
        row.url.rsplit("/", 1)[-1]: row.reason for row in runtime.repository().list_quarantine()
    }
    assert reasons == {"corrupt.doc": "convert_failed"}
    assert runtime.repository().counts()["reports"] == 1
    assert worker.proc.poll() is None
