"""Migrations and models agree, upgrade and downgrade, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from nianbao.core.similarity import SIGNATURE_VERSION as VERSION
from nianbao.storage.migrate import alembic_config, upgrade
from nianbao.storage.repository import make_engine
from nianbao.storage.tables import Base

HEAD = "0007"


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/m.sqlite3"
    return request.getfixturevalue("pg_url")


def test_head_matches_the_models_and_downgrades_cleanly(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    config = alembic_config(url)
    command.downgrade(config, "base")
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() is None
    upgrade(engine)  # and back up again
    engine.dispose()


def test_upgrading_a_database_that_holds_reports_keeps_everything(url: str) -> None:
    """0001 → head with data in it: nothing lost, old reports become version 1 with identity."""
    from sqlalchemy import text

    from devtools.calibrate import pairs, to_message
    from nianbao.storage.repository import Repository

    engine = make_engine(url)
    command.upgrade(alembic_config(url), "0001")
    message = to_message(pairs()[-3].first, "https://a.gov.cn/old.html")  # seed 003
    record = message.record
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO reports (fingerprint, schema_version, title, agency_name, year, "
                 "format, text_length, record, created_at, updated_at) VALUES "
                 "('f', 1, 't', :agency, :year, 'pre2019', 1, :record, now_(), now_())"
                 .replace("now_()", "CURRENT_TIMESTAMP")),
            {"agency": record.agency.name, "year": record.year,
             "record": record.model_dump_json()},
        )  # fmt: skip
        conn.execute(text(
            "INSERT INTO report_sections (report_id, position, number, heading, text) "
            "VALUES (1, 0, '一', 'h', 't')"))  # fmt: skip
        conn.execute(text(
            "INSERT INTO report_sources (report_id, url_key, url, final_url, site_id, "
            "page_sha256, raw_ref, decision, first_seen, last_seen) VALUES (1, 'k', 'u', 'u', "
            "'s', 'p', 'r', 'new', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))  # fmt: skip
    upgrade(engine)
    with engine.connect() as conn:
        counts = [
            conn.execute(text(f"SELECT count(*) FROM {t}")).scalar()
            for t in ("reports", "report_sections", "report_sources", "report_versions")
        ]
        agency_key = conn.execute(text("SELECT agency_key FROM report_versions")).scalar()
    assert counts == [1, 1, 1, 1]
    assert agency_key == "温州市安全生产监督管理局"
    # its identity is known; with no stored text (no signature) only exact copies merge with it
    assert Repository(engine).save_report(message).decision == "new"
    engine.dispose()


def test_0003_keeps_versions_and_refuses_a_downgrade_that_would_lose_one(url: str) -> None:
    """0002 → 0003 with versions stored; after two versions share an exact key, 0002's unique
    key cannot hold them and the downgrade stops instead of dropping one."""
    from sqlalchemy import text

    from devtools.calibrate import _seed, _text, to_message
    from nianbao.storage.repository import Repository

    engine = make_engine(url)
    config = alembic_config(url)
    command.upgrade(config, "0002")
    engine.dispose()
    seed = _seed("003")
    with engine.connect() as conn:
        assert "archive_outbox" not in _tables(conn)
    upgrade(engine)
    repo = Repository(engine)
    repo.save_report(to_message(_text(seed), "https://a.gov.cn/1.html"))
    command.downgrade(config, "0002")  # one version per key: fine
    upgrade(engine)
    with engine.begin() as conn:  # 0004 marks what it finds as scheme 1 (the round trip through
        # 0002 forgot which scheme signed it); this row was signed by the current scheme
        conn.execute(text("UPDATE report_versions SET signature_version = :v"), {"v": VERSION})
    repo = Repository(engine)
    result = repo.save_report(to_message(_text(seed), "https://a.gov.cn/1.html"))
    assert result.decision == "redelivery"
    corrected = _text(seed.replace("\t968\n", "\t-968\n", 1))
    assert repo.save_report(to_message(corrected, "https://a.gov.cn/2.html")).decision == (
        "new_version"
    )
    with pytest.raises(RuntimeError, match="share the exact key"):
        command.downgrade(config, "0002")
    with engine.connect() as conn:
        # PostgreSQL rolls the whole downgrade back (to head); SQLite keeps the steps it
        # completed (down to 0003)
        assert MigrationContext.configure(conn).get_current_revision() in {"0003", HEAD}
        assert conn.execute(text("SELECT count(*) FROM report_versions")).scalar() == 2
    engine.dispose()


def _tables(conn) -> set[str]:
    from sqlalchemy import inspect

    return set(inspect(conn).get_table_names())


def test_0004_marks_stored_versions_as_scheme_1_and_new_ones_as_current(url: str) -> None:
    """Versions stored before 0004 were signed by scheme 1: dedup must not compare them."""
    from sqlalchemy import text

    from devtools.calibrate import _seed, _text, to_message
    from nianbao.storage.repository import Repository

    engine = make_engine(url)
    config = alembic_config(url)
    command.upgrade(config, "0003")
    message = to_message(_text(_seed("003")), "https://a.gov.cn/1.html")
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO reports (fingerprint, schema_version, agency_key, year, text_length, "
            "record, current_version, created_at, updated_at) VALUES ('old', 1, 'k', 2017, 1, "
            "'{}', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))  # fmt: skip
        conn.execute(text(
            "INSERT INTO report_versions (report_id, version, fingerprint, signature, figures, "
            "regions, record, text_length, decision, created_at) VALUES (1, 1, 'old', :sig, '', "
            "'[null, null, null, null]', '{}', 1, 'new', CURRENT_TIMESTAMP)"),
            {"sig": bytes(512)})  # fmt: skip
    upgrade(engine)
    Repository(engine).save_report(message)
    with engine.connect() as conn:
        versions = conn.execute(
            text("SELECT fingerprint, signature_version FROM report_versions ORDER BY id")
        ).all()
    assert [tuple(v) for v in versions] == [("old", 1), (message.fingerprint, VERSION)]
    command.downgrade(config, "0003")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM report_versions")).scalar() == 2
    engine.dispose()


def test_0005_adds_an_empty_change_feed_that_later_stores_fill(url: str) -> None:
    """The feed starts empty on a database with reports; a store adds an event; down drops it."""
    from sqlalchemy import text

    from devtools.calibrate import _seed, _text, to_message
    from nianbao.storage.repository import Repository

    engine = make_engine(url)
    config = alembic_config(url)
    command.upgrade(config, "0004")
    repo = Repository(engine)
    with engine.connect() as conn:
        assert "changes" not in _tables(conn)
    upgrade(engine)
    assert repo.changes() == [] and repo.last_cursor() == 0
    result = repo.save_report(to_message(_text(_seed("003")), "https://a.gov.cn/1.html"))
    [event] = repo.changes()
    assert (event.kind, event.report_id, event.version) == ("report_created", result.report_id, 1)
    command.downgrade(config, "0004")
    with engine.connect() as conn:
        assert "changes" not in _tables(conn)
        assert conn.execute(text("SELECT count(*) FROM reports")).scalar() == 1
    engine.dispose()


def test_0006_keeps_one_open_entry_per_page_and_closes_stored_ones(url: str) -> None:
    """0005 → 0006 with quarantine rows: a page's newest entry stays open, its older ones and
    those of a page stored as a source are closed; a rejection again updates the open entry."""
    from sqlalchemy import inspect, text

    from nianbao.storage.repository import Repository, url_key
    from schemas.messages import Rejection

    engine = make_engine(url)
    config = alembic_config(url)
    command.upgrade(config, "0005")
    insert = text(
        "INSERT INTO quarantine (stage, reason, detail, url_key, url, site_id, page_sha256, "
        "raw_ref, message, first_seen) VALUES (:stage, :reason, 'd', :key, :url, 's', :sha, "
        "'raw/x', '{}', CURRENT_TIMESTAMP)"
    )
    pages = {name: (f"https://a.gov.cn/{name}.html", name * 64) for name in "abc"}
    with engine.begin() as conn:
        for name, stage, reason in [
            ("a", "extract", "undecodable"),
            ("a", "parse", "not_a_report"),
            ("b", "parse", "not_a_report"),
            ("c", "parse", "parse_timeout"),
        ]:
            page_url, sha = pages[name]
            conn.execute(
                insert,
                {"stage": stage, "reason": reason, "key": url_key(page_url), "url": page_url,
                 "sha": sha},
            )  # fmt: skip
        conn.execute(text(
            "INSERT INTO reports (fingerprint, schema_version, text_length, record, "
            "current_version, created_at, updated_at) VALUES ('f', 1, 1, '{}', 1, "
            "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))  # fmt: skip
        conn.execute(
            text(
                "INSERT INTO report_sources (report_id, url_key, url, final_url, site_id, "
                "page_sha256, raw_ref, decision, first_seen, last_seen) VALUES (1, :key, :url, "
                ":url, 's', :sha, 'r', 'new', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            {"key": url_key(pages["c"][0]), "url": pages["c"][0], "sha": pages["c"][1]},
        )
    upgrade(engine)
    rows = engine.connect().execute(
        text("SELECT url, reason, status, replays, last_seen = first_seen FROM quarantine "
             "ORDER BY id")).all()  # fmt: skip
    assert [tuple(r) for r in rows] == [
        (pages["a"][0], "undecodable", "closed", 0, True),
        (pages["a"][0], "not_a_report", "open", 0, True),
        (pages["b"][0], "not_a_report", "open", 0, True),
        (pages["c"][0], "parse_timeout", "closed", 0, True),
    ]
    repo = Repository(engine)
    message = {
        "url": pages["b"][0], "final_url": pages["b"][0], "site_id": "s",
        "fetched_at": "2027-01-01T00:00:00Z", "content_type": "text/html",
        "sha256": pages["b"][1], "size": 10, "body_ref": "raw/x",
    }  # fmt: skip
    again = Rejection.model_validate(
        {"page": message, "stage": "validate", "reason": "invalid", "detail": "now this"}
    )
    assert repo.save_rejection(again) is False  # the open entry took the new reason
    [entry] = repo.list_quarantine(reason="invalid")
    assert (entry.url, entry.stage, entry.status) == (pages["b"][0], "validate", "open")
    assert len(repo.list_quarantine()) == 4
    engine.dispose()
    command.downgrade(config, "0005")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM quarantine")).scalar() == 4
        columns = {c["name"] for c in inspect(conn).get_columns("quarantine")}
        assert "status" not in columns
    engine.dispose()


def test_0007_copies_region_level_and_kind_of_stored_reports_into_columns(url: str) -> None:
    from sqlalchemy import inspect, text

    from devtools.calibrate import _seed, _text, to_message
    from nianbao.storage.repository import Repository

    engine = make_engine(url)
    config = alembic_config(url)
    upgrade(engine)
    stored = to_message(_text(_seed("003")), "https://a.gov.cn/1.html")
    Repository(engine).save_report(stored)
    command.downgrade(config, "0006")  # a report stored before the columns existed
    with engine.connect() as conn:
        assert "province" not in {c["name"] for c in inspect(conn).get_columns("reports")}
    upgrade(engine)
    region, agency = stored.record.region, stored.record.agency
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT province, city, county, division_code, level, is_report FROM reports")
        ).one()
    assert tuple(row) == (region.province, region.city, region.county, region.code,
                          agency.level, True)  # fmt: skip
    assert region.code is not None  # the seed names its place: the copy is not all nulls
    command.downgrade(config, "0006")
    engine.dispose()
