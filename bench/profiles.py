"""What limits a path: py-spy samples each of its processes for a few seconds while it runs.

`py-spy record --format raw` writes one line per distinct stack ("frame;frame;leaf count"); the
leaf frame is where the sample found the process, so summing counts by leaf gives each function's
own time. Idle threads are left out (py-spy's default), so the shares are of the time the process
was busy in Python, and a process waiting on the database or the broker shows few samples.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

TOP = 5


@dataclass
class ProcessProfile:
    role: str
    samples: int
    top: list[tuple[str, float]] = field(default_factory=list)
    """(function (file:line), share of the samples), the most own time first."""
    error: str = ""


@dataclass
class PathProfile:
    path: str
    seconds: float
    processes: list[ProcessProfile] = field(default_factory=list)


def own_time(raw: str, top: int = TOP) -> tuple[int, list[tuple[str, float]]]:
    """Total samples and the `top` leaf functions with their share, from py-spy's raw output."""
    leaves: Counter[str] = Counter()
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        leaves[stack.rsplit(";", 1)[-1]] += int(count)
    total = sum(leaves.values())
    return total, [(function, samples / total) for function, samples in leaves.most_common(top)] if total else []


def py_spy() -> str | None:
    """py-spy beside this interpreter (the venv's), else on PATH."""
    beside = Path(sys.executable).with_name("py-spy")
    return str(beside) if beside.exists() else shutil.which("py-spy")


async def _record(role: str, pid: int, seconds: float, rate: int) -> ProcessProfile:
    executable = py_spy()
    if executable is None:
        return ProcessProfile(role, 0, error="py-spy not installed")
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as directory:
        out = Path(directory) / "raw.txt"
        process = await asyncio.create_subprocess_exec(
            executable,
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(max(1, round(seconds))),
            "--rate",
            str(rate),
            "--format",
            "raw",
            "--output",
            str(out),
            "--nonblocking",  # never pause the process measured: its figures stay its own
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        _, stderr = await process.communicate()
        if process.returncode != 0 or not out.exists():
            # Typically ptrace refused (a container without CAP_SYS_PTRACE): say so, do not guess.
            lines = stderr.decode(errors="replace").strip().splitlines()
            return ProcessProfile(role, 0, error=lines[-1] if lines else f"py-spy exited with {process.returncode}")
        total, top = own_time(out.read_text())
    return ProcessProfile(role, total, top)


async def profile(
    path: str, processes: Mapping[str, int], seconds: float = 5, rate: int = 100, after: float = 1.0
) -> PathProfile:
    """Samples every named process at once for `seconds`, `after` seconds into the load (call it as
    the load starts: the first second, clients connecting and caches filling, is left out)."""
    await asyncio.sleep(after)
    results = await asyncio.gather(*(_record(role, pid, seconds, rate) for role, pid in processes.items()))
    return PathProfile(path, seconds, list(results))
