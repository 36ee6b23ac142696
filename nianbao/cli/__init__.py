"""The `nianbao` command: run the pipeline, operate workers, read what is stored.

One module per command group (pipeline, records, feed, operations, crawl, tooling); each
registers its commands on the Typer apps in `apps`. `main` turns an error no command handled
into one line per problem (`errors.explain`); `--debug` or NIANBAO_DEBUG=1 adds the traceback.
"""

from __future__ import annotations

import os
import sys
import traceback

from nianbao.cli import crawl, feed, operations, pipeline, records, review, tooling
from nianbao.cli.apps import app
from nianbao.cli.pipeline import parse_file, parse_outcome

__all__ = ["app", "crawl", "main", "operations", "parse_file", "parse_outcome", "pipeline"]
__all__ += ["feed", "records", "report", "review", "tooling"]


def report(exc: BaseException) -> int:
    """Print an error no command handled, one line per problem (and the traceback on --debug)."""
    from nianbao import redact
    from nianbao.cli.errors import explain
    from nianbao.terminal import Debug, problem

    if Debug.on():  # the traceback masked too: drivers may quote what they were given
        sys.stderr.write(redact.text("".join(traceback.format_exception(exc))))
    for found in explain(exc):
        problem(found.message, found.hint)
    return 1


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except BrokenPipeError:  # the reader went away (`| head`): a normal end, said nothing
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except Exception as exc:  # every failure becomes one line per problem
        raise SystemExit(report(exc)) from None
