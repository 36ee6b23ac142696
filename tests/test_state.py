"""Crawl state: the same behaviour from RedisCrawlState (real Redis) and MemoryCrawlState (file).

Every behavioural test runs against both implementations through the ``backend`` fixture, whose
``new()`` opens another instance on the same storage: a new Redis client, or a new
MemoryCrawlState on the same JSON file — what a restarted process sees. (A MemoryCrawlState file
has one writer at a time, so tests only read through a second instance while the first lives.
Instances of one process share the file's lock; another process is refused, as tested below.)
"""

from __future__ import annotations

import fcntl
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from nianbao.settings import Settings
from producers.state import (
    CrawlState,
    CrawlStateError,
    MemoryCrawlState,
    RedisCrawlState,
    StateRobotsCache,
    UrlState,
    open_state,
)
from tests.services import RedisServer, wait_until

ROOT = Path(__file__).resolve().parents[1]
NOW = 1_700_000_000.25


class Backend:
    """Opens instances of one implementation on one shared storage."""

    def __init__(self, kind: str, opener: Callable[[], CrawlState], open_code: str) -> None:
        self.kind = kind
        self._opener = opener
        self.open_code = open_code  # Python that opens an instance as `state` in another process

    def new(self) -> CrawlState:
        """Another instance on the same storage (a restarted process)."""
        return self._opener()


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.services)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """MemoryCrawlState on a tmp file, or RedisCrawlState on the session Redis (own prefix)."""
    if request.param == "memory":
        path = tmp_path / "state" / "crawl-state.json"
        code = (
            "from producers.state import MemoryCrawlState\n"
            f"state = MemoryCrawlState({str(path)!r})\n"
        )
        yield Backend("memory", lambda: MemoryCrawlState(path), code)
        return
    server: RedisServer = request.getfixturevalue("redis_server")
    prefix = f"test:{uuid.uuid4().hex[:12]}"
    clients: list = []

    def opener() -> CrawlState:
        client = server.client(decode_responses=len(clients) % 2 == 0)  # both modes work
        clients.append(client)
        return RedisCrawlState(client, prefix=prefix)

    code = (
        "import redis\nfrom producers.state import RedisCrawlState\n"
        f"state = RedisCrawlState(redis.Redis.from_url({server.url!r}), {prefix!r})\n"
    )
    backend = Backend("redis", opener, code)
    backend.prefix = prefix  # type: ignore[attr-defined]
    backend.url = server.url  # type: ignore[attr-defined]
    yield backend
    for key in clients[0].scan_iter(f"{prefix}:*") if clients else ():
        clients[0].delete(key)
    for client in clients:
        client.close()


def test_url_state_round_trip(backend: Backend) -> None:
    state = backend.new()
    assert state.get_url("s1", "https://a.gov.cn/nb/") is None
    stored = UrlState(
        etag='W/"5f-1a"',
        last_modified="Tue, 14 Jan 2025 08:00:00 GMT",
        sha256="ab" * 32,
        links=[{"url": "https://a.gov.cn/nb/2024.html", "text": "2024年政府信息公开工作年度报告"}],
        checked_at=NOW,
    )
    state.put_url("s1", "https://a.gov.cn/nb/", stored)
    assert state.get_url("s1", "https://a.gov.cn/nb/") == stored
    assert state.get_url("s2", "https://a.gov.cn/nb/") is None  # per site
    assert backend.new().get_url("s1", "https://a.gov.cn/nb/") == stored
    state.put_url("s1", "https://a.gov.cn/nb/", UrlState(sha256="cd" * 32, checked_at=NOW + 1))
    assert backend.new().get_url("s1", "https://a.gov.cn/nb/") == UrlState(
        None, None, "cd" * 32, None, NOW + 1
    )


def test_push_dedups_within_a_pass_and_end_pass_resets(backend: Backend) -> None:
    state = backend.new()
    seed = {"url": "https://a.gov.cn/nb/", "kind": "listing", "depth": 0}
    a = {"url": "https://a.gov.cn/nb/2023.html", "kind": "report", "title": "2023年年报"}
    b = {"url": "https://a.gov.cn/nb/2024.html", "kind": "report"}
    assert state.begin_pass("s1", [seed]) is False
    assert state.push("s1", [a, b, dict(a, title="again"), dict(seed, depth=1)]) == [a, b]
    assert state.push("s1", []) == []
    assert [state.pop("s1"), state.pop("s1"), state.pop("s1")] == [seed, a, b]  # FIFO
    assert state.pop("s1") is None
    assert state.push("s1", [a]) == []  # popped, still seen for the rest of the pass
    assert state.push("s2", [a]) == [a]  # passes are per site
    with pytest.raises(ValueError, match="url"):
        state.push("s1", [{"href": "x"}])
    state.end_pass("s1")
    assert state.pop("s1") is None
    assert state.push("s1", [a]) == [a]
    assert state.pop("s1") == a
    assert state.pop("s2") == a


