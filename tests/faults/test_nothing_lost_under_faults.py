"""The promises "no event lost, none applied twice, per-key order holds", kept while every service
is SIGKILLed and restarted, the broker is stopped and paused, PostgreSQL restarts, two relays of
one service run at once and 1% of the input is malformed; checked against an independent
computation from the generated day (tests/faults/README.md).

`RELOOP_FAULTS_SEED` replays a run; `RELOOP_FAULTS_SCALE` (default 1: about 22,700 business
events) makes it a longer soak."""

from __future__ import annotations

import asyncio
import os
import random
import threading
import time
from collections.abc import Awaitable, Iterable
from pathlib import Path

import pytest

from tests.faults.checker import Checker, Summary
from tests.faults.day import generate
from tests.faults.driver import Driver
from tests.faults.fault_stack import FaultStack
from tests.faults.model import expected
from tests.faults.pacing import Pace
from tests.faults.repair_driver import RepairDriver
from tests.faults.schedule import Chaos, draw, window_s
from tests.faults.trade_in_driver import TradeInDriver

SCALE = float(os.environ.get("RELOOP_FAULTS_SCALE", "1"))
pytestmark = [pytest.mark.connected, pytest.mark.slow, pytest.mark.timeout(int(600 * max(1.0, SCALE)))]

LAST_RUN = Path(__file__).parent / "LAST_RUN.md"
POS_BATCH = 25
"""A connected till uploads this many transactions at a time (an offline till's backlog: 1000)."""
TRADE_IN_SHARE = 0.5
"""Of the traffic's span the trade-ins are started in: their credit is spent by orders of the later part."""
REPAIR_SHARE = 0.6
"""Of the traffic's span the repairs are left at shops in: the renewal run comes after the last."""
TRAFFIC_SHARE = 0.85
"""Of the fault window the traffic spans: it ends a little before the faults do, so the last
moves still hit events in flight (consumers and relays catching up)."""


def test_every_sale_is_applied_once_in_order_while_everything_is_killed_and_restarted() -> None:
    seed = int(os.environ.get("RELOOP_FAULTS_SEED") or random.SystemRandom().randrange(2**32))
    scale = SCALE
    print(f"\nfault suite: seed {seed} (RELOOP_FAULTS_SEED={seed} replays it), scale {scale}", flush=True)
    day = generate(seed, scale)
    stack = FaultStack(namespace=f"flt{seed:x}")
    started = time.monotonic()
    try:
        endpoints = stack.start()
        with _admin_env(endpoints.as_env()):
            summary = asyncio.run(_run(day, stack, endpoints.kafka_bootstrap_servers, seed, scale))
    finally:
        stack.stop()
    summary.add("seconds, whole run", round(time.monotonic() - started), "seen")
    report = _report(summary, stack.moves)
    LAST_RUN.write_text(report)
    print(report, flush=True)
    assert not summary.wrong, f"promises broken under faults (seed {seed}): {summary.wrong}"


async def _run(day, stack: FaultStack, bootstrap: str, seed: int, scale: float) -> Summary:  # type: ignore[no-untyped-def]
    driver = Driver(day, {name: stack.url(name) for name in stack.specs}, stack.keys(), stack.namespace)
    summary = Summary(seed, scale)
    try:
        await driver.set_up()
        repairs, trade_ins = RepairDriver(driver), TradeInDriver(driver)
        await repairs.set_up()
        await trade_ins.set_up()
        stack.log(f"set up: {len(day.units)} units, {len(day.accessory_receipts)} accessory receipts")
        chaos = Chaos(stack, draw(seed))
        pace = Pace(span_s=TRAFFIC_SHARE * window_s(chaos.moves))
        stack.log(f"the day spreads over {pace.span_s:.0f}s of faults")
        faults = threading.Thread(target=chaos.play, name="chaos", daemon=True)
        faults.start()
        faults_started = time.monotonic()
        online = [o for o in day.online_orders]
        connected = [s for s in day.shops if s not in day.offline_shops]

        async def offline_backlogs() -> None:
            # The offline tills come back when half the faults have been played, with the whole day at once.
            await asyncio.to_thread(chaos.half_way.wait)
            stack.log("offline shops upload their backlog")
            await asyncio.gather(*(driver.till(shop, batch=1000) for shop in day.offline_shops))

        async def logged(what: str, sending: Awaitable[None]) -> None:
            await sending
            stack.log(f"sent: {what}")

        await asyncio.gather(
            logged(f"{len(online)} online orders", driver.online(online, pace)),
            logged(
                "the connected tills' journals",
                _each(driver.till(shop, batch=POS_BATCH, pace=pace) for shop in connected),
            ),
            logged("the offline tills' backlogs", offline_backlogs()),
            logged("the malformed input", driver.malformed(bootstrap, pace)),
            logged(
                f"{len(day.repairs)} repairs and the renewal run",
                repairs.repairs(day.repairs, Pace(span_s=REPAIR_SHARE * pace.span_s, start=pace.start)),
            ),
            logged(
                f"{len(day.trade_ins)} trade-ins",
                trade_ins.trade_ins(day.trade_ins, Pace(span_s=TRADE_IN_SHARE * pace.span_s, start=pace.start)),
            ),
        )
        stack.log("the day is sent; waiting for the faults to end")
        sent_after = time.monotonic() - faults_started
        await asyncio.to_thread(faults.join)
        summary.add("seconds the day was sent for, beside the faults", round(sent_after), "seen")
        summary.add("seconds the faults were played for", round(time.monotonic() - faults_started), "seen")
        if chaos.error is not None:
            summary.notes.append(f"chaos stopped early: {chaos.error!r}")
        summary.add("fault moves played", chaos.played, "seen")
        summary.add("fault moves not played", len(chaos.moves) - chaos.played)
        databases = {name: stack.database_url(name) for name in stack.specs if name != "catalog"}
        settled = await Checker(day, expected(day), driver, bootstrap, stack.namespace).settle(databases)
        stack.log(f"settled in {settled:.0f}s")
        await Checker(day, expected(day), driver, bootstrap, stack.namespace).check(summary, databases)
        summary.add("HTTP calls retried (service down)", driver.sent.retries, "seen")
        summary.add("carts abandoned (a line added twice)", driver.sent.abandoned_carts, "seen")
    finally:
        await driver.close()
    return summary


async def _each(sendings: Iterable[Awaitable[None]]) -> None:
    await asyncio.gather(*sendings)


class _admin_env:  # noqa: N801 -- used as a context manager
    """The admin's Kafka credentials in this process's environment, for the harness's own clients."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.before: dict[str, str] = {}

    def __enter__(self) -> None:
        self.before = dict(os.environ)
        os.environ.update(self.env)

    def __exit__(self, *_: object) -> None:
        os.environ.clear()
        os.environ.update(self.before)


def _report(summary: Summary, moves: list[str]) -> str:
    lines = [
        "# Fault suite: last run",
        "",
        f"Seed {summary.seed} (replay: `RELOOP_FAULTS_SEED={summary.seed}`), scale {summary.scale}. "
        "Written by `tests/faults/test_nothing_lost_under_faults.py`; rows of kind `wrong` must be 0.",
        "",
        summary.table(),
        "",
        "## Notes",
        "",
        *[f"- {note}" for note in summary.notes],
        "",
        "## Faults, as played",
        "",
        "```",
        *moves,
        "```",
        "",
    ]
    return "\n".join(lines)
