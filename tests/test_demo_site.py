"""Tests for the local demo government website (devtools/demo_site.py)."""

import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from devtools.demo_site import LISTING_PATH, DemoPage, DemoSite, content_lines

SEEDS_DIR = Path(__file__).parent / "fixtures" / "seeds"
CONTAINER_IDS = {"agency": "zoom", "portal": "ivs_content"}


class _PageParser(HTMLParser):
    """Collects list items (href, text, date span), meta tags and the content container."""

    def __init__(self, container_id: str | None = None) -> None:
        super().__init__(convert_charrefs=True)
        self.container_id = container_id
        self.items: list[tuple[str, str, str]] = []
        self.meta: dict[str, str] = {}
        self.paragraphs: list[str] = []
        self.container_found = False
        self._li: dict[str, str] | None = None
        self._in: str | None = None  # "a" or "span" inside an <li>
        self._div_depth = 0  # depth of <div> nesting inside the container, 0 = outside
        self._p: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "meta" and "name" in a:
            self.meta[a["name"]] = a.get("content", "")
        elif tag == "li":
            self._li = {"href": "", "text": "", "date": ""}
        elif tag == "a" and self._li is not None:
            self._li["href"] = a.get("href", "")
            self._in = "text"
        elif tag == "span" and self._li is not None:
            self._in = "date"
        elif tag == "div":
            if self._div_depth:
                self._div_depth += 1
            elif self.container_id is not None and a.get("id") == self.container_id:
                self._div_depth = 1
                self.container_found = True
        elif tag == "p" and self._div_depth:
            self._p = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "li" and self._li is not None:
            self.items.append((self._li["href"], self._li["text"], self._li["date"]))
            self._li = None
        elif tag in ("a", "span"):
            self._in = None
        elif tag == "div" and self._div_depth:
            self._div_depth -= 1
        elif tag == "p" and self._p is not None:
            self.paragraphs.append("".join(self._p))
            self._p = None

    def handle_data(self, data: str) -> None:
        if self._li is not None and self._in is not None:
            self._li[self._in] += data
        if self._p is not None:
            self._p.append(data)


