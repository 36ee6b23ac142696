"""Orchestration of one soak: start the stack, send traffic under faults, drain, account."""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from devtools.soak import accounting
from devtools.soak.faults import KILLS, Fault, Injector, schedule
from devtools.soak.stack import BUCKET, Stack
from devtools.soak.traffic import Page, make_pages

console = Console(highlight=False, width=None if sys.stdout.isatty() else 130)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m devtools.soak", description=__doc__)
    parser.add_argument("--pages", type=int, default=300, help="pages to publish (ingest path)")
    parser.add_argument("--crawl-pages", type=int, default=None, help="reports on the site")
    parser.add_argument("--faults", type=int, default=12, help="faults to inject")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (parents)")
    parser.add_argument("--concurrency", type=int, default=2, help="pool size of each worker")
    parser.add_argument("--quick", action="store_true", help="short faults (CI)")
    parser.add_argument("--seed", type=int, default=1, help="seed of pages and fault schedule")
    parser.add_argument("--run-dir", type=Path, default=None, help="logs, AOF, report")
    parser.add_argument("--max-retries", type=int, default=None, help="NIANBAO_MAX_RETRIES")
    parser.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE",
        help="another NIANBAO_ setting for the workers, e.g. --set VISIBILITY_TIMEOUT=60",
    )  # fmt: skip
    parser.add_argument("--object-store", choices=("s3", "local"), default="s3")
    parser.add_argument(
        "--appendfsync", choices=("always", "everysec", "no"), default="everysec",
        help="Redis AOF fsync policy (default everysec: Redis's default and the usual choice)",
    )  # fmt: skip
    parser.add_argument("--span", type=float, default=None, help="seconds to spread sending over")
    parser.add_argument("--deadline", type=float, default=None, help="max seconds to drain")
    return parser.parse_args(argv)


class Publisher:
    """Sends pages through producers.publish, retrying while the broker or store is down."""

    def __init__(self) -> None:
        from celery.signals import after_task_publish

        self.task_ids: dict[tuple[str, str], list[str]] = {}
        self.crawl_ids: list[str] = []
        self.failures = 0
        self._lock = threading.Lock()
        after_task_publish.connect(self._published, weak=False)

    def _published(self, sender: Any = None, headers: Any = None, body: Any = None, **_: Any):
        task_id = (headers or {}).get("id")
        args = body[0] if isinstance(body, (list, tuple)) and body else []
        where = accounting.letter_page(str(sender), list(args))
        with self._lock:
            if where is not None:
                self.task_ids.setdefault(where, []).append(task_id)
            elif str(sender).startswith("nianbao.crawl"):
                self.crawl_ids.append(task_id)

    def send(self, page: Page, give_up: float) -> bool:
        import workers.publishing  # noqa: F401  (wires publishing to the worker system)
        from producers.publish import publish

        deadline = time.monotonic() + give_up
        while True:
            try:
                publish(page.body, url=page.url, site_id="soak", content_type=page.content_type)
                return True
            except Exception:
                self.failures += 1
                if time.monotonic() > deadline:
                    return False
                time.sleep(0.5)

    def crawl(self, stack: Stack, give_up: float = 120) -> bool:
        from producers.sites import Site
        from workers.crawl import crawl_request, crawl_site

        site = Site(
            id="soak-site",
            start_urls=[stack.site.listing_url],
            allowed_domains=["127.0.0.1"],
            allow_addresses=["127.0.0.0/8"],
            politeness={"delay": 0, "concurrency": 2, "timeout": 5, "max_retries": 2},
            pagination={"style": "none"},
        )
        deadline = time.monotonic() + give_up
        while True:
            try:
                crawl_site.apply_async(args=[crawl_request(site)])
                return True
            except Exception:
                self.failures += 1
                if time.monotonic() > deadline:
                    return False
                time.sleep(0.5)


