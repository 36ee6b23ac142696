"""The hostile corpus (CI subset) through `nianbao parse`'s code path: nothing crashes, hangs,
bloats or goes unaccounted. The full corpus: `python -m devtools.hostile_corpus check DIR`."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from devtools import hostile_corpus as hc


def test_the_full_corpus_has_every_family_and_over_200_inputs() -> None:
    items = hc.corpus(ci=False)
    families = Counter(item.family for item in items)
    assert len(items) >= 200
    expected = (
        "empty binary nul encoding big nesting tables spans lines attributes numbers dates years "
        "pdf pdf_bomb docx docx_grid docx_bomb xml_entities lying controls copies"
    )
    for family in expected.split():
        assert families[family] >= 1, family
    ci = hc.corpus(ci=True)
    assert len(ci) < len(items) and not any(item.big for item in ci)


def test_generation_is_deterministic(tmp_path: Path) -> None:
    small = [item for item in hc.corpus(ci=True) if item.family in {"encoding", "docx", "pdf"}]
    assert all(item.make() == item.make() for item in small)


def test_ci_corpus_is_fully_accounted(tmp_path: Path) -> None:
    items = hc.generate(tmp_path, ci=True)
    manifest = json.loads((tmp_path / hc.MANIFEST).read_text())
    assert len(manifest) == len(items) >= 200
    (tmp_path / "stray.html").write_text("not in the manifest")
    results = hc.run(tmp_path, seconds=30, memory_bytes=2_000_000_000)
    table = hc.accounting(results)
    stray = [r for r in results if r.name == "stray.html"]
    assert [r.outcome for r in stray] == ["unaccounted"]  # the runner notices what it was not told
    results = [r for r in results if r.name != "stray.html"]
    assert len(results) == len(items)
    outcomes = Counter(r.outcome for r in results)
    assert outcomes["crash"] == outcomes["hang"] == outcomes["over_memory"] == 0, table
    assert outcomes["died"] == outcomes["missing"] == 0, table
    assert all(r.reason in hc.STABLE_REASONS for r in results if r.outcome == "rejected"), table
    assert not [r.name for r in results if r.failed], table
    assert not [r.name for r in results if r.leaked], table
