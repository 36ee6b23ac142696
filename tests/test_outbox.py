"""The archive outbox: a stored version always gets its archived record, whatever fails when.

Real SQLite and PostgreSQL for the repository; the real moto S3 server stopped between the
commit and the archive write; the embedded path (SQLite + a local directory) with a real
filesystem error; and real worker processes on Redis, PostgreSQL and S3.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from devtools.calibrate import _seed, _text
from devtools.calibrate import to_message as parsed
from nianbao import runtime
from nianbao.storage.migrate import upgrade
from nianbao.storage.repository import Repository, archive_key, archived_record, make_engine
from tests.services import S3Server, wait_until
from workers import outbox
from workers.outbox import deliver, drain_outbox, retry_delay

SEED = _seed("003")
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}  # moto
OTHER = _seed("001")


@pytest.fixture(autouse=True)
def _s3_credentials_and_no_quiet_period(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(outbox, "CHECK_INTERVAL", 0.0)  # every store task looks at the outbox
    monkeypatch.setattr(outbox, "_quiet_until", 0.0)


def message(text: str, url: str) -> dict:
    return parsed(_text(text), url).model_dump(mode="json")


@pytest.fixture(params=["sqlite", "postgresql"])
def repo(request: pytest.FixtureRequest, tmp_path: Path) -> Repository:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/outbox.sqlite3"
    else:
        url = request.getfixturevalue("pg_url")
    engine = make_engine(url)
    upgrade(engine)
    yield Repository(engine)
    engine.dispose()


class FlakyStore:
    """A dict store whose puts fail while `down` (for the repository-level tests only)."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.down = False
        self.puts = 0

    def put(self, key: str, data: bytes, content_type: str = "") -> None:
        self.puts += 1
        if self.down:
            raise ConnectionError("object store unreachable")
        self.objects[key] = data


def test_a_new_version_owes_its_archive_in_the_same_transaction(repo: Repository) -> None:
    first = repo.save_report(parsed(_text(SEED), "https://a.gov.cn/1.html"))
    assert first.archive is not None and repo.pending_archive_count() == 1
    copy = repo.save_report(parsed(_text(SEED), "https://b.gov.cn/1.html"))
    assert copy.decision == "exact_duplicate" and copy.archive is None  # no new version
    again = repo.save_report(parsed(_text(SEED), "https://a.gov.cn/1.html"))
    assert again.decision == "redelivery" and repo.pending_archive_count() == 1
    corrected = _text(SEED.replace("\t968\n", "\t-968\n", 1))  # same exact key, other figures
    fixed = repo.save_report(parsed(corrected, "https://a.gov.cn/2.html"))
    assert fixed.decision == "new_version" and fixed.archive is not None
    # same exact key, other figures: its own key, so no key ever holds two records
    assert first.archive.key == archive_key(parsed(_text(SEED), "x").fingerprint)
    assert fixed.archive.key != first.archive.key and fixed.archive.key.endswith(".json")
    assert repo.pending_archive_count() == 2

    store = FlakyStore()
    assert drain_outbox(repo=repo, store=store).written == 2  # type: ignore[arg-type]
    assert repo.pending_archive_count() == 0
    stored = repo.get_report(first.report_id)
    assert stored is not None
    for version, archive in zip(stored.versions, (first.archive, fixed.archive), strict=True):
        assert store.objects[archive.key] == version.record.model_dump_json().encode()
    assert drain_outbox(repo=repo, store=store).written == 0  # nothing left, nothing rewritten