def test_requeue_puts_an_item_back_at_the_head_and_it_survives_a_restart(
    backend: Backend,
) -> None:
    state = backend.new()
    first, second = {"url": "https://a.gov.cn/nb/"}, {"url": "https://a.gov.cn/nb/2024.html"}
    state.begin_pass("s1", [first, second])
    popped = state.pop("s1")
    state.requeue("s1", {**popped, "cut": 1})
    del state

    restarted = backend.new()
    assert restarted.begin_pass("s1", [first]) is True
    assert [restarted.pop("s1"), restarted.pop("s1")] == [{**first, "cut": 1}, second]


def visit(state: CrawlState, site: str) -> dict | None:
    """Pop the next item and finish its visit (done), as the crawler does."""
    item = state.pop(site)
    if item is not None:
        state.done(site, item)
    return item


def test_begin_pass_resumes_an_interrupted_pass(backend: Backend) -> None:
    seeds = [{"url": "https://a.gov.cn/nb/"}, {"url": "https://a.gov.cn/nb/index_1.html"}]
    state = backend.new()
    assert state.begin_pass("s1", seeds) is False
    assert visit(state, "s1") == seeds[0]
    state.push("s1", [{"url": "https://a.gov.cn/nb/2024.html"}])
    del state  # the process dies mid-pass, between visits

    restarted = backend.new()
    more_seeds = [*seeds, {"url": "https://a.gov.cn/other/"}]
    assert restarted.begin_pass("s1", more_seeds) is True
    assert visit(restarted, "s1") == seeds[1]
    assert visit(restarted, "s1") == {"url": "https://a.gov.cn/nb/2024.html"}
    assert restarted.pop("s1") is None  # seeds were not re-added
    assert restarted.push("s1", [seeds[0]]) == []  # the pass-seen set survived too

    # frontier drained, nothing in flight, but end_pass never ran: a fresh pass, seeds re-added
    restarted = backend.new()
    assert restarted.begin_pass("s1", seeds) is False
    assert [visit(restarted, "s1"), visit(restarted, "s1"), restarted.pop("s1")] == [*seeds, None]
    restarted.end_pass("s1")
    assert restarted.begin_pass("s1", seeds) is False
    assert restarted.pop("s1") == seeds[0]


