"""Running one converter binary on untrusted bytes: a child process under hard bounds.

Each call gets a fresh temporary directory (removed afterwards, whatever happens), a minimal
environment, a wall clock (the whole process group is killed when it runs out), an address-space
and CPU-time cap and a cap on the size of the files it writes (util-linux's ``prlimit`` before
``exec``), and no network where the kernel lets an unprivileged user namespace be
made (``unshare -rn``; elsewhere the converters are run without any network-using option).
Failures are rejections with stable reasons: ``converter_missing`` (naming the Debian package),
``convert_timeout``, ``convert_failed``.
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from nianbao.core.errors import PageRejected
from nianbao.settings import Settings, get_settings

# Debian package of each binary, for the converter_missing message.
PACKAGES = {
    "soffice": "libreoffice-writer-nogui",
    "antiword": "antiword",
    "tesseract": "tesseract-ocr tesseract-ocr-chi-sim",
    "pdftoppm": "poppler-utils",
    "pdfinfo": "poppler-utils",
    "pdfimages": "poppler-utils",
    "prlimit": "util-linux",
}
_STDERR_TAIL = 400
_MAX_WRITTEN = 512 << 20  # no converter output of a report comes near this


ConvertSettings = Settings  # the converters' bounds are NIANBAO_CONVERT_* and NIANBAO_OCR_*


def convert_settings() -> Settings:
    """The settings the converters read (nianbao.settings, the one place of configuration)."""
    return get_settings()


@dataclass(frozen=True)
class Budget:
    """What one conversion may still use: a deadline (monotonic seconds) and a memory cap."""

    deadline: float
    memory_bytes: int

    @classmethod
    def start(cls, settings: ConvertSettings | None = None) -> Budget:
        """A fresh budget from the settings."""
        settings = settings or convert_settings()
        return cls(_now() + settings.convert_timeout, settings.convert_memory_mb << 20)

    def left(self) -> float:
        """Seconds left before the deadline (never negative)."""
        return max(0.0, self.deadline - _now())


def _now() -> float:
    import time

    return time.monotonic()


def require(binary: str, stage: str = "extract") -> str:
    """The path of a converter binary, or converter_missing naming its Debian package."""
    path = shutil.which(binary)
    if path is None:
        package = PACKAGES.get(binary, binary)
        raise PageRejected(
            stage,
            "converter_missing",
            f"{binary} is not installed; install the Debian package(s): {package}",
        )
    return path


def available(binary: str) -> bool:
    """Whether a converter binary is on PATH."""
    return shutil.which(binary) is not None


@functools.cache
def _no_network_prefix() -> tuple[str, ...]:
    """``unshare -rn`` where an unprivileged network namespace can be made here, else nothing."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return ()
    try:
        done = subprocess.run([unshare, "-rn", "true"], capture_output=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return ()
    return (unshare, "-rn") if done.returncode == 0 else ()


@contextmanager
def workdir() -> Iterator[Path]:
    """A private temporary directory, removed with everything in it afterwards."""
    with tempfile.TemporaryDirectory(prefix="nianbao-convert-") as name:
        yield Path(name)


def run_tool(
    argv: Sequence[str],
    budget: Budget,
    cwd: Path,
    *,
    stage: str = "extract",
    failure: str = "convert_failed",
    stdin: bytes | None = None,
) -> bytes:
    """Run a converter under the budget in `cwd`; its stdout, or a PageRejected."""
    seconds = budget.left()
    if seconds <= 0:
        raise PageRejected(stage, "convert_timeout", "the conversion's time budget ran out")
    command = [*_caps(budget.memory_bytes, seconds), *_no_network_prefix()]
    command += [require(argv[0], stage), *argv[1:]]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(cwd), "LANG": "C.UTF-8", "TMPDIR": str(cwd)}
    env["OMP_THREAD_LIMIT"] = "1"  # tesseract: one thread per page, the workers scale out
    try:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group: a timeout kills every helper
        )
    except OSError as exc:
        raise PageRejected(stage, failure, f"{argv[0]} could not start: {exc}") from exc
    try:
        out, err = process.communicate(stdin, timeout=seconds)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        raise PageRejected(
            stage, "convert_timeout", f"{argv[0]} ran past the {seconds:.0f} s left and was killed"
        ) from None
    except BaseException:  # the host's own time limit: leave nothing running behind
        _kill_group(process)
        raise
    _kill_group(process)  # helpers a converter left behind (soffice's) go with it
    if process.returncode != 0:
        raise PageRejected(stage, failure, _failure_detail(argv[0], process.returncode, err))
    return out


def _caps(memory_bytes: int, seconds: float) -> list[str]:
    """``prlimit`` (util-linux) setting the address-space, CPU-time and written-file caps.

    Not a ``preexec_fn``: that is unsafe in a process with threads (a Celery worker's child),
    where it can deadlock between fork and exec.
    """
    prlimit = require("prlimit")
    cpu = int(seconds) + 5
    return [
        prlimit, f"--as={memory_bytes}", f"--cpu={cpu}", f"--fsize={_MAX_WRITTEN}", "--core=0",
        "--",
    ]  # fmt: skip


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the converter's process group and reap the converter."""
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    if process.returncode is None:
        try:
            process.communicate(timeout=5)
        except (subprocess.TimeoutExpired, ValueError, OSError):
            process.kill()
            process.wait()


def _failure_detail(name: str, code: int, stderr: bytes) -> str:
    """What a failed converter said, shortened: exit status or signal, and its stderr's tail."""
    if code < 0:
        how = f"died of {signal.Signals(-code).name}"
        if -code in (signal.SIGKILL, signal.SIGSEGV, signal.SIGABRT):
            how += " (a crash, or over its memory limit)"
        elif -code == signal.SIGXCPU:
            how += " (over its CPU time limit)"
    else:
        how = f"exited with {code}"
    said = stderr.decode("utf-8", "replace").strip()[-_STDERR_TAIL:]
    return f"{name} {how}" + (f": {said}" if said else "")
