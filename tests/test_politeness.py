"""The per-host gate and robots.txt, measured: gaps between request starts, slots in flight, leases.

The Redis gate runs against the session's real Redis (also from separate OS processes); the local
gate passes the same delay/concurrency/back-off tests. Timings are the property under test here.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from producers.politeness import (
    DISALLOW_ALL,
    LocalHostGate,
    MemoryRobotsCache,
    RedisHostGate,
    Robots,
    robots_key,
)
from tests.services import RedisServer

ROOT = Path(__file__).resolve().parents[1]
HOST = "Gov.Example.CN"


@pytest.fixture
def redis_client(redis_server: RedisServer) -> Iterator[object]:
    """A client of the session Redis."""
    client = redis_server.client()
    yield client
    client.close()


@pytest.fixture
def prefix() -> str:
    """A fresh key prefix, so tests never see each other's hosts."""
    return f"t{uuid.uuid4().hex[:10]}:crawl"


@pytest.fixture(params=[pytest.param("redis", marks=pytest.mark.services), "local"])
def make_gate(request: pytest.FixtureRequest) -> Callable[..., object]:
    """A factory of gates of one kind: `make_gate(lease=...)`; Redis gates share one prefix."""
    if request.param == "local":
        return lambda **kw: LocalHostGate(**kw)
    client = request.getfixturevalue("redis_client")
    prefix = request.getfixturevalue("prefix")
    return lambda **kw: RedisHostGate(client, prefix=prefix, **kw)


def run_threads(count: int, target: Callable[[], None]) -> None:
    """Run target in count threads at once and re-raise the first failure."""
    errors: list[BaseException] = []
    start = threading.Barrier(count)

    def body() -> None:
        try:
            start.wait()
            target()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=body) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors


def gaps(starts: list[float]) -> list[float]:
    ordered = sorted(starts)
    return [b - a for a, b in itertools.pairwise(ordered)]


# ------------------------------------------------------------------------------------ the gate


def test_delay_holds_between_starts_from_two_threads(make_gate) -> None:
    gate = make_gate()
    starts: list[float] = []

    def crawl() -> None:
        for _ in range(4):
            with gate.slot(HOST, delay=0.2, concurrency=4):
                starts.append(time.monotonic())

    run_threads(2, crawl)
    assert len(starts) == 8
    assert min(gaps(starts)) >= 0.18, gaps(starts)


def test_concurrency_limits_slots_in_flight(make_gate) -> None:
    gate = make_gate()
    lock = threading.Lock()
    in_flight = [0]
    peak = [0]

    def crawl() -> None:
        for _ in range(3):
            with gate.slot(HOST, delay=0, concurrency=2):
                with lock:
                    in_flight[0] += 1
                    peak[0] = max(peak[0], in_flight[0])
                time.sleep(0.08)
                with lock:
                    in_flight[0] -= 1

    run_threads(4, crawl)
    assert peak[0] == 2  # never more than 2, and 2 were actually allowed at once


def test_host_names_are_case_insensitive(make_gate) -> None:
    gate = make_gate()
    with gate.slot("a.example.cn", delay=0.3, concurrency=1):
        pass
    began = time.monotonic()
    with gate.slot("A.EXAMPLE.CN", delay=0.3, concurrency=1):
        assert time.monotonic() - began >= 0.25


def test_back_off_pushes_next_start_later_and_never_shortens(make_gate) -> None:
    gate = make_gate()
    with gate.slot(HOST, delay=0.05, concurrency=1):
        pass
    gate.back_off(HOST, 0.5)
    gate.back_off(HOST, 0.01)  # shorter: must not pull the 0.5 s back-off in
    began = time.monotonic()
    with gate.slot(HOST, delay=0, concurrency=1):
        assert time.monotonic() - began >= 0.45
    began = time.monotonic()
    with gate.slot(HOST, delay=0, concurrency=1):  # back-off over: no wait
        assert time.monotonic() - began < 0.3


def test_a_wait_longer_than_max_wait_raises_host_busy_at_once(make_gate) -> None:
    from producers.politeness import HostBusy

    gate = make_gate()
    gate.back_off(HOST, 30)
    began = time.monotonic()
    with pytest.raises(HostBusy) as busy, gate.slot(HOST, delay=0, concurrency=1, max_wait=0.5):
        pytest.fail("no slot may be given during the back-off")
    assert time.monotonic() - began < 0.4  # no waiting for a slot it cannot get in time
    assert 25 < busy.value.wait <= 30
    with gate.slot("other.example.cn", delay=0, concurrency=1, max_wait=0.5):
        pass  # other hosts are not held up


