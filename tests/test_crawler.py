"""The monitoring crawler against a fake government site on loopback.

Exactly what is enqueued (and quarantined) on a first pass, nothing on a second, only the changed
page on a third; an interrupted pass resumes; the site lock; the embedded command end to end.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from typing import Any

import pytest

from nianbao.core.text import decode
from producers import netguard
from producers.crawler import MAX_ROBOTS_TRIES, ROBOTS_RETRY, CrawlDefaults, SiteCrawler
from producers.fetch import Fetcher
from producers.politeness import LocalHostGate
from producers.sites import Site
from producers.state import CrawlState, MemoryCrawlState
from tests.fake_gov_site import FakeGovSite


@dataclass
class Outbox:
    """What the crawler handed on: published pages and quarantined URLs."""

    published: list[dict[str, Any]] = field(default_factory=list)
    quarantined: dict[str, str] = field(default_factory=dict)

    def publish(self, body: bytes, **page: Any) -> dict[str, Any]:
        self.published.append({"body": body, **page})
        return page

    def quarantine(self, url: str, site_id: str, reason: str, *_: Any) -> None:
        self.quarantined[url] = reason

    def urls(self) -> list[str]:
        return [page["url"] for page in self.published]

    def by_url(self) -> dict[str, dict[str, Any]]:
        return {page["url"]: page for page in self.published}


def resolver(host: str, port: int) -> list[str]:
    """The fake intranet name resolves to a private address; everything else as usual."""
    if host == FakeGovSite.INTRANET_HOST:
        return [FakeGovSite.INTRANET_ADDRESS]
    return netguard.resolve(host, port)


def serve(routes: dict[str, tuple[int, bytes]]) -> ThreadingHTTPServer:
    """A tiny loopback server answering fixed (status, body) per path; it logs paths in .seen."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            status, body = routes.get(self.path, (404, b""))
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.seen = seen  # type: ignore[attr-defined]
    Thread(target=server.serve_forever, daemon=True).start()
    return server


def loopback_site(site_id: str, server: ThreadingHTTPServer) -> Site:
    """A site entry whose column is /nb/ on a `serve()` server."""
    return Site(
        id=site_id,
        start_urls=[f"http://127.0.0.1:{server.server_port}/nb/"],
        allow_addresses=["127.0.0.0/8"],
        politeness={"delay": 0, "max_retries": 0},
    )


def site_entry(fake: FakeGovSite, site_id: str = "fake", **politeness: Any) -> Site:
    """The fake site as a sites-file entry: loopback allowed explicitly, short timeouts."""
    return Site(
        id=site_id,
        start_urls=[fake.listing_url],
        allowed_domains=["127.0.0.1", "fake-gov.test"],
        allow_addresses=["127.0.0.0/8"],
        politeness={
            "delay": 0,
            "timeout": 0.5,
            "max_retries": 1,
            "max_body_bytes": 1_000_000,
            **politeness,
        },
    )


def make_crawler(state: CrawlState, outbox: Outbox, clock: Any = None) -> SiteCrawler:
    extra = {"clock": clock} if clock else {}
    return SiteCrawler(
        state,
        Fetcher(LocalHostGate(), resolve=resolver),
        outbox.publish,
        outbox.quarantine,
        CrawlDefaults(user_agent="nianbao-test", max_body_bytes=20_000_000),
        **extra,
    )


@pytest.fixture
def fake() -> Iterator[FakeGovSite]:
    with FakeGovSite(slow_seconds=2.0, big_bytes=2_000_000) as site:
        yield site


def expected_pages(fake: FakeGovSite) -> set[str]:
    """Every report (as linked) and every attachment of the fake site."""
    reports = {fake.url(facts["link"]) for facts in fake.reports.values()}
    return reports | {fake.url(path) for path in fake.attachments}


def expected_quarantine(fake: FakeGovSite) -> dict[str, str]:
    """Pages refused for what they are; a timeout is transient and retried next pass instead."""
    refused = {fake.url(p): reason for p, reason in fake.FAILING.items() if reason != "timeout"}
    return {**refused, fake.intranet_url: "blocked_address"}


