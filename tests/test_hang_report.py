"""A test that hangs on an await says which await: the report walks each task's chain of awaits."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time

from reloop_localstack.hang_report import await_chain, report_hangs_after


async def _waits_for(event: asyncio.Event) -> None:
    await _inner_wait(event)


async def _inner_wait(event: asyncio.Event) -> None:
    await event.wait()


async def test_the_chain_of_a_stuck_task_names_each_awaiting_function_down_to_the_future() -> None:
    event = asyncio.Event()
    task = asyncio.create_task(_waits_for(event))
    await asyncio.sleep(0)
    chain = await_chain(task.get_coro())
    event.set()
    await task

    functions = [link.rsplit(" in ", 1)[-1] for link in chain if " in " in link]
    assert functions[:3] == ["_waits_for", "_inner_wait", "wait"]
    assert chain[-1].startswith("waiting on ")


async def test_a_test_still_running_after_the_delay_writes_what_its_tasks_await() -> None:
    read_end, write_end = os.pipe()
    event = asyncio.Event()
    stuck = asyncio.create_task(_waits_for(event), name="stuck-on-purpose")
    timer = report_hangs_after(0.05, "this test", write_end)
    try:
        deadline = time.monotonic() + 5
        report = b""
        os.set_blocking(read_end, False)
        while b"_inner_wait" not in report and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
            with contextlib.suppress(BlockingIOError):
                report += os.read(read_end, 65536)
    finally:
        timer.cancel()
        event.set()
        await stuck
        os.close(read_end)
        os.close(write_end)

    text = report.decode()
    assert "this test still running after 0 s" in text
    assert "task stuck-on-purpose:" in text
    assert "_inner_wait" in text
    assert "suspended on <Future pending" in text


def test_a_test_that_ends_in_time_writes_nothing() -> None:
    read_end, write_end = os.pipe()
    report_hangs_after(0.05, "quick", write_end).cancel()
    time.sleep(0.1)
    os.set_blocking(read_end, False)
    try:
        assert os.read(read_end, 100) == b""
    except BlockingIOError:
        pass
    finally:
        os.close(read_end)
        os.close(write_end)
