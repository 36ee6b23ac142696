"""The five real seed pages parse exactly to their hand-checked labels (tests/labels/seeds)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nianbao.cli import app
from nianbao.evaluate import score
from tests.conftest import SEEDS

LABELS = Path(__file__).parent / "labels" / "seeds"
runner = CliRunner()


@pytest.mark.parametrize("label", sorted(LABELS.glob("*.json")), ids=lambda p: p.stem[:3])
def test_seed_parses_exactly_to_its_label(label: Path) -> None:
    result = runner.invoke(app, ["parse", str(SEEDS / f"{label.stem}.txt"), "--json"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record.pop("source").endswith(f"{label.stem}.txt")
    expected = json.loads(label.read_text(encoding="utf-8"))
    report = score([(label.stem, expected, record)])
    assert report.mismatches == []
    assert record == expected


def test_every_seed_is_labelled() -> None:
    assert {p.stem for p in LABELS.glob("*.json")} == {p.stem for p in SEEDS.glob("*.txt")}


def test_eval_command_reports_full_accuracy_on_the_seeds() -> None:
    result = runner.invoke(app, ["eval", str(LABELS), str(SEEDS)])
    assert result.exit_code == 0, result.output
    assert "5 labelled report(s)" in result.output
    row = re.search(r"all tables\W+(\d+)\W+(\d+)\W+([\d.]+)\W+([\d.]+)", result.output)
    cells = sum(
        len(json.loads(p.read_text(encoding="utf-8"))["indicators"]) for p in LABELS.glob("*.json")
    )
    assert row is not None and row.groups() == (str(cells), str(cells), "1.000", "1.000")
    assert "mismatches" not in result.output


def test_eval_shows_what_differs(tmp_path: Path) -> None:
    label = json.loads((LABELS / "002_dd0aca17394d444a.json").read_text(encoding="utf-8"))
    label["year"] = 2017
    label["indicators"][0]["value"] = 58.0
    (tmp_path / "002_dd0aca17394d444a.json").write_text(json.dumps(label), encoding="utf-8")
    result = runner.invoke(app, ["eval", str(tmp_path), str(SEEDS)])
    assert result.exit_code == 0
    assert "mismatches" in result.output and "year" in result.output
    found = len(label["indicators"]) - 1  # all but the changed one: precision and recall
    assert f"{found / len(label['indicators']):.3f}" in result.output