def test_slot_is_released_when_the_body_raises(make_gate) -> None:
    gate = make_gate()  # lease 120 s: only a release frees the slot in time
    with pytest.raises(RuntimeError), gate.slot(HOST, delay=0, concurrency=1):
        raise RuntimeError("request failed")
    done = threading.Event()

    def take() -> None:
        with gate.slot(HOST, delay=0, concurrency=1):
            done.set()

    thread = threading.Thread(target=take, daemon=True)
    thread.start()
    assert done.wait(2), "the slot was not released"


def test_local_gate_lease_expires_for_an_abandoned_slot() -> None:
    gate = LocalHostGate(lease=0.5)
    held = gate.slot(HOST, delay=0, concurrency=1)
    held.__enter__()  # never exited: a stuck request
    began = time.monotonic()
    with gate.slot(HOST, delay=0, concurrency=1):
        waited = time.monotonic() - began
    assert 0.4 <= waited < 2


def spawn(code: str, redis_url: str) -> subprocess.Popen[str]:
    """A separate Python process running code with `gate(lease)` available."""
    prelude = textwrap.dedent(
        f"""
        import os, sys, time, redis
        from producers.politeness import RedisHostGate
        client = redis.Redis.from_url({redis_url!r})
        def gate(prefix, lease=120.0):
            return RedisHostGate(client, prefix=prefix, lease=lease)
        """
    )
    return subprocess.Popen(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )


@pytest.mark.services
def test_two_processes_share_the_gate(redis_server: RedisServer, redis_client, prefix) -> None:
    ready, go, starts = f"{prefix}:ready", f"{prefix}:go", f"{prefix}:starts"
    code = f"""
        g = gate({prefix!r})
        client.rpush({ready!r}, 1)
        client.blpop([{go!r}], timeout=20)
        for _ in range(5):
            with g.slot({HOST!r}, delay=0.2, concurrency=2):
                client.rpush({starts!r}, f"{{time.time()}} {{os.getpid()}}")
        """
    procs = [spawn(code, redis_server.url) for _ in range(2)]
    try:
        deadline = time.monotonic() + 20
        while redis_client.llen(ready) < 2:
            assert time.monotonic() < deadline, "the processes did not start"
            time.sleep(0.02)
        redis_client.rpush(go, 1, 1)
        for proc in procs:
            assert proc.wait(timeout=20) == 0
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    rows = [row.decode().split() for row in redis_client.lrange(starts, 0, -1)]
    assert len(rows) == 10
    assert len({who for _, who in rows}) == 2  # both processes did requests
    measured = gaps([float(at) for at, _ in rows])
    assert min(measured) >= 0.18, measured


@pytest.mark.services
def test_lease_of_a_killed_process_expires(redis_server: RedisServer, redis_client, prefix) -> None:
    code = f"""
        g = gate({prefix!r}, lease=0.5)
        held = g.slot({HOST!r}, delay=0, concurrency=1)
        held.__enter__()  # kept referenced: a collected generator would release the slot
        print("held", flush=True)
        time.sleep(60)
        """
    proc = spawn(code, redis_server.url)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "held"
        held_at = time.monotonic()
        proc.kill()  # SIGKILL: no release, no cleanup
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    gate = RedisHostGate(redis_client, prefix=prefix, lease=0.5)
    with gate.slot(HOST, delay=0, concurrency=1):
        waited = time.monotonic() - held_at
    assert 0.35 <= waited < 2, waited


@pytest.mark.services
def test_idle_host_keys_expire(redis_client, prefix) -> None:
    gate = RedisHostGate(redis_client, prefix=prefix, lease=1)
    with gate.slot(HOST, delay=2, concurrency=1):
        keys = redis_client.keys(f"{prefix}:*")
        assert keys and all(0 < redis_client.pttl(k) <= 62_000 for k in keys)


# ------------------------------------------------------------------------------------ robots


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Site:
    """A robots.txt source: answers (status, text) or raises, and counts requests by URL."""

    def __init__(self, status: int = 200, text: str = "") -> None:
        self.status, self.text = status, text
        self.error: Exception | None = None
        self.requests: list[str] = []

    def __call__(self, url: str) -> tuple[int, str]:
        self.requests.append(url)
        if self.error is not None:
            raise self.error
        return self.status, self.text


ROBOTS = """\
User-agent: *
Disallow: /private/
Allow: /private/open.html

User-agent: nianbao
Disallow: /admin/
Crawl-delay: 3
"""
UA = "nianbao/1.0 (+https://example.org/bot)"


