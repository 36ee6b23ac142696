"""The API's region filters are served by the reports table's indexes (PostgreSQL's planner)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.dialects import postgresql

from nianbao.storage.migrate import upgrade
from nianbao.storage.repository import make_engine
from nianbao.storage.repository.api_reads import RegionFilter
from nianbao.storage.tables import ReportRow


@pytest.mark.parametrize(
    ("region", "index"),
    [
        (RegionFilter(province="浙江省"), "ix_reports_province"),
        (RegionFilter(city="温州市"), "ix_reports_city"),
        (RegionFilter(county="鹿城区"), "ix_reports_county"),
        (RegionFilter(division="330300"), "ix_reports_division_code"),
    ],
)
def test_a_region_filter_is_an_index_search(pg_url: str, region: RegionFilter, index: str) -> None:
    engine = make_engine(pg_url)
    upgrade(engine)
    query = select(ReportRow.id).where(*region.clauses())
    sql = str(query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL enable_seqscan = off"))  # an empty table: force the choice
        plan = "\n".join(conn.execute(text(f"EXPLAIN {sql}")).scalars())
    assert index in plan, plan
    engine.dispose()


def test_a_division_code_selects_the_divisions_inside_it() -> None:
    from nianbao.storage.repository.api_reads import division_range

    assert division_range("330300") == ("3303", "3304")
    assert division_range("330000") == ("33", "34")
    assert division_range("330109") == ("330109", "330110")
    assert division_range("99") == ("99", None)  # nothing sorts after it among digit codes
    with pytest.raises(ValueError, match="digits"):
        division_range("33ab")
