"""The crawler on real parts: Redis state and gates, real crawler processes, the crawl queue.

The politeness limit is measured here: two crawler processes on one host, their request starts
recorded by the fake site, never closer than the delay and never two at once.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import yaml
from typer.testing import CliRunner

from producers.sites import Site
from tests.conftest import ROOT
from tests.fake_gov_site import FakeGovSite
from tests.services import RedisServer, wait_until

pytestmark = pytest.mark.services


@pytest.fixture
def fake() -> Iterator[FakeGovSite]:
    with FakeGovSite(slow_seconds=2.0, big_bytes=2_000_000) as site:
        yield site


def site_entry(fake: FakeGovSite, site_id: str, **politeness: Any) -> Site:
    """The fake site, loopback allowed; its intranet name is not resolvable outside the tests."""
    return Site(
        id=site_id,
        start_urls=[fake.listing_url],
        allowed_domains=["127.0.0.1"],
        allow_addresses=["127.0.0.0/8"],
        politeness={"delay": 0, "timeout": 0.5, "max_retries": 1, "max_body_bytes": 1_000_000}
        | politeness,
    )


def write_sites(path: Path, *sites: Site) -> Path:
    """A YAML sites file holding these entries."""
    path.write_text(
        yaml.safe_dump({"sites": [site.model_dump(mode="json") for site in sites]}),
        encoding="utf-8",
    )
    return path


def queued_pages(client: redis.Redis, queue: str = "pages") -> list[dict[str, Any]]:
    """The FetchedPage messages waiting in a kombu Redis queue (a list of JSON envelopes)."""
    pages = []
    for raw in client.lrange(queue, 0, -1):
        envelope = json.loads(raw)
        body = json.loads(base64.b64decode(envelope["body"]))
        args = body[0]
        pages.append(args[0])
    return pages


def expected_pages(fake: FakeGovSite) -> set[str]:
    reports = {fake.url(facts["link"]) for facts in fake.reports.values()}
    return reports | {fake.url(path) for path in fake.attachments}


def test_monitor_sends_due_sites_and_crawler_workers_enqueue_new_pages_once(
    fake: FakeGovSite, configure: Any, redis_server: RedisServer, start_worker: Any, tmp_path: Path
) -> None:
    redis_server.flushall()
    env = configure(BROKER_URL=redis_server.url)
    sites_file = write_sites(tmp_path / "sites.yaml", site_entry(fake, "fake"))
    client = redis.Redis.from_url(redis_server.url)
    from nianbao.cli import app

    runner = CliRunner()
    sent = runner.invoke(app, ["monitor", "--sites", str(sites_file), "--once"])
    assert sent.exit_code == 0, sent.output
    assert "sent 1 due site(s): fake" in sent.output
    assert client.llen("crawl") == 1

    start_worker(env, queues="crawl")
    wait_until(
        lambda: client.llen("crawl") == 0 and client.llen("pages") >= len(expected_pages(fake)),
        timeout=60,
        message="crawl worker did not enqueue the pages",
    )
    wait_until(lambda: _counter("last_success"), timeout=30, message="pass not done")
    first_success = _counter("last_success")
    first = queued_pages(client)
    assert sorted(page["url"] for page in first) == sorted(expected_pages(fake))
    assert {page["site_id"] for page in first} == {"fake"}

    # Not due again yet: the monitor sends nothing.
    again = runner.invoke(app, ["monitor", "--sites", str(sites_file), "--once"])
    assert "nothing due; next: fake in 14" in again.output and client.llen("crawl") == 0

    # Due (as if a day had passed): a full pass, and not one page more on the queue.
    from nianbao import runtime

    runtime.crawl_state().set_next_due("fake", 0)
    fake.reset()
    assert (
        "sent 1 due site(s)"
        in runner.invoke(app, ["monitor", "--sites", str(sites_file), "--once"]).output
    )
    wait_until(lambda: _counter("last_success") > first_success, timeout=60, message="no 2nd pass")
    assert _counter("not_modified") >= len(first) - 1  # conditional requests answered 304
    assert client.llen("pages") == len(first)

    status = runner.invoke(app, ["status"])
    assert status.exit_code == 0 and "crawling" in status.output and "fake" in status.output
    metrics = runner.invoke(app, ["metrics"]).output
    assert f'nianbao_crawl_new_total{{site="fake"}} {float(len(first))}' in metrics


def _counter(name: str) -> float:
    from nianbao import runtime

    return float(runtime.crawl_state().counters("fake")["fake"].get(name) or 0)


def _overlaps(hits: list[Any]) -> list[int]:
    """For each request, how many requests (itself included) were in flight when it started."""
    return [sum(o.started <= h.started < o.ended for o in hits) for h in hits]


@pytest.mark.parametrize(
    ("latency", "delay"),
    [
        pytest.param(0.3, 0.2, id="slow-site-concurrency-bound"),
        pytest.param(0.0, 0.25, id="fast-site-delay-bound"),
    ],
)
def test_two_crawler_processes_share_the_per_host_politeness_limit(
    redis_server: RedisServer, tmp_path: Path, latency: float, delay: float
) -> None:
    """Measured: request starts to the host at least `delay` apart, never two in flight."""
    redis_server.flushall()
    with FakeGovSite(latency=latency, slow_seconds=2.0, big_bytes=2_000_000) as fake:
        _crawl_with_two_processes(fake, redis_server, tmp_path, delay)


def _crawl_with_two_processes(
    fake: FakeGovSite, redis_server: RedisServer, tmp_path: Path, delay: float
) -> None:
    sites = [
        site_entry(fake, name, delay=delay, concurrency=1, user_agent=f"crawler-{name}")
        for name in ("a", "b")
    ]
    sites_file = write_sites(tmp_path / "sites.yaml", *sites)
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NIANBAO_")}
    env = {
        **clean,
        "NIANBAO_BROKER_URL": redis_server.url,
        "NIANBAO_DATA_DIR": str(tmp_path / "data"),
        "PYTHONPATH": str(ROOT),
    }
    crawlers = [
        subprocess.Popen(
            [sys.executable, "-m", "nianbao.cli", "crawl", site.id, "--sites", str(sites_file)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for site in sites
    ]
    outputs = [proc.communicate(timeout=120)[0].decode(errors="replace") for proc in crawlers]
    assert all(proc.returncode == 0 for proc in crawlers), outputs

    hits = sorted(fake.requests, key=lambda hit: hit.started)
    agents = {hit.headers.get("user-agent") for hit in hits}
    assert agents == {"crawler-a", "crawler-b"}  # both processes really crawled
    gaps = [later.started - earlier.started for earlier, later in itertools.pairwise(hits)]
    print(
        f"politeness: {len(hits)} requests from 2 processes, closest starts {min(gaps):.3f}s apart"
    )
    assert min(gaps) >= delay - 0.02, f"closest starts {min(gaps):.3f}s apart"
    # In flight at once, as the server saw it. Requests the client gave up on (the slow page
    # timed out; the oversized and bomb bodies were cut) keep running on the server after the
    # client let go, so they are left out.
    answered = [hit for hit in hits if hit.path not in fake.FAILING and hit.ended is not None]
    assert answered and max(_overlaps(answered)) == 1
    interleaved = sum(
        earlier.headers["user-agent"] != later.headers["user-agent"]
        for earlier, later in itertools.pairwise(hits)
    )
    assert interleaved >= 2  # they took turns, not one after the other
