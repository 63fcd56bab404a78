"""What a test that hangs is waiting on, awaited call by awaited call.

faulthandler shows threads' stacks; a test stuck on an `await` shows only the event loop idle in
`select`, which names no culprit. This report walks every task of every running event loop along
its chain of awaits (coroutine → the coroutine it awaits → … → the future at the bottom), so a
hang in CI says which await never returned.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any

__all__ = ["await_chain", "report_hangs_after"]


def await_chain(awaitable: Any) -> list[str]:
    """Each link of the chain as `file:line in function`, then what is awaited at the bottom."""
    links: list[str] = []
    current: Any = awaitable
    for _ in range(200):  # a chain this deep is a bug of its own; the report stays readable
        frame: FrameType | None = next(
            (f for f in (getattr(current, a, None) for a in ("cr_frame", "gi_frame", "ag_frame")) if f is not None),
            None,
        )
        if frame is None:
            if current is not awaitable and current is not None:
                links.append(f"waiting on {current!r:.300}")
            break
        links.append(f"{frame.f_code.co_filename}:{frame.f_lineno} in {frame.f_code.co_name}")
        current = (
            getattr(current, "cr_await", None)
            or getattr(current, "gi_yieldfrom", None)
            or getattr(current, "ag_await", None)
        )
        if current is None:
            break
    return links


def _running_loops() -> Iterator[asyncio.AbstractEventLoop]:
    for candidate in gc.get_objects():
        if isinstance(candidate, asyncio.AbstractEventLoop) and candidate.is_running():
            yield candidate


def _task_report(loop: asyncio.AbstractEventLoop) -> str:
    lines = [f"--- tasks of {loop!r} ---"]
    for task in asyncio.all_tasks(loop):
        lines.append(f"task {task.get_name()}:")
        coro = task.get_coro()
        lines.extend(f"    {link}" for link in await_chain(coro) or [repr(coro)])
        # The future the task is suspended on (a lock's, a queue's, a socket's), which the chain
        # reaches only as an iterator over it.
        waiter = getattr(task, "_fut_waiter", None)
        if waiter is not None:
            lines.append(f"    suspended on {waiter!r:.300}")
    return "\n".join(lines) + "\n"


def _write(fd: int, text: str) -> None:
    with contextlib.suppress(OSError):
        os.write(fd, text.encode("utf-8", "replace"))


def _report_tasks(loop: asyncio.AbstractEventLoop, fd: int) -> None:
    _write(fd, _task_report(loop))


def report_hangs_after(seconds: float, what: str, fd: int) -> threading.Timer:
    """A started timer: unless cancelled within `seconds`, it writes to `fd` what every task of
    every running event loop awaits. The report is made on each loop's own thread (the task list
    is not safe to read from another)."""

    def report() -> None:
        _write(fd, f"\n=== {what} still running after {seconds:.0f} s: what each task awaits ===\n")
        for loop in list(_running_loops()):
            try:
                loop.call_soon_threadsafe(_report_tasks, loop, fd)
            except RuntimeError:
                continue

    timer = threading.Timer(seconds, report)
    timer.daemon = True
    timer.start()
    return timer
