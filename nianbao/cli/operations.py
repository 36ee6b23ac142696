"""Commands for operators: status, the page ledger, dead letters, the database, dedup upkeep."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from nianbao import redact
from nianbao.cli.apps import app, db_app, dlq_app
from nianbao.cli.crawl import crawl_status_table
from nianbao.terminal import console, fail, progress

if TYPE_CHECKING:
    pass

dedup_app = typer.Typer(help="Upkeep of the near-duplicate index.", no_args_is_help=True)
app.add_typer(dedup_app, name="dedup")


@app.command()
def status() -> None:
    """Queue depths and what is stored, quarantined and dead-lettered."""
    from nianbao import runtime
    from nianbao.settings import get_settings
    from workers.app import in_flight, queue_depths

    settings = get_settings()
    broker = redact.url(settings.broker_url)
    mode = "embedded (in-process)" if settings.embedded else f"distributed ({broker})"
    console.print(f"mode: {mode}", highlight=False, markup=False)
    depths = queue_depths()  # an unreachable broker: one line from the entry point
    table = Table("queue", "waiting")
    if depths is None:
        table.add_row("crawl / pages / store", "— (tasks run in-process)")
    else:
        for name, depth in depths.items():
            table.add_row(name, str(depth))
        held = in_flight()
        if held is not None:
            table.add_row("held by workers (unacked)", str(held["unacked"]))
            table.add_row("pages without an outcome (ledger)", str(held["ledger"]))
    console.print(table)
    repo = runtime.repository()
    counts = repo.counts()
    stored = Table("reports", "sources", "quarantined", "dead letters", "archives owed")
    stored.add_row(
        *(str(counts[k]) for k in ("reports", "sources", "quarantined", "dead_letters")),
        str(repo.pending_archive_count()),
    )
    console.print(stored)
    crawling = crawl_status_table()
    if crawling is not None:
        console.print(crawling)


@app.command()
def reconcile(
    grace: Annotated[
        float | None,
        typer.Option(
            help="Seconds without an outcome before a page is looked for "
            "(default: NIANBAO_RECONCILE_GRACE)."
        ),
    ] = None,
) -> None:
    """Look for pages lost between the broker and a worker, and send them again.

    Workers do this on their own every NIANBAO_RECONCILE_INTERVAL seconds; a page is sent again
    only when two looks in a row find no message for it anywhere.
    """
    from nianbao.settings import get_settings
    from workers.app import QUEUES
    from workers.app import app as celery_app
    from workers.ledger import reconcile as look
    from workers.reliability import redis_client

    client = redis_client()
    if client is None:
        raise fail("the page ledger lives in the Redis broker", "set NIANBAO_BROKER_URL")
    found = look(
        client, celery_app, QUEUES, get_settings().reconcile_grace if grace is None else grace
    )
    table = Table("open", "overdue", "still in the broker", "missing once", "sent again")
    table.add_row(
        *(str(v) for v in (found.open, found.overdue, found.in_broker, found.suspect, found.resent))
    )
    console.print(table)


@dlq_app.command("list")
def dlq_list() -> None:
    """Dead letters waiting for a replay."""
    from workers.dlq import pending

    letters = pending()
    table = Table("id", "task", "attempts", "failed at", "error")
    for letter in letters:
        table.add_row(
            str(letter.id),
            letter.task_name,
            str(letter.attempts),
            letter.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            letter.error[:100],
        )
    console.print(table)
    if letters:
        console.print("[dim]send again: nianbao dlq replay ID... (or --all)[/]")


@dlq_app.command("replay")
def dlq_replay(
    ids: Annotated[list[int] | None, typer.Argument(help="Dead-letter ids.")] = None,
    replay_all: Annotated[bool, typer.Option("--all", help="Replay every pending one.")] = False,
) -> None:
    """Send dead-lettered messages to their tasks again."""
    from workers.dlq import pending, replay

    letters = pending()
    if not replay_all:
        if not ids:
            raise fail("name the dead letters to replay", "nianbao dlq replay ID... or --all")
        missing = set(ids) - {letter.id for letter in letters}
        if missing:
            raise fail(f"not pending: {sorted(missing)}", "see: nianbao dlq list")
        letters = [letter for letter in letters if letter.id in set(ids)]
    with progress() as bar:
        task = bar.add_task("replaying", total=len(letters))
        done = []
        for letter in letters:
            done += replay([letter])
            bar.advance(task)
    console.print(f"replayed {len(done)} message(s)")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the configured database to the newest schema."""
    from nianbao import runtime
    from nianbao.settings import get_settings

    runtime.repository()  # migrates on first use
    where = redact.url(get_settings().effective_database_url)
    console.print(f"database at head: {where}", highlight=False, markup=False, soft_wrap=True)


def _page_signature(body: bytes, url: str) -> list[int]:
    """The current scheme's signature of a stored raw page, typed as `nianbao ingest` types it."""
    from urllib.parse import urlsplit

    from nianbao.core.pipeline import analyse
    from producers.sniff import sniff

    content_type = sniff(body, name=urlsplit(url).path)
    if content_type == "application/octet-stream":  # no magic, no markup, no suffix: text
        content_type = "text/plain"
    return analyse(body, content_type=content_type).signature


@dedup_app.command("resign")
def dedup_resign() -> None:
    """Sign stored versions of an older MinHash scheme again, from their raw pages.

    Until then such a version matches new pages by its exact key only. Safe to run again, and
    while workers are storing: it touches only versions of an older scheme.
    """
    from nianbao import runtime
    from nianbao.core.similarity import SIGNATURE_VERSION

    repo, store = runtime.repository(), runtime.object_store()
    with progress() as bar:
        task = bar.add_task("re-signing", total=repo.stale_signatures())
        done = repo.resign(store.get, _page_signature, lambda: bar.advance(task))
    console.print(
        f"re-signed {done.resigned} version(s) with signature scheme {SIGNATURE_VERSION}; "
        f"left {done.left} ({done.no_page} without a raw page, {done.unreadable} unreadable)"
    )
    if done.left:
        console.print("[dim]those match new pages by their exact key only[/]")
