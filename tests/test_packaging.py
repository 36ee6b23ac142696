"""The wheel a user installs runs the demo and the bench: their data ships as package data."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


def test_an_installed_wheel_runs_the_demo_and_the_bench_outside_the_checkout(
    tmp_path: Path,
) -> None:
    wheels, target, elsewhere = tmp_path / "wheels", tmp_path / "site", tmp_path / "cwd"
    elsewhere.mkdir()
    source = tmp_path / "source"  # a copy: building in the checkout would leave build/ there
    skip = (".git", ".venv", "tests", "build", "*.egg-info", "__pycache__", ".*_cache", "*-data")
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*skip))
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "-w", str(wheels), str(source)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = wheels.glob("nianbao-*.whl")
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target),
         str(wheel)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr[-3000:]
    env = {k: v for k, v in os.environ.items() if not k.startswith("NIANBAO_")}
    env |= {"PYTHONPATH": str(target), "NIANBAO_DATA_DIR": str(tmp_path / "data")}
    where = _run(["-c", "import devtools.datasets as d; print(d.SEEDS)"], elsewhere, env)
    assert where.stdout.strip() == str(target / "devtools" / "data" / "seeds"), where.stderr
    demo = _run(["-m", "nianbao.cli", "demo"], elsewhere, env)
    assert demo.returncode == 0, demo.stdout[-2000:] + demo.stderr[-2000:]
    assert "new reports" in demo.stdout
    bench = _run(
        ["-m", "nianbao.cli", "bench", "--no-e2e", "--rounds", "1", "--json"], elsewhere, env
    )
    assert bench.returncode == 0, bench.stderr[-2000:]
    assert '"pages": 33' in bench.stdout.splitlines()[-1]