def test_a_failing_archive_stays_pending_backs_off_and_is_never_dropped(
    repo: Repository,
) -> None:
    result = repo.save_report(parsed(_text(SEED), "https://a.gov.cn/1.html"))
    assert result.archive is not None
    store = FlakyStore()
    store.down = True
    assert deliver(result.archive, repo, store) is False  # type: ignore[arg-type]
    [pending] = repo.pending_archives(10, due_only=False)
    assert pending.attempts == 1 and "unreachable" in (pending.last_error or "")
    assert repo.pending_archives(10) == []  # backing off: not due yet
    assert repo.pending_archive_count() == 1  # but counted
    for _ in range(5):  # however often it fails, it stays
        store.down = True
        due = repo.pending_archives(10, due_only=False)[0]
        assert deliver(due, repo, store) is False  # type: ignore[arg-type]
    assert repo.pending_archive_count() == 1
    store.down = False
    due = repo.pending_archives(10, due_only=False)[0]
    assert due.attempts == 6
    assert deliver(due, repo, store) is True  # type: ignore[arg-type]
    assert repo.pending_archive_count() == 0 and len(store.objects) == 1
    assert retry_delay(1) == 2.0 and retry_delay(30) == 300.0  # the tasks' backoff settings


def test_two_drains_reading_one_row_write_it_once(repo: Repository) -> None:
    repo.save_report(parsed(_text(SEED), "https://a.gov.cn/1.html"))
    [seen_by_one] = repo.pending_archives(10)
    [seen_by_two] = repo.pending_archives(10)
    store = FlakyStore()
    assert deliver(seen_by_one, repo, store) is True  # type: ignore[arg-type]
    assert deliver(seen_by_two, repo, store) is None  # type: ignore[arg-type]
    assert store.puts == 1 and repo.pending_archive_count() == 0
    # a drain whose lease ran out mid-write: the same bytes again, and no error either way
    key, data = next(iter(store.objects.items()))
    repo.archive_written(seen_by_one)
    assert archived_record(json.loads(data)) == data and key.startswith("records/")


@pytest.mark.services
def test_s3_down_after_the_commit_then_back(configure, s3_server: S3Server, pg_url: str) -> None:
    """The archive write fails after the database commit; the next store task writes it."""
    bucket = f"nb-{uuid.uuid4().hex[:8]}"
    configure(
        OBJECT_STORE="s3", S3_BUCKET=bucket, S3_ENDPOINT_URL=s3_server.endpoint_url,
        DATABASE_URL=pg_url, RETRY_BACKOFF_BASE="60",
    )  # fmt: skip
    from workers.tasks import save_report

    store, repo = runtime.object_store(), runtime.repository()
    first = message(SEED, "https://a.gov.cn/2017.html")
    s3_server.stop()
    try:
        decision = save_report.apply_async(args=[first]).get()
    finally:
        s3_server.start()
    assert decision == "new"  # stored and done: no retry, no dead letter
    assert repo.counts() == {"reports": 1, "sources": 1, "quarantined": 0, "dead_letters": 0}
    assert repo.pending_archive_count() == 1
    assert list(store.keys("records/")) == []
    [pending] = repo.pending_archives(1, due_only=False)
    assert "EndpointConnectionError" in (pending.last_error or "")

    # S3 is back; the row is backing off, so the next task writes its own archive only ...
    assert save_report.apply_async(args=[message(OTHER, "https://b.gov.cn/2014.html")]).get()
    assert repo.pending_archive_count() == 1 and len(list(store.keys("records/"))) == 1
    # ... until it is due: then any store task (here a redelivered message) writes it
    _make_due(repo)
    assert save_report.apply_async(args=[first]).get() == "redelivery"
    assert repo.pending_archive_count() == 0
    keys = sorted(store.keys("records/"))
    assert archive_key(first["fingerprint"]) in keys and len(keys) == 2
    stored = next(r for r in repo.iter_reports() if r.fingerprint == first["fingerprint"])
    assert store.get(archive_key(first["fingerprint"])) == stored.record.model_dump_json().encode()


