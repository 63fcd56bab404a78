"""A relay that does not finish its pass in time must not keep the service from closing: it is
cancelled (its rows go out after the restart, consumers drop what was sent twice), and the stop
goes on to close the broker, the hooks and the database."""

from __future__ import annotations

import asyncio
import logging

import pytest

from reloop_shared.runtime import ServiceRuntime
from reloop_shared.settings import RuntimeSettings


async def test_a_relay_stuck_past_its_time_is_cancelled_and_the_service_still_closes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    runtime = ServiceRuntime("stops", RuntimeSettings(), configure_process=False)
    runtime.relay_stop_timeout_s = 0.05
    closed: list[str] = []

    async def close_key_store() -> None:
        closed.append("key store")

    runtime.on_stop(close_key_store)

    async def a_pass_waiting_on_a_broker_that_is_away() -> None:
        await asyncio.Event().wait()

    stuck = asyncio.create_task(a_pass_waiting_on_a_broker_that_is_away())
    runtime._relay_task = stuck
    runtime.started = True

    with caplog.at_level(logging.INFO, logger="reloop_shared.runtime"):
        await runtime.stop()

    assert stuck.cancelled()
    assert closed == ["key store"]
    assert runtime.started is False
    messages = [record.getMessage() for record in caplog.records]
    assert "service stopped cleanly" not in messages
    assert any("did not stop" in message for message in messages)


async def test_a_service_that_closed_everything_says_it_stopped_cleanly(caplog: pytest.LogCaptureFixture) -> None:
    runtime = ServiceRuntime("stops", RuntimeSettings(), configure_process=False)
    runtime.started = True

    with caplog.at_level(logging.INFO, logger="reloop_shared.runtime"):
        await runtime.stop()

    assert "service stopped cleanly" in [record.getMessage() for record in caplog.records]
