"""The README is a contract: every setting documented, the two commands the ones CI runs."""

from __future__ import annotations

import re

from nianbao.settings import Settings
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_settings_table() -> None:
    documented = set(re.findall(r"^\| `(NIANBAO_[A-Z0-9_]+)` \|", README, re.M))
    assert documented == {f"NIANBAO_{name.upper()}" for name in Settings.model_fields}


def test_ci_runs_the_readme_test_command() -> None:
    assert "make test" in README and "make demo" in README
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^exec make test$", ci, re.M)


def test_every_record_key_is_documented() -> None:
    from schemas.report import AnnualReport

    for key in AnnualReport.model_fields:
        assert f"`{key}`" in README, key
