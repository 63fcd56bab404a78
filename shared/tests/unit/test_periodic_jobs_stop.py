"""A service's periodic jobs stop with it, even a job that lost the cancellation sent to it: one
lost inside a job would otherwise send it back to sleep and keep `stop()` waiting for ever."""

from __future__ import annotations

import asyncio

from reloop_shared.runtime import ServiceRuntime
from reloop_shared.settings import RuntimeSettings


async def test_a_job_that_swallows_its_first_cancellation_still_stops_with_the_service() -> None:
    runtime = ServiceRuntime("jobs", RuntimeSettings())
    running = asyncio.Event()
    swallowed = 0

    async def a_job_that_loses_a_cancellation() -> None:
        nonlocal swallowed
        running.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            if swallowed == 0:  # as a lost cancellation looks from outside: the job just returns
                swallowed += 1
                return
            raise

    runtime._tasks = [asyncio.create_task(runtime._repeat("swallows", 0.0, a_job_that_loses_a_cancellation))]
    await running.wait()

    await asyncio.wait_for(runtime._stop_jobs(recancel_after_s=0.05), timeout=5)

    assert swallowed == 1
    assert runtime._tasks == []


async def test_a_job_that_failed_before_the_stop_does_not_keep_the_service_from_stopping() -> None:
    runtime = ServiceRuntime("jobs", RuntimeSettings())

    async def fails() -> None:
        raise RuntimeError("broken job")

    task: asyncio.Task[None] = asyncio.create_task(fails())
    await asyncio.sleep(0)
    runtime._tasks = [task]

    await asyncio.wait_for(runtime._stop_jobs(recancel_after_s=0.05), timeout=5)

    assert runtime._tasks == []
