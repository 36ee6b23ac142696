"""The `nianbao` command as a user runs it: one-line errors, exit codes, --debug, no secrets.

Every command runs as a subprocess (`python -m nianbao.cli`) with NIANBAO_ variables only from
the test. "Unreachable" is a free loopback port nothing listens on, or a real server stopped.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.services import PostgresCluster, RedisServer, free_port, wait_until

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "tests" / "fixtures" / "seeds"
PASSWORD = "s3cretPW"
TOKEN = "t0kenXYZsecret"


def environment(tmp_path: Path, **env: str) -> dict[str, str]:
    """The process environment without the caller's NIANBAO_ variables, plus these ones."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("NIANBAO_", "AWS_"))}
    full = {"DATA_DIR": str(tmp_path / "data"), **env}
    return {**clean, "PYTHONPATH": str(ROOT), **{f"NIANBAO_{k}": v for k, v in full.items()}}


def nianbao(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `nianbao ARGS` in tmp_path with these NIANBAO_ settings."""
    extra = {k: env.pop(k) for k in list(env) if k.startswith("AWS_")}
    return subprocess.run(
        [sys.executable, "-m", "nianbao.cli", *args],
        cwd=tmp_path,
        env={**environment(tmp_path, **env), **extra},
        capture_output=True,
        text=True,
        timeout=120,
    )


def one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    """The single error line the command printed, after checking exit code and traceback."""
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("error: ") and " → " in line, line  # what is wrong → what to do
    for needle in needles:
        assert needle in line, line
    return line


# -- settings ------------------------------------------------------------------------------


def test_an_invalid_setting_is_one_line_naming_the_variable(tmp_path: Path) -> None:
    line = one_line_error(
        nianbao(tmp_path, "status", MAX_RETRIES="abc"), "NIANBAO_MAX_RETRIES", "'abc'"
    )
    assert "default: 5" in line


def test_two_invalid_settings_are_two_lines(tmp_path: Path) -> None:
    result = nianbao(tmp_path, "status", MAX_RETRIES="abc", OBJECT_STORE="ftp")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 2, result.stderr
    assert all(line.startswith("error: NIANBAO_") and " → " in line for line in lines)
    assert {"NIANBAO_MAX_RETRIES", "NIANBAO_OBJECT_STORE"} == {
        line[7:].split("=")[0] for line in lines
    }


def test_a_time_limit_at_the_visibility_timeout_names_both(tmp_path: Path) -> None:
    one_line_error(
        nianbao(tmp_path, "status", TASK_TIME_LIMIT="1800", VISIBILITY_TIMEOUT="1800"),
        "NIANBAO_TASK_TIME_LIMIT",
        "NIANBAO_VISIBILITY_TIMEOUT",
    )


def test_a_garbage_database_url(tmp_path: Path) -> None:
    one_line_error(nianbao(tmp_path, "reports", DATABASE_URL="garbage"), "NIANBAO_DATABASE_URL")


def test_a_broker_url_with_a_bad_port_hides_its_password(tmp_path: Path) -> None:
    result = nianbao(tmp_path, "status", BROKER_URL=f"redis://:{PASSWORD}@127.0.0.1:abc/0")
    one_line_error(result, "NIANBAO_BROKER_URL", "Port")
    assert PASSWORD not in result.stdout + result.stderr


# -- servers -------------------------------------------------------------------------------


def test_an_unreachable_database(tmp_path: Path) -> None:
    port = free_port()
    url = f"postgresql+psycopg://postgres:{PASSWORD}@127.0.0.1:{port}/nianbao"
    for command in (["reports"], ["db", "upgrade"], ["export"]):
        result = nianbao(tmp_path, *command, DATABASE_URL=url)
        one_line_error(result, "NIANBAO_DATABASE_URL", f"127.0.0.1:{port}", "refused")
        assert PASSWORD not in result.stdout + result.stderr


def test_an_unreachable_broker_for_status_and_ingest(tmp_path: Path) -> None:
    port = free_port()
    url = f"redis://:{PASSWORD}@127.0.0.1:{port}/0"
    status = nianbao(tmp_path, "status", BROKER_URL=url)
    one_line_error(status, "NIANBAO_BROKER_URL", f"127.0.0.1:{port}")
    ingest = nianbao(tmp_path, "ingest", str(SEEDS), BROKER_URL=url)
    one_line_error(ingest, "NIANBAO_BROKER_URL", f"127.0.0.1:{port}")
    assert PASSWORD not in status.stdout + status.stderr + ingest.stdout + ingest.stderr


def test_an_unreachable_object_store(tmp_path: Path) -> None:
    port = free_port()
    result = nianbao(
        tmp_path,
        "ingest",
        str(SEEDS),
        OBJECT_STORE="s3",
        S3_ENDPOINT_URL=f"http://127.0.0.1:{port}",
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY=PASSWORD,
        AWS_DEFAULT_REGION="us-east-1",
    )
    one_line_error(result, "NIANBAO_S3_ENDPOINT_URL", f"127.0.0.1:{port}")
    assert PASSWORD not in result.stdout + result.stderr


def test_stopped_servers(tmp_path: Path, postgres: PostgresCluster, pg_url: str) -> None:
    """A database and a broker that were there and went away: one line each, exit 1."""
    with RedisServer() as redis_server:
        env = {"BROKER_URL": redis_server.url, "DATABASE_URL": pg_url}
        assert nianbao(tmp_path, "db", "upgrade", **env).returncode == 0
        redis_server.stop()
        one_line_error(nianbao(tmp_path, "status", **env), "NIANBAO_BROKER_URL")
        one_line_error(nianbao(tmp_path, "ingest", str(SEEDS), **env), "NIANBAO_BROKER_URL")
    postgres.stop()  # pg_url starts it again at teardown
    one_line_error(nianbao(tmp_path, "reports", DATABASE_URL=pg_url), "NIANBAO_DATABASE_URL")


def test_a_redis_refusing_the_password(tmp_path: Path, protected_redis: RedisServer) -> None:
    wrong = f"redis://:wrong{PASSWORD}@127.0.0.1:{protected_redis.port}/0"
    line = one_line_error(nianbao(tmp_path, "status", BROKER_URL=wrong), "NIANBAO_BROKER_URL")
    assert "refused" in line and PASSWORD not in line


# -- paths and URLs ------------------------------------------------------------------------


def test_an_export_into_a_path_under_a_file(tmp_path: Path) -> None:
    (tmp_path / "notes").write_text("a file, not a folder")
    one_line_error(nianbao(tmp_path, "export", "--out", "notes/x.jsonl"), "notes")


def test_ingest_of_a_missing_path(tmp_path: Path) -> None:
    one_line_error(nianbao(tmp_path, "ingest", "missing-dir"), "missing-dir")


@pytest.mark.parametrize(
    ("url", "says"),
    [("http://", "has no host"), ("htp://x", "not an http(s) URL"), ("http://x:abc/", "port")],
)
def test_a_bad_crawl_url(tmp_path: Path, url: str, says: str) -> None:
    line = one_line_error(nianbao(tmp_path, "crawl", url), repr(url), says)
    assert "sites file" not in line


def test_a_crawl_pass_that_failed_exits_non_zero(tmp_path: Path) -> None:
    """A blocked address and an unresolvable host: the pass failed, and the exit code says so."""
    for url in (f"http://127.0.0.1:{free_port()}/list/", "http://nianbao-test.invalid/list/"):
        result = nianbao(tmp_path, "crawl", url)
        assert result.returncode == 1, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        assert result.stderr.splitlines()[-1].startswith("error: the crawl pass of ")


def test_rich_markup_in_error_text_prints_intact(tmp_path: Path) -> None:
    """The site-id rule ^[a-z0-9]… is data, not markup: it reaches the user whole."""
    sites = tmp_path / "sites.toml"
    sites.write_text('[[sites]]\nid = "Bad Id"\nstart_urls = ["https://www.example.gov.cn/"]\n')
    line = one_line_error(nianbao(tmp_path, "sites", "check", str(sites)), "sites.toml")
    assert "^[a-z0-9][a-z0-9_" in line and "{0,63}$" in line


# -- --debug -------------------------------------------------------------------------------


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    port = free_port()
    url = f"postgresql+psycopg://postgres:{PASSWORD}@127.0.0.1:{port}/x"
    for args, env in ((["--debug", "reports"], {}), (["reports"], {"DEBUG": "1"})):
        result = nianbao(tmp_path, *args, DATABASE_URL=url, **env)
        assert result.returncode == 1
        assert "Traceback (most recent call last)" in result.stderr
        assert "OperationalError" in result.stderr
        assert result.stderr.splitlines()[-1].startswith("error: database error at ")
        assert PASSWORD not in result.stderr


# -- secrets -------------------------------------------------------------------------------


@pytest.fixture
def protected_redis() -> Iterator[RedisServer]:
    """A Redis of its own that requires PASSWORD."""
    with RedisServer() as server:
        client = server.client()
        client.config_set("requirepass", PASSWORD)
        client.close()
        yield server


def _long_running(tmp_path: Path, name: str, env: dict[str, str], *args: str) -> subprocess.Popen:
    """Start `nianbao ARGS` in the background, its output in tmp_path/NAME.log."""
    log = (tmp_path / f"{name}.log").open("w")
    return subprocess.Popen(
        [sys.executable, "-m", "nianbao.cli", *args],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _get(url: str, token: str | None = None) -> str:
    request = urllib.request.Request(
        url, headers={"Authorization": f"Bearer {token}"} if token else {}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read().decode()


def _served(url: str, token: str | None = None) -> str | None:
    try:
        return _get(url, token)
    except OSError:
        return None


def test_no_password_or_token_in_any_output(
    tmp_path: Path, protected_redis: RedisServer, pg_url: str
) -> None:
    """Every command that shows a URL, run with password-bearing URLs: the password never shows."""
    broker = f"redis://:{PASSWORD}@127.0.0.1:{protected_redis.port}/0"
    database = pg_url.replace(
        "postgresql+psycopg://postgres@", f"postgresql+psycopg://postgres:{PASSWORD}@"
    )
    settings = {"BROKER_URL": broker, "DATABASE_URL": database, "API_TOKEN": TOKEN}
    env = environment(tmp_path, **settings)
    sites = tmp_path / "sites.toml"
    sites.write_text('[[sites]]\nid = "gov"\nstart_urls = ["https://www.example.gov.cn/xxgk/"]\n')
    outputs: dict[str, str] = {}

    def run(*args: str, code: int = 0, **overrides: str) -> None:
        result = nianbao(tmp_path, *args, **{**settings, **overrides})
        assert result.returncode == code, (args, result.stdout, result.stderr)
        outputs[" ".join(args)] = result.stdout + result.stderr

    run("db", "upgrade")
    assert "database at head: postgresql+psycopg://postgres:***@" in outputs["db upgrade"]
    run("status")
    assert f"redis://:***@127.0.0.1:{protected_redis.port}/0" in outputs["status"]
    run("ingest", str(SEEDS))
    run("monitor", "--once", "--sites", str(sites))
    run("crawl", f"http://127.0.0.1:{free_port()}/list/", code=1)
    run("metrics")
    run("dlq", "list")
    run(
        "--debug",
        "status",
        code=1,
        BROKER_URL=f"redis://:wrong{PASSWORD}@127.0.0.1:{protected_redis.port}/0",
    )
    down = f"postgresql+psycopg://postgres:{PASSWORD}@127.0.0.1:{free_port()}/x"
    run("--debug", "db", "upgrade", code=1, DATABASE_URL=down)

    worker_metrics, exporter_port, api_port = free_port(), free_port(), free_port()
    background = {
        "worker": [
            "worker",
            "-c",
            "1",
            "--queues",
            "pages,store",
            "--metrics-port",
            str(worker_metrics),
        ],
        "exporter": ["exporter", "--port", str(exporter_port)],
        "serve": ["serve", "--port", str(api_port)],
    }
    processes = {
        name: _long_running(tmp_path, name, env, *args) for name, args in background.items()
    }
    try:
        scrapes = {
            "worker scrape": wait_until(
                lambda: _served(f"http://127.0.0.1:{worker_metrics}/metrics"), 60
            ),
            "exporter scrape": wait_until(
                lambda: _served(f"http://127.0.0.1:{exporter_port}/metrics"), 60
            ),
            "api": wait_until(
                lambda: _served(f"http://127.0.0.1:{api_port}/reports?limit=5", TOKEN), 60
            ),
        }
        wait_until(lambda: "ready." in (tmp_path / "worker.log").read_text(), 60)
        time.sleep(1)  # the worker's first seconds of work: the stored seeds' pages
    finally:
        for process in processes.values():
            os.killpg(process.pid, 15)
            process.wait(timeout=30)
    outputs.update(scrapes)
    for name in background:
        outputs[name] = (tmp_path / f"{name}.log").read_text()
    assert "transport:   redis://:**@127.0.0.1" in outputs["worker"]  # the banner ran
    assert "nianbao_queue_backlog" in outputs["exporter scrape"]
    for name, text in outputs.items():
        assert PASSWORD not in text, f"{name} shows the password:\n{text}"
        assert TOKEN not in text, f"{name} shows the API token:\n{text}"
