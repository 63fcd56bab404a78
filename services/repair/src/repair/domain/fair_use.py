"""Fair use of the plan, as the business sets it per market; every refusal names its rule, so the
ticket, the customer and the back office all read the same reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from repair.domain.plans import FairUse
from repair.domain.subscription_errors import FairUseBroken

Rule = Literal["waiting_period", "claims_per_device_per_year", "devices_per_subscription"]
YEAR = timedelta(days=365)


@dataclass(frozen=True)
class Refusal:
    rule: Rule
    reason: str


def check_devices(count: int, rules: FairUse) -> None:
    if count > rules.devices_per_subscription:
        raise FairUseBroken(
            "devices_per_subscription",
            f"a subscription covers at most {rules.devices_per_subscription} devices, not {count}",
            field="devices",
        )


def claim_refusal(started_at: datetime, claims_in_last_year: int, at: datetime, rules: FairUse) -> Refusal | None:
    """Why a claim at `at` for a device with `claims_in_last_year` covered repairs in the year
    before is refused, or None when fair use allows it."""
    if at < started_at + rules.waiting_period:
        return Refusal(
            "waiting_period",
            f"the plan covers repairs from {(started_at + rules.waiting_period).date().isoformat()}, "
            f"{rules.waiting_period.days} days after it started",
        )
    if claims_in_last_year >= rules.claims_per_device_per_year:
        return Refusal(
            "claims_per_device_per_year",
            f"this device had {claims_in_last_year} covered repairs in the last year, "
            f"the most the plan covers is {rules.claims_per_device_per_year}",
        )
    return None
