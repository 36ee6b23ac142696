"""Hostile inputs, one test per class of defect: each would crash, hang or blow memory before.

Every input goes through `nianbao.limits.run_bounded`, so on a reader without the fix the test
fails with parse_timeout or memory_limit instead of taking the test process down.
"""

from __future__ import annotations

import signal
import time

import pytest

from devtools import hostile_corpus as hc
from nianbao.core.errors import PageRejected
from nianbao.core.extract import extract
from nianbao.core.parse import parse
from nianbao.core.pipeline import analyse
from nianbao.core.readers.common import MAX_SPAN, span_value
from nianbao.core.readers.html import bound_markup
from nianbao.core.validate import validate
from nianbao.limits import ChildFailed, Limits, run_bounded, run_measured

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BOUNDS = Limits(seconds=20, memory_bytes=1_000_000_000)


def bounded(body: bytes, content_type: str) -> object:
    """The record of a body (parsed in a bounded child), or the PageRejected it raised."""
    try:
        return run_bounded(lambda: analyse(body, content_type=content_type).record, BOUNDS)
    except PageRejected as rejected:
        return rejected


def reason(body: bytes, content_type: str) -> str | None:
    outcome = bounded(body, content_type)
    return outcome.reason if isinstance(outcome, PageRejected) else None


# -- 1. spans and grid sizes ------------------------------------------------------------------


@pytest.mark.parametrize("prop", ["gridSpan", "gridBefore", "gridAfter"])
def test_docx_grid_properties_of_a_billion_are_clamped(prop: str) -> None:
    props = f'<w:{prop} w:val="1000000000"/>'
    cell = hc.w_cell("x", props) if prop == "gridSpan" else hc.w_cell("x")
    row = hc.w_row([cell, hc.w_cell("y")], "" if prop == "gridSpan" else props)
    record = bounded(hc.docx_table([row, *hc.normal_rows()])(), DOCX)
    assert not isinstance(record, PageRejected), record
    assert record.year == 2023


def test_docx_span_bomb_on_every_row_is_table_too_large() -> None:
    rows = [hc.w_row([hc.w_cell("x", '<w:gridSpan w:val="1000000000"/>')] * 10)] * 100
    assert reason(hc.docx_table(rows)(), DOCX) == "table_too_large"


def test_docx_long_vertical_merge_is_linear_and_capped() -> None:
    first = hc.w_row([hc.w_cell("x", '<w:vMerge w:val="restart"/>'), hc.w_cell("1")])
    rest = [hc.w_row([hc.w_cell("", "<w:vMerge/>"), hc.w_cell("1")])] * 30_000
    start = time.monotonic()
    assert reason(hc.docx_table([first, *rest])(), DOCX) == "table_too_large"
    assert time.monotonic() - start < 10


@pytest.mark.parametrize("value", ["9" * 5000, "99999999999999999999", "1e9", "-3", "abc", ""])
def test_span_values_never_raise(value: str) -> None:
    assert 0 <= span_value(value) <= MAX_SPAN * 50_000
    page = hc.page(f'<table><tr><td colspan="{value}" rowspan="{value}">x</td><td>y</td></tr>'
                   "<tr><td>1</td><td>2</td></tr></table>")  # fmt: skip
    assert not isinstance(bounded(page.encode(), "text/html"), PageRejected)


def test_html_empty_rows_count_towards_the_cell_cap() -> None:
    page = hc.page("<table>" + "<tr></tr>" * 100_000 + "<tr><td>1</td><td colspan=99>2</td></tr>")
    assert reason(page.encode(), "text/html") == "table_too_large"


# -- 2. inflated parts ------------------------------------------------------------------------


def test_docx_member_inflating_past_the_cap_is_a_bomb() -> None:
    assert reason(hc.docx_zip_bomb(300 << 20)(), DOCX) == "decompression_bomb"


def test_docx_member_lying_about_its_size_is_not_read_past_it() -> None:
    outcome = reason(hc.docx_lying_size(2_000_000)(), DOCX)
    assert outcome in {"decompression_bomb", "broken_docx"}


def test_docx_with_thousands_of_members_is_a_bomb() -> None:
    assert reason(hc.docx_many_members(6000)(), DOCX) == "decompression_bomb"


