"""`nianbao bench --crawl` measures real passes: a first that enqueues, a second that does not."""

from __future__ import annotations

from devtools.bench_crawl import backends, measure


def test_crawl_bench_measures_both_passes_on_each_backend() -> None:
    found, cleanup = backends(None)
    try:
        rows = measure(25, found)
    finally:
        cleanup()
    assert [row["state"] for row in rows] == ["memory", "file (embedded)"]
    for row in rows:
        assert row["pages"] == 25 and row["enqueued_again"] == 0
        assert row["first_ms"] > 0 and row["again_ms"] > 0 and row["peak_mib"] > 0
