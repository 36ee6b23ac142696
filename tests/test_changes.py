"""The change feed: one event per stored change, read from a cursor, exactly once and in order.

On SQLite and real PostgreSQL; the CLI as a subprocess; and two real worker processes storing
pages at once while a consumer follows the feed (Redis + PostgreSQL).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from devtools.calibrate import Page, _chrome, _edit_sentences, _seed, _text
from devtools.calibrate import to_message as parsed
from nianbao import runtime
from nianbao.storage.migrate import upgrade
from nianbao.storage.repository import Repository, make_engine
from nianbao.storage.repository.changes import FEED_LOCK, MAX_LIMIT, record_change
from schemas.messages import Rejection
from tests.conftest import ROOT, unsent_page
from tests.services import wait_until

SEED = _seed("003")
CORRECTED = SEED.replace("\t968\n", "\t986\n", 1)  # one figure corrected: a new version


@pytest.fixture(params=["sqlite", "postgresql"])
def repo(request: pytest.FixtureRequest, tmp_path) -> Iterator[Repository]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/changes.sqlite3"
    else:
        url = request.getfixturevalue("pg_url")
    engine = make_engine(url)
    upgrade(engine)
    yield Repository(engine)
    engine.dispose()


def _rejection(url: str) -> Rejection:
    page = unsent_page(b"not a report", url, store_body=False)
    return Rejection(page=page, stage="parse", reason="not_a_report", detail="no report here")


def test_each_change_is_one_event_and_a_redelivery_none(repo: Repository) -> None:
    pages = [
        parsed(_text(SEED), "https://a.gov.cn/nb/2017.html"),
        parsed(_text(_edit_sentences(SEED, 3)), "https://b.gov.cn/nb/2017.html"),
        parsed(_text(CORRECTED), "https://a.gov.cn/nb/2017.html"),  # same URL, corrected
        parsed(_chrome(CORRECTED, 1), "https://c.gov.cn/nb/2017.html"),
    ]
    results = [repo.save_report(page) for page in pages]
    assert [r.decision for r in results] == [
        "new", "near_duplicate", "new_version", "exact_duplicate"
    ]  # fmt: skip
    before = repo.last_cursor()
    assert [repo.save_report(page).decision for page in pages] == ["redelivery"] * 4
    assert repo.last_cursor() == before  # a redelivery changes nothing: no event

    assert repo.save_rejection(_rejection("https://d.gov.cn/x.html"))
    assert not repo.save_rejection(_rejection("https://d.gov.cn/x.html"))  # already there
    page = pages[0].page.model_dump(mode="json")
    assert repo.add_dead_letter(task_id="t-1", task_name="nianbao.pages.process", args=[page],
                                kwargs={}, error="boom", traceback="", attempts=4)  # fmt: skip
    letter = repo.list_dead_letters()[0]
    assert repo.claim_dead_letter(letter.id)
    assert not repo.claim_dead_letter(letter.id)  # someone else's claim: no second event

    events = repo.changes()
    report = results[0].report_id
    assert [(e.kind, e.report_id, e.version) for e in events] == [
        ("report_created", report, 1),
        ("near_duplicate_attached", report, 1),
        ("version_added", report, 2),
        ("source_added", report, 2),
        ("quarantined", None, None),
        ("replayed", None, None),
    ]
    cursors = [e.cursor for e in events]
    assert cursors == sorted(set(cursors)) and repo.last_cursor() == cursors[-1]
    with repo.engine.connect() as conn:
        sources = conn.execute(text("SELECT id, url FROM report_sources ORDER BY id")).all()
    assert [(e.source_id, e.data["url"]) for e in events[:4]] == [tuple(s) for s in sources]
    assert [e.data["url"] for e in events[:4]] == [p.page.url for p in pages]
    assert events[1].data["decision"] == "near_duplicate" and events[1].data["similarity"] >= 0.8
    assert events[0].data["year"] == 2017
    assert events[0].data["agency"] == "温州市安全生产监督管理局"
    [quarantined] = repo.list_quarantine()
    assert events[4].quarantine_id == quarantined.id
    assert events[4].data == {"stage": "parse", "reason": "not_a_report",
                              "url": "https://d.gov.cn/x.html", "site_id": "test"}  # fmt: skip
    assert events[5].data == {"dead_letter_id": letter.id, "task_id": "t-1",
                              "task_name": "nianbao.pages.process", "url": page["url"]}  # fmt: skip
    as_json = events[0].to_json()
    assert json.loads(json.dumps(as_json)) == as_json
    assert as_json["at"].endswith("Z") and as_json["cursor"] == cursors[0]
    from schemas.api import ChangeOut  # the API writes the same timestamp, character for character

    assert ChangeOut.model_validate(as_json).model_dump(mode="json")["at"] == as_json["at"]


def test_reading_from_a_cursor_pages_through_and_caps_the_limit(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/feed.sqlite3")
    upgrade(engine)
    repo = Repository(engine)
    with Session(engine) as session, session.begin():
        for n in range(MAX_LIMIT + 5):
            record_change(session, "quarantined", {"n": n}, quarantine_id=n)
    assert repo.last_cursor() == MAX_LIMIT + 5
    assert len(repo.changes(limit=5000)) == MAX_LIMIT
    seen, after = [], 0
    while page := repo.changes(after=after, limit=300):
        seen += [e.data["n"] for e in page]
        after = page[-1].cursor
    assert seen == list(range(MAX_LIMIT + 5))
    assert repo.changes(after=repo.last_cursor()) == []
    with pytest.raises(ValueError, match="limit"):
        repo.changes(limit=0)
    with Session(engine) as session, session.begin(), pytest.raises(ValueError, match="kind"):
        record_change(session, "deleted", {})
    engine.dispose()


def test_a_writer_draws_its_cursor_only_under_the_feed_lock(pg_url: str) -> None:
    """While another transaction holds the feed lock, a store waits before it draws a cursor:
    the holder commits an event first, and the waiting store's cursor comes after it."""
    engine = make_engine(pg_url)
    upgrade(engine)
    repo = Repository(engine)
    holder = engine.connect()
    transaction = holder.begin()
    holder.execute(text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": FEED_LOCK})
    stored: list[str] = []
    writer = threading.Thread(
        target=lambda: stored.append(
            repo.save_report(parsed(_text(SEED), "https://a.gov.cn/1.html")).decision
        )
    )
    writer.start()
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND wait_event = 'advisory'"
    )

    def writer_waits() -> bool:  # a new transaction each time: activity is read once in one
        with engine.connect() as watcher:
            return watcher.execute(waiting).scalar() == 1

    wait_until(writer_waits, timeout=30, message="the store never waited for the feed lock")
    with Session(bind=holder) as session:
        record_change(session, "quarantined", {"first": True}, quarantine_id=1)
    transaction.commit()
    holder.close()
    writer.join(timeout=60)
    assert stored == ["new"]
    assert [e.kind for e in repo.changes()] == ["quarantined", "report_created"]
    engine.dispose()


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nianbao.cli", "changes", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env=os.environ.copy(),
    )  # fmt: skip


