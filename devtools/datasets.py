"""Where the demo's and the benchmarks' real documents are: package data, so `nianbao demo` and
`nianbao bench` work from an installed package and in the Docker image, not only a checkout.

The files are real captures (see each folder's README or the tests that label them); the
test suite reads the same files through links in tests/fixtures.
"""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
SEEDS = DATA / "seeds"  # five captured report pages (one republished on a second portal)
REAL_REPORTS = DATA / "real-reports"  # three real report PDFs (one agency's 2023 and 2024)
DEV_SET_RAW = DATA / "dev-set-raw"  # 27 real documents as found in the wild, as plain text
