"""Peak memory of exporting the indicators to Parquet at 10k and 100k synthetic reports.

`measure()` fills a SQLite database per size with synthetic reports and indicator cells (Core
bulk INSERTs: seconds, not the pipeline's minutes), then runs `nianbao export --table indicators
--format parquet` in a fresh child process that reports its resident memory before the export
(imports done) and its peak after. A streaming export's growth stays flat as the table grows.

    python -m devtools.bench_export [--sizes 10000,100000] [--cells 30]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert

ROOT = Path(__file__).resolve().parent.parent
SIZES = (10_000, 100_000)
CELLS = 30  # indicator cells per synthetic report (a 2019-format report has ~100; old ones fewer)
_CHUNK = 2_000  # reports per bulk INSERT
_REGIONS = [("四川省", "成都市", "锦江区", "510104"), ("浙江省", "温州市", None, "330300"),
            ("黑龙江省", None, None, "230000")]  # fmt: skip


def fill(url: str, reports: int, cells: int = CELLS) -> None:
    """Store `reports` synthetic reports with `cells` indicator cells each, in bulk."""
    from nianbao.storage.migrate import upgrade
    from nianbao.storage.repository import make_engine
    from nianbao.storage.tables import IndicatorRow, ReportRow

    engine = make_engine(url)
    upgrade(engine)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        for start in range(1, reports + 1, _CHUNK):
            ids = range(start, min(start + _CHUNK, reports + 1))
            connection.execute(insert(ReportRow), [_report(i, now) for i in ids])
            connection.execute(
                insert(IndicatorRow), [_cell(i, position) for i in ids for position in range(cells)]
            )
    engine.dispose()


def _report(report_id: int, now: datetime) -> dict[str, Any]:
    province, city, county, code = _REGIONS[report_id % len(_REGIONS)]
    record = {
        "is_report": True,
        "agency": {"name": f"第{report_id}局", "level": "county" if county else "city"},
        "region": {"province": province, "city": city, "county": county, "code": code},
        "year": 2019 + report_id % 5,
        "format": "gb2019",
    }
    return {
        "id": report_id, "fingerprint": f"{report_id:064x}", "schema_version": 1,
        "title": f"第{report_id}局{record['year']}年政府信息公开工作年度报告",
        "agency_name": record["agency"]["name"], "agency_key": str(report_id),
        "year": record["year"], "format": "gb2019", "text_length": 20_000, "record": record,
        "current_version": 1, "created_at": now, "updated_at": now,
    }  # fmt: skip


def _cell(report_id: int, position: int) -> dict[str, Any]:
    blank = position % 7 == 0  # a blank cell: value null, never 0
    return {
        "report_id": report_id, "position": position, "table_name": "applications",
        "row_label": f"第{position}行 本年新收政府信息公开申请数量", "row_code": f"r{position}",
        "column_label": "自然人", "column_code": "natural_person", "unit": "件",
        "value": None if blank else float(position * 3), "raw": "" if blank else str(position * 3),
        "semantics": "blank" if blank else "number",
    }  # fmt: skip


def _child(database_url: str, out: str) -> None:
    """In the child: export the indicators to Parquet; print RSS before and peak, in KiB."""
    import resource

    import nianbao.exports.parquet  # noqa: F401  (pyarrow loaded before the baseline)
    from nianbao.exports import run_export
    from nianbao.settings import Settings
    from nianbao.storage.repository import Repository, make_engine

    repo = Repository(make_engine(database_url))
    baseline = _status_kib("VmRSS")
    started = time.perf_counter()
    result = run_export(repo, Settings(), table="indicators", fmt="parquet", out=out)
    print(json.dumps({
        "rows": result.rows, "seconds": round(time.perf_counter() - started, 2),
        "baseline_kib": baseline, "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }))  # fmt: skip


def _status_kib(field: str) -> int:
    """A memory figure of this process from /proc/self/status, in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def measure(
    sizes: tuple[int, ...] = SIZES, cells: int = CELLS, workdir: Path | None = None
) -> dict[str, Any]:
    """Peak RSS of a Parquet export of the indicators at each size, with fill and export times."""
    figures: dict[str, Any] = {"cells_per_report": cells, "runs": []}
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-export-", dir=workdir) as tmp:
        for size in sizes:
            url = f"sqlite:///{Path(tmp) / f'bench-{size}.sqlite3'}"
            started = time.perf_counter()
            fill(url, size, cells)
            filled = time.perf_counter() - started
            out = Path(tmp) / f"indicators-{size}.parquet"
            child = subprocess.run(
                [sys.executable, "-m", "devtools.bench_export", "--child", url, str(out)],
                cwd=ROOT, capture_output=True, text=True, check=True,
            )  # fmt: skip
            run = json.loads(child.stdout.strip().splitlines()[-1])
            figures["runs"].append({
                "reports": size, "cells": run["rows"], "fill_s": round(filled, 1),
                "export_s": run["seconds"], "parquet_mb": round(out.stat().st_size / 2**20, 1),
                "rss_before_mb": round(run["baseline_kib"] / 1024, 1),
                "peak_rss_mb": round(run["peak_kib"] / 1024, 1),
                "growth_mb": round((run["peak_kib"] - run["baseline_kib"]) / 1024, 1),
            })  # fmt: skip
            Path(url.removeprefix("sqlite:///")).unlink()
    return figures


def main() -> None:
    """Command line: the figures as one JSON object, or the child's side of a run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--cells", type=int, default=CELLS)
    parser.add_argument("--child", nargs=2, metavar=("DATABASE_URL", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    sizes = tuple(int(size) for size in args.sizes.split(","))
    print(json.dumps(measure(sizes, args.cells), indent=2))


if __name__ == "__main__":
    main()
