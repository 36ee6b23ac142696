"""Pages whose exact key is already stored with other figures (real SQLite and PostgreSQL).

The exact key folds away signs, commas and spaces ("-968", "9,68" and "96 8" all fold to
"968"), while the figures digest keeps the parsed values: same key, other figures. Each such
arrival must get a decision of its own, never an IntegrityError on the versions' key.
"""

from __future__ import annotations

import threading

import pytest

from devtools.calibrate import _seed, _text
from devtools.calibrate import to_message as parsed
from nianbao.core.dedup import identity
from nianbao.storage.migrate import upgrade
from nianbao.storage.repository import Repository, make_engine

SEED = _seed("003")
CELL = "\t968\n"  # 微博推送信息 in the statistics table: one value, in a row of its own


def variant(cell: str) -> str:
    return SEED.replace(CELL, cell, 1)


@pytest.fixture(params=["sqlite", "postgresql"])
def repo(request: pytest.FixtureRequest, tmp_path) -> Repository:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/versions.sqlite3"
    else:
        url = request.getfixturevalue("pg_url")
    engine = make_engine(url)
    upgrade(engine)
    yield Repository(engine)
    engine.dispose()


def test_the_variants_share_the_exact_key_but_not_the_figures() -> None:
    original = parsed(_text(SEED), "https://a.gov.cn/1.html")
    for cell in ("\t-968\n", "\t9,68\n", "\t96 8\n"):
        other = parsed(_text(variant(cell)), "https://a.gov.cn/2.html")
        assert other.fingerprint == original.fingerprint
        assert identity(other.record).figures != identity(original.record).figures


def test_same_key_other_figures_is_a_new_version(repo: Repository) -> None:
    first = repo.save_report(parsed(_text(SEED), "https://a.gov.cn/1.html"))
    second = repo.save_report(parsed(_text(variant("\t-968\n")), "https://a.gov.cn/2.html"))
    assert (first.decision, second.decision) == ("new", "new_version")
    assert second.report_id == first.report_id
    stored = repo.get_report(first.report_id)
    assert stored is not None and stored.current_version == 2
    assert [v.fingerprint for v in stored.versions] == [stored.fingerprint] * 2
    weibo = [i.value for i in stored.record.indicators if i.row_code == "active.weibo"]
    assert weibo == [-968.0]


def test_every_arrival_gets_a_decision_and_replays_change_nothing(repo: Repository) -> None:
    """Three versions under one key, then copies of each, then every message again."""
    pages = [
        parsed(_text(SEED), "https://a.gov.cn/1.html"),
        parsed(_text(variant("\t-968\n")), "https://a.gov.cn/2.html"),
        parsed(_text(variant("\t9,68\n")), "https://a.gov.cn/3.html"),
        parsed(_text(SEED), "https://b.gov.cn/copy-of-1.html"),
        parsed(_text(variant("\t-968\n")), "https://b.gov.cn/copy-of-2.html"),
    ]
    decisions = [repo.save_report(page).decision for page in pages]
    assert decisions == ["new", "new_version", "new_version", "exact_duplicate", "exact_duplicate"]
    stored = repo.get_report(1)
    assert stored is not None and stored.current_version == 3
    assert [s.version for s in stored.sources] == [1, 2, 3, 1, 2]  # each copy of its own version
    before = repo.counts()
    assert [repo.save_report(page).decision for page in pages] == ["redelivery"] * 5
    assert repo.counts() == before


def test_other_identity_same_key_other_figures_is_a_new_report(repo: Repository) -> None:
    """The same text parsed with another agency (a site hint, a newer parser): a new report."""
    original = parsed(_text(SEED), "https://a.gov.cn/1.html")
    other = parsed(_text(variant("\t-968\n")), "https://c.gov.cn/1.html")
    other.record.agency.name = "福州市安全生产监督管理局"
    other.record.region.city = "福州市"
    assert repo.save_report(original).decision == "new"
    result = repo.save_report(other)
    assert result.decision == "new" and repo.counts()["reports"] == 2


def test_racing_stores_of_one_key_with_other_figures(repo: Repository) -> None:
    """Two threads store two figures under one key and both copies at once: no error."""
    pages = [
        parsed(_text(SEED), "https://a.gov.cn/1.html"),
        parsed(_text(variant("\t-968\n")), "https://a.gov.cn/2.html"),
        parsed(_text(SEED), "https://b.gov.cn/1.html"),
        parsed(_text(variant("\t-968\n")), "https://b.gov.cn/2.html"),
    ]
    errors: list[BaseException] = []
    start = threading.Barrier(len(pages))

    def store(page) -> None:
        start.wait()
        try:
            repo.save_report(page)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=store, args=(page,)) for page in pages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    stored = repo.get_report(1)
    assert stored is not None and len(stored.versions) == 2 and len(stored.sources) == 4
    assert repo.counts()["reports"] == 1


def test_a_unique_key_that_fires_is_decided_again_not_raised(pg_url: str) -> None:
    """A writer outside the dedup locks commits this page's source first (PostgreSQL).

    The store's insert waits on the unique index, fails when that writer commits, and the whole
    decision runs again: it sees the committed source and reports a redelivery, adding nothing.
    """
    from sqlalchemy import text

    from nianbao.storage.repository import url_key
    from tests.services import wait_until

    engine = make_engine(pg_url)
    upgrade(engine)
    repo = Repository(engine)
    stored = repo.save_report(parsed(_text(SEED), "https://a.gov.cn/1.html"))
    page = parsed(_text(variant("\t-968\n")), "https://b.gov.cn/2.html")
    other = engine.connect()
    transaction = other.begin()
    other.execute(
        text(
            "INSERT INTO report_sources (report_id, url_key, url, final_url, site_id, "
            "page_sha256, raw_ref, decision, first_seen, last_seen) VALUES (:report, :key, "
            ":url, :url, 's', :sha, 'r', 'exact_duplicate', now(), now())"
        ),
        {"report": stored.report_id, "key": url_key(page.page.url), "url": page.page.url,
         "sha": page.page.sha256},
    )  # fmt: skip
    results: list[object] = []
    worker = threading.Thread(target=lambda: results.append(_try(repo.save_report, page)))
    worker.start()

    def blocked() -> int:
        # a new transaction each look: within one, pg_stat_activity is a snapshot and never
        # changes, so a first look before the store blocks would be the only one
        with engine.connect() as probe:
            return probe.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
            ).scalar_one()

    wait_until(blocked, timeout=30, message=f"the store never waited: {results}")
    transaction.commit()
    other.close()
    worker.join(30)
    assert len(results) == 1 and getattr(results[0], "decision", results[0]) == "redelivery"
    assert repo.counts()["sources"] == 2
    assert len(repo.get_report(stored.report_id).versions) == 1  # type: ignore[union-attr]
    engine.dispose()


def _try(call, *args):
    try:
        return call(*args)
    except Exception as exc:
        return exc
