"""What every part of the repository shares: the engine, its sessions, the dialect's INSERT."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker


def utcnow() -> datetime:
    """The time stamped on rows (timezone-aware UTC)."""
    return datetime.now(UTC)


class RepositoryBase:
    """The engine and its session factory; the parts of `Repository` build on this."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def _insert(self, table: Any) -> Any:
        """The dialect's INSERT (it has ON CONFLICT DO NOTHING on both backends)."""
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        return dialect.insert(table)

    def session(self) -> Session:
        """A new session (unit of work); use as a context manager."""
        return self._sessions()
