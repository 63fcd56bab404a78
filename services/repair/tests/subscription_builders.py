"""Devices and subscriptions for the subscription tests (a plain module, never conftest)."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count

from reloop_contracts.amounts import Money
from repair.domain.devices import Device, identify, luhn_valid
from repair.domain.plans import MarketPlan, Plans
from repair.domain.subscription_commands import Subscribe

START = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
FR = MarketPlan("FR", Money(699, "EUR"))
PLANS = Plans({"FR": FR})
_serials = count(1)


def imei(body: int) -> str:
    """A valid IMEI: 14 digits of `body` and their Luhn check digit."""
    digits = f"{body:014d}"
    return next(digits + str(d) for d in range(10) if luhn_valid(digits + str(d)))


def phone(body: int | None = None) -> Device:
    return Device(
        identify("imei", imei(body if body is not None else 35_000_000_000_000 + next(_serials))),
        "smartphone",
        "iphone-13",
    )


def subscribing(customer_id: str = "acct-42", *devices: Device, market: str = "FR") -> Subscribe:
    return Subscribe(customer_id, market, devices or (phone(),))