def python(code: str, *args: str, **popen: object) -> subprocess.Popen:
    """Start `python -c code args` with this checkout importable (another process)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", code, *args], cwd=ROOT, env=env, text=True, **popen
    )


SEEDS = [{"url": "https://a.gov.cn/nb/", "kind": "listing"}, {"url": "https://a.gov.cn/nb/p2"}]
REPORT = {"url": "https://a.gov.cn/nb/2024.html", "kind": "report", "title": "2024年年报"}


def test_an_item_whose_visitor_died_comes_back_first(backend: Backend) -> None:
    state = backend.new()
    assert state.begin_pass("s1", SEEDS) is False
    assert state.push("s1", [REPORT]) == [REPORT]
    assert state.pop("s1") == SEEDS[0]
    assert state.pop("s1") == SEEDS[1]
    del state  # dies mid-visit of both: no done, no requeue

    restarted = backend.new()
    assert restarted.begin_pass("s1", [{"url": "https://a.gov.cn/new-seed/"}]) is True
    assert [visit(restarted, "s1") for _ in range(4)] == [*SEEDS, REPORT, None]  # popped order
    assert restarted.push("s1", [SEEDS[0], REPORT]) == []  # still the same pass
    again = backend.new()
    assert again.begin_pass("s1", SEEDS) is False  # all done: nothing stranded, a fresh pass
    assert again.pop("s1") == SEEDS[0]


def test_an_item_survives_the_kill_of_the_process_that_popped_it(backend: Backend) -> None:
    code = backend.open_code + (
        "import json, os, signal, sys\n"
        "state.begin_pass('s1', json.loads(sys.argv[1]))\n"
        "print(json.dumps(state.pop('s1')), flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    proc = python(code, json.dumps([*SEEDS, REPORT]), stdout=subprocess.PIPE)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL and json.loads(out) == SEEDS[0]

    restarted = backend.new()  # (the killed process's file lock went with it)
    assert restarted.begin_pass("s1", SEEDS) is True
    assert [visit(restarted, "s1") for _ in range(4)] == [*SEEDS, REPORT, None]


def test_done_ends_the_visit_for_good(backend: Backend) -> None:
    state = backend.new()
    state.begin_pass("s1", [*SEEDS, REPORT])
    first, second = state.pop("s1"), state.pop("s1")
    state.done("s1", first)
    state.done("s1", {**second, "links": 3})  # the url identifies it, other keys may differ
    state.done("s1", second)  # twice: nothing left to drop
    state.done("s1", {"url": "https://a.gov.cn/never-popped"})
    state.done("other-site", first)
    with pytest.raises(ValueError, match="url"):
        state.done("s1", {"href": "x"})
    third = state.pop("s1")
    del state  # dies mid-visit of the third

    restarted = backend.new()
    assert restarted.begin_pass("s1", SEEDS) is True
    assert [visit(restarted, "s1"), restarted.pop("s1")] == [third, None]  # not first or second


def test_requeue_takes_the_item_out_of_flight(backend: Backend) -> None:
    state = backend.new()
    state.begin_pass("s1", [*SEEDS, REPORT])
    first, second = state.pop("s1"), state.pop("s1")
    state.requeue("s1", {**first, "cut": 1})  # changed, as the crawler does: same url
    del state  # dies mid-visit of the second

    restarted = backend.new()
    assert restarted.begin_pass("s1", SEEDS) is True
    popped = [visit(restarted, "s1") for _ in range(4)]
    assert popped == [second, {**first, "cut": 1}, REPORT, None]  # first once, changed


def test_end_pass_forgets_items_in_flight(backend: Backend) -> None:
    state = backend.new()
    state.begin_pass("s1", SEEDS)
    state.pop("s1")
    state.end_pass("s1")
    del state

    restarted = backend.new()
    assert restarted.begin_pass("s1", SEEDS) is False  # nothing stranded: a fresh pass
    assert [visit(restarted, "s1") for _ in range(3)] == [*SEEDS, None]


def test_claim_due_returns_unscheduled_and_due_sites_only(backend: Backend) -> None:
    state = backend.new()
    state.set_next_due("past", NOW - 1)
    state.set_next_due("exact", NOW)
    state.set_next_due("future", NOW + 100)
    intervals = {"new": 60.0, "past": 60.0, "future": 60.0, "exact": 600.0}
    assert state.claim_due(intervals, now=NOW) == ["new", "past", "exact"]
    assert state.next_due("new") == NOW + 60
    assert state.next_due("exact") == NOW + 600
    assert state.next_due("future") == NOW + 100
    assert state.next_due("unknown") is None
    assert state.claim_due(intervals, now=NOW) == []
    state = backend.new()  # a restarted monitor keeps the schedule
    assert state.claim_due(intervals, now=NOW + 60) == ["new", "past"]
    assert state.claim_due(intervals, now=NOW + 600) == ["new", "past", "future", "exact"]
    assert state.claim_due({}, now=NOW) == []
    before = time.time()
    assert state.claim_due({"clock": 5.0}) == ["clock"]  # now defaults to the caller's clock
    assert before + 5 <= (state.next_due("clock") or 0) <= time.time() + 5


def test_concurrent_claims_hand_each_due_site_to_exactly_one_caller(backend: Backend) -> None:
    sites = [f"site{i:02d}" for i in range(60)]
    setup = backend.new()
    setup.set_next_due("later", NOW + 3600)
    for site in sites[::2]:
        setup.set_next_due(site, NOW - 5)  # half due, half never scheduled
    state = backend.new()  # one instance shared by the threads, like a monitor's thread pool
    barrier = threading.Barrier(8)
    results: list[list[str]] = [[] for _ in range(8)]

    def claim(n: int) -> None:
        order = [*sites, "later"]
        random.Random(n).shuffle(order)
        barrier.wait()
        for i, site in enumerate(order):
            if i % 10 == 0:  # some calls claim everything at once
                results[n] += state.claim_due({s: 3600.0 for s in order}, now=NOW)
            results[n] += state.claim_due({site: 3600.0}, now=NOW)

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    claimed = Counter(site for result in results for site in result)
    assert claimed == Counter(sites)


@pytest.mark.services
def test_claims_from_two_processes_never_overlap(redis_server: RedisServer) -> None:
    prefix = f"test:{uuid.uuid4().hex[:12]}"
    script = (
        "import json, sys, time, redis\n"
        "from producers.state import RedisCrawlState\n"
        "url, prefix, n, now = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])\n"
        "client = redis.Redis.from_url(url, decode_responses=True)\n"
        "state = RedisCrawlState(client, prefix)\n"
        "client.incr(prefix + ':ready')\n"
        "while not client.get(prefix + ':go'):\n"
        "    time.sleep(0.001)\n"
        "claimed = []\n"
        "for i in range(n):\n"
        "    claimed += state.claim_due({f's{i}': 3600.0, f's{n - 1 - i}': 3600.0}, now)\n"
        "print(json.dumps(claimed))\n"
    )
    n = 300
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = [sys.executable, "-c", script, redis_server.url, prefix, str(n), str(NOW)]
    procs = [
        subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    client = redis_server.client(decode_responses=True)
    try:
        wait_until(lambda: client.get(f"{prefix}:ready") == "2", timeout=30, message="not ready")
        client.set(f"{prefix}:go", "1")
        outputs = [proc.communicate(timeout=30)[0] for proc in procs]
        assert [proc.returncode for proc in procs] == [0, 0]
        claimed = Counter(site for out in outputs for site in json.loads(out))
        assert claimed == Counter(f"s{i}" for i in range(n))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
        client.close()


def test_lock_site_is_exclusive_expires_and_ignores_wrong_tokens(backend: Backend) -> None:
    state = backend.new()
    token = state.lock_site("a", 30)
    assert token
    assert state.lock_site("a", 30) is None
    assert backend.new().lock_site("a", 30) is None  # another process sees it held
    other = state.lock_site("b", 30)
    assert other and other != token
    state.unlock_site("a", "not-the-token")
    state.unlock_site("a", other)  # b's token does not open a
    assert state.lock_site("a", 30) is None
    state.unlock_site("a", token)
    state = backend.new()
    again = state.lock_site("a", 30)
    assert again and again != token

    short = state.lock_site("c", 0.2)
    assert short and state.lock_site("c", 30) is None
    time.sleep(0.35)  # past the lease: a killed holder does not block the site forever
    taker = state.lock_site("c", 30)
    assert taker
    state.unlock_site("c", short)  # the late holder's unlock must not free the new lock
    assert state.lock_site("c", 30) is None
    state.unlock_site("c", taker)
    assert state.lock_site("c", 30)


def test_extend_lock_only_while_the_token_holds_it(backend: Backend) -> None:
    state = backend.new()
    token = state.lock_site("a", 0.3)
    assert token
    assert state.extend_lock("a", token, 30) is True
    assert state.extend_lock("a", "not-the-token", 30) is False
    assert state.extend_lock("b", token, 30) is False  # another site, never locked
    time.sleep(0.45)  # past the first lease: the extension holds the site
    assert state.lock_site("a", 30) is None
    assert backend.new().lock_site("a", 30) is None
    state.unlock_site("a", token)
    assert state.extend_lock("a", token, 30) is False  # released

    expired = state.lock_site("a", 0.2)
    assert expired
    time.sleep(0.35)
    assert state.extend_lock("a", expired, 30) is False  # expired: lost, not revived
    taker = state.lock_site("a", 0.3)
    assert taker
    assert state.extend_lock("a", expired, 30) is False  # taken by another token
    time.sleep(0.45)  # the failed extension did not lengthen the taker's lease
    assert state.extend_lock("a", taker, 30) is False
    assert state.lock_site("a", 30)


def test_both_backends_implement_the_protocol(backend: Backend) -> None:
    state = backend.new()
    assert isinstance(state, CrawlState)
    state.close()
    state.close()  # idempotent


def test_counters_count_mark_and_list_every_site(backend: Backend) -> None:
    state = backend.new()
    assert state.counters("a") == {"a": {}}
    assert state.counters() == {}
    state.count("a", fetched=2, new=1)
    state.count("a", fetched=3, not_modified=1)
    state.count("a")  # nothing to add
    state.mark("a", last_success=NOW, last_attempt=1_700_000_001, last_error="timeout: 超时")
    state.count("b", errors=1, robots_disallowed=2)
    state.mark("b", last_error="12")  # a digit string stays a string
    expected = {
        "a": {
            "fetched": 5,
            "new": 1,
            "not_modified": 1,
            "last_success": NOW,
            "last_attempt": 1_700_000_001.0,
            "last_error": "timeout: 超时",
        },
        "b": {"errors": 1, "robots_disallowed": 2, "last_error": "12"},
    }
    for view in (state, backend.new()):
        assert view.counters("a") == {"a": expected["a"]}
        assert view.counters() == expected
        values = view.counters("a")["a"]
        assert type(values["fetched"]) is int
        assert type(values["last_attempt"]) is float
        assert type(view.counters("b")["b"]["last_error"]) is str


def test_robots_cache_expires(backend: Backend) -> None:
    state = backend.new()
    assert state.robots_get("www.a.gov.cn") is None
    # a TTL the next few steps cannot outlast even on a loaded machine (0.3 s once did)
    state.robots_put("www.a.gov.cn", "User-agent: *\nDisallow: /admin/\n", 1.5)
    StateRobotsCache(state).put("b.gov.cn", "User-agent: *\nAllow: /\n", 60)
    assert state.robots_get("WWW.A.gov.cn") == "User-agent: *\nDisallow: /admin/\n"
    assert StateRobotsCache(backend.new()).get("b.gov.cn") == "User-agent: *\nAllow: /\n"
    time.sleep(1.6)
    assert state.robots_get("www.a.gov.cn") is None
    assert backend.new().robots_get("www.a.gov.cn") is None
    assert state.robots_get("b.gov.cn") == "User-agent: *\nAllow: /\n"
    state.robots_put("b.gov.cn", "ignored", 0)  # ttl 0 drops the entry
    assert state.robots_get("b.gov.cn") is None


@pytest.mark.parametrize("content", ["{not json", "[]", '{"version": 1, "urls": 3}', "\xff"])
def test_corrupt_state_file_is_a_clear_error_naming_the_file(tmp_path: Path, content: str) -> None:
    path = tmp_path / "crawl-state.json"
    path.write_bytes(content.encode("latin-1"))
    with pytest.raises(CrawlStateError) as caught:
        MemoryCrawlState(path)
    message = str(caught.value)
    assert str(path) in message and "delete" in message
    assert path.read_bytes() == content.encode("latin-1")  # never overwritten


def test_memory_state_without_a_path_writes_nothing(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    state = MemoryCrawlState()
    state.count("a", fetched=1)
    assert state.begin_pass("a", [{"url": "https://a.gov.cn/"}]) is False
    assert state.counters() == {"a": {"fetched": 1}}
    assert list(tmp_path.iterdir()) == []


def _locked_elsewhere(path: Path) -> bool:
    """Whether the state file's lock is held (by any process, this one included)."""
    with open(path.with_name(path.name + ".lock"), "a") as probe:
        try:
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(probe, fcntl.LOCK_UN)
        return False


