"""What every `nianbao` command prints with: stdout for data, stderr for progress and errors."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

console = Console()
err = Console(stderr=True)


def progress(transient: bool = False) -> Progress:
    """The progress bar every long command shows (on stderr, so stdout stays data)."""
    return Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=transient,
    )


def fail(message: str, hint: str) -> typer.Exit:
    """Print an error that says what to do, and exit 1."""
    err.print(f"[bold red]error:[/] {message}\n[dim]→ {hint}[/]")
    return typer.Exit(1)
