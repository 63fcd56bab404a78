"""What is asked of subscriptions (imperative, frozen)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from repair.domain.devices import Device

Channel = Literal["online", "own_shop", "partner_shop"]


@dataclass(frozen=True)
class Subscribe:
    """A customer subscribes online with their token, or staff subscribe them in a shop."""

    customer_id: str
    market: str
    devices: tuple[Device, ...]
    channel: Channel = "online"
    shop_id: str | None = None


@dataclass(frozen=True)
class CancelSubscription:
    subscription_id: str
    by: str
    reason: str = ""


@dataclass(frozen=True)
class PayOverdue:
    """Pay an overdue or suspended subscription now, rather than wait for the next retry."""

    subscription_id: str
    by: str
