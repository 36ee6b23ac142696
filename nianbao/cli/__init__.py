"""The `nianbao` command: run the pipeline, operate workers, read what is stored.

One module per command group (pipeline, records, feed, operations, crawl, tooling); each
registers its commands on the Typer apps in `apps`.
"""

from __future__ import annotations

from nianbao.cli import crawl, feed, operations, pipeline, records, tooling
from nianbao.cli.apps import app
from nianbao.cli.pipeline import parse_file, parse_outcome

__all__ = ["app", "crawl", "main", "operations", "parse_file", "parse_outcome", "pipeline"]
__all__ += ["feed", "records", "tooling"]


def main() -> None:
    """Console-script entry point."""
    app()
