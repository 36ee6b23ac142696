"""Quarantine review as an operator runs it: list, show, replay — embedded, on real worker
processes over Redis + PostgreSQL, and with the raw page behind a presigned URL on S3 (moto).

A page is quarantined for a bound that can be lifted (NIANBAO_MAX_BODY_BYTES below its size:
too_large), then replayed under a larger bound: stored, its entry closed, nothing twice. A page
that is no report stays quarantined after a replay: the same entry, open, replays counted.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from nianbao import runtime
from producers.ingest import ingest_file
from tests.conftest import ROOT, SEEDS
from tests.services import S3Server, wait_until

PAGES = sorted(SEEDS.glob("*.txt"))[:2]
NOTICE = "关于报送2023年度政府信息公开工作年度报告的通知\n各单位：请于2024年1月31日前报送。\n"
SMALL = "1024"  # below every seed's size


def nianbao(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run the nianbao command as a user would, with exactly these NIANBAO_ settings."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NIANBAO_")}
    done = subprocess.run(
        [sys.executable, "-m", "nianbao.cli", *args],
        cwd=ROOT, env={**clean, **env, "COLUMNS": "250"}, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    return done


def ok(env: dict[str, str], *args: str) -> str:
    """The stdout of a command that must succeed."""
    done = nianbao(env, *args)
    assert done.returncode == 0, done.stderr
    return done.stdout


def entries(show_all: bool = True) -> list[Any]:
    """Quarantine rows, oldest first."""
    return runtime.repository().list_quarantine(None, status=None if show_all else "open")[::-1]


def test_embedded_list_show_replay(embedded: dict[str, str], tmp_path: Path) -> None:
    small = {**embedded, "NIANBAO_MAX_BODY_BYTES": SMALL}
    notice = tmp_path / "notice.txt"
    notice.write_text(NOTICE, encoding="utf-8")
    ok(small, "ingest", *map(str, PAGES), str(notice))
    first, second, refused = entries()
    assert [(e.reason, e.stage, e.status) for e in (first, second)] == [
        ("too_large", "load", "open")
    ] * 2
    assert refused.reason == "not_a_report"

    listed = ok(embedded, "quarantine", "list", "--reason", "too_large")
    assert f" {first.id} " in listed and f" {second.id} " in listed and "not_a_report" not in listed
    assert "too_large" not in ok(embedded, "quarantine", "list", "--site", "elsewhere")
    assert f" {first.id} " in ok(embedded, "quarantine", "list", "--since", "1d")
    assert "too_large" not in ok(embedded, "quarantine", "list", "--since", "2999-01-01")
    bad = nianbao(embedded, "quarantine", "list", "--since", "yesterday-ish")
    assert bad.returncode == 1 and "--since" in bad.stderr and "Traceback" not in bad.stderr

    shown = json.loads(ok(embedded, "quarantine", "show", str(first.id), "--json"))
    assert shown["reason"] == "too_large" and shown["stage"] == "load"
    assert "over the limit of 1024" in shown["detail"]
    assert shown["url"] == PAGES[0].resolve().as_uri() and shown["site"] == "ingest"
    assert Path(shown["raw_page"]).read_bytes() == PAGES[0].read_bytes()
    text = ok(embedded, "quarantine", "show", str(first.id))
    assert shown["raw_page"] in text and "too_large" in text

    # the parser is not fixed yet: replayed under the same bound, the page fails again
    again = ok(small, "quarantine", "replay", str(first.id))
    assert "quarantined again" in again and "0 stored, 1 still open" in again
    assert [(e.id, e.status, e.replays) for e in entries()][:1] == [(first.id, "open", 1)]
    assert len(entries()) == 3

    # lifted: every too_large entry is stored and closed; the notice stays as it was
    replayed = ok(embedded, "quarantine", "replay", "--reason", "too_large")
    assert "2 stored, 0 still open" in replayed
    after = {e.id: e for e in entries()}
    assert len(after) == 3
    assert (after[first.id].status, after[first.id].replays) == ("closed", 2)
    assert after[first.id].closed_at is not None and after[second.id].status == "closed"
    assert (after[refused.id].status, after[refused.id].replays) == ("open", 0)
    counts = runtime.repository().counts()
    assert (counts["reports"], counts["sources"]) == (2, 2)
    assert " too_large " not in ok(embedded, "quarantine", "list")
    assert ok(embedded, "quarantine", "list", "--all").count("closed") == 2

    # a page that is no report stays: the same entry, still open, its replay counted
    assert "1 still open" in ok(embedded, "quarantine", "replay", str(refused.id))
    assert [(e.status, e.replays) for e in entries()][2] == ("open", 1)
    assert len(entries()) == 3

    closed = nianbao(embedded, "quarantine", "replay", str(first.id))
    assert closed.returncode == 1 and "already closed" in closed.stderr
    assert "replayed 1:" in ok(embedded, "quarantine", "replay", "--all")  # the notice only
    assert (runtime.repository().counts()["sources"], len(entries())) == (2, 3)
    kinds = [e.kind for e in runtime.repository().changes(limit=1000)]
    assert kinds.count("replayed") == 5 and kinds.count("quarantined") == 3
    assert kinds.count("report_created") == 2


def test_replay_on_worker_processes(
    distributed: dict[str, str], start_worker: Any, tmp_path: Path
) -> None:
    """Real workers on Redis + PostgreSQL: the replay goes through the pages queue and ledger."""
    from workers.app import in_flight

    repo = runtime.repository()
    small = start_worker({**distributed, "NIANBAO_MAX_BODY_BYTES": SMALL})
    notice = tmp_path / "notice.txt"
    notice.write_text(NOTICE, encoding="utf-8")
    for path in [*PAGES, notice]:
        ingest_file(path)
    wait_until(lambda: len(entries()) == 3, timeout=60, message="pages not quarantined")
    # every page closed in the ledger first: else a page still held (or resent by the ledger's
    # sweep on a slow machine) reaches the next worker, which stores it before the replay
    wait_until(lambda: (in_flight() or {}).get("ledger") == 0, timeout=60, message="ledger open")
    small.stop()
    start_worker(distributed)  # the fix: a worker with the default bound

    sent = ok(distributed, "quarantine", "replay", "--all")
    assert "sent 3 page(s) to the pages queue" in sent

    def settled() -> bool:
        rows = entries()
        held = in_flight()
        return (
            sum(e.status == "closed" for e in rows) == 2
            and sum(e.replays for e in rows) == 3
            and held is not None
            and held["ledger"] == 0
        )

    wait_until(settled, timeout=90, message="replays not settled")
    rows = entries()  # workers quarantined the pages in any order
    assert sorted((e.reason, e.status, e.replays) for e in rows) == [
        ("not_a_report", "open", 1),
        ("too_large", "closed", 1),
        ("too_large", "closed", 1),
    ]
    counts = repo.counts()
    assert (counts["reports"], counts["sources"], counts["dead_letters"]) == (2, 2, 0)
    listed = ok(distributed, "quarantine", "list")
    assert "not_a_report" in listed and "too_large" not in listed

    # closed entries are not sent again
    assert "sent 0 page(s)" in ok(distributed, "quarantine", "replay", "--reason", "too_large")
    assert (repo.counts()["sources"], len(entries())) == (2, 3)


@pytest.fixture
def s3_embedded(
    configure: Any, s3_server: S3Server, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """Embedded, with the object store in a fresh bucket on the moto server."""
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(key, value)
    env = configure(  # type: ignore[operator]
        OBJECT_STORE="s3",
        S3_ENDPOINT_URL=s3_server.endpoint_url,
        S3_BUCKET=f"q-{hashlib.sha256(str(id(monkeypatch)).encode()).hexdigest()[:10]}",
        S3_PREFIX="raw-pages",
        MAX_BODY_BYTES=SMALL,
    )
    return {**env, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


def test_show_gives_a_presigned_url_on_s3(s3_embedded: dict[str, str]) -> None:
    ingest_file(PAGES[0])
    [entry] = entries()
    shown = json.loads(ok(s3_embedded, "quarantine", "show", str(entry.id), "--json"))
    url = shown["raw_page"]
    assert url.startswith(s3_embedded["NIANBAO_S3_ENDPOINT_URL"]) and "Signature" in url
    assert "/raw-pages/raw/" in url
    response = httpx.get(url)
    assert response.status_code == 200 and response.content == PAGES[0].read_bytes()
    before = int(time.time())
    short = json.loads(ok(s3_embedded, "quarantine", "show", str(entry.id), "--json",
                          "--expires", "60"))  # fmt: skip
    after = int(time.time()) + 1
    [expires] = parse_qs(urlsplit(short["raw_page"]).query)["Expires"]
    assert before + 60 <= int(expires) <= after + 60
    missing = nianbao(s3_embedded, "quarantine", "show", "999")
    assert missing.returncode == 1 and "no quarantine entry 999" in missing.stderr
