"""The embedded default, end to end: what `nianbao demo` and a newcomer run, no servers."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from devtools.demo import run_demo
from nianbao import runtime
from nianbao.cli import app
from tests.conftest import SEEDS

runner = CliRunner()


def test_demo_stores_five_reports_and_finds_the_republication(embedded: dict[str, str]) -> None:
    out = io.StringIO()
    run_demo(Console(file=out, width=200), SEEDS, port=0)
    text = out.getvalue()
    repo = runtime.repository()
    counts = repo.counts()
    assert counts["reports"] == 5
    assert counts["sources"] == 6
    assert counts["quarantined"] == 1
    assert "exact_duplicate" in text and "quarantined: not_a_report" in text
    wenzhou = [r for r in repo.iter_reports() if r.record.year == 2017 and len(r.sources) == 2]
    assert len(wenzhou) == 1
    first, second = wenzhou[0].sources
    assert (first.decision, second.decision) == ("new", "exact_duplicate")
    assert first.url != second.url and first.page_sha256 != second.page_sha256
    assert wenzhou[0].record.title == "温州市安全生产监督管理局2017年政府信息公开工作年度报告"
    assert embedded["NIANBAO_DATA_DIR"] in text  # says where the database is


def test_ingesting_twice_changes_nothing(embedded: dict[str, str]) -> None:
    assert runner.invoke(app, ["ingest", str(SEEDS)]).exit_code == 0
    before = runtime.repository().counts()
    assert before["reports"] == 5 and before["sources"] == 5
    assert runner.invoke(app, ["ingest", str(SEEDS)]).exit_code == 0
    assert runtime.repository().counts() == before


def test_bad_input_is_quarantined_with_reasons(embedded: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "garbage.html").write_bytes(bytes(range(256)) * 100)
    (bad / "controls.txt").write_bytes(b"\x00\x01\x02abc" * 1000)
    (bad / "empty.txt").write_bytes(b"   \n")
    (bad / "notice.txt").write_text("关于开展安全生产检查的通知\n各单位：请于3月底前完成自查。")
    (bad / "scan.pdf").write_bytes(b"%PDF-1.4\n%binary")
    (bad / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 600)
    result = runner.invoke(app, ["ingest", str(bad)])
    assert result.exit_code == 0, result.output
    reasons = {
        row.url.rsplit("/", 1)[-1]: row.reason for row in runtime.repository().list_quarantine()
    }
    assert reasons == {
        "garbage.html": "undecodable",
        "controls.txt": "binary_content",
        "empty.txt": "empty",
        "notice.txt": "not_a_report",
        "scan.pdf": "broken_pdf",
        "old.doc": "unsupported_content_type",
    }
    assert runtime.repository().counts()["reports"] == 0
    # the raw bodies are kept, so nothing is lost
    for row in runtime.repository().list_quarantine():
        assert runtime.object_store().exists(row.raw_ref)


def test_cli_reads_what_is_stored(embedded: dict[str, str], tmp_path: Path) -> None:
    runner.invoke(app, ["ingest", str(SEEDS)])
    listing = runner.invoke(app, ["reports"])
    assert listing.exit_code == 0 and "四川省应急管理厅" in listing.output
    shown = runner.invoke(app, ["reports", "show", "1"])
    assert shown.exit_code == 0
    stored = json.loads(shown.output)
    assert stored["id"] == 1 and stored["sources"][0]["decision"] == "new"
    out = tmp_path / "reports.jsonl"
    assert runner.invoke(app, ["export", "--format", "jsonl", "--out", str(out)]).exit_code == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 5 and all(line["sources"] for line in lines)
    status = runner.invoke(app, ["status"])
    assert status.exit_code == 0 and "embedded" in status.output
    missing = runner.invoke(app, ["reports", "show", "999"])
    assert missing.exit_code == 1 and "nianbao reports" in missing.output


def test_parse_json_prints_one_record_per_input(tmp_path: Path) -> None:
    result = runner.invoke(app, ["parse", str(SEEDS), "--json"])
    assert result.exit_code == 0
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert len(lines) == 5
    assert {line["year"] for line in lines} == {2014, 2017, 2018, 2019}
    assert all(line["source"].endswith(".txt") and line["is_report"] for line in lines)


def test_schema_prints_every_contract() -> None:
    result = runner.invoke(app, ["schema"])
    schemas = json.loads(result.output)
    assert {"FetchedPage", "AnnualReport", "StoredReport", "ParsedPage", "Rejection"} <= set(
        schemas
    )
    assert "body_ref" in schemas["FetchedPage"]["properties"]


def test_worker_refuses_to_start_without_a_broker(embedded: dict[str, str]) -> None:
    result = runner.invoke(app, ["worker"])
    assert result.exit_code == 1 and "NIANBAO_BROKER_URL" in result.output


def test_bench_reports_every_stage() -> None:
    result = runner.invoke(app, ["bench", "--no-e2e", "--rounds", "1"])
    assert result.exit_code == 0, result.output
    for stage in ("extract", "dedup", "parse", "validate", "store"):
        assert stage in result.output


def test_bench_json_puts_the_figures_on_the_last_line_of_stdout() -> None:
    import json

    result = runner.invoke(app, ["bench", "--no-e2e", "--rounds", "1", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(figures["stages_ms"]) >= {"extract", "parse", "validate"}
    assert figures["per_page_ms"] > 0 and figures["trafilatura_fast_ms"] > 0
    assert figures["ratio_vs_trafilatura_fast"] == pytest.approx(
        figures["per_page_ms"] / figures["trafilatura_fast_ms"], rel=0.01
    )


def test_ingest_records_the_detected_encoding(embedded: dict[str, str], tmp_path: Path) -> None:
    from producers.ingest import ingest_file

    page = tmp_path / "gbk.html"
    page.write_bytes(
        b"<html><head><meta charset=gb2312></head><body><div id=zoom>"
        + ("<p>温州市安全生产监督管理局2017年政府信息公开工作年度报告</p>" * 10).encode("gbk")
    )
    assert ingest_file(page).encoding == "gb18030"
    assert runtime.repository().counts()["reports"] == 1


@pytest.mark.services
def test_bench_end_to_end_through_redis(embedded: dict[str, str]) -> None:
    """The benchmark's own Redis, PostgreSQL and worker processes: every page is accounted
    for, and the figures it reports are read off the processes that did the work."""
    from devtools.bench_e2e import end_to_end

    figures = end_to_end(pages=20, workers=1, scale=False)
    assert figures["database"] == "postgresql"
    assert figures["e2e_pages_per_s"] > 0 and figures["noop_tasks_per_s"] > 0  # type: ignore[operator]
    assert 0 < figures["e2e_ratio"] < 1  # type: ignore[operator]
    # the parse-only probe parsed the same pages and stored none of them
    assert 0 < figures["parse_only_ratio"] < 1  # type: ignore[operator]
    parse_cpu = figures["cpu_ms_per_parse_only"]
    assert isinstance(parse_cpu, dict) and parse_cpu["worker children"] > 0
    cpu = figures["cpu_ms_per_page"]
    assert isinstance(cpu, dict) and cpu["worker children"] > 0 and cpu["postgres"] > 0
    peaks = figures["peak_rss_mb"]
    assert isinstance(peaks, dict) and set(peaks) == {"main", "child 0"}
    assert all(mb > 20 for mb in peaks.values())  # a Python process with the app loaded
