"""Self-test of the fake government site: it behaves as its own description says (plain httpx)."""

from __future__ import annotations

import io
import re
import threading
import time
import zlib
from collections.abc import Iterator
from email.utils import formatdate, parsedate_to_datetime
from urllib.parse import urljoin

import docx
import httpx
import pytest

from tests.fake_gov_site import FakeGovSite

REPORT_2022 = "/art/2023/report-2022.html"
REPORT_2021 = "/art/2022/report-2021.html"
REPORT_2020 = "/art/2021/report-2020.html"


@pytest.fixture
def site() -> Iterator[FakeGovSite]:
    """A fresh site per test (the 503-once state is per site)."""
    with FakeGovSite() as running:
        yield running


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    """A plain httpx client that does not follow redirects."""
    with httpx.Client(timeout=5) as http:
        yield http


def _hrefs(page: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)"', page)


def test_listings_decode_in_declared_encodings_and_link_everything(
    site: FakeGovSite, client: httpx.Client
) -> None:
    linked: set[str] = set()
    for index, (path, encoding) in enumerate(site.LISTINGS.items()):
        response = client.get(site.url(path))
        assert response.status_code == 200
        assert response.headers["content-type"] == f"text/html; charset={encoding}"
        text = response.content.decode(encoding)  # strict: the body is what it declares
        assert f'createPageHTML(3, {index}, "index", "html")' in text
        has_next = re.search(r'<a href="[^"]+">下一页</a>', text) is not None
        assert has_next == (index < 2)
        linked |= {urljoin(site.url(path), href) for href in _hrefs(text)}
    assert set(site.listed) <= linked
    for facts in site.reports.values():
        assert site.url(facts["link"]) in site.listed
        assert site.listed[site.url(facts["link"])] == facts["title"]
    for path in site.FAILING:
        assert site.url(path) in site.listed
    for url in site.not_followed:
        assert url in site.listed
    assert site.intranet_url.startswith(f"http://{site.INTRANET_HOST}:{site.port}/")


def test_report_pages_wrap_seed_text_in_their_encoding(
    site: FakeGovSite, client: httpx.Client
) -> None:
    for path, facts in site.reports.items():
        response = client.get(site.url(path))
        if response.status_code == 503:  # the flaky page's first answer
            response = client.get(site.url(path))
        assert response.status_code == 200
        text = response.content.decode(facts["encoding"])
        assert f"<h1>{facts['title']}</h1>" in text
        assert '<div class="article">' in text
        assert str(facts["year"]) in facts["title"]
        assert facts["title"].endswith("政府信息公开工作年度报告")
    gbk = client.get(site.url(REPORT_2021))
    assert gbk.headers["content-type"] == "text/html"
    assert b'content="text/html; charset=gb2312"' in gbk.content
    with pytest.raises(UnicodeDecodeError):
        gbk.content.decode("utf-8")


def test_etag_and_last_modified_answer_304_exactly(site: FakeGovSite, client: httpx.Client) -> None:
    url = site.url(REPORT_2022)
    first = client.get(url)
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-None-Match": f'"x", W/{etag}'}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get(url, headers={"If-Modified-Since": last_modified}).status_code == 304
    stamp = parsedate_to_datetime(last_modified).timestamp()
    earlier = formatdate(stamp - 1, usegmt=True)
    assert client.get(url, headers={"If-Modified-Since": earlier}).status_code == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2).
    both = {"If-None-Match": '"other"', "If-Modified-Since": last_modified}
    assert client.get(url, headers=both).status_code == 200
    not_modified = client.get(url, headers={"If-None-Match": etag})
    assert not_modified.content == b""
    assert not_modified.headers["etag"] == etag

    listing = client.get(site.listing_url)
    again = client.get(site.listing_url, headers={"If-None-Match": listing.headers["etag"]})
    assert again.status_code == 304


def test_last_modified_only_and_no_validators(site: FakeGovSite, client: httpx.Client) -> None:
    gbk = client.get(site.url(REPORT_2021))
    assert "etag" not in gbk.headers
    assert site.reports[REPORT_2021]["validators"] == ("last_modified",)
    headers = {"If-Modified-Since": gbk.headers["last-modified"]}
    assert client.get(site.url(REPORT_2021), headers=headers).status_code == 304

    plain = client.get(site.url(REPORT_2020))
    assert "etag" not in plain.headers and "last-modified" not in plain.headers
    again = client.get(site.url(REPORT_2020), headers={"If-Modified-Since": formatdate()})
    assert again.status_code == 200
    assert again.content == plain.content


