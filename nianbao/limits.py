"""Hard bounds on parsing one untrusted page: a forked child with a memory cap and a wall clock.

The pure core bounds what it can see (spans, grid sizes, inflated zip members and PDF streams,
tag complexity), but two things only the operating system can bound:

- **time spent in C code.** The in-process timer (`nianbao.timeouts`) is a signal, and Python
  runs a signal handler only between bytecodes: a C parser (selectolax, lxml, zlib) stuck on one
  call does not see it. A child process can always be killed.
- **memory.** A PDF stream or a font that inflates to gigabytes is allocated inside pdfminer or
  zlib. With ``RLIMIT_AS`` set in the child the allocation fails (MemoryError, which the core
  turns into ``memory_limit``) or the child dies; either way the caller lives on.

So `run_bounded` forks, caps the child's address space at what it inherited plus
`Limits.memory_bytes` (and its CPU time, in case the parent is gone), runs the function there
and sends the result back through a pipe. It is an adapter, not part of the core: the core
knows nothing of processes, and whoever runs untrusted bytes (`nianbao parse`, the pages worker,
`devtools.hostile_corpus`) wraps `nianbao.core.pipeline.analyse` in it. PDF parsing takes tens
of milliseconds to seconds, so the few milliseconds of a fork do not matter.

What can come out, besides the function's return value:

- the PageRejected the function raised, unchanged (its stage, reason and detail);
- ``PageRejected("parse", "parse_timeout")``: the child ran past `Limits.seconds` (plus a short
  grace for the core's own timer to act first) and was killed;
- ``PageRejected("extract", "memory_limit")``: the child ran out of its address space, or was
  killed by SIGKILL it did not get from us (the kernel's OOM killer);
- ``PageRejected("extract", "parser_crashed")``: the child died of another signal (a C
  extension's segfault or abort);
- `ChildFailed`, carrying the traceback: the function raised anything else (a bug, not a page
  problem: callers should let it surface).
"""

from __future__ import annotations

import os
import pickle
import resource
import select
import signal
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from nianbao.core.errors import PageRejected

T = TypeVar("T")

DEFAULT_MEMORY_BYTES = 2_000_000_000  # address space a parse may add; real reports need < 300 MB
_GRACE_SECONDS = 1.0  # the core's own timer (a clean parse_timeout) gets this long to act first
_PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class Limits:
    """How long and how much memory one bounded call may take. 0 disables a bound."""

    seconds: float = 30.0
    memory_bytes: int = DEFAULT_MEMORY_BYTES

    @classmethod
    def from_settings(cls) -> Limits:
        """The time cap of NIANBAO_PARSE_TIMEOUT with the default memory cap."""
        from nianbao.settings import get_settings

        return cls(seconds=get_settings().parse_timeout)


@dataclass(frozen=True)
class Usage:
    """What the child used: wall-clock seconds and peak resident memory in bytes."""

    seconds: float
    peak_rss: int


class ChildFailed(RuntimeError):
    """The bounded function raised something other than PageRejected; `trace` is its traceback."""

    def __init__(self, kind: str, message: str, trace: str) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.trace = trace


def run_bounded(fn: Callable[[], T], limits: Limits) -> T:
    """fn() in a child process under `limits`; see the module docstring for what it raises."""
    value, _ = run_measured(fn, limits)
    return value


def run_measured(fn: Callable[[], T], limits: Limits) -> tuple[T, Usage]:
    """Like `run_bounded`, and also what the child used. Exceptions carry `.usage` too."""
    read_end, write_end = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        _child(fn, limits, write_end)
    os.close(write_end)
    try:
        payload, timed_out = _collect(read_end, pid, limits, started)
    finally:
        os.close(read_end)
    status, rusage = _reap(pid)
    usage = Usage(time.monotonic() - started, rusage.ru_maxrss * 1024)
    error = _outcome_error(payload, status, timed_out, limits)
    if error is not None:
        error.usage = usage  # type: ignore[attr-defined]
        raise error
    return payload[1], usage  # type: ignore[index]