def test_the_cli_prints_json_lines_after_a_cursor_and_follows(embedded: dict) -> None:
    repo = runtime.repository()
    repo.save_report(parsed(_text(SEED), "https://a.gov.cn/1.html"))
    repo.save_report(parsed(_text(_edit_sentences(SEED, 3)), "https://b.gov.cn/1.html"))
    repo.save_rejection(_rejection("https://c.gov.cn/notice.html"))

    everything = _cli()
    assert everything.returncode == 0, everything.stderr
    lines = [json.loads(line) for line in everything.stdout.splitlines()]
    assert [e["kind"] for e in lines] == ["report_created", "near_duplicate_attached",
                                           "quarantined"]  # fmt: skip
    assert lines == [e.to_json() for e in repo.changes()]
    after_first = _cli("--after", str(lines[0]["cursor"]))
    assert [json.loads(line) for line in after_first.stdout.splitlines()] == lines[1:]
    one = _cli("--after", str(lines[0]["cursor"]), "--limit", "1")
    assert [json.loads(line) for line in one.stdout.splitlines()] == lines[1:2]
    assert _cli("--after", str(lines[-1]["cursor"])).stdout == ""
    wrong = _cli("--after", "-1")
    assert wrong.returncode == 1 and "Traceback" not in wrong.stderr
    assert "--after" in wrong.stderr.splitlines()[0]

    follower = subprocess.Popen(
        [sys.executable, "-m", "nianbao.cli", "changes", "--follow",
         "--after", str(lines[-1]["cursor"])],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=os.environ.copy(),
    )  # fmt: skip
    watchdog = threading.Timer(60, follower.kill)  # a follower that prints nothing fails the test
    watchdog.start()
    try:
        repo.save_rejection(_rejection("https://c.gov.cn/later.html"))  # while it follows
        assert follower.stdout is not None
        later = json.loads(follower.stdout.readline())
        assert (later["kind"], later["data"]["url"]) == (
            "quarantined",
            "https://c.gov.cn/later.html",
        )
        assert later["cursor"] == lines[-1]["cursor"] + 1
    finally:
        follower.send_signal(signal.SIGINT)  # Ctrl-C
        _, stderr = follower.communicate(timeout=30)
        watchdog.cancel()
    assert follower.returncode == 0 and "Traceback" not in stderr


