"""`nianbao changes`: the change feed as JSON lines, from a cursor, optionally followed."""

from __future__ import annotations

import json
import os
import sys
import time
from typing import TYPE_CHECKING, Annotated

import typer

from nianbao.cli.apps import app
from nianbao.terminal import err, fail

if TYPE_CHECKING:
    from nianbao.storage.repository import Repository

_PAGE = 1000  # events per read (the repository's cap)
_POLL_SECONDS = 1.0  # --follow: the wait after a read that found the feed's end


@app.command()
def changes(
    after: Annotated[
        int, typer.Option(help="Print the events after this cursor (0: from the start).")
    ] = 0,
    follow: Annotated[
        bool, typer.Option("--follow", help="Keep printing new events (every second); Ctrl-C ends.")
    ] = False,
    limit: Annotated[
        int | None, typer.Option(help="Stop after this many events (default: no limit).")
    ] = None,
) -> None:
    """Print stored events (report created, version added, …) as JSON lines, oldest first.

    Keep the last line's cursor and pass it as --after: every later event, exactly once.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from nianbao import runtime

    if after < 0:
        raise fail(f"--after must be a cursor (0 or more), not {after}", "start with --after 0")
    if limit is not None and limit < 1:
        raise fail(f"--limit must be at least 1, not {limit}", "leave it out for no limit")
    try:
        _print_feed(runtime.repository(), after, follow, limit)
    except KeyboardInterrupt:
        return
    except BrokenPipeError:  # the reader went away (| head): a normal end
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except SQLAlchemyError as exc:
        first = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise fail(f"cannot read the change feed: {first}", "is the database reachable?") from None


def _print_feed(repo: Repository, after: int, follow: bool, limit: int | None) -> None:
    """Print events after the cursor until the feed's end (or forever when following)."""
    from sqlalchemy.exc import OperationalError

    cursor, left, warned = after, limit, False
    while left is None or left > 0:
        try:
            events = repo.changes(after=cursor, limit=min(_PAGE, left or _PAGE))
        except OperationalError:
            if not follow:
                raise
            if not warned:  # a follower outlives a database restart
                err.print("[yellow]database unreachable; still trying[/]")
            warned = True
            time.sleep(_POLL_SECONDS)
            continue
        warned = False
        for event in events:
            sys.stdout.write(json.dumps(event.to_json(), ensure_ascii=False) + "\n")
        sys.stdout.flush()
        if events:
            cursor = events[-1].cursor
            left = None if left is None else left - len(events)
        if len(events) < _PAGE and (left is None or left > 0):
            if not follow:
                return
            time.sleep(_POLL_SECONDS)