def test_first_pass_enqueues_exactly_the_reports_and_their_attachments(fake: FakeGovSite) -> None:
    outbox = Outbox()
    result = make_crawler(MemoryCrawlState(), outbox).crawl(site_entry(fake))

    assert result.finished
    assert sorted(outbox.urls()) == sorted(expected_pages(fake))  # each exactly once
    assert outbox.quarantined == expected_quarantine(fake)
    assert [e for e in result.errors if "slow.html" in e and ": timeout:" in e]
    for path in fake.NEVER_REQUESTED:
        assert not fake.hits(path), f"{path} must not be requested"
    assert len(fake.hits("/robots.txt")) == 1  # cached for the pass (and beyond)
    assert len(fake.hits(fake.FLAKY)) == 2  # 503 + Retry-After, then 200
    assert result.counts["new"] == result.counts["enqueued"] == len(expected_pages(fake))
    assert result.counts["robots_disallowed"] == 1
    assert result.counts["blocked"] == 1
    assert result.counts["offsite"] == 1  # the www.example.com copy


def test_pages_carry_type_encoding_referrer_and_link_text(fake: FakeGovSite) -> None:
    outbox = Outbox()
    make_crawler(MemoryCrawlState(), outbox).crawl(site_entry(fake))
    pages = outbox.by_url()

    for path, facts in fake.reports.items():
        page = pages[fake.url(facts["link"])]
        assert page["final_url"] == fake.url(path)
        assert page["referrer"] == fake.url(facts["listing"])
        assert page["link_text"] == facts["title"]
        assert page["content_type"] == "text/html"
        text, _ = decode(page["body"], page["encoding"])
        assert facts["title"] in text, path
    gbk = next(p for p, f in fake.reports.items() if f["encoding"] == "gbk")
    assert pages[fake.url(gbk)]["encoding"] in {"gbk", "gb18030", "gb2312"}
    with_attachments = next(p for p, f in fake.reports.items() if f["attachments"])
    for path, media_type in fake.attachments.items():
        page = pages[fake.url(path)]
        assert page["content_type"] == media_type  # the DOCX is served as octet-stream
        assert page["referrer"] == fake.url(with_attachments)


def test_second_pass_over_an_unchanged_site_enqueues_nothing(fake: FakeGovSite) -> None:
    state, outbox = MemoryCrawlState(), Outbox()
    crawler = make_crawler(state, outbox)
    crawler.crawl(site_entry(fake))
    outbox.published.clear()
    fake.reset()

    again = crawler.crawl(site_entry(fake))

    assert again.finished and outbox.published == []
    for path, reason in fake.FAILING.items():  # refused pages wait a week before another try
        if reason != "timeout":
            assert not fake.hits(path), path
    assert again.counts["quarantined"] == 0
    with_validators = [path for path, facts in fake.reports.items() if facts["validators"]]
    for path in with_validators:  # sent to the URL that gave them (after any redirect)
        headers = fake.hits(path)[0].headers
        assert "if-none-match" in headers or "if-modified-since" in headers, path
    no_validators = [p for p, f in fake.reports.items() if not f["validators"]]
    assert again.counts["unchanged"] == len(no_validators)  # 200, same hash: nothing sent
    assert again.counts["not_modified"] >= len(with_validators) + len(fake.attachments)
    assert again.counts["new"] == again.counts["changed"] == 0


def test_a_corrected_report_is_enqueued_again_and_only_it(fake: FakeGovSite) -> None:
    state, outbox = MemoryCrawlState(), Outbox()
    crawler = make_crawler(state, outbox)
    crawler.crawl(site_entry(fake))
    outbox.published.clear()
    gbk = next(p for p, f in fake.reports.items() if f["encoding"] == "gbk")
    fake.change(gbk)

    again = crawler.crawl(site_entry(fake))

    assert outbox.urls() == [fake.url(gbk)]
    assert "更正说明" in decode(outbox.published[0]["body"], outbox.published[0]["encoding"])[0]
    assert again.counts["changed"] == 1 and again.counts["new"] == 0


def test_an_interrupted_pass_resumes_after_a_restart(fake: FakeGovSite, tmp_path: Path) -> None:
    path = tmp_path / "crawl-state.json"
    ticks = iter(range(10_000))
    first = Outbox()
    cut = make_crawler(MemoryCrawlState(path), first, clock=lambda: next(ticks)).crawl(
        site_entry(fake), budget=6
    )
    assert not cut.finished

    second = Outbox()  # a new process: the state comes back from the file
    rest = make_crawler(MemoryCrawlState(path), second).crawl(site_entry(fake))

    assert rest.resumed and rest.finished
    assert sorted(first.urls() + second.urls()) == sorted(expected_pages(fake))
    assert len(fake.hits("/zfxxgk/zfxxgknb/index.html")) == 1  # the listing was not redone


def test_a_site_is_crawled_by_one_process_at_a_time(fake: FakeGovSite) -> None:
    state, outbox = MemoryCrawlState(), Outbox()
    token = state.lock_site("fake", 60)
    assert token

    result = make_crawler(state, outbox).crawl(site_entry(fake))

    assert result.busy and outbox.published == [] and fake.requests == []
    state.unlock_site("fake", token)
    assert make_crawler(state, outbox).crawl(site_entry(fake)).finished


