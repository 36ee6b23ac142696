"""The engine's pool on a real PostgreSQL: a connection killed while pooled is replaced."""

from __future__ import annotations

from sqlalchemy import text

from nianbao.storage.repository import engine as engine_module
from nianbao.storage.repository import make_engine


def _kill_backend(url: str, pid: int) -> bool:
    """Terminate one server session, as a server restart or an idle-session kill would (only
    this test's own: other tests' pooled connections in the session stay alive)."""
    admin = make_engine(url)
    with admin.connect() as connection:
        killed = connection.execute(
            text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}
        ).scalar_one()
    admin.dispose()
    return bool(killed)


def test_an_idle_pooled_connection_that_died_is_replaced_before_use(pg_url, monkeypatch) -> None:
    monkeypatch.setattr(engine_module, "IDLE_PING_SECONDS", 0.0)  # every checkout counts as idle
    engine = make_engine(pg_url)
    with engine.connect() as connection:
        first = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    assert _kill_backend(pg_url, first)
    with engine.connect() as connection:  # the ping finds it dead: a new one, no error
        second = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    assert second != first
    engine.dispose()


def test_only_a_connection_idle_past_the_threshold_is_pinged(pg_url, monkeypatch) -> None:
    engine = make_engine(pg_url)
    pings: list[object] = []
    real_ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda c: pings.append(c) or real_ping(c))
    for _ in range(3):  # busy: checked in a moment ago, used again at once
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    assert pings == []
    monkeypatch.setattr(engine_module, "IDLE_PING_SECONDS", 0.0)
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    assert len(pings) == 1
    engine.dispose()