def queue_state(stack: Stack) -> dict[str, int] | None:
    """Depth of each queue, the unacked hash and its index; None while Redis is down."""
    try:
        client = stack.redis_client()
        try:
            state = {}
            for name in ("crawl", "pages", "store"):
                total = 0
                for key in client.scan_iter(match=f"{name}*", count=500):
                    if key.decode().split("\x06", 1)[0] == name and client.type(key) == b"list":
                        total += client.llen(key)
                state[name] = total
            state["unacked"] = client.hlen("unacked")
            state["unacked_index"] = client.zcard("unacked_index")
            state["ledger"] = client.hlen("nianbao:ledger")  # pages without an outcome yet
            return state
        finally:
            client.close()
    except Exception:
        return None


def db_counts(stack: Stack) -> dict[str, int] | None:
    try:
        return accounting.snapshot(stack.settings()["NIANBAO_DATABASE_URL"], []).counts
    except Exception:
        return None


def drain(stack: Stack, deadline: float, quiet: float, progress: Progress, task: Any) -> bool:
    """Wait until queues and unacked are empty and nothing changed for ``quiet`` s."""
    end = time.monotonic() + deadline
    last: Any = None
    since = time.monotonic()
    while time.monotonic() < end:
        state, counts = queue_state(stack), db_counts(stack)
        now = (state, counts)
        if now != last:
            last, since = now, time.monotonic()
        idle = state is not None and not any(state.values())
        waiting = "-" if state is None else " ".join(f"{k}={v}" for k, v in state.items())
        progress.update(task, description=f"draining: {waiting}")
        owed = counts.get("archives_owed", 0) if counts else 0
        if idle and counts is not None and not owed and time.monotonic() - since >= quiet:
            return True
        time.sleep(1.0)
    return False


def orphans(stack: Stack) -> list[dict[str, Any]]:
    """Dead letters the object store holds (the database was down when they were written)."""
    found = []
    if stack.object_store == "s3":
        client = stack.s3.client()
        listing = client.list_objects_v2(Bucket=BUCKET, Prefix="dead-letters/")
        for item in listing.get("Contents", []):
            body = client.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()
            found.append(json.loads(body) | {"key": item["Key"]})
    else:
        folder = stack.objects_dir / "dead-letters"
        for path in sorted(folder.glob("*.json")) if folder.exists() else []:
            found.append(json.loads(path.read_bytes()) | {"key": path.name})
    return found


