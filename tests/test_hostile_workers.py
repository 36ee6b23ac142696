"""The hostile corpus (CI subset) through real workers: every input ends stored or quarantined.

No dead letter, no traceback in the worker log, the worker alive at the end.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from devtools import hostile_corpus as hc
from nianbao import runtime
from producers.ingest import ingest_file
from tests.services import wait_until

pytestmark = pytest.mark.services


def test_every_hostile_input_gets_a_record_or_a_quarantine(
    distributed: dict, start_worker, tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    items = hc.generate(corpus, ci=True)
    worker = start_worker(distributed)
    for item in items:
        ingest_file(corpus / item.name)

    def settled() -> bool:
        counts = runtime.repository().counts()
        return counts["sources"] + counts["quarantined"] + counts["dead_letters"] >= len(items)

    wait_until(settled, timeout=600, message=worker.output()[-3000:])
    counts = runtime.repository().counts()
    assert counts["dead_letters"] == 0, worker.output()[-5000:]
    assert counts["sources"] + counts["quarantined"] == len(items), counts
    log = worker.output()
    for sign in ("Traceback", "raised unexpected", "WorkerLostError", "exited with"):
        assert sign not in log, log[log.find(sign) - 2000 : log.find(sign) + 2000]
    assert worker.proc.poll() is None
