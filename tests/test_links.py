"""Which links a crawler follows: report titles, pagers, attachments. Pure functions."""

from __future__ import annotations

import pytest

from producers import links
from producers.sites import LinkRules, Pagination

BASE = "http://www.example.gov.cn/zfxxgk/zfxxgknb/index.html"


def tree(html: str) -> object:
    return links.parse(html)


@pytest.mark.parametrize(
    ("label", "followed"),
    [
        ("四川省应急管理厅2019年政府信息公开工作年度报告", True),
        ("2018年度政务公开工作年报", True),
        ("伊春市安全生产监督管理局2014年政务公开工作年度报告", True),
        ("《2022年政府信息公开工作年度报告》解读", False),
        ("图解：2021年政府信息公开工作年度报告", False),
        ("政府信息公开年报", False),  # the column itself: no year
        ("2019年部门预算公开", False),
    ],
)
def test_report_titles(label: str, followed: bool) -> None:
    assert links.is_report_title(label, LinkRules()) is followed


def test_report_links_resolve_relative_and_base_href_and_skip_javascript() -> None:
    html = """<html><head><base href="http://www.example.gov.cn/art/"></head><body>
    <a href="2020/1.html">某局2019年政府信息公开工作年度报告</a>
    <a href="2020/1.html#top">某局2019年政府信息公开工作年度报告</a>
    <a href="javascript:void(0)">某局2018年政府信息公开工作年度报告</a>
    <a href="2/x.html" title="某局2017年政府信息公开工作年度报告">某局2017年…</a>
    </body></html>"""

    found = links.report_links(tree(html), BASE, LinkRules())

    assert [link.url for link in found] == [
        "http://www.example.gov.cn/art/2020/1.html",
        "http://www.example.gov.cn/art/2/x.html",
    ]
    assert found[1].text == "某局2017年政府信息公开工作年度报告"  # the fuller title attribute


def test_custom_rules_replace_the_defaults() -> None:
    html = '<a href="/a.html">应急管理部2023年政府信息公开工作报告</a>'
    assert links.report_links(tree(html), BASE, LinkRules()) == []
    rules = LinkRules(include=[r"政府信息公开工作报告"])
    assert [link.url for link in links.report_links(tree(html), BASE, rules)] == [
        "http://www.example.gov.cn/a.html"
    ]


def test_trs_pager_script_and_next_link_both_give_pages() -> None:
    html = """<a href="index_1.html">下一页</a>
    <script>createPageHTML(4, 0, "index", "shtml");</script>"""

    found = links.pagination_links(tree(html), html, BASE, Pagination())

    assert [link.url for link in found] == [
        "http://www.example.gov.cn/zfxxgk/zfxxgknb/index_1.html",
        "http://www.example.gov.cn/zfxxgk/zfxxgknb/index_1.shtml",
        "http://www.example.gov.cn/zfxxgk/zfxxgknb/index_2.shtml",
        "http://www.example.gov.cn/zfxxgk/zfxxgknb/index_3.shtml",
    ]
    assert all(link.kind == "listing" for link in found)


def test_pager_respects_max_pages_and_style() -> None:
    html = '<script>createPageHTML(50, 0, "index", "html");</script><a href="?page=2">2</a>'
    assert len(links.pagination_links(tree(html), html, BASE, Pagination(max_pages=5))) == 5
    assert links.pagination_links(tree(html), html, BASE, Pagination(style="none")) == []
    only_anchors = links.pagination_links(tree(html), html, BASE, Pagination(style="next_link"))
    assert only_anchors == []  # "2" is a page number, not a next-page link


@pytest.mark.parametrize(
    ("url", "style", "expected"),
    [
        ("http://x.gov.cn/nb/index.html", "index_n", "http://x.gov.cn/nb/index_1.html"),
        ("http://x.gov.cn/nb/index_1.html", "index_n", "http://x.gov.cn/nb/index_2.html"),
        ("http://x.gov.cn/nb/", "index_n", "http://x.gov.cn/nb/index_1.html"),
        ("http://x.gov.cn/nb/list?cat=7", "query", "http://x.gov.cn/nb/list?cat=7&page=2"),
        ("http://x.gov.cn/nb/list?page=2&cat=7", "query", "http://x.gov.cn/nb/list?page=3&cat=7"),
    ],
)
def test_next_page_url(url: str, style: str, expected: str) -> None:
    assert links.next_page_url(url, style) == expected  # type: ignore[arg-type]


def test_attachments_are_document_files_only() -> None:
    html = """<a href="/f/a.PDF">附件</a><a href="/f/b.docx">附件2</a><a href="/f/c.wps">3</a>
    <a href="/f/notice.txt">说明</a><a href="/f/a.PDF">again</a><a href="/f/x.html">html</a>"""

    found = links.attachment_links(tree(html), BASE)

    assert [link.url.rsplit("/", 1)[1] for link in found] == ["a.PDF", "b.docx", "c.wps"]