OPEN_AND_COUNT = (
    "import sys\n"
    "from producers.state import CrawlStateError, MemoryCrawlState\n"
    "try:\n"
    "    state = MemoryCrawlState(sys.argv[1])\n"
    "except CrawlStateError as exc:\n"
    "    print(exc)\n"
    "    sys.exit(3)\n"
    "state.count('a', fetched=1)\n"
    "print('opened')\n"
)


def test_a_second_process_is_refused_the_state_file_until_close(tmp_path: Path) -> None:
    path = tmp_path / "crawl-state.json"
    state = MemoryCrawlState(path)
    state.count("a", fetched=1)
    assert _locked_elsewhere(path)
    assert MemoryCrawlState(path).counters() == {"a": {"fetched": 1}}  # same process: shared

    proc = python(OPEN_AND_COUNT, str(path), stdout=subprocess.PIPE)
    out = proc.communicate(timeout=30)[0]
    assert proc.returncode == 3
    assert (
        f"crawl state file {path} is in use by another nianbao process (pid {os.getpid()})" in out
    )
    assert "NIANBAO_BROKER_URL" in out and "NIANBAO_CRAWL_STATE_URL" in out
    assert json.loads(path.read_text())["counters"] == {"a": {"fetched": 1}}  # left alone

    state.close()
    state.close()
    assert not _locked_elsewhere(path)
    with pytest.raises(CrawlStateError, match="closed"):
        state.count("a", fetched=1)  # a closed instance never writes behind another's back
    proc = python(OPEN_AND_COUNT, str(path), stdout=subprocess.PIPE)
    assert proc.communicate(timeout=30)[0] == "opened\n" and proc.returncode == 0
    with MemoryCrawlState(path) as reopened:
        assert reopened.counters("a") == {"a": {"fetched": 2}}
    assert not _locked_elsewhere(path)


