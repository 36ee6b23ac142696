"""nianbao export: JSON Lines, CSV and Parquet read back against the database, S3, incremental."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import uuid
from pathlib import Path
from typing import Any

import boto3
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from nianbao import runtime
from nianbao.cli import app
from nianbao.exports.columns import COLUMNS
from nianbao.exports.parquet import SCHEMAS
from nianbao.storage.tables import IndicatorRow, ReportRow, SourceRow
from tests.conftest import SEEDS
from tests.services import S3Server

runner = CliRunner()
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}  # moto


@pytest.fixture(params=["sqlite", "postgresql"])
def seeded(request: pytest.FixtureRequest, configure: Any) -> None:
    """The seed reports stored on SQLite (embedded default) or PostgreSQL."""
    if request.param == "postgresql":
        request.applymarker(pytest.mark.services)
        configure(DATABASE_URL=request.getfixturevalue("pg_url"))
    else:
        configure()
    assert runner.invoke(app, ["ingest", str(SEEDS)]).exit_code == 0


def export(*args: str) -> tuple[str, int]:
    """Run `nianbao export ARGS`; its output and the cursor it printed."""
    result = runner.invoke(app, ["export", *args])
    assert result.exit_code == 0, result.output
    found = re.search(r"^cursor: (\d+)$", result.output, re.M)
    assert found, result.output
    return result.output, int(found.group(1))


def db_cells() -> dict[int, dict[str, Any]]:
    """Every indicator cell in the database, by id, with its report's year."""
    with runtime.repository().session() as session:
        rows = session.execute(
            select(IndicatorRow, ReportRow.year).join(
                ReportRow, ReportRow.id == IndicatorRow.report_id
            )
        )
        return {
            cell.id: {
                "report_id": cell.report_id,
                "year": year,
                "table": cell.table_name,
                "row": cell.row_label,
                "row_code": cell.row_code,
                "column": cell.column_label,
                "column_code": cell.column_code,
                "unit": cell.unit,
                "value": cell.value,
                "raw": cell.raw,
                "semantics": cell.semantics,
            }
            for cell, year in rows
        }


def test_parquet_round_trips_with_its_declared_schema(seeded: None, tmp_path: Path) -> None:
    output, cursor = export("--table", "indicators", "--format", "parquet", "--out", str(tmp_path))
    table = pq.read_table(tmp_path / "indicators.parquet")
    assert table.schema.equals(SCHEMAS["indicators"])
    cells = db_cells()
    got = {row["id"]: row for row in table.to_pylist()}
    assert got.keys() == cells.keys() and f"wrote {len(cells)} indicators" in output
    for cell_id, expected in cells.items():
        assert {k: got[cell_id][k] for k in expected} == expected
    nulls = sum(c["value"] is None for c in cells.values())
    assert nulls > 0 and table.column("value").null_count == nulls  # null stays null, never 0
    assert pa.types.is_string(table.schema.field("division_code").type)
    sichuan = [r for r in got.values() if r["province"] == "四川省"]
    assert sichuan and {r["province_code"] for r in sichuan} == {"510000"}
    assert cursor == runtime.repository().last_cursor() > 0


def test_csv_round_trips_and_bom_is_optional(seeded: None, tmp_path: Path) -> None:
    plain, bom = tmp_path / "plain.csv", tmp_path / "bom.csv"
    export("--table", "indicators", "--format", "csv", "--out", str(plain))
    export("--table", "indicators", "--format", "csv", "--bom", "--out", str(bom))
    assert not plain.read_bytes().startswith(b"\xef\xbb\xbf")
    assert bom.read_bytes() == b"\xef\xbb\xbf" + plain.read_bytes()
    rows = list(csv.DictReader(io.StringIO(bom.read_text(encoding="utf-8-sig"))))
    assert list(rows[0]) == [name for name, _ in COLUMNS["indicators"]]
    cells = db_cells()
    assert len(rows) == len(cells)
    for row in rows:
        expected = cells[int(row["id"])]
        value = expected["value"]
        assert row["value"] == ("" if value is None else repr(value))
        assert row["raw"] == expected["raw"] and row["row"] == expected["row"]
        assert row["row_code"] == (expected["row_code"] or "")


