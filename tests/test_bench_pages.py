"""The benchmark pages: the seed pages and every dev-set capture, read as the captures read."""

from __future__ import annotations

from pathlib import Path

import pytest

from devtools.bench_pages import DEV_SET, SEEDS, bench_pages, html_page
from nianbao.core.extract import extract
from nianbao.core.parse import parse
from nianbao.core.validate import validate
from schemas.report import AnnualReport

PAGES = bench_pages()
BY_NAME = dict(PAGES)


def _plain(path: Path) -> AnnualReport:
    return validate(parse(extract(path.read_bytes(), "text/plain")))


def _page(body: bytes) -> AnnualReport:
    return validate(parse(extract(body, "text/html")))


def test_pages_are_the_seed_pages_then_every_dev_set_capture() -> None:
    seeds = sorted(path.name for path in SEEDS.glob("*.txt"))
    dev_set = sorted(path.name for path in DEV_SET.glob("*.txt"))
    names = [name for name, _ in PAGES]
    served = sorted({name.split("@")[0] for name in names[: -len(dev_set)]})
    assert served == seeds
    assert names[-len(dev_set) :] == dev_set
    assert len(dev_set) >= 27
    assert all(b"<html" in body and body.rstrip().endswith(b"</html>") for _, body in PAGES)


def test_pages_are_built_the_same_every_time() -> None:
    assert bench_pages() == PAGES


@pytest.mark.parametrize("name", sorted(p.name for p in DEV_SET.glob("*.txt")))
def test_a_dev_set_page_reads_as_its_capture(name: str) -> None:
    plain, page = _plain(DEV_SET / name), _page(BY_NAME[name])
    assert (page.year, page.agency.name, page.is_report) == (
        plain.year,
        plain.agency.name,
        plain.is_report,
    )


def test_seed_pages_read_as_reports_of_their_seeds_year() -> None:
    for name, body in PAGES:
        if "@" not in name:
            continue
        plain, page = _plain(SEEDS / name.split("@")[0]), _page(body)
        assert page.is_report and page.agency.name, name
        assert page.year == plain.year, name


def test_a_page_has_chrome_around_the_report_and_pipe_rows_as_a_table() -> None:
    text = (
        "某某镇人民政府\n2022年政府信息公开工作年度报告\n一、总体情况\n"
        + "主动公开政府信息。" * 30
        + "\n"
        "| 规章 | 2 | 0 | 2 |\n| 第二十条 | |||\n"
    )
    page = html_page(text, "x_2022_pages.txt").decode("utf-8")
    assert "<title>某某镇人民政府2022年政府信息公开工作年度报告_" in page
    assert page.count("<li><a ") >= 20
    assert "当前位置" in page and "分享到" in page and "网站标识码" in page
    assert '<div class="TRS_Editor" id="zoom">' in page
    assert "<p>一、总体情况</p>" in page
    assert "<tr><td>规章</td><td>2</td><td>0</td><td>2</td></tr>" in page
    assert '<tr><td colspan="4">第二十条</td></tr>' in page
    doc = extract(page.encode(), "text/html")
    assert doc.tables[0].rows[0] == ("规章", "2", "0", "2")
    assert doc.lines == ["一、总体情况", "主动公开政府信息。" * 30]  # the chrome is left out
