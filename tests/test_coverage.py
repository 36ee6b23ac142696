"""Coverage: due dates by the 条例 around their deadlines, missing years, and `nianbao coverage`
on the embedded default with a sites file, stored seed reports and a crawl state."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from nianbao.core.coverage import coverage, due_date, is_government, latest_due_year, year_ranges
from tests.conftest import ROOT, SEEDS

GOV = "北京市人民政府"


@pytest.mark.parametrize(
    ("year", "government", "due"),
    [
        (2008, False, date(2009, 3, 31)),  # 2007 条例 Art. 31: 31 March, for everyone
        (2018, False, date(2019, 3, 31)),  # due before the revision came into force
        (2018, True, date(2019, 3, 31)),
        (2019, False, date(2020, 1, 31)),  # revised 条例 Art. 49: departments by 31 January
        (2019, True, date(2020, 3, 31)),  # a government's own report by 31 March
        (2025, False, date(2026, 1, 31)),
    ],
)
def test_due_dates(year: int, government: bool, due: date) -> None:
    assert due_date(year, government=government) == due


def test_governments_and_their_departments() -> None:
    assert is_government(GOV) and is_government(" 罗庄区人民政府 ")
    assert not is_government("北京市人民政府办公厅") and not is_government("四川省应急管理厅")
    assert not is_government(None) and not is_government("")


@pytest.mark.parametrize(
    ("today", "government", "year", "status"),
    [
        (date(2020, 1, 31), False, 2019, "not due"),  # the due date itself is still on time
        (date(2020, 2, 1), False, 2019, "overdue"),
        (date(2020, 3, 31), True, 2019, "not due"),
        (date(2020, 4, 1), True, 2019, "overdue"),
        (date(2019, 2, 1), False, 2018, "not due"),  # 2018 reports: 31 March, not 31 January
        (date(2019, 3, 31), False, 2018, "not due"),
        (date(2019, 4, 1), False, 2018, "overdue"),
        (date(2019, 1, 15), False, None, "not due"),  # default: the previous year (2018)
        (date(2021, 2, 1), False, None, "overdue"),  # 2020's, due 31 January 2021
    ],
)
def test_a_missing_report_is_flagged_only_after_its_due_date(
    today: date, government: bool, year: int | None, status: str
) -> None:
    cov = coverage([2015], today, government=government, year=year)
    assert cov.status == status and cov.flagged == (status == "overdue")
    assert cov.year == (today.year - 1 if year is None else year)


def test_a_stored_report_is_never_flagged() -> None:
    cov = coverage([2019, 2018], date(2030, 1, 1), year=2019)
    assert (cov.status, cov.flagged, cov.stored) == ("stored", False, (2018, 2019))


def test_missing_years_run_from_the_first_stored_to_the_newest_due() -> None:
    assert latest_due_year(date(2020, 1, 31)) == 2018
    assert latest_due_year(date(2020, 2, 1)) == 2019
    assert latest_due_year(date(2020, 2, 1), government=True) == 2018
    assert coverage([2014, 2016, None], date(2019, 4, 1)).missing == (2015, 2017, 2018)
    assert coverage([2014, 2016], date(2019, 3, 31)).missing == (2015, 2017)
    assert coverage([2019], date(2020, 2, 1)).missing == ()
    assert coverage([], date(2020, 2, 1)).missing == (2019,)  # nothing stored: the newest due
    assert coverage([], date(2020, 2, 1), government=True).missing == (2018,)


def test_year_ranges() -> None:
    assert year_ranges([2019, 2015, 2016, 2017, 2022, 2023]) == "2015–2017, 2019, 2022–2023"
    assert year_ranges([]) == "—"


SITES = """
[[sites]]
id = "sc-yjt"
agency = "四川省应急管理厅"
start_urls = ["https://yjt.sc.gov.cn/scyjt/nianbao/list.shtml"]

