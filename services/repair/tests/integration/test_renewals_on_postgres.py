"""Subscriptions on the real PostgreSQL: renewal runs at once and a run that dies mid-batch charge
each subscription exactly once per period (checked in the ledger), and dunning holds its
invariants in the tables' own checks.

Each test migrates a database of its own (the shared tables and repair's migrations, as the
service does at start) and runs the handlers on the service's own unit of work.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime, timedelta

import pytest

from reloop_shared.clock import FixedClock
from reloop_shared.db.migrations import SHARED, MigrationSource, migrate
from reloop_shared.db.pool import create_pool
from reloop_shared.db.types import Connection, Pool
from reloop_shared.outbox.writer import OutboxWriter
from repair.adapters.billing_ledger import PostgresBillingLedger
from repair.adapters.postgres_unit_of_work import PostgresRepairUnitOfWork
from repair.adapters.translators import to_contract
from repair.domain.subscription_commands import PayOverdue
from repair.domain.subscription_errors import DeviceAlreadySubscribed
from repair.domain.subscriptions import Charge, PeriodDue, Subscription
from repair.service_layer import billing, subscriptions
from repair.service_layer.coverage_lookup import plan_covering
from repair.service_layer.renewals import run_renewals
from services.repair.tests.subscription_builders import PLANS, START, phone, subscribing

pytestmark = pytest.mark.connected

MIGRATIONS = [SHARED, MigrationSource("repair", "repair", "migrations")]
DAY = timedelta(days=1)


class Died(Exception):
    """The renewal run's process died: what it did in its open transaction is lost."""


class DyingLedger(PostgresBillingLedger):
    """The local ledger of a run that charges its first batch, signals, waits, then dies before
    saving anything else of it."""

    def __init__(self, conn: Connection, charged: asyncio.Event, die: asyncio.Event) -> None:
        super().__init__(conn)
        self.charged, self.die = charged, die

    async def charge_many(self, due: Sequence[PeriodDue], at: datetime) -> list[Charge]:
        await super().charge_many(due, at)
        self.charged.set()
        await self.die.wait()
        raise Died("killed mid-batch, after charging")


class Repair:
    def __init__(self, pool: Pool) -> None:
        self.pool = pool
        self.clock = FixedClock(START)

    def uow(self) -> PostgresRepairUnitOfWork:
        return PostgresRepairUnitOfWork(OutboxWriter("repair"), to_contract, pool=self.pool)

    def dying(self, charged: asyncio.Event, die: asyncio.Event) -> Callable[[], PostgresRepairUnitOfWork]:
        pool = self.pool

        class DyingUnitOfWork(PostgresRepairUnitOfWork):
            def bind(self, conn: Connection) -> None:
                super().bind(conn)
                self.billing = DyingLedger(conn, charged, die)

        return lambda: DyingUnitOfWork(OutboxWriter("repair"), to_contract, pool=pool)

    async def subscribe(self, n: int) -> list[Subscription]:
        return [
            await subscriptions.subscribe(subscribing(f"acct-{i}", phone()), self.uow(), self.clock, PLANS)
            for i in range(n)
        ]

    async def paid_per_period(self) -> dict[tuple[str, object], int]:
        rows = await self.pool.fetch(
            "SELECT subscription_id, period_start, count(*) AS n FROM billing_charges WHERE outcome = 'paid' "
            "GROUP BY subscription_id, period_start"
        )
        return {(r["subscription_id"], r["period_start"]): r["n"] for r in rows}

    async def outbox_count(self, event_type: str) -> int:
        count: int = await self.pool.fetchval("SELECT count(*) FROM outbox WHERE event_type = $1", event_type)
        return count


@pytest.fixture
async def repair(database_url: str) -> AsyncIterator[Repair]:
    pool = await create_pool(database_url, size=10)
    try:
        async with pool.acquire() as conn:
            await migrate(conn, MIGRATIONS)
        yield Repair(pool)
    finally:
        await pool.close()


async def test_two_renewal_runs_at_once_charge_each_subscription_exactly_once_for_the_period(repair: Repair) -> None:
    subscribed = await repair.subscribe(60)
    repair.clock.advance(31 * DAY)
    first, second = await asyncio.gather(
        run_renewals(repair.uow, repair.clock, PLANS, batch=7), run_renewals(repair.uow, repair.clock, PLANS, batch=7)
    )
    assert first.paid + second.paid == 60
    assert first.paid > 0
    assert second.paid > 0  # both runs took a share of the work
    paid = await repair.paid_per_period()
    assert set(paid.values()) == {1}
    assert {s for s, _ in paid} == {s.subscription_id for s in subscribed}
    assert len(paid) == 120  # the first period and the renewed one, each once
    assert await repair.outbox_count("SubscriptionRenewed") == 60