def test_change_alters_body_and_validators(site: FakeGovSite, client: httpx.Client) -> None:
    url = site.url(REPORT_2022)
    before = client.get(url)
    site.change(REPORT_2022)
    after = client.get(url, headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    assert after.headers["etag"] != before.headers["etag"]
    assert parsedate_to_datetime(after.headers["last-modified"]) > parsedate_to_datetime(
        before.headers["last-modified"]
    )
    assert "更正说明" in after.text and "更正说明" not in before.text
    site.change(REPORT_2022)
    assert client.get(url).headers["etag"] != after.headers["etag"]

    old = client.get(site.url(REPORT_2021))
    site.change(REPORT_2021)
    headers = {"If-Modified-Since": old.headers["last-modified"]}
    changed = client.get(site.url(REPORT_2021), headers=headers)
    assert changed.status_code == 200
    assert "更正说明" in changed.content.decode("gbk")


def test_flaky_page_answers_503_once(site: FakeGovSite, client: httpx.Client) -> None:
    first = client.get(site.url(site.FLAKY))
    assert first.status_code == 503
    assert first.headers["retry-after"] == "1"
    assert client.get(site.url(site.FLAKY)).status_code == 200
    assert client.get(site.url(site.FLAKY)).status_code == 200


def test_redirects(site: FakeGovSite, client: httpx.Client) -> None:
    [(source, target)] = site.REDIRECTS.items()
    hop = client.get(site.url(source))
    assert hop.status_code == 301
    assert hop.headers["location"] == site.url(target)
    assert client.get(site.url(source), follow_redirects=True).url == site.url(target)
    assert site.reports[target]["link"] == source

    a = client.get(site.url("/art/loop-a.html"))
    assert (a.status_code, a.headers["location"]) == (302, "/art/loop-b.html")
    b = client.get(site.url("/art/loop-b.html"))
    assert (b.status_code, b.headers["location"]) == (302, "/art/loop-a.html")


def test_robots_404_and_request_log(site: FakeGovSite, client: httpx.Client) -> None:
    robots = client.get(site.url("/robots.txt"))
    assert robots.text == "User-agent: *\nDisallow: /private/\n"
    assert client.get(site.url("/no/such/page.html")).status_code == 404
    client.get(site.url("/robots.txt?x=1"), headers={"User-Agent": "nianbao-test"})
    hits = site.hits("/robots.txt")
    assert len(hits) == 2
    assert hits[1].headers["user-agent"] == "nianbao-test"
    assert hits[1].ended is not None and hits[1].ended >= hits[1].started
    for path in site.NEVER_REQUESTED:
        assert site.hits(path) == []
    site.reset()
    assert site.requests == []


def test_attachments(site: FakeGovSite, client: httpx.Client) -> None:
    page = client.get(site.url(REPORT_2022)).text
    linked = {urljoin(site.url(REPORT_2022), href) for href in _hrefs(page)}
    assert site.url("/files/notice.txt") in linked
    for path in site.reports[REPORT_2022]["attachments"]:
        assert site.url(path) in linked
        assert path in site.attachments
    pdf = client.get(site.url("/files/report-2022.pdf"))
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    word = client.get(site.url("/files/report-2022.docx"))
    assert word.headers["content-type"] == "application/octet-stream"
    assert word.content.startswith(b"PK\x03\x04")
    document = docx.Document(io.BytesIO(word.content))
    assert document.paragraphs[0].text == site.reports[REPORT_2022]["title"]
    assert len(document.tables) == 1


def test_big_page_streams_without_length() -> None:
    with FakeGovSite(big_bytes=500_000) as site, httpx.Client(timeout=5) as client:
        with client.stream("GET", site.url("/art/big.html")) as response:
            assert "content-length" not in response.headers
            size = sum(len(chunk) for chunk in response.iter_raw())
        assert size >= 500_000


def test_bomb_is_small_gzip_on_the_wire(site: FakeGovSite, client: httpx.Client) -> None:
    with client.stream("GET", site.url("/art/bomb.html")) as response:
        assert response.headers["content-encoding"] == "gzip"
        raw = b"".join(response.iter_raw())
    assert raw[:2] == b"\x1f\x8b"
    assert len(raw) < 100_000
    decompressor = zlib.decompressobj(31)
    total = 0
    chunk = decompressor.decompress(raw, 1 << 20)
    while chunk:
        assert not chunk.strip(b"\0")
        total += len(chunk)
        chunk = decompressor.decompress(decompressor.unconsumed_tail, 1 << 20)
    assert total == site.bomb_bytes


def test_latency_shows_concurrency() -> None:
    with FakeGovSite(latency=0.3) as site:

        def fetch() -> None:
            httpx.get(site.url("/robots.txt"), timeout=5)

        threads = [threading.Thread(target=fetch) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert site.peak_concurrency() == 3
        assert all(
            hit.ended is not None and hit.ended - hit.started >= 0.3 for hit in site.requests
        )


def test_slow_request_does_not_block_shutdown() -> None:
    site = FakeGovSite(slow_seconds=60).start()
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(site.url("/art/slow.html"), timeout=0.3)
    assert len(site.hits("/art/slow.html")) == 1
    started = time.monotonic()
    site.stop()
    assert time.monotonic() - started < 5
