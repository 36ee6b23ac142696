"""The read API on a real uvicorn server on loopback, over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import func, select
from typer.testing import CliRunner

from nianbao.api import create_app
from nianbao.cli import app
from nianbao.storage.migrate import upgrade
from nianbao.storage.repository import Repository, make_engine
from nianbao.storage.tables import IndicatorRow, ReportRow
from tests.conftest import ROOT, SEEDS
from tests.services import free_port, wait_until

runner = CliRunner()
TOKEN = "s3cret-token"


class ApiServer:
    """A uvicorn server running an app in a thread, on a loopback socket bound beforehand."""

    def __init__(self, asgi_app: Any) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        config = uvicorn.Config(asgi_app, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )

    def __enter__(self) -> str:
        self._thread.start()
        wait_until(lambda: self._server.started, timeout=20, message="uvicorn did not start")
        return self.url

    def __exit__(self, *_: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=20)
        self._sock.close()


@dataclass
class Served:
    """A server over a database holding the seed reports, and that database's repository."""

    url: str
    repo: Repository
    backend: str


def _seed(env: dict[str, str]) -> str:
    """Ingest the seed reports with these settings; the database URL they used."""
    from workers.app import reconfigure

    with pytest.MonkeyPatch.context() as patch:
        for key in list(os.environ):
            if key.startswith("NIANBAO_"):
                patch.delenv(key)
        for key, value in env.items():
            patch.setenv(key, value)
        settings = reconfigure()
        result = runner.invoke(app, ["ingest", str(SEEDS)])
        assert result.exit_code == 0, result.output
        url = settings.effective_database_url
    reconfigure()
    return url


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """The seed reports stored on one backend, and a server reading them."""
    data = tmp_path_factory.mktemp(request.param) / "data"
    env = {"NIANBAO_DATA_DIR": str(data)}
    if request.param == "postgresql":
        request.applymarker(pytest.mark.services)
        postgres = request.getfixturevalue("postgres")
        name = f"api_{uuid.uuid4().hex[:10]}"
        postgres.create_database(name)
        env["NIANBAO_DATABASE_URL"] = postgres.url(name)
    url = _seed(env)
    repo = Repository(make_engine(url))
    with ApiServer(create_app(lambda: repo)) as base:
        yield Served(base, repo, request.param)
    repo.engine.dispose()