def _fetch(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            body = resp.read()
            assert int(resp.headers["Content-Length"]) == len(body)
            return resp.status, resp.headers["Content-Type"], body.decode("utf-8")
    except urllib.error.HTTPError as err:
        body = err.read()
        return err.code, err.headers["Content-Type"], body.decode("utf-8")


def _parse(html_text: str, container_id: str | None = None) -> _PageParser:
    parser = _PageParser(container_id)
    parser.feed(html_text)
    parser.close()
    return parser


def _split_chrome(html_text: str, container_id: str) -> tuple[list[str], list[str]]:
    """(chrome lines, container lines): the container runs from its opening tag line to the
    first bare ``</div>`` after it (the renderer writes one <p> per line)."""
    lines = html_text.split("\n")
    start = next(i for i, line in enumerate(lines) if f'id="{container_id}"' in line)
    end = next(i for i in range(start + 1, len(lines)) if lines[i] == "</div>")
    return lines[:start] + lines[end + 1 :], lines[start + 1 : end]


@pytest.fixture(scope="module")
def site() -> Iterator[DemoSite]:
    with DemoSite(SEEDS_DIR) as running:
        yield running


def _seed_lines(page: DemoPage) -> list[str]:
    assert page.seed is not None
    return content_lines((SEEDS_DIR / page.seed).read_text(encoding="utf-8"))


def test_page_list(site: DemoSite) -> None:
    pages = site.pages
    assert len(pages) == 9
    assert len({p.path for p in pages}) == 9
    expected = [p.expected for p in pages]
    assert expected.count("report") == 5
    assert expected.count("duplicate") == 1
    assert expected.count("not_report") == 1
    assert expected.count("not_followed") == 2
    seeds = sorted(p.seed for p in pages if p.expected == "report" and p.seed)
    assert seeds == sorted(f.name for f in SEEDS_DIR.glob("*.txt"))
    (dup,) = [p for p in pages if p.expected == "duplicate"]
    assert dup.seed is not None and dup.seed.startswith("003_")
    assert dup.template == "portal"
    assert {p.template for p in pages if p is not dup} == {"agency"}
    assert all(p.seed is None for p in pages if p.expected in ("not_report", "not_followed"))


def test_titles_come_from_seed_text(site: DemoSite) -> None:
    by_prefix = {p.seed[:3]: p for p in site.pages if p.expected == "report" and p.seed}
    texts = {
        k: (SEEDS_DIR / p.seed).read_text(encoding="utf-8") for k, p in by_prefix.items() if p.seed
    }
    assert by_prefix["000"].title == "贵州省安全生产监督管理局2017年政府信息公开工作年度报告"
    assert "2017年度贵州省安全生产监督管理局" in texts["000"]
    assert by_prefix["001"].title in texts["001"]
    assert by_prefix["002"].title == "罗庄区安全生产监督管理局2018年政府信息公开工作年度报告"
    assert "罗庄区安全生产监督管理局" in texts["002"] and "2018年1月1日" in texts["002"]
    first, second = texts["003"].split("\n")[:2]
    assert by_prefix["003"].title == first + second
    assert texts["004"].split("\n")[0] == by_prefix["004"].title


def test_listing_links_every_page(site: DemoSite) -> None:
    assert site.listing_url == site.base_url + LISTING_PATH
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", site.base_url)
    status, ctype, body = _fetch(site.listing_url)
    assert status == 200
    assert ctype == "text/html; charset=utf-8"
    assert "当前位置" in body and "政府信息公开年报" in body
    assert "主办单位" in body and "ICP" in body and "网站标识码" in body
    items = {href: (text, date) for href, text, date in _parse(body).items if date}
    assert set(items) == {p.path for p in site.pages}
    for page in site.pages:
        text, date = items[page.path]
        assert text == page.title
        assert re.fullmatch(r"20(1[4-9]|20)-\d\d-\d\d", date)


def test_pages_render_seed_text(site: DemoSite) -> None:
    for page in site.pages:
        status, ctype, body = _fetch(site.base_url + page.path)
        assert status == 200, page.path
        assert ctype == "text/html; charset=utf-8"
        assert body.startswith("<!") and '<meta charset="' in body
        parsed = _parse(body, CONTAINER_IDS[page.template])
        assert parsed.container_found, page.path
        assert parsed.meta["ArticleTitle"] == page.title
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", parsed.meta["PubDate"])
        assert parsed.meta["SiteName"] and parsed.meta["ContentSource"]
        assert "<h1" in body and page.title in body
        if page.seed is not None:
            assert parsed.paragraphs == _seed_lines(page), page.path
        else:
            assert len(parsed.paragraphs) >= 3
        if page.template == "agency":
            assert 'class="TRS_Editor" id="zoom"' in body
            assert "扫一扫在手机打开当前页" in body
            assert "上一篇" in body and "下一篇" in body
            assert "字体：[" in body and "分享到：" in body


def test_seed_dates_used(site: DemoSite) -> None:
    by_prefix = {p.seed[:3]: p for p in site.pages if p.expected == "report" and p.seed}
    for prefix, date in (("001", "2014-12-25"), ("004", "2020-01-20")):
        _, _, body = _fetch(site.base_url + by_prefix[prefix].path)
        assert _parse(body).meta["PubDate"] == date
        assert f"发布时间：{date}" in body


def test_duplicate_differs_only_outside_the_content(site: DemoSite) -> None:
    (dup,) = [p for p in site.pages if p.expected == "duplicate"]
    (orig,) = [p for p in site.pages if p.expected == "report" and p.seed == dup.seed]
    _, _, orig_html = _fetch(site.base_url + orig.path)
    _, _, dup_html = _fetch(site.base_url + dup.path)
    orig_chrome, orig_content = _split_chrome(orig_html, "zoom")
    dup_chrome, dup_content = _split_chrome(dup_html, "ivs_content")
    assert orig_content == dup_content
    assert _parse(orig_html, "zoom").paragraphs == _parse(dup_html, "ivs_content").paragraphs
    assert _parse(dup_html, "ivs_content").paragraphs == _seed_lines(dup)
    shared = {ln.strip() for ln in orig_chrome} & {ln.strip() for ln in dup_chrome}
    assert shared <= {""}, shared
    for marker in ("信息索引", "索引号", "发布机构", "发文日期"):
        assert marker in dup_html and marker not in orig_html


def test_unknown_paths_are_404_and_robots(site: DemoSite) -> None:
    for path in ("/nope.html", "/zfxxgk/zfxxgknb/201801/t20180115_9999.html"):
        status, ctype, body = _fetch(site.base_url + path)
        assert status == 404
        assert ctype == "text/html; charset=utf-8"
        assert "404" in body
    status, ctype, body = _fetch(site.base_url + "/robots.txt")
    assert status == 200 and ctype.startswith("text/plain")
    assert "User-agent: *" in body and "Allow: /" in body


def test_every_internal_link_resolves(site: DemoSite) -> None:
    for page in site.pages:
        _, _, body = _fetch(site.base_url + page.path)
        for href in re.findall(r'href="(/[^"]*)"', body):
            assert _fetch(site.base_url + href)[0] == 200, (page.path, href)


def test_stop_releases_the_port() -> None:
    demo = DemoSite(SEEDS_DIR).start()
    url = demo.listing_url
    assert _fetch(url)[0] == 200
    demo.stop()
    demo.stop()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url, timeout=2)
    with pytest.raises(RuntimeError):
        _ = demo.base_url
