"""Who pays a repair, decided from what repair knows: reloop's warranty on a device it sold, the
customer's plan, or the customer.

The warranty is looked at first: it is reloop's promise on its own sale, and a repair under it
should not use up one of the plan's fair-use claims. A refusal of the plan is kept as the reason of
a paid repair, so the customer is told which rule refused it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from repair.domain.events import Coverage
from repair.domain.workshop_policy import WorkshopPolicy


@dataclass(frozen=True)
class SoldDevice:
    """A unit reloop sold, from `SaleRecorded` (what the warranty covers)."""

    unit_id: str
    sku: str
    sale_id: str
    market: str
    sold_at: datetime


@dataclass(frozen=True)
class PlanAnswer:
    """What the customer's plan says about this device now: covered by `subscription_id`, or not
    with the `refusal` (the rule, or "no plan")."""

    subscription_id: str | None
    refusal: str | None


@dataclass(frozen=True)
class CoverageDecision:
    coverage: Coverage
    reason: str
    subscription_id: str | None


def decide_coverage(
    plan: PlanAnswer, sold: SoldDevice | None, *, policy: WorkshopPolicy, at: datetime
) -> CoverageDecision:
    if sold is not None:
        ends = policy.warranty_ends(sold.market, sold.sold_at)
        if at < ends:
            return CoverageDecision(
                "warranty", f"sold by reloop (sale {sold.sale_id}), warranty until {ends:%Y-%m-%d}", None
            )
    if plan.subscription_id is not None:
        return CoverageDecision("plan", f"covered by subscription {plan.subscription_id}", plan.subscription_id)
    if plan.refusal is not None and sold is None:
        return CoverageDecision("paid", _bounded(plan.refusal), None)
    reasons = []
    if sold is not None:
        reasons.append(f"warranty ended on {policy.warranty_ends(sold.market, sold.sold_at):%Y-%m-%d}")
    if plan.refusal is not None:
        reasons.append(plan.refusal)
    return CoverageDecision("paid", _bounded("; ".join(reasons) or "no plan and not sold by reloop"), None)


def _bounded(reason: str) -> str:
    # The contract carries at most 200 characters of reason.
    return reason if len(reason) <= 200 else reason[:197] + "..."
