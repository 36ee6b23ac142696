"""Both object stores keep one contract; S3 runs against moto's server mode over HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nianbao import runtime
from nianbao.cli import app
from nianbao.storage.objects import (
    LocalObjectStore,
    ObjectNotFound,
    ObjectStore,
    S3ObjectStore,
    put_raw,
)
from tests.conftest import SEEDS, unsent_page
from tests.services import S3Server


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ObjectStore]:
    if request.param == "local":
        yield LocalObjectStore(tmp_path / "objects")
        return
    server: S3Server = request.getfixturevalue("s3_server")
    s3 = S3ObjectStore(
        f"b-{uuid.uuid4().hex[:8]}", endpoint_url=server.endpoint_url, prefix="nianbao"
    )
    s3.ensure_bucket()
    yield s3


@pytest.fixture(autouse=True)
def _s3_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


def test_put_get_exists_keys_delete(store: ObjectStore) -> None:
    store.put("records/ab/x.json", b'{"a": 1}', "application/json")
    assert store.get("records/ab/x.json") == b'{"a": 1}'
    assert store.exists("records/ab/x.json") and not store.exists("records/ab/y.json")
    assert list(store.keys("records/")) == ["records/ab/x.json"]
    store.delete("records/ab/x.json")
    with pytest.raises(ObjectNotFound):
        store.get("records/ab/x.json")


def test_raw_pages_are_content_addressed(store: ObjectStore) -> None:
    sha, key = put_raw(store, "政府信息公开".encode())
    assert key == f"raw/{sha[:2]}/{sha}"
    assert put_raw(store, "政府信息公开".encode()) == (sha, key)  # stored once
    assert len(list(store.keys("raw/"))) == 1


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs", "a/../../b", ""])
def test_hostile_keys_are_refused(store: ObjectStore, key: str) -> None:
    with pytest.raises(ValueError):
        store.put(key, b"x")


@pytest.mark.services
def test_pipeline_archives_to_s3(configure, s3_server: S3Server) -> None:
    bucket = f"nb-{uuid.uuid4().hex[:8]}"
    configure(OBJECT_STORE="s3", S3_BUCKET=bucket, S3_ENDPOINT_URL=s3_server.endpoint_url)
    assert CliRunner().invoke(app, ["ingest", str(SEEDS)]).exit_code == 0
    store = runtime.object_store()
    assert isinstance(store, S3ObjectStore)
    assert len(list(store.keys("raw/"))) == 5
    assert len(list(store.keys("records/"))) == 5
    stored = next(runtime.repository().iter_reports())
    assert store.exists(stored.sources[0].raw_ref)


@pytest.mark.services
def test_s3_outage_is_retried_then_dead_lettered_then_replayed(
    configure, s3_server: S3Server
) -> None:
    """S3 down while a page is processed: retries run out, the message is kept for replay."""
    bucket = f"nb-{uuid.uuid4().hex[:8]}"
    configure(
        OBJECT_STORE="s3",
        S3_BUCKET=bucket,
        S3_ENDPOINT_URL=s3_server.endpoint_url,
        MAX_RETRIES="1",
        RETRY_BACKOFF_BASE="0.1",
    )
    from workers.tasks import process_page

    body = next(SEEDS.glob("001_*.txt")).read_bytes()
    page = unsent_page(body, "https://www.yc.gov.cn/nb/2014.html", store_body=True)
    s3_server.stop()
    try:
        process_page.apply_async(args=[page.model_dump(mode="json")])
    finally:
        s3_server.start()
    letters = runtime.repository().list_dead_letters()
    assert len(letters) == 1 and letters[0].attempts == 2
    assert "EndpointConnectionError" in letters[0].error
    assert runtime.repository().counts()["reports"] == 0
    result = CliRunner().invoke(app, ["dlq", "replay", "--all"])
    assert result.exit_code == 0, result.output
    assert runtime.repository().counts() == {
        "reports": 1,
        "sources": 1,
        "quarantined": 0,
        "dead_letters": 0,
    }