@pytest.mark.parametrize("layers", [1, 2])
def test_pdf_stream_inflating_past_the_cap_is_a_bomb(layers: int) -> None:
    body = hc.pdf_bomb(200 << 20, layers=layers, content=False)()
    start = time.monotonic()
    assert reason(body, "application/pdf") == "decompression_bomb"
    assert time.monotonic() - start < 10


def test_pdf_streams_adding_up_past_the_cap_are_a_bomb() -> None:
    assert reason(hc.many_small_bombs(6, 100 << 20)(), "application/pdf") == "decompression_bomb"


def test_an_ordinary_pdf_passes_the_stream_check() -> None:
    record = bounded(hc.report_pdf(), "application/pdf")
    assert not isinstance(record, PageRejected) and record.year == 2023


# -- 3. C code bounded ------------------------------------------------------------------------


def test_a_tag_with_200000_attributes_parses_in_well_under_a_second() -> None:
    """lexbor took 195 s on this tag; the pre-pass cuts it to its name first."""
    body = hc.page(f"<div{''.join(f' a{i}=x' for i in range(200_000))}>{hc.title()}</div>")
    start = time.monotonic()
    record = bounded(body.encode(), "text/html")
    assert time.monotonic() - start < 3
    assert not isinstance(record, PageRejected) and record.year == 2023


@pytest.mark.parametrize("piece", [" a=x", 'a=""', "/a", " a"])
def test_bound_markup_cuts_every_form_of_attribute_flood(piece: str) -> None:
    html = "<p>x</p><div id=zoom" + piece * 5000 + ">text</div>"
    assert bound_markup(html) == "<p>x</p><div>text</div>"


def test_bound_markup_keeps_long_ordinary_tags() -> None:
    html = f'<img src="data:image/png;base64,{"A" * 50_000}"><div id="zoom" style="{"a:b;" * 600}">'
    assert bound_markup(html) == html


def test_bound_markup_is_linear_on_unclosed_tags() -> None:
    start = time.monotonic()
    bound_markup("<a" * 2_000_000)
    bound_markup("<" + "a" * 5_000_000)
    assert time.monotonic() - start < 2