[[sites]]
id = "bj-gov"
agency = "北京市人民政府"
start_urls = ["https://www.beijing.gov.cn/gongkai/nianbao/"]
"""


@pytest.fixture
def stored(embedded: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """The five seed reports stored (Sichuan's 2019 one from sc-yjt), a crawl success noted."""
    from nianbao.settings import get_settings
    from producers.ingest import ingest_file
    from producers.state import open_state

    seeds = sorted(SEEDS.glob("*.txt"))
    for path in seeds[:4]:
        ingest_file(path, site_id="old-pages")
    ingest_file(seeds[4], site_id="sc-yjt")  # 四川省应急管理厅, 2019
    with open_state(get_settings()) as state:
        state.mark("sc-yjt", last_success=time.time())
    sites = tmp_path / "sites.toml"
    sites.write_text(SITES, encoding="utf-8")
    return {**embedded, "NIANBAO_SITES_FILE": str(sites)}


def nianbao(env: dict[str, str], *args: str) -> str:
    """stdout of a `nianbao` command that must succeed, run as a user would."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NIANBAO_")}
    done = subprocess.run(
        [sys.executable, "-m", "nianbao.cli", *args],
        cwd=ROOT, env={**clean, **env, "COLUMNS": "250"}, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_coverage_json_per_site_and_agency(stored: dict[str, str]) -> None:
    env = {k: v for k, v in stored.items() if k != "NIANBAO_SITES_FILE"}
    report = json.loads(
        nianbao(
            env,
            "coverage",
            "--sites",
            stored["NIANBAO_SITES_FILE"],
            "--as-of",
            "2020-02-01",
            "--json",
        )
    )
    assert (report["as_of"], report["year"]) == ("2020-02-01", 2019)
    sites = {s["site"]: s for s in report["sites"]}
    assert list(sites) == ["sc-yjt", "bj-gov"]  # the sites file's sites, in its order
    sc, bj = sites["sc-yjt"], sites["bj-gov"]
    assert (sc["stored"], sc["missing"], sc["status"], sc["flagged"]) == (
        [2019],
        [],
        "stored",
        False,
    )
    assert sc["last_success"] is not None and sc["last_new"] is not None
    # a government: its 2019 report is due by 31 March 2020, its 2018 one was missed
    assert (bj["stored"], bj["missing"], bj["due"], bj["status"]) == (
        [], [2018], "2020-03-31", "not due"
    )  # fmt: skip
    assert (bj["last_success"], bj["last_new"]) == (None, None)
    agencies = {a["agency"]: a for a in report["agencies"]}
    assert len(agencies) == 5
    yichun = next(a for name, a in agencies.items() if name.startswith("伊春市"))
    assert (yichun["stored"], yichun["missing"]) == ([2014], [2015, 2016, 2017, 2018, 2019])
    assert (yichun["sites"], yichun["status"], yichun["flagged"]) == (
        ["old-pages"],
        "overdue",
        True,
    )
    assert agencies["四川省应急管理厅"]["sites"] == ["sc-yjt"]

    later = json.loads(nianbao(env, "coverage", "--sites", stored["NIANBAO_SITES_FILE"], "--as-of",
                               "2020-04-01", "--json"))  # fmt: skip
    assert {s["site"]: s["status"] for s in later["sites"]} == {
        "sc-yjt": "stored", "bj-gov": "overdue"
    }  # fmt: skip


def test_coverage_of_one_year_by_the_2018_rule(stored: dict[str, str]) -> None:
    """--year 2018: due 31 March 2019; Luozhuang's is stored, the others' overdue after."""
    env = {k: v for k, v in stored.items() if k != "NIANBAO_SITES_FILE"}

    def statuses(as_of: str) -> dict[str, str]:
        out = nianbao(env, "coverage", "--year", "2018", "--as-of", as_of, "--json")
        return {a["agency"][:3]: a["status"] for a in json.loads(out)["agencies"]}

    assert statuses("2019-03-31") == {
        "罗庄区": "stored", "伊春市": "not due", "四川省": "not due", "温州市": "not due",
        "贵州省": "not due",
    }  # fmt: skip
    assert statuses("2019-04-01")["贵州省"] == "overdue"


def test_coverage_table(stored: dict[str, str]) -> None:
    out = nianbao(stored, "coverage", "--as-of", "2020-04-01")  # NIANBAO_SITES_FILE
    for text in ("sc-yjt", "bj-gov", "四川省应急管理厅", "OVERDUE", "2015–2019", "stored"):
        assert text in out
    assert "overdue: the 2019 report is missing after its due date" in out
