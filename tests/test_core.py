"""The pure core on real pages: decoding, extraction, first parse, fingerprints, rejections."""

from __future__ import annotations

from pathlib import Path

import pytest

from devtools.demo_site import DemoSite
from nianbao.core.errors import PageRejected
from nianbao.core.extract import extract, is_chrome_line
from nianbao.core.fingerprint import exact_key as _exact_key
from nianbao.core.fingerprint import folded_content
from nianbao.core.pipeline import analyse
from nianbao.core.text import decode
from tests.conftest import SEEDS

EXPECTED = {
    "000": (None, "贵州省安全生产监督管理局、贵州煤矿安全监察局", 2017, "pre2019"),
    "001": (
        "伊春市安全生产监督管理局2014年政务公开工作年度报告",
        "伊春市安全生产监督管理局",
        2014,
        "pre2019",
    ),
    "002": (None, "罗庄区安全生产监督管理局", 2018, "pre2019"),
    "003": (
        "温州市安全生产监督管理局2017年政府信息公开工作年度报告",
        "温州市安全生产监督管理局",
        2017,
        "pre2019",
    ),
    "004": (
        "四川省应急管理厅2019年政府信息公开工作年度报告",
        "四川省应急管理厅",
        2019,
        "gb2019",
    ),
}


def exact_key(text: str) -> str:
    return _exact_key(folded_content(text))


def seed(prefix: str) -> Path:
    return next(SEEDS.glob(f"{prefix}_*.txt"))


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_seed_text_first_fields(prefix: str) -> None:
    record = analyse(seed(prefix).read_bytes(), content_type="text/plain").record
    assert record.is_report
    assert (record.title, record.agency.name, record.year, record.format) == EXPECTED[prefix]


def test_published_date_from_the_page_header() -> None:
    record = analyse(seed("004").read_bytes(), content_type="text/plain").record
    assert str(record.published_on) == "2020-01-20"


def test_gbk_page_with_lying_and_missing_declarations() -> None:
    html = "<html><head><meta charset='gb2312'></head><body><p>政府信息公开工作年度报告</p>"
    assert decode(html.encode("gb18030"))[0] == html
    assert decode(html.encode("gb18030"), "iso-8859-1")[0] == html  # header lies
    assert decode(html.encode("utf-8"), "gb2312")[0] == html  # meta lies


def test_binary_garbage_is_rejected_with_a_reason() -> None:
    garbage = bytes(range(256)) * 200
    with pytest.raises(PageRejected) as info:
        analyse(garbage, content_type="text/html")
    assert info.value.reason in {"binary_content", "undecodable"}


def test_oversized_body_is_rejected_before_parsing() -> None:
    with pytest.raises(PageRejected) as info:
        analyse(b"x" * 2048, content_type="text/plain", max_bytes=1024)
    assert info.value.reason == "too_large"


def test_unsupported_type_is_rejected() -> None:
    with pytest.raises(PageRejected) as info:
        analyse(b"%PDF-1.7 ...", content_type="application/msword")
    assert info.value.reason == "unsupported_content_type"


def test_a_notice_about_reports_is_not_a_report() -> None:
    html = (
        "<html><head><title>关于做好2019年政府信息公开工作年度报告编制发布工作的通知</title>"
        "</head><body><div id='zoom'>" + "<p>各区县政府：请按时编制并发布年度报告。</p>" * 20
    )
    analysis = analyse(html.encode(), content_type="text/html")
    assert not analysis.record.is_report
    assert analysis.rejection is not None and analysis.rejection.reason == "not_a_report"


@pytest.mark.parametrize(
    "line",
    [
        "发布时间: 2020-01-20",
        "• 来源: 厅办公室",
        "字体:",
        "分享到:",
        "【大 中 小】",
        "扫一扫在手机打开当前页面",
        "上一篇：无",
    ],
)
def test_chrome_lines(line: str) -> None:
    assert is_chrome_line(line)


@pytest.mark.parametrize("line", ["一、概述", "本报告所列数据的统计期限自2019年1月1日起。"])
def test_report_lines_are_not_chrome(line: str) -> None:
    assert not is_chrome_line(line)


def test_same_report_under_two_chromes_has_one_fingerprint() -> None:
    """The demo site publishes seed 003 twice with different page chrome."""
    import urllib.request

    with DemoSite(SEEDS) as site:
        copies = [p for p in site.pages if p.seed and p.seed.startswith("003")]
        assert len(copies) == 2
        bodies = [urllib.request.urlopen(site.base_url + p.path).read() for p in copies]
    docs = [extract(body, "text/html") for body in bodies]
    assert bodies[0] != bodies[1]
    assert exact_key(docs[0].text) == exact_key(docs[1].text)
    assert "温州市安全生产监督管理局" in docs[0].text
    assert not any(is_chrome_line(line) for line in docs[0].lines)


def test_different_years_never_share_a_fingerprint() -> None:
    text = seed("003").read_text()
    assert exact_key(text) != exact_key(text.replace("2017", "2018"))


def test_width_and_spacing_do_not_change_the_fingerprint() -> None:
    text = seed("000").read_text()
    variant = text.replace(",", "，").replace("(", "（").replace(")", "）").replace("\n", "\n\n  ")
    assert exact_key(text) == exact_key(variant)