def _stuck_in_c() -> None:
    """Code the in-process timer cannot stop: SIGALRM is blocked, as inside a C call."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    while True:
        pass


def test_the_child_is_killed_when_the_timer_cannot_act() -> None:
    start = time.monotonic()
    with pytest.raises(PageRejected) as info:
        run_bounded(_stuck_in_c, Limits(seconds=0.5))
    assert info.value.reason == "parse_timeout"
    assert time.monotonic() - start < 5


def test_the_child_memory_cap_becomes_memory_limit() -> None:
    with pytest.raises(PageRejected) as info:
        run_bounded(lambda: bytearray(3_000_000_000), Limits(seconds=10, memory_bytes=500_000_000))
    assert info.value.reason == "memory_limit"


def test_a_dead_child_is_parser_crashed_and_a_bug_is_child_failed() -> None:
    import ctypes
    import faulthandler

    def segfault() -> None:
        faulthandler.disable()  # no dump of the test process's threads on stderr
        ctypes.string_at(0)

    with pytest.raises(PageRejected) as info:
        run_bounded(segfault, Limits(seconds=5))
    assert info.value.reason == "parser_crashed"
    with pytest.raises(ChildFailed) as failed:
        run_bounded(lambda: {}["missing"], Limits(seconds=5))
    assert "KeyError" in failed.value.trace


def test_the_child_returns_the_value_and_its_usage() -> None:
    value, usage = run_measured(lambda: {"ok": [1, 2, 3]}, Limits(seconds=5))
    assert value == {"ok": [1, 2, 3]} and usage.peak_rss > 0 and usage.seconds < 5


# -- 4. reader exceptions are rejections ------------------------------------------------------


@pytest.mark.parametrize(
    "document",
    [
        '<?xml version="1.0"?><html><body>x</body></html>',
        f'<?xml version="1.0"?><w:document {hc.W}/>',
        hc.document_xml("", root="w:body"),
    ],
)
def test_docx_without_a_word_body_is_broken_docx(document: str) -> None:
    assert reason(hc.docx(document), DOCX) == "broken_docx"


def test_docx_vertical_merge_in_the_first_row_reads() -> None:
    rows = [hc.w_row([hc.w_cell("x", "<w:vMerge/>"), hc.w_cell("y")]), *hc.normal_rows()]
    record = bounded(hc.docx_table(rows)(), DOCX)
    assert not isinstance(record, PageRejected) and record.year == 2023


@pytest.mark.parametrize(
    "exc", [AttributeError("x"), ValueError("x"), RecursionError(), KeyError(1)]
)
def test_any_reader_exception_is_unreadable_document(
    monkeypatch: pytest.MonkeyPatch, exc: Exception
) -> None:
    def explode(*_args: object) -> None:
        raise exc

    monkeypatch.setattr("nianbao.core.extract.read_html", explode)
    with pytest.raises(PageRejected) as info:
        analyse(hc.report_html().encode(), content_type="text/html")
    assert (info.value.stage, info.value.reason) == ("extract", "unreadable_document")


def test_memory_error_in_a_reader_is_memory_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*_args: object) -> None:
        raise MemoryError

    monkeypatch.setattr("nianbao.core.extract.read_docx", explode)
    with pytest.raises(PageRejected) as info:
        extract(hc.docx(), DOCX)
    assert info.value.reason == "memory_limit"


def test_a_host_time_limit_is_not_swallowed(monkeypatch: pytest.MonkeyPatch) -> None:
    class SoftTimeLimitExceeded(Exception):  # Celery's, by name
        pass

    def explode(*_args: object) -> None:
        raise SoftTimeLimitExceeded

    monkeypatch.setattr("nianbao.core.extract.read_pdf", explode)
    with pytest.raises(SoftTimeLimitExceeded):
        extract(hc.report_pdf(), "application/pdf")


@pytest.mark.parametrize("make", [hc.BILLION_LAUGHS, hc.XXE])
def test_docx_entities_stay_inert(make: str) -> None:
    body = hc.docx(hc.document_xml(hc.w_paragraph("&lol9;&xxe;"), doctype=make))
    outcome = bounded(body, DOCX)
    text = outcome.model_dump_json() if not isinstance(outcome, PageRejected) else str(outcome)
    assert "root:x:0:0" not in text and "lollollol" not in text


# -- 5. records always pass their schema ------------------------------------------------------


@pytest.mark.parametrize("year", ["1950", "1989", "9999", "1899", "0000"])
def test_title_year_outside_the_schema_is_dropped(year: str) -> None:
    analysis = analyse(hc.report_html(year=year).encode(), content_type="text/html")
    assert analysis.record.year is None or 1990 <= analysis.record.year <= 2100


def test_an_out_of_range_title_year_is_a_warning() -> None:
    record = analyse(hc.report_html(year="1950").encode(), content_type="text/html").record
    assert record.year is None
    assert "year.out_of_range" in [w.rule for w in record.warnings]


@pytest.mark.parametrize("start", ["9999", "0001", "1905"])
def test_period_years_outside_the_schema_are_dropped(start: str) -> None:
    text = hc.report_text().replace(
        "2023年1月1日起至2023年12月31日", f"{start}年1月1日起至{start}年12月31日"
    )
    record = analyse(text.encode(), content_type="text/plain").record
    assert record.year is None or 1990 <= record.year <= 2100


def test_validate_rejects_what_the_schema_would_reject() -> None:
    parsed = parse(extract(hc.report_html().encode(), "text/html"))
    parsed.year = 5000
    with pytest.raises(PageRejected) as info:
        validate(parsed)
    assert (info.value.stage, info.value.reason) == ("validate", "invalid_record")


def test_absurd_numbers_give_records_that_round_trip() -> None:
    from schemas.report import AnnualReport

    for number in ["9" * 400, "1e400", "九" * 5000, "1" * 5000 + "%"]:
        rows = [row[:] for row in hc.TABLE_ROWS]
        rows[2][2] = number
        record = analyse(
            hc.report_html(extra=hc.html_table(rows)).encode(), content_type="text/html"
        ).record
        assert AnnualReport.model_validate_json(record.model_dump_json()) == record


def test_deeply_nested_containers_are_cut_to_a_bounded_depth() -> None:
    """lexbor took 37 s on 100,000 nested <div>s (quadratic in the depth)."""
    depth = 100_000
    body = hc.page("<div>" * depth + hc.title() + "</div>" * depth)
    start = time.monotonic()
    record = bounded(body.encode(), "text/html")
    assert time.monotonic() - start < 5
    assert not isinstance(record, PageRejected) and record.year == 2023
    assert bound_markup(body).count("<div>") <= 1_000 + body[:2000].count("<div")
