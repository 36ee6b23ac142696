"""Score agency.describe on the dev-set labels, apart from agency-name extraction.

    python -m devtools.eval_region [LABELS_DIR RAW_DIR]

Each label's own `agency` (or null) goes into describe() with the raw text as context; province,
city, county and level are compared with the label the way score.py compares them (a null label
is not counted). Prints each miss and a last line `region=<accuracy> (<ok>/<n>)`.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from nianbao.core import agency

DEV = Path(__file__).resolve().parents[2] / "shared" / "dev-set"
FIELDS = ("province", "city", "county", "level")


def evaluate(labels: Path, raw: Path) -> tuple[int, int, list[str], float]:
    """(right, counted, misses, slowest describe() in seconds) over the labelled reports."""
    right = counted = 0
    misses: list[str] = []
    slowest = 0.0
    agency.describe("安徽省", "")  # load the gazetteer before timing
    for path in sorted(labels.glob("*.json")):
        label = json.loads(path.read_text(encoding="utf-8"))
        if not label.get("is_report"):
            continue
        text = (raw / label["file"]).read_text(encoding="utf-8")
        start = time.perf_counter()
        info = agency.describe(label.get("agency"), context=text)
        slowest = max(slowest, time.perf_counter() - start)
        for field in FIELDS:
            want = label.get(field)
            if want in (None, ""):
                continue
            counted += 1
            got = getattr(info, field)
            if got == want:
                right += 1
            else:
                misses.append(f"{label['file']}: {field} {got!r} != {want!r}")
    return right, counted, misses, slowest


def main() -> None:
    """Print the misses and the accuracy."""
    labels, raw = (
        (Path(a) for a in sys.argv[1:3]) if len(sys.argv) > 2 else (DEV / "labels", DEV / "raw")
    )
    right, counted, misses, slowest = evaluate(labels, raw)
    for miss in misses:
        print("  miss", miss)
    print(f"slowest describe() {slowest * 1000:.2f} ms")
    print(f"region={right / counted:.3f} ({right}/{counted})")


if __name__ == "__main__":
    main()