def test_embedded_archive_lost_to_a_filesystem_error_is_written_later(
    embedded: dict[str, str],
) -> None:
    """SQLite and a local directory: `records/` cannot be created, then can."""
    from workers.tasks import save_report

    objects = Path(embedded["NIANBAO_DATA_DIR"]) / "objects"
    repo = runtime.repository()
    runtime.object_store()
    (objects / "records").write_text("not a directory")  # every archive write fails
    first = message(SEED, "https://a.gov.cn/2017.html")
    assert save_report.apply_async(args=[first]).get() == "new"
    assert repo.pending_archive_count() == 1 and repo.counts()["dead_letters"] == 0
    (objects / "records").unlink()
    _make_due(repo)
    assert save_report.apply_async(args=[message(OTHER, "https://b.gov.cn/1.html")]).get()
    assert repo.pending_archive_count() == 0
    assert len(list((objects / "records").rglob("*.json"))) == 2
    assert (objects / archive_key(first["fingerprint"])).is_file()


@pytest.mark.services
def test_real_workers_write_the_owed_archive_after_an_s3_outage_with_no_new_traffic(
    configure, redis_server, pg_url: str, s3_server: S3Server, start_worker
) -> None:
    """Redis, PostgreSQL, S3 and a real store worker: S3 goes away, the report is stored and
    its task succeeds; S3 comes back and, with nothing else sent, the owed archive is written
    (the task scheduled a write for when the row is due)."""
    from workers.tasks import save_report

    redis_server.flushall()
    env = configure(
        BROKER_URL=redis_server.url, DATABASE_URL=pg_url, OBJECT_STORE="s3",
        S3_BUCKET=f"nb-{uuid.uuid4().hex[:8]}", S3_ENDPOINT_URL=s3_server.endpoint_url,
        RETRY_BACKOFF_BASE="0.5", RETRY_BACKOFF_MAX="4",
    )  # fmt: skip
    repo, store = runtime.repository(), runtime.object_store()
    worker = start_worker({**env, **CREDENTIALS}, "store")
    log = worker.output

    def failed_once() -> bool:
        pending = repo.pending_archives(1, due_only=False)
        return bool(pending and pending[0].last_error)

    s3_server.stop()
    try:
        save_report.delay(message(SEED, "https://a.gov.cn/2017.html"))
        wait_until(lambda: repo.counts()["reports"] == 1, timeout=60, message=log()[-3000:])
        wait_until(failed_once, timeout=60, message=log()[-3000:])
        assert repo.pending_archive_count() == 1 and repo.counts()["dead_letters"] == 0
    finally:
        s3_server.start()
    wait_until(lambda: repo.pending_archive_count() == 0, timeout=60, message=log()[-3000:])
    assert list(store.keys("records/")) == [archive_key(message(SEED, "x")["fingerprint"])]
    assert "nianbao.store.report" in log() and "retry 1/" not in log()  # the task never failed
    assert repo.counts() == {"reports": 1, "sources": 1, "quarantined": 0, "dead_letters": 0}


def test_an_empty_outbox_is_looked_at_once_per_interval(
    repo: Repository, monkeypatch: pytest.MonkeyPatch
) -> None:
    looks: list[int] = []
    real = repo.pending_archives
    monkeypatch.setattr(repo, "pending_archives", lambda limit: looks.append(limit) or real(limit))
    monkeypatch.setattr(outbox, "CHECK_INTERVAL", 60.0)
    store = FlakyStore()
    for _ in range(10):
        drain_outbox(repo=repo, store=store)  # type: ignore[arg-type]
    assert len(looks) == 1
    repo.save_report(parsed(_text(SEED), "https://a.gov.cn/1.html"))  # its task writes it ...
    assert drain_outbox(repo=repo, store=store, force=True).written == 1  # ... or any drain
    assert len(looks) == 2


def _make_due(repo: Repository) -> None:
    """Skip the backoff: every pending row is due now (what waiting RETRY_BASE seconds does)."""
    from sqlalchemy import update

    from nianbao.storage.tables import ArchiveOutboxRow

    with repo.session() as session, session.begin():
        session.execute(
            update(ArchiveOutboxRow).values(next_attempt_at=ArchiveOutboxRow.created_at)
        )