def test_reports_and_sources_in_every_format(seeded: None, tmp_path: Path) -> None:
    repo = runtime.repository()
    with repo.session() as session:
        report_ids = sorted(session.scalars(select(ReportRow.id)))
        source_ids = sorted(session.scalars(select(SourceRow.id)))
    export("--out", str(tmp_path / "reports.jsonl"))  # the default: reports as JSON Lines
    lines = [json.loads(line) for line in (tmp_path / "reports.jsonl").read_text().splitlines()]
    assert [line["id"] for line in lines] == report_ids
    for line in lines:  # the `reports show` shape
        stored = repo.get_report(line["id"])
        assert stored is not None and line == stored.model_dump(mode="json")
    export("--table", "reports", "--format", "parquet", "--out", str(tmp_path / "r.parquet"))
    flat = pq.read_table(tmp_path / "r.parquet")
    assert flat.schema.equals(SCHEMAS["reports"]) and flat.column("id").to_pylist() == report_ids
    assert all(flat.column("is_report").to_pylist())
    export("--table", "sources", "--format", "csv", "--out", str(tmp_path / "s.csv"))
    sources = list(csv.DictReader((tmp_path / "s.csv").open(encoding="utf-8")))
    assert [int(s["id"]) for s in sources] == source_ids
    assert {s["decision"] for s in sources} >= {"new"}
    export("--table", "sources", "--format", "jsonl", "--out", str(tmp_path / "s.jsonl"))
    assert len((tmp_path / "s.jsonl").read_text().splitlines()) == len(source_ids)


def test_incremental_export_writes_only_what_changed(
    embedded: dict[str, str], tmp_path: Path
) -> None:
    seeds = sorted(SEEDS.iterdir())
    first, later = tmp_path / "first", tmp_path / "later"
    first.mkdir(), later.mkdir()
    for path in seeds[:3]:
        shutil.copy(path, first)
    for path in seeds[3:]:
        shutil.copy(path, later)
    assert runner.invoke(app, ["ingest", str(first)]).exit_code == 0
    _, cursor = export("--table", "indicators", "--format", "parquet", "--out", str(tmp_path))
    before = set(pq.read_table(tmp_path / "indicators.parquet").column("report_id").to_pylist())
    assert runner.invoke(app, ["ingest", str(later)]).exit_code == 0
    repo = runtime.repository()
    changed = {e.report_id for e in repo.changes(after=cursor, limit=1000) if e.report_id}
    assert changed and not changed & before

    out, new_cursor = export(
        "--table", "indicators", "--format", "parquet", "--after", str(cursor), "--out",
        str(tmp_path),
    )  # fmt: skip
    name = f"indicators-after-{cursor}-to-{new_cursor}.parquet"
    assert new_cursor == repo.last_cursor() > cursor and name in out
    delta = pq.read_table(tmp_path / name)
    assert set(delta.column("report_id").to_pylist()) == changed
    expected = [i for i, c in sorted(db_cells().items()) if c["report_id"] in changed]
    assert delta.column("id").to_pylist() == expected

    _, same = export("--after", str(new_cursor), "--out", str(tmp_path / "none.jsonl"))
    assert same == new_cursor and (tmp_path / "none.jsonl").read_text() == ""


def test_export_to_s3(embedded: dict[str, str], configure: Any, s3_server: S3Server,
                      monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:  # fmt: skip
    for key, value in CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    configure(S3_ENDPOINT_URL=s3_server.endpoint_url)
    assert runner.invoke(app, ["ingest", str(SEEDS)]).exit_code == 0
    bucket = f"exports-{uuid.uuid4().hex[:8]}"
    client = boto3.client("s3", endpoint_url=s3_server.endpoint_url, region_name="us-east-1")
    client.create_bucket(Bucket=bucket)

    out, cursor = export(
        "--table", "indicators", "--format", "parquet", "--out", f"s3://{bucket}/nianbao/daily"
    )
    assert f"s3://{bucket}/nianbao/daily/indicators.parquet" in out
    body = client.get_object(Bucket=bucket, Key="nianbao/daily/indicators.parquet")["Body"].read()
    table = pq.read_table(pa.BufferReader(body))
    assert table.num_rows == len(db_cells())
    export("--format", "csv", "--table", "sources", "--out", f"s3://{bucket}/exact/name.csv")
    text = client.get_object(Bucket=bucket, Key="exact/name.csv")["Body"].read().decode()
    assert text.startswith("id,report_id,version,url")
    _, again = export("--after", str(cursor), "--out", f"s3://{bucket}/inc/")
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=bucket, Prefix="inc/")["Contents"]]
    assert keys == [f"inc/reports-after-{cursor}-to-{again}.jsonl"]


def test_export_refuses_what_it_cannot_do(embedded: dict[str, str]) -> None:
    parquet_to_stdout = runner.invoke(app, ["export", "--format", "parquet"])
    assert parquet_to_stdout.exit_code == 1 and "--out" in parquet_to_stdout.output
    bom_json = runner.invoke(app, ["export", "--bom"])
    assert bom_json.exit_code == 1 and "CSV only" in bom_json.output
    bad = runner.invoke(app, ["export", "--format", "xlsx"])
    assert bad.exit_code == 2
