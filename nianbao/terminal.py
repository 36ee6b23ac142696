"""What every `nianbao` command prints with: stdout for data, stderr for progress and errors."""

from __future__ import annotations

import os

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

console = Console()
err = Console(stderr=True)


class _Progress(Progress):
    """A progress bar that vanishes when its block fails, leaving the error line alone."""

    def __exit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
        """Stop; if the block raised, without the bar's last frame (nor rich's blank line)."""
        if exc_type is None:
            super().__exit__(exc_type, *rest)  # type: ignore[arg-type]
            return
        self.live.transient = True
        self.live.stop()


def progress(transient: bool = False) -> Progress:
    """The progress bar every long command shows (on stderr, so stdout stays data)."""
    return _Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=transient,
    )


def problem(message: str, hint: str) -> None:
    """Print one error line: what is wrong → what to do (escaped, secrets masked, unwrapped)."""
    from nianbao import redact

    known = redact.secrets()
    message, hint = escape(redact.text(message, known)), escape(hint)
    lines = message.splitlines() or [""]
    for line in lines[:-1]:  # a multi-problem message (a sites file): one line each
        err.print(f"[bold red]error:[/] {line}", soft_wrap=True, highlight=False)
    err.print(f"[bold red]error:[/] {lines[-1]} [dim]→ {hint}[/]", soft_wrap=True, highlight=False)


def fail(message: str, hint: str) -> typer.Exit:
    """Print an error that says what to do; the caller raises the returned Exit(1)."""
    problem(message, hint)
    return typer.Exit(1)


class Debug:
    """Whether errors show their traceback: `nianbao --debug …` or NIANBAO_DEBUG=1."""

    flag = False

    @classmethod
    def on(cls) -> bool:
        """True when the user asked for tracebacks."""
        return cls.flag or os.environ.get("NIANBAO_DEBUG", "").lower() in {"1", "true", "yes", "on"}