def test_loopback_is_refused_unless_the_site_allows_it(fake: FakeGovSite) -> None:
    outbox = Outbox()
    entry = site_entry(fake).model_copy(update={"allow_addresses": []})

    result = make_crawler(MemoryCrawlState(), outbox).crawl(entry)

    assert outbox.published == [] and fake.requests == []
    assert result.counts["blocked"] == 1 and result.counts["listing_errors"] == 1


def test_crawl_command_on_the_embedded_default_stores_reports_and_quarantines_refusals(
    fake: FakeGovSite, embedded: dict, tmp_path: Path
) -> None:
    """`nianbao crawl SITE --sites FILE`: pages through every stage into SQLite, in-process."""
    import yaml
    from typer.testing import CliRunner

    from nianbao import runtime
    from nianbao.cli import app

    entry = site_entry(fake).model_copy(update={"allowed_domains": ["127.0.0.1"]})
    sites = tmp_path / "sites.yaml"
    sites.write_text(yaml.safe_dump({"sites": [entry.model_dump(mode="json")]}), "utf-8")

    result = CliRunner().invoke(app, ["crawl", "fake", "--sites", str(sites)])

    assert result.exit_code == 0, result.output
    repo = runtime.repository()
    outcomes = repo.page_outcomes(expected_pages(fake))
    assert set(outcomes) == expected_pages(fake)  # every page reached the database
    assert sum(outcome == "new" for outcome in outcomes.values()) >= 4
    refused = {row.url: row.reason for row in repo.list_quarantine() if row.stage == "fetch"}
    assert refused == {
        fake.url(path): reason for path, reason in fake.FAILING.items() if reason != "timeout"
    }
    before = repo.counts()
    again = CliRunner().invoke(app, ["crawl", "fake", "--sites", str(sites)])
    assert again.exit_code == 0 and repo.counts() == before  # a second pass adds nothing