def test_the_cli_says_in_one_line_when_the_database_is_unreachable(configure) -> None:
    configure(DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:9/none")
    failed = _cli()
    assert failed.returncode == 1 and "Traceback" not in failed.stderr
    assert failed.stderr.startswith("error: ")


CITIES = ["台州市", "湖州市", "嘉兴市", "绍兴市", "金华市", "衢州市", "舟山市", "丽水市",
          "宁波市", "杭州市", "湛江市", "汕头市", "佛山市", "江门市", "肇庆市", "惠州市",
          "梅州市", "汕尾市"]  # fmt: skip
NOTICES = 10


def _pages() -> list[tuple[Page, str]]:
    """18 reports, each twice (an exact copy, a near copy or a corrected figure), 10 notices."""
    pages = []
    for i, city in enumerate(CITIES):
        own = SEED.replace("温州市", city).replace("温州", city[:-1])
        second = (own, _edit_sentences(own, 3), own.replace("\t968\n", "\t986\n", 1))[i % 3]
        pages += [(_chrome(own, 0), f"https://a.gov.cn/{i}.html"),
                  (_chrome(second, 1), f"https://b.gov.cn/{i}.html")]  # fmt: skip
    for n in range(NOTICES):
        notice = f"关于{n}号文件的通知\n各单位：现将有关事项通知如下。请认真贯彻落实。\n办公室\n"
        pages.append((Page(notice.encode(), "text/plain"), f"https://c.gov.cn/notice{n}.html"))
    return pages


@pytest.mark.services
def test_a_consumer_sees_every_event_once_in_order_while_two_workers_write(
    distributed: dict, start_worker
) -> None:
    """Two worker processes store 60 messages (new reports, exact and near copies, corrected
    versions, quarantined notices, redeliveries) while a consumer polls the feed from its last
    cursor: it receives every event exactly once, in strictly increasing cursor order."""
    from workers.tasks import process_page

    repo = runtime.repository()
    start_worker(distributed)
    start_worker(distributed)
    received: list[int] = []
    kinds: Counter[str] = Counter()
    stop = threading.Event()

    def consume() -> None:
        last = 0
        while True:
            finished = stop.is_set()  # one more read after the writers are done
            while events := repo.changes(after=last, limit=7):
                received.extend(e.cursor for e in events)
                kinds.update(e.kind for e in events)
                last = events[-1].cursor
            if finished:
                return

    consumer = threading.Thread(target=consume)
    consumer.start()
    messages = []
    for page, url in _pages():
        sent = unsent_page(page.body, url, store_body=True)
        messages.append(sent.model_copy(update={"content_type": page.content_type}))
    messages += messages[::4]  # twelve of them delivered twice: redeliveries, no event
    assert len(messages) == 58
    try:
        for message in messages:
            process_page.apply_async(args=[message.model_dump(mode="json")])
        wait_until(
            lambda: repo.counts()["sources"] == 36 and repo.counts()["quarantined"] == NOTICES,
            timeout=180,
            message=f"stored: {repo.counts()}",
        )
    finally:
        stop.set()
        consumer.join(timeout=60)
    with repo.engine.connect() as conn:
        table = [row[0] for row in conn.execute(text("SELECT cursor FROM changes ORDER BY 1"))]
    assert len(received) == len(set(received)) == 46  # exactly once each
    assert received == sorted(received)  # strictly increasing as received
    assert set(received) == set(table)
    assert kinds == {
        "report_created": 18,
        "source_added": 6,
        "near_duplicate_attached": 6,
        "version_added": 6,
        "quarantined": NOTICES,
    }
