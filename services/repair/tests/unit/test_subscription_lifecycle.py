"""Subscriptions through the handlers on the twin: subscribe, renew, dunning, payment, cancel, and
what the plan answers a claim at each step."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from reloop_contracts import repair as contract
from reloop_shared.clock import FixedClock
from repair.domain.devices import Device
from repair.domain.subscription_commands import CancelSubscription, PayOverdue
from repair.domain.subscription_errors import (
    DeviceAlreadySubscribed,
    FairUseBroken,
    NothingOverdue,
    PaymentDeclined,
    ShopRequired,
    SubscriptionNotFound,
)
from repair.domain.subscription_events import (
    PaymentFailed,
    SubscriptionExpired,
    SubscriptionPastDue,
    SubscriptionReactivated,
    SubscriptionRenewed,
    SubscriptionSuspended,
)
from repair.domain.subscriptions import PlanCoverage, Subscription
from repair.service_layer import billing, subscriptions
from repair.service_layer.coverage_lookup import plan_covering
from repair.service_layer.renewals import run_renewals
from services.repair.tests.subscription_builders import PLANS, START, phone, subscribing
from services.repair.tests.subscription_fakes import Claim, SubscriptionTwin

DAY = timedelta(days=1)


@pytest.fixture
def twin() -> SubscriptionTwin:
    return SubscriptionTwin(FixedClock(START))


async def subscribed(twin: SubscriptionTwin, device: Device | None = None) -> Subscription:
    return await subscriptions.subscribe(
        subscribing("acct-42", device or phone()), twin.unit_of_work(), twin.clock, PLANS
    )


async def claim(twin: SubscriptionTwin, device: Device, customer_id: str | None = "acct-42") -> PlanCoverage:
    async with twin.unit_of_work() as uow:
        return await plan_covering(uow, customer_id, device.identifier, twin.clock.now())


async def renew_at(twin: SubscriptionTwin, when: timedelta) -> None:
    twin.clock.set(START + when)
    await run_renewals(twin.unit_of_work, twin.clock, PLANS)


async def test_subscribing_charges_the_first_month_at_once_and_publishes_the_start(twin: SubscriptionTwin) -> None:
    started = await subscribed(twin)
    assert started.paid_through == START.replace(month=2)
    [paid] = twin.tables.paid(started.subscription_id)
    assert paid.amount.amount_minor == 699
    [event] = twin.store.published(contract.SubscriptionStarted)
    assert (event.charge_id, event.period_end) == (paid.charge_id, started.paid_through)


async def test_a_renewal_run_charges_each_period_once_however_often_it_runs(twin: SubscriptionTwin) -> None:
    started = await subscribed(twin)
    for _ in range(3):
        await renew_at(twin, 31 * DAY)
    assert len(twin.tables.paid(started.subscription_id)) == 2
    assert [type(e) for e in twin.events][1:] == [SubscriptionRenewed]


async def test_a_failed_renewal_goes_through_retries_grace_and_suspension_and_payment_brings_coverage_back(
    twin: SubscriptionTwin,
) -> None:
    device = phone()
    started = await subscribed(twin, device)
    sid = started.subscription_id
    await billing.script_declines(twin.unit_of_work(), sid, 10, "card_expired")
    due = started.paid_through - START  # 31 days: the second period is due

    await renew_at(twin, due)
    assert [type(e) for e in twin.events[-2:]] == [PaymentFailed, SubscriptionPastDue]
    assert (await claim(twin, device)).subscription_id == sid  # in grace: still covered

    for retry_day in (1, 3, 7):
        await renew_at(twin, due + retry_day * DAY)
    failures = [e for e in twin.events if isinstance(e, PaymentFailed)]
    assert [f.attempt for f in failures] == [1, 2, 3, 4]
    assert failures[-1].next_attempt_at is None
    assert {f.period_start for f in failures} == {started.paid_through}  # one period, retried
    assert (await claim(twin, device)).subscription_id == sid  # day 7: still in grace

    await renew_at(twin, due + 14 * DAY)
    assert isinstance(twin.events[-1], SubscriptionSuspended)
    refused = await claim(twin, device)
    assert (refused.subscription_id, refused.rule, refused.refused_by) == (None, "suspended", sid)
    assert refused.refusal is not None
    assert refused.refusal.startswith("suspended: coverage suspended: payment overdue since 2026-02-10")

    await billing.script_declines(twin.unit_of_work(), sid, 0, "")
    paid_at = twin.clock.now()
    back = await subscriptions.pay_overdue(
        PayOverdue(sid, "acct-42"), twin.unit_of_work(), twin.clock, PLANS, customer_id="acct-42"
    )
    assert back.status == "active"
    reactivated = twin.events[-1]
    assert isinstance(reactivated, SubscriptionReactivated)
    assert reactivated.period_start == paid_at  # not covered while suspended: the new period starts now
    assert (await claim(twin, device)).subscription_id == sid
    assert len(twin.store.published(contract.SubscriptionReactivated)) == 1
    assert len(twin.tables.paid(sid)) == 2


async def test_a_failure_on_renewal_never_shortens_the_period_already_paid(twin: SubscriptionTwin) -> None:
    device = phone()
    started = await subscribed(twin, device)
    await billing.script_declines(twin.unit_of_work(), started.subscription_id, 10, "insufficient_funds")
    # A run late by a day finds the period unpaid; the days before `paid_through` stay paid.
    await renew_at(twin, started.paid_through - START + DAY)
    async with twin.unit_of_work() as uow:
        after = await uow.subscriptions.get(started.subscription_id)
    assert after is not None
    assert after.paid_through == started.paid_through
    assert after.overdue_since == started.paid_through
    # Even suspended, a claim dated inside the paid period is covered.
    after.status = "suspended"
    assert after.coverage_at(started.paid_through - timedelta(seconds=1)).__class__.__name__ == "Covered"
    assert after.coverage_at(started.paid_through).__class__.__name__ == "NotCovered"


async def test_paying_in_grace_continues_the_period_from_the_day_it_was_due(twin: SubscriptionTwin) -> None:
    started = await subscribed(twin)
    sid = started.subscription_id
    await billing.script_declines(twin.unit_of_work(), sid, 1, "card_expired")
    await renew_at(twin, started.paid_through - START)
    twin.clock.advance(2 * DAY)
    back = await subscriptions.pay_overdue(
        PayOverdue(sid, "staff-1"), twin.unit_of_work(), twin.clock, PLANS, customer_id=None
    )
    assert back.period_start == started.paid_through
    with pytest.raises(NothingOverdue):
        await subscriptions.pay_overdue(
            PayOverdue(sid, "staff-1"), twin.unit_of_work(), twin.clock, PLANS, customer_id=None
        )


async def test_a_declined_payment_by_the_customer_changes_nothing(twin: SubscriptionTwin) -> None:
    started = await subscribed(twin)
    sid = started.subscription_id
    await billing.script_declines(twin.unit_of_work(), sid, 5, "card_expired")
    await renew_at(twin, started.paid_through - START)
    events = len(twin.events)
    with pytest.raises(PaymentDeclined, match="card_expired"):
        await subscriptions.pay_overdue(
            PayOverdue(sid, "acct-42"), twin.unit_of_work(), twin.clock, PLANS, customer_id="acct-42"
        )
    assert len(twin.events) == events
    assert [e.kind for e in twin.tables.ledger if e.subscription_id == sid] == ["paid", "declined"]


async def test_unpaid_for_twenty_one_days_the_subscription_is_cancelled_by_dunning_and_expires(
    twin: SubscriptionTwin,
) -> None:
    device = phone()
    started = await subscribed(twin, device)
    await billing.script_declines(twin.unit_of_work(), started.subscription_id, 10, "card_expired")
    await renew_at(twin, started.paid_through - START + 25 * DAY)  # the run was down for weeks
    cancelled = twin.store.published(contract.SubscriptionCancelled)
    assert [(c.by, c.covered_until) for c in cancelled] == [("dunning", started.paid_through)]
    assert isinstance(twin.events[-1], SubscriptionExpired)
    refused = await claim(twin, device)
    assert refused.rule == "expired"
    assert len(twin.tables.paid(started.subscription_id)) == 1


async def test_a_cancelled_subscription_covers_to_the_end_of_the_paid_period_then_expires(
    twin: SubscriptionTwin,
) -> None:
    device = phone()
    started = await subscribed(twin, device)
    twin.clock.set(START + 40 * DAY)
    await renew_at(twin, 40 * DAY)  # renewed once: paid to 10 March
    cancelled = await subscriptions.cancel(
        CancelSubscription(started.subscription_id, "acct-42", "moving abroad"),
        twin.unit_of_work(),
        twin.clock,
        PLANS,
        customer_id="acct-42",
    )
    assert cancelled.status == "cancelled"
    assert (await claim(twin, device)).subscription_id == started.subscription_id
    await renew_at(twin, cancelled.paid_through - START)
    assert isinstance(twin.events[-1], SubscriptionExpired)
    assert (await claim(twin, device)).rule == "expired"
    assert len(twin.tables.paid(started.subscription_id)) == 2  # nothing charged after the cancellation


async def test_another_customer_cannot_read_cancel_or_pay_a_subscription(twin: SubscriptionTwin) -> None:
    started = await subscribed(twin)
    with pytest.raises(SubscriptionNotFound):
        await subscriptions.subscription(twin.unit_of_work(), started.subscription_id, "acct-7")
    with pytest.raises(SubscriptionNotFound):
        await subscriptions.cancel(
            CancelSubscription(started.subscription_id, "acct-7"),
            twin.unit_of_work(),
            twin.clock,
            PLANS,
            customer_id="acct-7",
        )


async def test_fair_use_refuses_a_claim_in_the_waiting_period_and_over_the_yearly_cap_naming_the_rule(
    twin: SubscriptionTwin,
) -> None:
    device = phone()
    started = await subscribed(twin, device)
    early = await claim(twin, device)
    assert (early.subscription_id, early.rule) == (None, "waiting_period")
    twin.clock.set(START + 35 * DAY)
    for n in range(3):
        twin.store.tables.claims.append(Claim(started.subscription_id, device.identifier, START + (31 + n) * DAY))
    capped = await claim(twin, device)
    assert capped.rule == "claims_per_device_per_year"
    assert capped.refusal is not None
    assert "claims_per_device_per_year" in capped.refusal


async def test_a_device_not_on_any_plan_has_no_plan_and_a_device_is_on_one_live_plan_only(
    twin: SubscriptionTwin,
) -> None:
    device = phone()
    assert await claim(twin, device) == PlanCoverage(None, None)
    await subscribed(twin, device)
    with pytest.raises(DeviceAlreadySubscribed):
        await subscribed(twin, device)
    assert len(twin.tables.ledger) == 1  # the refused subscription charged nothing


async def test_more_devices_than_fair_use_allows_are_refused_before_any_charge(twin: SubscriptionTwin) -> None:
    with pytest.raises(FairUseBroken, match="devices_per_subscription"):
        await subscriptions.subscribe(
            subscribing("acct-42", phone(), phone(), phone(), phone()), twin.unit_of_work(), twin.clock, PLANS
        )
    assert twin.tables.ledger == []


async def test_a_shop_subscription_without_its_shop_is_refused_before_any_charge(twin: SubscriptionTwin) -> None:
    in_shop = replace(subscribing("acct-42", phone()), channel="own_shop")
    with pytest.raises(ShopRequired):
        await subscriptions.subscribe(in_shop, twin.unit_of_work(), twin.clock, PLANS)
    assert twin.tables.ledger == []
