"""The plan's answer to a claim, for intake: the device's subscription, the claims it covered for
the device in the year before, and the pure decision (`domain.subscriptions.plan_coverage`)."""

from __future__ import annotations

from datetime import datetime

from repair.domain.devices import DeviceIdentifier
from repair.domain.fair_use import YEAR
from repair.domain.subscriptions import PlanCoverage, plan_coverage
from repair.service_layer.subscription_ports import CoverageUnitOfWork

__all__ = ["PlanCoverage", "plan_covering"]


async def plan_covering(
    uow: CoverageUnitOfWork, customer_id: str | None, identifier: DeviceIdentifier, at: datetime
) -> PlanCoverage:
    """Run inside the caller's open unit of work. With `customer_id`, only that customer's own
    subscription counts; without (a shop drop-off by someone not signed in), the device's."""
    subscription = await uow.subscriptions.for_device(identifier, customer_id)
    if subscription is None:
        return plan_coverage(None, 0, at)
    claims = await uow.tickets.claims_for(subscription.subscription_id, identifier, at - YEAR)
    return plan_coverage(subscription, claims, at)