def test_this_process_is_refused_a_file_another_process_holds(tmp_path: Path) -> None:
    path = tmp_path / "crawl-state.json"
    holder = python(
        "import sys\nfrom producers.state import MemoryCrawlState\n"
        "state = MemoryCrawlState(sys.argv[1])\nstate.count('a', fetched=7)\n"
        "print('ready', flush=True)\nsys.stdin.read()\n",
        str(path),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout.readline() == "ready\n"
        with pytest.raises(CrawlStateError, match=f"pid {holder.pid}") as caught:
            MemoryCrawlState(path)
        assert "NIANBAO_CRAWL_STATE_URL" in str(caught.value)
        with pytest.raises(CrawlStateError):  # open_state opens the same file
            open_state(Settings(data_dir=tmp_path, broker_url=None, crawl_state_url=None))

        reader = open_state(
            Settings(data_dir=tmp_path, broker_url=None, crawl_state_url=None), read_only=True
        )  # status and metrics may read next to a running crawler
        assert reader.counters() == {"a": {"fetched": 7}}
        with pytest.raises(CrawlStateError, match="read-only"):
            reader.count("a", fetched=1)
    finally:
        holder.communicate(timeout=30)  # stdin closed: the holder exits, and its lock with it
    assert holder.returncode == 0
    state = MemoryCrawlState(path)
    state.count("a", fetched=1)
    assert state.counters("a") == {"a": {"fetched": 8}}


def test_a_dropped_or_unloadable_state_releases_the_file(tmp_path: Path) -> None:
    path = tmp_path / "crawl-state.json"
    state = MemoryCrawlState(path)
    state.count("a", fetched=1)
    again = MemoryCrawlState(path)
    del state
    assert _locked_elsewhere(path)  # the other instance of this process still holds it
    del again
    assert not _locked_elsewhere(path)
    path.write_text("{not json")
    with pytest.raises(CrawlStateError, match="unreadable"):
        MemoryCrawlState(path)
    assert not _locked_elsewhere(path)


def test_open_state_embedded_uses_a_file_in_data_dir(tmp_path: Path) -> None:
    data_dir = tmp_path / "missing" / "data"
    settings = Settings(data_dir=data_dir, broker_url=None, crawl_state_url=None)
    state = open_state(settings)
    assert isinstance(state, MemoryCrawlState)
    assert state.path == data_dir / "crawl-state.json" and data_dir.is_dir()
    state.set_next_due("a", NOW)
    assert open_state(settings).next_due("a") == NOW
    other = Settings(data_dir=data_dir, broker_url="amqp://guest@localhost//", crawl_state_url=None)
    assert isinstance(open_state(other), MemoryCrawlState)


@pytest.mark.services
def test_open_state_uses_the_configured_redis(redis_server: RedisServer, tmp_path: Path) -> None:
    site = f"open-{uuid.uuid4().hex[:8]}"
    via_broker = Settings(data_dir=tmp_path, broker_url=redis_server.url, crawl_state_url=None)
    via_own = Settings(
        data_dir=tmp_path, broker_url="amqp://guest@localhost//", crawl_state_url=redis_server.url
    )
    first, second = open_state(via_broker), open_state(via_own)
    assert isinstance(first, RedisCrawlState) and isinstance(second, RedisCrawlState)
    first.count(site, enqueued=4)
    assert second.counters(site) == {site: {"enqueued": 4}}
    assert not (tmp_path / "crawl-state.json").exists()
    client = redis_server.client()
    try:
        assert client.hget(f"nianbao:crawl:site:{site}:counters", "enqueued") == b"4"
        client.delete(f"nianbao:crawl:site:{site}:counters")
        client.srem("nianbao:crawl:sites", site)
    finally:
        client.close()
        first.client.close()
        second.client.close()


def test_site_locks_left_in_the_file_by_a_dead_process_are_dropped(tmp_path: Path) -> None:
    """The file lock proves nobody else uses the file: its site locks are a dead process's."""
    path = tmp_path / "crawl-state.json"
    code = (
        "import os, sys; from producers.state import MemoryCrawlState; "
        f"s = MemoryCrawlState({str(path)!r}); assert s.lock_site('site', 3600); os._exit(0)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    assert done.returncode == 0
    with MemoryCrawlState(path) as state:
        assert state.lock_site("site", 60)  # not blocked for an hour by the dead holder
