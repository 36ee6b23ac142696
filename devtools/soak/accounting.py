"""Where every sent page ended up: the database (reports, sources, quarantine, dead letters),
the archive of every stored version, and — for what is nowhere — evidence from the logs."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select

from devtools.soak.traffic import Page
from nianbao.storage.tables import (
    ArchiveOutboxRow,
    DeadLetterRow,
    QuarantineRow,
    ReportRow,
    SourceRow,
    VersionRow,
)

OUTCOMES = ("stored", "quarantined", "dead", "held", "lost")
EXPECTED = {"report": "stored", "republished": "stored", "crawled": "stored", "junk": "quarantined"}


@dataclass
class Sent:
    """A page the soak sent (or put on its site), and the task ids it was sent under."""

    page: Page
    sha256: str
    task_ids: list[str] = field(default_factory=list)
    sent_at: float = 0.0


@dataclass
class Outcome:
    sent: Sent
    outcome: str
    report_ids: set[int] = field(default_factory=set)
    sources: int = 0
    quarantined: int = 0
    dead: list[str] = field(default_factory=list)  # dead-letter ids (or orphan keys)
    problems: list[str] = field(default_factory=list)


def letter_page(task_name: str, args: list[Any]) -> tuple[str, str] | None:
    """(url, sha256) of the page a dead-lettered message is about, if any."""
    if not args or not isinstance(args[0], dict):
        return None
    message = args[0]
    page = message.get("page", message)  # ParsedPage / Rejection hold a page; FetchedPage is one
    if isinstance(page, dict) and "url" in page and "sha256" in page:
        return page["url"], page["sha256"]
    return None


@dataclass
class Snapshot:
    """The database (and orphan dead letters) as the accounting reads them."""

    sources: dict[tuple[str, str], list[tuple[int, int]]]  # (url, sha) → [(report, version)]
    quarantine: dict[tuple[str, str], list[str]]  # (url, sha) → stages
    letters: list[dict[str, Any]]  # pending dead letters (table + orphans)
    reports: int
    versions: list[tuple[int, str, str]]  # (version id, fingerprint, figures)
    counts: dict[str, int]


def snapshot(database_url: str, orphans: list[dict[str, Any]]) -> Snapshot:
    """Read what the accounting needs, with SQLAlchemy on the nianbao tables."""
    engine = create_engine(database_url, pool_pre_ping=True)
    try:
        with engine.connect() as conn:
            sources: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
            for url, sha, report_id, version_id in conn.execute(
                select(
                    SourceRow.url, SourceRow.page_sha256, SourceRow.report_id, SourceRow.version_id
                )
            ):
                sources[(url, sha)].append((report_id, version_id))
            quarantine: dict[tuple[str, str], list[str]] = defaultdict(list)
            for url, sha, stage in conn.execute(
                select(QuarantineRow.url, QuarantineRow.page_sha256, QuarantineRow.stage)
            ):
                quarantine[(url, sha)].append(stage)
            letters = [
                {"id": str(row.id), "task_id": row.task_id, "task_name": row.task_name,
                 "args": row.args, "error": row.error, "status": row.status}
                for row in conn.execute(select(DeadLetterRow)).mappings()
            ]  # fmt: skip
            reports = conn.execute(select(func.count()).select_from(ReportRow)).scalar_one()
            owed = conn.execute(select(func.count()).select_from(ArchiveOutboxRow)).scalar_one()
            versions = list(
                conn.execute(
                    select(VersionRow.id, VersionRow.fingerprint, VersionRow.figures)
                ).tuples()
            )
        counts = {
            "reports": reports,
            "versions": len(versions),
            "sources": sum(len(v) for v in sources.values()),
            "quarantine": sum(len(v) for v in quarantine.values()),
            "dead_letters": len(letters) + len(orphans),
            "archives_owed": owed,
        }
        for orphan in orphans:
            letters.append(orphan | {"id": orphan.get("key", "orphan"), "status": "pending"})
        return Snapshot(dict(sources), dict(quarantine), letters, reports, versions, counts)
    finally:
        engine.dispose()


@dataclass
class Accounting:
    outcomes: list[Outcome]
    duplicate_reports: list[str]
    orphan_reports: int
    missing_archives: list[str]
    crawl_letters: list[dict[str, Any]]
    snapshot: Snapshot

    def by_kind(self) -> dict[str, Counter[str]]:
        table: dict[str, Counter[str]] = defaultdict(Counter)
        for o in self.outcomes:
            table[o.sent.page.kind][o.outcome] += 1
        return table

    @property
    def lost(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.outcome == "lost"]

    @property
    def held(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.outcome == "held"]

    @property
    def duplicated(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.problems]

    @property
    def unexpected(self) -> list[Outcome]:
        return [
            o
            for o in self.outcomes
            if o.outcome in ("stored", "quarantined") and o.outcome != EXPECTED[o.sent.page.kind]
        ]


def account(sent: list[Sent], snap: Snapshot, held_ids: set[str], archived: set[int]) -> Accounting:
    """Classify every sent page: stored, quarantined, dead-lettered, still held, or lost."""
    letters_by_page: dict[tuple[str, str], list[str]] = defaultdict(list)
    crawl_letters = []
    for letter in snap.letters:
        if letter.get("status") != "pending":
            continue
        where = letter_page(letter.get("task_name", ""), letter.get("args") or [])
        if where is not None:
            letters_by_page[where].append(str(letter["id"]))
        elif str(letter.get("task_name", "")).startswith("nianbao.crawl"):
            crawl_letters.append(letter)
    outcomes = []
    for item in sent:
        key = (item.page.url, item.sha256)
        sources = snap.sources.get(key, [])
        stages = snap.quarantine.get(key, [])
        dead = letters_by_page.get(key, [])
        o = Outcome(item, "lost", {r for r, _ in sources}, len(sources), len(stages), dead)
        if sources:
            o.outcome = "stored"
        elif stages:
            o.outcome = "quarantined"
        elif dead or (item.page.kind == "crawled" and crawl_letters):
            o.outcome = "dead"
        elif set(item.task_ids) & held_ids:
            o.outcome = "held"
        if len(sources) > 1:
            o.problems.append(f"{len(sources)} sources")
        if len(stages) > 1:
            o.problems.append(f"{len(stages)} quarantine entries ({', '.join(stages)})")
        if sources and stages:
            o.problems.append("both stored and quarantined")
        if len(o.report_ids) > 1:
            o.problems.append(f"in {len(o.report_ids)} reports")
        outcomes.append(o)
    # One report per distinct report: all pages of a variant in one report row.
    per_variant: dict[str, set[int]] = defaultdict(set)
    for o in outcomes:
        if o.sent.page.report and o.report_ids:
            per_variant[o.sent.page.report] |= o.report_ids
    duplicate_reports = [
        f"{variant}: reports {sorted(ids)}" for variant, ids in per_variant.items() if len(ids) > 1
    ]
    ours = set().union(*per_variant.values()) if per_variant else set()
    orphan_reports = max(0, snap.reports - len(ours))
    missing = [f"{fp} (version {vid})" for vid, fp, _ in snap.versions if vid not in archived]
    return Accounting(outcomes, duplicate_reports, orphan_reports, missing, crawl_letters, snap)


# ------------------------------------------------------------------------------ evidence


def grep_logs(logs: list[Path], needle: str, limit: int = 12) -> list[str]:
    """Lines of the worker logs that mention ``needle``."""
    found = []
    for log in logs:
        with log.open("r", encoding="utf-8", errors="replace") as f:
            for number, line in enumerate(f, 1):
                if needle in line:
                    found.append(f"{log.name}:{number}: {line.rstrip()[:220]}")
                    if len(found) >= limit:
                        return found
    return found


_RESP_BULK = re.compile(rb"\$(\d+)\r\n")


def _command_at(data: bytes, offset: int) -> str:
    """The RESP command (name and key) of the AOF entry holding ``offset``."""
    start = data.rfind(b"\r\n*", 0, offset)
    start = 0 if start < 0 else start + 2
    parts, pos = [], data.find(b"\r\n", start) + 2
    for _ in range(2):
        match = _RESP_BULK.match(data, pos)
        if not match:
            break
        length = int(match.group(1))
        begin = match.end()
        parts.append(data[begin : begin + length].decode("utf-8", "replace")[:40])
        pos = begin + length + 2
    return " ".join(parts) or "?"


def grep_aof(files: list[Path], needle: str, limit: int = 12) -> list[str]:
    """AOF commands that carry ``needle`` (a task id), in order: where the message went."""
    found = []
    raw = needle.encode()
    for path in files:
        data = path.read_bytes()
        pos = data.find(raw)
        while pos >= 0:
            found.append(f"{path.name}@{pos}: {_command_at(data, pos)}")
            if len(found) >= limit:
                return found
            pos = data.find(raw, pos + len(raw))
    return found


_ID = re.compile(rb'"id": "([0-9a-f-]{36})"')


def child_task_ids(files: list[Path], task_id: str) -> list[str]:
    """Ids of the messages a task sent on (their headers name it as parent), from the AOF."""
    found: list[str] = []
    needle = f'"parent_id": "{task_id}"'.encode()
    for path in files:
        data = path.read_bytes()
        pos = data.find(needle)
        while pos >= 0:
            head = data.rfind(b'"headers": {', max(0, pos - 6000), pos)
            match = _ID.search(data, head if head >= 0 else pos, pos + 3000)
            if match and match.group(1).decode() not in found:
                found.append(match.group(1).decode())
            pos = data.find(needle, pos + 1)
    return found


def held_task_ids(client: Any) -> set[str]:
    """Task ids of messages still in a queue or in the unacked hash."""
    ids: set[str] = set()
    envelopes = list(client.hvals("unacked"))
    for key in client.scan_iter(match="*", count=500):
        name = key.decode(errors="replace")
        if name.split("\x06", 1)[0] in ("crawl", "pages", "store") and client.type(key) == b"list":
            envelopes += client.lrange(key, 0, -1)
    for raw in envelopes:
        try:
            data = json.loads(raw)
            message = data[0] if isinstance(data, list) else data
            ids.add(message["headers"]["id"])
        except (ValueError, KeyError, TypeError, IndexError):
            continue
    return ids


def held_messages(client: Any) -> list[str]:
    """The messages in the unacked hash: task name, id, retries, how long ago delivered."""
    import time as _time

    scores = dict(client.zrange("unacked_index", 0, -1, withscores=True))
    found = []
    for tag, raw in client.hgetall("unacked").items():
        try:
            message = json.loads(raw)[0]
            headers = message["headers"]
            age = _time.time() - scores.get(tag, _time.time())
            found.append(
                f"unacked {headers.get('task')}[{headers.get('id')}]"
                f" retries={headers.get('retries')}"
                f" eta={headers.get('eta')} delivered {age:.0f}s ago"
            )
        except (ValueError, KeyError, TypeError, IndexError):
            found.append(f"unacked {tag!r}: unreadable")
    return found