def test_robots_rules_allow_and_disallow_paths() -> None:
    robots = Robots(MemoryRobotsCache(), Site(200, ROBOTS))
    assert robots.allowed("https://gov.example.cn/xxgk/2023.html", UA)
    assert not robots.allowed("https://gov.example.cn/admin/x", UA)
    assert robots.allowed("https://gov.example.cn/private/x", UA)  # nianbao's own group applies
    assert not robots.allowed("https://gov.example.cn/private/x", "otherbot")
    assert robots.allowed("https://gov.example.cn/private/open.html", "otherbot")
    assert robots.crawl_delay("https://gov.example.cn/", UA) == 3.0
    assert robots.crawl_delay("https://gov.example.cn/", "otherbot") is None


@pytest.mark.parametrize(
    ("status", "allowed"), [(404, True), (410, True), (400, True), (401, False), (403, False)]
)
def test_robots_status_rules_are_cached_for_the_full_ttl(status: int, allowed: bool) -> None:
    clock = Clock()
    site = Site(status, "<html>not found</html>")
    cache = MemoryRobotsCache(clock)
    robots = Robots(cache, site, ttl=3600, clock=clock)
    assert robots.allowed("http://gov.example.cn/a.html", UA) is allowed
    assert robots.allowed("http://gov.example.cn/private/b.html", UA) is allowed
    clock.now += 3000  # past the in-process cache, inside the shared one
    assert robots.allowed("http://gov.example.cn/a.html", UA) is allowed
    assert len(site.requests) == 1
    assert cache.get("http://gov.example.cn:80") == ("" if allowed else DISALLOW_ALL)


@pytest.mark.parametrize("failure", ["500", "503", "429", "exception"])
def test_robots_server_error_disallows_only_for_a_few_minutes(failure: str) -> None:
    clock = Clock()
    site = Site(200, ROBOTS)
    if failure == "exception":
        site.error = ConnectionError("connection refused")
    else:
        site.status = int(failure)
    robots = Robots(MemoryRobotsCache(clock), site, clock=clock)
    assert not robots.allowed("https://gov.example.cn/report.html", UA)
    assert robots.unreachable("https://gov.example.cn/report.html")  # provisional, not a rule
    clock.now += 250  # the short error entry still holds
    assert not robots.allowed("https://gov.example.cn/report.html", UA)
    assert len(site.requests) == 1
    site.status, site.error = 200, None
    clock.now += 60  # > 300 s after the failure: asked again
    assert robots.allowed("https://gov.example.cn/report.html", UA)
    assert len(site.requests) == 2


def test_robots_fetched_once_per_origin_and_shared_through_the_cache() -> None:
    site = Site(200, ROBOTS)
    cache = MemoryRobotsCache()
    robots = Robots(cache, site)
    assert robots.allowed("https://Gov.Example.CN/a.html", UA)
    assert not robots.allowed("https://gov.example.cn:443/admin/b.html", UA)
    assert site.requests == ["https://gov.example.cn/robots.txt"]
    other = Robots(cache, site)  # another process with the same shared cache
    assert not other.allowed("https://gov.example.cn/admin/c.html", UA)
    assert len(site.requests) == 1
    robots.allowed("http://gov.example.cn/a.html", UA)  # other scheme: other origin
    robots.allowed("https://gov.example.cn:8443/a.html", UA)  # other port: other origin
    assert site.requests[1:] == [
        "http://gov.example.cn/robots.txt",
        "https://gov.example.cn:8443/robots.txt",
    ]


def test_robots_shared_entry_is_reread_after_the_in_process_expiry() -> None:
    clock = Clock()
    cache = MemoryRobotsCache(clock)
    robots = Robots(cache, Site(200, ROBOTS), clock=clock)
    assert robots.allowed("https://gov.example.cn/a.html", UA)
    cache.put(robots_key("https://gov.example.cn/")[0], "User-agent: *\nDisallow: /a", 3600)
    assert robots.allowed("https://gov.example.cn/a.html", UA)  # in-process copy still fresh
    clock.now += 61
    assert not robots.allowed("https://gov.example.cn/a.html", UA)


def test_robots_key_is_scheme_host_port() -> None:
    assert robots_key("https://Gov.CN/x?y") == ("https://gov.cn:443", "https://gov.cn/robots.txt")
    assert robots_key("http://gov.cn:8080/") == (
        "http://gov.cn:8080",
        "http://gov.cn:8080/robots.txt",
    )
    with pytest.raises(ValueError):
        robots_key("ftp://gov.cn/")