def archived(stack: Stack, versions: list[tuple[int, str, str]]) -> set[int]:
    """Versions whose record is in the object store.

    The key is records/<fp[:2]>/<fp>.json, or <fp>.<figures>.json for a later version that
    shares its exact key with an earlier one (same text, other figures).
    """
    if stack.object_store == "s3":
        client = stack.s3.client()
        paginator = client.get_paginator("list_objects_v2")
        keys = {
            item["Key"]
            for page in paginator.paginate(Bucket=BUCKET, Prefix="records/")
            for item in page.get("Contents", [])
        }
    else:
        keys = {
            p.relative_to(stack.objects_dir).as_posix()
            for p in (stack.objects_dir / "records").rglob("*.json")
        }
    return {
        vid
        for vid, fp, figures in versions
        if f"records/{fp[:2]}/{fp}.json" in keys or f"records/{fp[:2]}/{fp}.{figures}.json" in keys
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    rng = random.Random(args.seed)
    run_dir = args.run_dir or Path(tempfile.mkdtemp(prefix="nianbao-soak-"))
    run_dir = run_dir.resolve()
    run_dir.mkdir(parents=True, exist_ok=True)
    overrides = dict(item.split("=", 1) for item in args.set)
    if args.max_retries is not None:
        overrides["MAX_RETRIES"] = str(args.max_retries)
    crawl_pages = args.crawl_pages if args.crawl_pages is not None else max(5, args.pages // 10)
    span = args.span or (25.0 if args.quick else 90.0)
    deadline = args.deadline or (400.0 if args.quick else 1800.0)
    quiet = 5.0 if args.quick else 15.0

    console.print(f"[bold]soak[/] run dir {run_dir}  seed {args.seed}")
    stack = Stack(
        run_dir,
        workers=args.workers,
        concurrency=args.concurrency,
        object_store=args.object_store,
        appendfsync=args.appendfsync,
        overrides=overrides,
    )
    try:
        stack.start(say=lambda line: console.print(f"  {line}"))
        shown = {k: v for k, v in stack.settings().items()}
        console.print("  settings " + " ".join(f"{k}={v}" for k, v in sorted(shown.items())))
        console.print(
            f"  appendfsync {stack.redis.appendfsync}: a kill -9 of redis-server loses nothing "
            "written to the AOF (the kernel has it); fsync only matters for an OS crash"
        )
        return _soak(args, stack, rng, run_dir, crawl_pages, span, deadline, quiet)
    finally:
        stack.close()


def _soak(
    args: argparse.Namespace,
    stack: Stack,
    rng: random.Random,
    run_dir: Path,
    crawl_pages: int,
    span: float,
    deadline: float,
    quiet: float,
) -> int:
    reports = max(1, round(args.pages / 1.25))
    pages, site_pages = make_pages(
        reports + 5, args.seed, site_reports=crawl_pages, site_url=stack.site.base_url
    )
    pages = pages[: args.pages]
    stack.site.add(site_pages)
    faults = schedule(args.faults, rng, object_store=args.object_store, quick=args.quick, span=span)
    injector = Injector(stack, faults, rng)
    publisher = Publisher()
    sent: list[accounting.Sent] = []
    unsent: list[Page] = []
    crawls = 0

    progress = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=False,
    )  # fmt: skip
    with progress:
        sending = progress.add_task("sending", total=len(pages))
        injecting = progress.add_task("faults", total=len(faults))
        injector.start()
        t_end = max(span, max((f.at + f.duration for f in faults), default=0.0))
        release_at = [0.0, t_end / 3, 2 * t_end / 3]
        per_release = -(-len(site_pages) // len(release_at)) if site_pages else 0
        for i, page in enumerate(pages):
            target = t_end * i / max(1, len(pages))
            while injector.now() < target:
                time.sleep(0.05)
                progress.update(injecting, completed=sum(f.ended is not None for f in faults))
            while release_at and injector.now() >= release_at[0]:
                release_at.pop(0)
                if stack.site.release(per_release):
                    crawls += publisher.crawl(stack)
            t = injector.now()
            if publisher.send(page, give_up=120):
                sent.append(accounting.Sent(page, hashlib.sha256(page.body).hexdigest(), sent_at=t))
            else:
                unsent.append(page)
            progress.update(sending, advance=1)
            progress.update(injecting, completed=sum(f.ended is not None for f in faults))
        while not injector.done:
            time.sleep(0.2)
            progress.update(injecting, completed=sum(f.ended is not None for f in faults))
        progress.update(injecting, completed=len(faults))
        stack.site.release(len(site_pages))
        crawls += publisher.crawl(stack)
        draining = progress.add_task("draining", total=None)
        drained = drain(stack, deadline, quiet, progress, draining)
        # A monitor sends the site again on its schedule: a pass that found the site busy or
        # died is followed by another one, until the column is complete (at most twice more).
        for _ in range(2):
            if not drained:
                break
            seen = accounting.snapshot(stack.settings()["NIANBAO_DATABASE_URL"], [])
            if all((p.url, hashlib.sha256(p.body).hexdigest()) in seen.sources
                   for p in stack.site.released):  # fmt: skip
                break
            crawls += publisher.crawl(stack)
            drained = drain(stack, deadline, quiet, progress, draining)
        progress.update(draining, description="drained" if drained else "deadline passed")

    for page in stack.site.released:
        sha = hashlib.sha256(page.body).hexdigest()
        sent.append(accounting.Sent(page, sha))
    for item in sent:
        item.task_ids = publisher.task_ids.get((item.page.url, item.sha256), [])

    client = stack.redis_client()
    held = accounting.held_task_ids(client) if not drained else set()
    held_messages = accounting.held_messages(client) if not drained else []
    client.close()
    final_state = queue_state(stack)
    database_url = stack.settings()["NIANBAO_DATABASE_URL"]
    snap = accounting.snapshot(database_url, orphans(stack))
    result = accounting.account(sent, snap, held, archived(stack, snap.versions))
    replay = _replay(stack, result, deadline, quiet) if drained else None

    _report(args, stack, faults, result, replay, drained, unsent, publisher, crawls, run_dir)
    if not drained:
        console.print(f"[red]not drained at the deadline:[/] {final_state}")
        for line in held_messages[:30]:
            console.print(f"  still in Redis: {line}", markup=False)
    dead = sum(1 for o in result.outcomes if o.outcome == "dead")
    stored = sum(1 for o in result.outcomes if o.outcome == "stored")
    quarantined = sum(1 for o in result.outcomes if o.outcome == "quarantined")
    problems = (
        len(result.lost) + len(result.duplicated) + len(result.duplicate_reports)
        + result.orphan_reports + len(result.missing_archives) + len(result.held)
        + (len(replay["failed"]) if replay else 0) + (0 if drained else 1)
    )  # fmt: skip
    duplicated = len(result.duplicated) + len(result.duplicate_reports) + result.orphan_reports
    console.print(
        f"soak: sent={len(sent)} stored={stored} quarantined={quarantined} dead={dead} "
        f"held={len(result.held)} lost={len(result.lost)} "
        f"duplicated={duplicated} "
        f"unarchived={len(result.missing_archives)} "
        f"replay_failed={len(replay['failed']) if replay else 'n/a'} faults={len(faults)}"
    )
    return 1 if problems else 0


def _replay(
    stack: Stack, result: accounting.Accounting, deadline: float, quiet: float
) -> dict[str, Any]:
    """`nianbao dlq replay --all`, drain, then every dead page must be stored or quarantined."""
    dead = [o for o in result.outcomes if o.outcome == "dead"]
    letters = [x for x in result.snapshot.letters if x.get("status") == "pending"]
    if not letters:
        return {"letters": 0, "output": "", "failed": [], "recovered": 0}
    nianbao = Path(sys.executable).parent / "nianbao"
    argv = [str(nianbao)] if nianbao.exists() else [sys.executable, "-m", "nianbao.cli"]
    done = subprocess.run(
        [*argv, "dlq", "replay", "--all"], env=stack.env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    with Progress(TextColumn("{task.description}"), console=console, transient=True) as progress:
        drain(stack, deadline, quiet, progress, progress.add_task("replay: draining"))
    snap = accounting.snapshot(stack.settings()["NIANBAO_DATABASE_URL"], orphans(stack))
    failed = []
    for o in dead:
        key = (o.sent.page.url, o.sent.sha256)
        if key not in snap.sources and key not in snap.quarantine:
            failed.append(o)
    return {
        "letters": len(letters),
        "output": (done.stdout + done.stderr).strip().splitlines()[-1:],
        "failed": failed,
        "recovered": len(dead) - len(failed),
    }


def _report(
    args: argparse.Namespace,
    stack: Stack,
    faults: list[Fault],
    result: accounting.Accounting,
    replay: dict[str, Any] | None,
    drained: bool,
    unsent: list[Page],
    publisher: Publisher,
    crawls: int,
    run_dir: Path,
) -> None:
    table = Table(title="faults injected", title_justify="left")
    for column in ("t (s)", "kind", "for (s)", "what happened"):
        table.add_column(column)
    for f in faults:
        took = (
            ""
            if f.kind in KILLS or f.ended is None or f.started is None
            else f"{f.ended - f.started:.1f}"
        )
        table.add_row(
            f"{f.started:.1f}" if f.started is not None else "-", f.kind, took,
            "; ".join([f.detail, *f.notes]).strip("; "),
        )  # fmt: skip
    console.print(table)
    console.print(
        f"worker restarts by the supervisor: {stack.restarts}; publish attempts that failed "
        f"and were retried: {publisher.failures}; crawl passes sent: {crawls}; "
        f"pages never sent (gave up): {len(unsent)}"
    )

    table = Table(title="accounting (every page sent)", title_justify="left")
    for column in ("kind", "sent", *accounting.OUTCOMES, "expected"):
        table.add_column(column, justify="right")
    kinds = result.by_kind()
    totals: dict[str, int] = {}
    for kind in ("report", "republished", "junk", "crawled"):
        row = kinds.get(kind)
        if not row:
            continue
        for k, v in row.items():
            totals[k] = totals.get(k, 0) + v
        table.add_row(
            kind, str(sum(row.values())), *(str(row.get(o, 0)) for o in accounting.OUTCOMES),
            accounting.EXPECTED[kind],
        )  # fmt: skip
    table.add_row(
        "[bold]all", str(sum(totals.values())),
        *(str(totals.get(o, 0)) for o in accounting.OUTCOMES), "", end_section=True,
    )  # fmt: skip
    console.print(table)
    snap = result.snapshot
    console.print(
        f"database: {snap.counts['reports']} reports, {snap.counts['versions']} versions, "
        f"{snap.counts['sources']} sources, {snap.counts['quarantine']} quarantined, "
        f"{snap.counts['dead_letters']} dead letters; archived records missing: "
        f"{len(result.missing_archives)}; reports of no sent page: {result.orphan_reports}"
    )
    if not drained:
        console.print("[red]the queues did not drain before the deadline[/]")
    if result.unexpected:
        console.print(f"[yellow]{len(result.unexpected)} page(s) not as expected[/] (not a loss):")
        for o in result.unexpected[:10]:
            console.print(f"  {o.sent.page.key} {o.sent.page.kind} → {o.outcome}")
    for o in result.duplicated:
        console.print(f"[red]duplicate[/] {o.sent.page.key} {o.sent.page.url}: {o.problems}")
    for line in result.duplicate_reports:
        console.print(f"[red]duplicate report[/] {line}")
    for missing in result.missing_archives[:20]:
        console.print(f"[red]not archived[/] {missing}")
    if result.crawl_letters:
        console.print(f"dead-lettered crawl passes: {len(result.crawl_letters)}")
    if replay:
        console.print(
            f"dlq replay: {replay['letters']} letter(s) replayed ({' '.join(replay['output'])}); "
            f"{replay['recovered']} dead page(s) now stored or quarantined, "
            f"{len(replay['failed'])} not"
        )
        for o in replay["failed"]:
            console.print(f"[red]replay did not recover[/] {o.sent.page.key} {o.sent.page.url}")
    for o in result.held:
        console.print(f"[yellow]held[/] {o.sent.page.key} task {o.sent.task_ids}: still in Redis")
    logs = sorted((run_dir / "workers").glob("*.log"))
    for o in result.lost:
        console.print(
            f"[red bold]LOST[/] {o.sent.page.key} ({o.sent.page.kind}) {o.sent.page.url} "
            f"sha256 {o.sent.sha256[:12]} sent at t={o.sent.sent_at:.1f}s "
            f"task id(s) {o.sent.task_ids or ['(published by a crawl task)']}"
        )
        needles = list(o.sent.task_ids or [o.sent.page.url])
        for task_id in o.sent.task_ids:
            for child in accounting.child_task_ids(stack.aof_files(), task_id):
                needles.append(child)
                console.print(f"  task {task_id} sent on task {child}")
        for needle in needles:
            lines = accounting.grep_logs(logs, needle)
            console.print(f"  worker logs ({len(lines)} line(s) with {needle}):")
            for line in lines:
                console.print(f"    {line}", markup=False)
            found = accounting.grep_aof(stack.aof_files(), needle)
            console.print(f"  AOF ({len(found)} command(s) carrying it):")
            for line in found:
                console.print(f"    {line}", markup=False)
    console.print(f"kept: {run_dir}/workers/*.log, {stack.redis.directory} (AOF), postgres.log")
