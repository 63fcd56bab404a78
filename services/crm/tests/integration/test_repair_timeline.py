"""A customer's repair subscription and repairs, fed through the real topics, on their 360 view's
timeline; and gone with them when they are erased."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest

from crm.bootstrap import build
from reloop_contracts import Event, repair
from reloop_localstack.testing import api, eventually, running
from services.crm.tests.repair_events import (
    a_covered_shop_repair,
    a_subscription_through_dunning,
    an_uneconomic_repair_declined,
)
from services.crm.tests.support import Run, caught_up, eraser, new_id, profile_of, rows, settings, timeline_of

pytestmark = pytest.mark.connected

T0 = datetime(2026, 2, 1, 9, tzinfo=UTC)

SUBSCRIPTION = [
    "repair_subscription_started",
    "repair_subscription_renewed",
    "repair_payment_failed",
    "repair_subscription_past_due",
    "repair_subscription_suspended",
    "repair_subscription_reactivated",
    "repair_subscription_cancelled",
    "repair_subscription_expired",
]
COVERED_REPAIR = [
    "repair_ticket_opened",
    "repair_diagnosed",
    "repair_progressed",
    "repair_progressed",
    "repair_progressed",
    "repair_completed",
    "repair_progressed",
    "repair_returned",
]
DECLINED_REPAIR = [
    "repair_ticket_opened",
    "repair_diagnosed",
    "repair_progressed",
    "repair_quoted",
    "trade_in_suggested",
    "repair_quote_answered",
    "repair_progressed",
    "repair_returned",
]
ENTRIES = len(SUBSCRIPTION) + len(COVERED_REPAIR) + len(DECLINED_REPAIR)


def a_customers_repairs(account: str) -> tuple[list[Event], str, str]:
    """A plan through dunning, a covered repair at a shop in its second month and an uneconomic
    one declined later; the subscription's and the covered ticket's ids."""
    subscription_id, covered, declined = new_id("sub"), new_id("rt"), new_id("rt")
    events = [
        *a_subscription_through_dunning(subscription_id, account, T0),
        *a_covered_shop_repair(covered, account, subscription_id, T0 + timedelta(days=40)),
        *an_uneconomic_repair_declined(declined, account, T0 + timedelta(days=110)),
    ]
    return events, subscription_id, covered


async def test_a_customers_subscription_and_repairs_appear_on_their_timeline_in_order_whatever_the_order_read(
    env: dict[str, str], new_database: Callable[[], Awaitable[str]]
) -> None:
    run, database_url, keyvault_url = Run(env), await new_database(), await new_database()
    runtime, app = build(settings(run, env, database_url, keyvault_url))
    account, someone_else = new_id("acc"), new_id("acc")
    mine, subscription_id, covered = a_customers_repairs(account)
    theirs, _, _ = a_customers_repairs(someone_else)
    async with running(runtime), api(app) as client:
        # Newest first: the later steps name no one, and still find their customer.
        await run.publish(*reversed(mine), *theirs, producer="repair")
        profile_id = await profile_of(client, account_id=account)
        view = await timeline_of(client, profile_id, entries=ENTRIES)
        await profile_of(client, account_id=someone_else)

    timeline = view["timeline"]
    assert len(timeline) == ENTRIES
    assert [e["occurred_at"] for e in timeline] == sorted(e["occurred_at"] for e in timeline)
    subscription = [e for e in timeline if e["kind"].startswith("repair_subscription") or "payment" in e["kind"]]
    assert [e["kind"] for e in subscription] == SUBSCRIPTION
    assert {e["detail"]["subscription_id"] for e in subscription} == {subscription_id}
    repairs = [e for e in timeline if e not in subscription]
    assert sorted(e["kind"] for e in repairs) == sorted(COVERED_REPAIR + DECLINED_REPAIR)
    opened = next(e for e in repairs if e["kind"] == "repair_ticket_opened" and e["detail"]["ticket_id"] == covered)
    assert (opened["detail"]["coverage"], opened["detail"]["coverage_reason"]) == ("plan", "covered by the plan")
    assert (opened["channel"], opened["location_id"], opened["market"]) == ("own_shop", "shop-lyon", "FR")
    picked_up = next(e for e in repairs if e["kind"] == "repair_returned" and e["detail"]["ticket_id"] == covered)
    assert (picked_up["location_id"], picked_up["detail"]["how"]) == ("shop-lyon", "picked_up")
    completed = next(e for e in repairs if e["kind"] == "repair_completed")
    assert completed["detail"]["charged"] == {"amount_minor": 0, "currency": "EUR"}
    suspended = next(e for e in subscription if e["kind"] == "repair_subscription_suspended")
    assert suspended["detail"]["reason"].startswith("payment overdue since")
    suggestion = next(e for e in repairs if e["kind"] == "trade_in_suggested")
    assert suggestion["detail"]["resale_value"] == {"amount_minor": 20_000, "currency": "EUR"}


async def test_erasing_a_customer_takes_their_subscription_and_repair_steps_off_the_timeline_and_keeps_the_facts(
    env: dict[str, str], new_database: Callable[[], Awaitable[str]]
) -> None:
    run, database_url, keyvault_url = Run(env), await new_database(), await new_database()
    crm_settings = settings(run, env, database_url, keyvault_url)
    runtime, app = build(crm_settings)
    account, someone_else = new_id("acc"), new_id("acc")
    mine, _, _ = a_customers_repairs(account)
    theirs, _, _ = a_customers_repairs(someone_else)
    async with running(runtime), api(app) as client:
        await run.publish(*mine, *theirs, producer="repair")
        profile_id = await profile_of(client, account_id=account)
        await timeline_of(client, profile_id, entries=ENTRIES)
        other = await profile_of(client, account_id=someone_else)
        await timeline_of(client, other, entries=ENTRIES)
        asked = await client.post("/erasure-requests", json={"profile_id": profile_id}, headers=eraser())
        assert asked.status_code == 202

        async def forgotten() -> bool:
            left = await rows(database_url, "SELECT count(*) AS n FROM timeline")
            return left == [{"n": ENTRIES}]

        await eventually(forgotten, message="the erased customer's subscription and repair steps are gone")
        # Their steps read again (a replay, the producer publishing anew) stay off: CRM remembers
        # the erased account and its threads.
        await run.publish(*mine, producer="repair")
        await caught_up(run, f"crm{crm_settings.consumer_group_suffix}", [repair.SUBSCRIPTIONS, repair.TICKETS])
        left = await rows(database_url, "SELECT count(*) AS n FROM timeline")
        view = await timeline_of(client, other, entries=ENTRIES)
        facts = await rows(
            database_url,
            "SELECT (SELECT count(*) FROM subscription_facts) AS s, (SELECT count(*) FROM repair_ticket_facts) AS t",
        )

    assert left == [{"n": ENTRIES}]
    assert len(view["timeline"]) == ENTRIES
    # The figures keep the anonymous facts of both customers' subscriptions and tickets.
    assert facts == [{"s": 2, "t": 4}]