def test_sites_check_shows_each_site_or_says_what_is_wrong(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from nianbao.cli import app
    from tests.conftest import ROOT

    good = CliRunner().invoke(app, ["sites", "check", str(ROOT / "deploy/sites.example.toml")])
    assert good.exit_code == 0, good.output
    assert "sc-yjt" in good.output and "all valid" in good.output

    bad = tmp_path / "sites.toml"
    bad.write_text(
        '[[sites]]\nid = "x"\nstart_urls = ["ftp://a.gov.cn/"]\n[sites.politeness]\ndely = 1\n'
    )
    result = CliRunner().invoke(app, ["sites", "check", str(bad)])
    assert result.exit_code == 1
    assert "start_urls" in result.output and "politeness.dely" in result.output


def test_a_backed_off_host_ends_the_slice_and_the_pass_resumes_after(fake: FakeGovSite) -> None:
    """A host that said Retry-After is waited for by the next slice, not inside this one."""
    state, outbox = MemoryCrawlState(), Outbox()
    gate = LocalHostGate()
    crawler = SiteCrawler(
        state,
        Fetcher(gate, resolve=resolver),
        outbox.publish,
        outbox.quarantine,
        CrawlDefaults(user_agent="nianbao-test", max_body_bytes=20_000_000),
    )
    gate.back_off("127.0.0.1", 1.5)

    cut = crawler.crawl(site_entry(fake), budget=0.5)

    assert not cut.finished and cut.retry_after and 1.0 < cut.retry_after <= 1.5
    assert fake.requests == [] and outbox.published == []
    assert cut.counts["errors"] == 0  # waiting is not failing
    head = state.pop("fake")
    assert head is not None and head["url"] == fake.listing_url  # put back, first in line
    state.requeue("fake", head)
    time.sleep(cut.retry_after)
    rest = crawler.crawl(site_entry(fake))
    assert rest.resumed and rest.finished
    assert sorted(outbox.urls()) == sorted(expected_pages(fake))


def test_changed_link_rules_make_listings_read_afresh(fake: FakeGovSite) -> None:
    """A 304 would hand back links found under the old rules: after an edit, no validators."""
    state, outbox = MemoryCrawlState(), Outbox()
    crawler = make_crawler(state, outbox)
    crawler.crawl(site_entry(fake))
    fake.reset()
    entry = site_entry(fake)
    wider = entry.model_copy(
        update={"links": entry.links.model_copy(update={"include": [*entry.links.include, "X"]})}
    )

    again = crawler.crawl(wider)

    listing = fake.hits("/zfxxgk/zfxxgknb/index.html")[0].headers
    assert "if-none-match" not in listing and "if-modified-since" not in listing
    for path in fake.attachments:  # documents keep their validators: nothing re-downloaded
        assert "if-none-match" in fake.hits(path)[0].headers or (
            "if-modified-since" in fake.hits(path)[0].headers
        )
    assert again.counts["new"] == again.counts["changed"] == 0


def test_a_visit_that_raises_is_retried_first_next_time_and_nothing_is_lost(
    fake: FakeGovSite,
) -> None:
    state, outbox = MemoryCrawlState(), Outbox()
    publish, failed = outbox.publish, []

    def flaky_publish(body: bytes, **page: Any) -> dict[str, Any]:
        if not failed:
            failed.append(page["url"])
            raise ConnectionError("object store unreachable")
        return publish(body, **page)

    outbox.publish = flaky_publish  # type: ignore[method-assign]
    crawler = make_crawler(state, outbox)
    with pytest.raises(ConnectionError):
        crawler.crawl(site_entry(fake))

    rest = crawler.crawl(site_entry(fake))

    assert rest.resumed and rest.finished
    assert outbox.urls()[0] == failed[0]  # the failed visit came first
    assert sorted(outbox.urls()) == sorted(expected_pages(fake))


def test_unreachable_robots_txt_stops_the_pass_without_success() -> None:
    """robots.txt answering 503: fetch nothing, and do not record the pass as a success."""
    server = serve({"/robots.txt": (503, b""), "/nb/": (200, b"")})
    try:
        entry = loopback_site("down", server)
        state = MemoryCrawlState()
        crawler = make_crawler(state, Outbox())
        waits = [crawler.crawl(entry) for _ in range(MAX_ROBOTS_TRIES)]
        result = crawler.crawl(entry)
    finally:
        server.shutdown()
        server.server_close()

    for waited in waits:  # robots.txt may come back: the item waits, the pass is not done
        assert not waited.finished and waited.retry_after == ROBOTS_RETRY
    assert result.abandoned and result.counts["errors"] == 1  # then the pass is given up
    assert server.seen == ["/robots.txt"]  # type: ignore[attr-defined]  # cached: asked once
    counters = state.counters("down")["down"]
    assert "last_success" not in counters and "robots" in str(counters.get("last_error"))


def test_a_start_page_without_report_links_is_flagged(fake: FakeGovSite) -> None:
    """A wrong column (or rules that miss its titles) must not pass for a quiet site."""
    state, outbox = MemoryCrawlState(), Outbox()
    entry = site_entry(fake)
    entry = entry.model_copy(
        update={"links": entry.links.model_copy(update={"include": ["预算公开"]})}
    )

    result = make_crawler(state, outbox).crawl(entry)

    assert result.counts["empty_listings"] == 1 and outbox.published == []
    assert "no report links found" in str(state.counters("fake")["fake"]["last_error"])


def test_embedded_crawl_task_hands_a_long_back_off_to_the_schedule(
    fake: FakeGovSite, embedded: dict
) -> None:
    """In-process, a host backed off for minutes must not hold the monitor (and every site)."""
    from nianbao import runtime
    from workers.crawl import crawl_request, crawl_site

    entry = site_entry(fake).model_copy(update={"allowed_domains": ["127.0.0.1"]})
    runtime.crawler().fetcher.gate.back_off("127.0.0.1", 600)  # type: ignore[union-attr]

    began = time.monotonic()
    outcome = crawl_site.apply(args=[crawl_request(entry)]).get()

    assert outcome.startswith("paused for") and time.monotonic() - began < 5
    due = runtime.crawl_state().next_due("fake")
    assert due is not None and 500 < due - time.time() <= 600
    assert fake.requests == []


def test_a_page_whose_robots_txt_is_unreadable_is_skipped_not_waited_for() -> None:
    """Only a listing waits for its robots.txt; a page elsewhere is left to the next pass."""
    other = serve({"/robots.txt": (503, b"")})
    title = "某局2023年政府信息公开工作年度报告"
    link = f'<a href="http://127.0.0.1:{other.server_port}/r.html">{title}</a>'
    main = serve({"/robots.txt": (404, b""), "/nb/": (200, link.encode())})
    try:
        entry = loopback_site("two", main)
        result = make_crawler(MemoryCrawlState(), Outbox()).crawl(entry)
    finally:
        for server in (main, other):
            server.shutdown()
            server.server_close()

    assert result.finished and not result.abandoned and result.retry_after is None
    assert [e.split(": ")[1] for e in result.errors] == ["robots_unreachable"]
    assert result.counts["listing_errors"] == 0  # the pass itself succeeded