def _child(fn: Callable[[], Any], limits: Limits, write_end: int) -> None:
    """Run fn under the caps and write ("ok", value) / ("rejected", ...) / ("error", ...)."""
    code = 0
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        _cap_child(limits)
        try:
            from nianbao.timeouts import time_limit

            with time_limit(limits.seconds):
                result: tuple[Any, ...] = ("ok", fn())
        except PageRejected as exc:
            result = ("rejected", exc.stage, exc.reason, exc.detail)
        except MemoryError:
            result = ("rejected", "extract", "memory_limit", _memory_detail(limits))
        except BaseException as exc:  # everything else is the caller's bug to see
            result = ("error", type(exc).__name__, str(exc)[:2000], traceback.format_exc())
        try:
            data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            data = pickle.dumps(("rejected", "extract", "memory_limit", _memory_detail(limits)))
        except Exception as exc:  # an unpicklable result is a bug of the caller
            data = pickle.dumps(("error", type(exc).__name__, str(exc), traceback.format_exc()))
        view = memoryview(data)
        while view:
            view = view[os.write(write_end, view) :]
    except BaseException:
        code = 70
    finally:
        os._exit(code)


def _cap_child(limits: Limits) -> None:
    """Address space: what the child inherited plus the allowance; CPU time: a backstop."""
    if limits.memory_bytes > 0:
        cap = _address_space() + limits.memory_bytes
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    if limits.seconds > 0:  # if the parent dies, the child still stops
        cpu = int(limits.seconds + _GRACE_SECONDS) + 2
        _, hard = resource.getrlimit(resource.RLIMIT_CPU)
        if hard == resource.RLIM_INFINITY or cpu < hard:
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, hard))


def _address_space() -> int:
    """The process's current virtual memory size in bytes (Linux /proc; else 0)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[0]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


def _collect(fd: int, pid: int, limits: Limits, started: float) -> tuple[Any, bool]:
    """Read the child's pickled result until EOF or the deadline; (payload or None, timed out)."""
    deadline = None if limits.seconds <= 0 else started + limits.seconds + _GRACE_SECONDS
    chunks: list[bytes] = []
    while True:
        wait = None if deadline is None else deadline - time.monotonic()
        if wait is not None and wait <= 0:
            os.kill(pid, signal.SIGKILL)
            return None, True
        ready, _, _ = select.select([fd], [], [], wait)
        if not ready:
            continue
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    if not chunks:
        return None, False
    try:
        return pickle.loads(b"".join(chunks)), False
    except Exception:  # a child killed mid-write leaves half a pickle
        return None, False


def _reap(pid: int) -> tuple[int, resource.struct_rusage]:
    """Wait for the child (killing it if it lingers after its result) and its resource usage."""
    for _ in range(200):
        done, status, rusage = os.wait4(pid, os.WNOHANG)
        if done:
            return status, rusage
        time.sleep(0.005)
    os.kill(pid, signal.SIGKILL)
    _, status, rusage = os.wait4(pid, 0)
    return status, rusage


def _outcome_error(
    payload: Any, status: int, timed_out: bool, limits: Limits
) -> BaseException | None:
    """The exception the caller gets for this outcome, or None when the child returned a value."""
    if timed_out:
        return PageRejected(
            "parse",
            "parse_timeout",
            f"parsing took longer than {limits.seconds:g}s and was stopped (hard limit)",
        )
    if payload is not None:
        kind = payload[0]
        if kind == "ok":
            return None
        if kind == "rejected":
            return PageRejected(*payload[1:])
        return ChildFailed(*payload[1:])
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig == signal.SIGKILL:
            return PageRejected("extract", "memory_limit", _memory_detail(limits) + " (killed)")
        if sig == signal.SIGXCPU:
            return PageRejected(
                "parse", "parse_timeout", f"parsing used more than {limits.seconds:g}s of CPU"
            )
        return PageRejected(
            "extract",
            "parser_crashed",
            f"the parser process died of signal {signal.Signals(sig).name}",
        )
    return PageRejected(
        "extract",
        "parser_crashed",
        f"the parser process exited with {os.waitstatus_to_exitcode(status)}",
    )


def _memory_detail(limits: Limits) -> str:
    return f"parsing needed more than {limits.memory_bytes / 1e6:.0f} MB of memory"
