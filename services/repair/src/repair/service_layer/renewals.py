"""The renewal run: every subscription due is renewed, retried, moved through its overdue states or
expired, exactly once per period.

Each batch is one transaction and one load, decide, save: the schedule rows claimed
(`FOR UPDATE SKIP LOCKED`, so runs at once share the work), the subscriptions loaded at once, the
batch's charges asked of the billing port at once, then the subscriptions' new states, their next
due times and their events each saved at once, all committed together. A run that dies mid-batch
commits nothing of it: the rows are claimable again and the next run does the batch whole; the
ledger's key (subscription, period) keeps a period paid once even if a charge were asked twice.

`runners` batches are worked on at once (each claims its own rows): one waits on the database
while another decides. `as_of` runs the renewals as of a later moment than now (a demo's clock).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import add

from reloop_shared.clock import Clock
from repair.domain.plans import Plans
from repair.domain.subscription_errors import RunInThePast, RunsOnDemandRefused
from repair.domain.subscription_renewals import RenewalRun, charges_due, settle_renewals
from repair.service_layer.subscription_ports import SubscriptionUnitOfWork

__all__ = ["OnDemand", "RenewalRun", "run_on_demand", "run_renewals"]


async def run_renewals(
    unit_of_work: Callable[[], SubscriptionUnitOfWork],
    clock: Clock,
    plans: Plans,
    *,
    batch: int = 500,
    runners: int = 1,
    as_of: datetime | None = None,
) -> RenewalRun:
    """Settle every subscription due by `as_of` (now by default), a batch per transaction, until
    none is due."""
    at = as_of or clock.now()
    runs = await asyncio.gather(*(_runner(unit_of_work, plans, at, batch) for _ in range(runners)))
    return reduce(add, runs, RenewalRun())


async def _runner(
    unit_of_work: Callable[[], SubscriptionUnitOfWork], plans: Plans, at: datetime, batch: int
) -> RenewalRun:
    run = RenewalRun()
    while True:
        async with unit_of_work() as uow:
            claimed = await uow.renewals.claim_due(at, batch)
            if not claimed:
                return run
            subscriptions = await uow.subscriptions.get_many(claimed)
            due = charges_due(subscriptions, plans, at)
            charges = await uow.billing.charge_many(due, at)
            schedule = settle_renewals(subscriptions, {c.subscription_id: c for c in charges}, plans, at)
            await uow.subscriptions.save_many(subscriptions)
            await uow.renewals.schedule_many(schedule)
            events = [e for s in subscriptions for e in s.pull_events()]
            uow.record(*events)
            await uow.commit()
        run.count(len(subscriptions), events)


@dataclass(frozen=True)
class OnDemand:
    """How runs asked for by staff (`POST /renewal-runs`) are made here."""

    allowed: bool = False
    """False in production unless `REPAIR_ALLOW_RUNS_AHEAD`: a run ahead of now moves real
    customers' subscriptions (and charges them) before their time."""
    runners: int = 1


async def run_on_demand(
    unit_of_work: Callable[[], SubscriptionUnitOfWork],
    clock: Clock,
    plans: Plans,
    on_demand: OnDemand,
    as_of: datetime | None,
) -> tuple[datetime, RenewalRun]:
    """A renewal run now, or as of a later moment (a demo's clock playing out a dunning cycle):
    never as of a moment gone, which would decide on a past the subscriptions have left."""
    if not on_demand.allowed:
        raise RunsOnDemandRefused(
            "renewal runs on demand are refused in production unless REPAIR_ALLOW_RUNS_AHEAD=true: "
            "the scheduled run renews subscriptions when they are due"
        )
    now = clock.now()
    if as_of is not None and as_of < now:
        raise RunInThePast(f"a run looks ahead, never back: {as_of.isoformat()} is before now", field="as_of")
    at = as_of or now
    return at, await run_renewals(unit_of_work, clock, plans, runners=on_demand.runners, as_of=at)
