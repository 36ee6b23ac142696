"""Migrations and models agree, upgrade and downgrade, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from nianbao.storage.migrate import alembic_config, upgrade
from nianbao.storage.repository import make_engine
from nianbao.storage.tables import Base


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/m.sqlite3"
    return request.getfixturevalue("pg_url")


def test_head_matches_the_models_and_downgrades_cleanly(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    config = alembic_config(url)
    command.downgrade(config, "base")
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() is None
    upgrade(engine)  # and back up again
    engine.dispose()
