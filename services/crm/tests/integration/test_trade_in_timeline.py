"""A customer's trade-in and the voucher it paid, on their 360 view's timeline."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest

from crm.bootstrap import build
from reloop_localstack.testing import api, eventually, running
from services.crm.tests.support import Run, eraser, new_id, profile_of, rows, settings, timeline_of
from services.crm.tests.trade_in_events import a_trade_in_paid_in_a_voucher_spent_in_a_shop

pytestmark = pytest.mark.connected

T0 = datetime(2026, 6, 1, 9, tzinfo=UTC)


STEPS = [
    "trade_in_quoted",
    "trade_in_accepted",
    "trade_in_received",
    "trade_in_on_hold",
    "trade_in_hold_cleared",
    "trade_in_inspected",
    "counter_offer_made",
    "counter_offer_answered",
    "trade_in_paid",
    "voucher_issued",
    "voucher_redeemed",
]


async def test_a_customers_trade_in_steps_and_voucher_redemption_appear_on_their_timeline_in_order(
    env: dict[str, str], new_database: Callable[[], Awaitable[str]]
) -> None:
    run, database_url, keyvault_url = Run(env), await new_database(), await new_database()
    runtime, app = build(settings(run, env, database_url, keyvault_url))
    account, someone_else = new_id("acc"), new_id("acc")
    mine = a_trade_in_paid_in_a_voucher_spent_in_a_shop(account, T0)
    theirs = a_trade_in_paid_in_a_voucher_spent_in_a_shop(someone_else, T0)
    async with running(runtime), api(app) as client:
        # Newest first: the later steps name no one, and still find their customer.
        await run.publish(*reversed(mine), *theirs, producer="trade-in")
        profile_id = await profile_of(client, account_id=account)
        view = await timeline_of(client, profile_id, entries=len(STEPS))
        await profile_of(client, account_id=someone_else)

    timeline = view["timeline"]
    assert [e["kind"] for e in timeline] == STEPS
    assert [e["occurred_at"] for e in timeline] == sorted(e["occurred_at"] for e in timeline)
    trade_in_id = mine[0].trade_in_id  # type: ignore[attr-defined]
    assert {e["detail"].get("trade_in_id") for e in timeline[:9]} == {trade_in_id}
    paid, spent = timeline[8]["detail"], timeline[10]
    assert (paid["method"], paid["amount"]["amount_minor"]) == ("voucher", 16_500)
    assert spent["detail"]["voucher_id"] == paid["voucher_id"]
    assert (spent["location_id"], spent["detail"]["basket"]["amount_minor"]) == ("shop-paris", 31_000)
    assert timeline[3]["detail"]["reason"] == "activation_lock"


async def test_erasing_a_customer_takes_their_trade_in_and_voucher_steps_off_the_timeline(
    env: dict[str, str], new_database: Callable[[], Awaitable[str]]
) -> None:
    run, database_url, keyvault_url = Run(env), await new_database(), await new_database()
    runtime, app = build(settings(run, env, database_url, keyvault_url))
    account, someone_else = new_id("acc"), new_id("acc")
    mine = a_trade_in_paid_in_a_voucher_spent_in_a_shop(account, T0)
    theirs = a_trade_in_paid_in_a_voucher_spent_in_a_shop(someone_else, T0)
    async with running(runtime), api(app) as client:
        await run.publish(*mine, *theirs, producer="trade-in")
        profile_id = await profile_of(client, account_id=account)
        await timeline_of(client, profile_id, entries=len(STEPS))
        other = await profile_of(client, account_id=someone_else)
        await timeline_of(client, other, entries=len(STEPS))
        asked = await client.post("/erasure-requests", json={"profile_id": profile_id}, headers=eraser())
        assert asked.status_code == 202

        async def forgotten() -> bool:
            left = await rows(database_url, "SELECT thread, count(*) AS n FROM timeline GROUP BY thread")
            return len(left) == 2 and all(r["n"] in (2, 9) for r in left)

        await eventually(forgotten, message="the erased customer's trade-in and voucher steps are gone")
        facts = await rows(database_url, "SELECT count(*) AS n FROM redemption_facts")

    # The figures keep the anonymous facts of both vouchers.
    assert facts == [{"n": 2}]
