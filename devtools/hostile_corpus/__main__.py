"""The command line: `python -m devtools.hostile_corpus generate|run|check DIR`."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from devtools import hostile_corpus

from .check import Result, run
from .generate import generate
from .report import accounting


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m devtools.hostile_corpus", description=hostile_corpus.__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for command in ("generate", "run", "check"):
        sub = commands.add_parser(command)
        sub.add_argument("directory", type=Path)
        if command != "run":
            sub.add_argument("--ci", action="store_true", help="leave out the big inputs")
        if command != "generate":
            sub.add_argument("--seconds", type=float, default=60.0, help="time bound per input")
            sub.add_argument("--memory-mb", type=int, default=2000, help="memory bound per input")
            sub.add_argument("--verbose", action="store_true", help="one line per input")
    args = parser.parse_args(argv)
    if args.command in ("generate", "check"):
        start = time.monotonic()
        items = generate(args.directory, args.ci)
        print(f"generated {len(items)} inputs in {time.monotonic() - start:.1f} s", file=sys.stderr)
        if args.command == "generate":
            return 0

    def show(result: Result) -> None:
        if args.verbose:
            print(
                f"{result.seconds:7.2f}s {result.peak_rss / 1e6:6.0f}MB {result.outcome:<9} "
                f"{result.reason or '':<22} {result.name}",
                file=sys.stderr,
                flush=True,
            )

    start = time.monotonic()
    results = run(args.directory, args.seconds, args.memory_mb * 1_000_000, show)
    print(accounting(results))
    print(f"total                  {time.monotonic() - start:.1f} s")
    return 1 if any(result.failed for result in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