async def test_a_run_killed_mid_batch_loses_its_batch_whole_and_the_next_run_charges_each_period_once(
    repair: Repair,
) -> None:
    await repair.subscribe(30)
    repair.clock.advance(31 * DAY)
    charged, die = asyncio.Event(), asyncio.Event()
    dying = asyncio.create_task(run_renewals(repair.dying(charged, die), repair.clock, PLANS, batch=10))
    await charged.wait()  # it holds ten subscriptions and has charged them
    survivor = await run_renewals(repair.uow, repair.clock, PLANS, batch=10)
    assert survivor.paid == 20  # it skipped the ten the dying run held
    die.set()
    with pytest.raises(Died):
        await dying
    assert len(await repair.paid_per_period()) == 30 + 20  # the dead run's charges went with it
    restarted = await run_renewals(repair.uow, repair.clock, PLANS, batch=10)
    assert restarted.paid == 10
    paid = await repair.paid_per_period()
    assert len(paid) == 60
    assert set(paid.values()) == {1}
    assert await repair.outbox_count("SubscriptionRenewed") == 30
    assert await run_renewals(repair.uow, repair.clock, PLANS) == type(restarted)()  # nothing left to do


async def test_dunning_on_postgres_suspends_refuses_the_claim_and_payment_reactivates(repair: Repair) -> None:
    device = phone()
    [started] = [await subscriptions.subscribe(subscribing("acct-42", device), repair.uow(), repair.clock, PLANS)]
    sid = started.subscription_id
    await billing.script_declines(repair.uow(), sid, 9, "card_expired")
    due = started.paid_through
    for day in (0, 1, 3, 7, 14):
        repair.clock.set(due + day * DAY)
        await run_renewals(repair.uow, repair.clock, PLANS)
    async with repair.uow() as uow:
        refused = await plan_covering(uow, "acct-42", device.identifier, repair.clock.now())
    assert (refused.rule, refused.refused_by) == ("suspended", sid)
    attempts = await repair.pool.fetch(
        "SELECT attempt, outcome, reason FROM billing_charges WHERE subscription_id = $1 AND period_start = $2 "
        "ORDER BY attempt",
        sid,
        due,
    )
    assert [(a["attempt"], a["outcome"], a["reason"]) for a in attempts] == [
        (n, "declined", "card_expired") for n in (1, 2, 3, 4)
    ]
    await billing.script_declines(repair.uow(), sid, 0, "")
    back = await subscriptions.pay_overdue(
        PayOverdue(sid, "acct-42"), repair.uow(), repair.clock, PLANS, customer_id="acct-42"
    )
    assert back.status == "active"
    async with repair.uow() as uow:
        covered = await plan_covering(uow, "acct-42", device.identifier, repair.clock.now())
    assert covered.subscription_id == sid
    assert await repair.outbox_count("SubscriptionReactivated") == 1
    entries = await billing.charges(repair.uow(), sid, "acct-42")
    assert [e.kind for e in entries] == ["paid", "declined", "declined", "declined", "declined", "paid"]


async def test_a_device_on_a_live_plan_cannot_join_a_second_one_and_nothing_is_charged(repair: Repair) -> None:
    device = phone()
    await subscriptions.subscribe(subscribing("acct-1", device), repair.uow(), repair.clock, PLANS)
    with pytest.raises(DeviceAlreadySubscribed):
        await subscriptions.subscribe(subscribing("acct-2", device), repair.uow(), repair.clock, PLANS)
    assert await repair.pool.fetchval("SELECT count(*) FROM billing_charges") == 1


async def test_runners_at_once_settle_batches_set_based_paying_each_period_once_and_dunning_the_declined(
    repair: Repair,
) -> None:
    subscribed = await repair.subscribe(40)
    declining = [s.subscription_id for s in subscribed[::5]]
    for sid in declining:
        await billing.script_declines(repair.uow(), sid, 1, "insufficient_funds")
    # Three periods were paid already (a payment that went through before the run): the ledger
    # answers their first charge, never a second.
    early = subscribed[1:4]
    repair.clock.advance(31 * DAY)
    async with repair.pool.acquire() as conn, conn.transaction():
        ledger = PostgresBillingLedger(conn)
        first = {
            s.subscription_id: await ledger.charge(PeriodDue(s.subscription_id, s.paid_through, s.price), START)
            for s in early
        }
    run = await run_renewals(repair.uow, repair.clock, PLANS, batch=4, runners=3)
    assert (run.renewed, run.failed, run.past_due, run.looked_at) == (32, 8, 8, 40)
    paid = await repair.paid_per_period()
    assert set(paid.values()) == {1}
    assert len(paid) == 40 + 32
    for s in early:
        renewed = await repair.pool.fetchval(
            "SELECT count(*) FROM billing_charges WHERE subscription_id = $1 AND period_start = $2",
            s.subscription_id,
            s.paid_through,
        )
        assert renewed == 1
        entries = await billing.charges(repair.uow(), s.subscription_id, None)
        assert entries[-1].charge_id == first[s.subscription_id].charge_id
    rows = await repair.pool.fetch(
        "SELECT s.status, c.outcome, c.reason FROM subscriptions s JOIN billing_charges c USING (subscription_id) "
        "WHERE s.subscription_id = ANY($1::text[]) AND c.period_start = s.paid_through",
        declining,
    )
    assert [(r["status"], r["outcome"], r["reason"]) for r in rows] == [
        ("past_due", "declined", "insufficient_funds")
    ] * 8
    due = await repair.pool.fetch(
        "SELECT r.due_at, s.next_attempt_at, s.paid_through FROM renewal_schedule r JOIN subscriptions s "
        "USING (subscription_id)"
    )
    assert all(r["due_at"] == (r["next_attempt_at"] or r["paid_through"]) for r in due)
    assert await repair.outbox_count("SubscriptionRenewed") == 32
    assert await repair.outbox_count("SubscriptionPastDue") == 8
