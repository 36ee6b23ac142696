"""The `nianbao` command's Typer apps, one per command group; commands register on them."""

from __future__ import annotations

from typing import Annotated

import typer

from nianbao.terminal import Debug

app = typer.Typer(
    help="Collect government information-disclosure annual reports (政府信息公开工作年度报告).",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
reports_app = typer.Typer(
    help="Stored reports: list them, or show one.", invoke_without_command=True
)
dlq_app = typer.Typer(
    help="Dead letters: tasks that failed after all retries.", no_args_is_help=True
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(reports_app, name="reports")
app.add_typer(dlq_app, name="dlq")
app.add_typer(db_app, name="db")


@app.callback()
def options(
    debug: Annotated[
        bool,
        typer.Option(
            "--debug",
            envvar="NIANBAO_DEBUG",
            help="Show the full traceback of an error (default: one line per problem).",
        ),
    ] = False,
) -> None:
    """Options every command takes."""
    Debug.flag = debug
