"""What happened to subscriptions, in domain terms (mapped to `repair.subscriptions.v1` in
`adapters/subscription_translators.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from reloop_contracts.amounts import Money
from repair.domain.devices import Device

Channel = Literal["online", "own_shop", "partner_shop"]


@dataclass(frozen=True)
class SubscriptionStarted:
    subscription_id: str
    customer_id: str
    market: str
    price: Money
    devices: tuple[Device, ...]
    channel: Channel
    shop_id: str | None
    charge_id: str
    period_start: datetime
    period_end: datetime
    at: datetime


@dataclass(frozen=True)
class SubscriptionRenewed:
    subscription_id: str
    charge_id: str
    amount: Money
    period_start: datetime
    period_end: datetime
    at: datetime


@dataclass(frozen=True)
class PaymentFailed:
    subscription_id: str
    period_start: datetime
    attempt: int
    reason: str
    next_attempt_at: datetime | None
    at: datetime


@dataclass(frozen=True)
class SubscriptionPastDue:
    subscription_id: str
    overdue_since: datetime
    covered_until: datetime
    at: datetime


@dataclass(frozen=True)
class SubscriptionSuspended:
    subscription_id: str
    overdue_since: datetime
    reason: str
    at: datetime


@dataclass(frozen=True)
class SubscriptionReactivated:
    subscription_id: str
    charge_id: str
    amount: Money
    period_start: datetime
    period_end: datetime
    at: datetime


@dataclass(frozen=True)
class SubscriptionCancelled:
    subscription_id: str
    by: str
    reason: str
    covered_until: datetime
    at: datetime


@dataclass(frozen=True)
class SubscriptionExpired:
    subscription_id: str
    at: datetime


SubscriptionEvent = (
    SubscriptionStarted
    | SubscriptionRenewed
    | PaymentFailed
    | SubscriptionPastDue
    | SubscriptionSuspended
    | SubscriptionReactivated
    | SubscriptionCancelled
    | SubscriptionExpired
)
