"""The fault soak (devtools/soak) end to end: a small run with a quick fault of every kind.

The workers run with the default settings (only the servers' URLs set) but one: an owed archive
a drain claimed is taken over after 20 s, not 300 s (NIANBAO_ARCHIVE_LEASE). A drain killed or
cut off by a fault mid-write leaves its claim behind, and at the default the run waited out the
lease (the soak took 324 s instead of 88 s); what is accounted for is the same. A message a
killed worker held comes back through the holders' heartbeat, not after the 30-min visibility
timeout.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.services


def test_small_soak_accounts_for_every_page(tmp_path: Path) -> None:
    run_dir = tmp_path / "soak"
    argv = [
        sys.executable, "-m", "devtools.soak", "--pages", "150", "--faults", "7", "--quick",
        "--seed", "3", "--run-dir", str(run_dir), "--set", "ARCHIVE_LEASE=20",
    ]  # fmt: skip
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=600)
    output = done.stdout + done.stderr
    summary = re.search(
        r"soak: sent=(\d+) stored=(\d+) quarantined=(\d+) dead=(\d+) held=(\d+) lost=(\d+) "
        r"duplicated=(\d+) unarchived=(\d+) replay_failed=(\S+) faults=(\d+)",
        output,
    )
    assert summary, output[-4000:]
    sent, stored, quarantined, dead, held, lost, dup, unarchived, replay_failed, faults = (
        summary.groups()
    )
    assert int(faults) == 7
    for kind in ("kill_child", "kill_parent", "redis_crash", "pg_stop", "pg_disk_full",
                 "s3_down", "s3_5xx"):  # fmt: skip
        assert kind in output, kind
    assert int(sent) >= 150
    assert int(stored) + int(quarantined) + int(dead) == int(sent), output[-4000:]
    assert int(dup) == 0, output[-4000:]
    assert (int(held), int(lost), int(unarchived)) == (0, 0, 0), output[-6000:]
    assert replay_failed in ("0", "n/a"), output[-6000:]
    assert done.returncode == 0, output[-6000:]
    assert list((run_dir / "workers").glob("worker*.log")), "worker logs are kept"
    assert list((run_dir / "redis").rglob("*.aof*")), "the AOF is kept"