def _all(client: httpx.Client, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a paged route, following `next` as `after`."""
    items: list[dict[str, Any]] = []
    after = 0
    while True:
        page = client.get(path, params={**params, "after": after})
        assert page.status_code == 200, page.text
        body = page.json()
        items += body["items"]
        if body["next"] is None:
            assert body["next_url"] is None
            return items
        assert f"after={body['next']}" in body["next_url"]
        after = body["next"]


def _report_ids(repo: Repository, *where: Any) -> list[int]:
    with repo.session() as session:
        return list(session.scalars(select(ReportRow.id).where(*where).order_by(ReportRow.id)))


def test_paging_reports_yields_every_report_exactly_once(served: Served) -> None:
    with httpx.Client(base_url=served.url) as client:
        first = client.get("/reports", params={"limit": 2}).json()
        assert len(first["items"]) == 2 and first["next"] == first["items"][-1]["id"]
        items = _all(client, "/reports", limit=2)
        default = client.get("/reports").json()
    ids = [item["id"] for item in items]
    assert ids == _report_ids(served.repo) and len(ids) == 5
    assert [item["id"] for item in default["items"]] == ids and default["next"] is None


def test_report_filters_match_the_database(served: Served) -> None:
    with httpx.Client(base_url=served.url) as client:
        by_year = _all(client, "/reports", year=2019, limit=1)
        assert [r["id"] for r in by_year] == _report_ids(served.repo, ReportRow.year == 2019)
        assert by_year and all(r["year"] == 2019 for r in by_year)
        sichuan = _all(client, "/reports", division="510000")
        assert sichuan and all(r["division_code"].startswith("51") for r in sichuan)
        assert [r["id"] for r in _all(client, "/reports", division="51")] == [
            r["id"] for r in sichuan
        ]
        assert [r["id"] for r in _all(client, "/reports", province="四川省")] == [
            r["id"] for r in sichuan
        ]
        wenzhou = _all(client, "/reports", city="温州市", level="city", is_report=True)
        assert [r["agency"] for r in wenzhou] == ["温州市安全生产监督管理局"]
        assert wenzhou[0]["city_code"] == "330300" and wenzhou[0]["province_code"] == "330000"
        agency = _all(client, "/reports", agency="应急管理")
        assert agency and all("应急管理" in r["agency"] for r in agency)
        assert _all(client, "/reports", agency="100%_") == []  # LIKE wildcards are literal
        assert len(_all(client, "/reports", updated_after="2000-01-01T00:00:00")) == 5
        assert _all(client, "/reports", updated_after="2100-01-01T00:00:00Z") == []
        assert _all(client, "/reports", is_report=False) == []
        gb = _all(client, "/reports", format="gb2019")
        assert [r["id"] for r in gb] == _report_ids(served.repo, ReportRow.format == "gb2019")


def test_one_report_its_versions_and_404s(served: Served) -> None:
    report_id = _report_ids(served.repo)[0]
    stored = served.repo.get_report(report_id)
    assert stored is not None
    with httpx.Client(base_url=served.url) as client:
        shown = client.get(f"/reports/{report_id}")
        version = client.get(f"/reports/{report_id}/versions/1")
        assert client.get("/reports/999999").status_code == 404
        assert client.get(f"/reports/{report_id}/versions/9").status_code == 404
    assert shown.status_code == 200
    assert shown.json() == stored.model_dump(mode="json")  # the `reports show` shape
    assert {"record", "versions", "sources"} <= shown.json().keys()
    assert version.json() == stored.versions[0].model_dump(mode="json")


def test_indicators_are_the_long_table_of_the_database(served: Served) -> None:
    with served.repo.session() as session:
        total = session.scalar(select(func.count()).select_from(IndicatorRow))
        blanks = session.scalar(
            select(func.count()).select_from(IndicatorRow).where(IndicatorRow.value.is_(None))
        )
        gb_cells = session.scalar(
            select(func.count())
            .select_from(IndicatorRow)
            .where(IndicatorRow.table_name == "legacy_stats", IndicatorRow.row_code.is_not(None))
        )
    with httpx.Client(base_url=served.url) as client:
        cells = _all(client, "/indicators", limit=500)
        stats = _all(client, "/indicators", table="legacy_stats", limit=100)
        one = stats[0]
        narrow = _all(
            client,
            "/indicators",
            table="legacy_stats",
            row_code=one["row_code"],
            column_code=one["column_code"],
            year=one["year"],
            division=one["division_code"],
        )
    assert len(cells) == total and len({c["id"] for c in cells}) == total
    assert sum(c["value"] is None for c in cells) == blanks > 0  # null stays null, never 0
    assert all(c["semantics"] != "number" for c in cells if c["value"] is None)
    assert sum(c["row_code"] is not None for c in stats) == gb_cells
    assert one["id"] in {c["id"] for c in narrow}
    assert all(
        (c["row_code"], c["column_code"], c["year"], c["division_code"])
        == (one["row_code"], one["column_code"], one["year"], one["division_code"])
        for c in narrow
    )
    assert set(one) >= {"report_id", "year", "province_code", "table", "row", "row_code",
                        "column", "column_code", "unit", "value", "raw", "semantics"}  # fmt: skip


def test_changes_feed_in_order_and_cursor(served: Served) -> None:
    with httpx.Client(base_url=served.url) as client:
        everything = client.get("/changes", params={"limit": 1000}).json()
        cursors = [e["cursor"] for e in everything["items"]]
        assert cursors == sorted(set(cursors)) and everything["cursor"] == cursors[-1]
        assert {e["report_id"] for e in everything["items"] if e["report_id"]} == set(
            _report_ids(served.repo)
        )
        paged, after = [], 0
        while batch := client.get("/changes", params={"after": after, "limit": 2}).json()["items"]:
            paged += batch
            after = batch[-1]["cursor"]
        assert paged == everything["items"]
        idle = client.get("/changes", params={"after": after, "wait": 0.2}).json()
        assert idle == {"items": [], "cursor": after}
    assert served.repo.last_cursor() == after


def test_bad_parameters_get_422_saying_what(served: Served) -> None:
    bad = [
        ("/reports", {"limit": 0}, "limit"),
        ("/reports", {"limit": 501}, "limit"),
        ("/reports", {"year": "abc"}, "year"),
        ("/reports", {"division": "5"}, "division"),
        ("/reports", {"format": "docx"}, "format"),
        ("/reports", {"updated_after": "yesterday"}, "updated_after"),
        ("/indicators", {"table": "nope"}, "table"),
        ("/changes", {"after": -1}, "after"),
        ("/changes", {"wait": 31}, "wait"),
        ("/reports/abc", {}, "report_id"),
    ]
    with httpx.Client(base_url=served.url) as client:
        for path, params, name in bad:
            answer = client.get(path, params=params)
            assert answer.status_code == 422, (path, params)
            assert name in [d["loc"][-1] for d in answer.json()["detail"]], answer.text


def test_openapi_document_is_valid_and_docs_are_served(served: Served) -> None:
    from openapi_spec_validator import validate

    with httpx.Client(base_url=served.url) as client:
        spec = client.get("/openapi.json").json()
        docs = client.get("/docs")
        # the page's scripts and styles come from this server, not a CDN (it works offline)
        assets = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
        fetched = {asset: client.get(asset) for asset in assets}
    validate(spec)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets), assets
    for asset, answer in fetched.items():
        assert asset.startswith("/docs/static/"), asset
        assert answer.status_code == 200 and len(answer.content) > 100, asset
    assert {"/reports", "/reports/{report_id}", "/reports/{report_id}/versions/{number}",
            "/indicators", "/changes", "/healthz"} <= set(spec["paths"])  # fmt: skip
    assert {"ReportSummary", "IndicatorCell", "ChangeOut", "StoredReport"} <= set(
        spec["components"]["schemas"]
    )
    assert docs.status_code == 200 and "openapi.json" in docs.text


def test_healthz_answers_ok(served: Served) -> None:
    answer = httpx.get(f"{served.url}/healthz")
    assert answer.status_code == 200 and answer.json() == {"status": "ok", "database": "ok"}


def test_token_guards_every_route_but_healthz(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    upgrade(engine)
    repo = Repository(engine)
    with (
        ApiServer(create_app(lambda: repo, api_token=TOKEN)) as base,
        httpx.Client(base_url=base) as client,
    ):
        for path in ("/reports", "/reports/1", "/indicators", "/changes", "/reports/1/versions/1"):
            missing = client.get(path)
            assert missing.status_code == 401 and missing.headers["www-authenticate"].startswith(
                "Bearer"
            )
            wrong = client.get(path, headers={"Authorization": "Bearer nope"})
            assert wrong.status_code == 401
        good = {"Authorization": f"Bearer {TOKEN}"}
        assert client.get("/reports", headers=good).json() == {
            "items": [],
            "next": None,
            "next_url": None,
        }
        assert client.get("/reports/1", headers=good).status_code == 404
        assert client.get("/healthz").status_code == 200
        spec = client.get("/openapi.json").json()
        assert "HTTPBearer" in spec["components"]["securitySchemes"]


def test_healthz_is_503_when_the_database_is_unreachable() -> None:
    url = f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none?connect_timeout=2"
    repo = Repository(make_engine(url))
    with ApiServer(create_app(lambda: repo)) as base:
        health = httpx.get(f"{base}/healthz", timeout=30)
        listing = httpx.get(f"{base}/reports", timeout=30)
    assert health.status_code == 503 and health.json()["status"] == "unavailable"
    assert listing.status_code == 503 and "database unavailable" in listing.json()["detail"]


def test_long_poll_answers_when_an_event_arrives(embedded: dict[str, str], tmp_path: Path) -> None:
    from nianbao import runtime

    repo = runtime.repository()
    with ApiServer(create_app(lambda: repo)) as base:
        answers: list[httpx.Response] = []
        poll = threading.Thread(
            target=lambda: answers.append(
                httpx.get(f"{base}/changes", params={"after": 0, "wait": 30}, timeout=60)
            )
        )
        poll.start()
        folder = tmp_path / "one"
        folder.mkdir()
        shutil.copy(sorted(SEEDS.iterdir())[0], folder)
        assert runner.invoke(app, ["ingest", str(folder)]).exit_code == 0
        poll.join(timeout=60)
    body = answers[0].json()
    assert answers[0].status_code == 200 and body["items"]
    assert body["items"][0]["kind"] == "report_created" and body["cursor"] >= 1


def test_serve_says_in_one_line_when_the_port_is_taken(embedded: dict[str, str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(app, ["serve", "--port", str(port)])
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.output


def test_a_newcomer_after_the_demo_serves_pages_follows_and_exports(tmp_path: Path) -> None:
    """The issue's done-when, as commands on the embedded default (SQLite), in subprocesses."""
    import pyarrow.parquet as pq

    env = {k: v for k, v in os.environ.items() if not k.startswith("NIANBAO_")}
    env |= {"NIANBAO_DATA_DIR": str(tmp_path / "nianbao-data"), "PYTHONPATH": str(ROOT)}
    nianbao = [sys.executable, "-m", "nianbao.cli"]
    demo = subprocess.run(
        [*nianbao, "demo", "--port", str(free_port())],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert demo.returncode == 0, demo.stderr
    port = free_port()
    server = subprocess.Popen(
        [*nianbao, "serve", "--port", str(port)],
        cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _answers(f"{base}/healthz"), timeout=60, message="serve did not start")
        with httpx.Client(base_url=base) as client:
            assert client.get("/docs").status_code == 200
            assert client.get("/openapi.json").json()["info"]["title"] == "nianbao"
            reports = _all(client, "/reports", limit=2)
            assert len(reports) == 5
            cursor, seen = 0, []
            while batch := client.get("/changes", params={"after": cursor}).json()["items"]:
                seen += batch
                cursor = batch[-1]["cursor"]
            assert seen and {e["report_id"] for e in seen if e["report_id"]} == {
                r["id"] for r in reports
            }
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    out = tmp_path / "indicators.parquet"
    export = subprocess.run(
        [*nianbao, "export", "--table", "indicators", "--format", "parquet", "--out", str(out)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert export.returncode == 0, export.stderr
    assert f"cursor: {cursor}" in export.stderr
    table = pq.read_table(out)
    assert table.num_rows > 0 and set(table.column("report_id").to_pylist()) <= {
        r["id"] for r in reports
    }


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
