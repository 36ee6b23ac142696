"""`nianbao dedup resign`: versions of an older MinHash scheme, signed again from raw pages."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, insert, select, update

from devtools.calibrate import Page, pairs, to_message
from nianbao.cli.operations import _page_signature
from nianbao.core import similarity
from nianbao.core.dedup import decide, identity
from nianbao.storage.migrate import upgrade
from nianbao.storage.objects import LocalObjectStore
from nianbao.storage.repository import Repository, Resigned, make_engine
from nianbao.storage.tables import BandRow, VersionRow
from schemas.messages import ParsedPage

NEAR = next(p for p in pairs() if p.name == "three sentences edited")


@pytest.fixture(params=["sqlite", "postgresql"])
def repo(request: pytest.FixtureRequest, tmp_path) -> Repository:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/resign.sqlite3"
    else:
        url = request.getfixturevalue("pg_url")
    engine = make_engine(url)
    upgrade(engine)
    return Repository(engine)


def _stored(repo: Repository, store: LocalObjectStore, page: Page, url: str) -> ParsedPage:
    """Store a page as the pipeline does: raw bytes in the object store, then the report."""
    message = to_message(page, url)
    store.put(message.page.body_ref, page.body)
    repo.save_report(message)
    return message


def _as_if_signed_by_scheme_1(repo: Repository) -> None:
    """Rewrite every version as a scheme-1 writer left it: its own signature and bands."""
    old = [7] * similarity.NUM_PERM  # any scheme-1 values: they mean nothing to scheme 2
    with repo.engine.begin() as conn:
        ids = conn.scalars(select(VersionRow.id)).all()
        conn.execute(update(VersionRow).values(signature=similarity.pack(old), signature_version=1))
        conn.execute(delete(BandRow))
        conn.execute(
            insert(BandRow),
            [{"band": b, "key": b + 1, "version_id": i} for i in ids for b in range(32)],
        )


def _version(repo: Repository) -> VersionRow:
    with repo.session() as session:
        return session.scalars(select(VersionRow)).one()


def _bands(repo: Repository, version_id: int) -> list[int]:
    with repo.session() as session:
        return list(
            session.scalars(
                select(BandRow.key).where(BandRow.version_id == version_id).order_by(BandRow.band)
            )
        )


def test_resign_signs_old_versions_again_and_near_copies_match_them_after(
    repo: Repository, tmp_path
) -> None:
    store = LocalObjectStore(tmp_path / "objects")
    original = _stored(repo, store, NEAR.first, "https://a.gov.cn/nb/1.html")
    _as_if_signed_by_scheme_1(repo)
    assert repo.stale_signatures() == 1

    # before: the old signature is never compared, so a near copy cannot merge by it
    copy = to_message(NEAR.second, "https://b.gov.cn/nb/2.html")
    with repo.session() as session:
        who = identity(copy.record)
        candidates = repo._candidates(session, who, copy.signature)
    assert [c.signature for c in candidates] == [[]]
    verdict = decide(who, copy.signature, candidates)
    assert (verdict.decision, verdict.similarity) == ("new", 0.0)

    seen: list[None] = []
    assert repo.resign(store.get, _page_signature, lambda: seen.append(None)) == Resigned(1)
    assert len(seen) == 1 and repo.stale_signatures() == 0
    version = _version(repo)
    assert version.signature_version == similarity.SIGNATURE_VERSION
    assert version.signature is not None
    assert similarity.unpack(version.signature) == original.signature
    assert _bands(repo, version.id) == similarity.band_keys(original.signature)

    assert repo.resign(store.get, _page_signature) == Resigned()  # idempotent: nothing left
    store.put(copy.page.body_ref, NEAR.second.body)
    result = repo.save_report(copy)
    assert result.decision == "near_duplicate" and result.similarity is not None
    assert result.similarity >= 0.8


def test_a_version_without_its_raw_page_stays_old_and_is_counted(
    repo: Repository, tmp_path
) -> None:
    store = LocalObjectStore(tmp_path / "objects")
    message = _stored(repo, store, NEAR.first, "https://a.gov.cn/nb/1.html")
    _as_if_signed_by_scheme_1(repo)
    store.delete(message.page.body_ref)
    assert repo.resign(store.get, _page_signature) == Resigned(no_page=1)
    assert repo.stale_signatures() == 1 and _version(repo).signature_version == 1


def test_the_command_resigns_what_the_pipeline_stored(embedded, tmp_path) -> None:
    from typer.testing import CliRunner

    from nianbao import runtime
    from nianbao.cli import app

    runner = CliRunner()
    first = tmp_path / "2017.txt"
    first.write_bytes(NEAR.first.body)
    assert runner.invoke(app, ["ingest", str(first)]).exit_code == 0
    repo = runtime.repository()
    signed = _version(repo).signature
    _as_if_signed_by_scheme_1(repo)

    out = runner.invoke(app, ["dedup", "resign"])
    assert out.exit_code == 0, out.output
    assert "re-signed 1 version(s)" in out.output and "left 0" in out.output
    assert _version(repo).signature == signed  # the same signature the pipeline computed
    again = runner.invoke(app, ["dedup", "resign"])
    assert "re-signed 0 version(s)" in again.output
